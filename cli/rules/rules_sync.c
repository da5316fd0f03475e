// SPDX-License-Identifier: GPL-2.0-only
/* "ACTION sync FILE": a blocklist file (read as "load" reads it) becomes the exact rule set of
 * one tag on every host, in one SyncRules request per host: rules of the tag the file no
 * longer has are deleted, new ones added, the others refreshed, all or nothing. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "call.h"
#include "names.h"
#include "parse.h"
#include "rules_add.h"

/* The tag: --tag, else the file's base name ("feeds/firehol_level1.netset" syncs the tag
 * "firehol_level1.netset"), which must then be a valid tag. */
static int rules_sync_tag(const struct cli_ctx *ctx, const char *cmd, const char *path,
			  const struct rules_args *a, const char **tag)
{
	const char *base = strrchr(path, '/');

	if (a->tag && !*a->tag)
		return cli_usage_error(ctx, cmd, "--tag: empty (sync replaces the rules of one "
				       "named tag)");
	if (a->tag) {
		*tag = a->tag;
		return 0;
	}
	if (!strcmp(path, "-"))
		return cli_usage_error(ctx, cmd, "reading stdin needs --tag NAME (the tag whose rules "
				       "become the list's)");
	base = base ? base + 1 : path;
	if (!*base || !names_tag_valid(base))
		return cli_usage_error(ctx, cmd, "the file name '%s' is no valid tag (at most %d "
				       "letters, digits and . _ - :): give --tag NAME", base,
				       API_TAG_MAX);
	*tag = base;
	return 0;
}

static bool rules_sync_enforced(const ProtobufCMessage *msg)
{
	return ((const Xdpfleet__V1__SyncRulesResponse *)msg)->enforced;
}

static int rules_sync_print(const struct cli_ctx *ctx, const struct rules_batch *b,
			    const struct output_host *h, size_t n, const struct output_opts *o)
{
	if (ctx->g.output != CLI_OUTPUT_TABLE)
		return output_json_rules_synced(ctx->io.out, h, n, b->tag, b->load, o);
	if (!o->no_headers) {
		output_rules_load_summary(ctx->io.out, b->load);
		fprintf(ctx->io.out, "tag %s:\n", b->tag);
	}
	return output_table_rules_synced(ctx->io.out, h, n, o);
}

int rules_sync_run(struct cli_ctx *ctx, const char *cmd, Xdpfleet__V1__RuleAction action,
		   int argc, char **argv)
{
	Xdpfleet__V1__SyncRulesRequest req = XDPFLEET__V1__SYNC_RULES_REQUEST__INIT;
	struct rules_args a = { .action = action };
	struct output_rules_load load = { 0 };
	struct rules_add_req rq = { 0 };
	struct rules_batch b = {
		.method = "SyncRules",
		.req = &req.base,
		.load = &load,
		.print = rules_sync_print,
		.enforced = rules_sync_enforced,
	};
	int err;

	err = rules_args_parse(ctx, cmd, RULES_ARGS_SYNC, argc, argv, &a);
	if (err)
		return err;
	if (optind >= argc)
		return cli_usage_error(ctx, cmd, "missing FILE (a blocklist path, or - for stdin)");
	if (optind + 1 < argc)
		return cli_usage_error(ctx, cmd, "unexpected argument '%s' (one FILE per sync)",
				       argv[optind + 1]);
	err = rules_sync_tag(ctx, cmd, argv[optind], &a, &b.tag);
	if (err)
		return err;
	/* The request's tag is what counts; the rules carry it too, for agents and logs. */
	a.tag = b.tag;
	err = rules_load_request(ctx, cmd, &a, argv[optind], &rq, &load);
	if (!err) {
		req.tag = (char *)b.tag;
		req.rules = rq.req.rules;
		req.n_rules = b.n_rules = rq.req.n_rules;
		req.force = a.force;
		err = rules_batch_send(ctx, &b);
	}
	rules_load_release(&rq, &load);
	return err;
}
