// SPDX-License-Identifier: GPL-2.0-only
/* The rule commands over real gRPC: small agents that answer ListRules in paced pages and
 * AddRules by echoing ids, on unix sockets. Checks that hosts are printed in target order
 * although a later one finishes first, that every page arrives, and that 100k rules travel as
 * one request. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"
#include "rpc/rpc.h"
#include "xdpfleet/v1/agent.pb-c.h"

#define RUN(r, ...) harness_run((r), NULL, __VA_ARGS__, NULL)

/* Real gRPC to the small agents below. */
const rpc_fanout_fn harness_fanout = rpc_fanout;

/* One fake agent. */
struct agent {
	struct rpc_server *srv;
	pthread_t thread;
	char addr[64];
	size_t n_rules, page_size;
	unsigned int interval_ms; /* between pages */
	size_t last_add_rules;    /* rules in the last AddRules request */
	bool last_add_force;
};

struct list_state {
	size_t next;
};

static grpc_status_code agent_list_open(struct rpc_call *call, const ProtobufCMessage *req)
{
	struct agent *a = rpc_call_data(call);
	struct list_state *st = calloc(1, sizeof(*st));

	(void)req;
	if (!st)
		return rpc_call_fail(call, GRPC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
	rpc_call_set_state(call, st, free);
	rpc_call_set_interval(call, a->interval_ms);
	return GRPC_STATUS_OK;
}

/* Rule i: drop 10.0.x.y/32 with id i + 1, pages in descending id order to check sorting. */
static enum rpc_stream_step agent_list_next(struct rpc_call *call, ProtobufCMessage *resp)
{
	Xdpfleet__V1__ListRulesResponse *out = (Xdpfleet__V1__ListRulesResponse *)resp;
	struct list_state *st = rpc_call_state(call);
	struct agent *a = rpc_call_data(call);
	Xdpfleet__V1__RuleMatch *m;
	Xdpfleet__V1__Rule *r;
	size_t i, n, id;
	char src[32];

	if (st->next >= a->n_rules)
		return RPC_STREAM_DONE;
	n = a->n_rules - st->next < a->page_size ? a->n_rules - st->next : a->page_size;
	out->rules = rpc_call_alloc(call, n * sizeof(*out->rules));
	for (i = 0; i < n; i++) {
		id = a->n_rules - st->next - i;
		r = rpc_call_alloc(call, sizeof(*r));
		m = rpc_call_alloc(call, sizeof(*m));
		xdpfleet__v1__rule__init(r);
		xdpfleet__v1__rule_match__init(m);
		snprintf(src, sizeof(src), "10.0.%zu.%zu/32", id >> 8 & 255, id & 255);
		m->src = rpc_call_strdup(call, src);
		r->id = id;
		r->action = XDPFLEET__V1__RULE_ACTION__RULE_ACTION_DROP;
		r->match = m;
		r->expires_in_ms = -1;
		r->comment = rpc_call_strdup(call, "");
		out->rules[i] = r;
	}
	out->n_rules = n;
	st->next += n;
	return st->next >= a->n_rules ? RPC_STREAM_LAST : RPC_STREAM_MORE;
}

static grpc_status_code agent_add(struct rpc_call *call, const ProtobufCMessage *msg,
				  ProtobufCMessage *resp)
{
	const Xdpfleet__V1__AddRulesRequest *req = (const Xdpfleet__V1__AddRulesRequest *)msg;
	Xdpfleet__V1__AddRulesResponse *out = (Xdpfleet__V1__AddRulesResponse *)resp;
	struct agent *a = rpc_call_data(call);
	size_t i;

	a->last_add_rules = req->n_rules;
	a->last_add_force = req->force;
	out->ids = rpc_call_alloc(call, (req->n_rules ? req->n_rules : 1) * sizeof(*out->ids));
	for (i = 0; i < req->n_rules; i++)
		out->ids[i] = i + 1;
	out->n_ids = req->n_rules;
	out->added = (uint32_t)req->n_rules;
	return GRPC_STATUS_OK;
}

static const struct rpc_method_impl agent_methods[] = {
	{ .name = "ListRules", .open = agent_list_open, .next = agent_list_next },
	{ .name = "AddRules", .unary = agent_add },
};

static void *agent_serve(void *arg)
{
	rpc_server_run(arg);
	return NULL;
}

static void agent_start(struct agent *a, const char *name)
{
	struct rpc_listener l = {
		.addr = a->addr,
		.insecure = true,
		.unix_uid = (uid_t)-1,
		.unix_gid = (gid_t)-1,
	};
	struct rpc_service svc = {
		.desc = &xdpfleet__v1__agent__descriptor,
		.methods = agent_methods,
		.n_methods = 2,
		.data = a,
	};
	struct rpc_server_opts so = { .listeners = &l, .n_listeners = 1, .shutdown_grace_ms = 200 };
	char err[RPC_ERR_MAX];

	snprintf(a->addr, sizeof(a->addr), "unix:/tmp/test_cli_rules_%s_%d.sock", name, getpid());
	if (rpc_server_create(&a->srv, &svc, &so, err, sizeof(err)))
		fail_msg("agent %s: %s", name, err);
	assert_int_equal(pthread_create(&a->thread, NULL, agent_serve, a->srv), 0);
}

static void agent_stop(struct agent *a)
{
	rpc_server_stop(a->srv);
	pthread_join(a->thread, NULL);
	rpc_server_destroy(a->srv);
	unlink(a->addr + strlen("unix:"));
}

static struct agent slow = { .n_rules = 1000, .page_size = 100, .interval_ms = 30 };
static struct agent fast = { .n_rules = 5, .page_size = 2 };

static int setup(void **state)
{
	(void)state;
	unsetenv("XDPFLEET_HOSTS");
	unsetenv("XDPFLEET_CONFIG");
	/* No config file of whoever runs the tests. */
	setenv("HOME", "/nonexistent/home", 1);
	setenv("GRPC_VERBOSITY", "NONE", 0);
	rpc_global_init();
	agent_start(&slow, "slow");
	agent_start(&fast, "fast");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	agent_stop(&slow);
	agent_stop(&fast);
	rpc_global_shutdown();
	return 0;
}

static void test_cli_rules_stream_list_order(void **state)
{
	char hosts[256], want[64], *p;
	struct harness_run r;
	size_t i;

	(void)state;
	/* The slow host streams 10 pages over ~300 ms; the fast one is done at once but is
	 * printed after it, as the targets are ordered. */
	snprintf(hosts, sizeof(hosts), "%s,unix:/nonexistent/dead.sock,%s", slow.addr, fast.addr);
	RUN(&r, "-H", hosts, "rules", "list");
	assert_int_equal(r.status, 1);
	p = strstr(r.out, slow.addr);
	assert_true(p == r.out);
	assert_non_null(strstr(r.out, "  1000 rules\n"));
	/* Every page arrived and ids come sorted. */
	for (i = 1; i <= 1000; i++) {
		snprintf(want, sizeof(want), "\n  %4zu  drop", i);
		p = strstr(p, want);
		if (!p)
			fail_msg("rule %zu missing or out of order", i);
	}
	p = strstr(p, "unix:/nonexistent/dead.sock  error: UNAVAILABLE");
	assert_non_null(p);
	p = strstr(p, fast.addr);
	assert_non_null(p);
	assert_non_null(strstr(p, "  5 rules\n"));
	assert_non_null(strstr(r.err, "1 of 3 hosts failed"));
	harness_free(&r);

	RUN(&r, "-H", hosts, "-o", "json", "rules", "list");
	assert_int_equal(r.status, 1);
	assert_true(r.out[0] == '[');
	assert_non_null(strstr(r.out, "{\"id\":1000,\"action\":\"drop\",\"src\":\"10.0.3.232/32\""));
	assert_non_null(strstr(r.out, "}]},{\"host\":\"unix:/nonexistent/dead.sock\",\"ok\":false"));
	assert_non_null(strstr(r.out, "\"src\":\"10.0.0.5/32\",\"proto\":\"any\",\"port\":null,"
				      "\"hits\":0,\"bytes\":0,\"last_hit\":null,\"expires_in\":null,"
				      "\"comment\":\"\",\"tag\":\"\",\"created\":null}]}]\n"));
	harness_free(&r);
}

static void test_cli_rules_stream_big_add(void **state)
{
	char path[] = "/tmp/test_cli_rules_bigXXXXXX", hosts[256];
	struct harness_run r;
	size_t i;
	FILE *f;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs("# 100k entries\n", f);
	for (i = 0; i < 100000; i++)
		fprintf(f, "%s10.%zu.%zu.%zu%s\n", i % 7 ? "" : "  ", i >> 16, i >> 8 & 255, i & 255,
			i % 5 ? "" : " # c");
	fclose(f);
	snprintf(hosts, sizeof(hosts), "%s,%s", slow.addr, fast.addr);
	RUN(&r, "-H", hosts, "drop", "load", path, "--force");
	assert_int_equal(r.status, 0);
	assert_int_equal(slow.last_add_rules, 100000);
	assert_int_equal(fast.last_add_rules, 100000);
	assert_true(slow.last_add_force);
	assert_non_null(strstr(r.out, ": 100001 lines, 100000 entries, 0 duplicates folded, 0 invalid "
				      "skipped\n"));
	assert_non_null(strstr(r.out, "  100000         0         0  1-100000\n"));
	harness_free(&r);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cli_rules_stream_list_order),
		cmocka_unit_test(test_cli_rules_stream_big_add),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
