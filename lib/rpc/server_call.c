// SPDX-License-Identifier: GPL-2.0-only
/* One server call from accept to release: decode, dispatch to its handler, stream pacing,
 * status, and freeing only after every batch of the call has completed. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <grpc/grpc_security.h>
#include <grpc/byte_buffer_reader.h>
#include <grpc/support/alloc.h>

#include "server_internal.h"
#include "array_size.h"

/* How often a stream that has nothing to say asks again, when it set no interval. */
#define RPC_STREAM_WAIT_MS 500

struct rpc_call *rpc_call_new(struct rpc_server *srv, const struct rpc_method_entry *m)
{
	struct rpc_call *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->srv = srv;
	c->method = m;
	c->due_ms = -1;
	c->t_new = (struct rpc_tag){ c, RPC_TAG_NEW_CALL };
	c->t_close = (struct rpc_tag){ c, RPC_TAG_CLOSE };
	c->t_send = (struct rpc_tag){ c, RPC_TAG_SEND };
	c->t_status = (struct rpc_tag){ c, RPC_TAG_STATUS };
	grpc_metadata_array_init(&c->md);
	grpc_call_details_init(&c->details);
	return c;
}

void rpc_call_arena_reset(struct rpc_call *c)
{
	rpc_arena_free(&c->arena);
}

void rpc_call_free_state(struct rpc_call *c)
{
	if (c->state_free)
		c->state_free(c->state);
	c->state = NULL;
	c->state_free = NULL;
}

void rpc_call_free(struct rpc_call *c)
{
	if (c->is_stream && c->srv)
		c->srv->n_streams--;
	rpc_call_free_state(c);
	rpc_call_arena_reset(c);
	if (c->call)
		grpc_call_unref(c->call);
	if (c->payload)
		grpc_byte_buffer_destroy(c->payload);
	if (c->send_buf)
		grpc_byte_buffer_destroy(c->send_buf);
	grpc_metadata_array_destroy(&c->md);
	grpc_call_details_destroy(&c->details);
	gpr_free(c->peer);
	free(c->identity);
	free(c);
}

int rpc_server_arm(struct rpc_server *srv, struct rpc_method_entry *m)
{
	struct rpc_call *c = rpc_call_new(srv, m);
	grpc_call_error err;

	if (!c)
		return -ENOMEM;
	if (m->handle)
		err = grpc_server_request_registered_call(m->ep->server, m->handle, &c->call, &c->deadline,
							  &c->md, &c->payload, srv->cq, srv->cq, &c->t_new);
	else
		err = grpc_server_request_call(m->ep->server, &c->call, &c->details, &c->md, srv->cq, srv->cq,
					       &c->t_new);
	if (err != GRPC_CALL_OK) {
		rpc_call_free(c);
		return -EIO;
	}
	return 0;
}

static void active_add(struct rpc_server *srv, struct rpc_call *c)
{
	c->next = srv->active;
	if (srv->active)
		srv->active->prev = c;
	srv->active = c;
	atomic_fetch_add(&srv->n_active, 1);
}

static void active_remove(struct rpc_server *srv, struct rpc_call *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else
		srv->active = c->next;
	if (c->next)
		c->next->prev = c->prev;
	atomic_fetch_sub(&srv->n_active, 1);
}

static void call_maybe_release(struct rpc_call *c)
{
	grpc_status_code code;

	/* The close batch completes last for every RPC, so closed + nothing pending means done. */
	if (c->pending || !c->closed)
		return;
	/* A call the client left before its status went out counts as cancelled. */
	code = c->status_sent && !c->cancelled ? c->sent_code : GRPC_STATUS_CANCELLED;
	((struct rpc_method_entry *)c->method)->finished[code < RPC_N_CODES ? code : GRPC_STATUS_UNKNOWN]++;
	active_remove(c->srv, c);
	rpc_call_free(c);
}

static int start_batch(struct rpc_call *c, const grpc_op *ops, size_t n, struct rpc_tag *tag)
{
	if (grpc_call_start_batch(c->call, ops, n, tag, NULL) != GRPC_CALL_OK)
		return -EIO;
	c->pending++;
	return 0;
}

static void send_status(struct rpc_call *c, const struct rpc_status *st)
{
	grpc_slice details = grpc_slice_from_copied_string(st->message);
	grpc_op ops[2] = { 0 };
	size_t n = 0;

	if (!c->md_sent) {
		ops[n++].op = GRPC_OP_SEND_INITIAL_METADATA;
		c->md_sent = true;
	}
	ops[n].op = GRPC_OP_SEND_STATUS_FROM_SERVER;
	ops[n].data.send_status_from_server.status = st->code;
	c->sent_code = st->code;
	ops[n].data.send_status_from_server.status_details = st->code == GRPC_STATUS_OK ? NULL : &details;
	n++;
	c->status_sent = true;
	c->due_ms = -1;
	start_batch(c, ops, n, &c->t_status);
	grpc_slice_unref(details);
}

static void fail(struct rpc_call *c, grpc_status_code code, const char *msg)
{
	struct rpc_status st;

	rpc_status_setf(&st, code, "%s", msg);
	send_status(c, &st);
}

/* Packs resp and sends it (with the final status when last); the arena is spent after this. */
static void send_response(struct rpc_call *c, ProtobufCMessage *resp, bool last)
{
	grpc_op ops[3] = { 0 };
	size_t n = 0;

	c->send_buf = rpc_codec_pack(resp);
	c->sent_ms = rpc_now_ms();
	rpc_call_arena_reset(c);
	if (!c->md_sent) {
		ops[n++].op = GRPC_OP_SEND_INITIAL_METADATA;
		c->md_sent = true;
	}
	ops[n].op = GRPC_OP_SEND_MESSAGE;
	ops[n++].data.send_message.send_message = c->send_buf;
	if (last) {
		ops[n].op = GRPC_OP_SEND_STATUS_FROM_SERVER;
		ops[n++].data.send_status_from_server.status = GRPC_STATUS_OK;
		c->status_sent = true;
		c->sent_code = GRPC_STATUS_OK;
	}
	c->send_busy = true;
	if (start_batch(c, ops, n, &c->t_send)) {
		c->send_busy = false;
		grpc_byte_buffer_destroy(c->send_buf);
		c->send_buf = NULL;
	}
}

ProtobufCMessage *rpc_call_new_response(struct rpc_call *c)
{
	const ProtobufCMessageDescriptor *out = c->method->desc->output;
	ProtobufCMessage *resp = rpc_call_alloc(c, out->sizeof_message);

	if (resp)
		protobuf_c_message_init(out, resp);
	return resp;
}

static void stream_step(struct rpc_call *c)
{
	ProtobufCMessage *resp;

	if (c->ending) {
		fail(c, GRPC_STATUS_UNAVAILABLE, "agent shutting down");
		return;
	}
	resp = rpc_call_new_response(c);
	if (!resp) {
		fail(c, GRPC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
		return;
	}
	switch (c->method->impl->next(c, resp)) {
	case RPC_STREAM_MORE:
		send_response(c, resp, false);
		break;
	case RPC_STREAM_LAST:
		send_response(c, resp, true);
		break;
	case RPC_STREAM_WAIT:
		rpc_call_arena_reset(c);
		c->due_ms = rpc_now_ms() + (c->interval_ms ? c->interval_ms : RPC_STREAM_WAIT_MS);
		break;
	case RPC_STREAM_DONE:
		rpc_call_arena_reset(c);
		fail(c, GRPC_STATUS_OK, "");
		break;
	case RPC_STREAM_FAIL:
		rpc_call_arena_reset(c);
		send_status(c, &c->status);
		break;
	}
}

static enum rpc_role identity_role(const struct rpc_server *srv, const char *id)
{
	enum rpc_role best = RPC_ROLE_NONE;

	for (size_t i = 0; i < srv->n_identities; i++)
		if (!strcmp(srv->identities[i].identity, id) && srv->identities[i].role > best)
			best = srv->identities[i].role;
	return best;
}

/* The role an mTLS client's certificate gives: the best of its CN's and SANs'. The client is
 * named by the identity that gave it, else by its CN (what operators read first). */
static void role_from_certificate(struct rpc_call *c, grpc_auth_context *ctx)
{
	static const char *const props[] = { GRPC_X509_CN_PROPERTY_NAME, GRPC_PEER_DNS_PROPERTY_NAME,
					     GRPC_PEER_URI_PROPERTY_NAME, GRPC_X509_SAN_PROPERTY_NAME };

	c->role = c->srv->n_identities ? RPC_ROLE_NONE : RPC_ROLE_ADMIN;
	for (size_t k = 0; k < ARRAY_SIZE(props); k++) {
		grpc_auth_property_iterator it = grpc_auth_context_find_properties_by_name(ctx, props[k]);
		const grpc_auth_property *p;

		while ((p = grpc_auth_property_iterator_next(&it))) {
			char *id = strndup(p->value, p->value_length);
			enum rpc_role role = id ? identity_role(c->srv, id) : RPC_ROLE_NONE;

			if (id && (!c->identity || role > c->role)) {
				free(c->identity);
				c->identity = id;
				id = NULL;
				if (role > c->role)
					c->role = role;
			}
			free(id);
		}
	}
}

static void read_identity(struct rpc_call *c)
{
	const struct rpc_endpoint *ep = c->method->ep;
	grpc_auth_context *ctx;

	c->peer = grpc_call_get_peer(c->call);
	c->role = ep->role;
	if (!ep->mtls)
		return;
	ctx = grpc_call_auth_context(c->call);
	c->role = RPC_ROLE_NONE;
	if (!ctx)
		return;
	if (grpc_auth_context_peer_is_authenticated(ctx))
		role_from_certificate(c, ctx);
	grpc_auth_context_release(ctx);
}

/* PERMISSION_DENIED unless the caller's role may call the method; false then. */
bool rpc_call_allowed(struct rpc_call *c)
{
	enum rpc_access need = c->method->impl->access;
	bool ok = need == RPC_ACCESS_ANYONE || (need == RPC_ACCESS_VIEWER && c->role >= RPC_ROLE_VIEWER) ||
		  c->role == RPC_ROLE_ADMIN;

	if (!ok && c->method->ep && c->method->ep->health_only)
		rpc_call_fail(c, GRPC_STATUS_PERMISSION_DENIED, "%s: %s serves health checks only", c->method->desc->name,
			      c->method->ep->addr);
	else if (!ok)
		rpc_call_fail(c, GRPC_STATUS_PERMISSION_DENIED, "%s needs the %s role; %s%s%s has %s",
			      c->method->desc->name, need == RPC_ACCESS_VIEWER ? "viewer" : "admin",
			      c->identity ? "client '" : "this client", c->identity ? c->identity : "",
			      c->identity ? "'" : "", c->role == RPC_ROLE_NONE ? "no role" : rpc_role_name(c->role));
	return ok;
}

/* The address part of a peer ("ipv4:198.18.0.1:4000" -> "ipv4:198.18.0.1"), or the listener
 * for unix sockets, whose peers all look alike. */
static size_t peer_key(const struct rpc_call *c, char *buf, size_t len)
{
	const char *p = rpc_call_peer(c), *colon = strrchr(p, ':');

	if (!strncmp(p, "unix:", 5))
		return (size_t)snprintf(buf, len, "%s", rpc_call_listener(c));
	return (size_t)snprintf(buf, len, "%.*s", colon ? (int)(colon - p) : (int)strlen(p), p);
}

/* Limits on open streams, in all and per peer address. */
static grpc_status_code stream_admit(struct rpc_call *c)
{
	struct rpc_server *srv = c->srv;
	char key[128], other[128];
	size_t same = 0;

	if (srv->n_streams >= srv->max_streams)
		return rpc_call_fail(c, GRPC_STATUS_RESOURCE_EXHAUSTED, "%zu streams are open, the most this agent "
				     "serves (--max-streams)", srv->n_streams);
	peer_key(c, key, sizeof(key));
	for (const struct rpc_call *a = srv->active; a; a = a->next) {
		if (a->is_stream && a != c && !a->closed) {
			peer_key(a, other, sizeof(other));
			same += !strcmp(key, other);
		}
	}
	if (same >= srv->max_streams_per_peer)
		return rpc_call_fail(c, GRPC_STATUS_RESOURCE_EXHAUSTED, "%s has %zu streams open, the most one peer "
				     "may (--max-streams-per-peer)", key, same);
	c->is_stream = true;
	srv->n_streams++;
	return GRPC_STATUS_OK;
}

static void dispatch(struct rpc_call *c)
{
	const struct rpc_method_impl *impl = c->method->impl;
	ProtobufCMessage *req, *resp = NULL;
	char msg[RPC_ERR_MAX], field_err[RPC_ERR_MAX - 32];
	struct rpc_arena req_arena = { 0 }; /* the request, freed whole when the handler is done */
	grpc_byte_buffer_reader reader;
	grpc_status_code code;

	if (!c->method->handle) {
		char *path = grpc_slice_to_c_string(c->details.method);

		snprintf(msg, sizeof(msg), "unknown method %s", path);
		gpr_free(path);
		fail(c, GRPC_STATUS_UNIMPLEMENTED, msg);
		return;
	}
	if (!impl) {
		snprintf(msg, sizeof(msg), "%s is not implemented by this agent", c->method->path);
		fail(c, GRPC_STATUS_UNIMPLEMENTED, msg);
		return;
	}
	if (!rpc_call_allowed(c)) {
		rpc_call_audit_done(c);
		send_status(c, &c->status);
		return;
	}
	field_err[0] = '\0';
	req = NULL;
	if (c->payload && grpc_byte_buffer_reader_init(&reader, c->payload)) {
		grpc_slice payload = grpc_byte_buffer_reader_readall(&reader);

		grpc_byte_buffer_reader_destroy(&reader);
		req = rpc_codec_unpack_request(GRPC_SLICE_START_PTR(payload), GRPC_SLICE_LENGTH(payload),
					       c->method->desc->input, &req_arena, field_err, sizeof(field_err));
		grpc_slice_unref(payload);
	}
	if (!req) {
		rpc_arena_free(&req_arena);
		if (field_err[0])
			snprintf(msg, sizeof(msg), "%s", field_err);
		else
			snprintf(msg, sizeof(msg), "%s: request is not a valid %s", c->method->path,
				 c->method->desc->input->name);
		fail(c, GRPC_STATUS_INVALID_ARGUMENT, msg);
		return;
	}
	if (impl->unary) {
		resp = rpc_call_new_response(c);
		code = resp ? impl->unary(c, req, resp) : rpc_call_fail(c, GRPC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
	} else {
		code = stream_admit(c);
		if (code == GRPC_STATUS_OK)
			code = impl->open(c, req);
		rpc_call_arena_reset(c);
	}
	if (impl->unary) {
		c->status.code = code; /* in case the handler did not use rpc_call_fail() */
		rpc_call_audit_done(c);
	}
	if (code != GRPC_STATUS_OK) {
		c->status.code = code;
		send_status(c, &c->status);
	} else if (impl->unary) {
		send_response(c, resp, true);
	} else {
		stream_step(c);
	}
	rpc_arena_free(&req_arena);
}

static void on_new_call(struct rpc_server *srv, struct rpc_call *c, bool ok)
{
	grpc_op op = { .op = GRPC_OP_RECV_CLOSE_ON_SERVER };

	if (!ok) { /* the server is shutting down: the slot was never used */
		rpc_call_free(c);
		return;
	}
	if (!srv->shutting_down && rpc_server_arm(srv, (struct rpc_method_entry *)c->method))
		fprintf(stderr, "rpc: cannot re-arm %s; it will stop accepting calls\n", c->method->path);
	active_add(srv, c);
	op.data.recv_close_on_server.cancelled = &c->cancelled;
	if (start_batch(c, &op, 1, &c->t_close)) {
		c->closed = true;
		c->cancelled = 1;
	}
	read_identity(c);
	dispatch(c);
	grpc_byte_buffer_destroy(c->payload);
	c->payload = NULL;
	call_maybe_release(c);
}

void rpc_server_on_event(struct rpc_server *srv, struct rpc_tag *tag, bool ok)
{
	struct rpc_call *c = tag->call;

	switch (tag->kind) {
	case RPC_TAG_NEW_CALL:
		on_new_call(srv, c, ok);
		return;
	case RPC_TAG_SHUTDOWN:
		srv->shutdowns_notified++;
		return;
	case RPC_TAG_CLOSE:
		c->closed = true;
		/* A departed subscriber: free its stream state now, not at the next tick. */
		if (!c->status_sent) {
			c->cancelled = 1;
			c->due_ms = -1;
			rpc_call_free_state(c);
		}
		break;
	case RPC_TAG_SEND:
		c->send_busy = false;
		grpc_byte_buffer_destroy(c->send_buf);
		c->send_buf = NULL;
		if (!ok || c->closed || c->status_sent)
			break;
		if (c->ending || !c->interval_ms) {
			stream_step(c);
		} else {
			int64_t now = rpc_now_ms(), late = now - c->sent_ms - c->interval_ms;

			/* A subscriber that took longer than an interval to take the message missed
			 * the ticks meanwhile; it gets the latest state at once, counted as such. */
			if (late >= 0) {
				c->skipped += (uint32_t)(late / c->interval_ms) + 1;
				c->due_ms = now;
			} else {
				c->due_ms = c->sent_ms + c->interval_ms;
			}
		}
		break;
	case RPC_TAG_STATUS:
		break;
	}
	c->pending--;
	call_maybe_release(c);
}

void rpc_server_run_due_streams(struct rpc_server *srv, int64_t now_ms)
{
	struct rpc_call *c, *next;

	for (c = srv->active; c; c = next) {
		next = c->next;
		if (c->due_ms < 0 || c->due_ms > now_ms)
			continue;
		c->due_ms = -1;
		stream_step(c);
	}
}

int64_t rpc_server_next_stream_due(const struct rpc_server *srv)
{
	int64_t due = -1;

	for (const struct rpc_call *c = srv->active; c; c = c->next)
		if (c->due_ms >= 0 && (due < 0 || c->due_ms < due))
			due = c->due_ms;
	return due;
}

void rpc_server_end_streams(struct rpc_server *srv)
{
	for (struct rpc_call *c = srv->active; c; c = c->next) {
		if (c->status_sent || c->closed)
			continue;
		c->ending = true;
		if (!c->send_busy)
			stream_step(c);
	}
}

/* ---- handler-facing accessors ---- */

void *rpc_call_data(const struct rpc_call *call)
{
	return call->method->svc->data;
}

const char *rpc_call_method(const struct rpc_call *call)
{
	return call->method->desc ? call->method->desc->name : "";
}

const char *rpc_call_peer(const struct rpc_call *call)
{
	return call->peer ? call->peer : "";
}

const char *rpc_call_identity(const struct rpc_call *call)
{
	return call->identity;
}

enum rpc_role rpc_call_role(const struct rpc_call *call)
{
	return call->role;
}

const char *rpc_call_listener(const struct rpc_call *call)
{
	return call->method->ep ? call->method->ep->addr : "in-process";
}

int64_t rpc_call_remaining_ms(const struct rpc_call *call)
{
	gpr_timespec now = gpr_now(call->deadline.clock_type), left;

	if (gpr_time_cmp(call->deadline, gpr_inf_future(call->deadline.clock_type)) == 0)
		return INT64_MAX;
	left = gpr_time_sub(call->deadline, now);
	return (int64_t)left.tv_sec * 1000 + left.tv_nsec / 1000000;
}

void *rpc_call_alloc(struct rpc_call *call, size_t size)
{
	return rpc_arena_alloc(&call->arena, size);
}

char *rpc_call_strdup(struct rpc_call *call, const char *s)
{
	size_t len = strlen(s) + 1;
	char *copy = rpc_call_alloc(call, len);

	if (copy)
		memcpy(copy, s, len);
	return copy;
}

grpc_status_code rpc_call_fail(struct rpc_call *call, grpc_status_code code, const char *fmt, ...)
{
	va_list ap;

	call->status.code = code;
	va_start(ap, fmt);
	vsnprintf(call->status.message, sizeof(call->status.message), fmt, ap);
	va_end(ap);
	return code;
}

void rpc_call_audit(struct rpc_call *call, const char *fmt, ...)
{
	size_t len = strlen(call->audit);
	va_list ap;

	if (len && len < sizeof(call->audit) - 1)
		call->audit[len++] = ' ';
	va_start(ap, fmt);
	vsnprintf(call->audit + len, sizeof(call->audit) - len, fmt, ap);
	va_end(ap);
}

void rpc_call_audit_done(struct rpc_call *c)
{
	const struct rpc_service *svc = c->method->svc;
	struct rpc_audit_record r;

	if (!svc->audit || !c->method->impl || c->method->impl->access != RPC_ACCESS_ADMIN)
		return;
	r = (struct rpc_audit_record){
		.method = c->method->desc->name,
		.peer = rpc_call_peer(c),
		.identity = c->identity,
		.role = c->role,
		.listener = rpc_call_listener(c),
		.code = c->status.code,
		.message = c->status.code == GRPC_STATUS_OK ? "" : c->status.message,
		.detail = c->audit,
	};
	svc->audit(svc->data, &r);
}

void rpc_call_set_state(struct rpc_call *call, void *state, void (*free_fn)(void *state))
{
	call->state = state;
	call->state_free = free_fn;
}

void *rpc_call_state(const struct rpc_call *call)
{
	return call->state;
}

void rpc_call_set_interval(struct rpc_call *call, unsigned int interval_ms)
{
	call->interval_ms = interval_ms;
}

uint32_t rpc_call_skipped(struct rpc_call *call)
{
	uint32_t n = call->skipped;

	call->skipped = 0;
	return n;
}
