// SPDX-License-Identifier: GPL-2.0-only
/* Top talkers in the data plane: counts each packet under its source prefix in a bounded
 * per-CPU set-associative table (layout and replacement in xdpfleet_abi.h), read by agent/top. */
#ifndef XDPFLEET_TOP_TALKERS_BPF_H
#define XDPFLEET_TOP_TALKERS_BPF_H

#include <linux/bpf.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "xdpfleet_abi.h"
#include "rules_parse.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct top_set);
	__uint(max_entries, TOP_SETS);
} top_talkers SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct top_config);
	__uint(max_entries, 1);
} top_config SEC(".maps");

static __always_inline __u64 top_mask64(__u32 plen)
{
	if (plen == 0)
		return 0;
	if (plen >= 64)
		return ~0ULL;
	return bpf_cpu_to_be64(~0ULL << (64 - plen));
}

/* The source masked to its family's prefix length; returns that length. */
static __always_inline __u32 top_key(const struct rules_pkt *p, const struct top_config *cfg, __u64 key[2])
{
	__u32 plen;

	if (p->family == 4) {
		plen = cfg && cfg->v4_plen && cfg->v4_plen <= 32 ? cfg->v4_plen : 32;
		key[0] = p->src[0] & bpf_htonl(~0u << (32 - plen));
		key[1] = 0;
		return plen;
	}
	plen = cfg && cfg->v6_plen && cfg->v6_plen <= 128 ? cfg->v6_plen : 64;
	key[0] = p->src64[0] & top_mask64(plen);
	key[1] = p->src64[1] & top_mask64(plen > 64 ? plen - 64 : 0);
	return plen;
}

static __always_inline __u32 top_hash(const __u64 key[2], __u32 family)
{
	__u64 h = (key[0] ^ (key[1] * 0x9e3779b97f4a7c15ULL) ^ family) * 0xff51afd7ed558ccdULL;

	return (__u32)(h >> 32) & (TOP_SETS - 1);
}

static __always_inline void top_count(struct top_entry *e, const struct rules_pkt *p, __u32 verdict,
				      __u64 bytes, __u64 now, __u64 window)
{
	__u32 v = verdict == XDP_PASS ? TOP_V_PASS : verdict == XDP_DROP ? TOP_V_DROP : TOP_V_OTHER;
	__u32 pr = p->proto == IPPROTO_TCP ? TOP_P_TCP :
		   p->proto == IPPROTO_UDP ? TOP_P_UDP :
		   (p->proto == IPPROTO_ICMP || p->proto == IPPROTO_ICMPV6) ? TOP_P_ICMP : TOP_P_OTHER;

	if (now - e->win_start >= window) {
		e->win_start = now;
		e->win_pkts = 0;
	}
	e->win_pkts++;
	e->packets++;
	e->bytes += bytes;
	if (v < TOP_V_MAX)
		e->verdict[v]++;
	if (pr < TOP_P_MAX)
		e->proto[pr]++;
	if (!p->has_ports)
		return;
	if (e->port_weight && e->port == p->dport)
		e->port_weight++;
	else if (!e->port_weight)
		e->port = p->dport, e->port_weight = 1;
	else
		e->port_weight--;
}

/* Counts the packet (already given its verdict) under its source; frames that are not IP are
 * not counted. Costs one parse, one config read and one per-CPU set read. */
static __always_inline void top_record(struct xdp_md *ctx, __u32 verdict)
{
	__u64 bytes = ctx->data_end - ctx->data, now, window, key[2], weakest = ~0ULL;
	struct rules_pkt p = {};
	struct top_config *cfg;
	struct top_set *set;
	__u32 zero = 0, idx, plen, victim = TOP_WAYS;

	cfg = bpf_map_lookup_elem(&top_config, &zero);
	if (cfg && cfg->disabled)
		return;
	if (rules_parse(ctx, &p))
		return;
	plen = top_key(&p, cfg, key);
	idx = top_hash(key, p.family);
	set = bpf_map_lookup_elem(&top_talkers, &idx);
	if (!set)
		return;
	now = bpf_jiffies64();
	window = cfg && cfg->window_jiffies ? cfg->window_jiffies : TOP_WINDOW_JIFFIES_DEFAULT;
	for (int i = 0; i < TOP_WAYS; i++) {
		struct top_entry *e = &set->e[i];
		__u64 load;

		if (e->family == p.family && e->plen == plen && e->key[0] == key[0] && e->key[1] == key[1]) {
			top_count(e, &p, verdict, bytes, now, window);
			return;
		}
		/* The weakest entry: empty first, then the fewest packets this window. */
		load = !e->family ? 0 : now - e->win_start >= window ? 1 : e->win_pkts + 1;
		if (load < weakest) {
			weakest = load;
			victim = i;
		}
	}
	if (victim >= TOP_WAYS)
		return;
	if (weakest) {
		if (now - set->miss_start >= window) {
			set->miss_start = now;
			set->misses = 0;
		}
		/* Racing light sources share the misses: the one that tips it takes the entry. */
		if (++set->misses < weakest)
			return;
		set->misses = 0;
	}
	{
		struct top_entry *e = &set->e[victim & (TOP_WAYS - 1)];

		__builtin_memset(e, 0, sizeof(*e));
		e->key[0] = key[0];
		e->key[1] = key[1];
		e->family = p.family;
		e->plen = plen;
		e->since = now;
		e->win_start = now;
		top_count(e, &p, verdict, bytes, now, window);
	}
}

#endif
