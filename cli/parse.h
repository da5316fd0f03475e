/* SPDX-License-Identifier: GPL-2.0-only */
/* Option parsing helpers shared by the global options and every command: getopt with our own
 * error messages, and strict number parsers that name the bad value. */
#ifndef XDPFLEET_CLI_PARSE_H
#define XDPFLEET_CLI_PARSE_H

#include <getopt.h>
#include <stdint.h>

#include "cli.h"

#define PARSE_OPT_ERROR (-2)

/* getopt_long with errors reported as "xdpfleet CMD: unknown option '--x'" (exit 2). Returns
 * the option, -1 at the end, or PARSE_OPT_ERROR after printing the message. Start every parse
 * with optind = 0 (the caller does, so tests can parse repeatedly). */
int parse_getopt(const struct cli_ctx *ctx, const char *cmd, int argc, char **argv,
		 const char *shortopts, const struct option *longopts);

/* A duration (lib/util/duration.h: "250ms", "5", "1m30s") in milliseconds, within [min_ms, max_ms]. */
int parse_duration_ms(const char *s, unsigned int min_ms, unsigned int max_ms, unsigned int *ms);
/* The value of a duration option (opt: "--interval", or where it came from), within
 * [min_ms, max_ms]; otherwise a usage error naming opt, the value and the bounds. */
int parse_duration_opt(const struct cli_ctx *ctx, const char *cmd, const char *opt,
		       const char *value, unsigned int min_ms, unsigned int max_ms,
		       unsigned int *ms);
/* What every duration error says a duration is. */
#define PARSE_DURATION_GRAMMAR "e.g. 500ms, 90s, 10m, 1h30m, 1d, or plain seconds such as 0.5"
/* A decimal integer within [min, max]; no sign, no trailing garbage. */
int parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *v);

#endif
