// SPDX-License-Identifier: GPL-2.0-only
/* cli_main: global options (from anywhere on the line), then the command; maps command results
 * to exit statuses. */
#include <errno.h>
#include <stdarg.h>

#include "commands.h"
#include "globals.h"

int cli_usage_error(const struct cli_ctx *ctx, const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(ctx->io.err, CLI_PROG "%s%s: ", cmd ? " " : "", cmd ? cmd : "");
	va_start(ap, fmt);
	vfprintf(ctx->io.err, fmt, ap);
	va_end(ap);
	fprintf(ctx->io.err, "\nTry '" CLI_PROG " %s%s--help' for more information.\n",
		cmd ? cmd : "", cmd ? " " : "");
	return -EINVAL;
}

int cli_main(int argc, char **argv, const struct cli_io *io, volatile sig_atomic_t *cancel)
{
	struct cli_ctx ctx = { .io = *io, .cancel = cancel };
	struct args_split split;
	int err;

	err = globals_parse(&ctx, argc, argv, &split);
	if (!err)
		err = commands_run(&ctx, commands_table, NULL, split.n_cmd, split.cmd);
	args_split_free(&split);
	globals_free(&ctx.g);
	fflush(ctx.io.out);
	if (err == 1 || !err)
		return CLI_EXIT_OK;
	if (err == -EINVAL)
		return CLI_EXIT_USAGE;
	return CLI_EXIT_FAILED;
}
