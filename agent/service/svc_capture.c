// SPDX-License-Identifier: GPL-2.0-only
/* Capture: checks the request whole, starts a capture session on the interface's filter, and
 * streams what the data plane copied, with rule slots turned back into rule ids. */
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent.h"
#include "api_limits.h"
#include "capture.h"
#include "dataplane.h"
#include "policy.h"
#include "service.h"

_Static_assert(API_CAPTURE_SNAPLEN_MAX == CAPTURE_SNAPLEN_MAX, "the API's snaplen bound is the data plane's");
_Static_assert(API_CAPTURE_BATCH_MAX <= CAPTURE_QUEUE_MAX, "a message takes at most a queue");

#define CAPTURE_TICK_MS 50
#define CAPTURE_IDLE_MS 1000 /* a message with the counts at least this often */

struct capture_stream {
	struct capture *cap;
	int session;
	char ifname[IF_NAMESIZE];
	uint32_t snaplen, count;
	uint64_t captured;
	int64_t mono_to_unix_ns; /* add to a CLOCK_MONOTONIC time for CLOCK_REALTIME */
	unsigned int idle_ticks;
};

static void stream_free(void *state)
{
	struct capture_stream *s = state;

	capture_stop(s->cap, s->session);
	free(s);
}

static int64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static grpc_status_code verdict_from_proto(struct rpc_call *call, Xdpfleet__V1__CaptureVerdict v, uint32_t *out)
{
	switch (v) {
	case XDPFLEET__V1__CAPTURE_VERDICT__CAPTURE_VERDICT_ANY: *out = CAPTURE_VERDICT_ANY; break;
	case XDPFLEET__V1__CAPTURE_VERDICT__CAPTURE_VERDICT_DROP: *out = XDP_DROP; break;
	case XDPFLEET__V1__CAPTURE_VERDICT__CAPTURE_VERDICT_PASS: *out = XDP_PASS; break;
	default:
		return rpc_call_fail(call, GRPC_STATUS_INVALID_ARGUMENT, "verdict: unknown value %d (any, drop or pass)",
				     (int)v);
	}
	return GRPC_STATUS_OK;
}

/* The bounds of the numbers, all checked before anything is looked up or changed. */
static grpc_status_code check_numbers(struct rpc_call *call, const Xdpfleet__V1__CaptureRequest *in)
{
	if (in->sample > API_CAPTURE_SAMPLE_MAX)
		return rpc_call_fail(call, GRPC_STATUS_INVALID_ARGUMENT, "sample: %u is not from 1 to %d (0 means 1)",
				     in->sample, API_CAPTURE_SAMPLE_MAX);
	if (in->count > API_CAPTURE_COUNT_MAX)
		return rpc_call_fail(call, GRPC_STATUS_INVALID_ARGUMENT,
				     "count: %u is more than %d (0: until cancelled)", in->count, API_CAPTURE_COUNT_MAX);
	if (in->snaplen > API_CAPTURE_SNAPLEN_MAX)
		return rpc_call_fail(call, GRPC_STATUS_INVALID_ARGUMENT, "snaplen: %u is not from 1 to %d (0 means %d)",
				     in->snaplen, API_CAPTURE_SNAPLEN_MAX, API_CAPTURE_SNAPLEN_DEFAULT);
	if (in->max_pps > API_CAPTURE_PPS_MAX)
		return rpc_call_fail(call, GRPC_STATUS_INVALID_ARGUMENT, "max_pps: %u is not from 1 to %d (0 means %d)",
				     in->max_pps, API_CAPTURE_PPS_MAX, API_CAPTURE_PPS_DEFAULT);
	return GRPC_STATUS_OK;
}

/* The interface must run the filter: only it knows verdicts and rules and writes the ring. */
static grpc_status_code find_filter(struct rpc_call *call, struct agent *agent, const char *ifname,
				    unsigned int *ifindex)
{
	grpc_status_code code = GRPC_STATUS_OK;
	struct dp_attachment *atts, *att = NULL;
	size_t n;

	if (!*ifname)
		return rpc_call_fail(call, GRPC_STATUS_INVALID_ARGUMENT, "ifname: empty");
	if (strlen(ifname) >= IF_NAMESIZE)
		return rpc_call_fail(call, GRPC_STATUS_INVALID_ARGUMENT, "ifname: '%.20s...' is longer than %d characters",
				     ifname, IF_NAMESIZE - 1);
	if (dataplane_list(agent->dp, &atts, &n))
		return rpc_call_fail(call, GRPC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
	for (size_t i = 0; i < n && !att; i++)
		if (!strcmp(atts[i].ifname, ifname))
			att = &atts[i];
	if (!att)
		code = rpc_call_fail(call, GRPC_STATUS_NOT_FOUND, "ifname: '%s' has no program attached by this agent",
				     ifname);
	else if (strcmp(att->program, "filter"))
		code = rpc_call_fail(call, GRPC_STATUS_FAILED_PRECONDITION,
				     "ifname: '%s' runs '%s'; capture needs the filter program (attach --builtin filter)",
				     ifname, att->program);
	else if (att->state != DP_STATE_OK)
		code = rpc_call_fail(call, GRPC_STATUS_FAILED_PRECONDITION, "ifname: '%s': its filter is %s", ifname,
				     dataplane_state_name(att->state));
	else
		*ifindex = att->ifindex;
	free(atts);
	return code;
}

static grpc_status_code find_rule(struct rpc_call *call, struct agent *agent, uint64_t id, uint32_t *slot)
{
	struct policy_rule r;
	uint32_t cursor = 0;

	while (agent->policy && policy_next(agent->policy, &cursor, &r))
		if (r.id == id) {
			*slot = r.slot;
			return GRPC_STATUS_OK;
		}
	return rpc_call_fail(call, GRPC_STATUS_NOT_FOUND, "rule_id: no rule %llu", (unsigned long long)id);
}

grpc_status_code svc_capture_open(struct rpc_call *call, const ProtobufCMessage *req)
{
	const Xdpfleet__V1__CaptureRequest *in = (const Xdpfleet__V1__CaptureRequest *)req;
	struct agent *agent = rpc_call_data(call);
	struct capture_req cr = { 0 };
	struct capture_stream *s;
	grpc_status_code code;
	int ret;

	code = verdict_from_proto(call, in->verdict, &cr.verdict);
	if (code == GRPC_STATUS_OK)
		code = check_numbers(call, in);
	if (code == GRPC_STATUS_OK)
		code = find_filter(call, agent, in->ifname, &cr.ifindex);
	if (code == GRPC_STATUS_OK && in->rule_id) {
		cr.by_rule = true;
		code = find_rule(call, agent, in->rule_id, &cr.rule_slot);
	}
	if (code != GRPC_STATUS_OK)
		return code;
	if (!agent->capture)
		return rpc_call_fail(call, GRPC_STATUS_FAILED_PRECONDITION,
				     "capture is unavailable: this kernel refused the capture maps (the agent log says why)");
	cr.sample = in->sample ? in->sample : 1;
	cr.snaplen = in->snaplen ? in->snaplen : API_CAPTURE_SNAPLEN_DEFAULT;
	cr.max_pps = in->max_pps ? in->max_pps : API_CAPTURE_PPS_DEFAULT;
	s = calloc(1, sizeof(*s));
	if (!s)
		return rpc_call_fail(call, GRPC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
	ret = capture_start(agent->capture, &cr, &s->session);
	if (ret) {
		free(s);
		if (ret == -EBUSY)
			return rpc_call_fail(call, GRPC_STATUS_FAILED_PRECONDITION,
					     "ifname: '%s' is being captured already (one capture per interface)", in->ifname);
		if (ret == -ENOSPC)
			return rpc_call_fail(call, GRPC_STATUS_RESOURCE_EXHAUSTED,
					     "ifname: %d interfaces are being captured already, the most at once",
					     CAPTURE_SESSIONS_MAX);
		return rpc_call_fail(call, rpc_status_from_errno(ret), "cannot start the capture: %s", strerror(-ret));
	}
	s->cap = agent->capture;
	strcpy(s->ifname, in->ifname);
	s->snaplen = cr.snaplen;
	s->count = in->count;
	s->mono_to_unix_ns = clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_MONOTONIC);
	rpc_call_set_state(call, s, stream_free);
	rpc_call_set_interval(call, CAPTURE_TICK_MS);
	rpc_call_audit(call, "ifname=%s verdict=%d rule_id=%llu sample=%u count=%u snaplen=%u max_pps=%u",
		       in->ifname, (int)in->verdict, (unsigned long long)in->rule_id, cr.sample, in->count, cr.snaplen,
		       cr.max_pps);
	return GRPC_STATUS_OK;
}

static Xdpfleet__V1__XdpAction verdict_to_proto(uint32_t v)
{
	return v < XDP_ACTION_MAX ? (Xdpfleet__V1__XdpAction)v : XDPFLEET__V1__XDP_ACTION__XDP_ABORTED;
}

static int pkt_to_proto(struct rpc_call *call, struct agent *agent, const struct capture_stream *s,
			const struct capture_pkt *p, Xdpfleet__V1__CapturedPacket *out)
{
	struct policy_rule r;

	xdpfleet__v1__captured_packet__init(out);
	out->timestamp_unix_ns = (uint64_t)((int64_t)p->rec.ts_ns + s->mono_to_unix_ns);
	out->orig_len = p->rec.orig_len;
	out->verdict = verdict_to_proto(p->rec.verdict);
	if (p->rec.rule_slot != RULES_SLOT_NONE && agent->policy &&
	    !policy_rule_at(agent->policy, p->rec.rule_slot, &r))
		out->rule_id = r.id;
	out->data.len = p->rec.cap_len;
	out->data.data = rpc_call_alloc(call, p->rec.cap_len ? p->rec.cap_len : 1);
	if (!out->data.data)
		return -ENOMEM;
	memcpy(out->data.data, p->data, p->rec.cap_len);
	return 0;
}

enum rpc_stream_step svc_capture_next(struct rpc_call *call, ProtobufCMessage *resp)
{
	Xdpfleet__V1__CaptureResponse *out = (Xdpfleet__V1__CaptureResponse *)resp;
	struct agent *agent = rpc_call_data(call);
	struct capture_stream *s = rpc_call_state(call);
	struct capture_pkt *pkts[API_CAPTURE_BATCH_MAX];
	Xdpfleet__V1__CapturedPacket *msgs = NULL;
	struct capture_counts cc;
	size_t max = API_CAPTURE_BATCH_MAX, n;
	int ret = 0;

	if (s->count && s->count - s->captured < max)
		max = s->count - s->captured;
	capture_poll(s->cap);
	n = capture_take(s->cap, s->session, pkts, max);
	if (!n && ++s->idle_ticks < CAPTURE_IDLE_MS / CAPTURE_TICK_MS)
		return RPC_STREAM_WAIT;
	s->idle_ticks = 0;
	if (n) {
		msgs = rpc_call_alloc(call, n * sizeof(*msgs));
		out->packets = rpc_call_alloc(call, n * sizeof(*out->packets));
		ret = msgs && out->packets ? 0 : -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		if (!ret) {
			ret = pkt_to_proto(call, agent, s, pkts[i], &msgs[i]);
			out->packets[i] = &msgs[i];
			out->n_packets = i + 1;
		}
		free(pkts[i]);
	}
	if (ret) {
		rpc_call_fail(call, GRPC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
		return RPC_STREAM_FAIL;
	}
	s->captured += n;
	/* A full batch: more are likely waiting, so send again as soon as this one is out. */
	rpc_call_set_interval(call, n == API_CAPTURE_BATCH_MAX ? 0 : CAPTURE_TICK_MS);
	out->ifname = s->ifname;
	out->snaplen = s->snaplen;
	out->captured = s->captured;
	if (!capture_counts(s->cap, s->session, &cc)) {
		out->matched = cc.matched;
		out->sampled = cc.sampled;
		out->over_limit = cc.over_limit;
		out->lost = cc.ring_full + cc.queue_full;
	}
	return s->count && s->captured >= s->count ? RPC_STREAM_LAST : RPC_STREAM_MORE;
}
