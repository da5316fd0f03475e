// SPDX-License-Identifier: GPL-2.0-only
/* Rules from the wire (no kernel): every field refused with its name, the enums both ways. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "rules_wire.h"
#include "array_size.h"

struct wire_rule {
	uint32_t action;
	uint64_t limit_pps;
	Xdpfleet__V1__RuleMatch m;
};

static struct wire_rule valid(void)
{
	struct wire_rule w = { .action = XDPFLEET__V1__RULE_ACTION__RULE_ACTION_DROP };

	xdpfleet__v1__rule_match__init(&w.m);
	w.m.src = "203.0.113.0/24";
	w.m.proto = XDPFLEET__V1__PROTOCOL__PROTOCOL_TCP;
	w.m.port_min = 80;
	return w;
}

static void expect_refused(const struct wire_rule *w, enum rules_field field, const char *path)
{
	struct rules_error err = { 0 };
	struct rules_spec s;

	assert_int_equal(rules_wire_to_spec(&w->m, w->action, w->limit_pps, &s, &err), -EINVAL);
	assert_int_equal(err.field, field);
	assert_string_equal(rules_wire_field(err.field, false), path);
	assert_true(strlen(err.msg) > 0);
}

static void test_to_spec(void **state)
{
	struct wire_rule w = valid();
	struct rules_spec s;

	(void)state;
	assert_int_equal(rules_wire_to_spec(&w.m, w.action, 0, &s, NULL), 0);
	assert_int_equal(s.action, RULES_ACT_DROP);
	assert_true(s.has_ports && s.port_min == 80 && s.port_max == 80 && s.proto == 6);
	w = valid(), w.m.src = "203.0.113.1/24";
	expect_refused(&w, RULES_FIELD_SRC, "match.src");
	w = valid(), w.m.src = "not-an-ip";
	expect_refused(&w, RULES_FIELD_SRC, "match.src");
	w = valid(), w.m.proto = XDPFLEET__V1__PROTOCOL__PROTOCOL_ANY; /* ports with proto any */
	expect_refused(&w, RULES_FIELD_PORTS, "match.port_min");
	w = valid(), w.m.proto = XDPFLEET__V1__PROTOCOL__PROTOCOL_ICMP; /* ports with icmp */
	expect_refused(&w, RULES_FIELD_PORTS, "match.port_min");
	w = valid(), w.m.port_min = 70000;
	expect_refused(&w, RULES_FIELD_PORTS, "match.port_min");
	w = valid(), w.m.port_min = 90, w.m.port_max = 80;
	expect_refused(&w, RULES_FIELD_PORTS, "match.port_min");
	w = valid(), w.action = 9;
	expect_refused(&w, RULES_FIELD_ACTION, "action");
	w = valid(), w.action = XDPFLEET__V1__RULE_ACTION__RULE_ACTION_UNSPECIFIED;
	expect_refused(&w, RULES_FIELD_ACTION, "action");
	w = valid(), w.m.proto = 7;
	expect_refused(&w, RULES_FIELD_PROTO, "match.proto");
	w = valid(), w.action = XDPFLEET__V1__RULE_ACTION__RULE_ACTION_LIMIT; /* without pps */
	expect_refused(&w, RULES_FIELD_LIMIT_PPS, "limit_pps");
	w = valid(), w.limit_pps = 10; /* pps on drop */
	expect_refused(&w, RULES_FIELD_LIMIT_PPS, "limit_pps");
	w = valid(), w.m.src = "2001:db8::/32", w.m.proto = XDPFLEET__V1__PROTOCOL__PROTOCOL_ICMP, w.m.port_min = 0;
	expect_refused(&w, RULES_FIELD_PROTO, "match.proto");
	w = valid(), w.m.src = "", w.m.port_min = 0, w.m.proto = 0;
	assert_int_equal(rules_wire_to_spec(&w.m, w.action, 0, &s, NULL), 0);
	assert_false(s.has_src);
	assert_int_equal(rules_wire_to_spec(NULL, w.action, 0, &s, NULL), 0); /* no match: anything */
	assert_false(s.has_src || s.has_ports || s.proto);
	w = valid(), w.m.port_min = 1000, w.m.port_max = 2000;
	assert_int_equal(rules_wire_to_spec(&w.m, w.action, 0, &s, NULL), 0);
	assert_true(s.port_min == 1000 && s.port_max == 2000);
	assert_string_equal(rules_wire_field(RULES_FIELD_SRC, true), "src");
}

/* Every engine value has its wire number and back; numbers the proto lacks are refused. */
static void test_enums(void **state)
{
	static const enum rules_action acts[] = { RULES_ACT_DROP, RULES_ACT_ALLOW, RULES_ACT_LIMIT, RULES_ACT_MONITOR };
	static const uint8_t protos[] = { 0, 1, 6, 17, 58 };
	enum rules_action a;
	uint8_t p;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(acts); i++) {
		assert_int_equal(rules_wire_action(rules_wire_from_action(acts[i]), &a), 0);
		assert_int_equal(a, acts[i]);
	}
	for (size_t i = 0; i < ARRAY_SIZE(protos); i++) {
		assert_int_equal(rules_wire_proto(rules_wire_from_proto(protos[i]), &p), 0);
		assert_int_equal(p, protos[i]);
	}
	assert_int_equal(rules_wire_from_action(RULES_ACT_ALLOW), XDPFLEET__V1__RULE_ACTION__RULE_ACTION_ALLOW);
	assert_int_equal(rules_wire_from_proto(58), XDPFLEET__V1__PROTOCOL__PROTOCOL_ICMPV6);
	assert_int_equal(rules_wire_action(XDPFLEET__V1__RULE_ACTION__RULE_ACTION_UNSPECIFIED, &a), -EINVAL);
	assert_int_equal(rules_wire_proto(5, &p), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_to_spec),
		cmocka_unit_test(test_enums),
	};

	return cmocka_run_group_tests_name("rules_wire", tests, NULL, NULL);
}
