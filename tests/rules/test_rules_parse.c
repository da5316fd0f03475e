/* Parser and validation tests (no kernel): CIDR syntax, host bits, port ranges, and rule specs
 * refused with the offending field named. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "cidr.h"
#include "rules_spec.h"

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
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cidr c;
		char buf[CIDR_STR_MAX];

		assert_int_equal(cidr_parse(cases[i].in, NULL, &c, NULL), 0);
		assert_int_equal(cidr_format(&c, buf, sizeof(buf)), 0);
		assert_string_equal(buf, cases[i].out);
	}
}

static void test_cidr_bad(void **state)
{
	static const char *bad[] = { "", "10.0.0.0/33", "10.0.0.0/", "/8", "10.0.0/8", "10.0.0.256",
				     "10.0.0.0/-1", "10.0.0.0/08", "10.0.0.0/8 ", " 10.0.0.0/8",
				     "2001:db8::/129", "2001:db8:::/32", "host", "10.0.0.0/8/8",
				     "2001:db8::g/64" };
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
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

static void expect_refused(const struct rules_wire *w, const char *field)
{
	struct rules_error err = { 0 };
	struct rules_spec s;

	assert_int_equal(rules_spec_from_wire(w, &s, &err), -EINVAL);
	assert_non_null(err.field);
	assert_string_equal(err.field, field);
	assert_true(strlen(err.msg) > 0);
}

static void test_spec_from_wire(void **state)
{
	struct rules_wire ok = { .action = 1, .src = "203.0.113.0/24", .proto = 1, .port_min = 80 };
	struct rules_wire w;
	struct rules_spec s;

	(void)state;
	assert_int_equal(rules_spec_from_wire(&ok, &s, NULL), 0);
	assert_int_equal(s.action, RULES_ACT_DROP);
	assert_true(s.has_ports && s.port_min == 80 && s.port_max == 80 && s.proto == 6);
	w = ok, w.src = "203.0.113.1/24";
	expect_refused(&w, "src");
	w = ok, w.src = "not-an-ip";
	expect_refused(&w, "src");
	w = ok, w.proto = 0; /* ports with proto any */
	expect_refused(&w, "port");
	w = ok, w.proto = 3; /* ports with icmp */
	expect_refused(&w, "port");
	w = ok, w.port_min = 70000;
	expect_refused(&w, "port");
	w = ok, w.port_min = 90, w.port_max = 80;
	expect_refused(&w, "port");
	w = ok, w.action = 9;
	expect_refused(&w, "action");
	w = ok, w.action = 0;
	expect_refused(&w, "action");
	w = ok, w.proto = 7;
	expect_refused(&w, "proto");
	w = ok, w.action = 3; /* limit without pps */
	expect_refused(&w, "limit_pps");
	w = ok, w.limit_pps = 10; /* pps on drop */
	expect_refused(&w, "limit_pps");
	w = ok, w.src = "2001:db8::/32", w.proto = 3, w.port_min = 0; /* icmp with IPv6 */
	expect_refused(&w, "proto");
	w = ok, w.src = "", w.port_min = 0, w.proto = 0;
	assert_int_equal(rules_spec_from_wire(&w, &s, NULL), 0);
	assert_false(s.has_src);
	w = ok, w.port_min = 1000, w.port_max = 2000;
	assert_int_equal(rules_spec_from_wire(&w, &s, NULL), 0);
	assert_true(s.port_min == 1000 && s.port_max == 2000);
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
	assert_int_equal(rules_action_to_wire(RULES_ACT_ALLOW), 2);
	assert_int_equal(rules_proto_to_wire(58), 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cidr_good),     cmocka_unit_test(test_cidr_bad),
		cmocka_unit_test(test_cidr_host_bits), cmocka_unit_test(test_cidr_contains),
		cmocka_unit_test(test_ports),          cmocka_unit_test(test_spec_from_wire),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
