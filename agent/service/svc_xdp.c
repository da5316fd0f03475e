// SPDX-License-Identifier: GPL-2.0-only
/* Attach, Detach, ListAttachments, GetStats and WatchStats: request checks and conversion between
 * the proto messages and the data plane (dataplane.h), which does the work. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>

#include "api_limits.h"
#include "agent.h"
#include "dataplane.h"
#include "policy.h"
#include "service.h"


static grpc_status_code fail(struct rpc_call *call, int ret, const char *err)
{
	return rpc_call_fail(call, rpc_status_from_errno(ret), "%s", err[0] ? err : strerror(-ret));
}

static Xdpfleet__V1__AttachMode mode_to_proto(enum dp_mode mode)
{
	switch (mode) {
	case DP_MODE_NATIVE: return XDPFLEET__V1__ATTACH_MODE__ATTACH_MODE_NATIVE;
	case DP_MODE_SKB: return XDPFLEET__V1__ATTACH_MODE__ATTACH_MODE_SKB;
	case DP_MODE_HW: return XDPFLEET__V1__ATTACH_MODE__ATTACH_MODE_HW;
	default: return XDPFLEET__V1__ATTACH_MODE__ATTACH_MODE_AUTO;
	}
}

static int mode_from_proto(Xdpfleet__V1__AttachMode mode, enum dp_mode *out)
{
	switch (mode) {
	case XDPFLEET__V1__ATTACH_MODE__ATTACH_MODE_UNSPECIFIED:
	case XDPFLEET__V1__ATTACH_MODE__ATTACH_MODE_AUTO: *out = DP_MODE_AUTO; return 0;
	case XDPFLEET__V1__ATTACH_MODE__ATTACH_MODE_NATIVE: *out = DP_MODE_NATIVE; return 0;
	case XDPFLEET__V1__ATTACH_MODE__ATTACH_MODE_SKB: *out = DP_MODE_SKB; return 0;
	case XDPFLEET__V1__ATTACH_MODE__ATTACH_MODE_HW: *out = DP_MODE_HW; return 0;
	default: return -EINVAL;
	}
}

static const char *builtin_name(Xdpfleet__V1__BuiltinProgram prog)
{
	switch (prog) {
	case XDPFLEET__V1__BUILTIN_PROGRAM__BUILTIN_PROGRAM_FILTER: return "filter";
	case XDPFLEET__V1__BUILTIN_PROGRAM__BUILTIN_PROGRAM_PASS: return "pass";
	case XDPFLEET__V1__BUILTIN_PROGRAM__BUILTIN_PROGRAM_DROP: return "drop";
	case XDPFLEET__V1__BUILTIN_PROGRAM__BUILTIN_PROGRAM_ABORT: return "abort";
	default: return NULL;
	}
}

static Xdpfleet__V1__Attachment *attachment_to_proto(struct rpc_call *call, const struct dp_attachment *att)
{
	Xdpfleet__V1__Attachment *a = rpc_call_alloc(call, sizeof(*a));

	if (!a)
		return NULL;
	xdpfleet__v1__attachment__init(a);
	a->ifname = rpc_call_strdup(call, att->ifname);
	a->program = rpc_call_strdup(call, att->program);
	if (!a->ifname || !a->program)
		return NULL;
	a->ifindex = att->ifindex;
	a->mode = mode_to_proto(att->mode);
	a->prog_id = att->prog_id;
	a->attached_at_unix = att->attached_at_unix;
	a->has_stats = att->has_stats;
	a->state = (char *)dataplane_state_name(att->state);
	a->last_event = rpc_call_strdup(call, att->last_event);
	a->last_event_unix = att->last_event_unix;
	a->enforces_rules = att->state == DP_STATE_OK && !strcmp(att->program, "filter");
	return a->last_event ? a : NULL;
}

/* Fills req from the proto request; returns a gRPC status. */
/* An interface name the kernel could have: shorter than IF_NAMESIZE, no '/' or spaces. An
 * empty one is refused when required, else it means every attachment. */
static grpc_status_code check_ifname(struct rpc_call *call, const char *name, bool required)
{
	if (!*name)
		return required ? rpc_call_fail(call, GRPC_STATUS_INVALID_ARGUMENT, "ifname: empty") : GRPC_STATUS_OK;
	if (strlen(name) >= IF_NAMESIZE)
		return rpc_call_fail(call, GRPC_STATUS_INVALID_ARGUMENT, "ifname: '%.20s...' is longer than %d characters",
				     name, IF_NAMESIZE - 1);
	for (const char *c = name; *c; c++)
		if (*c == '/' || isspace((unsigned char)*c))
			return rpc_call_fail(call, GRPC_STATUS_INVALID_ARGUMENT,
					     "ifname: '%s' is not an interface name (no '/' or spaces)", name);
	return GRPC_STATUS_OK;
}

static grpc_status_code attach_req_from_proto(struct rpc_call *call, const Xdpfleet__V1__AttachRequest *in,
					      struct dp_attach_req *req)
{
	grpc_status_code code = check_ifname(call, in->ifname, true);

	*req = (struct dp_attach_req){ .ifname = in->ifname, .force = in->force };
	if (code != GRPC_STATUS_OK)
		return code;
	if (mode_from_proto(in->mode, &req->mode))
		return rpc_call_fail(call, GRPC_STATUS_INVALID_ARGUMENT, "mode: unknown value %d", (int)in->mode);
	switch (in->program_case) {
	case XDPFLEET__V1__ATTACH_REQUEST__PROGRAM_BUILTIN:
		req->builtin = builtin_name(in->builtin);
		if (!req->builtin)
			return rpc_call_fail(call, GRPC_STATUS_INVALID_ARGUMENT,
					     "builtin: unknown value %d (filter, pass, drop or abort)", (int)in->builtin);
		return GRPC_STATUS_OK;
	case XDPFLEET__V1__ATTACH_REQUEST__PROGRAM_OBJECT:
		if (!in->object || !in->object->path || !*in->object->path)
			return rpc_call_fail(call, GRPC_STATUS_INVALID_ARGUMENT, "object.path: empty");
		if (strlen(in->object->path) >= PATH_MAX)
			return rpc_call_fail(call, GRPC_STATUS_INVALID_ARGUMENT, "object.path: longer than %d bytes",
					     PATH_MAX - 1);
		if (strlen(in->object->program_name) > 255)
			return rpc_call_fail(call, GRPC_STATUS_INVALID_ARGUMENT,
					     "object.program_name: longer than 255 bytes");
		req->object_path = in->object->path;
		req->prog_name = in->object->program_name;
		return GRPC_STATUS_OK;
	default:
		return rpc_call_fail(call, GRPC_STATUS_INVALID_ARGUMENT, "program: set builtin or object");
	}
}

grpc_status_code svc_attach(struct rpc_call *call, const ProtobufCMessage *req, ProtobufCMessage *resp)
{
	Xdpfleet__V1__AttachResponse *out = (Xdpfleet__V1__AttachResponse *)resp;
	struct agent *agent = rpc_call_data(call);
	char err[DP_ERR_MAX] = "", replaced[DP_ERR_MAX];
	struct dp_attachment att;
	struct dp_attach_req dreq;
	grpc_status_code code;
	int ret;

	code = attach_req_from_proto(call, (const Xdpfleet__V1__AttachRequest *)req, &dreq);
	if (code != GRPC_STATUS_OK)
		return code;
	ret = dataplane_attach(agent->dp, &dreq, &att, replaced, sizeof(replaced), err, sizeof(err));
	if (ret)
		return fail(call, ret, err);
	rpc_call_audit(call, "ifname=%s program=%s mode=%s prog_id=%u%s%s%s", att.ifname, att.program,
		       dataplane_mode_name(att.mode), att.prog_id, replaced[0] ? " replaced=\"" : "", replaced,
		       replaced[0] ? "\"" : "");
	out->attachment = attachment_to_proto(call, &att);
	out->replaced = rpc_call_strdup(call, replaced);
	if (!out->attachment || !out->replaced)
		return rpc_call_fail(call, GRPC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
	return GRPC_STATUS_OK;
}

grpc_status_code svc_detach(struct rpc_call *call, const ProtobufCMessage *req, ProtobufCMessage *resp)
{
	const Xdpfleet__V1__DetachRequest *in = (const Xdpfleet__V1__DetachRequest *)req;
	Xdpfleet__V1__DetachResponse *out = (Xdpfleet__V1__DetachResponse *)resp;
	struct agent *agent = rpc_call_data(call);
	char err[DP_ERR_MAX] = "";
	struct dp_attachment att;
	int ret;

	if (check_ifname(call, in->ifname, true) != GRPC_STATUS_OK)
		return GRPC_STATUS_INVALID_ARGUMENT;
	ret = dataplane_detach(agent->dp, in->ifname, in->force, &att, err, sizeof(err));
	if (ret)
		return fail(call, ret, err);
	rpc_call_audit(call, "ifname=%s program=%s prog_id=%u", att.ifname, att.program, att.prog_id);
	out->detached = attachment_to_proto(call, &att);
	if (!out->detached)
		return rpc_call_fail(call, GRPC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
	return GRPC_STATUS_OK;
}

grpc_status_code svc_list_attachments(struct rpc_call *call, const ProtobufCMessage *req,
				      ProtobufCMessage *resp)
{
	Xdpfleet__V1__ListAttachmentsResponse *out = (Xdpfleet__V1__ListAttachmentsResponse *)resp;
	struct agent *agent = rpc_call_data(call);
	grpc_status_code code = GRPC_STATUS_OK;
	struct dp_attachment *atts;
	size_t n;

	(void)req;
	if (dataplane_list(agent->dp, &atts, &n))
		return rpc_call_fail(call, GRPC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
	if (n) {
		out->attachments = rpc_call_alloc(call, n * sizeof(*out->attachments));
		if (!out->attachments)
			code = rpc_call_fail(call, GRPC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
	}
	for (size_t i = 0; i < n && code == GRPC_STATUS_OK; i++) {
		out->attachments[i] = attachment_to_proto(call, &atts[i]);
		if (!out->attachments[i])
			code = rpc_call_fail(call, GRPC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
		out->n_attachments = i + 1;
	}
	free(atts);
	out->rules = agent->policy ? policy_count(agent->policy) : 0;
	if (code == GRPC_STATUS_OK && svc_warnings(call, agent, &out->warnings, &out->n_warnings))
		code = rpc_call_fail(call, GRPC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
	return code;
}

static Xdpfleet__V1__InterfaceStats *if_stats_to_proto(struct rpc_call *call, const struct dp_if_stats *s)
{
	Xdpfleet__V1__InterfaceStats *is = rpc_call_alloc(call, sizeof(*is));
	Xdpfleet__V1__ActionStats *acts = rpc_call_alloc(call, DP_ACTIONS * sizeof(*acts));
	Xdpfleet__V1__ExceptionCount *excs = rpc_call_alloc(call, DP_ACTIONS * sizeof(*excs));

	if (!is || !acts || !excs)
		return NULL;
	xdpfleet__v1__interface_stats__init(is);
	is->ifname = rpc_call_strdup(call, s->att.ifname);
	is->program = rpc_call_strdup(call, s->att.program);
	is->actions = rpc_call_alloc(call, DP_ACTIONS * sizeof(*is->actions));
	is->exceptions = rpc_call_alloc(call, DP_ACTIONS * sizeof(*is->exceptions));
	if (!is->ifname || !is->program || !is->actions || !is->exceptions)
		return NULL;
	is->ifindex = s->att.ifindex;
	is->mode = mode_to_proto(s->att.mode);
	is->period = s->period;
	is->timestamp_ns = s->timestamp_ns;
	is->timestamp_unix_ns = s->timestamp_unix_ns;
	/* Action numbers equal XdpAction values, so index a is action a. */
	for (int a = 0; a < DP_ACTIONS; a++) {
		xdpfleet__v1__action_stats__init(&acts[a]);
		acts[a].action = (Xdpfleet__V1__XdpAction)a;
		acts[a].packets = s->actions[a].packets;
		acts[a].bytes = s->actions[a].bytes;
		acts[a].pps = s->actions[a].pps;
		acts[a].bps = s->actions[a].bps;
		is->actions[a] = &acts[a];
		xdpfleet__v1__exception_count__init(&excs[a]);
		excs[a].action = (Xdpfleet__V1__XdpAction)a;
		excs[a].count = s->exceptions[a];
		is->exceptions[a] = &excs[a];
	}
	is->n_actions = DP_ACTIONS;
	is->n_exceptions = DP_ACTIONS;
	return is;
}

static grpc_status_code stats_to_proto(struct rpc_call *call, const struct dp_if_stats *stats, size_t n,
				       Xdpfleet__V1__GetStatsResponse *out)
{
	if (!n)
		return GRPC_STATUS_OK;
	out->interfaces = rpc_call_alloc(call, n * sizeof(*out->interfaces));
	if (!out->interfaces)
		return rpc_call_fail(call, GRPC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
	for (size_t i = 0; i < n; i++) {
		out->interfaces[i] = if_stats_to_proto(call, &stats[i]);
		if (!out->interfaces[i])
			return rpc_call_fail(call, GRPC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
		out->n_interfaces = i + 1;
	}
	return GRPC_STATUS_OK;
}

grpc_status_code svc_get_stats(struct rpc_call *call, const ProtobufCMessage *req, ProtobufCMessage *resp)
{
	const Xdpfleet__V1__GetStatsRequest *in = (const Xdpfleet__V1__GetStatsRequest *)req;
	struct agent *agent = rpc_call_data(call);
	char err[DP_ERR_MAX] = "";
	struct dp_if_stats *stats;
	grpc_status_code code;
	size_t n;
	int ret;

	if (check_ifname(call, in->ifname, false) != GRPC_STATUS_OK)
		return GRPC_STATUS_INVALID_ARGUMENT;
	ret = dataplane_read_stats(agent->dp, in->ifname, NULL, 0, &stats, &n, err, sizeof(err));
	if (ret)
		return fail(call, ret, err);
	code = stats_to_proto(call, stats, n, (Xdpfleet__V1__GetStatsResponse *)resp);
	free(stats);
	return code;
}

/* One WatchStats stream: rates of each message are against the stream's previous read. */
struct watch {
	char *ifname;
	uint32_t count; /* 0: until cancelled */
	uint32_t sent;
	struct dp_if_stats *prev;
	size_t n_prev;
};

static void watch_free(void *state)
{
	struct watch *w = state;

	free(w->ifname);
	free(w->prev);
	free(w);
}

grpc_status_code svc_watch_stats_open(struct rpc_call *call, const ProtobufCMessage *req)
{
	const Xdpfleet__V1__WatchStatsRequest *in = (const Xdpfleet__V1__WatchStatsRequest *)req;
	struct agent *agent = rpc_call_data(call);
	unsigned int interval = in->interval_ms ? in->interval_ms : API_WATCH_INTERVAL_DEFAULT_MS;
	char err[DP_ERR_MAX] = "";
	struct watch *w;
	int ret;

	unsigned int floor = agent->opts.min_watch_interval_ms ? agent->opts.min_watch_interval_ms
							      : API_WATCH_INTERVAL_MIN_MS;

	if (check_ifname(call, in->ifname, false) != GRPC_STATUS_OK)
		return GRPC_STATUS_INVALID_ARGUMENT;
	if (interval < floor || interval > API_WATCH_INTERVAL_MAX_MS)
		return rpc_call_fail(call, GRPC_STATUS_INVALID_ARGUMENT,
				     "interval_ms: %u is not from %u to %d (0 means %d)", in->interval_ms, floor,
				     API_WATCH_INTERVAL_MAX_MS, API_WATCH_INTERVAL_DEFAULT_MS);
	w = calloc(1, sizeof(*w));
	if (w)
		w->ifname = strdup(in->ifname ? in->ifname : "");
	if (!w || !w->ifname) {
		free(w);
		return rpc_call_fail(call, GRPC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
	}
	w->count = in->count;
	/* A watch of an interface without attachment fails now, not after the first tick. */
	ret = dataplane_read_stats(agent->dp, w->ifname, NULL, 0, &w->prev, &w->n_prev, err, sizeof(err));
	free(w->prev);
	w->prev = NULL;
	w->n_prev = 0;
	if (ret) {
		watch_free(w);
		return fail(call, ret, err);
	}
	rpc_call_set_state(call, w, watch_free);
	rpc_call_set_interval(call, interval);
	return GRPC_STATUS_OK;
}

enum rpc_stream_step svc_watch_stats_next(struct rpc_call *call, ProtobufCMessage *resp)
{
	struct agent *agent = rpc_call_data(call);
	struct watch *w = rpc_call_state(call);
	char err[DP_ERR_MAX] = "";
	struct dp_if_stats *stats;
	size_t n;
	int ret;

	/* The first message has no stream baseline yet: it rates against the agent's sample. */
	ret = dataplane_read_stats(agent->dp, w->ifname, w->sent ? w->prev : NULL, w->n_prev, &stats, &n, err,
				   sizeof(err));
	if (ret) {
		fail(call, ret, err);
		return RPC_STREAM_FAIL;
	}
	if (stats_to_proto(call, stats, n, (Xdpfleet__V1__GetStatsResponse *)resp) != GRPC_STATUS_OK) {
		free(stats);
		return RPC_STREAM_FAIL;
	}
	free(w->prev);
	w->prev = stats;
	w->n_prev = n;
	w->sent++;
	((Xdpfleet__V1__GetStatsResponse *)resp)->skipped = rpc_call_skipped(call);
	return w->count && w->sent >= w->count ? RPC_STREAM_LAST : RPC_STREAM_MORE;
}
