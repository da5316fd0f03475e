// SPDX-License-Identifier: GPL-2.0-only
/* Automatic mitigation (see mitigate.h): per trigger, which sources are over its threshold and
 * since when, the rules added for them, and the event ring. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api_limits.h"
#include "log.h"
#include "mitigate.h"

/* One source a trigger follows: over its threshold since over_since. */
struct mit_source {
	struct cidr src;
	uint64_t over_since;
	uint64_t last_added; /* 0: no rule yet */
	uint64_t rule_id;
	bool refused, seen;
};

struct mit_slot {
	struct mit_trigger t;
	struct mit_source *srcs;
	size_t n_srcs;
};

struct mitigate {
	struct mitigate_opts opts;
	char *state_file;
	struct mit_slot slots[MIT_TRIGGERS_MAX];
	size_t n;
	uint64_t next_id;
	struct mit_event ring[MIT_EVENTS_MAX];
	uint64_t seq; /* of the newest event; ring[seq % MAX] */
	uint64_t counts[MIT_EV_KINDS];
};

static const char *const event_names[MIT_EV_KINDS] = {
	[MIT_EV_TRIGGER_ADDED] = "trigger_added",   [MIT_EV_TRIGGER_DELETED] = "trigger_deleted",
	[MIT_EV_ADDED] = "mitigation_added",        [MIT_EV_REFUSED] = "mitigation_refused",
	[MIT_EV_FAILED] = "mitigation_failed",      [MIT_EV_ENDED] = "mitigation_ended",
};

const char *mitigate_event_name(enum mit_event_kind k)
{
	return k < MIT_EV_KINDS ? event_names[k] : "unknown";
}

static uint64_t unix_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void emit(struct mitigate *m, enum mit_event_kind kind, const struct mit_trigger *t, const struct cidr *src,
		 double pps, double bps, uint64_t rule_id, const char *detail)
{
	struct mit_event *ev = &m->ring[++m->seq % MIT_EVENTS_MAX];

	memset(ev, 0, sizeof(*ev));
	ev->seq = m->seq;
	ev->time_unix_ns = unix_ns();
	ev->kind = kind;
	ev->trigger_id = t ? t->id : 0;
	if (src) {
		ev->has_src = true;
		ev->src = *src;
	}
	ev->pps = pps;
	ev->bps = bps;
	ev->rule_id = rule_id;
	snprintf(ev->detail, sizeof(ev->detail), "%s", detail ? detail : "");
	m->counts[kind]++;
	if (m->opts.on_event)
		m->opts.on_event(m->opts.ctx, ev);
}

static int save(struct mitigate *m)
{
	struct mit_trigger ts[MIT_TRIGGERS_MAX];

	if (!m->state_file)
		return 0;
	for (size_t i = 0; i < m->n; i++)
		ts[i] = m->slots[i].t;
	return mitigate_store_save(m->state_file, ts, m->n);
}

/* Field names are the Trigger message's. */
static int check(const struct mit_trigger *t, char *err, size_t errlen)
{
	if (!t->pps && !t->bps)
		return snprintf(err, errlen, "pps: a pps or bps threshold is required"), -EINVAL;
	if (t->pps > API_LIMIT_PPS_MAX)
		return snprintf(err, errlen, "pps: %" PRIu64 " is over %llu", t->pps, API_LIMIT_PPS_MAX), -EINVAL;
	if (t->bps > MIT_BPS_MAX)
		return snprintf(err, errlen, "bps: %" PRIu64 " is over %llu", t->bps, MIT_BPS_MAX), -EINVAL;
	if (t->proto && t->proto != 6 && t->proto != 17 && t->proto != 1 && t->proto != 58)
		return snprintf(err, errlen, "proto: unknown protocol"), -EINVAL;
	if (t->port && t->proto != 6 && t->proto != 17)
		return snprintf(err, errlen, "port: needs proto tcp or udp"), -EINVAL;
	if (t->plen4 < 1 || t->plen4 > 32)
		return snprintf(err, errlen, "prefix_len_v4: %u is not from 1 to 32", t->plen4), -EINVAL;
	if (t->plen6 < 1 || t->plen6 > 128)
		return snprintf(err, errlen, "prefix_len_v6: %u is not from 1 to 128", t->plen6), -EINVAL;
	if (t->action != RULES_ACT_DROP && t->action != RULES_ACT_LIMIT)
		return snprintf(err, errlen, "action: only DROP or LIMIT"), -EINVAL;
	if (t->action == RULES_ACT_LIMIT && (t->limit_pps < 1 || t->limit_pps > API_LIMIT_PPS_MAX))
		return snprintf(err, errlen, "limit_pps: %" PRIu64 " is not from 1 to %llu", t->limit_pps,
				API_LIMIT_PPS_MAX), -EINVAL;
	if (t->action != RULES_ACT_LIMIT && t->limit_pps)
		return snprintf(err, errlen, "limit_pps: only for action LIMIT"), -EINVAL;
	if (t->ttl_seconds < 1 || t->ttl_seconds > API_TTL_MAX_SECONDS)
		return snprintf(err, errlen, "ttl_seconds: %" PRIu64 " is not from 1 to %llu", t->ttl_seconds,
				API_TTL_MAX_SECONDS), -EINVAL;
	if (t->for_seconds < 1 || t->for_seconds > MIT_FOR_MAX)
		return snprintf(err, errlen, "for_seconds: %u is not from 1 to %d", t->for_seconds, MIT_FOR_MAX),
		       -EINVAL;
	return 0;
}

int mitigate_open(struct mitigate **out, const struct mitigate_opts *opts, char *err, size_t errlen)
{
	struct mitigate *m = calloc(1, sizeof(*m));
	struct mit_trigger *ts = NULL;
	size_t n = 0;
	int ret = 0;

	*out = NULL;
	if (!m)
		return -ENOMEM;
	m->opts = *opts;
	m->next_id = 1;
	if (opts->state_file) {
		m->state_file = strdup(opts->state_file);
		ts = calloc(MIT_TRIGGERS_MAX, sizeof(*ts));
		if (!m->state_file || !ts) {
			ret = -ENOMEM;
			goto out;
		}
		ret = mitigate_store_load(opts->state_file, ts, MIT_TRIGGERS_MAX, &n, err, errlen);
		if (ret)
			goto out;
		for (size_t i = 0; i < n; i++) {
			if (check(&ts[i], err, errlen)) {
				ret = -EBADMSG;
				goto out;
			}
			m->slots[m->n++].t = ts[i];
			if (ts[i].id >= m->next_id)
				m->next_id = ts[i].id + 1;
		}
	}
	*out = m;
	m = NULL;
out:
	free(ts);
	mitigate_close(m);
	return ret;
}

void mitigate_close(struct mitigate *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n; i++)
		free(m->slots[i].srcs);
	free(m->state_file);
	free(m);
}

int mitigate_add(struct mitigate *m, struct mit_trigger *t, char *err, size_t errlen)
{
	char line[MIT_DETAIL_MAX];
	int ret;

	if (!t->plen4)
		t->plen4 = 32;
	if (!t->plen6)
		t->plen6 = 64;
	if (!t->for_seconds)
		t->for_seconds = 1;
	if (t->action == RULES_ACT_NONE)
		t->action = RULES_ACT_DROP;
	ret = check(t, err, errlen);
	if (ret)
		return ret;
	if (m->n >= MIT_TRIGGERS_MAX)
		return snprintf(err, errlen, "trigger: %d triggers exist already", MIT_TRIGGERS_MAX), -ENOSPC;
	t->id = m->next_id;
	t->created_unix = (uint64_t)time(NULL);
	t->fired = t->refused = t->active = 0;
	memset(&m->slots[m->n], 0, sizeof(m->slots[m->n]));
	m->slots[m->n].t = *t;
	m->n++;
	ret = save(m);
	if (ret) {
		m->n--;
		snprintf(err, errlen, "trigger: cannot save the triggers: %s", strerror(-ret));
		return ret;
	}
	m->next_id++;
	snprintf(line, sizeof(line), "pps=%" PRIu64 " bps=%" PRIu64 " ttl=%" PRIu64 " for=%u", t->pps, t->bps,
		 t->ttl_seconds, t->for_seconds);
	emit(m, MIT_EV_TRIGGER_ADDED, t, NULL, 0, 0, 0, line);
	return 0;
}

static ssize_t find(const struct mitigate *m, uint64_t id)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->slots[i].t.id == id)
			return (ssize_t)i;
	return -1;
}

int mitigate_delete(struct mitigate *m, const uint64_t *ids, size_t n, bool all, size_t *deleted, char *err,
		    size_t errlen)
{
	size_t kept = 0;
	bool gone[MIT_TRIGGERS_MAX] = { false };

	*deleted = 0;
	for (size_t i = 0; !all && i < n; i++) {
		ssize_t k = find(m, ids[i]);

		if (k < 0)
			return snprintf(err, errlen, "ids[%zu]: no trigger %" PRIu64, i, ids[i]), -ENOENT;
		gone[k] = true;
	}
	for (size_t i = 0; i < m->n; i++) {
		if (all || gone[i]) {
			emit(m, MIT_EV_TRIGGER_DELETED, &m->slots[i].t, NULL, 0, 0, 0, "");
			free(m->slots[i].srcs);
			(*deleted)++;
			continue;
		}
		m->slots[kept++] = m->slots[i];
	}
	m->n = kept;
	/* The triggers are gone from memory either way; the rules they added expire by TTL. */
	if (save(m))
		log_warn("mitigate: cannot save the triggers after a delete");
	return 0;
}

size_t mitigate_count(const struct mitigate *m)
{
	return m->n;
}

const struct mit_trigger *mitigate_at(const struct mitigate *m, size_t i)
{
	return i < m->n ? &m->slots[i].t : NULL;
}

static bool over(const struct mit_trigger *t, const struct top_source *s)
{
	return (t->pps && s->pps > (double)t->pps) || (t->bps && s->bps > (double)t->bps);
}

static struct mit_source *follow(struct mit_slot *sl, const struct cidr *src)
{
	struct mit_source *grown;

	for (size_t i = 0; i < sl->n_srcs; i++)
		if (cidr_equal(&sl->srcs[i].src, src))
			return &sl->srcs[i];
	if (sl->n_srcs >= MIT_SOURCES_MAX)
		return NULL;
	grown = realloc(sl->srcs, (sl->n_srcs + 1) * sizeof(*grown));
	if (!grown)
		return NULL;
	sl->srcs = grown;
	memset(&sl->srcs[sl->n_srcs], 0, sizeof(*grown));
	sl->srcs[sl->n_srcs].src = *src;
	return &sl->srcs[sl->n_srcs++];
}

/* Why no rule may cover src, or false. */
static bool protected_src(const struct mitigate *m, const struct mit_trigger *t, const struct rules_spec *spec,
			  char *why, size_t len)
{
	char a[CIDR_STR_MAX], b[CIDR_STR_MAX];

	/* Stricter than lockout for operators' rules: any protocol, since the trigger measured
	 * the client's own traffic as an attack. */
	if (t->has_client && cidr_contains(&spec->src, &t->client)) {
		cidr_format(&spec->src, a, sizeof(a));
		cidr_format(&t->client, b, sizeof(b));
		snprintf(why, len, "%s would cover the address %s of the client that added the trigger", a, b);
		return true;
	}
	return m->opts.lockout && lockout_hits(m->opts.lockout, NULL, spec, why, len);
}

static void act(struct mitigate *m, struct mit_slot *sl, struct mit_source *fs, const struct top_source *s,
		uint64_t now_ns)
{
	struct mit_trigger *t = &sl->t;
	struct rules_spec spec = {
		.action = t->action,
		.has_src = true,
		.src = s->src,
		.proto = t->proto,
		.has_ports = t->port != 0,
		.port_min = t->port,
		.port_max = t->port,
		.limit_pps = t->action == RULES_ACT_LIMIT ? t->limit_pps : 0,
	};
	const uint64_t refresh = 1000000000ull;
	char comment[API_COMMENT_MAX], why[MIT_DETAIL_MAX] = "";
	uint64_t id = 0;
	int ret;

	/* Re-adding refreshes the TTL; every second, so the rule lasts TTL (to a second) after
	 * the flood, at one journal write per second and flooding source. */
	if (fs->last_added && now_ns - fs->last_added < refresh)
		return;
	if (protected_src(m, t, &spec, why, sizeof(why))) {
		if (!fs->refused) {
			t->refused++;
			fs->refused = true;
			emit(m, MIT_EV_REFUSED, t, &s->src, s->pps, s->bps, 0, why);
		}
		return;
	}
	snprintf(comment, sizeof(comment), "trigger %" PRIu64 ": %.0f pps %.1f Mbit/s", t->id, s->pps, s->bps / 1e6);
	ret = m->opts.add ? m->opts.add(m->opts.ctx, t, &spec, comment, &id, why, sizeof(why)) : -ENOSYS;
	if (ret) {
		if (!fs->refused) {
			fs->refused = true;
			emit(m, MIT_EV_FAILED, t, &s->src, s->pps, s->bps, 0, why[0] ? why : strerror(-ret));
		}
		return;
	}
	t->fired++;
	t->last_fired_unix = (uint64_t)time(NULL);
	t->last_src = s->src;
	t->last_pps = s->pps;
	if (!fs->last_added)
		emit(m, MIT_EV_ADDED, t, &s->src, s->pps, s->bps, id, comment);
	fs->last_added = now_ns;
	fs->rule_id = id;
}

static void eval_one(struct mitigate *m, struct mit_slot *sl, const struct top_source *srcs, size_t n,
		     uint64_t now_ns, uint64_t period_ns)
{
	struct mit_trigger *t = &sl->t;
	struct top_source *agg = NULL;
	size_t n_agg = 0, kept = 0;

	for (size_t i = 0; i < sl->n_srcs; i++)
		sl->srcs[i].seen = false;
	if (top_aggregate(srcs, n, t->plen4, t->plen6, t->proto, &agg, &n_agg))
		return;
	/* Ranked by pps: a bps threshold can be crossed further down, so every source is seen. */
	for (size_t i = 0; i < n_agg; i++) {
		struct mit_source *fs;

		if (!over(t, &agg[i]))
			continue;
		fs = follow(sl, &agg[i].src);
		if (!fs)
			break;
		fs->seen = true;
		/* The rate is over the whole period: the source was over it from its start. */
		if (!fs->over_since)
			fs->over_since = now_ns - (period_ns < now_ns ? period_ns : 0);
		if (now_ns - fs->over_since >= (uint64_t)t->for_seconds * 1000000000ull)
			act(m, sl, fs, &agg[i], now_ns);
	}
	t->active = 0;
	for (size_t i = 0; i < sl->n_srcs; i++) {
		struct mit_source *fs = &sl->srcs[i];

		if (!fs->seen) {
			if (fs->last_added)
				emit(m, MIT_EV_ENDED, t, &fs->src, 0, 0, fs->rule_id,
				     "below the threshold; the rule expires with its TTL");
			continue;
		}
		if (fs->last_added)
			t->active++;
		sl->srcs[kept++] = *fs;
	}
	sl->n_srcs = kept;
	free(agg);
}

void mitigate_eval(struct mitigate *m, const struct top_source *srcs, size_t n, uint64_t now_ns,
		   uint64_t period_ns)
{
	for (size_t i = 0; i < m->n; i++)
		eval_one(m, &m->slots[i], srcs, n, now_ns, period_ns);
}

size_t mitigate_events(const struct mitigate *m, uint64_t after, struct mit_event *out, size_t max,
		       uint64_t *lost)
{
	uint64_t oldest = m->seq >= MIT_EVENTS_MAX ? m->seq - MIT_EVENTS_MAX + 1 : 1, from = after + 1;
	size_t k = 0;

	*lost = 0;
	if (from < oldest) {
		*lost = oldest - from;
		from = oldest;
	}
	for (uint64_t s = from; s <= m->seq && k < max; s++)
		out[k++] = m->ring[s % MIT_EVENTS_MAX];
	return k;
}

uint64_t mitigate_last_seq(const struct mitigate *m)
{
	return m->seq;
}

uint64_t mitigate_event_count(const struct mitigate *m, enum mit_event_kind k)
{
	return k < MIT_EV_KINDS ? m->counts[k] : 0;
}
