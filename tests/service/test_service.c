// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of the service layer in process: a real agent (data plane and rules) in a private
 * namespace with a veth pair, called through rpc_invoke() with valid and invalid requests for
 * every method. Invalid ones must be refused naming the field and change nothing. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "agent.h"
#include "api_limits.h"
#include "metrics.h"
#include "netns_fixture.h"
#include "xdpfleet/v1/agent.pb-c.h"

struct fixture {
	struct netns_fixture fx;
	struct agent *agent;
	struct rpc_service svc;
	char progdir[PATH_MAX];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct agent_opts o = { 0 };
	char err[RPC_ERR_MAX] = "";

	if (netns_fixture_setup(&f->fx))
		fail_msg("netns fixture");
	snprintf(f->progdir, sizeof(f->progdir), "%s/programs", f->fx.tmp);
	netns_fixture_sh("mkdir -p '%s'", f->progdir);
	o.bpffs = f->fx.bpffs;
	o.state_dir = f->fx.state_dir;
	o.program_dir = f->progdir;
	o.max_rules = 4096;
	if (cidr_parse("198.18.0.0/30", NULL, &o.lockout.protect[0], NULL))
		fail_msg("cidr");
	o.lockout.n_protect = 1;
	if (agent_open(&f->agent, &o, err, sizeof(err)))
		fail_msg("agent_open: %s", err);
	agent_rpc_service(f->agent, &f->svc);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	agent_close(f->agent);
	netns_fixture_teardown(&f->fx);
	free(f);
	return 0;
}

/* Calls method with msg (packed); the peer is a TCP client at 192.0.2.77. */
static void call(struct fixture *f, const char *method, const ProtobufCMessage *msg, struct rpc_invoke_result *r)
{
	struct rpc_invoke_opts o = { .peer = "ipv4:192.0.2.77:40000", .role = RPC_ROLE_ADMIN, .max_messages = 50 };
	size_t len = protobuf_c_message_get_packed_size(msg);
	uint8_t *buf = malloc(len + 1);

	protobuf_c_message_pack(msg, buf);
	assert_int_equal(rpc_invoke(&f->svc, method, buf, len, &o, r), 0);
	free(buf);
}

/* The call must fail with code and a message containing want; frees the result. */
static void expect_fail(struct fixture *f, const char *method, const ProtobufCMessage *msg, grpc_status_code code,
			const char *want)
{
	struct rpc_invoke_result r;

	call(f, method, msg, &r);
	if (r.status.code != code || !strstr(r.status.message, want))
		fail_msg("%s: wanted %s with \"%s\", got %s: %s", method, rpc_status_name(code), want,
			 rpc_status_name(r.status.code), r.status.message);
	rpc_invoke_result_free(&r);
}

static ProtobufCMessage *expect_ok(struct fixture *f, const char *method, const ProtobufCMessage *msg,
				   struct rpc_invoke_result *r)
{
	call(f, method, msg, r);
	if (r->status.code != GRPC_STATUS_OK)
		fail_msg("%s: %s: %s", method, rpc_status_name(r->status.code), r->status.message);
	return r->n_msgs ? r->msgs[0] : NULL;
}

static size_t rule_count(struct fixture *f)
{
	Xdpfleet__V1__GetInfoRequest req = XDPFLEET__V1__GET_INFO_REQUEST__INIT;
	struct rpc_invoke_result r;
	size_t n;

	n = ((Xdpfleet__V1__GetInfoResponse *)expect_ok(f, "GetInfo", &req.base, &r))->rules;
	rpc_invoke_result_free(&r);
	return n;
}

static size_t attachment_count(struct fixture *f)
{
	Xdpfleet__V1__ListAttachmentsRequest req = XDPFLEET__V1__LIST_ATTACHMENTS_REQUEST__INIT;
	struct rpc_invoke_result r;
	size_t n;

	n = ((Xdpfleet__V1__ListAttachmentsResponse *)expect_ok(f, "ListAttachments", &req.base, &r))->n_attachments;
	rpc_invoke_result_free(&r);
	return n;
}

static void test_get_info(void **state)
{
	struct fixture *f = *state;
	Xdpfleet__V1__GetInfoRequest req = XDPFLEET__V1__GET_INFO_REQUEST__INIT;
	Xdpfleet__V1__GetInfoResponse *info;
	struct rpc_invoke_result r;

	info = (Xdpfleet__V1__GetInfoResponse *)expect_ok(f, "GetInfo", &req.base, &r);
	assert_string_equal(info->api_version, "xdpfleet.v1");
	assert_true(info->version[0] && info->kernel[0]);
	assert_non_null(info->features);
	assert_true(info->features->native_xdp);
	assert_int_equal(info->attachments, 0);
	rpc_invoke_result_free(&r);
}

/* Garbage and unknown methods, for every method of the service. */
static void test_garbage_everywhere(void **state)
{
	static const uint8_t garbage[] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f };
	struct fixture *f = *state;
	const ProtobufCServiceDescriptor *d = &xdpfleet__v1__agent__descriptor;
	struct rpc_invoke_result r;

	for (unsigned int i = 0; i < d->n_methods; i++) {
		assert_int_equal(rpc_invoke(&f->svc, d->methods[i].name, garbage, sizeof(garbage), NULL, &r), 0);
		assert_int_equal(r.status.code, GRPC_STATUS_INVALID_ARGUMENT);
		rpc_invoke_result_free(&r);
	}
	assert_int_equal(rpc_invoke(&f->svc, "Nope", "", 0, NULL, &r), 0);
	assert_int_equal(r.status.code, GRPC_STATUS_UNIMPLEMENTED);
	rpc_invoke_result_free(&r);
}

static size_t trigger_count(struct fixture *f)
{
	Xdpfleet__V1__ListTriggersRequest req = XDPFLEET__V1__LIST_TRIGGERS_REQUEST__INIT;
	struct rpc_invoke_result r;
	size_t n;

	n = ((Xdpfleet__V1__ListTriggersResponse *)expect_ok(f, "ListTriggers", &req.base, &r))->n_triggers;
	rpc_invoke_result_free(&r);
	return n;
}

/* AddTrigger, DeleteTriggers and WatchTop refuse bad fields by name and change nothing. */
static void test_triggers_bad_input(void **state)
{
	struct fixture *f = *state;
	Xdpfleet__V1__AddTriggerRequest add = XDPFLEET__V1__ADD_TRIGGER_REQUEST__INIT;
	Xdpfleet__V1__Trigger t = XDPFLEET__V1__TRIGGER__INIT;
	Xdpfleet__V1__DeleteTriggersRequest del = XDPFLEET__V1__DELETE_TRIGGERS_REQUEST__INIT;
	Xdpfleet__V1__WatchTopRequest top = XDPFLEET__V1__WATCH_TOP_REQUEST__INIT;
	Xdpfleet__V1__AddTriggerResponse *ar;
	struct rpc_invoke_result r;
	uint64_t ids[1] = { 77 };

	expect_fail(f, "AddTrigger", &add.base, GRPC_STATUS_INVALID_ARGUMENT, "trigger: missing");
	add.trigger = &t;
	t.ttl_seconds = 60;
	expect_fail(f, "AddTrigger", &add.base, GRPC_STATUS_INVALID_ARGUMENT, "trigger.pps");
	t.pps = 5000;
	t.ttl_seconds = 0;
	expect_fail(f, "AddTrigger", &add.base, GRPC_STATUS_INVALID_ARGUMENT, "trigger.ttl_seconds");
	t.ttl_seconds = 60;
	t.proto = 42;
	expect_fail(f, "AddTrigger", &add.base, GRPC_STATUS_INVALID_ARGUMENT, "trigger.proto");
	t.proto = 0;
	t.port = 53;
	expect_fail(f, "AddTrigger", &add.base, GRPC_STATUS_INVALID_ARGUMENT, "trigger.port");
	t.port = 70000;
	t.proto = XDPFLEET__V1__PROTOCOL__PROTOCOL_UDP;
	expect_fail(f, "AddTrigger", &add.base, GRPC_STATUS_INVALID_ARGUMENT, "trigger.port");
	t.port = 0;
	t.prefix_len_v4 = 33;
	expect_fail(f, "AddTrigger", &add.base, GRPC_STATUS_INVALID_ARGUMENT, "trigger.prefix_len_v4");
	t.prefix_len_v4 = 24;
	t.prefix_len_v6 = 129;
	expect_fail(f, "AddTrigger", &add.base, GRPC_STATUS_INVALID_ARGUMENT, "trigger.prefix_len_v6");
	t.prefix_len_v6 = 0;
	t.action = XDPFLEET__V1__RULE_ACTION__RULE_ACTION_ALLOW;
	expect_fail(f, "AddTrigger", &add.base, GRPC_STATUS_INVALID_ARGUMENT, "trigger.action");
	t.action = 99;
	expect_fail(f, "AddTrigger", &add.base, GRPC_STATUS_INVALID_ARGUMENT, "trigger.action");
	t.action = XDPFLEET__V1__RULE_ACTION__RULE_ACTION_LIMIT;
	expect_fail(f, "AddTrigger", &add.base, GRPC_STATUS_INVALID_ARGUMENT, "trigger.limit_pps");
	t.action = XDPFLEET__V1__RULE_ACTION__RULE_ACTION_DROP;
	t.limit_pps = 10;
	expect_fail(f, "AddTrigger", &add.base, GRPC_STATUS_INVALID_ARGUMENT, "trigger.limit_pps");
	t.limit_pps = 0;
	t.for_seconds = 3601;
	expect_fail(f, "AddTrigger", &add.base, GRPC_STATUS_INVALID_ARGUMENT, "trigger.for_seconds");
	t.for_seconds = 0;
	t.pps = API_LIMIT_PPS_MAX + 1;
	expect_fail(f, "AddTrigger", &add.base, GRPC_STATUS_INVALID_ARGUMENT, "trigger.pps");
	t.pps = 5000;
	assert_int_equal(trigger_count(f), 0);

	ar = (Xdpfleet__V1__AddTriggerResponse *)expect_ok(f, "AddTrigger", &add.base, &r);
	assert_true(ar->id > 0);
	rpc_invoke_result_free(&r);
	assert_int_equal(trigger_count(f), 1);

	expect_fail(f, "DeleteTriggers", &del.base, GRPC_STATUS_INVALID_ARGUMENT, "ids");
	del.ids = ids;
	del.n_ids = 1;
	expect_fail(f, "DeleteTriggers", &del.base, GRPC_STATUS_NOT_FOUND, "no trigger 77");
	del.all = true;
	expect_fail(f, "DeleteTriggers", &del.base, GRPC_STATUS_INVALID_ARGUMENT, "all");
	assert_int_equal(trigger_count(f), 1);
	del.n_ids = 0;
	expect_ok(f, "DeleteTriggers", &del.base, &r);
	rpc_invoke_result_free(&r);
	assert_int_equal(trigger_count(f), 0);

	top.interval_ms = 5;
	expect_fail(f, "WatchTop", &top.base, GRPC_STATUS_INVALID_ARGUMENT, "interval_ms");
	top.interval_ms = 0;
	top.limit = 1001;
	expect_fail(f, "WatchTop", &top.base, GRPC_STATUS_INVALID_ARGUMENT, "limit");
	top.limit = 0;
	top.ifname = "../x";
	expect_fail(f, "WatchTop", &top.base, GRPC_STATUS_INVALID_ARGUMENT, "ifname");
	top.ifname = "nope0";
	top.count = 1;
	expect_fail(f, "WatchTop", &top.base, GRPC_STATUS_NOT_FOUND, "nope0");
}

static void test_attach_detach(void **state)
{
	struct fixture *f = *state;
	Xdpfleet__V1__AttachRequest att = XDPFLEET__V1__ATTACH_REQUEST__INIT;
	Xdpfleet__V1__ObjectProgram obj = XDPFLEET__V1__OBJECT_PROGRAM__INIT;
	Xdpfleet__V1__DetachRequest det = XDPFLEET__V1__DETACH_REQUEST__INIT;
	Xdpfleet__V1__AttachResponse *ar;
	Xdpfleet__V1__DetachResponse *dr;
	struct rpc_invoke_result r;

	att.ifname = "";
	att.program_case = XDPFLEET__V1__ATTACH_REQUEST__PROGRAM_BUILTIN;
	att.builtin = XDPFLEET__V1__BUILTIN_PROGRAM__BUILTIN_PROGRAM_FILTER;
	expect_fail(f, "Attach", &att.base, GRPC_STATUS_INVALID_ARGUMENT, "ifname");
	att.ifname = "nope0";
	expect_fail(f, "Attach", &att.base, GRPC_STATUS_NOT_FOUND, "nope0");
	att.ifname = "an-interface-name-far-too-long";
	expect_fail(f, "Attach", &att.base, GRPC_STATUS_INVALID_ARGUMENT, "longer than 15");
	att.ifname = "../veth0";
	expect_fail(f, "Attach", &att.base, GRPC_STATUS_INVALID_ARGUMENT, "not an interface name");
	att.ifname = "veth0";
	att.builtin = 99;
	expect_fail(f, "Attach", &att.base, GRPC_STATUS_INVALID_ARGUMENT, "builtin");
	att.builtin = XDPFLEET__V1__BUILTIN_PROGRAM__BUILTIN_PROGRAM_FILTER;
	att.mode = 42;
	expect_fail(f, "Attach", &att.base, GRPC_STATUS_INVALID_ARGUMENT, "mode");
	att.mode = 0;
	att.program_case = XDPFLEET__V1__ATTACH_REQUEST__PROGRAM__NOT_SET;
	expect_fail(f, "Attach", &att.base, GRPC_STATUS_INVALID_ARGUMENT, "program");
	att.program_case = XDPFLEET__V1__ATTACH_REQUEST__PROGRAM_OBJECT;
	att.object = &obj;
	obj.path = "../../etc/passwd";
	expect_fail(f, "Attach", &att.base, GRPC_STATUS_INVALID_ARGUMENT, "object.path");
	obj.path = "missing.bpf.o";
	expect_fail(f, "Attach", &att.base, GRPC_STATUS_NOT_FOUND, "missing.bpf.o");
	assert_int_equal(attachment_count(f), 0);

	att.program_case = XDPFLEET__V1__ATTACH_REQUEST__PROGRAM_BUILTIN;
	att.builtin = XDPFLEET__V1__BUILTIN_PROGRAM__BUILTIN_PROGRAM_FILTER; /* a union with object */
	ar = (Xdpfleet__V1__AttachResponse *)expect_ok(f, "Attach", &att.base, &r);
	assert_string_equal(ar->attachment->ifname, "veth0");
	assert_string_equal(ar->attachment->program, "filter");
	assert_true(ar->attachment->prog_id > 0);
	assert_true(ar->attachment->has_stats);
	rpc_invoke_result_free(&r);
	assert_int_equal(attachment_count(f), 1);

	det.ifname = "";
	expect_fail(f, "Detach", &det.base, GRPC_STATUS_INVALID_ARGUMENT, "ifname: empty");
	det.ifname = "nope0";
	expect_fail(f, "Detach", &det.base, GRPC_STATUS_NOT_FOUND, "nope0");
	det.ifname = "veth1";
	expect_fail(f, "Detach", &det.base, GRPC_STATUS_NOT_FOUND, "veth1");
	det.ifname = "veth0";
	dr = (Xdpfleet__V1__DetachResponse *)expect_ok(f, "Detach", &det.base, &r);
	assert_string_equal(dr->detached->ifname, "veth0");
	rpc_invoke_result_free(&r);
	assert_int_equal(attachment_count(f), 0);
}

static void attach_filter(struct fixture *f)
{
	Xdpfleet__V1__AttachRequest att = XDPFLEET__V1__ATTACH_REQUEST__INIT;
	struct rpc_invoke_result r;

	att.ifname = "veth0";
	att.program_case = XDPFLEET__V1__ATTACH_REQUEST__PROGRAM_BUILTIN;
	att.builtin = XDPFLEET__V1__BUILTIN_PROGRAM__BUILTIN_PROGRAM_FILTER;
	expect_ok(f, "Attach", &att.base, &r);
	rpc_invoke_result_free(&r);
}

static void test_stats(void **state)
{
	struct fixture *f = *state;
	Xdpfleet__V1__GetStatsRequest gs = XDPFLEET__V1__GET_STATS_REQUEST__INIT;
	Xdpfleet__V1__WatchStatsRequest ws = XDPFLEET__V1__WATCH_STATS_REQUEST__INIT;
	Xdpfleet__V1__GetStatsResponse *st;
	struct rpc_invoke_result r;

	attach_filter(f);
	assert_int_equal(netns_fixture_send(&f->fx, 10, 100), 0);
	st = (Xdpfleet__V1__GetStatsResponse *)expect_ok(f, "GetStats", &gs.base, &r);
	assert_int_equal(st->n_interfaces, 1);
	assert_int_equal(st->interfaces[0]->n_actions, 5);
	assert_int_equal(st->interfaces[0]->actions[XDPFLEET__V1__XDP_ACTION__XDP_PASS]->packets, 10);
	assert_int_equal(st->interfaces[0]->actions[XDPFLEET__V1__XDP_ACTION__XDP_PASS]->bytes, 1000);
	rpc_invoke_result_free(&r);
	gs.ifname = "veth1";
	expect_fail(f, "GetStats", &gs.base, GRPC_STATUS_NOT_FOUND, "veth1");
	gs.ifname = "x y";
	expect_fail(f, "GetStats", &gs.base, GRPC_STATUS_INVALID_ARGUMENT, "ifname");

	ws.interval_ms = API_WATCH_INTERVAL_MIN_MS - 1;
	expect_fail(f, "WatchStats", &ws.base, GRPC_STATUS_INVALID_ARGUMENT, "interval_ms");
	ws.interval_ms = 100;
	ws.ifname = "veth1";
	expect_fail(f, "WatchStats", &ws.base, GRPC_STATUS_NOT_FOUND, "veth1");
	ws.ifname = "veth0";
	ws.count = 3;
	call(f, "WatchStats", &ws.base, &r);
	assert_int_equal(r.status.code, GRPC_STATUS_OK);
	assert_int_equal(r.n_msgs, 3);
	rpc_invoke_result_free(&r);
}

/* Capture: every bad field is refused naming it, before a session exists (the next valid
 * capture starts, so nothing was left busy); an interface without the filter is refused. */
static void test_capture_requests(void **state)
{
	struct fixture *f = *state;
	Xdpfleet__V1__CaptureRequest cr = XDPFLEET__V1__CAPTURE_REQUEST__INIT;
	struct rpc_invoke_result r;

	cr.ifname = "veth0";
	expect_fail(f, "Capture", &cr.base, GRPC_STATUS_NOT_FOUND, "ifname: 'veth0' has no program");
	attach_filter(f);
	cr.ifname = "";
	expect_fail(f, "Capture", &cr.base, GRPC_STATUS_INVALID_ARGUMENT, "ifname: empty");
	cr.ifname = "veth1";
	expect_fail(f, "Capture", &cr.base, GRPC_STATUS_NOT_FOUND, "ifname: 'veth1'");
	cr.ifname = "veth0";
	cr.verdict = 7;
	expect_fail(f, "Capture", &cr.base, GRPC_STATUS_INVALID_ARGUMENT, "verdict: unknown value 7");
	cr.verdict = XDPFLEET__V1__CAPTURE_VERDICT__CAPTURE_VERDICT_DROP;
	cr.snaplen = API_CAPTURE_SNAPLEN_MAX + 1;
	expect_fail(f, "Capture", &cr.base, GRPC_STATUS_INVALID_ARGUMENT, "snaplen: 4097");
	cr.snaplen = 64;
	cr.sample = API_CAPTURE_SAMPLE_MAX + 1;
	expect_fail(f, "Capture", &cr.base, GRPC_STATUS_INVALID_ARGUMENT, "sample:");
	cr.sample = 10;
	cr.count = API_CAPTURE_COUNT_MAX + 1;
	expect_fail(f, "Capture", &cr.base, GRPC_STATUS_INVALID_ARGUMENT, "count:");
	cr.count = 5;
	cr.max_pps = API_CAPTURE_PPS_MAX + 1;
	expect_fail(f, "Capture", &cr.base, GRPC_STATUS_INVALID_ARGUMENT, "max_pps:");
	cr.max_pps = 100;
	cr.rule_id = 424242;
	expect_fail(f, "Capture", &cr.base, GRPC_STATUS_NOT_FOUND, "rule_id: no rule 424242");
	cr.rule_id = 0;
	/* Valid twice in a row: in process a stream ends at its first wait, and its session with it. */
	for (int i = 0; i < 2; i++) {
		call(f, "Capture", &cr.base, &r);
		assert_int_equal(r.status.code, GRPC_STATUS_OK);
		rpc_invoke_result_free(&r);
	}
}

static Xdpfleet__V1__Rule *make_rule(Xdpfleet__V1__Rule *r, Xdpfleet__V1__RuleMatch *m, int action, const char *src)
{
	xdpfleet__v1__rule__init(r);
	xdpfleet__v1__rule_match__init(m);
	r->action = action;
	r->match = m;
	m->src = (char *)src;
	return r;
}

static void test_add_rules_refusals(void **state)
{
	struct fixture *f = *state;
	Xdpfleet__V1__AddRulesRequest add = XDPFLEET__V1__ADD_RULES_REQUEST__INIT;
	Xdpfleet__V1__Rule r[2];
	Xdpfleet__V1__RuleMatch m[2];
	Xdpfleet__V1__Rule *rules[2] = { make_rule(&r[0], &m[0], 1, "203.0.113.0/24"),
					 make_rule(&r[1], &m[1], 1, "198.51.100.0/24") };
	char long_comment[API_COMMENT_MAX + 2];

	add.rules = rules;
	add.n_rules = 2;
	m[1].src = "198.51.100.1/24";
	expect_fail(f, "AddRules", &add.base, GRPC_STATUS_INVALID_ARGUMENT, "rules[1].match.src");
	m[1].src = "198.51.100.0/24";
	m[1].port_min = 80;
	expect_fail(f, "AddRules", &add.base, GRPC_STATUS_INVALID_ARGUMENT, "rules[1].match.port_min");
	m[1].port_min = 0;
	m[1].proto = 77;
	expect_fail(f, "AddRules", &add.base, GRPC_STATUS_INVALID_ARGUMENT, "rules[1].match.proto");
	m[1].proto = 0;
	r[1].action = 99;
	expect_fail(f, "AddRules", &add.base, GRPC_STATUS_INVALID_ARGUMENT, "rules[1].action");
	r[1].action = XDPFLEET__V1__RULE_ACTION__RULE_ACTION_LIMIT;
	expect_fail(f, "AddRules", &add.base, GRPC_STATUS_INVALID_ARGUMENT, "rules[1].limit_pps");
	r[1].limit_pps = API_LIMIT_PPS_MAX + 1;
	expect_fail(f, "AddRules", &add.base, GRPC_STATUS_INVALID_ARGUMENT, "rules[1].limit_pps");
	r[1].action = 1;
	r[1].limit_pps = 0;
	r[1].ttl_seconds = API_TTL_MAX_SECONDS + 1;
	expect_fail(f, "AddRules", &add.base, GRPC_STATUS_INVALID_ARGUMENT, "rules[1].ttl_seconds");
	r[1].ttl_seconds = 0;
	memset(long_comment, 'x', sizeof(long_comment) - 1);
	long_comment[sizeof(long_comment) - 1] = '\0';
	r[1].comment = long_comment;
	expect_fail(f, "AddRules", &add.base, GRPC_STATUS_INVALID_ARGUMENT, "rules[1].comment");
	r[1].comment = "tab\there";
	expect_fail(f, "AddRules", &add.base, GRPC_STATUS_INVALID_ARGUMENT, "rules[1].comment");
	r[1].comment = "";
	r[1].match = NULL; /* any source, any protocol: the caller's own connection */
	expect_fail(f, "AddRules", &add.base, GRPC_STATUS_FAILED_PRECONDITION, "rules[1]");
	r[1].match = &m[1];
	m[1].src = "198.18.0.1"; /* inside --protect */
	expect_fail(f, "AddRules", &add.base, GRPC_STATUS_FAILED_PRECONDITION, "protect");
	m[1].src = "192.0.2.77"; /* the caller */
	expect_fail(f, "AddRules", &add.base, GRPC_STATUS_FAILED_PRECONDITION, "192.0.2.77");
	assert_int_equal(rule_count(f), 0);

	add.n_rules = API_RULES_PER_REQUEST_MAX + 1;
	add.rules = calloc(add.n_rules, sizeof(*add.rules));
	for (size_t i = 0; i < add.n_rules; i++)
		add.rules[i] = &r[0];
	expect_fail(f, "AddRules", &add.base, GRPC_STATUS_INVALID_ARGUMENT, "at most");
	free(add.rules);
	assert_int_equal(rule_count(f), 0);
}

static void test_rules_lifecycle(void **state)
{
	struct fixture *f = *state;
	Xdpfleet__V1__AddRulesRequest add = XDPFLEET__V1__ADD_RULES_REQUEST__INIT;
	Xdpfleet__V1__DeleteRulesRequest del = XDPFLEET__V1__DELETE_RULES_REQUEST__INIT;
	Xdpfleet__V1__ListRulesRequest list = XDPFLEET__V1__LIST_RULES_REQUEST__INIT;
	Xdpfleet__V1__FlushRulesRequest flush = XDPFLEET__V1__FLUSH_RULES_REQUEST__INIT;
	Xdpfleet__V1__Rule r[3];
	Xdpfleet__V1__RuleMatch m[3], bad = XDPFLEET__V1__RULE_MATCH__INIT, *matches[1];
	Xdpfleet__V1__Rule *rules[3] = { make_rule(&r[0], &m[0], 1, "203.0.113.0/24"),
					 make_rule(&r[1], &m[1], 4, "2001:db8:5::/48"),
					 make_rule(&r[2], &m[2], 3, "198.51.100.7") };
	Xdpfleet__V1__AddRulesResponse *added;
	Xdpfleet__V1__ListRulesResponse *page;
	struct rpc_invoke_result res;
	uint64_t ids[3], unknown[1] = { 999 };

	r[0].comment = "flood";
	r[1].ttl_seconds = 600;
	r[2].limit_pps = 50;
	m[2].proto = XDPFLEET__V1__PROTOCOL__PROTOCOL_UDP;
	m[2].port_min = 53;
	add.rules = rules;
	add.n_rules = 3;
	added = (Xdpfleet__V1__AddRulesResponse *)expect_ok(f, "AddRules", &add.base, &res);
	assert_int_equal(added->added, 3);
	assert_int_equal(added->n_ids, 3);
	memcpy(ids, added->ids, sizeof(ids));
	rpc_invoke_result_free(&res);
	added = (Xdpfleet__V1__AddRulesResponse *)expect_ok(f, "AddRules", &add.base, &res);
	assert_int_equal(added->added, 0);
	assert_int_equal(added->updated, 1); /* its TTL restarted */
	assert_int_equal(added->duplicates, 2);
	rpc_invoke_result_free(&res);

	list.page_size = API_LIST_PAGE_MAX + 1;
	expect_fail(f, "ListRules", &list.base, GRPC_STATUS_INVALID_ARGUMENT, "page_size");
	list.page_size = 2;
	list.action = 99;
	expect_fail(f, "ListRules", &list.base, GRPC_STATUS_INVALID_ARGUMENT, "action");
	list.action = 0;
	list.tag = "bad tag";
	expect_fail(f, "ListRules", &list.base, GRPC_STATUS_INVALID_ARGUMENT, "tag");
	list.tag = "nobody";
	call(f, "ListRules", &list.base, &res);
	assert_int_equal(res.status.code, GRPC_STATUS_OK);
	for (size_t i = 0; i < res.n_msgs; i++)
		assert_int_equal(((Xdpfleet__V1__ListRulesResponse *)res.msgs[i])->n_rules, 0);
	rpc_invoke_result_free(&res);
	list.tag = "";
	call(f, "ListRules", &list.base, &res);
	assert_int_equal(res.status.code, GRPC_STATUS_OK);
	assert_int_equal(res.n_msgs, 2); /* pages of 2 and 1 */
	page = (Xdpfleet__V1__ListRulesResponse *)res.msgs[0];
	assert_int_equal(page->n_rules, 2);
	assert_string_equal(page->rules[0]->comment, "flood");
	assert_int_equal(page->rules[0]->expires_in_ms, -1);
	assert_true(page->rules[1]->expires_in_ms > 590000 && page->rules[1]->expires_in_ms <= 601000);
	rpc_invoke_result_free(&res);

	del.ids = unknown;
	del.n_ids = 1;
	expect_fail(f, "DeleteRules", &del.base, GRPC_STATUS_NOT_FOUND, "ids[0]");
	del.n_ids = 0;
	bad.src = "300.1.1.1";
	matches[0] = &bad;
	del.matches = matches;
	del.n_matches = 1;
	expect_fail(f, "DeleteRules", &del.base, GRPC_STATUS_INVALID_ARGUMENT, "matches[0].src");
	bad.src = "192.0.2.0/24";
	expect_fail(f, "DeleteRules", &del.base, GRPC_STATUS_NOT_FOUND, "matches[0]");
	assert_int_equal(rule_count(f), 3);
	del.n_matches = 0;
	del.ids = ids;
	del.n_ids = 1;
	expect_ok(f, "DeleteRules", &del.base, &res);
	assert_int_equal(((Xdpfleet__V1__DeleteRulesResponse *)res.msgs[0])->deleted, 1);
	rpc_invoke_result_free(&res);
	assert_int_equal(rule_count(f), 2);

	flush.action = 99;
	expect_fail(f, "FlushRules", &flush.base, GRPC_STATUS_INVALID_ARGUMENT, "action");
	flush.action = XDPFLEET__V1__RULE_ACTION__RULE_ACTION_MONITOR;
	expect_ok(f, "FlushRules", &flush.base, &res);
	assert_int_equal(((Xdpfleet__V1__FlushRulesResponse *)res.msgs[0])->deleted, 1);
	rpc_invoke_result_free(&res);
	flush.action = 0;
	expect_ok(f, "FlushRules", &flush.base, &res);
	assert_int_equal(((Xdpfleet__V1__FlushRulesResponse *)res.msgs[0])->deleted, 1);
	rpc_invoke_result_free(&res);
	assert_int_equal(rule_count(f), 0);
}

static Xdpfleet__V1__SyncRulesResponse *sync_tag(struct fixture *f, const char *tag, Xdpfleet__V1__Rule **rules,
						size_t n, struct rpc_invoke_result *res)
{
	Xdpfleet__V1__SyncRulesRequest req = XDPFLEET__V1__SYNC_RULES_REQUEST__INIT;

	req.tag = (char *)tag;
	req.rules = rules;
	req.n_rules = n;
	return (Xdpfleet__V1__SyncRulesResponse *)expect_ok(f, "SyncRules", &req.base, res);
}

/* The tag of the rule whose source is src (as listed: with its length), "" when none has it, NULL when there is no such rule. */
static char *tag_of(struct fixture *f, const char *src, char *buf, size_t len)
{
	Xdpfleet__V1__ListRulesRequest list = XDPFLEET__V1__LIST_RULES_REQUEST__INIT;
	struct rpc_invoke_result res;
	char *found = NULL;

	call(f, "ListRules", &list.base, &res);
	assert_int_equal(res.status.code, GRPC_STATUS_OK);
	for (size_t i = 0; i < res.n_msgs; i++) {
		Xdpfleet__V1__ListRulesResponse *page = (Xdpfleet__V1__ListRulesResponse *)res.msgs[i];

		for (size_t k = 0; k < page->n_rules; k++)
			if (page->rules[k]->match && !strcmp(page->rules[k]->match->src, src)) {
				snprintf(buf, len, "%s", page->rules[k]->tag);
				found = buf;
			}
	}
	rpc_invoke_result_free(&res);
	return found;
}

/* SyncRules makes one tag's rules exactly the list: new ones added, present ones refreshed,
 * missing ones deleted; an operator's rule with the same match stays the operator's; a bad
 * rule anywhere changes nothing. */
static void test_sync_rules(void **state)
{
	struct fixture *f = *state;
	Xdpfleet__V1__SyncRulesRequest req = XDPFLEET__V1__SYNC_RULES_REQUEST__INIT;
	Xdpfleet__V1__AddRulesRequest add = XDPFLEET__V1__ADD_RULES_REQUEST__INIT;
	Xdpfleet__V1__Rule r[4], op;
	Xdpfleet__V1__RuleMatch m[4], op_m;
	Xdpfleet__V1__Rule *rules[4] = { make_rule(&r[0], &m[0], 1, "203.0.113.0/24"),
					 make_rule(&r[1], &m[1], 1, "2001:db8:7::/48"),
					 make_rule(&r[2], &m[2], 1, "198.51.100.9"),
					 make_rule(&r[3], &m[3], 1, "198.51.100.10") };
	Xdpfleet__V1__Rule *op_rules[1] = { make_rule(&op, &op_m, 1, "198.51.100.10") };
	Xdpfleet__V1__SyncRulesResponse *out;
	struct rpc_invoke_result res;
	char tag[80];

	req.tag = "";
	expect_fail(f, "SyncRules", &req.base, GRPC_STATUS_INVALID_ARGUMENT, "tag");
	req.tag = "feed one";
	expect_fail(f, "SyncRules", &req.base, GRPC_STATUS_INVALID_ARGUMENT, "tag");

	add.rules = op_rules;
	add.n_rules = 1;
	expect_ok(f, "AddRules", &add.base, &res);
	rpc_invoke_result_free(&res);

	r[0].ttl_seconds = 3600; /* with and without the optional fields */
	r[1].comment = "v6 feed entry";
	out = sync_tag(f, "feed:spamhaus", rules, 4, &res);
	assert_int_equal(out->added, 3);
	assert_int_equal(out->unchanged, 0);
	assert_int_equal(out->other_owner, 1); /* the operator's rule */
	assert_int_equal(out->deleted, 0);
	rpc_invoke_result_free(&res);
	assert_int_equal(rule_count(f), 4);
	assert_string_equal(tag_of(f, "203.0.113.0/24", tag, sizeof(tag)), "feed:spamhaus");
	assert_string_equal(tag_of(f, "198.51.100.10/32", tag, sizeof(tag)), "");

	/* The feed drops one entry and changes another's comment. */
	r[0].comment = "renewed";
	out = sync_tag(f, "feed:spamhaus", &rules[0], 2, &res);
	assert_int_equal(out->added, 0);
	assert_int_equal(out->updated, 1);
	assert_int_equal(out->unchanged, 1);
	assert_int_equal(out->deleted, 1);
	rpc_invoke_result_free(&res);
	assert_null(tag_of(f, "198.51.100.9/32", tag, sizeof(tag)));
	assert_int_equal(rule_count(f), 3);

	/* Another tag's sync leaves this one alone. */
	out = sync_tag(f, "feed:other", &rules[2], 1, &res);
	assert_int_equal(out->added, 1);
	assert_int_equal(out->deleted, 0);
	rpc_invoke_result_free(&res);
	assert_int_equal(rule_count(f), 4);

	/* One bad rule: nothing added, nothing deleted (the good list would delete the v6 one). */
	m[1].src = "2001:db8:7::1/48";
	r[2].ttl_seconds = 60;
	req.tag = "feed:spamhaus";
	req.rules = (Xdpfleet__V1__Rule *[]){ &r[0], &r[2], &r[1] };
	req.n_rules = 3;
	expect_fail(f, "SyncRules", &req.base, GRPC_STATUS_INVALID_ARGUMENT, "rules[2].match.src");
	assert_int_equal(rule_count(f), 4);
	assert_string_equal(tag_of(f, "2001:db8:7::/48", tag, sizeof(tag)), "feed:spamhaus");
	assert_string_equal(tag_of(f, "198.51.100.9/32", tag, sizeof(tag)), "feed:other");
	m[1].src = "2001:db8:7::/48";

	/* An empty list empties the tag, and only the tag. */
	out = sync_tag(f, "feed:spamhaus", NULL, 0, &res);
	assert_int_equal(out->deleted, 2);
	rpc_invoke_result_free(&res);
	assert_int_equal(rule_count(f), 2);
	assert_string_equal(tag_of(f, "198.51.100.10/32", tag, sizeof(tag)), "");
	assert_string_equal(tag_of(f, "198.51.100.9/32", tag, sizeof(tag)), "feed:other");
}

static Xdpfleet__V1__TestRuleResponse *test_packet(struct fixture *f, const char *src, int proto, uint32_t port,
						   struct rpc_invoke_result *res)
{
	Xdpfleet__V1__TestRuleRequest req = XDPFLEET__V1__TEST_RULE_REQUEST__INIT;

	req.src = (char *)src;
	req.proto = proto;
	req.port = port;
	return (Xdpfleet__V1__TestRuleResponse *)expect_ok(f, "TestRule", &req.base, res);
}

/* TestRule answers as the filter program decides: allow over drop over limit over monitor,
 * the most specific prefix first, protocol and port only where the packet has them. */
static void test_test_rule(void **state)
{
	struct fixture *f = *state;
	Xdpfleet__V1__TestRuleRequest req = XDPFLEET__V1__TEST_RULE_REQUEST__INIT;
	Xdpfleet__V1__AddRulesRequest add = XDPFLEET__V1__ADD_RULES_REQUEST__INIT;
	Xdpfleet__V1__Rule r[4];
	Xdpfleet__V1__RuleMatch m[4];
	Xdpfleet__V1__Rule *rules[4] = { make_rule(&r[0], &m[0], 1, "203.0.113.0/24"),
					 make_rule(&r[1], &m[1], 2, "203.0.113.128/25"),
					 make_rule(&r[2], &m[2], 3, "2001:db8:9::/48"),
					 make_rule(&r[3], &m[3], 1, "2001:db8:9::/48") };
	Xdpfleet__V1__TestRuleResponse *out;
	struct rpc_invoke_result res;

	r[0].comment = "flood";
	r[2].limit_pps = 100;
	m[3].proto = XDPFLEET__V1__PROTOCOL__PROTOCOL_UDP;
	m[3].port_min = 53;
	add.rules = rules;
	add.n_rules = 4;
	expect_ok(f, "AddRules", &add.base, &res);
	rpc_invoke_result_free(&res);

	req.src = "203.0.113.0/24";
	expect_fail(f, "TestRule", &req.base, GRPC_STATUS_INVALID_ARGUMENT, "src");
	req.src = "203.0.113.1";
	req.proto = 99;
	expect_fail(f, "TestRule", &req.base, GRPC_STATUS_INVALID_ARGUMENT, "proto");
	req.proto = XDPFLEET__V1__PROTOCOL__PROTOCOL_ICMP;
	req.port = 80;
	expect_fail(f, "TestRule", &req.base, GRPC_STATUS_INVALID_ARGUMENT, "port");

	out = test_packet(f, "203.0.113.1", XDPFLEET__V1__PROTOCOL__PROTOCOL_TCP, 443, &res);
	assert_true(out->matched);
	assert_int_equal(out->verdict, XDPFLEET__V1__XDP_ACTION__XDP_DROP);
	assert_string_equal(out->rule->comment, "flood");
	assert_false(out->enforced); /* nothing attached */
	rpc_invoke_result_free(&res);
	out = test_packet(f, "203.0.113.200", 0, 0, &res);
	assert_int_equal(out->rule->action, XDPFLEET__V1__RULE_ACTION__RULE_ACTION_ALLOW);
	assert_int_equal(out->verdict, XDPFLEET__V1__XDP_ACTION__XDP_PASS);
	rpc_invoke_result_free(&res);
	out = test_packet(f, "2001:db8:9::5", XDPFLEET__V1__PROTOCOL__PROTOCOL_UDP, 53, &res);
	assert_int_equal(out->rule->action, XDPFLEET__V1__RULE_ACTION__RULE_ACTION_DROP);
	rpc_invoke_result_free(&res);
	out = test_packet(f, "2001:db8:9::5", XDPFLEET__V1__PROTOCOL__PROTOCOL_UDP, 54, &res);
	assert_int_equal(out->rule->action, XDPFLEET__V1__RULE_ACTION__RULE_ACTION_LIMIT);
	assert_int_equal(out->rule->limit_pps, 100);
	assert_int_equal(out->verdict, XDPFLEET__V1__XDP_ACTION__XDP_PASS);
	rpc_invoke_result_free(&res);
	out = test_packet(f, "2001:db8:a::5", 0, 0, &res);
	assert_false(out->matched);
	assert_null(out->rule);
	assert_int_equal(out->verdict, XDPFLEET__V1__XDP_ACTION__XDP_PASS);
	rpc_invoke_result_free(&res);
}

/* The metrics page: rule counts by action, commented rules only and at most max_rule_series of
 * them, label values escaped. */
static void test_metrics_page(void **state)
{
	struct fixture *f = *state;
	Xdpfleet__V1__AddRulesRequest add = XDPFLEET__V1__ADD_RULES_REQUEST__INIT;
	Xdpfleet__V1__Rule r[4];
	Xdpfleet__V1__RuleMatch m[4];
	Xdpfleet__V1__Rule *rules[4] = { make_rule(&r[0], &m[0], 1, "203.0.113.0/24"),
					 make_rule(&r[1], &m[1], 3, "198.51.100.0/24"),
					 make_rule(&r[2], &m[2], 4, "2001:db8:9::/48"),
					 make_rule(&r[3], &m[3], 1, "198.51.100.77") };
	struct metrics_source src = { .dp = f->agent->dp, .policy = f->agent->policy, .max_rule_series = 2 };
	struct rpc_invoke_result res;
	char *page = NULL;
	size_t len = 0;
	FILE *out;

	r[0].comment = "say \"hi\"\\now";
	r[1].comment = "limited";
	r[1].limit_pps = 10;
	r[2].comment = "third";
	add.rules = rules;
	add.n_rules = 4;
	expect_ok(f, "AddRules", &add.base, &res);
	rpc_invoke_result_free(&res);
	out = open_memstream(&page, &len);
	assert_non_null(out);
	assert_int_equal(metrics_render(&src, out), 0);
	fclose(out);
	assert_non_null(strstr(page, "\nxdpfleet_rules{action=\"drop\"} 2\n"));
	assert_non_null(strstr(page, "\nxdpfleet_rules{action=\"limit\"} 1\n"));
	assert_non_null(strstr(page, "\nxdpfleet_rules{action=\"monitor\"} 1\n"));
	assert_non_null(strstr(page, "\nxdpfleet_rules{action=\"allow\"} 0\n"));
	assert_non_null(strstr(page, "comment=\"say \\\"hi\\\"\\\\now\"} 0\n"));
	assert_non_null(strstr(page, "\nxdpfleet_rule_limit_dropped_total{id=\"2\",action=\"limit\",src=\"198.51.100.0/24\""
				     ",comment=\"limited\"} 0\n"));
	assert_null(strstr(page, "198.51.100.77")); /* no comment: no series of its own */
	assert_null(strstr(page, "comment=\"third\"")); /* the third commented rule is over the cap */
	assert_non_null(strstr(page, "\nxdpfleet_rule_series_omitted 1\n"));
	assert_non_null(strstr(page, "\nxdpfleet_rules_enforced 0\n"));
	free(page);
}

/* A viewer reads and is refused every change, naming the role needed. */
static void test_viewer_role(void **state)
{
	struct fixture *f = *state;
	Xdpfleet__V1__GetInfoRequest info = XDPFLEET__V1__GET_INFO_REQUEST__INIT;
	Xdpfleet__V1__FlushRulesRequest flush = XDPFLEET__V1__FLUSH_RULES_REQUEST__INIT;
	Xdpfleet__V1__DetachRequest det = XDPFLEET__V1__DETACH_REQUEST__INIT;
	struct rpc_invoke_opts o = { .identity = "dash.example", .role = RPC_ROLE_VIEWER };
	uint8_t buf[64];
	struct rpc_invoke_result r;
	size_t len;

	len = protobuf_c_message_pack(&info.base, buf);
	assert_int_equal(rpc_invoke(&f->svc, "GetInfo", buf, len, &o, &r), 0);
	assert_int_equal(r.status.code, GRPC_STATUS_OK);
	rpc_invoke_result_free(&r);
	len = protobuf_c_message_pack(&flush.base, buf);
	assert_int_equal(rpc_invoke(&f->svc, "FlushRules", buf, len, &o, &r), 0);
	assert_int_equal(r.status.code, GRPC_STATUS_PERMISSION_DENIED);
	assert_string_equal(r.status.message, "FlushRules needs the admin role; client 'dash.example' has viewer");
	rpc_invoke_result_free(&r);
	det.ifname = "veth0";
	len = protobuf_c_message_pack(&det.base, buf);
	assert_int_equal(rpc_invoke(&f->svc, "Detach", buf, len, &o, &r), 0);
	assert_int_equal(r.status.code, GRPC_STATUS_PERMISSION_DENIED);
	rpc_invoke_result_free(&r);
	/* A certificate the agent knows no role for may not even read. */
	o.identity = "stranger";
	o.role = RPC_ROLE_NONE;
	len = protobuf_c_message_pack(&info.base, buf);
	assert_int_equal(rpc_invoke(&f->svc, "GetInfo", buf, len, &o, &r), 0);
	assert_int_equal(r.status.code, GRPC_STATUS_PERMISSION_DENIED);
	assert_string_equal(r.status.message, "GetInfo needs the viewer role; client 'stranger' has no role");
	rpc_invoke_result_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_get_info, setup, teardown),
		cmocka_unit_test_setup_teardown(test_garbage_everywhere, setup, teardown),
		cmocka_unit_test_setup_teardown(test_triggers_bad_input, setup, teardown),
		cmocka_unit_test_setup_teardown(test_attach_detach, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stats, setup, teardown),
		cmocka_unit_test_setup_teardown(test_add_rules_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rules_lifecycle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sync_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_test_rule, setup, teardown),
		cmocka_unit_test_setup_teardown(test_metrics_page, setup, teardown),
		cmocka_unit_test_setup_teardown(test_viewer_role, setup, teardown),
		cmocka_unit_test_setup_teardown(test_capture_requests, setup, teardown),
	};

	rpc_global_init();
	return cmocka_run_group_tests_name("service", tests, NULL, NULL);
}
