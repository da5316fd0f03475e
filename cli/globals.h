/* SPDX-License-Identifier: GPL-2.0-only */
/* The global options: from anywhere on the command line, the environment and a config file
 * (settings.h), applied to ctx->g. */
#ifndef XDPFLEET_CLI_GLOBALS_H
#define XDPFLEET_CLI_GLOBALS_H

#include "args.h"
#include "cli.h"

#define GLOBALS_DEFAULT_TIMEOUT_MS 5000u
#define GLOBALS_DEFAULT_PARALLEL 64u

/* Fills ctx->g from argv, the environment and the config file; split gets the command's
 * arguments (free with args_split_free). Returns 0, 1 when --help or --version was printed
 * (exit 0), or -EINVAL after a usage message. */
int globals_parse(struct cli_ctx *ctx, int argc, char **argv, struct args_split *split);
void globals_free(struct cli_globals *g);

#endif
