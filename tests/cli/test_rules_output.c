// SPDX-License-Identifier: GPL-2.0-only
/* Rule answers as tables and JSON: ListRules pages merged per host (failed hosts among them),
 * AddRules counts and ids, DeleteRules/FlushRules counts, and the exit status. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "fake_rpc.h"
#include "harness.h"
#include "output_rules.h"

#define RUN(r, ...) harness_run((r), NULL, __VA_ARGS__, NULL)
#define HOSTS "unix:/a.sock,unix:/dead.sock,unix:/c.sock"
#define NOW_NS 1764150000000000000ull /* 2025-11-26T09:40:00Z */

/* Three rules over two pages, out of id order: a drop hit 3.5 s before last_hit_base, a
 * limit with a TTL, an allow on any source with a port range and an unsafe comment. */
struct canned_rules {
	Xdpfleet__V1__Rule rule[3];
	Xdpfleet__V1__RuleMatch match[3];
	Xdpfleet__V1__Rule *page1_rules[2], *page2_rules[1];
	Xdpfleet__V1__ListRulesResponse page[2];
	const ProtobufCMessage *pages[2];
};

static void canned_rules_init(struct canned_rules *c, uint64_t last_hit_base)
{
	int i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < 3; i++) {
		xdpfleet__v1__rule__init(&c->rule[i]);
		xdpfleet__v1__rule_match__init(&c->match[i]);
		c->rule[i].match = &c->match[i];
		c->rule[i].expires_in_ms = -1;
	}
	c->rule[0].id = 1;
	c->rule[0].action = XDPFLEET__V1__RULE_ACTION__RULE_ACTION_DROP;
	c->match[0].src = "203.0.113.0/24";
	c->rule[0].hits = 12;
	c->rule[0].bytes = 1440;
	c->rule[0].last_hit_unix_ns = last_hit_base - 3500000000ull;
	c->rule[0].comment = "spamhaus";
	c->rule[0].tag = "feed-a";
	c->rule[0].created_unix = 1764140000;
	c->rule[1].id = 2;
	c->rule[1].action = XDPFLEET__V1__RULE_ACTION__RULE_ACTION_LIMIT;
	c->rule[1].limit_pps = 1000;
	c->match[1].src = "2001:db8:1000::/36";
	c->match[1].proto = XDPFLEET__V1__PROTOCOL__PROTOCOL_UDP;
	c->match[1].port_min = 53;
	c->rule[1].ttl_seconds = 600;
	/* Of 900 packets from sources over their budget, 200 were dropped. */
	c->rule[1].hits = 900;
	c->rule[1].dropped = 200;
	c->rule[1].expires_in_ms = 599500;
	c->rule[2].id = 3;
	c->rule[2].action = XDPFLEET__V1__RULE_ACTION__RULE_ACTION_ALLOW;
	c->match[2].proto = XDPFLEET__V1__PROTOCOL__PROTOCOL_TCP;
	c->match[2].port_min = 1000;
	c->match[2].port_max = 2000;
	c->rule[2].hits = 123456789;
	c->rule[2].bytes = 98765432100;
	c->rule[2].last_hit_unix_ns = last_hit_base - 7200000000000ull;
	c->rule[2].comment = "office\033[31m";
	c->page1_rules[0] = &c->rule[2];
	c->page1_rules[1] = &c->rule[0];
	c->page2_rules[0] = &c->rule[1];
	for (i = 0; i < 2; i++)
		xdpfleet__v1__list_rules_response__init(&c->page[i]);
	c->page[0].n_rules = 2;
	c->page[0].rules = c->page1_rules;
	c->page[1].n_rules = 1;
	c->page[1].rules = c->page2_rules;
	c->pages[0] = &c->page[0].base;
	c->pages[1] = &c->page[1].base;
}

static const char list_json[] =
	"[{\"host\":\"unix:/a.sock\",\"ok\":true,\"rules\":["
	"{\"id\":1,\"action\":\"drop\",\"src\":\"203.0.113.0/24\",\"proto\":\"any\",\"port\":null,"
	"\"hits\":12,\"bytes\":1440,\"last_hit\":1764149996,\"expires_in\":null,"
	"\"comment\":\"spamhaus\",\"tag\":\"feed-a\",\"created\":1764140000},"
	"{\"id\":2,\"action\":\"limit\",\"src\":\"2001:db8:1000::/36\",\"proto\":\"udp\",\"port\":53,"
	"\"limit_pps\":1000,\"hits\":900,\"passed\":700,\"dropped\":200,\"bytes\":0,"
	"\"last_hit\":null,\"expires_in\":600,\"comment\":\"\",\"tag\":\"\",\"created\":null},"
	"{\"id\":3,\"action\":\"allow\",\"src\":null,\"proto\":\"tcp\",\"port\":\"1000-2000\","
	"\"hits\":123456789,\"bytes\":98765432100,\"last_hit\":1764142800,\"expires_in\":null,"
	"\"comment\":\"office\\u001b[31m\",\"tag\":\"\",\"created\":null}]},"
	"{\"host\":\"unix:/dead.sock\",\"ok\":false,\"code\":\"UNAVAILABLE\",\"error\":"
	"\"UNAVAILABLE: failed to connect to all addresses\"},"
	"{\"host\":\"unix:/c.sock\",\"ok\":true,\"rules\":[]}]\n";

static void test_cli_rules_output_list_json(void **state)
{
	struct fake_host hosts[3] = { { 0 }, fake_rpc_dead, { 0 } };
	struct canned_rules c;
	struct harness_run r;

	(void)state;
	canned_rules_init(&c, NOW_NS);
	hosts[0].stream = c.pages;
	hosts[0].n_stream = 2;
	fake_rpc_set(hosts, 3);
	RUN(&r, "-H", HOSTS, "rules", "list", "-o", "json");
	assert_int_equal(r.status, 1);
	assert_string_equal(r.out, list_json);
	harness_check_contains(r.err, "xdpfleet: 1 of 3 hosts failed:\n  unix:/dead.sock: UNAVAILABLE");
	harness_free(&r);
	/* The global -o before the command word does the same. */
	RUN(&r, "-H", HOSTS, "-o", "json", "rules", "list");
	assert_string_equal(r.out, list_json);
	harness_free(&r);
}

static void test_cli_rules_output_list_table(void **state)
{
	static const char want[] =
		"unix:/a.sock  3 rules\n"
		"  ID  ACTION         SRC                 PROTO   PORT            HITS  PASSED  DROPPED  "
		"      BYTES  LAST HIT  EXPIRES  TAG     COMMENT\n"
		"   1  drop           203.0.113.0/24      any     -                 12       -        -  "
		"       1440  3s ago    never    feed-a  spamhaus\n"
		"   2  limit 1000pps  2001:db8:1000::/36  udp     53               900     700      200  "
		"          0  never     10m00s   -\n"
		"   3  allow          any                 tcp     1000-2000  123456789       -        -  "
		"98765432100  2h ago    never    -       office?[31m\n"
		"\n"
		"unix:/dead.sock  error: UNAVAILABLE: failed to connect to all addresses\n"
		"\n"
		"unix:/c.sock  (no rules)\n";
	static const char want_bare[] =
		"unix:/a.sock   1  drop           203.0.113.0/24      any     -                 12       "
		"-        -         1440  3s ago    never    feed-a  spamhaus\n"
		"unix:/a.sock   2  limit 1000pps  2001:db8:1000::/36  udp     53               900     700"
		"      200            0  never     10m00s   -\n"
		"unix:/a.sock   3  allow          any                 tcp     1000-2000  123456789       "
		"-        -  98765432100  2h ago    never    -       office?[31m\n"
		"unix:/dead.sock  error: UNAVAILABLE: failed to connect to all addresses\n";
	Xdpfleet__V1__ListRulesResponse merged = XDPFLEET__V1__LIST_RULES_RESPONSE__INIT,
					empty = XDPFLEET__V1__LIST_RULES_RESPONSE__INIT;
	Xdpfleet__V1__Rule *sorted[3];
	struct output_host h[3] = {
		{ .host = "unix:/a.sock", .ok = true, .msg = &merged.base },
		{ .host = "unix:/dead.sock", .ok = false, .code = "UNAVAILABLE" },
		{ .host = "unix:/c.sock", .ok = true, .msg = &empty.base },
	};
	struct canned_rules c;
	size_t len;
	char *out;
	FILE *f;

	(void)state;
	canned_rules_init(&c, NOW_NS);
	sorted[0] = &c.rule[0];
	sorted[1] = &c.rule[1];
	sorted[2] = &c.rule[2];
	merged.n_rules = 3;
	merged.rules = sorted;
	snprintf(h[1].error, sizeof(h[1].error), "UNAVAILABLE: failed to connect to all addresses");
	f = open_memstream(&out, &len);
	assert_int_equal(output_table_rules_list_at(f, h, 3, NOW_NS, &(struct output_opts){ 0 }), 0);
	fclose(f);
	assert_string_equal(out, want);
	free(out);
	/* --no-headers: one line per rule, starting with its host; no host or column lines. */
	f = open_memstream(&out, &len);
	assert_int_equal(output_table_rules_list_at(f, h, 3, NOW_NS,
						    &(struct output_opts){ .no_headers = true }), 0);
	fclose(f);
	assert_string_equal(out, want_bare);
	free(out);
}

/* Through the CLI with the real clock: pages merged and sorted by id, ages from now. */
static void test_cli_rules_output_list_cli(void **state)
{
	struct fake_host hosts[3] = { { 0 }, fake_rpc_dead, { 0 } };
	struct canned_rules c;
	struct harness_run r;
	struct timespec ts;

	(void)state;
	clock_gettime(CLOCK_REALTIME, &ts);
	canned_rules_init(&c, (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec);
	hosts[0].stream = c.pages;
	hosts[0].n_stream = 2;
	fake_rpc_set(hosts, 3);
	RUN(&r, "-H", HOSTS, "rules", "list");
	assert_int_equal(r.status, 1);
	harness_check_contains(r.out, "unix:/a.sock  3 rules\n");
	/* 3.5 s before the canned "now": 3s ago, or 4s under a slow valgrind run. */
	harness_check_contains(r.out, "\n   1  drop           203.0.113.0/24      any     -                 12"
			      "       -        -         1440  ");
	harness_check_contains(r.out, "s ago    never    feed-a  spamhaus\n   2  limit 1000pps");
	harness_check_contains(r.out, "\n   3  allow");
	harness_check_contains(r.out, "unix:/dead.sock  error: UNAVAILABLE");
	harness_check_contains(r.out, "unix:/c.sock  (no rules)\n");
	harness_free(&r);
}

/* A host whose stream fails after a page is an error, not a partial listing. */
static void test_cli_rules_output_list_midstream_failure(void **state)
{
	struct fake_host hosts[2] = { { 0 }, { 0 } };
	struct canned_rules c;
	struct harness_run r;

	(void)state;
	canned_rules_init(&c, NOW_NS);
	hosts[0].stream = c.pages;
	hosts[0].n_stream = 2;
	hosts[1].stream = c.pages;
	hosts[1].n_stream = 1;
	hosts[1].fail = true;
	hosts[1].code = GRPC_STATUS_DEADLINE_EXCEEDED;
	hosts[1].message = "Deadline Exceeded";
	fake_rpc_set(hosts, 2);
	RUN(&r, "-H", "unix:/a.sock,unix:/b.sock", "-o", "json", "rules", "list");
	assert_int_equal(r.status, 1);
	harness_check_contains(r.out, "{\"host\":\"unix:/b.sock\",\"ok\":false,\"code\":\"DEADLINE_EXCEEDED\","
			      "\"error\":\"DEADLINE_EXCEEDED: Deadline Exceeded\"}]\n");
	harness_check_contains(r.out, "{\"host\":\"unix:/a.sock\",\"ok\":true,\"rules\":[{\"id\":1,");
	harness_free(&r);
}

static void test_cli_rules_output_added(void **state)
{
	Xdpfleet__V1__AddRulesResponse a = XDPFLEET__V1__ADD_RULES_RESPONSE__INIT,
				       b = XDPFLEET__V1__ADD_RULES_RESPONSE__INIT;
	uint64_t ids_a[1000], ids_b[3] = { 7, 9, 10 };
	struct fake_host hosts[3] = { { 0 }, fake_rpc_dead, { 0 } };
	struct harness_run r;
	size_t i;

	(void)state;
	for (i = 0; i < 1000; i++)
		ids_a[i] = i + 1;
	a.ids = ids_a;
	a.n_ids = 1000;
	a.added = 1000;
	b.ids = ids_b;
	b.n_ids = 3;
	b.added = 0;
	b.updated = 1; /* a re-added rule with a new TTL or comment */
	b.duplicates = 2;
	hosts[0].resp = &a.base;
	hosts[2].resp = &b.base;
	fake_rpc_set(hosts, 3);
	RUN(&r, "-H", HOSTS, "drop", "add", "192.0.2.1");
	assert_int_equal(r.status, 1);
	assert_string_equal(r.out,
			    "HOST                ADDED   UPDATED   PRESENT  IDS\n"
			    "unix:/a.sock         1000         0         0  1-1000\n"
			    "unix:/dead.sock  error: UNAVAILABLE: failed to connect to all addresses\n"
			    "unix:/c.sock            0         1         2  7,9-10\n"
			    "1000 added, 1 updated, 2 already present on 2 of 3 hosts\n");
	harness_check_contains(r.err, "1 of 3 hosts failed");
	harness_free(&r);

	/* --no-headers: the host rows only, anywhere on the line. */
	fake_rpc_set(hosts, 3);
	RUN(&r, "-H", HOSTS, "drop", "add", "192.0.2.1", "--no-headers");
	assert_string_equal(r.out,
			    "unix:/a.sock         1000         0         0  1-1000\n"
			    "unix:/dead.sock  error: UNAVAILABLE: failed to connect to all addresses\n"
			    "unix:/c.sock            0         1         2  7,9-10\n");
	harness_free(&r);

	a.n_ids = 2;
	a.added = 2;
	fake_rpc_set(hosts, 3);
	RUN(&r, "-H", HOSTS, "-o", "json", "drop", "add", "192.0.2.1", "192.0.2.2");
	assert_string_equal(r.out,
			    "[{\"host\":\"unix:/a.sock\",\"ok\":true,\"added\":2,\"updated\":0,\"already_present\":0,"
			    "\"ids\":[1,2]},"
			    "{\"host\":\"unix:/dead.sock\",\"ok\":false,\"code\":\"UNAVAILABLE\","
			    "\"error\":\"UNAVAILABLE: failed to connect to all addresses\"},"
			    "{\"host\":\"unix:/c.sock\",\"ok\":true,\"added\":0,\"updated\":1,\"already_present\":2,"
			    "\"ids\":[7,9,10]}]\n");
	harness_free(&r);
}

/* Ids that do not fit the column end in "...". */
static void test_cli_rules_output_added_many_ranges(void **state)
{
	Xdpfleet__V1__AddRulesResponse a = XDPFLEET__V1__ADD_RULES_RESPONSE__INIT;
	struct fake_host hosts[1] = { { 0 } };
	struct harness_run r;
	uint64_t ids[200];
	size_t i;

	(void)state;
	for (i = 0; i < 200; i++)
		ids[i] = 2 * i + 1000;
	a.ids = ids;
	a.n_ids = 200;
	a.added = 200;
	hosts[0].resp = &a.base;
	fake_rpc_set(hosts, 1);
	RUN(&r, "-H", "unix:/a.sock", "drop", "add", "192.0.2.1");
	assert_int_equal(r.status, 0);
	harness_check_contains(r.out, "unix:/a.sock       200         0         0  1000,1002,1004,");
	harness_check_contains(r.out, "...\n200 added, 0 updated, 0 already present on 1 host\n");
	assert_true(strcspn(strchr(r.out, '\n') + 1, "\n") + 1 <= 12 + 2 + 8 + 2 + 8 + 2 + 8 + 2 + 71 + 1);
	harness_free(&r);
}

static void test_cli_rules_output_deleted(void **state)
{
	Xdpfleet__V1__DeleteRulesResponse d = XDPFLEET__V1__DELETE_RULES_RESPONSE__INIT;
	Xdpfleet__V1__FlushRulesResponse fl = XDPFLEET__V1__FLUSH_RULES_RESPONSE__INIT;
	struct fake_host hosts[2] = { { 0 }, fake_rpc_dead };
	struct harness_run r;

	(void)state;
	d.deleted = 3;
	hosts[0].resp = &d.base;
	fake_rpc_set(hosts, 2);
	RUN(&r, "-H", "unix:/a.sock,unix:/dead.sock", "rules", "del", "1", "2", "3");
	assert_int_equal(r.status, 1);
	assert_string_equal(r.out, "HOST             DELETED\n"
				   "unix:/a.sock           3\n"
				   "unix:/dead.sock  error: UNAVAILABLE: failed to connect to all "
				   "addresses\n");
	harness_free(&r);

	fl.deleted = 100000;
	hosts[0].resp = &fl.base;
	fake_rpc_set(hosts, 1);
	RUN(&r, "-H", "unix:/a.sock", "-o", "json", "rules", "flush");
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "[{\"host\":\"unix:/a.sock\",\"ok\":true,\"deleted\":100000}]\n");
	assert_string_equal(r.err, "");
	harness_free(&r);
}

/* A load's JSON carries the file summary in every host's object. */
static void test_cli_rules_output_load_json(void **state)
{
	char path[] = "/tmp/test_cli_rules_outXXXXXX";
	Xdpfleet__V1__AddRulesResponse a = XDPFLEET__V1__ADD_RULES_RESPONSE__INIT;
	struct fake_host hosts[1] = { { 0 } };
	uint64_t ids[2] = { 5, 6 };
	struct harness_run r;
	FILE *f;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs("# x\n192.0.2.0/24\n192.0.2.0/24\n192.0.2.9\n", f);
	fclose(f);
	a.ids = ids;
	a.n_ids = 2;
	a.added = 1;
	a.duplicates = 1;
	hosts[0].resp = &a.base;
	fake_rpc_set(hosts, 1);
	RUN(&r, "-H", "unix:/a.sock", "-o", "json", "monitor", "load", path);
	assert_int_equal(r.status, 0);
	harness_check_contains(r.out, "[{\"host\":\"unix:/a.sock\",\"ok\":true,\"added\":1,"
			      "\"updated\":0,\"already_present\":1,\"ids\":[5,6],\"load\":{\"file\":\"/tmp/");
	harness_check_contains(r.out, "\",\"lines\":4,\"entries\":2,\"duplicates\":1,\"invalid\":0,"
			      "\"nested\":1}}]\n");
	harness_check_contains(r.err, ":3: '192.0.2.0/24' repeats line 2 (folded)\n");
	harness_free(&r);
	unlink(path);
}

/* An agent's refusal names the request index; a load adds the file line it came from. */
static void test_cli_rules_output_load_refused(void **state)
{
	char path[] = "/tmp/test_cli_rules_outXXXXXX";
	struct fake_host hosts[1] = { {
		.fail = true,
		.code = GRPC_STATUS_FAILED_PRECONDITION,
		.message = "rules[1]: drop 127.0.0.0/8 would match this client's own address",
	} };
	struct harness_run r;
	FILE *f;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs("# x\n10.0.0.0/8\n10.0.0.0/8\n\n127.0.0.0/8 ; me\n", f);
	fclose(f);
	fake_rpc_set(hosts, 1);
	RUN(&r, "-H", "unix:/a.sock", "drop", "load", path);
	assert_int_equal(r.status, 1);
	harness_check_contains(r.out, "unix:/a.sock  error: FAILED_PRECONDITION: rules[1]: drop 127.0.0.0/8 "
			      "would match this client's own address (/tmp/");
	harness_check_contains(r.out, " line 5)\n");
	harness_free(&r);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_cli_rules_output_list_json, fake_rpc_setup,
						fake_rpc_teardown),
		cmocka_unit_test_setup_teardown(test_cli_rules_output_list_table, fake_rpc_setup,
						fake_rpc_teardown),
		cmocka_unit_test_setup_teardown(test_cli_rules_output_list_cli, fake_rpc_setup,
						fake_rpc_teardown),
		cmocka_unit_test_setup_teardown(test_cli_rules_output_list_midstream_failure, fake_rpc_setup,
						fake_rpc_teardown),
		cmocka_unit_test_setup_teardown(test_cli_rules_output_added, fake_rpc_setup,
						fake_rpc_teardown),
		cmocka_unit_test_setup_teardown(test_cli_rules_output_added_many_ranges, fake_rpc_setup,
						fake_rpc_teardown),
		cmocka_unit_test_setup_teardown(test_cli_rules_output_deleted, fake_rpc_setup,
						fake_rpc_teardown),
		cmocka_unit_test_setup_teardown(test_cli_rules_output_load_json, fake_rpc_setup,
						fake_rpc_teardown),
		cmocka_unit_test_setup_teardown(test_cli_rules_output_load_refused, fake_rpc_setup,
						fake_rpc_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
