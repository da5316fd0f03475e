// SPDX-License-Identifier: GPL-2.0-only
/* "ACTION load FILE": a blocklist read and checked entirely before anything is sent; invalid
 * lines refuse the load (unless --skip-invalid), duplicates are folded, both are reported with
 * their line numbers. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "blocklist.h"
#include "parse.h"
#include "rules_add.h"

/* Duplicates are normal in public lists: a few examples are enough. */
#define RULES_LOAD_DUPS_SHOWN 5

static void rules_load_report(const struct cli_ctx *ctx, const char *cmd, const char *file,
			      const struct blocklist *bl)
{
	size_t shown;

	shown = bl->invalid < BLOCKLIST_NOTES_MAX ? bl->invalid : BLOCKLIST_NOTES_MAX;
	for (size_t i = 0; i < shown; i++)
		fprintf(ctx->io.err, CLI_PROG " %s: %s:%zu: invalid entry '%s': %s\n", cmd, file,
			bl->bad[i].line, bl->bad[i].text, bl->bad[i].why);
	if (bl->invalid > shown)
		fprintf(ctx->io.err, CLI_PROG " %s: %s: ... and %zu more invalid lines\n", cmd,
			file, bl->invalid - shown);
	shown = bl->duplicates < RULES_LOAD_DUPS_SHOWN ? bl->duplicates : RULES_LOAD_DUPS_SHOWN;
	for (size_t i = 0; i < shown; i++)
		fprintf(ctx->io.err, CLI_PROG " %s: %s:%zu: '%s' repeats line %zu (folded)\n", cmd,
			file, bl->dup[i].line, bl->dup[i].text, bl->dup[i].first_line);
	if (bl->duplicates > shown)
		fprintf(ctx->io.err, CLI_PROG " %s: %s: ... and %zu more duplicates (folded)\n",
			cmd, file, bl->duplicates - shown);
}

/* Reads the whole file into bl; -EINVAL (nothing sent) when it cannot be read. */
static int rules_load_read(const struct cli_ctx *ctx, const char *cmd, const char *path,
			   struct blocklist *bl)
{
	bool is_stdin = !strcmp(path, "-");
	FILE *f = is_stdin ? stdin : fopen(path, "r");
	int err;

	if (!f)
		return cli_usage_error(ctx, cmd, "cannot open '%s': %s", path, strerror(errno));
	err = blocklist_read(bl, f);
	if (err == -EIO)
		err = cli_usage_error(ctx, cmd, "cannot read '%s': %s", path, strerror(errno));
	else if (err)
		fprintf(ctx->io.err, CLI_PROG " %s: %s: out of memory\n", cmd, path);
	if (!is_stdin)
		fclose(f);
	return err == -ENOMEM ? -EIO : err;
}

int rules_load_file(const struct cli_ctx *ctx, const char *cmd, const struct rules_args *a,
		    const char *path, struct blocklist *bl, struct output_rules_load *load)
{
	int err;

	memset(load, 0, sizeof(*load));
	load->file = path;
	blocklist_init(bl, &(struct blocklist_opts){ .normalise = a->normalise });
	err = rules_load_read(ctx, cmd, path, bl);
	if (err)
		return err;
	rules_load_report(ctx, cmd, path, bl);
	if (bl->invalid && !a->skip_invalid)
		return cli_usage_error(ctx, cmd, "%s: %zu invalid line%s, nothing sent (fix %s, or "
				       "use --skip-invalid to send the valid ones)", path,
				       bl->invalid, bl->invalid == 1 ? "" : "s",
				       bl->invalid == 1 ? "it" : "them");
	if (!bl->n && !a->allow_empty)
		return cli_usage_error(ctx, cmd, "%s: no entries in %zu lines, nothing sent%s", path,
				       bl->lines, a->skip_invalid || bl->invalid ? "" :
				       strstr(cmd, "sync") ? " (--allow-empty syncs it anyway: "
							    "every rule of the tag is deleted)" : "");
	load->lines = bl->lines;
	load->entries = bl->n;
	load->duplicates = bl->duplicates;
	load->invalid = bl->invalid;
	err = blocklist_count_nested(bl, &load->nested);
	if (err)
		fprintf(ctx->io.err, CLI_PROG " %s: out of memory\n", cmd);
	return err == -ENOMEM ? -EIO : err;
}

int rules_load_request(const struct cli_ctx *ctx, const char *cmd, const struct rules_args *a,
		       const char *path, struct rules_add_req *rq, struct output_rules_load *load)
{
	struct blocklist bl = { 0 };
	int err;

	err = rules_load_file(ctx, cmd, a, path, &bl, load);
	if (!err)
		err = rules_add_req_build(rq, a, bl.entries, bl.n);
	/* Only the entries' lines are needed while the hosts answer, to name refused ones. */
	if (!err) {
		load->entry_line = bl.entry_line;
		bl.entry_line = NULL;
	}
	blocklist_free(&bl);
	if (err == -ENOMEM) {
		fprintf(ctx->io.err, CLI_PROG " %s: out of memory\n", cmd);
		err = -EIO;
	}
	return err;
}

void rules_load_release(struct rules_add_req *rq, struct output_rules_load *load)
{
	rules_add_req_free(rq);
	free((size_t *)load->entry_line);
	load->entry_line = NULL;
}

int rules_load_run(struct cli_ctx *ctx, const char *cmd, Xdpfleet__V1__RuleAction action,
		   int argc, char **argv)
{
	struct rules_args a = { .action = action };
	struct output_rules_load load = { 0 };
	struct rules_add_req rq = { 0 };
	int err;

	err = rules_args_parse(ctx, cmd, RULES_ARGS_LOAD, argc, argv, &a);
	if (err)
		return err;
	if (optind >= argc)
		return cli_usage_error(ctx, cmd, "missing FILE (a blocklist path, or - for stdin)");
	if (optind + 1 < argc)
		return cli_usage_error(ctx, cmd, "unexpected argument '%s' (one FILE per load)",
				       argv[optind + 1]);
	err = rules_load_request(ctx, cmd, &a, argv[optind], &rq, &load);
	if (!err)
		err = rules_add_send(ctx, &rq, &load);
	rules_load_release(&rq, &load);
	return err;
}
