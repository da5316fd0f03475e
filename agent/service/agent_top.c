// SPDX-License-Identifier: GPL-2.0-only
/* The agent's top talkers and mitigation: opening them beside the policy, the sample timer that
 * reads the tables and evaluates the triggers, and the rules triggers add through the policy. */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent.h"
#include "dataplane.h"
#include "log.h"
#include "mitigate.h"
#include "policy.h"
#include "top.h"

/* Triggers judge rates over the last second, evaluated every sample (500 ms): a sender that
 * bursts once a second is seen at its average, and a flood is acted on within 2 s. */
#define AGENT_TOP_WINDOW_MS 1000

/* Rules go through the policy like an operator's, tagged "auto": persisted, expiring by TTL,
 * and re-adding refreshes the TTL. */
static int add_rule(void *ctx, const struct mit_trigger *t, const struct rules_spec *spec, const char *comment,
		    uint64_t *rule_id, char *err, size_t errlen)
{
	struct agent *a = ctx;
	struct policy_add_item item = {
		.spec = *spec,
		/* A second more: the policy counts whole seconds from the current one, and refreshes
		 * come every second, so the rule outlives the flood by TTL, give or take a second. */
		.ttl_seconds = t->ttl_seconds + 1,
		.comment = comment,
		.tag = MIT_TAG,
	};
	struct rules_packet pkt = { .family = spec->src.family, .proto = spec->proto, .has_ports = spec->has_ports,
				    .dport = spec->port_min };
	struct policy_add_result res;
	struct rules_error rerr = { 0 };
	struct policy_rule owner;
	int ret;

	/* Adding a rule equal to one of an operator's (or a feed's) would make it ours: its TTL
	 * and tag would become the trigger's. Such a source is the owner's to decide. */
	memcpy(pkt.src, spec->src.addr, sizeof(pkt.src));
	if (policy_decide(a->policy, &pkt, &owner) && strcmp(owner.tag, MIT_TAG) &&
	    rules_spec_same(&owner.spec, spec)) {
		snprintf(err, errlen, "rule %" PRIu64 " (tag '%s') already matches it: left to its owner", owner.id,
			 owner.tag);
		return -EEXIST;
	}
	ret = policy_add(a->policy, &item, 1, rule_id, &res, &rerr);

	if (ret)
		snprintf(err, errlen, "%s", rerr.msg[0] ? rerr.msg : strerror(-ret));
	return ret;
}

static void on_event(void *ctx, const struct mit_event *ev)
{
	char src[CIDR_STR_MAX] = "-";

	(void)ctx;
	if (ev->has_src)
		cidr_format(&ev->src, src, sizeof(src));
	log_info("audit: event=%s trigger=%" PRIu64 " src=%s pps=%.0f bps=%.0f rule=%" PRIu64 " detail=\"%s\"",
		 mitigate_event_name(ev->kind), ev->trigger_id, src, ev->pps, ev->bps, ev->rule_id, ev->detail);
}

int agent_top_open(struct agent *a, char *err, size_t errlen)
{
	struct top_opts to = { .v4_plen = a->opts.top_plen4, .v6_plen = a->opts.top_plen6 };
	struct mitigate_opts mo = {
		.lockout = &a->opts.lockout,
		.add = add_rule,
		.on_event = on_event,
		.ctx = a,
	};
	char path[PATH_MAX];
	int ret = top_open(&a->top, &to);

	if (ret) {
		snprintf(err, errlen, "top talkers: %s", strerror(-ret));
		return ret;
	}
	if (dataplane_state_path(a->dp, "triggers", path, sizeof(path)))
		return -ENAMETOOLONG;
	mo.state_file = path;
	return mitigate_open(&a->mit, &mo, err, errlen);
}

void agent_top_close(struct agent *a)
{
	mitigate_close(a->mit);
	top_close(a->top);
}

void agent_top_tick(void *arg)
{
	struct agent *a = arg;
	struct top_if_view *v = NULL;
	struct top_source *all = NULL;
	size_t n = 0, total = 0, k = 0;
	double period = 0; /* of the window: 0 until an interface has a sample */
	struct timespec ts;
	int ret = top_sample(a->top, a->dp);

	if (ret && ret != -ENOENT)
		log_debug("top: sample: %s", strerror(-ret));
	if (!mitigate_count(a->mit) || top_views(a->top, NULL, SIZE_MAX, AGENT_TOP_WINDOW_MS, &v, &n))
		goto out;
	for (size_t i = 0; i < n; i++) {
		total += v[i].n;
		if (v[i].period > period)
			period = v[i].period;
	}
	all = malloc((total ? total : 1) * sizeof(*all));
	if (!all)
		goto out;
	for (size_t i = 0; i < n; i++) {
		if (v[i].n)
			memcpy(all + k, v[i].src, v[i].n * sizeof(*all));
		k += v[i].n;
	}
	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (period > 0)
		mitigate_eval(a->mit, all, total, (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec,
			      TOP_SAMPLE_MS * 1000000ull);
out:
	free(all);
	top_views_free(v, n);
}
