/* Fan-out calls and their shared ending (see call.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "call.h"

static void call_fanout_opts(const struct cli_ctx *ctx, struct rpc_fanout_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->client = &ctx->g.client;
	o->max_inflight = ctx->g.parallel;
	o->timeout_ms = ctx->g.timeout_ms;
	o->cancel = ctx->cancel;
}

static int call_fanout(const struct cli_ctx *ctx, const char *method, const ProtobufCMessage *req,
		       const struct rpc_fanout_opts *o, struct rpc_host_result **out)
{
	struct rpc_host_result *r;
	int ret;

	r = calloc(ctx->g.hosts.n, sizeof(*r));
	if (!r)
		return -ENOMEM;
	ret = rpc_fanout((const char *const *)ctx->g.hosts.targets, ctx->g.hosts.n,
			 &xdpfleet__v1__agent__descriptor, method, req, o, r);
	if (ret < 0) {
		fprintf(ctx->io.err, CLI_PROG ": %s: cannot start calls: %s\n", method,
			strerror(-ret));
		rpc_host_results_free(r, ctx->g.hosts.n);
		free(r);
		return -EIO;
	}
	*out = r;
	return 0;
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
	struct rpc_fanout_opts o;
	size_t n = ctx->g.hosts.n;
	int err;

	call_fanout_opts(ctx, &o);
	err = call_fanout(ctx, call->method, call->req, &o, &r);
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
	if (r) {
		rpc_host_results_free(r, n);
		free(r);
	}
	return err;
}

int call_stream_run(struct cli_ctx *ctx, const struct call_stream *call,
		    struct rpc_host_result **results)
{
	struct rpc_fanout_opts o;
	size_t i;
	int err;

	call_fanout_opts(ctx, &o);
	o.stream = true;
	o.timeout_ms = call->timeout_ms;
	o.on_message = call->on_message;
	o.on_done = call->on_done;
	o.user = call->user;
	/* A stream holds its slot for its whole life: queued hosts would never start. */
	if (o.max_inflight < ctx->g.hosts.n)
		o.max_inflight = ctx->g.hosts.n;
	err = call_fanout(ctx, call->method, call->req, &o, results);
	if (err)
		return err;
	for (i = 0; ctx->cancel && *ctx->cancel && i < ctx->g.hosts.n; i++)
		if (!(*results)[i].ok && (*results)[i].status.code == GRPC_STATUS_CANCELLED)
			(*results)[i].ok = true;
	return 0;
}
