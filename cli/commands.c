// SPDX-License-Identifier: GPL-2.0-only
/* The command table, lookup and the help texts around it. */
#include <errno.h>
#include <string.h>

#include "api_limits.h"
#include "commands.h"
#include "rules_commands.h"

const struct cli_command *const commands_table[] = {
	&cmd_info,
	&cmd_attach,
	&cmd_detach,
	&cmd_status,
	&cmd_stats,
	&cmd_drop,
	&cmd_allow,
	&cmd_limit,
	&cmd_monitor,
	&cmd_rules,
	&cmd_top,
	&cmd_mitigate,
	&cmd_events,
	&cmd_capture,
	&cmd_config,
	&cmd_help,
	NULL,
};

const struct cli_command *commands_find(const struct cli_command *const *table, const char *name)
{
	for (; table && *table; table++)
		if (!strcmp((*table)->name, name))
			return *table;
	return NULL;
}

void commands_print_overview(FILE *f)
{
	const struct cli_command *const *c;

	fprintf(f,
		"Usage: " CLI_PROG " [OPTIONS] COMMAND [ARGS] [OPTIONS]\n"
		"Drives xdpfleetd agents: every command runs on every target at once and prints one\n"
		"answer per host.\n"
		"\n"
		"Commands:\n");
	for (c = commands_table; *c; c++)
		fprintf(f, "  %-10s %s\n", (*c)->name, (*c)->summary);
	fprintf(f,
		"\n"
		"Targets (default " API_DEFAULT_SOCKET "):\n"
		"  -H, --hosts LIST         comma separated targets; repeatable. A target is\n"
		"                           unix:/PATH or /PATH (unix socket), HOST[:PORT] (a DNS name\n"
		"                           or IPv4 address) or [IPV6][:PORT]; the port defaults to\n"
		"                           " CLI_DEFAULT_PORT "\n"
		"      --hosts-file FILE    one target per line, then optional KEY=VALUE labels:\n"
		"                             web1.example.org role=web dc=fra\n"
		"                             [2001:db8::7]:7000 role=db tls_name=db7.example.org\n"
		"                           '#' starts a comment, blank lines are skipped; repeatable,\n"
		"                           adds to -H (a target listed twice is contacted once). The\n"
		"                           label tls_name is the name expected in that agent's TLS\n"
		"                           certificate (--tls-server-name for one target)\n"
		"  -l, --selector SEL       only the targets with these labels: KEY=VALUE[,KEY=VALUE];\n"
		"                           repeatable; a target must match every pair of every -l\n"
		"TLS for TCP targets (plaintext TCP needs --insecure):\n"
		"      --tls-ca FILE        CA certificate (PEM) that signed the agents' certificates\n"
		"      --tls-cert FILE      client certificate (PEM), for agents that require mTLS\n"
		"      --tls-key FILE       its private key (PEM)\n"
		"      --tls-server-name N  expect this name in the agents' certificates\n"
		"      --insecure           plaintext TCP, no TLS: trusted networks only\n"
		"Calls and output:\n"
		"      --timeout DURATION   per host deadline (default 5s); durations everywhere are\n"
		"                           500ms, 90s, 10m, 1h30m, 1d, or plain seconds such as 0.5\n"
		"      --parallel N         calls in flight at once (default 64)\n"
		"  -o, --output FORMAT      table (default), json or jsonl. json: one array per answer,\n"
		"                           one object per host: {\"host\":..,\"ok\":true,...} or\n"
		"                           {\"host\":..,\"ok\":false,\"code\":..,\"error\":..,\"hint\":..};\n"
		"                           jsonl: the same objects, one per line\n"
		"      --no-headers         tables without column headers, group lines or totals: one\n"
		"                           line per record, each starting with its host\n"
		"      --config FILE        read defaults from FILE instead of the files below\n"
		"      --no-config          read no config file\n"
		"  -h, --help               this help ('" CLI_PROG " help COMMAND': a command's help)\n"
		"  -V, --version            print the version\n"
		"\n"
		"Options go anywhere before a '--': before or after the command word, as in\n"
		"'" CLI_PROG " status -o json'. After the command word, an option the command has itself\n"
		"wins over a global one of the same name or letter, and global options are known by\n"
		"their full name only (an abbreviation such as --time is the command's).\n"
		"\n"
		"Defaults: every option above but --config, --no-config, --help and --version can come\n"
		"from the environment, XDPFLEET_ and the name in capitals with '_' for '-' (XDPFLEET_HOSTS,\n"
		"XDPFLEET_HOSTS_FILE, XDPFLEET_SELECTOR, XDPFLEET_TLS_CA, XDPFLEET_TLS_CERT,\n"
		"XDPFLEET_TLS_KEY, XDPFLEET_TLS_SERVER_NAME, XDPFLEET_INSECURE, XDPFLEET_TIMEOUT,\n"
		"XDPFLEET_PARALLEL, XDPFLEET_OUTPUT, XDPFLEET_NO_HEADERS; switches take true or false),\n"
		"or from a config file: --config, else $XDPFLEET_CONFIG, else ~/.config/xdpfleet/config (or\n"
		"under $XDG_CONFIG_HOME), else " CLI_SYSTEM_CONFIG ", with 'key = value' lines named like\n"
		"the long options ('hosts-file = fleet.txt', 'tls-ca = ca.pem'; relative paths are\n"
		"relative to the file; '#' comments). A flag wins over the environment, which wins over\n"
		"the file. Targets come from one source only (-H and --hosts-file flags replace those of\n"
		"the environment and the file), and the stronger of --insecure and the TLS options\n"
		"decides. '" CLI_PROG " config' shows every value and where it came from.\n"
		"\n"
		"With " CLI_PROGRESS_MIN_HOSTS_TEXT " targets or more and stderr a terminal, stderr shows how many hosts\n"
		"have answered while a command runs.\n"
		"\n"
		"Exit status: 0 every host succeeded, 1 at least one host failed (the others are still\n"
		"printed; failed hosts are named on stderr, with a hint when the error has a usual\n"
		"cause), 2 usage error (nothing was sent).\n"
		"\n"
		"Examples:\n"
		"  " CLI_PROG " info\n"
		"  " CLI_PROG " -H unix:/run/a.sock,unix:/run/b.sock status -o json\n"
		"  " CLI_PROG " --hosts-file fleet.txt -l role=web --tls-ca ca.pem attach eth0 --prog filter\n"
		"  " CLI_PROG " drop add 203.0.113.0/24 -H 198.18.0.2,198.18.0.3 --insecure\n"
		"  XDPFLEET_HOSTS_FILE=fleet.txt " CLI_PROG " stats --watch -o jsonl\n");
}

void commands_print_help(FILE *f, const struct cli_command *cmd)
{
	const struct cli_command *const *c;

	fprintf(f, "Usage: " CLI_PROG " [GLOBAL OPTIONS] %s\n%s\n", cmd->usage, cmd->summary);
	if (cmd->subcommands) {
		fprintf(f, "\nSubcommands:\n");
		for (c = cmd->subcommands; *c; c++)
			fprintf(f, "  %-10s %s\n", (*c)->name, (*c)->summary);
	}
	if (cmd->help)
		fprintf(f, "\n%s", cmd->help);
	fprintf(f, "\nGlobal options (targets, TLS, --timeout, -o, --no-headers; anywhere on the line):\n"
		   CLI_PROG " --help\n");
}

/* "-h"/"--help" anywhere before "--" wins over every other argument, even wrong ones. */
static int commands_help_requested(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			return 0;
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return 1;
	}
	return 0;
}

int commands_run(struct cli_ctx *ctx, const struct cli_command *const *table, const char *path,
		 int argc, char **argv)
{
	const struct cli_command *cmd;
	char sub[128];

	cmd = commands_find(table, argv[0]);
	if (!cmd) {
		if (path)
			return cli_usage_error(ctx, path, "unknown subcommand '%s'", argv[0]);
		return cli_usage_error(ctx, NULL, "unknown command '%s'", argv[0]);
	}
	snprintf(sub, sizeof(sub), "%s%s%s", path ? path : "", path ? " " : "", cmd->name);
	if (cmd->subcommands && argc >= 2 && argv[1][0] != '-')
		return commands_run(ctx, cmd->subcommands, sub, argc - 1, argv + 1);
	if (commands_help_requested(argc, argv)) {
		commands_print_help(ctx->io.out, cmd);
		return 0;
	}
	if (!cmd->run)
		return cli_usage_error(ctx, sub, "missing subcommand");
	return cmd->run(ctx, argc, argv);
}

static int commands_help_run(struct cli_ctx *ctx, int argc, char **argv)
{
	return commands_help(ctx, argc, argv);
}

const struct cli_command cmd_help = {
	.name = "help",
	.summary = "the full help of a command: options, output, JSON fields, examples",
	.usage = "help [COMMAND [SUBCOMMAND]]",
	.help =
		"Prints the help of COMMAND (and SUBCOMMAND), the same as 'xdpfleet COMMAND --help',\n"
		"or without one the overview of every command and the global options. Nothing is\n"
		"sent to any host.\n"
		"\n"
		"Output: plain text on stdout; -o has no effect.\n"
		"\n"
		"Examples:\n"
		"  xdpfleet help\n"
		"  xdpfleet help drop sync\n"
		"  xdpfleet help help\n"
		"\n"
		"Exit status: 0, or 2 for an unknown command.\n",
	.run = commands_help_run,
};

int commands_help(struct cli_ctx *ctx, int argc, char **argv)
{
	const struct cli_command *const *table = commands_table;
	const struct cli_command *cmd = NULL;
	char path[128] = "";

	if (argc < 2) {
		commands_print_overview(ctx->io.out);
		return 0;
	}
	for (int i = 1; i < argc; i++) {
		cmd = commands_find(table, argv[i]);
		if (!cmd)
			return cli_usage_error(ctx, "help", "unknown command '%s%s%s'", path,
					       *path ? " " : "", argv[i]);
		snprintf(path + strlen(path), sizeof(path) - strlen(path), "%s%s", *path ? " " : "",
			 argv[i]);
		table = cmd->subcommands;
	}
	commands_print_help(ctx->io.out, cmd);
	return 0;
}
