// SPDX-License-Identifier: GPL-2.0-only
/* Counters of the attachments: reads with rates against a baseline (a stream's previous read or
 * the agent's periodic sample), and the periodic sampling itself. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dataplane_internal.h"
#include "loader.h"
#include "log.h"

#define EXC_SAVE_NS (5 * 1000000000ull)

void dp_sample_iface(struct dp_iface *iface)
{
	struct stats_record rec;

	if (!iface || iface->stats_fd < 0 || stats_read(iface->stats_fd, &rec))
		return;
	if (iface->n_samples == 2)
		iface->samples[0] = iface->samples[1];
	iface->samples[iface->n_samples == 2 ? 1 : iface->n_samples++] = rec;
}

/* The newest sample at least half a period old, so that a GetStats just after the timer
 * does not divide by a few microseconds. */
static const struct stats_record *agent_baseline(const struct dp_iface *iface, uint64_t now_ns)
{
	const uint64_t min_age = DATAPLANE_SAMPLE_MS * 1000000ull / 2;

	for (int i = iface->n_samples - 1; i >= 0; i--)
		if (now_ns - iface->samples[i].ts_ns >= min_age)
			return &iface->samples[i];
	return iface->n_samples ? &iface->samples[0] : NULL;
}

static void to_record(const struct dp_if_stats *s, struct stats_record *rec)
{
	rec->ts_ns = s->timestamp_ns;
	for (int a = 0; a < DP_ACTIONS; a++) {
		rec->act[a].rx_packets = s->actions[a].packets;
		rec->act[a].rx_bytes = s->actions[a].bytes;
	}
}

static int read_one(struct dataplane *dp, struct dp_iface *iface, const struct dp_if_stats *baseline,
		    size_t n_baseline, struct dp_if_stats *out)
{
	struct stats_rate rates[XDP_ACTION_MAX];
	struct stats_record cur = { .ts_ns = stats_now_ns() }, prev;
	const struct stats_record *base = NULL;
	int ret;

	memset(out, 0, sizeof(*out));
	out->att = iface->att;
	if (iface->stats_fd >= 0) {
		ret = stats_read(iface->stats_fd, &cur);
		if (ret)
			return ret;
	}
	if (baseline) {
		for (size_t i = 0; i < n_baseline && !base; i++) {
			if (baseline[i].att.ifindex == iface->att.ifindex) {
				to_record(&baseline[i], &prev);
				base = &prev;
			}
		}
	} else {
		base = agent_baseline(iface, cur.ts_ns);
	}
	out->period = base ? stats_rates(base, &cur, rates) : 0.0;
	out->timestamp_ns = cur.ts_ns;
	out->timestamp_unix_ns = stats_now_unix_ns() - (stats_now_ns() - cur.ts_ns);
	for (int a = 0; a < DP_ACTIONS; a++) {
		out->actions[a].packets = cur.act[a].rx_packets;
		out->actions[a].bytes = cur.act[a].rx_bytes;
		out->actions[a].pps = out->period > 0 ? rates[a].pps : 0.0;
		out->actions[a].bps = out->period > 0 ? rates[a].bps : 0.0;
	}
	dp_read_exceptions(dp, iface, out->exceptions);
	return 0;
}

static int read_locked(struct dataplane *dp, const char *ifname, const struct dp_if_stats *baseline,
		       size_t n_baseline, struct dp_if_stats **out, size_t *n, char *err, size_t errlen)
{
	struct dp_iface *only = NULL;
	size_t count;
	int ret = 0;

	if (ifname && *ifname) {
		only = dp_find_name(dp, ifname);
		if (!only) {
			snprintf(err, errlen, "ifname: this agent has no attachment on '%s'", ifname);
			return -ENOENT;
		}
	}
	count = only ? 1 : dp->n_ifs;
	if (!count)
		return 0;
	*out = calloc(count, sizeof(**out));
	if (!*out)
		return -ENOMEM;
	for (size_t i = 0; i < count && !ret; i++)
		ret = read_one(dp, only ? only : &dp->ifs[i], baseline, n_baseline, &(*out)[i]);
	if (ret) {
		snprintf(err, errlen, "cannot read counters: %s", strerror(-ret));
		free(*out);
		*out = NULL;
		return ret;
	}
	*n = count;
	return 0;
}

int dataplane_read_stats(struct dataplane *dp, const char *ifname, const struct dp_if_stats *baseline,
			 size_t n_baseline, struct dp_if_stats **out, size_t *n, char *err, size_t errlen)
{
	int ret;

	*out = NULL;
	*n = 0;
	dp_lock(dp);
	ret = read_locked(dp, ifname, baseline, n_baseline, out, n, err, errlen);
	dp_unlock(dp);
	return ret;
}

void dataplane_sample(void *arg)
{
	struct dataplane *dp = arg;
	bool exc_changed = false;

	dp_lock(dp);
	for (size_t i = 0; i < dp->n_ifs; i++) {
		if (dp->ifs[i].att.state != DP_STATE_OK)
			continue;
		dp_sample_iface(&dp->ifs[i]);
		exc_changed |= dp_read_exceptions(dp, &dp->ifs[i], NULL);
	}
	/* Exception totals are saved now and then: they matter only when the tracepoint's pins
	 * are lost with the agent (bpffs inside its own mount namespace). */
	if (exc_changed && stats_now_ns() - dp->saved_ns >= EXC_SAVE_NS)
		dp_save(dp);
	dp_unlock(dp);
}

/* The periodic sample as it stands, without reading a map: what metrics export. */
int dataplane_sampled_stats(struct dataplane *dp, struct dp_if_stats **out, size_t *n)
{
	struct stats_rate rates[XDP_ACTION_MAX];
	int ret = 0;

	*out = NULL;
	*n = 0;
	dp_lock(dp);
	if (dp->n_ifs && !(*out = calloc(dp->n_ifs, sizeof(**out))))
		ret = -ENOMEM;
	for (size_t i = 0; !ret && i < dp->n_ifs; i++) {
		const struct dp_iface *iface = &dp->ifs[i];
		struct dp_if_stats *s = &(*out)[i];
		const struct stats_record *cur = iface->n_samples ? &iface->samples[iface->n_samples - 1] : NULL;

		s->att = iface->att;
		if (cur) {
			s->timestamp_ns = cur->ts_ns;
			s->timestamp_unix_ns = stats_now_unix_ns() - (stats_now_ns() - cur->ts_ns);
			s->period = iface->n_samples == 2 ? stats_rates(&iface->samples[0], cur, rates) : 0.0;
			for (int a = 0; a < DP_ACTIONS; a++) {
				s->actions[a].packets = cur->act[a].rx_packets;
				s->actions[a].bytes = cur->act[a].rx_bytes;
				s->actions[a].pps = s->period > 0 ? rates[a].pps : 0.0;
				s->actions[a].bps = s->period > 0 ? rates[a].bps : 0.0;
			}
		}
		for (int a = 0; a < DP_ACTIONS; a++)
			s->exceptions[a] = iface->exc_base[a] + iface->exc_seen[a];
	}
	*n = ret ? 0 : dp->n_ifs;
	dp_unlock(dp);
	return ret;
}
