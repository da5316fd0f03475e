/* SPDX-License-Identifier: GPL-2.0-only */
/* xdpfleet CLI: the types every command shares (global options, I/O, the command table entry).
 * Commands return 0 (every host ok), -EIO (some host failed) or -EINVAL (usage error). */
#ifndef XDPFLEET_CLI_H
#define XDPFLEET_CLI_H

#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "api_limits.h"
#include "rpc/rpc.h"

#define CLI_PROG "xdpfleet"
#define CLI_SYSTEM_CONFIG "/etc/xdpfleet/cli.conf"
#define CLI_DEFAULT_PORT "50051"
/* Fleets at least this large show "answered/total" on a terminal's stderr while they answer. */
#define CLI_PROGRESS_MIN_HOSTS 20
#define CLI_PROGRESS_MIN_HOSTS_TEXT "20"

enum cli_exit {
	CLI_EXIT_OK = 0,
	CLI_EXIT_FAILED = 1, /* at least one host failed */
	CLI_EXIT_USAGE = 2,
};

enum cli_output {
	CLI_OUTPUT_TABLE,
	CLI_OUTPUT_JSON,  /* one array per answer */
	CLI_OUTPUT_JSONL, /* one object per host and line */
};

/* Where commands write, how they reach hosts and what they find around them: stdout/stderr,
 * rpc_fanout and CLI_SYSTEM_CONFIG in the program; memory streams, a fake transport and temp
 * files in tests. */
struct cli_io {
	FILE *out;
	FILE *err;
	rpc_fanout_fn fanout;
	bool err_tty;              /* stderr is a terminal: progress may be shown there */
	const char *system_config; /* NULL: CLI_SYSTEM_CONFIG */
};

/* A target's labels from its hosts-file line ("role=web"): keys[i] = values[i]. */
struct cli_labels {
	char **keys;
	char **values;
	size_t n;
};

struct cli_hosts {
	char **targets; /* normalised (default port added); also the host names printed */
	struct cli_labels *labels; /* per target; empty for -H and environment targets */
	char **origin;  /* per target: where it was listed ("fleet.txt:3", "--hosts") */
	size_t n;
};

struct settings;

struct cli_globals {
	struct cli_hosts hosts;
	struct rpc_client_opts client;
	unsigned int timeout_ms; /* per host */
	size_t parallel;
	enum cli_output output;
	bool no_headers;
	/* Every global's value and where it came from (flag, environment, config file), kept for
	 * 'xdpfleet config' and owning the strings client points to. */
	struct settings *settings;
};

struct cli_ctx {
	struct cli_io io;
	struct cli_globals g;
	/* Set by SIGINT: streams and calls end early. */
	volatile sig_atomic_t *cancel;
};

struct cli_command {
	const char *name;
	/* The command's own options, so global options can be told apart after the command word
	 * (NULL: none; groups have none). shortopts as for getopt, without the leading ':'. */
	const struct option *options;
	const char *shortopts;
	const char *summary; /* one line, for the command list */
	const char *usage;   /* the synopsis after "xdpfleet [GLOBAL OPTIONS] " */
	const char *help;    /* everything else: options, output, examples, exit codes */
	/* argv[0] is the command name; NULL for a group that only has subcommands. */
	int (*run)(struct cli_ctx *ctx, int argc, char **argv);
	/* NULL-terminated, for groups such as "rules list|del|flush". */
	const struct cli_command *const *subcommands;
};

/* Runs the whole program: returns the exit status. */
int cli_main(int argc, char **argv, const struct cli_io *io, volatile sig_atomic_t *cancel);

/* Prints "xdpfleet CMD: MESSAGE" and a hint to --help on io->err; returns -EINVAL. */
int cli_usage_error(const struct cli_ctx *ctx, const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
