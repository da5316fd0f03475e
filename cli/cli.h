/* xdpfleet CLI: the types every command shares (global options, I/O, the command table entry).
 * Commands return 0 (every host ok), -EIO (some host failed) or -EINVAL (usage error). */
#ifndef XDPFLEET_CLI_H
#define XDPFLEET_CLI_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "api_limits.h"
#include "rpc/rpc.h"

#define CLI_PROG "xdpfleet"
#define CLI_HOSTS_ENV "XDPFLEET_HOSTS"

enum cli_exit {
	CLI_EXIT_OK = 0,
	CLI_EXIT_FAILED = 1, /* at least one host failed */
	CLI_EXIT_USAGE = 2,
};

enum cli_output {
	CLI_OUTPUT_TABLE,
	CLI_OUTPUT_JSON,
};

/* Where commands write and how they reach hosts: stdout/stderr and rpc_fanout in the
 * program; memory streams and a fake transport in tests. */
struct cli_io {
	FILE *out;
	FILE *err;
	rpc_fanout_fn fanout;
};

struct cli_hosts {
	char **targets; /* as the operator wrote them; also the host names printed */
	size_t n;
};

struct cli_globals {
	struct cli_hosts hosts;
	struct rpc_client_opts client;
	unsigned int timeout_ms; /* per host */
	size_t parallel;
	enum cli_output output;
};

struct cli_ctx {
	struct cli_io io;
	struct cli_globals g;
	/* Set by SIGINT: streams and calls end early. */
	volatile sig_atomic_t *cancel;
};

struct cli_command {
	const char *name;
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
