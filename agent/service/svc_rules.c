// SPDX-License-Identifier: GPL-2.0-only
/* AddRules, DeleteRules, ListRules and FlushRules: wire messages to the policy module, with
 * every request validated whole before anything changes and errors naming index and field. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api_limits.h"
#include "dataplane.h"
#include "htab.h"
#include "agent.h"
#include "lockout.h"
#include "names.h"
#include "policy.h"
#include "rules_wire.h"
#include "service.h"
#include "xdpfleet/v1/agent.pb-c.h"


static grpc_status_code no_rules(struct rpc_call *call)
{
	return rpc_call_fail(call, GRPC_STATUS_FAILED_PRECONDITION, "this agent has no rule engine");
}

static bool comment_ok(const char *c)
{
	if (strlen(c) > API_COMMENT_MAX)
		return false;
	for (; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			return false;
	return true;
}

/* The request's rules as policy items (malloc'd into *out), every field checked first, naming
 * the bad one; nothing changes on an error. */
static grpc_status_code items_from_wire(struct rpc_call *call, struct agent *agent, Xdpfleet__V1__Rule *const *rules,
					size_t n, bool force, struct policy_add_item **out)
{
	size_t most = agent->opts.max_rules_per_request ? agent->opts.max_rules_per_request : API_RULES_PER_REQUEST_MAX;
	struct policy_add_item *items;
	struct rules_error err = { 0 };
	struct cidr peer, *peerp = NULL;
	char why[256];

	*out = NULL;
	if (n > most)
		return rpc_call_fail(call, GRPC_STATUS_INVALID_ARGUMENT,
				     "rules: %zu rules in one request; at most %zu (--max-rules-per-request)", n, most);
	items = calloc(n ? n : 1, sizeof(*items));
	if (!items)
		return rpc_call_fail(call, GRPC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
	if (!lockout_peer_addr(rpc_call_peer(call), &peer))
		peerp = &peer;
	for (size_t i = 0; i < n; i++) {
		const Xdpfleet__V1__Rule *r = rules[i];
		grpc_status_code code = GRPC_STATUS_OK;

		if (rules_wire_to_spec(r->match, r->action, r->limit_pps, &items[i].spec, &err))
			code = rpc_call_fail(call, GRPC_STATUS_INVALID_ARGUMENT, "rules[%zu].%s: %s", i,
					     rules_wire_field(err.field, false), err.msg);
		else if (r->ttl_seconds > API_TTL_MAX_SECONDS)
			code = rpc_call_fail(call, GRPC_STATUS_INVALID_ARGUMENT,
					     "rules[%zu].ttl_seconds: %llu is more than ten years", i,
					     (unsigned long long)r->ttl_seconds);
		else if (!comment_ok(r->comment))
			code = rpc_call_fail(call, GRPC_STATUS_INVALID_ARGUMENT,
					     "rules[%zu].comment: longer than %d bytes or has control characters", i,
					     API_COMMENT_MAX);
		else if (!names_tag_valid(r->tag))
			code = rpc_call_fail(call, GRPC_STATUS_INVALID_ARGUMENT,
					     "rules[%zu].tag: longer than %d bytes or not letters, digits and . _ - :", i,
					     API_TAG_MAX);
		else if (!force && lockout_hits(&agent->opts.lockout, peerp, &items[i].spec, why, sizeof(why)))
			code = rpc_call_fail(call, GRPC_STATUS_FAILED_PRECONDITION,
					     "rules[%zu]: %s; set force (xdpfleet --force) to add it anyway", i, why);
		if (code != GRPC_STATUS_OK) {
			free(items);
			return code;
		}
		items[i].ttl_seconds = r->ttl_seconds;
		items[i].comment = r->comment;
		items[i].tag = r->tag;
	}
	*out = items;
	return GRPC_STATUS_OK;
}

static grpc_status_code policy_failure(struct rpc_call *call, int ret, const struct rules_error *err)
{
	return rpc_call_fail(call, rpc_status_from_errno(ret), "rules[%zu].%s: %s", err->index,
			     rules_wire_field(err->field, false), err->msg[0] ? err->msg : strerror(-ret));
}

grpc_status_code svc_add_rules(struct rpc_call *call, const ProtobufCMessage *msg, ProtobufCMessage *resp)
{
	const Xdpfleet__V1__AddRulesRequest *req = (const Xdpfleet__V1__AddRulesRequest *)msg;
	Xdpfleet__V1__AddRulesResponse *out = (Xdpfleet__V1__AddRulesResponse *)resp;
	struct agent *agent = rpc_call_data(call);
	struct policy_add_item *items = NULL;
	struct rules_error err = { 0 };
	struct policy_add_result res;
	grpc_status_code code;
	int ret;

	if (!agent->policy)
		return no_rules(call);
	if (!req->n_rules)
		return rpc_call_fail(call, GRPC_STATUS_INVALID_ARGUMENT, "rules: empty: nothing to add");
	code = items_from_wire(call, agent, req->rules, req->n_rules, req->force, &items);
	if (code != GRPC_STATUS_OK)
		return code;
	out->ids = rpc_call_alloc(call, req->n_rules * sizeof(*out->ids));
	ret = out->ids ? policy_add(agent->policy, items, req->n_rules, out->ids, &res, &err) : -ENOMEM;
	free(items);
	if (ret)
		return policy_failure(call, ret, &err);
	out->n_ids = req->n_rules;
	rpc_call_audit(call, "rules=%zu added=%zu updated=%zu unchanged=%zu first_id=%llu force=%d%s%s",
		       req->n_rules, res.added, res.updated, res.unchanged, (unsigned long long)out->ids[0], req->force,
		       req->rules[0]->tag[0] ? " tag=" : "", req->rules[0]->tag);
	out->added = res.added;
	out->duplicates = res.unchanged;
	out->updated = res.updated;
	out->enforced = dataplane_enforces_rules(agent->dp);
	return GRPC_STATUS_OK;
}

grpc_status_code svc_sync_rules(struct rpc_call *call, const ProtobufCMessage *msg, ProtobufCMessage *resp)
{
	const Xdpfleet__V1__SyncRulesRequest *req = (const Xdpfleet__V1__SyncRulesRequest *)msg;
	Xdpfleet__V1__SyncRulesResponse *out = (Xdpfleet__V1__SyncRulesResponse *)resp;
	struct agent *agent = rpc_call_data(call);
	struct policy_add_item *items = NULL;
	struct rules_error err = { 0 };
	struct policy_sync_result res;
	grpc_status_code code;
	uint64_t *ids;
	int ret;

	if (!agent->policy)
		return no_rules(call);
	if (!*req->tag || !names_tag_valid(req->tag))
		return rpc_call_fail(call, GRPC_STATUS_INVALID_ARGUMENT,
				     "tag: %s (letters, digits and . _ - :, at most %d bytes)",
				     *req->tag ? "not a tag" : "empty: the rules of which source?", API_TAG_MAX);
	code = items_from_wire(call, agent, req->rules, req->n_rules, req->force, &items);
	if (code != GRPC_STATUS_OK)
		return code;
	ids = malloc((req->n_rules ? req->n_rules : 1) * sizeof(*ids));
	ret = ids ? policy_sync(agent->policy, req->tag, items, req->n_rules, ids, &res, &err) : -ENOMEM;
	free(items);
	free(ids);
	if (ret)
		return policy_failure(call, ret, &err);
	rpc_call_audit(call, "tag=%s rules=%zu added=%zu updated=%zu unchanged=%zu deleted=%zu foreign=%zu force=%d",
		       req->tag, req->n_rules, res.added, res.updated, res.unchanged, res.deleted, res.foreign, req->force);
	out->added = res.added;
	out->updated = res.updated;
	out->unchanged = res.unchanged;
	out->other_owner = res.foreign;
	out->deleted = res.deleted;
	out->enforced = dataplane_enforces_rules(agent->dp);
	return GRPC_STATUS_OK;
}

/* An id named twice is a mistake in the request, not something to delete twice. */
static grpc_status_code check_unique_ids(struct rpc_call *call, const uint64_t *ids, size_t n)
{
	grpc_status_code code = GRPC_STATUS_OK;
	struct htab seen;
	uint64_t *first;

	if (n < 2)
		return GRPC_STATUS_OK;
	if (htab_init(&seen, sizeof(uint64_t), n))
		return rpc_call_fail(call, GRPC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
	for (size_t i = 0; i < n && code == GRPC_STATUS_OK; i++) {
		if ((first = htab_get(&seen, &ids[i])))
			code = rpc_call_fail(call, GRPC_STATUS_INVALID_ARGUMENT, "ids[%zu]: %llu is already ids[%llu]", i,
					     (unsigned long long)ids[i], (unsigned long long)*first);
		else if (htab_put(&seen, &ids[i], i))
			code = rpc_call_fail(call, GRPC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
	}
	htab_free(&seen);
	return code;
}

grpc_status_code svc_delete_rules(struct rpc_call *call, const ProtobufCMessage *msg, ProtobufCMessage *resp)
{
	const Xdpfleet__V1__DeleteRulesRequest *req = (const Xdpfleet__V1__DeleteRulesRequest *)msg;
	struct agent *agent = rpc_call_data(call);
	struct rules_spec *matches = NULL;
	struct rules_error err = { 0 };
	grpc_status_code code = GRPC_STATUS_OK;
	size_t deleted;
	int ret;

	if (!agent->policy)
		return no_rules(call);
	if (!req->n_ids && !req->n_matches)
		return rpc_call_fail(call, GRPC_STATUS_INVALID_ARGUMENT, "ids, matches: empty: nothing to delete");
	if (req->n_ids + req->n_matches > API_RULES_PER_REQUEST_MAX)
		return rpc_call_fail(call, GRPC_STATUS_INVALID_ARGUMENT, "ids, matches: %zu in one request; at most %d",
				     req->n_ids + req->n_matches, API_RULES_PER_REQUEST_MAX);
	code = check_unique_ids(call, req->ids, req->n_ids);
	if (code != GRPC_STATUS_OK)
		return code;
	if (req->n_matches && !(matches = calloc(req->n_matches, sizeof(*matches))))
		return rpc_call_fail(call, GRPC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
	for (size_t k = 0; k < req->n_matches; k++) {
		/* A match has no action: validate it as a drop rule, compare without the action. */
		if (rules_wire_to_spec(req->matches[k], XDPFLEET__V1__RULE_ACTION__RULE_ACTION_DROP, 0, &matches[k],
				       &err)) {
			code = rpc_call_fail(call, GRPC_STATUS_INVALID_ARGUMENT, "matches[%zu].%s: %s", k,
					     rules_wire_field(err.field, true), err.msg);
			goto out;
		}
	}
	ret = policy_delete(agent->policy, req->ids, req->n_ids, matches, req->n_matches, &deleted, &err);
	if (ret) {
		if (err.index < req->n_ids && err.field == RULES_FIELD_ID)
			code = rpc_call_fail(call, rpc_status_from_errno(ret), "ids[%zu]: %s", err.index, err.msg);
		else if (ret == -ENOENT)
			code = rpc_call_fail(call, rpc_status_from_errno(ret), "matches[%zu]: %s", err.index - req->n_ids, err.msg);
		else
			code = rpc_call_fail(call, rpc_status_from_errno(ret), "%s", err.msg[0] ? err.msg : strerror(-ret));
		goto out;
	}
	((Xdpfleet__V1__DeleteRulesResponse *)resp)->deleted = deleted;
	rpc_call_audit(call, "ids=%zu matches=%zu deleted=%zu", req->n_ids, req->n_matches, deleted);
out:
	free(matches);
	return code;
}

static int action_filter(uint32_t wire, enum rules_action *out)
{
	if (wire == XDPFLEET__V1__RULE_ACTION__RULE_ACTION_UNSPECIFIED) {
		*out = RULES_ACT_NONE;
		return 0;
	}
	return rules_wire_action(wire, out);
}

grpc_status_code svc_flush_rules(struct rpc_call *call, const ProtobufCMessage *msg, ProtobufCMessage *resp)
{
	const Xdpfleet__V1__FlushRulesRequest *req = (const Xdpfleet__V1__FlushRulesRequest *)msg;
	struct agent *agent = rpc_call_data(call);
	enum rules_action action;
	size_t deleted;
	int ret;

	if (!agent->policy)
		return no_rules(call);
	if (action_filter(req->action, &action))
		return rpc_call_fail(call, GRPC_STATUS_INVALID_ARGUMENT, "action: unknown rule action %u", req->action);
	ret = policy_flush(agent->policy, action, &deleted);
	if (ret)
		return rpc_call_fail(call, rpc_status_from_errno(ret), "flush: %s", strerror(-ret));
	((Xdpfleet__V1__FlushRulesResponse *)resp)->deleted = deleted;
	rpc_call_audit(call, "action=%s deleted=%zu", action == RULES_ACT_NONE ? "all" : rules_action_name(action),
		       deleted);
	return GRPC_STATUS_OK;
}

struct list_state {
	uint32_t cursor;
	uint32_t page;
	enum rules_action action;
	char tag[API_TAG_MAX + 1]; /* "": any */
};

grpc_status_code svc_list_rules_open(struct rpc_call *call, const ProtobufCMessage *msg)
{
	const Xdpfleet__V1__ListRulesRequest *req = (const Xdpfleet__V1__ListRulesRequest *)msg;
	struct agent *agent = rpc_call_data(call);
	struct list_state *st;
	enum rules_action action;

	if (!agent->policy)
		return no_rules(call);
	if (action_filter(req->action, &action))
		return rpc_call_fail(call, GRPC_STATUS_INVALID_ARGUMENT, "action: unknown rule action %u", req->action);
	if (req->page_size > API_LIST_PAGE_MAX)
		return rpc_call_fail(call, GRPC_STATUS_INVALID_ARGUMENT, "page_size: %u is more than %d", req->page_size,
				     API_LIST_PAGE_MAX);
	if (*req->tag && !names_tag_valid(req->tag))
		return rpc_call_fail(call, GRPC_STATUS_INVALID_ARGUMENT, "tag: not a valid tag (at most %d letters, "
				     "digits and . _ - :)", API_TAG_MAX);
	st = calloc(1, sizeof(*st));
	if (!st)
		return rpc_call_fail(call, GRPC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
	st->page = req->page_size ? req->page_size : API_LIST_PAGE_DEFAULT;
	st->action = action;
	strcpy(st->tag, req->tag);
	rpc_call_set_state(call, st, free);
	rpc_call_set_interval(call, 0); /* pages back to back */
	return GRPC_STATUS_OK;
}

static uint64_t clock_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int fill_rule(struct rpc_call *call, const struct policy *p, const struct policy_rule *r,
		     Xdpfleet__V1__Rule *out, uint64_t mono_now, uint64_t real_now)
{
	Xdpfleet__V1__RuleMatch *m = rpc_call_alloc(call, sizeof(*m));
	char src[CIDR_STR_MAX] = "";
	struct rules_stats st = { 0 };

	if (!m)
		return -ENOMEM;
	xdpfleet__v1__rule__init(out);
	xdpfleet__v1__rule_match__init(m);
	if (r->spec.has_src)
		cidr_format(&r->spec.src, src, sizeof(src));
	m->src = rpc_call_strdup(call, src);
	m->proto = rules_wire_from_proto(r->spec.proto);
	if (r->spec.has_ports) {
		m->port_min = r->spec.port_min;
		m->port_max = r->spec.port_max;
	}
	out->id = r->id;
	out->action = rules_wire_from_action(r->spec.action);
	out->match = m;
	out->limit_pps = r->spec.limit_pps;
	out->comment = rpc_call_strdup(call, r->comment);
	out->tag = rpc_call_strdup(call, r->tag);
	out->created_unix = r->created_unix;
	out->expires_in_ms = -1;
	if (r->expires_unix) {
		int64_t left = (int64_t)r->expires_unix * 1000 - (int64_t)(real_now / 1000000ULL);

		/* Still listed until the next expiry tick: "expiring now", never 0 or less, which
		 * the CLI reads as "no TTL". */
		out->expires_in_ms = left > 0 ? left : 1;
	}
	if (!policy_rule_stats(p, r, &st)) {
		out->hits = st.packets;
		out->bytes = st.bytes;
		out->dropped = st.dropped;
		/* Counters carry CLOCK_MONOTONIC times; users want wall-clock ones. */
		if (st.last_hit_ns && st.last_hit_ns <= mono_now)
			out->last_hit_unix_ns = real_now - (mono_now - st.last_hit_ns);
	}
	return m->src && out->comment && out->tag ? 0 : -ENOMEM;
}

enum rpc_stream_step svc_list_rules_next(struct rpc_call *call, ProtobufCMessage *resp)
{
	Xdpfleet__V1__ListRulesResponse *out = (Xdpfleet__V1__ListRulesResponse *)resp;
	struct agent *agent = rpc_call_data(call);
	struct list_state *st = rpc_call_state(call);
	uint64_t mono_now = clock_ns(CLOCK_MONOTONIC), real_now = clock_ns(CLOCK_REALTIME);
	Xdpfleet__V1__Rule *rules;
	struct policy_rule r;
	bool more = true;
	size_t n = 0;

	out->rules = rpc_call_alloc(call, st->page * sizeof(*out->rules));
	rules = rpc_call_alloc(call, st->page * sizeof(*rules));
	if (!out->rules || !rules) {
		rpc_call_fail(call, GRPC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
		return RPC_STREAM_FAIL;
	}
	while (n < st->page && (more = policy_next(agent->policy, &st->cursor, &r))) {
		if (st->action != RULES_ACT_NONE && r.spec.action != st->action)
			continue;
		if (*st->tag && strcmp(r.tag, st->tag))
			continue;
		if (fill_rule(call, agent->policy, &r, &rules[n], mono_now, real_now)) {
			rpc_call_fail(call, GRPC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
			return RPC_STREAM_FAIL;
		}
		out->rules[n] = &rules[n];
		n++;
	}
	out->n_rules = n;
	if (!n)
		return RPC_STREAM_DONE;
	return more ? RPC_STREAM_MORE : RPC_STREAM_LAST;
}

grpc_status_code svc_test_rule(struct rpc_call *call, const ProtobufCMessage *msg, ProtobufCMessage *resp)
{
	const Xdpfleet__V1__TestRuleRequest *req = (const Xdpfleet__V1__TestRuleRequest *)msg;
	Xdpfleet__V1__TestRuleResponse *out = (Xdpfleet__V1__TestRuleResponse *)resp;
	struct agent *agent = rpc_call_data(call);
	struct rules_packet pkt = { 0 };
	struct policy_rule r;
	const char *why = NULL;
	struct cidr addr;
	uint8_t proto;

	if (!agent->policy)
		return no_rules(call);
	if (cidr_parse(req->src, NULL, &addr, &why) || addr.plen != (addr.family == 4 ? 32 : 128))
		return rpc_call_fail(call, GRPC_STATUS_INVALID_ARGUMENT, "src: '%.64s' is not an address%s%s", req->src,
				     why ? ": " : "", why ? why : "");
	if (rules_wire_proto(req->proto, &proto))
		return rpc_call_fail(call, GRPC_STATUS_INVALID_ARGUMENT, "proto: unknown protocol %u", req->proto);
	if (req->port > 65535 || (req->port && proto != 6 && proto != 17))
		return rpc_call_fail(call, GRPC_STATUS_INVALID_ARGUMENT, "port: %u needs proto tcp or udp and 1..65535",
				     req->port);
	pkt.family = addr.family;
	memcpy(pkt.src, addr.addr, sizeof(pkt.src));
	/* "any" asks about a packet of some other protocol: only rules of any protocol match it */
	pkt.proto = proto ? proto : 253;
	pkt.has_ports = req->port != 0;
	pkt.dport = (uint16_t)req->port;
	out->enforced = dataplane_enforces_rules(agent->dp);
	out->verdict = XDPFLEET__V1__XDP_ACTION__XDP_PASS;
	if (!policy_decide(agent->policy, &pkt, &r))
		return GRPC_STATUS_OK;
	out->matched = true;
	out->rule = rpc_call_alloc(call, sizeof(*out->rule));
	if (!out->rule ||
	    fill_rule(call, agent->policy, &r, out->rule, clock_ns(CLOCK_MONOTONIC), clock_ns(CLOCK_REALTIME)))
		return rpc_call_fail(call, GRPC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
	if (r.spec.action == RULES_ACT_DROP)
		out->verdict = XDPFLEET__V1__XDP_ACTION__XDP_DROP;
	return GRPC_STATUS_OK;
}
