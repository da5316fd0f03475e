/* SPDX-License-Identifier: GPL-2.0-only */
/* The command table: every command group (one file each) exports its struct cli_command, and
 * commands.c lists them. Adding a group = one file, one line in the table, one CMake line. */
#ifndef XDPFLEET_CLI_COMMANDS_H
#define XDPFLEET_CLI_COMMANDS_H

#include "cli.h"

extern const struct cli_command cmd_info;
extern const struct cli_command cmd_attach;
extern const struct cli_command cmd_detach;
extern const struct cli_command cmd_status;
extern const struct cli_command cmd_stats;
extern const struct cli_command cmd_config;
extern const struct cli_command cmd_capture;
extern const struct cli_command cmd_help;
extern const struct cli_command cmd_top;
extern const struct cli_command cmd_mitigate;
extern const struct cli_command cmd_events;

/* NULL-terminated list of the top-level commands. */
extern const struct cli_command *const commands_table[];

const struct cli_command *commands_find(const struct cli_command *const *table, const char *name);
/* Runs argv[0] from table (descending into subcommands); -EINVAL when unknown. path is the
 * command words so far, for messages ("rules del"). */
int commands_run(struct cli_ctx *ctx, const struct cli_command *const *table, const char *path,
		 int argc, char **argv);
/* "xdpfleet help [CMD [SUBCMD]]": the full help of a command, or the overview. */
int commands_help(struct cli_ctx *ctx, int argc, char **argv);
void commands_print_overview(FILE *f);
void commands_print_help(FILE *f, const struct cli_command *cmd);

#endif
