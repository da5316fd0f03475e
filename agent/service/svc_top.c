// SPDX-License-Identifier: GPL-2.0-only
/* WatchTop, AddTrigger, ListTriggers, DeleteTriggers and WatchEvents: request checks and the
 * conversion between the proto messages and agent/top (top.h, mitigate.h). */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "api_limits.h"
#include "lockout.h"
#include "mitigate.h"
#include "rules_wire.h"
#include "service.h"
#include "top.h"

#define TOP_LIMIT_DEFAULT 20
#define TOP_LIMIT_MAX 1000
#define EVENTS_PER_MESSAGE 256
#define EVENTS_POLL_MS 200

static grpc_status_code check_ifname(struct rpc_call *call, const char *name)
{
	if (strlen(name) >= IF_NAMESIZE)
		return rpc_call_fail(call, GRPC_STATUS_INVALID_ARGUMENT, "ifname: '%.20s...' is longer than %d characters",
				     name, IF_NAMESIZE - 1);
	for (const char *c = name; *c; c++)
		if (*c == '/' || isspace((unsigned char)*c))
			return rpc_call_fail(call, GRPC_STATUS_INVALID_ARGUMENT,
					     "ifname: '%s' is not an interface name (no '/' or spaces)", name);
	return GRPC_STATUS_OK;
}

static char *cidr_str(struct rpc_call *call, const struct cidr *c)
{
	char buf[CIDR_STR_MAX];

	if (cidr_format(c, buf, sizeof(buf)))
		buf[0] = '\0';
	return rpc_call_strdup(call, buf);
}

struct top_watch {
	char ifname[IF_NAMESIZE];
	uint32_t count, sent, limit;
	unsigned int interval_ms; /* rates are over the last interval (up to 10 s) */
};

static void top_watch_free(void *state)
{
	free(state);
}

grpc_status_code svc_watch_top_open(struct rpc_call *call, const ProtobufCMessage *req)
{
	const Xdpfleet__V1__WatchTopRequest *in = (const Xdpfleet__V1__WatchTopRequest *)req;
	struct agent *agent = rpc_call_data(call);
	unsigned int interval = in->interval_ms ? in->interval_ms : API_WATCH_INTERVAL_DEFAULT_MS;
	unsigned int floor = agent->opts.min_watch_interval_ms ? agent->opts.min_watch_interval_ms
							      : API_WATCH_INTERVAL_MIN_MS;
	struct top_watch *w;

	if (check_ifname(call, in->ifname) != GRPC_STATUS_OK)
		return GRPC_STATUS_INVALID_ARGUMENT;
	if (interval < floor || interval > API_WATCH_INTERVAL_MAX_MS)
		return rpc_call_fail(call, GRPC_STATUS_INVALID_ARGUMENT,
				     "interval_ms: %u is not from %u to %d (0 means %d)", in->interval_ms, floor,
				     API_WATCH_INTERVAL_MAX_MS, API_WATCH_INTERVAL_DEFAULT_MS);
	if (in->limit > TOP_LIMIT_MAX)
		return rpc_call_fail(call, GRPC_STATUS_INVALID_ARGUMENT, "limit: %u is not from 1 to %d (0 means %d)",
				     in->limit, TOP_LIMIT_MAX, TOP_LIMIT_DEFAULT);
	w = calloc(1, sizeof(*w));
	if (!w)
		return rpc_call_fail(call, GRPC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
	snprintf(w->ifname, sizeof(w->ifname), "%s", in->ifname);
	w->count = in->count;
	w->limit = in->limit ? in->limit : TOP_LIMIT_DEFAULT;
	w->interval_ms = interval;
	rpc_call_set_state(call, w, top_watch_free);
	rpc_call_set_interval(call, interval);
	return GRPC_STATUS_OK;
}

static Xdpfleet__V1__TopSource *source_to_proto(struct rpc_call *call, const struct top_source *s)
{
	Xdpfleet__V1__TopSource *p = rpc_call_alloc(call, sizeof(*p));

	if (!p)
		return NULL;
	xdpfleet__v1__top_source__init(p);
	p->src = cidr_str(call, &s->src);
	if (!p->src)
		return NULL;
	p->pps = s->pps;
	p->bps = s->bps;
	p->packets = s->packets;
	p->bytes = s->bytes;
	p->passed = s->verdict[TOP_V_PASS];
	p->dropped = s->verdict[TOP_V_DROP];
	p->other = s->verdict[TOP_V_OTHER];
	p->tcp = s->proto[TOP_P_TCP];
	p->udp = s->proto[TOP_P_UDP];
	p->icmp = s->proto[TOP_P_ICMP];
	p->other_proto = s->proto[TOP_P_OTHER];
	p->top_port = s->port;
	return p;
}

static Xdpfleet__V1__InterfaceTop *view_to_proto(struct rpc_call *call, const struct top_if_view *v)
{
	Xdpfleet__V1__InterfaceTop *p = rpc_call_alloc(call, sizeof(*p));

	if (!p)
		return NULL;
	xdpfleet__v1__interface_top__init(p);
	p->ifname = rpc_call_strdup(call, v->ifname);
	p->ifindex = v->ifindex;
	p->period = v->period;
	p->timestamp_unix_ns = v->ts_unix_ns;
	p->active = (uint32_t)v->active;
	p->sources = v->n ? rpc_call_alloc(call, v->n * sizeof(*p->sources)) : NULL;
	if (!p->ifname || (v->n && !p->sources))
		return NULL;
	for (size_t i = 0; i < v->n; i++) {
		p->sources[i] = source_to_proto(call, &v->src[i]);
		if (!p->sources[i])
			return NULL;
		p->n_sources = i + 1;
	}
	return p;
}

enum rpc_stream_step svc_watch_top_next(struct rpc_call *call, ProtobufCMessage *resp)
{
	Xdpfleet__V1__WatchTopResponse *out = (Xdpfleet__V1__WatchTopResponse *)resp;
	struct agent *agent = rpc_call_data(call);
	struct top_watch *w = rpc_call_state(call);
	struct top_if_view *v = NULL;
	size_t n = 0;
	enum rpc_stream_step step = RPC_STREAM_FAIL;

	if (top_views(agent->top, w->ifname, w->limit, w->interval_ms, &v, &n)) {
		rpc_call_fail(call, GRPC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
		return RPC_STREAM_FAIL;
	}
	if (w->ifname[0] && !n) {
		rpc_call_fail(call, GRPC_STATUS_NOT_FOUND, "ifname: '%s' runs no filter program", w->ifname);
		goto out;
	}
	out->interfaces = n ? rpc_call_alloc(call, n * sizeof(*out->interfaces)) : NULL;
	if (n && !out->interfaces)
		goto oom;
	for (size_t i = 0; i < n; i++) {
		out->interfaces[i] = view_to_proto(call, &v[i]);
		if (!out->interfaces[i])
			goto oom;
		out->n_interfaces = i + 1;
	}
	out->skipped = rpc_call_skipped(call);
	w->sent++;
	step = w->count && w->sent >= w->count ? RPC_STREAM_LAST : RPC_STREAM_MORE;
	goto out;
oom:
	rpc_call_fail(call, GRPC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
out:
	top_views_free(v, n);
	return step;
}

static Xdpfleet__V1__Trigger *trigger_to_proto(struct rpc_call *call, const struct mit_trigger *t)
{
	Xdpfleet__V1__Trigger *p = rpc_call_alloc(call, sizeof(*p));

	if (!p)
		return NULL;
	xdpfleet__v1__trigger__init(p);
	p->id = t->id;
	p->pps = t->pps;
	p->bps = t->bps;
	p->proto = rules_wire_from_proto(t->proto);
	p->port = t->port;
	p->prefix_len_v4 = t->plen4;
	p->prefix_len_v6 = t->plen6;
	p->action = rules_wire_from_action(t->action);
	p->limit_pps = t->limit_pps;
	p->ttl_seconds = t->ttl_seconds;
	p->for_seconds = t->for_seconds;
	p->created_unix = t->created_unix;
	p->client = t->has_client ? cidr_str(call, &t->client) : rpc_call_strdup(call, "");
	p->fired = t->fired;
	p->refused = t->refused;
	p->active = t->active;
	p->last_fired_unix = t->last_fired_unix;
	p->last_src = t->last_fired_unix ? cidr_str(call, &t->last_src) : rpc_call_strdup(call, "");
	p->last_pps = t->last_pps;
	return p->client && p->last_src ? p : NULL;
}

grpc_status_code svc_add_trigger(struct rpc_call *call, const ProtobufCMessage *req, ProtobufCMessage *resp)
{
	const Xdpfleet__V1__AddTriggerRequest *in = (const Xdpfleet__V1__AddTriggerRequest *)req;
	Xdpfleet__V1__AddTriggerResponse *out = (Xdpfleet__V1__AddTriggerResponse *)resp;
	struct agent *agent = rpc_call_data(call);
	const Xdpfleet__V1__Trigger *w = in->trigger;
	struct mit_trigger t = { 0 };
	char err[MIT_DETAIL_MAX] = "";
	int ret;

	if (!w)
		return rpc_call_fail(call, GRPC_STATUS_INVALID_ARGUMENT, "trigger: missing");
	if (rules_wire_proto(w->proto, &t.proto))
		return rpc_call_fail(call, GRPC_STATUS_INVALID_ARGUMENT, "trigger.proto: unknown value %d", (int)w->proto);
	if (w->action == XDPFLEET__V1__RULE_ACTION__RULE_ACTION_UNSPECIFIED)
		t.action = RULES_ACT_DROP;
	else if (rules_wire_action(w->action, &t.action))
		return rpc_call_fail(call, GRPC_STATUS_INVALID_ARGUMENT, "trigger.action: unknown value %d",
				     (int)w->action);
	if (w->port > 65535)
		return rpc_call_fail(call, GRPC_STATUS_INVALID_ARGUMENT, "trigger.port: %u is over 65535", w->port);
	if (w->prefix_len_v4 > 32 || w->prefix_len_v6 > 128)
		return rpc_call_fail(call, GRPC_STATUS_INVALID_ARGUMENT, "trigger.prefix_len_v%s: %u is too long",
				     w->prefix_len_v4 > 32 ? "4" : "6",
				     w->prefix_len_v4 > 32 ? w->prefix_len_v4 : w->prefix_len_v6);
	t.pps = w->pps;
	t.bps = w->bps;
	t.port = (uint16_t)w->port;
	t.plen4 = (uint8_t)w->prefix_len_v4;
	t.plen6 = (uint8_t)w->prefix_len_v6;
	t.limit_pps = w->limit_pps;
	t.ttl_seconds = w->ttl_seconds;
	t.for_seconds = w->for_seconds;
	if (!lockout_peer_addr(rpc_call_peer(call), &t.client))
		t.has_client = true;
	ret = mitigate_add(agent->mit, &t, err, sizeof(err));
	if (ret)
		return rpc_call_fail(call, rpc_status_from_errno(ret), "trigger.%s", err[0] ? err : strerror(-ret));
	out->id = t.id;
	rpc_call_audit(call, "trigger=%" PRIu64 " pps=%" PRIu64 " bps=%" PRIu64 " ttl=%" PRIu64, t.id, t.pps, t.bps,
		       t.ttl_seconds);
	return GRPC_STATUS_OK;
}

grpc_status_code svc_list_triggers(struct rpc_call *call, const ProtobufCMessage *req, ProtobufCMessage *resp)
{
	Xdpfleet__V1__ListTriggersResponse *out = (Xdpfleet__V1__ListTriggersResponse *)resp;
	struct agent *agent = rpc_call_data(call);
	size_t n = mitigate_count(agent->mit);

	(void)req;
	if (!n)
		return GRPC_STATUS_OK;
	out->triggers = rpc_call_alloc(call, n * sizeof(*out->triggers));
	if (!out->triggers)
		return rpc_call_fail(call, GRPC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
	for (size_t i = 0; i < n; i++) {
		out->triggers[i] = trigger_to_proto(call, mitigate_at(agent->mit, i));
		if (!out->triggers[i])
			return rpc_call_fail(call, GRPC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
		out->n_triggers = i + 1;
	}
	return GRPC_STATUS_OK;
}

grpc_status_code svc_delete_triggers(struct rpc_call *call, const ProtobufCMessage *req, ProtobufCMessage *resp)
{
	const Xdpfleet__V1__DeleteTriggersRequest *in = (const Xdpfleet__V1__DeleteTriggersRequest *)req;
	Xdpfleet__V1__DeleteTriggersResponse *out = (Xdpfleet__V1__DeleteTriggersResponse *)resp;
	struct agent *agent = rpc_call_data(call);
	char err[MIT_DETAIL_MAX] = "";
	size_t deleted = 0;
	int ret;

	if (in->n_ids > MIT_TRIGGERS_MAX)
		return rpc_call_fail(call, GRPC_STATUS_INVALID_ARGUMENT, "ids: %zu ids; at most %d", in->n_ids,
				     MIT_TRIGGERS_MAX);
	if (!in->all && !in->n_ids)
		return rpc_call_fail(call, GRPC_STATUS_INVALID_ARGUMENT, "ids: none given (or all)");
	if (in->all && in->n_ids)
		return rpc_call_fail(call, GRPC_STATUS_INVALID_ARGUMENT, "all: not with ids");
	ret = mitigate_delete(agent->mit, in->ids, in->n_ids, in->all, &deleted, err, sizeof(err));
	if (ret)
		return rpc_call_fail(call, rpc_status_from_errno(ret), "%s", err[0] ? err : strerror(-ret));
	out->deleted = (uint32_t)deleted;
	rpc_call_audit(call, "triggers_deleted=%zu all=%d", deleted, in->all);
	return GRPC_STATUS_OK;
}

struct events_watch {
	uint64_t after;
	uint32_t count, sent;
};

static void events_watch_free(void *state)
{
	free(state);
}

grpc_status_code svc_watch_events_open(struct rpc_call *call, const ProtobufCMessage *req)
{
	const Xdpfleet__V1__WatchEventsRequest *in = (const Xdpfleet__V1__WatchEventsRequest *)req;
	struct agent *agent = rpc_call_data(call);
	struct events_watch *w = calloc(1, sizeof(*w));
	uint64_t last = mitigate_last_seq(agent->mit);

	if (!w)
		return rpc_call_fail(call, GRPC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
	/* 0: only events from now on; a seq past the newest (an older agent run's): from now on. */
	w->after = in->replay ? 0 : in->after_seq && in->after_seq <= last ? in->after_seq : last;
	w->count = in->count;
	rpc_call_set_state(call, w, events_watch_free);
	rpc_call_set_interval(call, EVENTS_POLL_MS);
	return GRPC_STATUS_OK;
}

static Xdpfleet__V1__Event *event_to_proto(struct rpc_call *call, const struct mit_event *e)
{
	Xdpfleet__V1__Event *p = rpc_call_alloc(call, sizeof(*p));

	if (!p)
		return NULL;
	xdpfleet__v1__event__init(p);
	p->seq = e->seq;
	p->time_unix_ns = e->time_unix_ns;
	p->kind = rpc_call_strdup(call, mitigate_event_name(e->kind));
	p->trigger_id = e->trigger_id;
	p->src = e->has_src ? cidr_str(call, &e->src) : rpc_call_strdup(call, "");
	p->pps = e->pps;
	p->bps = e->bps;
	p->rule_id = e->rule_id;
	p->detail = rpc_call_strdup(call, e->detail);
	return p->kind && p->src && p->detail ? p : NULL;
}

enum rpc_stream_step svc_watch_events_next(struct rpc_call *call, ProtobufCMessage *resp)
{
	Xdpfleet__V1__WatchEventsResponse *out = (Xdpfleet__V1__WatchEventsResponse *)resp;
	struct agent *agent = rpc_call_data(call);
	struct events_watch *w = rpc_call_state(call);
	struct mit_event *ev;
	size_t max = EVENTS_PER_MESSAGE, n;
	uint64_t lost = 0;

	if (w->count && w->count - w->sent < max)
		max = w->count - w->sent;
	ev = calloc(max, sizeof(*ev));
	if (!ev) {
		rpc_call_fail(call, GRPC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
		return RPC_STREAM_FAIL;
	}
	n = mitigate_events(agent->mit, w->after, ev, max, &lost);
	if (!n && !lost) {
		free(ev);
		return RPC_STREAM_WAIT;
	}
	out->lost = lost;
	out->events = n ? rpc_call_alloc(call, n * sizeof(*out->events)) : NULL;
	for (size_t i = 0; i < n && out->events; i++) {
		out->events[i] = event_to_proto(call, &ev[i]);
		if (!out->events[i])
			break;
		out->n_events = i + 1;
	}
	free(ev);
	if (out->n_events != n) {
		rpc_call_fail(call, GRPC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
		return RPC_STREAM_FAIL;
	}
	if (n)
		w->after = out->events[n - 1]->seq;
	w->sent += (uint32_t)n;
	return w->count && w->sent >= w->count ? RPC_STREAM_LAST : RPC_STREAM_MORE;
}
