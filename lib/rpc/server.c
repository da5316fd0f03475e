// SPDX-License-Identifier: GPL-2.0-only
/* RPC server: setup from a protoc-c service descriptor, the completion-queue loop that also runs
 * timers and stream ticks, and a graceful shutdown that ends streams cleanly. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "server_internal.h"

/* The loop wakes at least this often to notice rpc_server_stop() from a signal handler. */
#define RPC_LOOP_TICK_MS 100

static void server_channel_args(grpc_arg *args, size_t max_msg)
{
	args[0] = (grpc_arg){ GRPC_ARG_INTEGER, GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH, { .integer = (int)max_msg } };
	args[1] = (grpc_arg){ GRPC_ARG_INTEGER, GRPC_ARG_MAX_SEND_MESSAGE_LENGTH, { .integer = (int)max_msg } };
	/* Two agents must never share a TCP port silently. */
	args[2] = (grpc_arg){ GRPC_ARG_INTEGER, GRPC_ARG_ALLOW_REUSEPORT, { .integer = 0 } };
	/* Find dead collectors on long WatchStats streams, and close connections idle for long. */
	args[3] = (grpc_arg){ GRPC_ARG_INTEGER, GRPC_ARG_KEEPALIVE_TIME_MS, { .integer = 60000 } };
	args[4] = (grpc_arg){ GRPC_ARG_INTEGER, GRPC_ARG_KEEPALIVE_TIMEOUT_MS, { .integer = 20000 } };
	args[5] = (grpc_arg){ GRPC_ARG_INTEGER, GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS,
			      { .integer = 10000 } };
	args[6] = (grpc_arg){ GRPC_ARG_INTEGER, GRPC_ARG_HTTP2_MAX_PING_STRIKES, { .integer = 3 } };
	args[7] = (grpc_arg){ GRPC_ARG_INTEGER, GRPC_ARG_MAX_CONNECTION_IDLE_MS, { .integer = 10 * 60000 } };
}

const struct rpc_method_impl *rpc_service_find_impl(const struct rpc_service *svc, const char *name)
{
	for (size_t i = 0; i < svc->n_methods; i++)
		if (!strcmp(svc->methods[i].name, name))
			return &svc->methods[i];
	return NULL;
}

static int check_methods(const struct rpc_service *svc, char *err, size_t errlen)
{
	for (size_t i = 0; i < svc->n_methods; i++) {
		const struct rpc_method_impl *impl = &svc->methods[i];

		if (!protobuf_c_service_descriptor_get_method_by_name(svc->desc, impl->name) ||
		    !impl->unary == !impl->open || !impl->open != !impl->next) {
			snprintf(err, errlen, "method table: '%s' is not a method of %s or has bad handlers",
				 impl->name, svc->desc->name);
			return -EINVAL;
		}
	}
	return 0;
}

static int register_methods(struct rpc_server *srv, struct rpc_endpoint *ep, char *err, size_t errlen)
{
	size_t n = 0;

	/* Every descriptor method gets a slot (unimplemented ones answer UNIMPLEMENTED); the extra
	 * generic slot answers calls to paths no descriptor knows. */
	for (size_t s = 0; s < RPC_N_SVCS; s++)
		n += srv->svcs[s].desc->n_methods;
	ep->n_methods = n + 1;
	ep->methods = calloc(ep->n_methods, sizeof(*ep->methods));
	if (!ep->methods)
		return -ENOMEM;
	for (size_t i = 0; i < ep->n_methods; i++)
		ep->methods[i].ep = ep;
	n = 0;
	for (size_t s = 0; s < RPC_N_SVCS; s++) {
		const struct rpc_service *svc = &srv->svcs[s];

		for (size_t i = 0; i < svc->desc->n_methods; i++) {
			struct rpc_method_entry *m = &ep->methods[n++];

			m->svc = svc;
			m->desc = &svc->desc->methods[i];
			m->impl = rpc_service_find_impl(svc, m->desc->name);
			rpc_method_path(svc->desc, m->desc->name, m->path, sizeof(m->path));
			m->handle = grpc_server_register_method(ep->server, m->path, NULL,
								GRPC_SRM_PAYLOAD_READ_INITIAL_BYTE_BUFFER, 0);
			if (!m->handle) {
				snprintf(err, errlen, "cannot register %s", m->path);
				return -EINVAL;
			}
		}
	}
	return 0;
}

static int open_endpoint(struct rpc_server *srv, struct rpc_endpoint *ep, const struct rpc_listener *l,
			 const grpc_channel_args *chargs, char *err, size_t errlen)
{
	bool is_unix = !strncmp(l->addr, "unix:", 5);
	int ret;

	ep->addr = l->addr;
	ep->mtls = !is_unix && !l->insecure && !l->health_only && l->tls_client_ca;
	ep->health_only = l->health_only;
	if (l->health_only)
		ep->role = RPC_ROLE_NONE;
	else
		ep->role = is_unix && l->unix_role ? l->unix_role : RPC_ROLE_ADMIN;
	ep->server = grpc_server_create(chargs, NULL);
	grpc_server_register_completion_queue(ep->server, srv->cq, NULL);
	ret = register_methods(srv, ep, err, errlen);
	if (!ret)
		ret = rpc_listener_add(ep->server, l, &ep->port, err, errlen);
	if (!ret && is_unix && !(ep->unix_path = strdup(l->addr + 5)))
		ret = -ENOMEM;
	return ret;
}

int rpc_server_create(struct rpc_server **out, const struct rpc_service *svc,
		      const struct rpc_server_opts *opts, char *err, size_t errlen)
{
	size_t max_msg = opts->max_message_bytes ? opts->max_message_bytes : RPC_DEFAULT_MAX_MESSAGE;
	grpc_arg args[8];
	grpc_channel_args chargs = { .num_args = 8, .args = args };
	struct rpc_server *srv;
	int ret;

	*out = NULL;
	if (!opts->n_listeners) {
		snprintf(err, errlen, "no listener configured");
		return -EINVAL;
	}
	ret = check_methods(svc, err, errlen);
	if (ret)
		return ret;
	srv = calloc(1, sizeof(*srv));
	if (!srv)
		return -ENOMEM;
	srv->svcs[RPC_SVC_APP] = *svc;
	rpc_health_service(srv, &srv->svcs[RPC_SVC_HEALTH]);
	atomic_init(&srv->serving, true);
	srv->grace_ms = opts->shutdown_grace_ms ? opts->shutdown_grace_ms : 2000;
	srv->max_streams = opts->max_streams ? opts->max_streams : RPC_DEFAULT_MAX_STREAMS;
	srv->max_streams_per_peer = opts->max_streams_per_peer ? opts->max_streams_per_peer
							       : RPC_DEFAULT_MAX_STREAMS_PER_PEER;
	srv->t_shutdown.kind = RPC_TAG_SHUTDOWN;
	server_channel_args(args, max_msg);
	srv->cq = grpc_completion_queue_create_for_next(NULL);
	srv->eps = calloc(opts->n_listeners, sizeof(*srv->eps));
	srv->identities = calloc(opts->n_identities + 1, sizeof(*srv->identities));
	if (!srv->eps || !srv->identities) {
		ret = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < opts->n_identities; i++)
		srv->identities[i] = opts->identities[i];
	srv->n_identities = opts->n_identities;
	for (size_t i = 0; i < opts->n_listeners && !ret; i++) {
		ret = open_endpoint(srv, &srv->eps[i], &opts->listeners[i], &chargs, err, errlen);
		srv->n_eps = i + 1;
	}
	if (ret)
		goto out;
	for (size_t i = 0; i < srv->n_eps; i++)
		grpc_server_start(srv->eps[i].server);
	for (size_t e = 0; e < srv->n_eps && !ret; e++) {
		for (size_t i = 0; i < srv->eps[e].n_methods && !ret; i++)
			ret = rpc_server_arm(srv, &srv->eps[e].methods[i]);
	}
	if (ret) {
		snprintf(err, errlen, "cannot accept calls: %s", strerror(-ret));
		goto out;
	}
	*out = srv;
	srv = NULL;
out:
	rpc_server_destroy(srv);
	return ret;
}

int rpc_server_add_timer(struct rpc_server *srv, unsigned int interval_ms, rpc_timer_fn fn, void *data)
{
	struct rpc_timer *timers;

	if (!interval_ms || !fn)
		return -EINVAL;
	timers = realloc(srv->timers, (srv->n_timers + 1) * sizeof(*timers));
	if (!timers)
		return -ENOMEM;
	srv->timers = timers;
	timers[srv->n_timers++] = (struct rpc_timer){
		.interval_ms = interval_ms,
		.due_ms = rpc_now_ms() + interval_ms,
		.fn = fn,
		.data = data,
	};
	return 0;
}

static int64_t next_wakeup(const struct rpc_server *srv, int64_t now)
{
	int64_t due = now + RPC_LOOP_TICK_MS, streams = rpc_server_next_stream_due(srv);

	for (size_t i = 0; i < srv->n_timers; i++)
		if (srv->timers[i].due_ms < due)
			due = srv->timers[i].due_ms;
	if (streams >= 0 && streams < due)
		due = streams;
	return due;
}

static void run_timers(struct rpc_server *srv, int64_t now)
{
	for (size_t i = 0; i < srv->n_timers; i++) {
		struct rpc_timer *t = &srv->timers[i];

		if (t->due_ms > now)
			continue;
		t->fn(t->data);
		/* Skip missed beats rather than firing a burst after a slow handler. */
		t->due_ms += t->interval_ms;
		if (t->due_ms <= now)
			t->due_ms = now + t->interval_ms;
	}
}

/* Waits for one completion until wake_ms; false when the queue is shut down. */
static bool poll_once(struct rpc_server *srv, int64_t wake_ms)
{
	int64_t wait = wake_ms - rpc_now_ms();
	grpc_event ev;

	ev = grpc_completion_queue_next(srv->cq, rpc_deadline_after(wait > 0 ? (unsigned int)wait : 1), NULL);
	if (ev.type == GRPC_QUEUE_SHUTDOWN)
		return false;
	if (ev.type == GRPC_OP_COMPLETE)
		rpc_server_on_event(srv, ev.tag, ev.success);
	return true;
}

static void shutdown_endpoints(struct rpc_server *srv)
{
	for (size_t i = 0; i < srv->n_eps; i++)
		grpc_server_shutdown_and_notify(srv->eps[i].server, srv->cq, &srv->t_shutdown);
}

static void cancel_all_calls(struct rpc_server *srv)
{
	for (size_t i = 0; i < srv->n_eps; i++)
		grpc_server_cancel_all_calls(srv->eps[i].server);
}

int rpc_server_run(struct rpc_server *srv)
{
	bool notified = false;
	int64_t give_up;

	while (!srv->stop) {
		int64_t now = rpc_now_ms();

		run_timers(srv, now);
		rpc_server_run_due_streams(srv, now);
		poll_once(srv, next_wakeup(srv, rpc_now_ms()));
	}

	/* Streams get a final status; new calls are refused; then wait for calls to finish. */
	atomic_store(&srv->serving, false);
	srv->shutting_down = true;
	rpc_server_end_streams(srv);
	shutdown_endpoints(srv);
	give_up = rpc_now_ms() + srv->grace_ms;
	while (!notified || srv->active) {
		int64_t now = rpc_now_ms();

		if (now >= give_up) {
			cancel_all_calls(srv);
			give_up = INT64_MAX;
		}
		if (!poll_once(srv, now + RPC_LOOP_TICK_MS))
			break;
		notified = srv->shutdowns_notified == srv->n_eps;
	}
	return 0;
}

void rpc_server_stop(struct rpc_server *srv)
{
	srv->stop = 1;
}

void rpc_server_set_serving(struct rpc_server *srv, bool serving)
{
	atomic_store(&srv->serving, serving);
}

void rpc_server_destroy(struct rpc_server *srv)
{
	grpc_event ev;

	if (!srv)
		return;
	if (srv->n_eps) {
		/* Not run (or failed while starting): shut down here so armed request slots are freed. */
		if (!srv->shutting_down) {
			srv->shutting_down = true;
			shutdown_endpoints(srv);
			cancel_all_calls(srv);
		}
		while (srv->shutdowns_notified < srv->n_eps || srv->active) {
			ev = grpc_completion_queue_next(srv->cq, gpr_inf_future(GPR_CLOCK_MONOTONIC), NULL);
			if (ev.type == GRPC_OP_COMPLETE)
				rpc_server_on_event(srv, ev.tag, ev.success);
		}
	}
	for (size_t i = 0; srv->eps && i < srv->n_eps; i++) {
		struct rpc_endpoint *ep = &srv->eps[i];

		grpc_server_destroy(ep->server);
		if (ep->unix_path)
			unlink(ep->unix_path);
		free(ep->unix_path);
		free(ep->methods);
	}
	if (srv->cq)
		rpc_cq_destroy(srv->cq);
	free(srv->eps);
	free(srv->identities);
	free(srv->timers);
	free(srv);
}

int rpc_server_port(const struct rpc_server *srv, size_t listener)
{
	return listener < srv->n_eps ? srv->eps[listener].port : 0;
}

size_t rpc_server_active_calls(const struct rpc_server *srv)
{
	return atomic_load(&srv->n_active);
}

void rpc_server_foreach_count(const struct rpc_server *srv, rpc_count_fn fn, void *data)
{
	/* Every endpoint lays its methods out alike: entry i is the same method everywhere. */
	for (size_t i = 0; srv->n_eps && i < srv->eps[0].n_methods; i++) {
		const struct rpc_method_entry *m = &srv->eps[0].methods[i];

		for (int code = 0; code < RPC_N_CODES; code++) {
			uint64_t calls = 0;

			for (size_t e = 0; e < srv->n_eps; e++)
				calls += srv->eps[e].methods[i].finished[code];
			if (calls)
				fn(data, m->svc ? m->svc->desc->name : "", m->desc ? m->desc->name : "",
				   (grpc_status_code)code, calls);
		}
	}
}
