/* SPDX-License-Identifier: GPL-2.0-only */
/* Sending one request to every target through the transport, and the shared ending of every
 * command: print each host's answer, name the failed hosts (with hints), pick the result. */
#ifndef XDPFLEET_CLI_CALL_H
#define XDPFLEET_CLI_CALL_H

#include "cli.h"
#include "output.h"

/* One fan-out of method with the global options; timeout_ms (0: the global per-host
 * deadline; streams: none) and, for streams, the callbacks. Targets whose TLS name differs
 * (a tls_name label) are called through separate transports at the same time; callbacks are
 * never run concurrently. */
struct call_fanout_opts {
	unsigned int timeout_ms;
	bool stream;
	rpc_fanout_msg_fn on_message; /* host: the target's index in ctx->g.hosts */
	rpc_fanout_done_fn on_done;
	void *user;
	bool no_progress;   /* an endless stream has no "answered/total" to show */
	const size_t *only; /* a subset of the targets (by index), NULL: every target */
	size_t n_only;
};

/* *out (one result per target, or per entry of only) is freed with call_results_free (or, for
 * only, rpc_host_results_free(*out, n_only) and free).
 * Returns 0, or -EIO after saying why nothing could start. */
int call_fanout(const struct cli_ctx *ctx, const char *method, const ProtobufCMessage *req,
		const struct call_fanout_opts *co, struct rpc_host_result **out);
void call_results_free(const struct cli_ctx *ctx, struct rpc_host_result *r);

/* The client options a call to target i uses: the global ones with its tls_name label. */
void call_client_for(const struct cli_ctx *ctx, size_t i, struct rpc_client_opts *out);

/* The hint (hints.h) for target i, failed with r, into h. */
void call_host_hint(const struct cli_ctx *ctx, size_t i, const struct rpc_host_result *r,
		    struct output_host *h);
/* output_hosts_from_results() plus a hint for each failed host. */
int call_hosts(const struct cli_ctx *ctx, const struct rpc_host_result *r,
	       struct output_host **out);

/* A unary method and how to print its answer. */
struct call_unary {
	const char *method; /* as in the service descriptor: "GetInfo" */
	const ProtobufCMessage *req;
	output_table_fn table;
	output_json_body_fn json;
	/* Optional, after the answers are printed: warnings on stderr about them. */
	void (*after)(const struct cli_ctx *ctx, const struct output_host *h, size_t n);
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
	bool endless;               /* no progress display */
};

/* Runs a server stream on every target; *results (one per target) are the end states, with a
 * CANCELLED caused by ctx->cancel (Ctrl-C) counted as success. Free with call_results_free.
 * Returns 0, or -EIO when nothing could start. */
int call_stream_run(struct cli_ctx *ctx, const struct call_stream *call,
		    struct rpc_host_result **results);

/* Names the failed hosts on stderr, each with its hint; returns -EIO when there are any. */
int call_report_failures(const struct cli_ctx *ctx, const struct output_host *h, size_t n);

/* The output options of the global settings. */
void call_output_opts(const struct cli_ctx *ctx, struct output_opts *o);

#endif
