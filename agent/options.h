/* SPDX-License-Identifier: GPL-2.0-only */
/* xdpfleetd's options: one table serves the command line, the config file (--config, key = value
 * lines named like the long options, read with inih) and --help, so they cannot disagree. */
#ifndef XDPFLEET_AGENT_OPTIONS_H
#define XDPFLEET_AGENT_OPTIONS_H

#include <stdio.h>

#include "agent.h"

/* Owns the strings the options point to (values from a config file). */
struct options {
	struct agent_opts agent;
	const char *config; /* the --config file read, or NULL */
	char **strings;
	size_t n_strings;
};

/* Parses argv over the config file's values (flags win; a repeatable flag given on the command
 * line replaces the file's list). Returns 0, 1 when done (--help, --version printed), or 2
 * after printing a usage error to err. */
int options_parse(struct options *o, int argc, char **argv, FILE *out, FILE *err);
void options_free(struct options *o);
/* The --help text. */
void options_usage(FILE *f);

#endif
