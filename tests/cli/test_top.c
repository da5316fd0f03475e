// SPDX-License-Identifier: GPL-2.0-only
/* The top, mitigate and events commands through cli_main against the fake fan-out: arguments
 * into requests (and usage errors that send nothing), the fleet view of two hosts' WatchTop
 * streams, and events as JSON lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fake_rpc.h"
#include "harness.h"
#include "xdpfleet/v1/agent.pb-c.h"

#define RUN(r, ...) harness_run((r), NULL, __VA_ARGS__, NULL)

static struct fake_host ok_hosts[2];

static int setup(void **state)
{
	fake_rpc_setup(state);
	fake_rpc_set(ok_hosts, 2);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fake_rpc_reset();
	return 0;
}

static void usage(const char *want, const char *a, const char *b, const char *c, const char *d, const char *e)
{
	struct harness_run r;

	fake_rpc_set(ok_hosts, 2);
	RUN(&r, "-H", "unix:/a", "mitigate", "add", a, b, c, d, e);
	if (!strstr(r.err, want))
		fail_msg("stderr '%s' lacks '%s'", r.err, want);
	assert_int_equal(r.status, 2);
	assert_int_equal(fake_rpc_last.calls, 0);
	harness_free(&r);
}

static void test_mitigate_add_args(void **state)
{
	Xdpfleet__V1__AddTriggerResponse ans = XDPFLEET__V1__ADD_TRIGGER_RESPONSE__INIT;
	struct fake_host h[1] = { { .resp = &ans.base } };
	const Xdpfleet__V1__Trigger *t;
	struct harness_run r;

	(void)state;
	usage("--ttl is required", "--pps", "5000", NULL, NULL, NULL);
	usage("--pps or --bps is required", "--ttl", "1m", NULL, NULL, NULL);
	usage("--pps: invalid value '0'", "--pps", "0", "--ttl", "1m", NULL);
	usage("--port needs --proto", "--pps=5", "--port", "53", "--ttl", "1m");
	usage("--action: invalid value 'allow'", "--action", "allow", "--pps", "5", NULL);
	usage("--action limit needs its budget", "--pps=5", "--action", "limit", "--ttl", "1m");
	usage("--prefix-len: invalid value '33'", "--prefix-len", "33", NULL, NULL, NULL);
	ans.id = 7;
	fake_rpc_set(h, 1);
	RUN(&r, "-H", "unix:/a", "mitigate", "add", "--pps", "5000", "--action", "limit", "--pps", "100",
	    "--proto", "udp", "--port", "53", "--prefix-len", "24", "--for", "3s", "--ttl", "5m");
	assert_int_equal(r.status, 0);
	harness_check_contains(r.out, "trigger 7 added");
	assert_string_equal(fake_rpc_last.method, "AddTrigger");
	t = ((const Xdpfleet__V1__AddTriggerRequest *)fake_rpc_last.req)->trigger;
	assert_int_equal(t->pps, 5000);
	assert_int_equal(t->limit_pps, 100);
	assert_int_equal(t->action, XDPFLEET__V1__RULE_ACTION__RULE_ACTION_LIMIT);
	assert_int_equal(t->proto, XDPFLEET__V1__PROTOCOL__PROTOCOL_UDP);
	assert_int_equal(t->port, 53);
	assert_int_equal(t->prefix_len_v4, 24);
	assert_int_equal(t->for_seconds, 3);
	assert_int_equal(t->ttl_seconds, 300);
	harness_free(&r);
}

static void test_top_fleet_json(void **state)
{
	Xdpfleet__V1__TopSource s[3];
	Xdpfleet__V1__TopSource *l1[] = { &s[0], &s[1] }, *l2[] = { &s[2] };
	Xdpfleet__V1__InterfaceTop i1 = XDPFLEET__V1__INTERFACE_TOP__INIT, i2 = XDPFLEET__V1__INTERFACE_TOP__INIT;
	Xdpfleet__V1__InterfaceTop *h1[] = { &i1 }, *h2[] = { &i2 };
	Xdpfleet__V1__WatchTopResponse r1 = XDPFLEET__V1__WATCH_TOP_RESPONSE__INIT,
				       r2 = XDPFLEET__V1__WATCH_TOP_RESPONSE__INIT;
	const ProtobufCMessage *m1[] = { &r1.base }, *m2[] = { &r2.base };
	struct fake_host h[2] = { { .stream = m1, .n_stream = 1 }, { .stream = m2, .n_stream = 1 } };
	const Xdpfleet__V1__WatchTopRequest *req;
	struct harness_run r;
	const char *fleet;

	(void)state;
	for (int i = 0; i < 3; i++)
		xdpfleet__v1__top_source__init(&s[i]);
	s[0].src = "198.18.0.1/32", s[0].pps = 100;
	s[1].src = "198.18.0.2/32", s[1].pps = 300;
	s[2].src = "198.18.0.1/32", s[2].pps = 250;
	i1.ifname = "xf0", i1.sources = l1, i1.n_sources = 2;
	i2.ifname = "xf0", i2.sources = l2, i2.n_sources = 1;
	r1.interfaces = h1, r1.n_interfaces = 1;
	r2.interfaces = h2, r2.n_interfaces = 1;
	fake_rpc_set(h, 2);
	RUN(&r, "-H", "unix:/a,unix:/b", "top", "-o", "json", "--count", "1", "-n", "5", "--interval", "2s");
	assert_int_equal(r.status, 0);
	assert_string_equal(fake_rpc_last.method, "WatchTop");
	req = (const Xdpfleet__V1__WatchTopRequest *)fake_rpc_last.req;
	assert_int_equal(req->interval_ms, 2000);
	assert_int_equal(req->count, 1);
	assert_int_equal(req->limit, 1000); /* the fleet view needs every host's sources */
	fleet = strstr(r.out, "\"fleet\":");
	assert_non_null(fleet);
	/* 198.18.0.1 on both hosts: 350 pps, heaviest first. */
	harness_check_contains(fleet, "[{\"src\":\"198.18.0.1/32\",\"pps\":350");
	harness_check_contains(fleet, "\"hosts\":2}");
	harness_check_contains(r.out, "\"host\":\"unix:/b\"");
	harness_free(&r);
	/* --no-headers: a line per host, interface and source. */
	fake_rpc_set(h, 2);
	RUN(&r, "-H", "unix:/a,unix:/b", "top", "--no-headers", "--count", "1");
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "unix:/a xf0 198.18.0.1/32 100 0 0 0 0\nunix:/a xf0 198.18.0.2/32 300 0 0 0 0\n"
				   "unix:/b xf0 198.18.0.1/32 250 0 0 0 0\n");
	harness_free(&r);
	/* Usage errors send nothing. */
	fake_rpc_set(h, 2);
	RUN(&r, "-H", "unix:/a", "top", "-n", "0");
	assert_int_equal(r.status, 2);
	harness_check_contains(r.err, "-n: invalid value '0'");
	harness_free(&r);
}

static void test_events_jsonl(void **state)
{
	Xdpfleet__V1__Event e = XDPFLEET__V1__EVENT__INIT;
	Xdpfleet__V1__Event *es[] = { &e };
	Xdpfleet__V1__WatchEventsResponse w = XDPFLEET__V1__WATCH_EVENTS_RESPONSE__INIT;
	const ProtobufCMessage *m[] = { &w.base };
	struct fake_host h[1] = { { .stream = m, .n_stream = 1 } };
	struct harness_run r;

	(void)state;
	e.seq = 4, e.kind = "mitigation_added", e.trigger_id = 1, e.src = "198.18.0.9/32", e.pps = 20000;
	e.rule_id = 12, e.detail = "trigger 1: 20000 pps";
	w.events = es, w.n_events = 1;
	fake_rpc_set(h, 1);
	RUN(&r, "-H", "unix:/a", "events", "-o", "jsonl", "--count", "1");
	assert_int_equal(r.status, 0);
	assert_string_equal(fake_rpc_last.method, "WatchEvents");
	harness_check_contains(r.out, "\"kind\":\"mitigation_added\",\"trigger_id\":1,\"src\":\"198.18.0.9/32\"");
	harness_check_contains(r.out, "\"rule_id\":12");
	harness_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_mitigate_add_args, setup, teardown),
		cmocka_unit_test_setup_teardown(test_top_fleet_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_events_jsonl, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
