// SPDX-License-Identifier: GPL-2.0-only
/* grpc.health.v1.Health on every listener: Check and Watch for the server as a whole ("") and
 * for the application service by its full name, so probes need no knowledge of xdpfleet. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "grpc/health/v1/health.pb-c.h"
#include "server_internal.h"
#include "array_size.h"

/* A status change reaches watchers within this. */
#define HEALTH_WATCH_POLL_MS 500

typedef Grpc__Health__V1__HealthCheckRequest health_request;
typedef Grpc__Health__V1__HealthCheckResponse health_response;
typedef Grpc__Health__V1__HealthCheckResponse__ServingStatus health_status_t;

/* Answers for svc_name, or false when this server has no such service. */
static bool health_status(const struct rpc_server *srv, const char *svc_name, health_status_t *out)
{
	if (*svc_name && strcmp(svc_name, srv->svcs[RPC_SVC_APP].desc->name))
		return false;
	*out = atomic_load(&srv->serving) ? GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVING
			    : GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__NOT_SERVING;
	return true;
}

static grpc_status_code health_check(struct rpc_call *call, const ProtobufCMessage *msg, ProtobufCMessage *resp)
{
	const health_request *req = (const health_request *)msg;
	health_response *out = (health_response *)resp;

	if (!health_status(rpc_call_data(call), req->service, &out->status))
		return rpc_call_fail(call, GRPC_STATUS_NOT_FOUND, "service: unknown service '%.128s'", req->service);
	return GRPC_STATUS_OK;
}

struct health_watch {
	int last_sent; /* -1: nothing sent yet */
	char service[];
};

static grpc_status_code health_watch_open(struct rpc_call *call, const ProtobufCMessage *msg)
{
	const health_request *req = (const health_request *)msg;
	size_t len = strlen(req->service);
	struct health_watch *w = malloc(sizeof(*w) + len + 1);

	if (!w)
		return rpc_call_fail(call, GRPC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
	w->last_sent = -1;
	memcpy(w->service, req->service, len + 1);
	rpc_call_set_state(call, w, free);
	rpc_call_set_interval(call, HEALTH_WATCH_POLL_MS);
	return GRPC_STATUS_OK;
}

/* The current status at once, then a message only when it changes (as the protocol says); an
 * unknown service is SERVICE_UNKNOWN, and the stream stays open in case it appears. */
static enum rpc_stream_step health_watch_next(struct rpc_call *call, ProtobufCMessage *resp)
{
	struct health_watch *w = rpc_call_state(call);
	health_response *out = (health_response *)resp;

	if (!health_status(rpc_call_data(call), w->service, &out->status))
		out->status = GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVICE_UNKNOWN;
	if ((int)out->status == w->last_sent)
		return RPC_STREAM_WAIT;
	w->last_sent = (int)out->status;
	return RPC_STREAM_MORE;
}

static const struct rpc_method_impl health_methods[] = {
	{ .name = "Check", .unary = health_check, .access = RPC_ACCESS_ANYONE },
	{ .name = "Watch", .open = health_watch_open, .next = health_watch_next, .access = RPC_ACCESS_ANYONE },
};

void rpc_health_service(struct rpc_server *srv, struct rpc_service *out)
{
	*out = (struct rpc_service){
		.desc = &grpc__health__v1__health__descriptor,
		.methods = health_methods,
		.n_methods = ARRAY_SIZE(health_methods),
		.data = srv,
	};
}
