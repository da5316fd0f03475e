/* The global options, parsed before the command word. */
#ifndef XDPFLEET_CLI_GLOBALS_H
#define XDPFLEET_CLI_GLOBALS_H

#include "cli.h"

#define GLOBALS_DEFAULT_TIMEOUT_MS 5000u
#define GLOBALS_DEFAULT_PARALLEL 64u

/* Fills ctx->g from argv. Returns 0 with *cmd_index at the command word, 1 when --help or
 * --version was printed (exit 0), or -EINVAL after a usage message. */
int globals_parse(struct cli_ctx *ctx, int argc, char **argv, int *cmd_index);
void globals_free(struct cli_globals *g);

#endif
