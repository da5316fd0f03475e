/* Sending one request to every target through rpc_fanout, and the shared ending of every
 * command: print each host's answer, name the failed hosts, pick the result. */
#ifndef XDPFLEET_CLI_CALL_H
#define XDPFLEET_CLI_CALL_H

#include "cli.h"
#include "output.h"

/* One fan-out of method to every target with the global options; timeout_ms (0: the global
 * per-host deadline) and, for streams, the callbacks. *out (one result per target) is freed
 * with call_results_free. Returns 0, or -EIO after saying why nothing could start. */
struct call_fanout_opts {
	unsigned int timeout_ms;
	bool stream;
	rpc_fanout_msg_fn on_message;
	rpc_fanout_done_fn on_done;
	void *user;
};

int call_fanout(const struct cli_ctx *ctx, const char *method, const ProtobufCMessage *req,
		const struct call_fanout_opts *co, struct rpc_host_result **out);
void call_results_free(const struct cli_ctx *ctx, struct rpc_host_result *r);

/* A unary method and how to print its answer. */
struct call_unary {
	const char *method; /* as in the service descriptor: "GetInfo" */
	const ProtobufCMessage *req;
	output_table_fn table;
	output_json_body_fn json;
};

/* Sends, prints and reports: 0 when every host answered, -EIO when any failed. */
int call_unary_run(struct cli_ctx *ctx, const struct call_unary *call);

struct call_stream {
	const char *method;
	const ProtobufCMessage *req;
	unsigned int timeout_ms; /* 0: none */
	rpc_fanout_msg_fn on_message;
	rpc_fanout_done_fn on_done; /* optional */
	void *user;
};

/* Runs a server stream on every target; *results (one per target) are the end states, with a
 * CANCELLED caused by ctx->cancel (Ctrl-C) counted as success. Free with
 * rpc_host_results_free + free. Returns 0, or -EIO when nothing could start. */
int call_stream_run(struct cli_ctx *ctx, const struct call_stream *call,
		    struct rpc_host_result **results);

/* Names the failed hosts on stderr; returns -EIO when there are any, else 0. */
int call_report_failures(const struct cli_ctx *ctx, const struct output_host *h, size_t n);

#endif
