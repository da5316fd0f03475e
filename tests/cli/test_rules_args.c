// SPDX-License-Identifier: GPL-2.0-only
/* Rule commands' arguments: every usage error exits 2 naming the bad option or value and sends
 * nothing; good arguments and blocklist files become exactly the expected requests. */
#include <errno.h>
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
#include "rules_args.h"
#include "xdpfleet/v1/agent.pb-c.h"
#include "array_size.h"

#define RUN(r, ...) harness_run((r), NULL, __VA_ARGS__, NULL)

static struct fake_host ok_hosts[4];
static char tmpfile_path[64];

static int setup(void **state)
{
	fake_rpc_setup(state);
	fake_rpc_set(ok_hosts, 4);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fake_rpc_reset();
	if (tmpfile_path[0])
		unlink(tmpfile_path);
	tmpfile_path[0] = '\0';
	return 0;
}

/* A file holding text; its path stays valid until teardown. */
static const char *write_file(const char *text)
{
	FILE *f;
	int fd;

	snprintf(tmpfile_path, sizeof(tmpfile_path), "/tmp/test_cli_rulesXXXXXX");
	fd = mkstemp(tmpfile_path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return tmpfile_path;
}

/* Exit 2, nothing sent, nothing on stdout, and stderr says want. */
static void check_usage(const char *want, ...)
{
	struct harness_run r;
	char *argv[16] = { 0 };
	va_list ap;
	int n = 0;

	va_start(ap, want);
	while (n < 15 && (argv[n] = va_arg(ap, char *)))
		n++;
	va_end(ap);
	fake_rpc_set(ok_hosts, 4);
	harness_run(&r, NULL, argv[0], argv[1], argv[2], argv[3], argv[4], argv[5], argv[6],
		    argv[7], argv[8], argv[9], argv[10], NULL);
	if (!strstr(r.err, want))
		fail_msg("stderr '%s' lacks '%s'", r.err, want);
	assert_int_equal(r.status, 2);
	assert_int_equal(fake_rpc_last.calls, 0);
	assert_string_equal(r.out, "");
	harness_free(&r);
}

static void test_cli_rules_args_errors(void **state)
{
	(void)state;
	check_usage("xdpfleet drop add: missing PREFIX", "drop", "add", NULL);
	check_usage("xdpfleet drop add: missing PREFIX", "drop", "add", "--proto", "tcp", NULL);
	check_usage("xdpfleet drop: missing subcommand", "drop", NULL);
	check_usage("xdpfleet drop: unknown subcommand 'ad'", "drop", "ad", "1.2.3.4", NULL);
	check_usage("xdpfleet drop add: invalid prefix '10.1.2.3/8': host bits set after the "
		    "prefix length (the network is 10.0.0.0/8; --normalise clears host bits)",
		    "drop", "add", "10.1.2.3/8", NULL);
	check_usage("invalid prefix '2001:db8::1/32': host bits set after the prefix length (the "
		    "network is 2001:db8::/32", "allow", "add", "2001:db8::1/32", NULL);
	check_usage("xdpfleet drop add: invalid prefix '192.0.2.300': not an IPv4 address",
		    "drop", "add", "192.0.2.1", "192.0.2.300", NULL);
	check_usage("invalid prefix '10.0.0.0/33': prefix length must be 0..32", "drop", "add",
		    "10.0.0.0/33", NULL);
	check_usage("invalid prefix 'web1': not an IPv4 address", "drop", "add", "web1", NULL);
	check_usage("invalid prefix '': empty address", "drop", "add", "", NULL);
	check_usage("--proto: invalid value 'sctp' (expected any, tcp, udp, icmp or icmpv6)",
		    "drop", "add", "1.2.3.4", "--proto", "sctp", NULL);
	check_usage("--port needs --proto tcp or --proto udp", "drop", "add", "1.2.3.4", "--port",
		    "80", NULL);
	check_usage("--port needs --proto tcp or --proto udp", "drop", "add", "1.2.3.4", "--port",
		    "80", "--proto", "icmp", NULL);
	check_usage("--port: invalid value '0'", "drop", "add", "1.2.3.4", "--proto", "tcp",
		    "--port", "0", NULL);
	check_usage("--port: invalid value '70000'", "drop", "add", "1.2.3.4", "--proto", "tcp",
		    "--port", "70000", NULL);
	check_usage("--port: invalid value '90-80' (expected a port 1-65535, or a range N-M with "
		    "N <= M)", "drop", "add", "1.2.3.4", "--proto", "udp", "--port", "90-80", NULL);
	check_usage("--port: invalid value '80-'", "drop", "add", "1.2.3.4", "--proto", "udp",
		    "--port", "80-", NULL);
	check_usage("--ttl: invalid duration '0'", "drop", "add", "1.2.3.4", "--ttl", "0", NULL);
	check_usage("--ttl: invalid duration '0s'", "drop", "add", "1.2.3.4", "--ttl", "0s", NULL);
	check_usage("--ttl: invalid duration '-5m'", "drop", "add", "1.2.3.4", "--ttl", "-5m", NULL);
	check_usage("--ttl: invalid duration '10x'", "drop", "add", "1.2.3.4", "--ttl", "10x", NULL);
	check_usage("--ttl: invalid duration 'soon'", "drop", "add", "1.2.3.4", "--ttl", "soon",
		    NULL);
	check_usage("--ttl: invalid duration '1h30'", "drop", "add", "1.2.3.4", "--ttl", "1h30",
		    NULL);
	check_usage("--ttl: invalid duration '99999d'", "drop", "add", "1.2.3.4", "--ttl",
		    "99999d", NULL);
	check_usage("option '--ttl' needs a value", "drop", "add", "1.2.3.4", "--ttl", NULL);
	check_usage("--comment: control characters", "drop", "add", "1.2.3.4", "--comment",
		    "a\nb", NULL);
	check_usage("xdpfleet limit add: limit rules need --pps N", "limit", "add", "1.2.3.4",
		    NULL);
	check_usage("--pps: invalid value '0'", "limit", "add", "1.2.3.4", "--pps", "0", NULL);
	check_usage("--pps: invalid value 'fast'", "limit", "add", "1.2.3.4", "--pps", "fast",
		    NULL);
	check_usage("xdpfleet drop add: --pps applies to limit rules only", "drop", "add",
		    "1.2.3.4", "--pps", "10", NULL);
	check_usage("xdpfleet drop add: option '--skip-invalid' does not apply here", "drop", "add",
		    "1.2.3.4", "--skip-invalid", NULL);
	check_usage("xdpfleet monitor add: unknown option '--frob'", "monitor", "add", "1.2.3.4",
		    "--frob", NULL);
	check_usage("xdpfleet drop load: missing FILE", "drop", "load", NULL);
	check_usage("xdpfleet drop load: unexpected argument 'b.txt' (one FILE per load)", "drop",
		    "load", "a.txt", "b.txt", NULL);
	check_usage("xdpfleet allow load: cannot open '/nonexistent/list': No such file", "allow",
		    "load", "/nonexistent/list", NULL);
	check_usage("xdpfleet rules: missing subcommand", "rules", NULL);
	check_usage("xdpfleet rules list: --action: invalid value 'block' (expected drop, allow, "
		    "limit or monitor)", "rules", "list", "--action", "block", NULL);
	check_usage("xdpfleet: --output: invalid value 'xml' (expected table, json or jsonl)", "rules", "list", "-o",
		    "xml", NULL);
	check_usage("xdpfleet rules list: unexpected argument 'drop'", "rules", "list", "drop",
		    NULL);
	check_usage("xdpfleet rules del: missing ID or PREFIX", "rules", "del", NULL);
	check_usage("xdpfleet rules del: invalid rule id '0'", "rules", "del", "0", NULL);
	check_usage("xdpfleet rules del: invalid prefix '12a': not an IPv4 address", "rules", "del",
		    "12a", NULL);
	check_usage("--proto/--port narrow PREFIX matches, and only ids were given", "rules",
		    "del", "7", "--proto", "tcp", NULL);
	check_usage("xdpfleet rules del: option '--ttl' does not apply here", "rules", "del", "7",
		    "--ttl", "1m", NULL);
	check_usage("xdpfleet rules flush: unexpected argument 'all'", "rules", "flush", "all",
		    NULL);
	check_usage("Try 'xdpfleet drop add --help'", "drop", "add", NULL);
}

static void test_cli_rules_args_load_errors(void **state)
{
	struct harness_run r;
	const char *path;

	(void)state;
	path = write_file("# list\n192.0.2.1\n192.0.2.300\r\n10.1.2.3/8 ; SBL1\n198.51.100.0/24\n");
	RUN(&r, "drop", "load", path);
	assert_int_equal(r.status, 2);
	assert_int_equal(fake_rpc_last.calls, 0);
	assert_string_equal(r.out, "");
	if (!strstr(r.err, ":3: invalid entry '192.0.2.300': not an IPv4 address") ||
	    !strstr(r.err, ":4: invalid entry '10.1.2.3/8': host bits set after the prefix length "
			   "(the network is 10.0.0.0/8") ||
	    !strstr(r.err, ": 2 invalid lines, nothing sent (fix them, or use --skip-invalid"))
		fail_msg("stderr: %s", r.err);
	harness_free(&r);

	path = write_file("# nothing here\n\n; nor here\n");
	RUN(&r, "drop", "load", path);
	assert_int_equal(r.status, 2);
	assert_int_equal(fake_rpc_last.calls, 0);
	assert_non_null(strstr(r.err, ": no entries in 3 lines, nothing sent"));
	harness_free(&r);
}

static void check_rule(const Xdpfleet__V1__Rule *r, Xdpfleet__V1__RuleAction action,
		       const char *src, Xdpfleet__V1__Protocol proto, uint32_t pmin, uint32_t pmax)
{
	assert_int_equal(r->action, action);
	assert_non_null(r->match);
	assert_string_equal(r->match->src, src);
	assert_int_equal(r->match->proto, proto);
	assert_int_equal(r->match->port_min, pmin);
	assert_int_equal(r->match->port_max, pmax);
	assert_int_equal(r->id, 0);
}

static void test_cli_rules_args_add_request(void **state)
{
	Xdpfleet__V1__AddRulesRequest *q;
	struct harness_run r;
	size_t i;

	(void)state;
	RUN(&r, "-H", "unix:/a.sock,unix:/b.sock", "drop", "add", "203.0.113.0/24", "192.0.2.7",
	    "2001:DB8::/32", "192.0.2.7/32", "--ttl", "10m", "--comment", "flood 11-26");
	assert_int_equal(r.status, 0);
	assert_int_equal(fake_rpc_last.calls, 1);
	assert_string_equal(fake_rpc_last.method, "AddRules");
	assert_int_equal(fake_rpc_last.n_targets, 2);
	assert_false(fake_rpc_last.opts.stream);
	q = (Xdpfleet__V1__AddRulesRequest *)fake_rpc_last.req;
	assert_false(q->force);
	/* The repeated 192.0.2.7 is sent once. */
	assert_int_equal(q->n_rules, 3);
	check_rule(q->rules[0], XDPFLEET__V1__RULE_ACTION__RULE_ACTION_DROP, "203.0.113.0/24",
		   XDPFLEET__V1__PROTOCOL__PROTOCOL_ANY, 0, 0);
	check_rule(q->rules[1], XDPFLEET__V1__RULE_ACTION__RULE_ACTION_DROP, "192.0.2.7/32",
		   XDPFLEET__V1__PROTOCOL__PROTOCOL_ANY, 0, 0);
	check_rule(q->rules[2], XDPFLEET__V1__RULE_ACTION__RULE_ACTION_DROP, "2001:db8::/32",
		   XDPFLEET__V1__PROTOCOL__PROTOCOL_ANY, 0, 0);
	for (i = 0; i < q->n_rules; i++) {
		assert_int_equal(q->rules[i]->ttl_seconds, 600);
		assert_string_equal(q->rules[i]->comment, "flood 11-26");
		assert_int_equal(q->rules[i]->limit_pps, 0);
	}
	harness_free(&r);

	RUN(&r, "limit", "add", "any", "198.51.100.0/24", "--pps", "1000", "--proto", "udp",
	    "--port", "53", "--force", "--ttl", "1h30m");
	assert_int_equal(r.status, 0);
	q = (Xdpfleet__V1__AddRulesRequest *)fake_rpc_last.req;
	assert_true(q->force);
	assert_int_equal(q->n_rules, 2);
	check_rule(q->rules[0], XDPFLEET__V1__RULE_ACTION__RULE_ACTION_LIMIT, "198.51.100.0/24",
		   XDPFLEET__V1__PROTOCOL__PROTOCOL_UDP, 53, 53);
	check_rule(q->rules[1], XDPFLEET__V1__RULE_ACTION__RULE_ACTION_LIMIT, "",
		   XDPFLEET__V1__PROTOCOL__PROTOCOL_UDP, 53, 53);
	assert_int_equal(q->rules[0]->limit_pps, 1000);
	assert_int_equal(q->rules[1]->ttl_seconds, 5400);
	assert_string_equal(q->rules[1]->comment, "");
	harness_free(&r);

	RUN(&r, "allow", "add", "10.1.2.3/8", "--normalise", "--proto", "tcp", "--port",
	    "1000-2000");
	assert_int_equal(r.status, 0);
	q = (Xdpfleet__V1__AddRulesRequest *)fake_rpc_last.req;
	assert_int_equal(q->n_rules, 1);
	check_rule(q->rules[0], XDPFLEET__V1__RULE_ACTION__RULE_ACTION_ALLOW, "10.0.0.0/8",
		   XDPFLEET__V1__PROTOCOL__PROTOCOL_TCP, 1000, 2000);
	assert_int_equal(q->rules[0]->ttl_seconds, 0);
	harness_free(&r);

	RUN(&r, "monitor", "add", "2001:db8::1", "--proto", "icmpv6", "--ttl", "90");
	assert_int_equal(r.status, 0);
	q = (Xdpfleet__V1__AddRulesRequest *)fake_rpc_last.req;
	check_rule(q->rules[0], XDPFLEET__V1__RULE_ACTION__RULE_ACTION_MONITOR, "2001:db8::1/128",
		   XDPFLEET__V1__PROTOCOL__PROTOCOL_ICMPV6, 0, 0);
	assert_int_equal(q->rules[0]->ttl_seconds, 90);
	harness_free(&r);
}

static void test_cli_rules_args_durations(void **state)
{
	static const struct { const char *s; uint64_t v; } good[] = {
		{ "30s", 30 }, { "10m", 600 }, { "2h", 7200 }, { "1d", 86400 }, { "45", 45 },
		{ "1h30m", 5400 }, { "1w", 604800 }, { "3650d", 3650ull * 86400 },
	};
	static const char *const bad[] = { "", "0", "0m", "-1", "+5", "1.5h", "5 m", "m", "1y",
					   "3651d", "99999999999999999999" };
	uint64_t v;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(good); i++) {
		assert_int_equal(rules_args_parse_duration(good[i].s, &v), 0);
		assert_int_equal(v, good[i].v);
	}
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		if (!rules_args_parse_duration(bad[i], &v))
			fail_msg("'%s' accepted", bad[i]);
}

static void test_cli_rules_args_load_request(void **state)
{
	static const char text[] =
		"; Spamhaus DROP List\r\n"
		"203.0.113.0/24 ; SBL000001\r\n"
		"2001:db8:1000::/36 ; SBL000002\r\n"
		"\r\n"
		"192.0.2.7   # host\r\n"
		"203.0.113.0/24\r\n"
		"bogus\r\n"
		"203.0.113.9\r\n";
	Xdpfleet__V1__AddRulesRequest *q;
	struct harness_run r;
	const char *path;

	(void)state;
	path = write_file(text);
	RUN(&r, "-H", "unix:/a.sock,unix:/b.sock,unix:/c.sock", "drop", "load", path,
	    "--skip-invalid", "--ttl", "1d", "--comment", "spamhaus");
	assert_int_equal(r.status, 0);
	/* One request, to all three hosts. */
	assert_int_equal(fake_rpc_last.calls, 1);
	assert_int_equal(fake_rpc_last.n_targets, 3);
	q = (Xdpfleet__V1__AddRulesRequest *)fake_rpc_last.req;
	assert_int_equal(q->n_rules, 4);
	check_rule(q->rules[0], XDPFLEET__V1__RULE_ACTION__RULE_ACTION_DROP, "203.0.113.0/24",
		   XDPFLEET__V1__PROTOCOL__PROTOCOL_ANY, 0, 0);
	check_rule(q->rules[1], XDPFLEET__V1__RULE_ACTION__RULE_ACTION_DROP, "2001:db8:1000::/36",
		   XDPFLEET__V1__PROTOCOL__PROTOCOL_ANY, 0, 0);
	check_rule(q->rules[2], XDPFLEET__V1__RULE_ACTION__RULE_ACTION_DROP, "192.0.2.7/32",
		   XDPFLEET__V1__PROTOCOL__PROTOCOL_ANY, 0, 0);
	check_rule(q->rules[3], XDPFLEET__V1__RULE_ACTION__RULE_ACTION_DROP, "203.0.113.9/32",
		   XDPFLEET__V1__PROTOCOL__PROTOCOL_ANY, 0, 0);
	assert_int_equal(q->rules[3]->ttl_seconds, 86400);
	assert_string_equal(q->rules[3]->comment, "spamhaus");
	/* Invalid and duplicate lines named with their line numbers; the summary on stdout. */
	if (!strstr(r.err, ":7: invalid entry 'bogus': not an IPv4 address") ||
	    !strstr(r.err, ":6: '203.0.113.0/24' repeats line 2 (folded)"))
		fail_msg("stderr: %s", r.err);
	if (!strstr(r.out, ": 8 lines, 4 entries, 1 duplicates folded, 1 invalid skipped, 1 inside "
			   "another entry\n"))
		fail_msg("stdout: %s", r.out);
	harness_free(&r);

	RUN(&r, "limit", "load", path, "--skip-invalid", "--pps", "50", "--proto", "tcp", "--port",
	    "443");
	assert_int_equal(r.status, 0);
	q = (Xdpfleet__V1__AddRulesRequest *)fake_rpc_last.req;
	assert_int_equal(q->n_rules, 4);
	check_rule(q->rules[1], XDPFLEET__V1__RULE_ACTION__RULE_ACTION_LIMIT, "2001:db8:1000::/36",
		   XDPFLEET__V1__PROTOCOL__PROTOCOL_TCP, 443, 443);
	assert_int_equal(q->rules[1]->limit_pps, 50);
	harness_free(&r);
}

/* "-" reads stdin. */
static void test_cli_rules_args_load_stdin(void **state)
{
	Xdpfleet__V1__AddRulesRequest *q;
	struct harness_run r;
	const char *path;

	(void)state;
	path = write_file("198.51.100.1\n198.51.100.2\n");
	assert_non_null(freopen(path, "r", stdin));
	RUN(&r, "allow", "load", "-");
	assert_int_equal(r.status, 0);
	q = (Xdpfleet__V1__AddRulesRequest *)fake_rpc_last.req;
	assert_int_equal(q->n_rules, 2);
	check_rule(q->rules[1], XDPFLEET__V1__RULE_ACTION__RULE_ACTION_ALLOW, "198.51.100.2/32",
		   XDPFLEET__V1__PROTOCOL__PROTOCOL_ANY, 0, 0);
	assert_non_null(strstr(r.out, "-: 2 lines, 2 entries"));
	harness_free(&r);
	assert_non_null(freopen("/dev/null", "r", stdin));
}

static void test_cli_rules_args_other_requests(void **state)
{
	Xdpfleet__V1__DeleteRulesRequest *d;
	Xdpfleet__V1__FlushRulesRequest *fl;
	Xdpfleet__V1__ListRulesRequest *l;
	struct harness_run r;

	(void)state;
	RUN(&r, "rules", "del", "17", "203.0.113.0/24", "18", "any", "--proto", "udp", "--port",
	    "53");
	assert_int_equal(r.status, 0);
	assert_string_equal(fake_rpc_last.method, "DeleteRules");
	d = (Xdpfleet__V1__DeleteRulesRequest *)fake_rpc_last.req;
	assert_int_equal(d->n_ids, 2);
	assert_int_equal(d->ids[0], 17);
	assert_int_equal(d->ids[1], 18);
	assert_int_equal(d->n_matches, 2);
	assert_string_equal(d->matches[0]->src, "203.0.113.0/24");
	assert_int_equal(d->matches[0]->proto, XDPFLEET__V1__PROTOCOL__PROTOCOL_UDP);
	assert_int_equal(d->matches[0]->port_min, 53);
	assert_int_equal(d->matches[0]->port_max, 53);
	assert_string_equal(d->matches[1]->src, "");
	harness_free(&r);

	RUN(&r, "rules", "del", "2001:db8::5");
	d = (Xdpfleet__V1__DeleteRulesRequest *)fake_rpc_last.req;
	assert_int_equal(d->n_ids, 0);
	assert_int_equal(d->n_matches, 1);
	assert_string_equal(d->matches[0]->src, "2001:db8::5/128");
	assert_int_equal(d->matches[0]->proto, XDPFLEET__V1__PROTOCOL__PROTOCOL_ANY);
	harness_free(&r);

	RUN(&r, "rules", "flush", "--action", "monitor");
	assert_int_equal(r.status, 0);
	assert_string_equal(fake_rpc_last.method, "FlushRules");
	fl = (Xdpfleet__V1__FlushRulesRequest *)fake_rpc_last.req;
	assert_int_equal(fl->action, XDPFLEET__V1__RULE_ACTION__RULE_ACTION_MONITOR);
	harness_free(&r);

	RUN(&r, "rules", "flush");
	fl = (Xdpfleet__V1__FlushRulesRequest *)fake_rpc_last.req;
	assert_int_equal(fl->action, XDPFLEET__V1__RULE_ACTION__RULE_ACTION_UNSPECIFIED);
	harness_free(&r);

	RUN(&r, "--timeout", "2", "rules", "list", "--action", "limit");
	assert_int_equal(r.status, 0);
	assert_string_equal(fake_rpc_last.method, "ListRules");
	assert_true(fake_rpc_last.opts.stream);
	assert_int_equal(fake_rpc_last.opts.timeout_ms, 2000);
	l = (Xdpfleet__V1__ListRulesRequest *)fake_rpc_last.req;
	assert_int_equal(l->action, XDPFLEET__V1__RULE_ACTION__RULE_ACTION_LIMIT);
	harness_free(&r);
}

static void test_cli_rules_args_help(void **state)
{
	static const char *const cmds[][2] = {
		{ "drop", NULL }, { "drop", "add" }, { "drop", "load" },
		{ "allow", NULL }, { "allow", "add" }, { "allow", "load" },
		{ "limit", NULL }, { "limit", "add" }, { "limit", "load" },
		{ "monitor", NULL }, { "monitor", "add" }, { "monitor", "load" },
		{ "rules", NULL }, { "rules", "list" }, { "rules", "del" }, { "rules", "flush" },
	};
	struct harness_run r, r2;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		RUN(&r, "help", cmds[i][0], cmds[i][1]);
		if (cmds[i][1])
			RUN(&r2, cmds[i][0], cmds[i][1], "--help");
		else
			RUN(&r2, cmds[i][0], "--help");
		assert_int_equal(r.status, 0);
		assert_int_equal(r2.status, 0);
		assert_string_equal(r.out, r2.out);
		assert_non_null(strstr(r.out, "Usage: xdpfleet [GLOBAL OPTIONS] "));
		assert_non_null(strstr(r.out, "Examples:"));
		assert_non_null(strstr(r.out, "Exit status: 0"));
		assert_non_null(strstr(r.out, "allow > drop > limit > monitor > default pass"));
		harness_free(&r);
		harness_free(&r2);
	}
	RUN(&r, "drop", "load", "--help");
	assert_non_null(strstr(r.out, "FireHOL"));
	assert_non_null(strstr(r.out, "Spamhaus"));
	assert_non_null(strstr(r.out, "--skip-invalid"));
	harness_free(&r);
	RUN(&r, "--help");
	assert_non_null(strstr(r.out, "  drop       "));
	assert_non_null(strstr(r.out, "  rules      "));
	harness_free(&r);
	assert_int_equal(fake_rpc_last.calls, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_cli_rules_args_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cli_rules_args_load_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cli_rules_args_add_request, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cli_rules_args_durations, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cli_rules_args_load_request, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cli_rules_args_load_stdin, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cli_rules_args_other_requests, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cli_rules_args_help, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
