// SPDX-License-Identifier: GPL-2.0-only
/* "ACTION sync FILE" and "rules test ADDR": the SyncRules and TestRule requests built from the
 * arguments (tag, rules from the blocklist parser, force), their usage errors, and the
 * answers as tables and JSON. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fake_rpc.h"
#include "harness.h"
#include "json_parse.h"
#include "xdpfleet/v1/agent.pb-c.h"

#define RUN(r, ...) harness_run((r), NULL, __VA_ARGS__, NULL)
#define HOSTS "unix:/a.sock,unix:/dead.sock,unix:/c.sock"

static char dir[64], feed[128];
static struct fake_host ok_hosts[4];

static int setup(void **state)
{
	FILE *f;

	fake_rpc_setup(state);
	snprintf(dir, sizeof(dir), "/tmp/test_cli_syncXXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(feed, sizeof(feed), "%s/firehol_level1.netset", dir);
	f = fopen(feed, "w");
	assert_non_null(f);
	fputs("# FireHOL level 1\n203.0.113.0/24\n198.51.100.7\nbogus\n203.0.113.0/24\n", f);
	fclose(f);
	fake_rpc_set(ok_hosts, 4);
	return 0;
}

static int teardown(void **state)
{
	char cmd[96];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	return fake_rpc_teardown(state);
}

static void check_usage(const char *want, const char *a, const char *b, const char *c,
			const char *d, const char *e, const char *f)
{
	struct harness_run r;

	fake_rpc_set(ok_hosts, 4);
	harness_run(&r, NULL, a, b, c, d, e, f, NULL);
	if (!strstr(r.err, want))
		fail_msg("stderr '%s' lacks '%s'", r.err, want);
	assert_int_equal(r.status, 2);
	assert_int_equal(fake_rpc_last.calls, 0);
	harness_free(&r);
}

static void test_sync_request(void **state)
{
	Xdpfleet__V1__SyncRulesRequest *q;
	struct harness_run r;

	(void)state;
	RUN(&r, "-H", "unix:/a.sock,unix:/b.sock", "drop", "sync", feed, "--skip-invalid", "--ttl",
	    "2d", "--comment", "level1", "--force");
	if (r.status)
		fail_msg("%s", r.err);
	assert_string_equal(fake_rpc_last.method, "SyncRules");
	assert_int_equal(fake_rpc_last.calls, 1);
	assert_int_equal(fake_rpc_last.n_targets, 2);
	q = (Xdpfleet__V1__SyncRulesRequest *)fake_rpc_last.req;
	/* The tag defaults to the file's base name; the blocklist parser folded the duplicate. */
	assert_string_equal(q->tag, "firehol_level1.netset");
	assert_true(q->force);
	assert_int_equal(q->n_rules, 2);
	assert_string_equal(q->rules[0]->match->src, "203.0.113.0/24");
	assert_string_equal(q->rules[1]->match->src, "198.51.100.7/32");
	assert_int_equal(q->rules[1]->action, XDPFLEET__V1__RULE_ACTION__RULE_ACTION_DROP);
	assert_int_equal(q->rules[1]->ttl_seconds, 2 * 86400);
	assert_string_equal(q->rules[1]->comment, "level1");
	assert_string_equal(q->rules[1]->tag, "firehol_level1.netset");
	harness_check_contains(r.err, ":4: invalid entry 'bogus'");
	harness_check_contains(r.err, ":5: '203.0.113.0/24' repeats line 2 (folded)");
	harness_free(&r);

	/* --tag, other actions and the match options. */
	RUN(&r, "limit", "sync", feed, "--tag", "noisy", "--pps", "100", "--proto", "udp", "--port",
	    "53", "--skip-invalid");
	assert_int_equal(r.status, 0);
	q = (Xdpfleet__V1__SyncRulesRequest *)fake_rpc_last.req;
	assert_string_equal(q->tag, "noisy");
	assert_false(q->force);
	assert_int_equal(q->rules[0]->action, XDPFLEET__V1__RULE_ACTION__RULE_ACTION_LIMIT);
	assert_int_equal(q->rules[0]->limit_pps, 100);
	assert_int_equal(q->rules[0]->match->proto, XDPFLEET__V1__PROTOCOL__PROTOCOL_UDP);
	assert_int_equal(q->rules[0]->match->port_min, 53);
	harness_free(&r);

	/* --allow-empty: an empty list, so every rule of the tag goes. */
	{
		char empty[160];
		FILE *f;

		snprintf(empty, sizeof(empty), "%s/empty.txt", dir);
		f = fopen(empty, "w");
		fputs("# nothing today\n", f);
		fclose(f);
		check_usage("empty.txt: no entries in 1 lines, nothing sent (--allow-empty syncs it "
			    "anyway: every rule of the tag is deleted)", "allow", "sync", empty, NULL,
			    NULL, NULL);
		RUN(&r, "allow", "sync", empty, "--allow-empty");
		assert_int_equal(r.status, 0);
		q = (Xdpfleet__V1__SyncRulesRequest *)fake_rpc_last.req;
		assert_string_equal(q->tag, "empty.txt");
		assert_int_equal(q->n_rules, 0);
		harness_free(&r);
	}
	/* The tag on add, too. */
	RUN(&r, "drop", "add", "192.0.2.1", "--tag", "incident-7");
	assert_string_equal(((Xdpfleet__V1__AddRulesRequest *)fake_rpc_last.req)->rules[0]->tag,
			    "incident-7");
	harness_free(&r);
}

static void test_sync_errors(void **state)
{
	char bad[160];
	FILE *f;

	(void)state;
	check_usage("xdpfleet drop sync: missing FILE", "drop", "sync", NULL, NULL, NULL, NULL);
	check_usage("firehol_level1.netset: 1 invalid line, nothing sent (fix it, or use "
		    "--skip-invalid", "drop", "sync", feed, NULL, NULL, NULL);
	check_usage("reading stdin needs --tag NAME", "drop", "sync", "-", NULL, NULL, NULL);
	check_usage("--tag: invalid tag 'a b'", "drop", "sync", feed, "--tag", "a b", NULL);
	check_usage("xdpfleet drop add: option '--allow-empty' does not apply here", "drop", "add",
		    "192.0.2.1", "--allow-empty", NULL, NULL);
	check_usage("xdpfleet rules del: option '--tag' does not apply here", "rules", "del", "7",
		    "--tag", "x", NULL);
	snprintf(bad, sizeof(bad), "%s/my feed.txt", dir);
	f = fopen(bad, "w");
	fputs("192.0.2.1\n", f);
	fclose(f);
	check_usage("the file name 'my feed.txt' is no valid tag", "drop", "sync", bad, NULL, NULL,
		    NULL);
}

static void test_sync_output(void **state)
{
	Xdpfleet__V1__SyncRulesResponse a = XDPFLEET__V1__SYNC_RULES_RESPONSE__INIT,
					c = XDPFLEET__V1__SYNC_RULES_RESPONSE__INIT;
	struct fake_host hosts[3] = { { 0 }, fake_rpc_dead, { 0 } };
	struct harness_run r;
	struct jp_value *doc;
	const char *line;

	(void)state;
	a.added = 2;
	a.deleted = 5;
	a.enforced = true;
	c.updated = 1;
	c.unchanged = 1;
	c.enforced = false;
	hosts[0].resp = &a.base;
	hosts[2].resp = &c.base;
	fake_rpc_set(hosts, 3);
	RUN(&r, "-H", HOSTS, "drop", "sync", feed, "--skip-invalid");
	assert_int_equal(r.status, 1);
	assert_string_equal(strchr(r.out, '\n') + 1,
			    "tag firehol_level1.netset:\n"
			    "HOST                ADDED   UPDATED  UNCHANGED   DELETED\n"
			    "unix:/a.sock            2         0          0         5\n"
			    "unix:/dead.sock  error: UNAVAILABLE: failed to connect to all addresses\n"
			    "unix:/c.sock            0         1          1         0\n"
			    "2 added, 1 updated, 1 unchanged, 5 deleted on 2 of 3 hosts\n");
	harness_check_contains(r.out, "firehol_level1.netset: 5 lines, 2 entries, 1 duplicates "
			       "folded, 1 invalid skipped\ntag");
	harness_check_contains(r.err, "warning: unix:/c.sock: no interface runs the filter program");
	harness_check_contains(r.err, "1 of 3 hosts failed");
	harness_free(&r);

	fake_rpc_set(hosts, 3);
	RUN(&r, "-H", HOSTS, "-o", "jsonl", "drop", "sync", feed, "--skip-invalid");
	/* One object per host and line. */
	line = r.out;
	for (int i = 0; i < 3; i++) {
		const char *end = strchr(line, '\n');

		assert_non_null(end);
		doc = jp_parse(line, (size_t)(end - line));
		assert_non_null(doc);
		assert_string_equal(jp_str(doc, "tag"), "firehol_level1.netset");
		assert_int_equal(jp_get(doc, "ok")->b, i != 1);
		if (i == 0) {
			assert_int_equal(jp_get(doc, "added")->num, 2);
			assert_int_equal(jp_get(doc, "deleted")->num, 5);
			assert_true(jp_get(doc, "enforced")->b);
			assert_int_equal(jp_get(jp_get(doc, "load"), "entries")->num, 2);
		}
		jp_free(doc);
		line = end + 1;
	}
	assert_string_equal(line, "");
	harness_free(&r);
}

static void test_rule_test(void **state)
{
	Xdpfleet__V1__TestRuleResponse hit = XDPFLEET__V1__TEST_RULE_RESPONSE__INIT,
				       miss = XDPFLEET__V1__TEST_RULE_RESPONSE__INIT;
	Xdpfleet__V1__RuleMatch m = XDPFLEET__V1__RULE_MATCH__INIT;
	Xdpfleet__V1__Rule rule = XDPFLEET__V1__RULE__INIT;
	struct fake_host hosts[3] = { { 0 }, fake_rpc_dead, { 0 } };
	Xdpfleet__V1__TestRuleRequest *q;
	const struct jp_value *rj;
	struct harness_run r;
	struct jp_value *doc;

	(void)state;
	m.src = "203.0.113.0/24";
	m.proto = XDPFLEET__V1__PROTOCOL__PROTOCOL_TCP;
	m.port_min = 443;
	rule.id = 17;
	rule.action = XDPFLEET__V1__RULE_ACTION__RULE_ACTION_DROP;
	rule.match = &m;
	rule.comment = "flood 11-26";
	rule.tag = "firehol_level1.netset";
	rule.expires_in_ms = -1;
	hit.matched = true;
	hit.rule = &rule;
	hit.verdict = XDPFLEET__V1__XDP_ACTION__XDP_DROP;
	hit.enforced = true;
	miss.verdict = XDPFLEET__V1__XDP_ACTION__XDP_PASS;
	miss.enforced = false;
	hosts[0].resp = &hit.base;
	hosts[2].resp = &miss.base;
	fake_rpc_set(hosts, 3);
	RUN(&r, "-H", HOSTS, "rules", "test", "203.0.113.7", "--proto", "tcp", "--port", "443");
	assert_int_equal(r.status, 1);
	assert_string_equal(fake_rpc_last.method, "TestRule");
	q = (Xdpfleet__V1__TestRuleRequest *)fake_rpc_last.req;
	assert_string_equal(q->src, "203.0.113.7");
	assert_int_equal(q->proto, XDPFLEET__V1__PROTOCOL__PROTOCOL_TCP);
	assert_int_equal(q->port, 443);
	assert_string_equal(r.out,
			    "HOST             VERDICT  RULE  ACTION  SRC             PROTO   PORT  TAG                    COMMENT\n"
			    "unix:/a.sock     drop       17  drop    203.0.113.0/24  tcp     443   firehol_level1.netset  flood 11-26\n"
			    "unix:/dead.sock  error: UNAVAILABLE: failed to connect to all addresses\n"
			    "unix:/c.sock     pass     no rule: passes\n");
	harness_check_contains(r.err, "warning: unix:/c.sock: no interface runs the filter program");
	harness_free(&r);

	fake_rpc_set(hosts, 3);
	RUN(&r, "-H", HOSTS, "rules", "test", "2001:db8::1", "-o", "json");
	q = (Xdpfleet__V1__TestRuleRequest *)fake_rpc_last.req;
	assert_int_equal(q->proto, XDPFLEET__V1__PROTOCOL__PROTOCOL_ANY);
	assert_int_equal(q->port, 0);
	doc = jp_parse(r.out, strlen(r.out));
	assert_non_null(doc);
	assert_int_equal(doc->n, 3);
	assert_true(jp_get(&doc->items[0], "matched")->b);
	assert_string_equal(jp_str(&doc->items[0], "verdict"), "drop");
	rj = jp_get(&doc->items[0], "rule");
	assert_int_equal(jp_get(rj, "id")->num, 17);
	assert_string_equal(jp_str(rj, "action"), "drop");
	assert_string_equal(jp_str(rj, "src"), "203.0.113.0/24");
	assert_int_equal(jp_get(rj, "port")->num, 443);
	assert_string_equal(jp_str(rj, "comment"), "flood 11-26");
	assert_string_equal(jp_str(rj, "tag"), "firehol_level1.netset");
	assert_false(jp_get(&doc->items[2], "matched")->b);
	assert_string_equal(jp_str(&doc->items[2], "verdict"), "pass");
	assert_int_equal(jp_get(&doc->items[2], "rule")->type, JP_NULL);
	assert_false(jp_get(&doc->items[2], "enforced")->b);
	jp_free(doc);
	harness_free(&r);

	check_usage("xdpfleet rules test: missing ADDR", "rules", "test", NULL, NULL, NULL, NULL);
	check_usage("invalid address '203.0.113.0/24': one address, not a prefix", "rules", "test",
		    "203.0.113.0/24", NULL, NULL, NULL);
	check_usage("invalid address 'web1'", "rules", "test", "web1", NULL, NULL, NULL);
	check_usage("--port needs --proto tcp or --proto udp", "rules", "test", "192.0.2.1",
		    "--port", "53", NULL);
	check_usage("--port: invalid value '0'", "rules", "test", "192.0.2.1", "--port", "0", NULL);
	check_usage("--proto: invalid value 'sctp'", "rules", "test", "192.0.2.1", "--proto", "sctp",
		    NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_sync_request, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sync_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sync_output, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rule_test, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
