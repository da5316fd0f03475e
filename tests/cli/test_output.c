// SPDX-License-Identifier: GPL-2.0-only
/* Table and JSON output of canned answers, failed hosts among them, and the exit status. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "canned.h"
#include "fake_rpc.h"
#include "harness.h"

#define RUN(r, ...) harness_run((r), NULL, __VA_ARGS__, NULL)
#define HOSTS "unix:/a.sock,unix:/dead.sock"

static void test_info(void **state)
{
	struct canned_info a, b;
	struct fake_host hosts[3] = { { 0 }, fake_rpc_dead, { 0 } };
	struct harness_run r;

	(void)state;
	canned_info_init(&a, "web1");
	canned_info_init(&b, "web\"2\n");
	hosts[0].resp = &a.resp.base;
	hosts[2].resp = &b.resp.base;
	fake_rpc_set(hosts, 3);
	RUN(&r, "-H", HOSTS ",unix:/b.sock", "info");
	assert_int_equal(r.status, 1);
	harness_check_contains(r.out, "HOST             HOSTNAME");
	harness_check_contains(r.out, "unix:/a.sock     web1      0.1.0    6.1.0-18-amd64  xdpfleet.v1     "
			      "1h02m        1         3  native,skb,tracepoints\n");
	harness_check_contains(r.out, "unix:/dead.sock  error: UNAVAILABLE: failed to connect to all "
			      "addresses\n");
	/* A control character from an agent must not reach the terminal. */
	harness_check_contains(r.out, "unix:/b.sock     web\"2?    0.1.0");
	harness_check_contains(r.err, "xdpfleet: 1 of 3 hosts failed:\n  unix:/dead.sock: UNAVAILABLE: "
			      "failed to connect to all addresses\n");
	harness_free(&r);

	RUN(&r, "-H", HOSTS ",unix:/b.sock", "-o", "json", "info");
	assert_int_equal(r.status, 1);
	assert_string_equal(
		r.out,
		"[{\"host\":\"unix:/a.sock\",\"ok\":true,\"version\":\"0.1.0\",\"hostname\":\"web1\","
		"\"kernel\":\"6.1.0-18-amd64\",\"api_version\":\"xdpfleet.v1\",\"uptime_seconds\":3725,"
		"\"attachments\":1,\"rules\":3,\"rules_enforced\":false,\"warnings\":[],"
		"\"features\":{\"native_xdp\":true,\"skb_xdp\":true,"
		"\"bpf_link\":false,\"dispatcher\":false,\"tracepoints\":true,\"map_batch_ops\":false}},"
		"{\"host\":\"unix:/dead.sock\",\"ok\":false,\"code\":\"UNAVAILABLE\",\"error\":"
		"\"UNAVAILABLE: failed to connect to all addresses\"},"
		"{\"host\":\"unix:/b.sock\",\"ok\":true,\"version\":\"0.1.0\",\"hostname\":\"web\\\"2\\n\","
		"\"kernel\":\"6.1.0-18-amd64\",\"api_version\":\"xdpfleet.v1\",\"uptime_seconds\":3725,"
		"\"attachments\":1,\"rules\":3,\"rules_enforced\":false,\"warnings\":[],"
		"\"features\":{\"native_xdp\":true,\"skb_xdp\":true,"
		"\"bpf_link\":false,\"dispatcher\":false,\"tracepoints\":true,\"map_batch_ops\":false}}]\n");
	harness_free(&r);
}

static void test_all_ok_exit_0(void **state)
{
	struct canned_info a;
	struct fake_host hosts[1] = { { 0 } };
	struct harness_run r;

	(void)state;
	canned_info_init(&a, "web1");
	hosts[0].resp = &a.resp.base;
	fake_rpc_set(hosts, 1);
	RUN(&r, "-H", "unix:/a.sock", "info");
	assert_int_equal(r.status, 0);
	assert_string_equal(r.err, "");
	harness_free(&r);
}

static void test_status(void **state)
{
	Xdpfleet__V1__ListAttachmentsResponse empty = XDPFLEET__V1__LIST_ATTACHMENTS_RESPONSE__INIT;
	struct canned_attachments c;
	struct fake_host hosts[3] = { { 0 }, fake_rpc_dead, { 0 } };
	struct harness_run r;

	(void)state;
	canned_attachments_init(&c);
	hosts[0].resp = &c.resp.base;
	hosts[2].resp = &empty.base;
	fake_rpc_set(hosts, 3);
	RUN(&r, "-H", HOSTS ",unix:/c.sock", "status");
	assert_int_equal(r.status, 1);
	harness_check_contains(r.out, "HOST             IFACE            IFINDEX  MODE    PROG_ID  PROGRAM  "
			      "           ATTACHED              STATE\n");
	harness_check_contains(r.out, "unix:/a.sock     eth0                   2  native       42  filter  "
			      "            2023-11-14T22:13:20Z  ok (rules enforced)\n");
	harness_check_contains(r.out, "unix:/a.sock     veth1                  9  skb           7  "
			      "objs/c.o:xdp_count  -                     lost\n"
			      "                   2023-11-14T22:15:00Z: program 7 was removed behind the agent's "
			      "back; left so (--no-reattach)\n");
	harness_check_contains(r.out, "warning: unix:/a.sock: veth1: lost: program 7 was removed behind the "
			      "agent's back; left so (--no-reattach)\n");
	harness_check_contains(r.out, "unix:/dead.sock  error: UNAVAILABLE");
	harness_check_contains(r.out, "unix:/c.sock     (no attachments)\n");
	harness_free(&r);

	RUN(&r, "-H", HOSTS ",unix:/c.sock", "-o", "json", "status");
	assert_string_equal(
		r.out,
		"[{\"host\":\"unix:/a.sock\",\"ok\":true,\"attachments\":["
		"{\"ifname\":\"eth0\",\"ifindex\":2,\"program\":\"filter\",\"mode\":\"native\","
		"\"prog_id\":42,\"attached_at_unix\":1700000000,\"has_stats\":true,\"state\":\"ok\",\"enforces_rules\":true,\"last_event\":\"\",\"last_event_unix\":0},"
		"{\"ifname\":\"veth1\",\"ifindex\":9,\"program\":\"objs/c.o:xdp_count\",\"mode\":\"skb\","
		"\"prog_id\":7,\"attached_at_unix\":0,\"has_stats\":false,\"state\":\"lost\",\"enforces_rules\":false,\"last_event\":\"program 7 was removed behind the agent's back; left so (--no-reattach)\",\"last_event_unix\":1700000100}],"
		"\"rules\":3,\"warnings\":[\"veth1: lost: program 7 was removed behind the agent's back; "
		"left so (--no-reattach)\"]},"
		"{\"host\":\"unix:/dead.sock\",\"ok\":false,\"code\":\"UNAVAILABLE\",\"error\":"
		"\"UNAVAILABLE: failed to connect to all addresses\"},"
		"{\"host\":\"unix:/c.sock\",\"ok\":true,\"attachments\":[],\"rules\":0,\"warnings\":[]}]\n");
	harness_free(&r);
}

static void test_attach_detach(void **state)
{
	Xdpfleet__V1__AttachResponse ar = XDPFLEET__V1__ATTACH_RESPONSE__INIT;
	Xdpfleet__V1__DetachResponse dr = XDPFLEET__V1__DETACH_RESPONSE__INIT;
	struct canned_attachments c;
	struct fake_host hosts[2] = { { 0 }, { 0 } };
	struct fake_host refused[1] = { {
		.fail = true,
		.code = GRPC_STATUS_FAILED_PRECONDITION,
		.message = "eth0 has program xdp_foo (id 99) not attached by this agent; use --force",
	} };
	struct harness_run r;

	(void)state;
	canned_attachments_init(&c);
	ar.attachment = &c.att[0];
	ar.replaced = "pass (id 41)";
	hosts[0].resp = &ar.base;
	dr.detached = &c.att[1];
	hosts[1].resp = &ar.base;
	fake_rpc_set(hosts, 2);
	RUN(&r, "-H", "unix:/a.sock,unix:/b.sock", "attach", "eth0");
	assert_int_equal(r.status, 0);
	harness_check_contains(r.out, "PROGRAM  REPLACED\n");
	harness_check_contains(r.out, "unix:/b.sock  eth0                   2  native       42  filter   "
			      "pass (id 41)\n");
	harness_free(&r);
	RUN(&r, "-H", "unix:/a.sock", "-o", "json", "attach", "eth0");
	assert_string_equal(r.out,
			    "[{\"host\":\"unix:/a.sock\",\"ok\":true,\"attachment\":{\"ifname\":\"eth0\","
			    "\"ifindex\":2,\"program\":\"filter\",\"mode\":\"native\",\"prog_id\":42,"
			    "\"attached_at_unix\":1700000000,\"has_stats\":true,\"state\":\"ok\",\"enforces_rules\":true,\"last_event\":\"\",\"last_event_unix\":0},"
			    "\"replaced\":\"pass (id 41)\"}]\n");
	harness_free(&r);

	hosts[0].resp = &dr.base;
	fake_rpc_set(hosts, 1);
	RUN(&r, "-H", "unix:/a.sock", "detach", "veth1");
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "HOST          IFACE            IFINDEX  MODE    PROG_ID  PROGRAM\n"
				   "unix:/a.sock  veth1                  9  skb           7  "
				   "objs/c.o:xdp_count\n");
	harness_free(&r);
	RUN(&r, "-H", "unix:/a.sock", "-o", "json", "detach", "veth1");
	assert_string_equal(r.out,
			    "[{\"host\":\"unix:/a.sock\",\"ok\":true,\"detached\":{\"ifname\":\"veth1\","
			    "\"ifindex\":9,\"program\":\"objs/c.o:xdp_count\",\"mode\":\"skb\","
			    "\"prog_id\":7,\"attached_at_unix\":0,\"has_stats\":false,\"state\":\"lost\",\"enforces_rules\":false,\"last_event\":\"program 7 was removed behind the agent's back; left so (--no-reattach)\",\"last_event_unix\":1700000100}}]\n");
	harness_free(&r);

	fake_rpc_set(refused, 1);
	RUN(&r, "-H", "unix:/a.sock", "attach", "eth0");
	assert_int_equal(r.status, 1);
	harness_check_contains(r.out, "error: FAILED_PRECONDITION: eth0 has program xdp_foo (id 99)");
	harness_check_contains(r.err, "1 of 1 hosts failed");
	harness_free(&r);
}

static void test_stats(void **state)
{
	Xdpfleet__V1__GetStatsResponse empty = XDPFLEET__V1__GET_STATS_RESPONSE__INIT;
	struct canned_stats s;
	struct fake_host hosts[3] = { { 0 }, fake_rpc_dead, { 0 } };
	struct harness_run r;

	(void)state;
	canned_stats_init(&s, 1000000);
	s.act[2].pps = 123456.7;
	s.act[2].bps = 987654321.0;
	hosts[0].resp = &s.resp.base;
	hosts[2].resp = &empty.base;
	fake_rpc_set(hosts, 3);
	RUN(&r, "-H", HOSTS ",unix:/c.sock", "stats");
	assert_int_equal(r.status, 1);
	assert_string_equal(
		r.out,
		"unix:/a.sock  eth0 (ifindex 2)  program filter  mode native\n"
		"  ACTION               PACKETS           PPS             BYTES      MBIT/S   PERIOD  "
		"EXCEPTIONS\n"
		"  XDP_ABORTED          1000000             0         100000000       0.000    1.000  "
		"   1000000\n"
		"  XDP_DROP             1000001            10         100000100       0.008    1.000  "
		"         0\n"
		"  XDP_PASS             1000002        123457         100000200     987.654    1.000  "
		"         0\n"
		"  XDP_TX               1000003            30         100000300       0.024    1.000  "
		"         0\n"
		"  XDP_REDIRECT         1000004            40         100000400       0.032    1.000  "
		"         0\n"
		"\n"
		"unix:/dead.sock  error: UNAVAILABLE: failed to connect to all addresses\n"
		"\n"
		"unix:/c.sock  (no attachments)\n");
	harness_free(&r);

	RUN(&r, "-H", HOSTS ",unix:/c.sock", "-o", "json", "stats", "eth0");
	assert_string_equal(
		r.out,
		"[{\"host\":\"unix:/a.sock\",\"ok\":true,\"interfaces\":[{\"ifname\":\"eth0\","
		"\"ifindex\":2,\"program\":\"filter\",\"mode\":\"native\",\"period\":1,"
		"\"timestamp_ns\":1001000,\"timestamp_unix_ns\":1764151000123000000,\"actions\":["
		"{\"action\":\"XDP_ABORTED\",\"packets\":1000000,\"bytes\":100000000,\"pps\":0,\"bps\":0},"
		"{\"action\":\"XDP_DROP\",\"packets\":1000001,\"bytes\":100000100,\"pps\":10,\"bps\":8000},"
		"{\"action\":\"XDP_PASS\",\"packets\":1000002,\"bytes\":100000200,\"pps\":123456.7,"
		"\"bps\":987654321},"
		"{\"action\":\"XDP_TX\",\"packets\":1000003,\"bytes\":100000300,\"pps\":30,\"bps\":24000},"
		"{\"action\":\"XDP_REDIRECT\",\"packets\":1000004,\"bytes\":100000400,\"pps\":40,"
		"\"bps\":32000}],"
		"\"exceptions\":[{\"action\":\"XDP_ABORTED\",\"count\":1000000},"
		"{\"action\":\"XDP_DROP\",\"count\":0},{\"action\":\"XDP_PASS\",\"count\":0},"
		"{\"action\":\"XDP_TX\",\"count\":0},{\"action\":\"XDP_REDIRECT\",\"count\":0}]}]},"
		"{\"host\":\"unix:/dead.sock\",\"ok\":false,\"code\":\"UNAVAILABLE\",\"error\":"
		"\"UNAVAILABLE: failed to connect to all addresses\"},"
		"{\"host\":\"unix:/c.sock\",\"ok\":true,\"interfaces\":[]}]\n");
	harness_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_info, fake_rpc_setup,
						fake_rpc_teardown),
		cmocka_unit_test_setup_teardown(test_all_ok_exit_0, fake_rpc_setup,
						fake_rpc_teardown),
		cmocka_unit_test_setup_teardown(test_status, fake_rpc_setup,
						fake_rpc_teardown),
		cmocka_unit_test_setup_teardown(test_attach_detach, fake_rpc_setup,
						fake_rpc_teardown),
		cmocka_unit_test_setup_teardown(test_stats, fake_rpc_setup,
						fake_rpc_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
