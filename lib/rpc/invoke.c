// SPDX-License-Identifier: GPL-2.0-only
/* Calling a service's handlers in process, without sockets: the request goes through the same
 * decoding and string checks as on the wire, streams run back to back. For the service's unit
 * tests and fuzzers. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <grpc/support/alloc.h>
#include <grpc/support/string_util.h>

#include "server_internal.h"

/* A deep copy of resp out of the call's arena: packed and unpacked again. */
static int keep(struct rpc_invoke_result *out, const ProtobufCMessage *resp)
{
	size_t len = protobuf_c_message_get_packed_size(resp);
	uint8_t *buf = malloc(len ? len : 1);
	ProtobufCMessage **grown = realloc(out->msgs, (out->n_msgs + 1) * sizeof(*grown));
	ProtobufCMessage *copy = NULL;

	if (grown)
		out->msgs = grown;
	if (buf && grown) {
		protobuf_c_message_pack(resp, buf);
		copy = protobuf_c_message_unpack(resp->descriptor, NULL, len, buf);
	}
	free(buf);
	if (!copy)
		return -ENOMEM;
	out->msgs[out->n_msgs++] = copy;
	return 0;
}

static void run(struct rpc_call *c, const ProtobufCMessage *req, size_t max_messages, struct rpc_invoke_result *out)
{
	const struct rpc_method_impl *impl = c->method->impl;
	ProtobufCMessage *resp;
	grpc_status_code code;

	if (impl->unary) {
		resp = rpc_call_new_response(c);
		code = resp ? impl->unary(c, req, resp) : rpc_call_fail(c, GRPC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
		if (code == GRPC_STATUS_OK && keep(out, resp))
			code = rpc_call_fail(c, GRPC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
		c->status.code = code;
		rpc_call_audit_done(c);
		return;
	}
	code = impl->open(c, req);
	rpc_call_arena_reset(c);
	c->status.code = code;
	if (code != GRPC_STATUS_OK)
		return;
	while (out->n_msgs < max_messages) {
		enum rpc_stream_step step;

		resp = rpc_call_new_response(c);
		if (!resp) {
			c->status.code = rpc_call_fail(c, GRPC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
			return;
		}
		step = impl->next(c, resp);
		if ((step == RPC_STREAM_MORE || step == RPC_STREAM_LAST) && keep(out, resp))
			step = RPC_STREAM_FAIL;
		rpc_call_arena_reset(c);
		if (step == RPC_STREAM_FAIL)
			return;
		/* WAIT: nothing would change during an in-process call. */
		if (step != RPC_STREAM_MORE)
			break;
	}
	/* Ended by the handler, or by max_messages: as if the client hung up. */
	rpc_call_free_state(c);
	c->status.code = GRPC_STATUS_OK;
	c->status.message[0] = '\0';
}

int rpc_invoke(const struct rpc_service *svc, const char *method, const void *req_bytes, size_t len,
	       const struct rpc_invoke_opts *opts, struct rpc_invoke_result *out)
{
	const ProtobufCMethodDescriptor *md = protobuf_c_service_descriptor_get_method_by_name(svc->desc, method);
	struct rpc_server srv = { 0 };
	struct rpc_method_entry entry = { .svc = svc, .desc = md };
	char field_err[RPC_ERR_MAX - 32] = "";
	struct rpc_arena req_arena = { 0 };
	ProtobufCMessage *req = NULL;
	struct rpc_call *c;

	memset(out, 0, sizeof(*out));
	if (!md || !(entry.impl = rpc_service_find_impl(svc, method))) {
		rpc_status_setf(&out->status, GRPC_STATUS_UNIMPLEMENTED, "unknown method %s", method);
		return 0;
	}
	snprintf(entry.path, sizeof(entry.path), "/%s/%s", svc->desc->name, method);
	req = rpc_codec_unpack_request(req_bytes, len, md->input, &req_arena, field_err, sizeof(field_err));
	if (!req) {
		rpc_arena_free(&req_arena);
		rpc_status_setf(&out->status, GRPC_STATUS_INVALID_ARGUMENT, "%s",
				field_err[0] ? field_err : "request is not a valid message");
		return 0;
	}
	c = rpc_call_new(&srv, &entry);
	if (!c) {
		rpc_arena_free(&req_arena);
		return -ENOMEM;
	}
	c->deadline = gpr_inf_future(GPR_CLOCK_MONOTONIC);
	c->peer = gpr_strdup(opts && opts->peer ? opts->peer : "unix:");
	c->identity = opts && opts->identity ? strdup(opts->identity) : NULL;
	c->role = opts ? opts->role : RPC_ROLE_ADMIN;
	if (!rpc_call_allowed(c)) {
		rpc_call_audit_done(c);
		out->status = c->status;
		rpc_call_free(c);
		rpc_arena_free(&req_arena);
		return 0;
	}
	run(c, req, opts && opts->max_messages ? opts->max_messages : 1000, out);
	out->status = c->status;
	rpc_call_free(c);
	rpc_arena_free(&req_arena);
	return 0;
}

void rpc_invoke_result_free(struct rpc_invoke_result *r)
{
	for (size_t i = 0; i < r->n_msgs; i++)
		protobuf_c_message_free_unpacked(r->msgs[i], NULL);
	free(r->msgs);
	memset(r, 0, sizeof(*r));
}
