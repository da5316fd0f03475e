// SPDX-License-Identifier: GPL-2.0-only
/* Global options from anywhere on the line, from XDPFLEET_* variables and from config files,
 * with their precedence and 'xdpfleet config' naming each source; hosts files with labels,
 * -l selection, default ports, per-target TLS names reaching the transport; --no-headers;
 * progress on a terminal. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "args.h"
#include "canned.h"
#include "commands.h"
#include "fake_rpc.h"
#include "harness.h"
#include "json_parse.h"

#define RUN(r, ...) harness_run((r), NULL, __VA_ARGS__, NULL)

static struct fake_host ok_hosts[FAKE_RPC_MAX_TARGETS];
static char tmpdir[64];

static void put_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup(void **state)
{
	fake_rpc_setup(state);
	fake_rpc_set(ok_hosts, FAKE_RPC_MAX_TARGETS);
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_cli_globalsXXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	harness_err_tty = false;
	harness_system_config = NULL;
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	assert_int_equal(system(cmd), 0);
	harness_err_tty = false;
	harness_system_config = NULL;
	return fake_rpc_teardown(state);
}

/* The "settings" entry of key in 'xdpfleet config -o json' output. */
static const struct jp_value *setting(const struct jp_value *doc, const char *key)
{
	const struct jp_value *list = jp_get(doc, "settings");

	for (size_t i = 0; list && i < list->n; i++)
		if (!strcmp(jp_str(&list->items[i], "key"), key))
			return &list->items[i];
	fail_msg("no setting %s", key);
	return NULL;
}

static struct jp_value *config_json(void)
{
	struct harness_run r;
	struct jp_value *doc;

	RUN(&r, "config", "-o", "json");
	if (r.status)
		fail_msg("config failed: %s", r.err);
	doc = jp_parse(r.out, strlen(r.out));
	if (!doc)
		fail_msg("not JSON: %s", r.out);
	harness_free(&r);
	return doc;
}

static void check_setting(const struct jp_value *doc, const char *key, const char *value,
			  const char *source, const char *where_part)
{
	const struct jp_value *s = setting(doc, key);
	const char *where = jp_str(s, "where");

	assert_string_equal(jp_str(s, "value"), value);
	assert_string_equal(jp_str(s, "source"), source);
	if (where_part && (!where || !strstr(where, where_part)))
		fail_msg("%s: where '%s' lacks '%s'", key, where ? where : "(null)", where_part);
}

static void test_options_anywhere(void **state)
{
	struct canned_attachments att;
	struct fake_host hosts[2] = { { 0 }, { 0 } };
	struct harness_run r, r2;

	(void)state;
	canned_attachments_init(&att);
	hosts[0].resp = &att.resp.base;
	fake_rpc_set(hosts, 1);
	/* After the command word, before it, and in the middle of a command's options. */
	RUN(&r, "status", "-o", "json");
	RUN(&r2, "-o", "json", "status");
	assert_int_equal(r.status, 0);
	assert_true(r.out[0] == '[');
	assert_string_equal(r.out, r2.out);
	harness_free(&r);
	harness_free(&r2);

	fake_rpc_set(ok_hosts, 2);
	RUN(&r, "drop", "add", "192.0.2.1", "-H", "h1,h2", "--timeout=2s", "--ttl", "1h");
	assert_int_equal(r.status, 0);
	assert_string_equal(fake_rpc_last.method, "AddRules");
	assert_int_equal(fake_rpc_last.n_targets, 2);
	assert_string_equal(fake_rpc_last.targets[0], "h1:50051");
	assert_string_equal(fake_rpc_last.targets[1], "h2:50051");
	assert_int_equal(fake_rpc_last.opts.timeout_ms, 2000);
	assert_int_equal(((Xdpfleet__V1__AddRulesRequest *)fake_rpc_last.req)->rules[0]->ttl_seconds,
			 3600);
	harness_free(&r);

	/* A global between a group and its subcommand, and a command option's value that looks
	 * like a global option stays the command's. */
	fake_rpc_set(ok_hosts, 1);
	RUN(&r, "drop", "-H", "unix:/x.sock", "add", "192.0.2.1", "--comment", "-o");
	if (r.status)
		fail_msg("%s", r.err);
	assert_string_equal(fake_rpc_last.targets[0], "unix:/x.sock");
	assert_string_equal(((Xdpfleet__V1__AddRulesRequest *)fake_rpc_last.req)->rules[0]->comment,
			    "-o");
	harness_free(&r);

	/* Nothing after "--" moves; and a global's error names it wherever it was. */
	RUN(&r, "info", "--", "-o", "json");
	assert_int_equal(r.status, 2);
	harness_check_contains(r.err, "xdpfleet info: unexpected argument '-o'");
	harness_free(&r);
	fake_rpc_set(ok_hosts, 1);
	RUN(&r, "info", "--timeout", "soon");
	assert_int_equal(r.status, 2);
	harness_check_contains(r.err, "--timeout: invalid duration 'soon'");
	assert_int_equal(fake_rpc_last.calls, 0);
	harness_free(&r);
	/* -h after a command is still the command's help. */
	RUN(&r, "status", "-h");
	assert_int_equal(r.status, 0);
	harness_check_contains(r.out, "Usage: xdpfleet [GLOBAL OPTIONS] status");
	harness_free(&r);
}

/* The split itself, against a command whose options share names and letters with globals. */
static void test_options_conflicts(void **state)
{
	static const struct option cmd_opts[] = {
		{ "output", required_argument, NULL, 'o' }, /* the command's own -o/--output */
		{ "timer", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	static const struct option sub_opts[] = { { "hosts", no_argument, NULL, 1 }, { NULL, 0, NULL, 0 } };
	static const struct cli_command frob = { .name = "frob", .options = cmd_opts,
						 .shortopts = "o:l" };
	static const struct cli_command sub = { .name = "sub", .options = sub_opts };
	static const struct cli_command *const subs[] = { &sub, NULL };
	static const struct cli_command grp = { .name = "grp", .subcommands = subs };
	static const struct cli_command *const table[] = { &frob, &grp, NULL };
	static const struct option gl[] = {
		{ "hosts", required_argument, NULL, 'H' },
		{ "output", required_argument, NULL, 'o' },
		{ "timeout", required_argument, NULL, 300 },
		{ "selector", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const struct args_globals g = { gl, "H:o:l:V" };
	char *argv1[] = { "xdpfleet", "-H", "a", "frob", "-o", "x", "--output=y", "--tim", "3",
			  "--timeout", "5", "-l", "-H", "b", "--hosts=c", "-h", "op", "--", "-H", "d",
			  NULL };
	char *argv2[] = { "xdpfleet", "grp", "-o", "json", "sub", "--hosts", "-H", "e", NULL };
	struct args_split s;
	int i;

	(void)state;
	assert_int_equal(args_split(&g, table, 20, argv1, 3, &s), 0);
	{
		const char *want_g[] = { "xdpfleet", "--timeout", "5", "-H", "b", "--hosts=c" };
		const char *want_c[] = { "frob", "-o", "x", "--output=y", "--tim", "3", "-l", "-h",
					 "op", "--", "-H", "d" };

		assert_int_equal(s.n_globals, 6);
		for (i = 0; i < s.n_globals; i++)
			assert_string_equal(s.globals[i], want_g[i]);
		assert_int_equal(s.n_cmd, 12);
		for (i = 0; i < s.n_cmd; i++)
			assert_string_equal(s.cmd[i], want_c[i]);
		assert_null(s.cmd[s.n_cmd]);
	}
	args_split_free(&s);
	/* A group has no options: -o before the subcommand is global; the subcommand's own
	 * --hosts (a switch there) is its own, -H is global. */
	assert_int_equal(args_split(&g, table, 8, argv2, 1, &s), 0);
	assert_int_equal(s.n_globals, 5);
	assert_string_equal(s.globals[1], "-o");
	assert_string_equal(s.globals[2], "json");
	assert_string_equal(s.globals[3], "-H");
	assert_string_equal(s.globals[4], "e");
	assert_int_equal(s.n_cmd, 3);
	assert_string_equal(s.cmd[2], "--hosts");
	args_split_free(&s);
}

static void test_no_headers(void **state)
{
	struct canned_info a, b;
	struct fake_host hosts[2] = { { 0 }, { 0 } };
	struct harness_run r;

	(void)state;
	canned_info_init(&a, "web1");
	canned_info_init(&b, "web2");
	hosts[0].resp = &a.resp.base;
	hosts[1].resp = &b.resp.base;
	fake_rpc_set(hosts, 2);
	RUN(&r, "-H", "unix:/a,unix:/b", "info", "--no-headers");
	assert_int_equal(r.status, 0);
	assert_null(strstr(r.out, "HOSTNAME"));
	assert_int_equal(strncmp(r.out, "unix:/a  web1", 13), 0);
	harness_check_contains(r.out, "\nunix:/b  web2");
	harness_free(&r);
	/* From the environment too. */
	setenv("XDPFLEET_NO_HEADERS", "true", 1);
	RUN(&r, "-H", "unix:/a,unix:/b", "info");
	assert_null(strstr(r.out, "HOSTNAME"));
	harness_free(&r);
	unsetenv("XDPFLEET_NO_HEADERS");
}

static void test_env_config_precedence(void **state)
{
	char home[128], dir[160], cfg[192], ca[192], other[192], sys[192];
	struct harness_run r;
	struct jp_value *doc;

	(void)state;
	snprintf(home, sizeof(home), "%s/home", tmpdir);
	snprintf(dir, sizeof(dir), "%s/.config/xdpfleet", home);
	snprintf(cfg, sizeof(cfg), "%s/config", dir);
	snprintf(ca, sizeof(ca), "%s/ca.pem", dir);
	snprintf(other, sizeof(other), "%s/other.pem", tmpdir);
	snprintf(sys, sizeof(sys), "%s/cli.conf", tmpdir);
	assert_int_equal(mkdir(home, 0700), 0);
	snprintf(dir, sizeof(dir), "%s/.config", home);
	assert_int_equal(mkdir(dir, 0700), 0);
	snprintf(dir, sizeof(dir), "%s/.config/xdpfleet", home);
	assert_int_equal(mkdir(dir, 0700), 0);
	put_file(ca, "not really a CA\n");
	put_file(other, "nor this\n");
	/* Defaults first: no file anywhere. */
	setenv("HOME", home, 1);
	doc = config_json();
	check_setting(doc, "timeout", "5s", "default", NULL);
	check_setting(doc, "hosts", "unix:/run/xdpfleet/agent.sock", "default", NULL);
	assert_int_equal(jp_get(doc, "config_file")->type, JP_NULL);
	jp_free(doc);

	/* The system's file when the user has none. */
	put_file(sys, "timeout = 7s\n");
	harness_system_config = sys;
	doc = config_json();
	check_setting(doc, "timeout", "7s", "config", "cli.conf:1");
	jp_free(doc);

	/* The user's file wins over the system's; a relative path is the file's neighbour. */
	put_file(cfg, "# mine\nhosts = unix:/cfg.sock\ntimeout = 9s\n\ntls-ca = ca.pem\n"
		      "output = json\n");
	doc = config_json();
	check_setting(doc, "timeout", "9s", "config", "config:3");
	check_setting(doc, "hosts", "unix:/cfg.sock", "config", "config:2");
	check_setting(doc, "tls-ca", ca, "config", "config:5");
	assert_string_equal(jp_str(doc, "config_file"), cfg);
	jp_free(doc);
	RUN(&r, "info");
	assert_int_equal(r.status, 0);
	assert_string_equal(fake_rpc_last.targets[0], "unix:/cfg.sock");
	assert_int_equal(fake_rpc_last.opts.timeout_ms, 9000);
	assert_true(r.out[0] == '['); /* output = json */
	harness_free(&r);

	/* The environment wins over the file, a flag over both. */
	setenv("XDPFLEET_TIMEOUT", "3s", 1);
	setenv("XDPFLEET_HOSTS", "unix:/env.sock", 1);
	doc = config_json();
	check_setting(doc, "timeout", "3s", "env", "XDPFLEET_TIMEOUT");
	check_setting(doc, "hosts", "unix:/env.sock", "env", "XDPFLEET_HOSTS");
	jp_free(doc);
	RUN(&r, "info", "--timeout", "1s", "-o", "table");
	assert_int_equal(fake_rpc_last.opts.timeout_ms, 1000);
	assert_string_equal(fake_rpc_last.targets[0], "unix:/env.sock");
	assert_int_equal(strncmp(r.out, "HOST", 4), 0);
	harness_free(&r);
	RUN(&r, "config", "--timeout", "1s", "-o", "table");
	harness_check_contains(r.out, "timeout           1s                                flag --timeout\n");
	harness_check_contains(r.out, "hosts             unix:/env.sock                    env XDPFLEET_HOSTS\n");
	harness_check_contains(r.out, "config file: ");
	harness_free(&r);
	unsetenv("XDPFLEET_TIMEOUT");
	unsetenv("XDPFLEET_HOSTS");

	/* Targets from one source only: a -H flag replaces the file's hosts-file too. */
	put_file(cfg, "hosts-file = /nonexistent/fleet.txt\n");
	RUN(&r, "-H", "unix:/flag.sock", "info");
	assert_int_equal(r.status, 0);
	assert_int_equal(fake_rpc_last.n_targets, 1);
	assert_string_equal(fake_rpc_last.targets[0], "unix:/flag.sock");
	harness_free(&r);

	/* Plaintext and TLS: the stronger source decides. */
	put_file(cfg, "insecure = true\n");
	RUN(&r, "-H", "h:1", "--tls-ca", other, "info");
	assert_int_equal(r.status, 0);
	assert_false(fake_rpc_last.insecure);
	harness_free(&r);
	put_file(cfg, "tls-ca = ca.pem\n");
	setenv("XDPFLEET_INSECURE", "1", 1);
	RUN(&r, "-H", "h:1", "info");
	assert_int_equal(r.status, 0);
	assert_true(fake_rpc_last.insecure);
	harness_free(&r);
	doc = config_json();
	assert_non_null(strstr(jp_str(setting(doc, "tls-ca"), "overridden_by"), "XDPFLEET_INSECURE"));
	jp_free(doc);
	/* One source giving both is a contradiction, named. */
	RUN(&r, "-H", "h:1", "--insecure", "--tls-ca", other, "info");
	assert_int_equal(r.status, 2);
	harness_check_contains(r.err, "--insecure (plaintext) contradicts");
	harness_free(&r);
	unsetenv("XDPFLEET_INSECURE");

	/* --config and $XDPFLEET_CONFIG name the file; --no-config reads none. */
	put_file(other, "timeout = 11s\n");
	RUN(&r, "--config", other, "config");
	harness_check_contains(r.out, "timeout           11s");
	harness_free(&r);
	setenv("XDPFLEET_CONFIG", other, 1);
	doc = config_json();
	check_setting(doc, "timeout", "11s", "config", "other.pem:1");
	jp_free(doc);
	unsetenv("XDPFLEET_CONFIG");
	RUN(&r, "--no-config", "config");
	harness_check_contains(r.out, "timeout           5s                                default\n");
	harness_check_contains(r.out, "config file: none\n");
	harness_free(&r);
}

static void test_settings_errors(void **state)
{
	char cfg[128];
	struct harness_run r;

	(void)state;
	snprintf(cfg, sizeof(cfg), "%s/bad.conf", tmpdir);
	put_file(cfg, "hosts = unix:/a.sock\n\nhostz = x\n");
	RUN(&r, "--config", cfg, "info");
	assert_int_equal(r.status, 2);
	harness_check_contains(r.err, "bad.conf:3: unknown key 'hostz'");
	harness_free(&r);
	put_file(cfg, "timeout = soon\n");
	RUN(&r, "--config", cfg, "info");
	assert_int_equal(r.status, 2);
	harness_check_contains(r.err, "bad.conf:1: timeout: invalid duration 'soon'");
	harness_free(&r);
	put_file(cfg, "[agent]\ntimeout = 1s\n");
	RUN(&r, "--config", cfg, "info");
	harness_check_contains(r.err, "bad.conf:2: a key in section [agent]: the config file has no sections");
	harness_free(&r);
	put_file(cfg, "insecure = maybe\n");
	RUN(&r, "--config", cfg, "info");
	harness_check_contains(r.err, "bad.conf:1: insecure: invalid value 'maybe' (expected true or false)");
	harness_free(&r);
	put_file(cfg, "just words\n");
	RUN(&r, "--config", cfg, "info");
	harness_check_contains(r.err, "bad.conf:1: not a 'key = value' line");
	harness_free(&r);
	RUN(&r, "--config", "/nonexistent/x.conf", "info");
	harness_check_contains(r.err, "config file '/nonexistent/x.conf' (--config): No such file");
	harness_free(&r);
	setenv("XDPFLEET_OUTPUT", "yaml", 1);
	RUN(&r, "info");
	assert_int_equal(r.status, 2);
	harness_check_contains(r.err, "XDPFLEET_OUTPUT: invalid value 'yaml' (expected table, json or jsonl)");
	harness_free(&r);
	unsetenv("XDPFLEET_OUTPUT");
	setenv("XDPFLEET_TLS_CA", "/nonexistent/ca.pem", 1);
	RUN(&r, "info");
	harness_check_contains(r.err, "XDPFLEET_TLS_CA: cannot read '/nonexistent/ca.pem'");
	harness_free(&r);
	unsetenv("XDPFLEET_TLS_CA");
	assert_int_equal(fake_rpc_last.calls, 0);
}

static void test_labels(void **state)
{
	char path[128];
	struct harness_run r;
	const struct fake_rpc_record *rec;

	(void)state;
	snprintf(path, sizeof(path), "%s/fleet.txt", tmpdir);
	put_file(path, "# the fleet\n"
		       "web1.example.org role=web dc=fra\n"
		       "web2:7000  role=web dc=ams   # second\n"
		       "\n"
		       "[2001:db8::7] role=db dc=fra tls_name=db7.example.org\n"
		       "198.18.0.9 role=web dc=fra\n"
		       "web1.example.org:50051 rack=a1\n");
	/* Every target, default ports added, a line naming one again adding labels. */
	RUN(&r, "--hosts-file", path, "config", "-o", "json");
	assert_int_equal(r.status, 0);
	{
		struct jp_value *doc = jp_parse(r.out, strlen(r.out));
		const struct jp_value *t = jp_get(doc, "targets");

		assert_non_null(t);
		assert_int_equal(t->n, 4);
		assert_string_equal(jp_str(&t->items[0], "host"), "web1.example.org:50051");
		assert_string_equal(jp_str(jp_get(&t->items[0], "labels"), "rack"), "a1");
		assert_string_equal(jp_str(&t->items[1], "host"), "web2:7000");
		assert_string_equal(jp_str(&t->items[2], "host"), "[2001:db8::7]:50051");
		assert_string_equal(jp_str(&t->items[3], "host"), "198.18.0.9:50051");
		assert_non_null(strstr(jp_str(&t->items[1], "from"), "fleet.txt:3"));
		jp_free(doc);
	}
	harness_free(&r);

	/* -l: every pair of every -l must match. */
	RUN(&r, "--hosts-file", path, "-l", "role=web", "info");
	assert_int_equal(r.status, 0);
	assert_int_equal(fake_rpc_last.n_targets, 3);
	assert_string_equal(fake_rpc_last.targets[0], "web1.example.org:50051");
	assert_string_equal(fake_rpc_last.targets[1], "web2:7000");
	assert_string_equal(fake_rpc_last.targets[2], "198.18.0.9:50051");
	harness_free(&r);
	RUN(&r, "--hosts-file", path, "-l", "role=web,dc=fra", "info");
	assert_int_equal(fake_rpc_last.n_targets, 2);
	assert_string_equal(fake_rpc_last.targets[1], "198.18.0.9:50051");
	harness_free(&r);
	RUN(&r, "info", "--hosts-file", path, "-l", "dc=fra", "--selector", "role=db");
	assert_int_equal(fake_rpc_last.n_targets, 1);
	assert_string_equal(fake_rpc_last.targets[0], "[2001:db8::7]:50051");
	harness_free(&r);
	setenv("XDPFLEET_HOSTS_FILE", path, 1);
	setenv("XDPFLEET_SELECTOR", "dc=ams", 1);
	RUN(&r, "info");
	assert_int_equal(fake_rpc_last.n_targets, 1);
	assert_string_equal(fake_rpc_last.targets[0], "web2:7000");
	harness_free(&r);
	unsetenv("XDPFLEET_HOSTS_FILE");
	unsetenv("XDPFLEET_SELECTOR");

	/* Nothing selected, and a bad selector: usage errors, nothing sent. */
	fake_rpc_set(ok_hosts, FAKE_RPC_MAX_TARGETS);
	RUN(&r, "--hosts-file", path, "-l", "role=cache", "info");
	assert_int_equal(r.status, 2);
	harness_check_contains(r.err, "--selector: no target has the labels 'role=cache' (of 4 targets");
	harness_free(&r);
	RUN(&r, "--hosts-file", path, "-l", "role", "info");
	assert_int_equal(r.status, 2);
	harness_check_contains(r.err, "--selector: invalid selector 'role': expected KEY=VALUE");
	harness_free(&r);
	assert_int_equal(fake_rpc_last.calls, 0);

	/* Bad lines name the file and line. */
	put_file(path, "web1 role=web\nweb2 role\n");
	RUN(&r, "--hosts-file", path, "info");
	assert_int_equal(r.status, 2);
	harness_check_contains(r.err, "fleet.txt:2: invalid label 'role': expected KEY=VALUE");
	harness_free(&r);
	put_file(path, "web1 role=web\n\n# x\nweb1 role=db\n");
	RUN(&r, "--hosts-file", path, "info");
	harness_check_contains(r.err, "fleet.txt:4: label 'role=db' contradicts role=web given for "
			       "web1:50051 at ");
	harness_free(&r);
	put_file(path, "web1 9role=x\n");
	RUN(&r, "--hosts-file", path, "info");
	harness_check_contains(r.err, "fleet.txt:1: invalid label '9role=x': a key starts with a letter");
	harness_free(&r);
	put_file(path, "web1 tls_name=a/b\n");
	RUN(&r, "--hosts-file", path, "info");
	harness_check_contains(r.err, "fleet.txt:1: invalid label 'tls_name=a/b': a host name has");
	harness_free(&r);
	put_file(path, "web_1:x\n");
	RUN(&r, "--hosts-file", path, "info");
	harness_check_contains(r.err, "fleet.txt:1: invalid target 'web_1:x': port 'x' is not a number");
	harness_free(&r);
	assert_int_equal(fake_rpc_last.calls, 0);

	/* A target's tls_name reaches the transport as that target's TLS server name; the
	 * others keep the global one. */
	put_file(path, "db7:50051 tls_name=db7.example.org\nweb1 tls_name=w1.example.org\nweb2\n");
	{
		char ca[160];

		snprintf(ca, sizeof(ca), "%s/ca.pem", tmpdir);
		put_file(ca, "x\n");
		for (int i = 0; i < 3; i++)
			ok_hosts[i].target = i == 0 ? "db7:50051" : i == 1 ? "web1:50051" : "web2:50051";
		fake_rpc_set(ok_hosts, 3);
		RUN(&r, "--hosts-file", path, "--tls-ca", ca, "--tls-server-name", "fleet.example.org",
		    "info", "-o", "json");
		for (int i = 0; i < 3; i++)
			ok_hosts[i].target = NULL;
	}
	assert_int_equal(r.status, 0);
	assert_int_equal(fake_rpc_last.calls, 3);
	rec = fake_rpc_call_with("db7:50051");
	assert_non_null(rec);
	assert_int_equal(rec->n_targets, 1);
	assert_string_equal(rec->server_name, "db7.example.org");
	rec = fake_rpc_call_with("web1:50051");
	assert_string_equal(rec->server_name, "w1.example.org");
	rec = fake_rpc_call_with("web2:50051");
	assert_string_equal(rec->server_name, "fleet.example.org");
	/* Printed in target order whatever order the calls ran in. */
	assert_true(strstr(r.out, "db7:50051") < strstr(r.out, "web1:50051"));
	assert_true(strstr(r.out, "web1:50051") < strstr(r.out, "web2:50051"));
	harness_free(&r);
}

static void test_progress(void **state)
{
	char hosts[1024] = "";
	struct harness_run r;
	int i;

	(void)state;
	for (i = 0; i < 20; i++)
		snprintf(hosts + strlen(hosts), sizeof(hosts) - strlen(hosts), "%sunix:/h%d",
			 i ? "," : "", i);
	harness_err_tty = true;
	RUN(&r, "-H", hosts, "status");
	assert_int_equal(r.status, 0);
	harness_check_contains(r.err, "\rxdpfleet: 0/20 hosts answered");
	harness_check_contains(r.err, "\rxdpfleet: 19/20 hosts answered");
	/* The line is cleared at the end: nothing is left over the shell's prompt. */
	assert_string_equal(r.err + strlen(r.err) - 4, "\r\033[K");
	harness_free(&r);
	/* Not for smaller fleets, nor when stderr is no terminal. */
	RUN(&r, "-H", strchr(hosts, ',') + 1, "status");
	assert_string_equal(r.err, "");
	harness_free(&r);
	harness_err_tty = false;
	RUN(&r, "-H", hosts, "status");
	assert_string_equal(r.err, "");
	harness_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_options_anywhere, setup, teardown),
		cmocka_unit_test_setup_teardown(test_options_conflicts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_headers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_env_config_precedence, setup, teardown),
		cmocka_unit_test_setup_teardown(test_settings_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_labels, setup, teardown),
		cmocka_unit_test_setup_teardown(test_progress, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
