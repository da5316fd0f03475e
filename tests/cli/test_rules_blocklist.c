// SPDX-License-Identifier: GPL-2.0-only
/* The blocklist parser on the formats operators feed to "drop load": FireHOL, Spamhaus DROP
 * (IPv4 and IPv6), plain lists with CRLF, comments, duplicates and invalid lines, and 100k lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "blocklist.h"

/* Parses text as a file. */
static void parse(struct blocklist *bl, const char *text, bool normalise)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");

	assert_non_null(f);
	blocklist_init(bl, &(struct blocklist_opts){ .normalise = normalise });
	assert_int_equal(blocklist_read(bl, f), 0);
	fclose(f);
}

static void check_entry(const struct blocklist *bl, size_t i, const char *want, size_t line)
{
	char buf[CIDR_STR_MAX];

	assert_true(i < bl->n);
	assert_int_equal(cidr_format(&bl->entries[i], buf, sizeof(buf)), 0);
	assert_string_equal(buf, want);
	assert_int_equal(bl->entry_line[i], line);
}

static void test_cli_rules_blocklist_firehol(void **state)
{
	static const char text[] =
		"#\n"
		"# example.netset\n"
		"# Entries : 2 subnets, 257 unique IPs\n"
		"#\n"
		"192.0.2.7\n"
		"198.51.100.0/24\n";
	struct blocklist bl;

	(void)state;
	parse(&bl, text, false);
	assert_int_equal(bl.lines, 6);
	assert_int_equal(bl.n, 2);
	assert_int_equal(bl.invalid, 0);
	assert_int_equal(bl.duplicates, 0);
	check_entry(&bl, 0, "192.0.2.7/32", 5);
	check_entry(&bl, 1, "198.51.100.0/24", 6);
	blocklist_free(&bl);
}

static void test_cli_rules_blocklist_spamhaus(void **state)
{
	static const char v4[] =
		"; Spamhaus DROP List 2026/11/26 - (c) 2026 The Spamhaus Project\n"
		"; Last-Modified: Thu, 26 Nov 2026 10:00:00 GMT\n"
		"; Expires: Thu, 26 Nov 2026 11:00:00 GMT\n"
		"203.0.113.0/24 ; SBL000001\n"
		"198.18.0.0/15 ; SBL000003\n";
	static const char v6[] =
		"; Spamhaus DROPv6 List\r\n"
		"2001:db8:1000::/36 ; SBL000002\r\n"
		"2001:DB8:2000::/40;SBL000004\r\n";
	struct blocklist bl;
	size_t nested;

	(void)state;
	parse(&bl, v4, false);
	assert_int_equal(bl.lines, 5);
	assert_int_equal(bl.n, 2);
	assert_int_equal(bl.invalid, 0);
	check_entry(&bl, 0, "203.0.113.0/24", 4);
	check_entry(&bl, 1, "198.18.0.0/15", 5);
	blocklist_free(&bl);

	parse(&bl, v6, false);
	assert_int_equal(bl.n, 2);
	assert_int_equal(bl.invalid, 0);
	check_entry(&bl, 0, "2001:db8:1000::/36", 2);
	check_entry(&bl, 1, "2001:db8:2000::/40", 3);
	assert_int_equal(blocklist_count_nested(&bl, &nested), 0);
	assert_int_equal(nested, 0);
	blocklist_free(&bl);
}

static void test_cli_rules_blocklist_plain(void **state)
{
	/* Windows line endings, blanks, trailing spaces and tabs, comments after entries,
	 * a duplicate written two ways, a /32 inside a /24, and no newline at the end. */
	static const char text[] =
		"10.0.0.0/8\r\n"
		"\r\n"
		"   \r\n"
		"192.0.2.1   \r\n"
		"\t192.0.2.0/24\t# the whole net\r\n"
		"192.0.2.1/32 # again\r\n"
		"2001:db8::1\r\n"
		"2001:db8:0::1/128\n"
		"# done\n"
		"10.9.9.9";
	struct blocklist bl;
	size_t nested;

	(void)state;
	parse(&bl, text, false);
	assert_int_equal(bl.lines, 10);
	assert_int_equal(bl.n, 5);
	assert_int_equal(bl.invalid, 0);
	assert_int_equal(bl.duplicates, 2);
	check_entry(&bl, 0, "10.0.0.0/8", 1);
	check_entry(&bl, 1, "192.0.2.1/32", 4);
	check_entry(&bl, 2, "192.0.2.0/24", 5);
	check_entry(&bl, 3, "2001:db8::1/128", 7);
	check_entry(&bl, 4, "10.9.9.9/32", 10);
	assert_int_equal(bl.dup[0].line, 6);
	assert_int_equal(bl.dup[0].first_line, 4);
	assert_string_equal(bl.dup[0].text, "192.0.2.1/32");
	assert_int_equal(bl.dup[1].line, 8);
	assert_int_equal(bl.dup[1].first_line, 7);
	/* 192.0.2.1 lies in 192.0.2.0/24, 10.9.9.9 in 10.0.0.0/8. */
	assert_int_equal(blocklist_count_nested(&bl, &nested), 0);
	assert_int_equal(nested, 2);
	blocklist_free(&bl);
}

static void test_cli_rules_blocklist_bom(void **state)
{
	struct blocklist bl;

	(void)state;
	parse(&bl, "\xef\xbb\xbf" "192.0.2.1\r\n\xef\xbb\xbf" "192.0.2.2\r\n", false);
	assert_int_equal(bl.n, 1);
	check_entry(&bl, 0, "192.0.2.1/32", 1);
	/* Only at the start of the file. */
	assert_int_equal(bl.invalid, 1);
	assert_int_equal(bl.bad[0].line, 2);
	blocklist_free(&bl);
}

static void test_cli_rules_blocklist_invalid(void **state)
{
	static const char text[] =
		"192.0.2.1\n"
		"192.0.2.300\n"
		"10.1.2.3/8\n"
		"198.51.100.0/33\n"
		"2001:db8::/129 ; SBL1\n"
		"hello\n"
		"192.0.2.5 192.0.2.6\n"
		"192.0.2.7/\n"
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n"
		"192.0.2.8\n";
	struct blocklist bl;

	(void)state;
	parse(&bl, text, false);
	assert_int_equal(bl.lines, 10);
	assert_int_equal(bl.n, 2);
	assert_int_equal(bl.invalid, 8);
	assert_int_equal(bl.bad[0].line, 2);
	assert_string_equal(bl.bad[0].text, "192.0.2.300");
	assert_non_null(strstr(bl.bad[0].why, "not an IPv4 address"));
	assert_int_equal(bl.bad[1].line, 3);
	assert_string_equal(bl.bad[1].why, "host bits set after the prefix length (the network is "
					   "10.0.0.0/8; --normalise clears host bits)");
	assert_int_equal(bl.bad[2].line, 4);
	assert_non_null(strstr(bl.bad[2].why, "0..32"));
	assert_int_equal(bl.bad[3].line, 5);
	assert_string_equal(bl.bad[3].text, "2001:db8::/129");
	assert_non_null(strstr(bl.bad[3].why, "0..128"));
	assert_int_equal(bl.bad[4].line, 6);
	assert_int_equal(bl.bad[5].line, 7);
	assert_non_null(strstr(bl.bad[5].why, "one address or CIDR per line"));
	assert_int_equal(bl.bad[6].line, 8);
	assert_int_equal(bl.bad[7].line, 9);
	assert_int_equal(strlen(bl.bad[7].text), BLOCKLIST_TEXT_MAX - 1);
	assert_non_null(strstr(bl.bad[7].text, "..."));
	blocklist_free(&bl);

	/* With normalise the host bits are cleared, and the result folds into an equal entry. */
	parse(&bl, "10.1.2.3/8\n10.0.0.0/8\n", true);
	assert_int_equal(bl.invalid, 0);
	assert_int_equal(bl.n, 1);
	assert_int_equal(bl.duplicates, 1);
	check_entry(&bl, 0, "10.0.0.0/8", 1);
	blocklist_free(&bl);
}

static void test_cli_rules_blocklist_many_notes(void **state)
{
	struct blocklist bl;
	char line[32];
	int i;

	(void)state;
	blocklist_init(&bl, NULL);
	for (i = 0; i < 100; i++) {
		snprintf(line, sizeof(line), "bad%d", i);
		assert_int_equal(blocklist_add_line(&bl, line, strlen(line)), 0);
		assert_int_equal(blocklist_add_line(&bl, "192.0.2.1", 9), 0);
	}
	/* Counts stay exact past the notes kept. */
	assert_int_equal(bl.invalid, 100);
	assert_int_equal(bl.duplicates, 99);
	assert_int_equal(bl.n, 1);
	assert_int_equal(bl.bad[BLOCKLIST_NOTES_MAX - 1].line, 2 * BLOCKLIST_NOTES_MAX - 1);
	assert_int_equal(bl.dup[0].line, 4);
	assert_int_equal(bl.dup[0].first_line, 2);
	blocklist_free(&bl);
}

static void test_cli_rules_blocklist_empty(void **state)
{
	struct blocklist bl;
	size_t nested = 7;

	(void)state;
	parse(&bl, "", false);
	assert_int_equal(bl.lines, 0);
	assert_int_equal(bl.n, 0);
	assert_int_equal(blocklist_count_nested(&bl, &nested), 0);
	assert_int_equal(nested, 0);
	blocklist_free(&bl);
	parse(&bl, "# nothing\n;\n\n", false);
	assert_int_equal(bl.lines, 3);
	assert_int_equal(bl.n, 0);
	assert_int_equal(bl.invalid, 0);
	blocklist_free(&bl);
}

/* CPU time: other jobs on a shared CI machine must not fail the bound. */
static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* 100k lines of a realistic mix (v4 hosts and nets, v6 nets, comments, CRLF, 1% repeats): the
 * counts, and the time printed for reference (load times are bench/'s to judge, not a test's). */
static void test_cli_rules_blocklist_speed(void **state)
{
	size_t len = 0, i, nested;
	struct blocklist bl;
	double t0, t1, ms;
	char *text;
	FILE *f;

	(void)state;
	f = open_memstream(&text, &len);
	assert_non_null(f);
	fputs("# generated\n", f);
	for (i = 0; i < 100000; i++) {
		if (i % 100 == 99)
			fprintf(f, "10.%zu.%zu.%zu\n", (i - 50) >> 16 & 255, (i - 50) >> 8 & 255,
				(i - 50) & 255);
		else if (i % 10 == 0)
			fprintf(f, "2001:db8:%zx:%zx::/64 ; SBL%zu\r\n", i >> 16, i & 0xffff, i);
		else if (i % 10 == 1)
			fprintf(f, "172.%zu.%zu.0/24 # net\n", 16 + (i >> 16 & 15), i >> 8 & 255);
		else
			fprintf(f, "10.%zu.%zu.%zu\n", i >> 16 & 255, i >> 8 & 255, i & 255);
	}
	fclose(f);
	f = fmemopen(text, len, "r");
	blocklist_init(&bl, NULL);
	t0 = now_ms();
	assert_int_equal(blocklist_read(&bl, f), 0);
	t1 = now_ms();
	assert_int_equal(blocklist_count_nested(&bl, &nested), 0);
	ms = now_ms() - t0;
	fclose(f);
	print_message("100001 lines: %zu entries, %zu duplicates, %zu nested in %.1f ms "
		      "(parsing %.1f ms)\n", bl.n, bl.duplicates, nested, ms, t1 - t0);
	assert_int_equal(bl.lines, 100001);
	assert_int_equal(bl.invalid, 0);
	assert_true(bl.duplicates >= 1000);
	blocklist_free(&bl);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cli_rules_blocklist_firehol),
		cmocka_unit_test(test_cli_rules_blocklist_spamhaus),
		cmocka_unit_test(test_cli_rules_blocklist_plain),
		cmocka_unit_test(test_cli_rules_blocklist_bom),
		cmocka_unit_test(test_cli_rules_blocklist_invalid),
		cmocka_unit_test(test_cli_rules_blocklist_many_notes),
		cmocka_unit_test(test_cli_rules_blocklist_empty),
		cmocka_unit_test(test_cli_rules_blocklist_speed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
