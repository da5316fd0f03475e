// SPDX-License-Identifier: GPL-2.0-only
/* Global options anywhere on the line (see args.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "commands.h"

enum args_owner { ARGS_COMMAND, ARGS_GLOBAL };

/* The option called name[0..len): exactly, or (prefix) as the only one starting so. */
static const struct option *args_long(const struct option *opts, const char *name, size_t len,
				      bool prefix)
{
	const struct option *hit = NULL;
	size_t n = 0;

	for (; opts && opts->name; opts++) {
		if (strncmp(opts->name, name, len))
			continue;
		if (!opts->name[len])
			return opts;
		hit = opts;
		n++;
	}
	/* An ambiguous abbreviation is still the command's: its getopt says so. */
	return prefix && n ? hit : NULL;
}

/* Whether letter c is in shortopts; *arg: it takes a value. */
static bool args_short(const char *shortopts, char c, bool *arg)
{
	const char *p = shortopts && c != ':' ? strchr(shortopts, c) : NULL;

	*arg = p && p[1] == ':';
	return p != NULL;
}

/* Who option token t belongs to; *next: its value is the next token. */
static enum args_owner args_owner(const struct args_globals *g, const struct cli_command *cmd,
				  const char *t, bool *next)
{
	const struct option *o;
	const char *eq;
	size_t len;
	bool arg;

	*next = false;
	if (t[1] == '-') {
		eq = strchr(t + 2, '=');
		len = eq ? (size_t)(eq - t - 2) : strlen(t + 2);
		o = cmd ? args_long(cmd->options, t + 2, len, true) : NULL;
		if (o) {
			*next = o->has_arg == required_argument && !eq;
			return ARGS_COMMAND;
		}
		o = args_long(g->longopts, t + 2, len, false);
		if (!o || o->val == 'h')
			return ARGS_COMMAND;
		*next = o->has_arg == required_argument && !eq;
		return ARGS_GLOBAL;
	}
	if (cmd && args_short(cmd->shortopts, t[1], &arg)) {
		*next = arg && !t[2];
		return ARGS_COMMAND;
	}
	if (t[1] == 'h' || !args_short(g->shortopts, t[1], &arg))
		return ARGS_COMMAND;
	*next = arg && !t[2];
	return ARGS_GLOBAL;
}

int args_split(const struct args_globals *g, const struct cli_command *const *table, int argc,
	       char **argv, int first, struct args_split *out)
{
	const struct cli_command *cur = commands_find(table, argv[first]);
	bool next, sub_seen = false;
	enum args_owner owner;

	memset(out, 0, sizeof(*out));
	out->globals = calloc((size_t)argc + 1, sizeof(*out->globals));
	out->cmd = calloc((size_t)argc + 1, sizeof(*out->cmd));
	if (!out->globals || !out->cmd) {
		args_split_free(out);
		return -ENOMEM;
	}
	out->globals[out->n_globals++] = argv[0];
	out->cmd[out->n_cmd++] = argv[first];
	for (int i = first + 1; i < argc; i++) {
		const char *t = argv[i];

		/* Operands only after "--"; an unknown command gets its arguments untouched (it is
		 * refused anyway). */
		if (!strcmp(t, "--"))
			cur = NULL;
		if (!cur) {
			out->cmd[out->n_cmd++] = argv[i];
			continue;
		}
		if (t[0] != '-' || !t[1]) {
			/* The first word after a group is its subcommand, with options of its own. */
			if (cur->subcommands && !sub_seen) {
				sub_seen = true;
				cur = commands_find(cur->subcommands, t) ?: cur;
			}
			out->cmd[out->n_cmd++] = argv[i];
			continue;
		}
		owner = args_owner(g, cur, t, &next);
		if (owner == ARGS_GLOBAL) {
			out->globals[out->n_globals++] = argv[i];
			if (next && i + 1 < argc)
				out->globals[out->n_globals++] = argv[++i];
		} else {
			out->cmd[out->n_cmd++] = argv[i];
			if (next && i + 1 < argc)
				out->cmd[out->n_cmd++] = argv[++i];
		}
	}
	return 0;
}

void args_split_free(struct args_split *s)
{
	free(s->globals);
	free(s->cmd);
	memset(s, 0, sizeof(*s));
}
