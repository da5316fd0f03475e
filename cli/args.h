/* SPDX-License-Identifier: GPL-2.0-only */
/* Global options anywhere on the line: after the command word, the tokens that are global
 * options (and their values) are moved out of the command's arguments, so that
 * "xdpfleet status -o json" means "xdpfleet -o json status". */
#ifndef XDPFLEET_CLI_ARGS_H
#define XDPFLEET_CLI_ARGS_H

#include <getopt.h>

#include "cli.h"

/* The global options as getopt knows them; -h/--help is never moved (a command's help wins). */
struct args_globals {
	const struct option *longopts;
	const char *shortopts; /* "H:o:l:V", no leading '+' or ':' */
};

/* The two argument lists, pointing into the caller's argv (nothing is copied). */
struct args_split {
	char **globals; /* [0] the program name, then the moved options in order; NULL-terminated */
	int n_globals;
	char **cmd;     /* the command word and the rest of its arguments; NULL-terminated */
	int n_cmd;
};

/* argv[first] is the command word (the leading global options end before it). A token after
 * it is the command's when its command or subcommand (from table) has an option of that name
 * or letter, or a unique abbreviation of one; else a global option's when it names one in
 * full (or by its letter); else the command's (which refuses what it does not know). Nothing
 * after "--" moves. Returns 0 or -ENOMEM. */
int args_split(const struct args_globals *g, const struct cli_command *const *table, int argc,
	       char **argv, int first, struct args_split *out);
void args_split_free(struct args_split *s);

#endif
