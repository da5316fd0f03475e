// SPDX-License-Identifier: GPL-2.0-only
/* Fan-out: one call against many targets concurrently on one completion queue, with a bound on
 * calls in flight and a per-host deadline, collecting per-host results. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "client_internal.h"

#define FANOUT_DEFAULT_INFLIGHT 64
/* How often the loop looks at the cancel flag. */
#define FANOUT_POLL_MS 100

enum host_tag { TAG_START, TAG_STATUS, TAG_RECV };

struct host_tag_ref {
	struct host_call *host;
	enum host_tag kind;
};

struct host_call {
	size_t idx;
	struct rpc_channel *ch;
	grpc_call *call;
	grpc_byte_buffer *send, *recv;
	grpc_metadata_array md_in, trailers;
	grpc_status_code code;
	grpc_slice details;
	struct host_tag_ref tags[3];
	int pending;
	bool started;
};

struct fanout {
	const ProtobufCServiceDescriptor *svc;
	const char *method;
	const ProtobufCMessageDescriptor *output;
	const struct rpc_fanout_opts *opts;
	grpc_completion_queue *cq;
	struct host_call *hosts;
	struct rpc_host_result *results;
	size_t running;
};

static int batch(struct host_call *h, grpc_op *ops, size_t n, enum host_tag kind)
{
	if (grpc_call_start_batch(h->call, ops, n, &h->tags[kind], NULL) != GRPC_CALL_OK)
		return -EIO;
	h->pending++;
	return 0;
}

static int recv_next(struct host_call *h)
{
	grpc_op op = { .op = GRPC_OP_RECV_MESSAGE };

	op.data.recv_message.recv_message = &h->recv;
	return batch(h, &op, 1, TAG_RECV);
}

static int host_start(struct fanout *f, struct host_call *h, const char *target, const ProtobufCMessage *req)
{
	struct rpc_host_result *res = &f->results[h->idx];
	grpc_op ops[6] = { 0 };
	size_t n = 0;
	char err[RPC_ERR_MAX] = "";

	h->started = true;
	if (rpc_channel_open(&h->ch, target, f->opts->client, err, sizeof(err))) {
		rpc_status_setf(&res->status, GRPC_STATUS_INVALID_ARGUMENT, "%s", err);
		return -EINVAL;
	}
	h->call = rpc_channel_call(h->ch, f->cq, f->svc, f->method, f->opts->timeout_ms, &res->status);
	if (!h->call)
		return -EIO;
	h->send = rpc_codec_pack(req);
	ops[n++].op = GRPC_OP_SEND_INITIAL_METADATA;
	ops[n].op = GRPC_OP_SEND_MESSAGE;
	ops[n++].data.send_message.send_message = h->send;
	ops[n++].op = GRPC_OP_SEND_CLOSE_FROM_CLIENT;
	ops[n].op = GRPC_OP_RECV_INITIAL_METADATA;
	ops[n++].data.recv_initial_metadata.recv_initial_metadata = &h->md_in;
	if (!f->opts->stream) {
		ops[n].op = GRPC_OP_RECV_MESSAGE;
		ops[n++].data.recv_message.recv_message = &h->recv;
	}
	if (batch(h, ops, n, TAG_START))
		goto fail;
	memset(ops, 0, sizeof(ops));
	ops[0].op = GRPC_OP_RECV_STATUS_ON_CLIENT;
	ops[0].data.recv_status_on_client.trailing_metadata = &h->trailers;
	ops[0].data.recv_status_on_client.status = &h->code;
	ops[0].data.recv_status_on_client.status_details = &h->details;
	if (batch(h, ops, 1, TAG_STATUS))
		goto fail;
	if (f->opts->stream && recv_next(h))
		goto fail;
	f->running++;
	return 0;
fail:
	grpc_call_cancel(h->call, NULL);
	f->running++; /* batches already started still complete */
	return 0;
}

static void host_done(struct fanout *f, size_t idx)
{
	if (f->opts->on_done)
		f->opts->on_done(f->opts->user, idx, &f->results[idx]);
}

static void host_finish(struct fanout *f, struct host_call *h)
{
	struct rpc_host_result *res = &f->results[h->idx];

	rpc_status_set_slice(&res->status, h->code, h->details);
	if (h->code == GRPC_STATUS_OK && !f->opts->stream) {
		res->resp = rpc_codec_unpack(h->recv, f->output);
		if (!res->resp)
			rpc_status_setf(&res->status, GRPC_STATUS_INTERNAL, "the answer is not a valid %s",
					f->output->name);
	}
	res->ok = res->status.code == GRPC_STATUS_OK;
	if (res->status.code != GRPC_STATUS_OK && !res->status.message[0])
		rpc_status_setf(&res->status, res->status.code, "%s", rpc_status_name(res->status.code));
	f->running--;
	host_done(f, h->idx);
}

static void host_release(struct host_call *h)
{
	if (h->call)
		grpc_call_unref(h->call);
	if (h->send)
		grpc_byte_buffer_destroy(h->send);
	if (h->recv)
		grpc_byte_buffer_destroy(h->recv);
	grpc_slice_unref(h->details);
	grpc_metadata_array_destroy(&h->md_in);
	grpc_metadata_array_destroy(&h->trailers);
	rpc_channel_close(h->ch);
	h->call = NULL;
	h->ch = NULL;
}

static void on_event(struct fanout *f, struct host_tag_ref *ref, bool ok)
{
	struct host_call *h = ref->host;
	struct rpc_host_result *res = &f->results[h->idx];

	h->pending--;
	if (ref->kind == TAG_RECV && ok && h->recv) {
		ProtobufCMessage *msg = rpc_codec_unpack(h->recv, f->output);

		grpc_byte_buffer_destroy(h->recv);
		h->recv = NULL;
		res->messages++;
		/* A broken message or a callback that has seen enough ends this host's stream. */
		if (!msg || f->opts->on_message(f->opts->user, h->idx, msg) || recv_next(h))
			grpc_call_cancel(h->call, NULL);
	}
	if (!h->pending) {
		host_finish(f, h);
		host_release(h);
	}
}

int rpc_fanout(const char *const *targets, size_t n, const ProtobufCServiceDescriptor *svc, const char *method,
	       const ProtobufCMessage *req, const struct rpc_fanout_opts *opts, struct rpc_host_result *results)
{
	size_t max_inflight = opts->max_inflight ? opts->max_inflight : FANOUT_DEFAULT_INFLIGHT;
	struct fanout f = { .svc = svc, .method = method, .opts = opts, .results = results };
	bool cancelled = false;
	size_t next = 0;
	int failed = 0;

	if (!protobuf_c_service_descriptor_get_method_by_name(svc, method) || (opts->stream && !opts->on_message))
		return -EINVAL;
	f.output = rpc_method_output(svc, method);
	memset(results, 0, n * sizeof(*results));
	f.hosts = calloc(n ? n : 1, sizeof(*f.hosts));
	if (!f.hosts)
		return -ENOMEM;
	f.cq = grpc_completion_queue_create_for_next(NULL);
	for (size_t i = 0; i < n; i++) {
		struct host_call *h = &f.hosts[i];

		h->idx = i;
		h->details = grpc_empty_slice();
		grpc_metadata_array_init(&h->md_in);
		grpc_metadata_array_init(&h->trailers);
		for (int k = 0; k < 3; k++)
			h->tags[k] = (struct host_tag_ref){ h, k };
	}

	while (next < n || f.running) {
		grpc_event ev;

		while (next < n && f.running < max_inflight && !cancelled) {
			struct host_call *h = &f.hosts[next++];

			if (host_start(&f, h, targets[h->idx], req)) {
				host_release(h);
				host_done(&f, h->idx);
			}
		}
		if (opts->cancel && *opts->cancel && !cancelled) {
			cancelled = true;
			for (size_t i = 0; i < n; i++)
				if (f.hosts[i].call)
					grpc_call_cancel(f.hosts[i].call, NULL);
		}
		if (cancelled && next < n) {
			for (; next < n; next++) {
				rpc_status_setf(&results[next].status, GRPC_STATUS_CANCELLED, "not contacted: the command was interrupted");
				host_done(&f, next);
			}
		}
		if (!f.running)
			continue;
		ev = grpc_completion_queue_next(f.cq, rpc_deadline_after(FANOUT_POLL_MS), NULL);
		if (ev.type == GRPC_OP_COMPLETE)
			on_event(&f, ev.tag, ev.success);
	}
	for (size_t i = 0; i < n; i++)
		failed += !results[i].ok;
	rpc_cq_destroy(f.cq);
	free(f.hosts);
	return failed;
}

void rpc_host_results_free(struct rpc_host_result *results, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (results[i].resp)
			protobuf_c_message_free_unpacked(results[i].resp, NULL);
		results[i].resp = NULL;
	}
}
