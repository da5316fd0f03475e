// SPDX-License-Identifier: GPL-2.0-only
/* Unary calls, streams and their shared ending (see call.h); the fan-out itself is in
 * call_fanout.c. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "call.h"

int call_report_failures(const struct cli_ctx *ctx, const struct output_host *h, size_t n)
{
	size_t failed = 0;

	for (size_t i = 0; i < n; i++)
		failed += !h[i].ok;
	if (!failed)
		return 0;
	fprintf(ctx->io.err, CLI_PROG ": %zu of %zu hosts failed:\n", failed, n);
	for (size_t i = 0; i < n; i++) {
		if (h[i].ok)
			continue;
		fprintf(ctx->io.err, "  %s: %s\n", h[i].host, h[i].error);
		if (h[i].hint[0])
			fprintf(ctx->io.err, "    hint: %s\n", h[i].hint);
	}
	return -EIO;
}

void call_output_opts(const struct cli_ctx *ctx, struct output_opts *o)
{
	o->no_headers = ctx->g.no_headers;
	o->jsonl = ctx->g.output == CLI_OUTPUT_JSONL;
}

int call_unary_run(struct cli_ctx *ctx, const struct call_unary *call)
{
	struct rpc_host_result *r = NULL;
	struct output_host *h = NULL;
	size_t n = ctx->g.hosts.n;
	struct output_opts o;
	int err;

	call_output_opts(ctx, &o);
	err = call_fanout(ctx, call->method, call->req, NULL, &r);
	if (err)
		goto out;
	err = call_hosts(ctx, r, &h);
	if (err)
		goto out;
	if (ctx->g.output != CLI_OUTPUT_TABLE)
		err = output_json_answer(ctx->io.out, h, n, call->json, &o);
	else
		err = call->table(ctx->io.out, h, n, &o);
	fflush(ctx->io.out);
	if (call->after)
		call->after(ctx, h, n);
	err = call_report_failures(ctx, h, n) ?: (err ? -EIO : 0);
out:
	free(h);
	call_results_free(ctx, r);
	return err;
}

int call_stream_run(struct cli_ctx *ctx, const struct call_stream *call,
		    struct rpc_host_result **results)
{
	struct call_fanout_opts co = {
		.timeout_ms = call->timeout_ms,
		.stream = true,
		.on_message = call->on_message,
		.on_done = call->on_done,
		.user = call->user,
		.no_progress = call->endless,
	};
	int err = call_fanout(ctx, call->method, call->req, &co, results);

	if (err)
		return err;
	for (size_t i = 0; ctx->cancel && *ctx->cancel && i < ctx->g.hosts.n; i++)
		if (!(*results)[i].ok && (*results)[i].status.code == GRPC_STATUS_CANCELLED)
			(*results)[i].ok = true;
	return 0;
}
