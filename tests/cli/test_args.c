// SPDX-License-Identifier: GPL-2.0-only
/* Argument parsing: every usage error exits 2 with a message naming the bad option or value and
 * sends nothing; good arguments become the right requests and fan-out options. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "commands.h"
#include "fake_rpc.h"
#include "harness.h"
#include "xdpfleet/v1/agent.pb-c.h"
#include "array_size.h"

#define RUN(r, ...) harness_run((r), NULL, __VA_ARGS__, NULL)

static struct fake_host ok_hosts[16];

static int setup(void **state)
{
	fake_rpc_setup(state);
	fake_rpc_set(ok_hosts, 16);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fake_rpc_reset();
	return 0;
}

/* Exit 2, nothing sent, and stderr says want. */
static void check_usage(const char *want, ...)
{
	struct harness_run r;
	char *argv[32];
	va_list ap;
	int n = 0;

	va_start(ap, want);
	while (n < 31 && (argv[n] = va_arg(ap, char *)))
		n++;
	va_end(ap);
	argv[n] = NULL;
	fake_rpc_set(ok_hosts, 16);
	harness_run(&r, NULL, argv[0], argv[1], argv[2], argv[3], argv[4], argv[5], argv[6],
		    argv[7], argv[8], NULL);
	if (!strstr(r.err, want))
		fail_msg("stderr '%s' lacks '%s'", r.err, want);
	assert_int_equal(r.status, 2);
	assert_int_equal(fake_rpc_last.calls, 0);
	assert_string_equal(r.out, "");
	harness_free(&r);
}

static void test_global_errors(void **state)
{
	(void)state;
	check_usage("missing command", NULL);
	check_usage("missing command", "-H", "unix:/a", NULL);
	check_usage("unknown command 'frob'", "frob", NULL);
	check_usage("unknown option '--frob'", "--frob", "info", NULL);
	check_usage("unknown option '-x'", "-x", "info", NULL);
	check_usage("option '-H' needs a value", "-H", NULL);
	check_usage("option '--timeout' needs a value", "--timeout", NULL);
	check_usage("--output: invalid value 'yaml'", "-o", "yaml", "info", NULL);
	check_usage("--timeout: invalid duration 'abc'", "--timeout", "abc", "info", NULL);
	check_usage("--timeout: invalid duration '0' (expected 1ms to 1d", "--timeout", "0", "info", NULL);
	check_usage("--timeout: invalid duration '-1'", "--timeout", "-1", "info", NULL);
	check_usage("--timeout: invalid duration '5x'", "--timeout", "5x", "info", NULL);
	check_usage("--parallel: invalid value '0'", "--parallel", "0", "info", NULL);
	check_usage("--parallel: invalid value 'many'", "--parallel", "many", "info", NULL);
	check_usage("--tls-cert and --tls-key go together", "--tls-cert", "/dev/null", "info", NULL);
	check_usage("--insecure (plaintext) contradicts", "--insecure", "--tls-ca", "/dev/null",
		    "info", NULL);
	check_usage("--tls-ca: cannot read '/nonexistent/ca.pem'", "--tls-ca",
		    "/nonexistent/ca.pem", "info", NULL);
	check_usage("--insecure' takes no value", "--insecure=yes", "info", NULL);
	check_usage("Try 'xdpfleet --help'", "--frob", "info", NULL);
}

static void test_target_errors(void **state)
{
	(void)state;
	check_usage("--hosts: invalid target 'web 1': contains a space", "-H", "web 1", "info", NULL);
	check_usage("--hosts: invalid target 'web1/x': a host name has letters", "-H", "web1/x",
		    "info", NULL);
	check_usage("invalid target 'web1:': missing port", "-H", "web1:", "info", NULL);
	check_usage("invalid target ':50051': missing host", "-H", ":50051", "info", NULL);
	check_usage("port 'http' is not a number", "-H", "web1:http", "info", NULL);
	check_usage("port '70000' is not a number", "-H", "[::1]:70000", "info", NULL);
	check_usage("an IPv6 address needs brackets", "-H", "2001:db8::1:50051", "info", NULL);
	check_usage("expected ':PORT' after ']'", "-H", "[2001:db8::1]x", "info", NULL);
	check_usage("invalid target '': empty target", "-H", "a:1,,b:2", "info", NULL);
	check_usage("missing socket path after 'unix:'", "-H", "unix:", "info", NULL);
	check_usage("--hosts: empty target list", "-H", "", "info", NULL);
	check_usage("--hosts-file: cannot open '/nonexistent'", "--hosts-file", "/nonexistent",
		    "info", NULL);
	setenv("XDPFLEET_HOSTS", "bad target", 1);
	check_usage("XDPFLEET_HOSTS: invalid target 'bad target'", "info", NULL);
	unsetenv("XDPFLEET_HOSTS");
}

static void test_command_errors(void **state)
{
	(void)state;
	check_usage("xdpfleet info: unexpected argument 'eth0'", "info", "eth0", NULL);
	check_usage("xdpfleet status: unknown option '--all'", "status", "--all", NULL);
	check_usage("xdpfleet attach: missing interface name (IFACE)", "attach", NULL);
	check_usage("xdpfleet attach: missing interface name", "attach", "--force", NULL);
	check_usage("xdpfleet attach: unexpected argument 'eth1'", "attach", "eth0", "eth1", NULL);
	check_usage("--prog: unknown program 'dorp'", "attach", "eth0", "--prog", "dorp", NULL);
	check_usage("--mode: invalid value 'fast'", "attach", "eth0", "--mode", "fast", NULL);
	check_usage("--prog and --object exclude each other", "attach", "eth0", "--prog", "pass",
		    "--object", "x.o", NULL);
	check_usage("--section needs --object", "attach", "eth0", "--section", "xdp", NULL);
	check_usage("--object: empty path", "attach", "eth0", "--object", "", NULL);
	check_usage("invalid interface name 'averyveryverylongname'", "attach",
		    "averyveryverylongname", NULL);
	check_usage("invalid interface name 'eth/0'", "attach", "eth/0", NULL);
	check_usage("xdpfleet attach: unknown option '--frc'", "attach", "eth0", "--frc", NULL);
	check_usage("option '--mode' needs a value", "attach", "eth0", "--mode", NULL);
	check_usage("Try 'xdpfleet attach --help'", "attach", NULL);
	check_usage("xdpfleet detach: missing interface name", "detach", NULL);
	check_usage("option '--force' takes no value", "detach", "eth0", "--force=1", NULL);
	check_usage("--interval: invalid duration '0.05' (expected 100ms to 1h", "stats", "--interval", "0.05", NULL);
	check_usage("--interval: invalid duration 'fast'", "stats", "--interval", "fast", NULL);
	check_usage("--count: invalid value '0'", "stats", "--count", "0", NULL);
	check_usage("--count: invalid value '-3'", "stats", "--count", "-3", NULL);
	check_usage("--count: invalid value '99999999999'", "stats", "--count", "99999999999",
		    NULL);
	check_usage("xdpfleet stats: unexpected argument 'eth1'", "stats", "eth0", "eth1", NULL);
	check_usage("xdpfleet help: unknown command 'frob'", "help", "frob", NULL);
}

static void test_help(void **state)
{
	const char *cmds[] = { "info", "attach", "detach", "status", "stats" };
	struct harness_run r, r2;
	size_t i;

	(void)state;
	RUN(&r, "--help");
	assert_int_equal(r.status, 0);
	for (i = 0; i < ARRAY_SIZE(cmds); i++)
		assert_non_null(strstr(r.out, cmds[i]));
	assert_non_null(strstr(r.out, "--hosts-file FILE"));
	assert_non_null(strstr(r.out, "Exit status"));
	harness_free(&r);
	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		RUN(&r, "help", cmds[i]);
		RUN(&r2, cmds[i], "--help");
		assert_int_equal(r.status, 0);
		assert_int_equal(r2.status, 0);
		assert_string_equal(r.out, r2.out);
		assert_non_null(strstr(r.out, "Usage: xdpfleet [GLOBAL OPTIONS] "));
		assert_non_null(strstr(r.out, "Examples:"));
		assert_non_null(strstr(r.out, "Exit status: 0"));
		harness_free(&r);
		harness_free(&r2);
	}
	/* --help wins over a bad option next to it, and nothing is sent. */
	RUN(&r, "attach", "--bogus", "-h");
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "--object PATH"));
	assert_int_equal(fake_rpc_last.calls, 0);
	harness_free(&r);
	RUN(&r, "-V");
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "xdpfleet 0."));
	harness_free(&r);
	RUN(&r, "help");
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "Commands:"));
	harness_free(&r);
}

static void test_targets(void **state)
{
	char path[] = "/tmp/test_cli_hostsXXXXXX";
	struct harness_run r;
	FILE *f;
	int fd;

	(void)state;
	RUN(&r, "info");
	assert_int_equal(r.status, 0);
	assert_int_equal(fake_rpc_last.n_targets, 1);
	assert_string_equal(fake_rpc_last.targets[0], "unix:/run/xdpfleet/agent.sock");
	harness_free(&r);

	setenv("XDPFLEET_HOSTS", "unix:/e1,unix:/e2", 1);
	RUN(&r, "info");
	assert_int_equal(fake_rpc_last.n_targets, 2);
	assert_string_equal(fake_rpc_last.targets[1], "unix:/e2");
	harness_free(&r);
	RUN(&r, "-H", "/x.sock", "info");
	assert_int_equal(fake_rpc_last.n_targets, 1);
	assert_string_equal(fake_rpc_last.targets[0], "/x.sock");
	harness_free(&r);
	unsetenv("XDPFLEET_HOSTS");

	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs("# the fleet\n\n  web1:50051  # front\n[2001:db8::2]:50051\n\t\nunix:/a.sock\n"
	      "web1:50051\n", f);
	fclose(f);
	RUN(&r, "-H", "unix:/a.sock,198.18.0.1:1", "--hosts-file", path, "info");
	assert_int_equal(r.status, 0);
	assert_int_equal(fake_rpc_last.n_targets, 4);
	assert_string_equal(fake_rpc_last.targets[0], "unix:/a.sock");
	assert_string_equal(fake_rpc_last.targets[1], "198.18.0.1:1");
	assert_string_equal(fake_rpc_last.targets[2], "web1:50051");
	assert_string_equal(fake_rpc_last.targets[3], "[2001:db8::2]:50051");
	harness_free(&r);

	f = fopen(path, "w");
	fputs("web1:50051\n# fine\nweb2:\n", f);
	fclose(f);
	fake_rpc_set(ok_hosts, 16);
	RUN(&r, "--hosts-file", path, "info");
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, ":3: invalid target 'web2:': missing port after ':'"));
	assert_int_equal(fake_rpc_last.calls, 0);
	harness_free(&r);

	f = fopen(path, "w");
	fputs("# nobody\n", f);
	fclose(f);
	RUN(&r, "--hosts-file", path, "info");
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, "lists no targets"));
	harness_free(&r);
	unlink(path);
}

static void test_requests(void **state)
{
	Xdpfleet__V1__AttachRequest *a;
	Xdpfleet__V1__DetachRequest *d;
	Xdpfleet__V1__GetStatsRequest *s;
	struct harness_run r;

	(void)state;
	RUN(&r, "--timeout", "0.5", "--parallel", "3", "attach", "eth0");
	assert_int_equal(r.status, 0);
	assert_string_equal(fake_rpc_last.method, "Attach");
	assert_int_equal(fake_rpc_last.opts.timeout_ms, 500);
	assert_int_equal(fake_rpc_last.opts.max_inflight, 3);
	assert_false(fake_rpc_last.opts.stream);
	a = (Xdpfleet__V1__AttachRequest *)fake_rpc_last.req;
	assert_string_equal(a->ifname, "eth0");
	assert_int_equal(a->program_case, XDPFLEET__V1__ATTACH_REQUEST__PROGRAM_BUILTIN);
	assert_int_equal(a->builtin, XDPFLEET__V1__BUILTIN_PROGRAM__BUILTIN_PROGRAM_FILTER);
	assert_int_equal(a->mode, XDPFLEET__V1__ATTACH_MODE__ATTACH_MODE_AUTO);
	assert_false(a->force);
	harness_free(&r);

	RUN(&r, "--timeout", "250ms", "attach", "--force", "--prog", "drop", "eth1", "--mode",
	    "skb");
	assert_int_equal(fake_rpc_last.opts.timeout_ms, 250);
	a = (Xdpfleet__V1__AttachRequest *)fake_rpc_last.req;
	assert_string_equal(a->ifname, "eth1");
	assert_int_equal(a->builtin, XDPFLEET__V1__BUILTIN_PROGRAM__BUILTIN_PROGRAM_DROP);
	assert_int_equal(a->mode, XDPFLEET__V1__ATTACH_MODE__ATTACH_MODE_SKB);
	assert_true(a->force);
	harness_free(&r);

	RUN(&r, "attach", "eth0", "--object", "obj/x.o", "--section", "xdp_count", "--mode",
	    "native");
	a = (Xdpfleet__V1__AttachRequest *)fake_rpc_last.req;
	assert_int_equal(a->program_case, XDPFLEET__V1__ATTACH_REQUEST__PROGRAM_OBJECT);
	assert_string_equal(a->object->path, "obj/x.o");
	assert_string_equal(a->object->program_name, "xdp_count");
	assert_int_equal(a->mode, XDPFLEET__V1__ATTACH_MODE__ATTACH_MODE_NATIVE);
	harness_free(&r);

	RUN(&r, "detach", "eth0", "--force");
	assert_string_equal(fake_rpc_last.method, "Detach");
	d = (Xdpfleet__V1__DetachRequest *)fake_rpc_last.req;
	assert_string_equal(d->ifname, "eth0");
	assert_true(d->force);
	harness_free(&r);

	RUN(&r, "stats", "veth1");
	assert_string_equal(fake_rpc_last.method, "GetStats");
	s = (Xdpfleet__V1__GetStatsRequest *)fake_rpc_last.req;
	assert_string_equal(s->ifname, "veth1");
	harness_free(&r);

	RUN(&r, "status");
	assert_string_equal(fake_rpc_last.method, "ListAttachments");
	harness_free(&r);
}

/* The command table's subcommand support, for groups such as "rules list|del". */
static int sub_ran;
static int sub_run(struct cli_ctx *ctx, int argc, char **argv)
{
	(void)ctx;
	sub_ran = argc;
	(void)argv;
	return 0;
}

static void test_subcommands(void **state)
{
	static const struct cli_command del = { .name = "del", .summary = "delete", .usage = "rules del ID",
						.help = "Deletes.\n", .run = sub_run };
	static const struct cli_command *const subs[] = { &del, NULL };
	static const struct cli_command rules = { .name = "rules", .summary = "rule ops",
						  .usage = "rules list|del", .subcommands = subs };
	static const struct cli_command *const table[] = { &rules, NULL };
	char *argv1[] = { "rules", "del", "7", NULL };
	char *argv2[] = { "rules", "frob", NULL };
	char *argv3[] = { "rules", NULL };
	char *argv4[] = { "rules", "--help", NULL };
	struct cli_ctx ctx = { 0 };
	char *out, *err;
	size_t ol, el;

	(void)state;
	ctx.io.out = open_memstream(&out, &ol);
	ctx.io.err = open_memstream(&err, &el);
	assert_int_equal(commands_run(&ctx, table, NULL, 3, argv1), 0);
	assert_int_equal(sub_ran, 2);
	assert_int_equal(commands_run(&ctx, table, NULL, 2, argv2), -EINVAL);
	assert_int_equal(commands_run(&ctx, table, NULL, 1, argv3), -EINVAL);
	assert_int_equal(commands_run(&ctx, table, NULL, 2, argv4), 0);
	fclose(ctx.io.out);
	fclose(ctx.io.err);
	assert_non_null(strstr(err, "xdpfleet rules: unknown subcommand 'frob'"));
	assert_non_null(strstr(err, "xdpfleet rules: missing subcommand"));
	assert_non_null(strstr(out, "Subcommands:\n  del"));
	free(out);
	free(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_global_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_target_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_command_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_help, setup, teardown),
		cmocka_unit_test_setup_teardown(test_targets, setup, teardown),
		cmocka_unit_test_setup_teardown(test_requests, setup, teardown),
		cmocka_unit_test_setup_teardown(test_subcommands, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
