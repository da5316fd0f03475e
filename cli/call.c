/* Fan-out calls and their shared ending (see call.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "call.h"

int call_fanout(const struct cli_ctx *ctx, const char *method, const ProtobufCMessage *req,
		const struct call_fanout_opts *co, struct rpc_host_result **out)
{
	struct rpc_fanout_opts o = {
		.client = &ctx->g.client,
		.max_inflight = ctx->g.parallel,
		.timeout_ms = co && co->timeout_ms ? co->timeout_ms : ctx->g.timeout_ms,
		.cancel = ctx->cancel,
	};
	struct rpc_host_result *r;
	int ret;

	if (co && co->stream) {
		o.stream = true;
		o.timeout_ms = co->timeout_ms;
		o.on_message = co->on_message;
		o.on_done = co->on_done;
		o.user = co->user;
		/* A stream holds its slot for its whole life: queued hosts would never start. */
		if (o.max_inflight < ctx->g.hosts.n)
			o.max_inflight = ctx->g.hosts.n;
	}
	*out = NULL;
	r = calloc(ctx->g.hosts.n, sizeof(*r));
	if (!r)
		return -ENOMEM;
	ret = ctx->io.fanout((const char *const *)ctx->g.hosts.targets, ctx->g.hosts.n,
			     &xdpfleet__v1__agent__descriptor, method, req, &o, r);
	if (ret < 0) {
		fprintf(ctx->io.err, CLI_PROG ": %s: cannot start calls: %s\n", method, strerror(-ret));
		call_results_free(ctx, r);
		return -EIO;
	}
	*out = r;
	return 0;
}

void call_results_free(const struct cli_ctx *ctx, struct rpc_host_result *r)
{
	if (!r)
		return;
	rpc_host_results_free(r, ctx->g.hosts.n);
	free(r);
}

int call_report_failures(const struct cli_ctx *ctx, const struct output_host *h, size_t n)
{
	size_t i, failed = 0;

	for (i = 0; i < n; i++)
		failed += !h[i].ok;
	if (!failed)
		return 0;
	fprintf(ctx->io.err, CLI_PROG ": %zu of %zu hosts failed:\n", failed, n);
	for (i = 0; i < n; i++)
		if (!h[i].ok)
			fprintf(ctx->io.err, "  %s: %s\n", h[i].host, h[i].error);
	return -EIO;
}

int call_unary_run(struct cli_ctx *ctx, const struct call_unary *call)
{
	struct rpc_host_result *r = NULL;
	struct output_host *h = NULL;
	size_t n = ctx->g.hosts.n;
	int err;

	err = call_fanout(ctx, call->method, call->req, NULL, &r);
	if (err)
		goto out;
	err = output_hosts_from_results(&ctx->g.hosts, r, &h);
	if (err)
		goto out;
	if (ctx->g.output == CLI_OUTPUT_JSON)
		err = output_json_answer(ctx->io.out, h, n, call->json);
	else
		err = call->table(ctx->io.out, h, n);
	fflush(ctx->io.out);
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
	};
	int err = call_fanout(ctx, call->method, call->req, &co, results);

	if (err)
		return err;
	for (size_t i = 0; ctx->cancel && *ctx->cancel && i < ctx->g.hosts.n; i++)
		if (!(*results)[i].ok && (*results)[i].status.code == GRPC_STATUS_CANCELLED)
			(*results)[i].ok = true;
	return 0;
}
