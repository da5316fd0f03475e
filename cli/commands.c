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
		"Usage: " CLI_PROG " [GLOBAL OPTIONS] COMMAND [ARGS]\n"
		"Drives xdpfleetd agents: every command runs on every target at once and prints one\n"
		"answer per host.\n"
		"\n"
		"Commands:\n");
	for (c = commands_table; *c; c++)
		fprintf(f, "  %-10s %s\n", (*c)->name, (*c)->summary);
	fprintf(f, "  %-10s %s\n", "help", "help [COMMAND]: the full help of a command");
	fprintf(f,
		"\n"
		"Targets (default $" CLI_HOSTS_ENV ", else " API_DEFAULT_SOCKET "):\n"
		"  -H, --hosts LIST         comma separated targets; repeatable. A target is\n"
		"                           unix:/PATH or /PATH (unix socket), HOST:PORT, [IPV6]:PORT\n"
		"      --hosts-file FILE    one target per line, '#' comments; repeatable, adds to -H\n"
		"                           (a target listed twice is contacted once)\n"
		"TLS for TCP targets (plaintext TCP needs --insecure):\n"
		"      --tls-ca FILE        CA certificate (PEM) that signed the agents' certificates\n"
		"      --tls-cert FILE      client certificate (PEM), for agents that require mTLS\n"
		"      --tls-key FILE       its private key (PEM)\n"
		"      --tls-server-name N  expect this name in the agents' certificates\n"
		"      --insecure           plaintext TCP, no TLS: trusted networks only\n"
		"Calls:\n"
		"      --timeout SECONDS    per host deadline, e.g. 5, 0.5 or 250ms (default 5)\n"
		"      --parallel N         calls in flight at once (default 64)\n"
		"  -o, --output FORMAT      table (default) or json: one JSON array per answer,\n"
		"                           one object per host: {\"host\":..,\"ok\":true,...} or\n"
		"                           {\"host\":..,\"ok\":false,\"code\":..,\"error\":..}\n"
		"  -h, --help               this help ('" CLI_PROG " help COMMAND': a command's help)\n"
		"  -V, --version            print the version\n"
		"\n"
		"Exit status: 0 every host succeeded, 1 at least one host failed (the others are still\n"
		"printed; failed hosts are named on stderr), 2 usage error (nothing was sent).\n"
		"\n"
		"Examples:\n"
		"  " CLI_PROG " info\n"
		"  " CLI_PROG " -H unix:/run/a.sock,unix:/run/b.sock status\n"
		"  " CLI_PROG " --hosts-file fleet.txt --tls-ca ca.pem attach eth0 --prog filter\n"
		"  " CLI_PROG " -H 198.18.0.2:50051 --insecure -o json stats eth0\n");
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
	fprintf(f, "\nGlobal options (targets, TLS, --timeout, -o json): " CLI_PROG " --help\n");
}

/* "-h"/"--help" anywhere before "--" wins over every other argument, even wrong ones. */
static int commands_help_requested(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
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

int commands_help(struct cli_ctx *ctx, int argc, char **argv)
{
	const struct cli_command *const *table = commands_table;
	const struct cli_command *cmd = NULL;
	char path[128] = "";
	int i;

	if (argc < 2) {
		commands_print_overview(ctx->io.out);
		return 0;
	}
	for (i = 1; i < argc; i++) {
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
