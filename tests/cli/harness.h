/* SPDX-License-Identifier: GPL-2.0-only */
/* Runs cli_main() like a shell would, capturing stdout and stderr in memory. */
#ifndef XDPFLEET_TESTS_CLI_HARNESS_H
#define XDPFLEET_TESTS_CLI_HARNESS_H

#include <signal.h>
#include <stdbool.h>

#include "rpc/rpc.h"

/* How the CLI reaches hosts in this test: each test executable defines it (the fake
 * transport of fake_rpc.c, or rpc_fanout for tests against real servers). */
extern const rpc_fanout_fn harness_fanout;

/* What cli_io says of the surroundings for the next runs: stderr a terminal (progress shown),
 * and the system-wide config file (NULL: one that does not exist). */
extern bool harness_err_tty;
extern const char *harness_system_config;

struct harness_run {
	int status;
	char *out;
	char *err;
};

/* Arguments after "xdpfleet", NULL-terminated. cancel may be NULL. */
void harness_run(struct harness_run *r, volatile sig_atomic_t *cancel, ...);
void harness_free(struct harness_run *r);
/* Fails the test, showing text, unless it contains want. */
void harness_check_contains(const char *text, const char *want);

#endif
