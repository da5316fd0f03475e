// SPDX-License-Identifier: GPL-2.0-only
/* Help: 'help help', and the help of every command and subcommand answering what an operator
 * asks: its options (every one it takes is described), its output and JSON fields, examples
 * and exit codes; the same text from 'help CMD' and 'CMD --help'. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "commands.h"
#include "fake_rpc.h"
#include "harness.h"

#define RUN(r, ...) harness_run((r), NULL, __VA_ARGS__, NULL)

/* Whether text has a line describing --name: "  --name ...", or "  -x, --name ...". */
static bool describes(const char *text, const char *name)
{
	size_t len = strlen(name);
	const char *p;

	for (p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		p += strspn(p, " ");
		if (p[0] == '-' && p[1] != '-' && p[2] == ',' && p[3] == ' ')
			p += 4;
		if (!strncmp(p, "--", 2) && !strncmp(p + 2, name, len) &&
		    (p[2 + len] == ' ' || p[2 + len] == '\n'))
			return true;
	}
	return false;
}

static void check_help(const struct cli_command *cmd, const char *path, const char *sub)
{
	struct harness_run r, r2;

	RUN(&r, "help", path, sub);
	if (r.status)
		fail_msg("help %s %s: exit %d: %s", path, sub ? sub : "", r.status, r.err);
	if (sub)
		RUN(&r2, path, sub, "--help");
	else
		RUN(&r2, path, "--help");
	assert_string_equal(r.out, r2.out);
	harness_check_contains(r.out, "Usage: xdpfleet [GLOBAL OPTIONS] ");
	harness_check_contains(r.out, "Examples:\n  xdpfleet");
	harness_check_contains(r.out, "Exit status: 0");
	/* Commands that print answers say what they look like, JSON included. */
	if (cmd->run && strcmp(cmd->name, "help"))
		harness_check_contains(r.out, "JSON");
	for (const struct option *o = cmd->options; o && o->name; o++) {
		if (!strcmp(o->name, "normalize"))
			continue; /* the American spelling of --normalise, not advertised */
		if (!describes(r.out, o->name))
			fail_msg("help %s %s does not describe --%s:\n%s", path, sub ? sub : "",
				 o->name, r.out);
	}
	harness_free(&r);
	harness_free(&r2);
}

static void test_every_command(void **state)
{
	const struct cli_command *const *c, *const *s;

	(void)state;
	for (c = commands_table; *c; c++) {
		check_help(*c, (*c)->name, NULL);
		for (s = (*c)->subcommands; s && *s; s++)
			check_help(*s, (*c)->name, (*s)->name);
	}
	assert_int_equal(fake_rpc_last.calls, 0);
}

static void test_help_help(void **state)
{
	struct harness_run r;

	(void)state;
	RUN(&r, "help", "help");
	assert_int_equal(r.status, 0);
	harness_check_contains(r.out, "Usage: xdpfleet [GLOBAL OPTIONS] help [COMMAND [SUBCOMMAND]]");
	harness_free(&r);
	RUN(&r, "help", "drop", "sync");
	assert_int_equal(r.status, 0);
	harness_check_contains(r.out, "--allow-empty");
	harness_free(&r);
	/* Help works whatever the environment or config file say. */
	setenv("XDPFLEET_TIMEOUT", "soon", 1);
	RUN(&r, "help", "config");
	assert_int_equal(r.status, 0);
	harness_check_contains(r.out, "Precedence: a flag wins over the environment");
	harness_free(&r);
	unsetenv("XDPFLEET_TIMEOUT");
	RUN(&r, "help", "drop", "frob");
	assert_int_equal(r.status, 2);
	harness_check_contains(r.err, "xdpfleet help: unknown command 'drop frob'");
	harness_free(&r);
	/* The overview lists help and config, says where options go and how defaults work. */
	RUN(&r, "--help");
	harness_check_contains(r.out, "\n  help       ");
	harness_check_contains(r.out, "\n  config     ");
	harness_check_contains(r.out, "Options go anywhere before a '--'");
	harness_check_contains(r.out, "an option the command has itself\nwins over a global one");
	harness_check_contains(r.out, "XDPFLEET_TLS_CA");
	harness_check_contains(r.out, "~/.config/xdpfleet/config");
	harness_check_contains(r.out, "/etc/xdpfleet/cli.conf");
	harness_check_contains(r.out, "  -l, --selector SEL");
	harness_check_contains(r.out, "      --no-headers");
	harness_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_every_command, fake_rpc_setup, fake_rpc_teardown),
		cmocka_unit_test_setup_teardown(test_help_help, fake_rpc_setup, fake_rpc_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
