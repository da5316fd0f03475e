// SPDX-License-Identifier: GPL-2.0-only
/* Parser tests (no kernel): CIDR syntax, host bits, port ranges and the rules' text names (the
 * wire forms are tested with the service, tests/service/test_rules_wire.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cidr.h"
#include "rules_spec.h"
#include "array_size.h"

static void test_cidr_good(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "10.0.0.0/8", "10.0.0.0/8" },     { "192.0.2.7", "192.0.2.7/32" },
		{ "0.0.0.0/0", "0.0.0.0/0" },       { "2001:db8::/32", "2001:db8::/32" },
		{ "2001:db8::1", "2001:db8::1/128" }, { "::/0", "::/0" },
		{ "::ffff:192.0.2.0/120", "::ffff:192.0.2.0/120" },
	};
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct cidr c;
		char buf[CIDR_STR_MAX];

		assert_int_equal(cidr_parse(cases[i].in, NULL, &c, NULL), 0);
		assert_int_equal(cidr_format(&c, buf, sizeof(buf)), 0);
		assert_string_equal(buf, cases[i].out);
	}
}

/* The formatter prints exactly what inet_ntop prints, for addresses with every pattern of zero
 * groups (where "::" goes is the hard part), mapped and compatible IPv4 forms, and IPv4. */
static void test_cidr_format_like_inet_ntop(void **state)
{
	uint64_t x = 0x9e3779b97f4a7c15ULL;

	(void)state;
	for (int round = 0; round < 200000; round++) {
		struct cidr c = { .family = round % 5 ? 6 : 4, .plen = (uint8_t)(round % 129) };
		char want[INET6_ADDRSTRLEN + 8], got[CIDR_STR_MAX], ntop[INET6_ADDRSTRLEN];
		unsigned zeros = (unsigned)(round >> 3) & 0xff;

		for (int i = 0; i < 16; i++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			c.addr[i] = (uint8_t)x;
		}
		if (c.family == 4) {
			memset(c.addr + 4, 0, 12);
			c.plen %= 33;
		}
		for (int g = 0; c.family == 6 && g < 8; g++)
			if (zeros & (1u << g))
				c.addr[2 * g] = c.addr[2 * g + 1] = 0;
		if (round % 97 == 0) /* ::ffff:a.b.c.d */
			memset(c.addr, 0, 10), c.addr[10] = c.addr[11] = 0xff;
		assert_non_null(inet_ntop(c.family == 4 ? AF_INET : AF_INET6, c.addr, ntop, sizeof(ntop)));
		snprintf(want, sizeof(want), "%s/%u", ntop, c.plen);
		assert_int_equal(cidr_format(&c, got, sizeof(got)), 0);
		assert_string_equal(got, want);
	}
}

static void test_cidr_bad(void **state)
{
	static const char *bad[] = { "", "10.0.0.0/33", "10.0.0.0/", "/8", "10.0.0/8", "10.0.0.256",
				     "10.0.0.0/-1", "10.0.0.0/08", "10.0.0.0/8 ", " 10.0.0.0/8",
				     "2001:db8::/129", "2001:db8:::/32", "host", "10.0.0.0/8/8",
				     "2001:db8::g/64" };
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct cidr c;
		const char *why = NULL;

		assert_int_equal(cidr_parse(bad[i], NULL, &c, &why), -EINVAL);
		assert_non_null(why);
	}
}

/* Decision: refuse host bits by default (likely a typo); loaders may ask to normalise. */
static void test_cidr_host_bits(void **state)
{
	struct cidr_parse_opts norm = { .normalise = true };
	const char *why = NULL;
	char buf[CIDR_STR_MAX];
	struct cidr c;

	(void)state;
	assert_int_equal(cidr_parse("10.1.2.3/8", NULL, &c, &why), -EINVAL);
	assert_non_null(strstr(why, "host bits"));
	assert_int_equal(cidr_parse("2001:db8::1/32", NULL, &c, &why), -EINVAL);
	assert_int_equal(cidr_parse("10.1.2.3/8", &norm, &c, NULL), 0);
	cidr_format(&c, buf, sizeof(buf));
	assert_string_equal(buf, "10.0.0.0/8");
}

static void test_cidr_contains(void **state)
{
	struct cidr a, b, c;

	(void)state;
	cidr_parse("10.0.0.0/8", NULL, &a, NULL);
	cidr_parse("10.1.0.0/16", NULL, &b, NULL);
	cidr_parse("2001:db8::/32", NULL, &c, NULL);
	assert_true(cidr_contains(&a, &b));
	assert_false(cidr_contains(&b, &a));
	assert_false(cidr_contains(&a, &c));
}

static void test_ports(void **state)
{
	uint16_t lo, hi;

	(void)state;
	assert_int_equal(rules_parse_ports("80", &lo, &hi), 0);
	assert_true(lo == 80 && hi == 80);
	assert_int_equal(rules_parse_ports("1000-2000", &lo, &hi), 0);
	assert_true(lo == 1000 && hi == 2000);
	assert_int_equal(rules_parse_ports("65536", &lo, &hi), -ERANGE);
	assert_int_equal(rules_parse_ports("2000-1000", &lo, &hi), -EINVAL);
	assert_int_equal(rules_parse_ports("80-", &lo, &hi), -EINVAL);
	assert_int_equal(rules_parse_ports("http", &lo, &hi), -EINVAL);
}

static void test_names(void **state)
{
	enum rules_action a;
	uint8_t p;

	(void)state;
	assert_int_equal(rules_parse_action("limit", &a), 0);
	assert_int_equal(a, RULES_ACT_LIMIT);
	assert_string_equal(rules_action_name(RULES_ACT_MONITOR), "monitor");
	assert_int_equal(rules_parse_proto("icmpv6", &p), 0);
	assert_int_equal(p, 58);
	assert_string_equal(rules_proto_name(17), "udp");
	assert_int_equal(rules_parse_action("block", &a), -EINVAL);
	assert_string_equal(rules_field_name(RULES_FIELD_LIMIT_PPS), "limit_pps");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cidr_good),     cmocka_unit_test(test_cidr_format_like_inet_ntop),
		cmocka_unit_test(test_cidr_bad),
		cmocka_unit_test(test_cidr_host_bits), cmocka_unit_test(test_cidr_contains),
		cmocka_unit_test(test_ports),          cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
