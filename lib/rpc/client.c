// SPDX-License-Identifier: GPL-2.0-only
/* RPC client: channels to unix or TCP (TLS, mTLS, or plaintext when asked) targets, unary calls
 * with deadlines, and reading server streams. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <grpc/grpc_security.h>

#include "client_internal.h"

/* "host:port" or "[v6]:port" with a numeric port. */
static bool tcp_target_valid(const char *target)
{
	const char *colon = strrchr(target, ':');
	char *end;
	unsigned long port;

	if (!colon || colon == target)
		return false;
	if (target[0] == '[' && colon[-1] != ']')
		return false;
	port = strtoul(colon + 1, &end, 10);
	return colon[1] && !*end && port > 0 && port < 65536;
}

static grpc_channel_credentials *tls_creds(const struct rpc_client_opts *o, char *err, size_t errlen)
{
	grpc_ssl_pem_key_cert_pair pair = { 0 };
	grpc_channel_credentials *creds;
	struct rpc_pems pem;

	if (!o->tls_cert != !o->tls_key) {
		snprintf(err, errlen, "a client certificate needs its key and the key its certificate");
		return NULL;
	}
	if (rpc_pems_read(&pem, o->tls_ca, o->tls_cert, o->tls_key, err, errlen))
		return NULL;
	pair.cert_chain = pem.cert;
	pair.private_key = pem.key;
	creds = grpc_ssl_credentials_create(pem.ca, pem.cert ? &pair : NULL, NULL, NULL);
	if (!creds)
		snprintf(err, errlen, "bad TLS CA, certificate or key");
	rpc_pems_free(&pem);
	return creds;
}

int rpc_channel_open(struct rpc_channel **out, const char *target, const struct rpc_client_opts *opts,
		     char *err, size_t errlen)
{
	static const struct rpc_client_opts defaults;
	const struct rpc_client_opts *o = opts ? opts : &defaults;
	grpc_channel_credentials *creds;
	struct rpc_channel *ch;
	grpc_arg args[3];
	grpc_channel_args chargs = { .num_args = 2, .args = args };
	int ret = 0;

	*out = NULL;
	ch = calloc(1, sizeof(*ch));
	if (!ch)
		return -ENOMEM;
	ch->max_msg = o->max_message_bytes ? o->max_message_bytes : RPC_DEFAULT_MAX_MESSAGE;
	if (target[0] == '/') {
		ch->target = malloc(strlen(target) + sizeof("unix:"));
		if (ch->target)
			sprintf(ch->target, "unix:%s", target);
	} else {
		ch->target = strdup(target);
	}
	if (!ch->target) {
		ret = -ENOMEM;
		goto out;
	}
	ch->is_unix = !strncmp(ch->target, "unix:", 5);
	if (ch->is_unix ? !ch->target[5] : !tcp_target_valid(ch->target)) {
		snprintf(err, errlen, "target '%s': expected unix:/PATH, /PATH, HOST:PORT or [IPV6]:PORT", target);
		ret = -EINVAL;
		goto out;
	}
	args[0] = (grpc_arg){ GRPC_ARG_INTEGER, GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH, { .integer = (int)ch->max_msg } };
	args[1] = (grpc_arg){ GRPC_ARG_INTEGER, GRPC_ARG_MAX_SEND_MESSAGE_LENGTH, { .integer = (int)ch->max_msg } };
	if (ch->is_unix || o->insecure) {
		creds = grpc_insecure_credentials_create();
	} else {
		creds = tls_creds(o, err, errlen);
		if (!creds) {
			ret = -EINVAL;
			goto out;
		}
		if (o->server_name) {
			args[2] = (grpc_arg){ GRPC_ARG_STRING, GRPC_SSL_TARGET_NAME_OVERRIDE_ARG,
					      { .string = (char *)o->server_name } };
			chargs.num_args = 3;
		}
	}
	ch->channel = grpc_channel_create(ch->target, creds, &chargs);
	grpc_channel_credentials_release(creds);
	if (!ch->channel) {
		snprintf(err, errlen, "target '%s': cannot create a channel", target);
		ret = -EINVAL;
		goto out;
	}
	*out = ch;
	ch = NULL;
out:
	rpc_channel_close(ch);
	return ret;
}

void rpc_channel_close(struct rpc_channel *ch)
{
	if (!ch)
		return;
	if (ch->channel)
		grpc_channel_destroy(ch->channel);
	free(ch->target);
	free(ch);
}

const char *rpc_channel_target(const struct rpc_channel *ch)
{
	return ch->target;
}

grpc_call *rpc_channel_call(struct rpc_channel *ch, grpc_completion_queue *cq,
			    const ProtobufCServiceDescriptor *svc, const char *method,
			    unsigned int timeout_ms, struct rpc_status *st)
{
	char path[256];
	grpc_slice method_slice;
	grpc_call *call;

	if (!protobuf_c_service_descriptor_get_method_by_name(svc, method) ||
	    rpc_method_path(svc, method, path, sizeof(path))) {
		rpc_status_setf(st, GRPC_STATUS_INVALID_ARGUMENT, "%s has no method %s", svc->name, method);
		return NULL;
	}
	method_slice = grpc_slice_from_copied_string(path);
	call = grpc_channel_create_call(ch->channel, NULL, GRPC_PROPAGATE_DEFAULTS, cq, method_slice, NULL,
					rpc_deadline_after(timeout_ms), NULL);
	grpc_slice_unref(method_slice);
	if (!call)
		rpc_status_setf(st, GRPC_STATUS_INTERNAL, "cannot create a call to %s", path);
	return call;
}

const ProtobufCMessageDescriptor *rpc_method_output(const ProtobufCServiceDescriptor *svc, const char *method)
{
	return protobuf_c_service_descriptor_get_method_by_name(svc, method)->output;
}

/* Runs cq until tag completes; returns its success flag. */
static bool wait_tag(grpc_completion_queue *cq, void *tag)
{
	for (;;) {
		grpc_event ev = grpc_completion_queue_next(cq, gpr_inf_future(GPR_CLOCK_MONOTONIC), NULL);

		if (ev.type == GRPC_OP_COMPLETE && ev.tag == tag)
			return ev.success;
	}
}

int rpc_unary(struct rpc_channel *ch, const ProtobufCServiceDescriptor *svc, const char *method,
	      const ProtobufCMessage *req, ProtobufCMessage **resp, unsigned int timeout_ms,
	      struct rpc_status *st)
{
	grpc_completion_queue *cq = grpc_completion_queue_create_for_next(NULL);
	grpc_metadata_array md_in, trailers;
	grpc_byte_buffer *send = NULL, *recv = NULL;
	grpc_status_code code = GRPC_STATUS_UNKNOWN;
	grpc_slice details = grpc_empty_slice();
	grpc_op ops[6] = { 0 };
	grpc_call *call;
	int ret = -EIO;

	*resp = NULL;
	grpc_metadata_array_init(&md_in);
	grpc_metadata_array_init(&trailers);
	call = rpc_channel_call(ch, cq, svc, method, timeout_ms, st);
	if (!call)
		goto out;
	send = rpc_codec_pack(req);
	ops[0].op = GRPC_OP_SEND_INITIAL_METADATA;
	ops[1].op = GRPC_OP_SEND_MESSAGE;
	ops[1].data.send_message.send_message = send;
	ops[2].op = GRPC_OP_SEND_CLOSE_FROM_CLIENT;
	ops[3].op = GRPC_OP_RECV_INITIAL_METADATA;
	ops[3].data.recv_initial_metadata.recv_initial_metadata = &md_in;
	ops[4].op = GRPC_OP_RECV_MESSAGE;
	ops[4].data.recv_message.recv_message = &recv;
	ops[5].op = GRPC_OP_RECV_STATUS_ON_CLIENT;
	ops[5].data.recv_status_on_client.trailing_metadata = &trailers;
	ops[5].data.recv_status_on_client.status = &code;
	ops[5].data.recv_status_on_client.status_details = &details;
	if (grpc_call_start_batch(call, ops, 6, ops, NULL) != GRPC_CALL_OK) {
		rpc_status_setf(st, GRPC_STATUS_INTERNAL, "cannot start the call");
		goto out;
	}
	wait_tag(cq, ops);
	rpc_status_set_slice(st, code, details);
	if (code != GRPC_STATUS_OK)
		goto out;
	*resp = rpc_codec_unpack(recv, rpc_method_output(svc, method));
	if (!*resp) {
		rpc_status_setf(st, GRPC_STATUS_INTERNAL, "the answer is not a valid %s",
				rpc_method_output(svc, method)->name);
		goto out;
	}
	ret = 0;
out:
	if (call)
		grpc_call_unref(call);
	if (send)
		grpc_byte_buffer_destroy(send);
	if (recv)
		grpc_byte_buffer_destroy(recv);
	grpc_slice_unref(details);
	grpc_metadata_array_destroy(&md_in);
	grpc_metadata_array_destroy(&trailers);
	rpc_cq_destroy(cq);
	return ret;
}

struct rpc_stream {
	grpc_completion_queue *cq;
	grpc_call *call;
	const ProtobufCMessageDescriptor *output;
	grpc_metadata_array md_in, trailers;
	grpc_status_code code;
	grpc_slice details;
	int status_tag; /* the addresses of these three are the batch tags */
	int start_tag;
	int recv_tag;
	bool status_done;
	bool start_pending;
};

static void stream_wait(struct rpc_stream *s, void *tag)
{
	for (;;) {
		grpc_event ev = grpc_completion_queue_next(s->cq, gpr_inf_future(GPR_CLOCK_MONOTONIC), NULL);

		if (ev.type != GRPC_OP_COMPLETE)
			continue;
		if (ev.tag == &s->status_tag)
			s->status_done = true;
		if (ev.tag == &s->start_tag)
			s->start_pending = false;
		if (ev.tag == tag)
			return;
	}
}

int rpc_stream_open(struct rpc_stream **out, struct rpc_channel *ch, const ProtobufCServiceDescriptor *svc,
		    const char *method, const ProtobufCMessage *req, unsigned int timeout_ms,
		    struct rpc_status *st)
{
	struct rpc_stream *s;
	grpc_byte_buffer *send;
	grpc_op ops[4] = { 0 }, status_op = { .op = GRPC_OP_RECV_STATUS_ON_CLIENT };

	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->cq = grpc_completion_queue_create_for_next(NULL);
	s->details = grpc_empty_slice();
	grpc_metadata_array_init(&s->md_in);
	grpc_metadata_array_init(&s->trailers);
	s->call = rpc_channel_call(ch, s->cq, svc, method, timeout_ms, st);
	if (!s->call) {
		rpc_stream_close(s);
		return -EIO;
	}
	s->output = rpc_method_output(svc, method);
	send = rpc_codec_pack(req);
	ops[0].op = GRPC_OP_SEND_INITIAL_METADATA;
	ops[1].op = GRPC_OP_SEND_MESSAGE;
	ops[1].data.send_message.send_message = send;
	ops[2].op = GRPC_OP_SEND_CLOSE_FROM_CLIENT;
	ops[3].op = GRPC_OP_RECV_INITIAL_METADATA;
	ops[3].data.recv_initial_metadata.recv_initial_metadata = &s->md_in;
	status_op.data.recv_status_on_client.trailing_metadata = &s->trailers;
	status_op.data.recv_status_on_client.status = &s->code;
	status_op.data.recv_status_on_client.status_details = &s->details;
	grpc_call_start_batch(s->call, ops, 4, &s->start_tag, NULL);
	grpc_call_start_batch(s->call, &status_op, 1, &s->status_tag, NULL);
	s->start_pending = true;
	stream_wait(s, &s->start_tag);
	grpc_byte_buffer_destroy(send);
	*out = s;
	return 0;
}

int rpc_stream_read(struct rpc_stream *s, ProtobufCMessage **msg, struct rpc_status *st)
{
	grpc_byte_buffer *recv = NULL;
	grpc_op op = { .op = GRPC_OP_RECV_MESSAGE };

	*msg = NULL;
	op.data.recv_message.recv_message = &recv;
	if (!s->status_done && grpc_call_start_batch(s->call, &op, 1, &s->recv_tag, NULL) == GRPC_CALL_OK)
		stream_wait(s, &s->recv_tag);
	if (recv) {
		*msg = rpc_codec_unpack(recv, s->output);
		grpc_byte_buffer_destroy(recv);
		if (*msg)
			return 1;
		rpc_status_setf(st, GRPC_STATUS_INTERNAL, "a stream message is not a valid %s", s->output->name);
		rpc_stream_cancel(s);
		return -EIO;
	}
	if (!s->status_done)
		stream_wait(s, &s->status_tag);
	rpc_status_set_slice(st, s->code, s->details);
	return s->code == GRPC_STATUS_OK ? 0 : -EIO;
}

void rpc_stream_cancel(struct rpc_stream *s)
{
	if (s->call && !s->status_done)
		grpc_call_cancel(s->call, NULL);
}

void rpc_stream_close(struct rpc_stream *s)
{
	if (!s)
		return;
	if (s->call) {
		rpc_stream_cancel(s);
		if (!s->status_done)
			stream_wait(s, &s->status_tag);
		if (s->start_pending)
			stream_wait(s, &s->start_tag);
		grpc_call_unref(s->call);
	}
	grpc_slice_unref(s->details);
	grpc_metadata_array_destroy(&s->md_in);
	grpc_metadata_array_destroy(&s->trailers);
	rpc_cq_destroy(s->cq);
	free(s);
}
