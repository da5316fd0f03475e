/* SPDX-License-Identifier: GPL-2.0-only */
/* The rule command groups, for commands.c's table: drop/allow/limit/monitor add|load
 * (cmd_drop.c) and rules list|del|flush (cmd_rules.c, cmd_rules_del.c). */
#ifndef XDPFLEET_CLI_RULES_COMMANDS_H
#define XDPFLEET_CLI_RULES_COMMANDS_H

#include "cli.h"

extern const struct cli_command cmd_drop;
extern const struct cli_command cmd_allow;
extern const struct cli_command cmd_limit;
extern const struct cli_command cmd_monitor;
extern const struct cli_command cmd_rules;
/* "rules del" and "rules test", their own files for their operands. */
extern const struct cli_command cmd_rules_del;
extern const struct cli_command cmd_rules_test;

#endif
