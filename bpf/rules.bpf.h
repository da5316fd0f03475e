/* The rule engine's data plane: its maps and rules_eval(), which parses a frame, finds the
 * winning drop/allow/limit/monitor rule in O(1) map lookups and counts it. See docs/rules-engine.md. */
#ifndef XDPFLEET_RULES_BPF_H
#define XDPFLEET_RULES_BPF_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "xdpfleet_abi.h"
#include "rules_parse.bpf.h"

/* Sizes here are defaults only: the agent creates the maps (agent/rules/rules_maps.c) with its own
 * capacities and hands them to the program before load. The arrays are mmapable so the compiler
 * writes them with plain stores instead of one syscall per element. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, 1 << 24);
	__uint(map_flags, BPF_F_MMAPABLE);
} rules_v4_l1 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, 1 << 20);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} rules_v4_l2 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct rules_v6_key);
	__type(value, __u32);
	__uint(max_entries, 1 << 20);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} rules_v6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct rules_entry);
	__uint(max_entries, 1 << 20);
	__uint(map_flags, BPF_F_MMAPABLE);
} rules_entries SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct rules_info);
	__uint(max_entries, 1 << 20);
	__uint(map_flags, BPF_F_MMAPABLE);
} rules_info SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct rules_counter);
	__uint(max_entries, 1 << 20);
} rules_counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct rules_limit_key);
	__type(value, struct rules_bucket);
	__uint(max_entries, 1 << 16);
} rules_limits SEC(".maps");

/* What rules_eval() decided: the XDP verdict and the rule that won (RULES_SLOT_NONE if none). */
struct rules_result {
	__u32 verdict;
	__u32 slot;
};

/* Entry id of the block the source address falls in: DIR-24-8, one array read, plus one hash
 * read only when the /24 holds longer prefixes. */
static __always_inline __u32 rules_lookup_v4(__u32 saddr)
{
	__u32 idx = bpf_ntohl(saddr) >> 8;
	__u32 *v = bpf_map_lookup_elem(&rules_v4_l1, &idx);
	__u32 id;

	if (!v)
		return RULES_ENTRY_EMPTY;
	id = *v;
	if (id & RULES_L1_LONGER) {
		__u32 *l2 = bpf_map_lookup_elem(&rules_v4_l2, &saddr);

		id = l2 ? *l2 : id & ~RULES_L1_LONGER;
	}
	return id;
}

/* Keeps the first n bytes of an 8-byte word as stored in memory (little-endian hosts). */
static __always_inline __u64 rules_keep_bytes(__u64 w, __u32 n)
{
	if (n >= 8)
		return w;
	if (n == 0)
		return 0;
	return w & ((1ULL << (8 * n)) - 1);
}

/* Binary search over the 15 prefix levels (Waldvogel et al.): markers the compiler places on
 * the search path make every packet cost at most 4 hash reads, whatever the number of rules. */
static __always_inline __u32 rules_lookup_v6(const __u64 addr[2])
{
	struct rules_v6_key key = {};
	__u32 id = RULES_ENTRY_EMPTY;
	/* Bounds kept one above the level index so they stay unsigned (no signed division in BPF). */
	__u32 lo = 1, hi = RULES_V6_LEVELS;

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "rules_keep_bytes assumes a little-endian target"
#endif
	for (int it = 0; it < 4; it++) {
		__u32 mid = (lo + hi) / 2;
		__u32 nbytes = RULES_V6_LEVEL_PLEN(mid - 1) / 8;
		__u64 w[2];
		__u32 *v;

		if (lo > hi)
			break;
		w[0] = rules_keep_bytes(addr[0], nbytes);
		w[1] = rules_keep_bytes(addr[1], nbytes > 8 ? nbytes - 8 : 0);
		key.plen = RULES_V6_LEVEL_PLEN(mid - 1);
		__builtin_memcpy(key.addr, w, 16);
		v = bpf_map_lookup_elem(&rules_v6, &key);
		if (v) {
			id = *v;
			lo = mid + 1;
		} else {
			hi = mid - 1;
		}
	}
	return id;
}

static __always_inline int rules_match_one(const struct rules_info *ri, const struct rules_pkt *p)
{
	if (ri->proto && ri->proto != p->proto)
		return 0;
	if (ri->flags & RULES_F_PORTS)
		return p->has_ports && p->dport >= ri->port_min && p->dport <= ri->port_max;
	return 1;
}

/* The first matching rule of an entry is its best: the compiler sorts entries by precedence. */
static __always_inline __u32 rules_scan(__u32 id, const struct rules_pkt *p,
					const struct rules_info **best)
{
	struct rules_entry *e = bpf_map_lookup_elem(&rules_entries, &id);

	*best = 0;
	if (!e)
		return RULES_SLOT_NONE;
	for (int i = 0; i < RULES_MAX_PER_ENTRY; i++) {
		const struct rules_info *ri;
		__u32 slot;

		if (i >= e->n)
			break;
		slot = e->slot[i];
		ri = bpf_map_lookup_elem(&rules_info, &slot);
		if (ri && rules_match_one(ri, p)) {
			*best = ri;
			return slot;
		}
	}
	return RULES_SLOT_NONE;
}

/* Token bucket per (rule, source): burst and refill are both limit_pps per second. */
static __always_inline int rules_limit_allows(__u32 slot, const struct rules_info *ri,
					      const struct rules_pkt *p, __u64 now)
{
	struct rules_limit_key key = { .slot = slot, .family = p->family };
	const __u64 unit = 1000000000ULL;
	__u64 cap = ri->limit_pps * unit, elapsed, tokens;
	struct rules_bucket *b;

	__builtin_memcpy(key.addr, p->src, 16);
	b = bpf_map_lookup_elem(&rules_limits, &key);
	if (!b) {
		struct rules_bucket nb = { .tokens = cap - unit, .last_ns = now };

		if (ri->limit_pps == 0)
			return 0;
		bpf_map_update_elem(&rules_limits, &key, &nb, BPF_ANY);
		return 1;
	}
	/* Racy across CPUs by design: an approximate budget is worth more than atomics here. */
	elapsed = now > b->last_ns ? now - b->last_ns : 0;
	if (elapsed > unit)
		elapsed = unit;
	tokens = b->tokens + elapsed * ri->limit_pps;
	if (tokens > cap)
		tokens = cap;
	b->last_ns = now;
	if (tokens < unit) {
		b->tokens = tokens;
		return 0;
	}
	b->tokens = tokens - unit;
	return 1;
}

/* Parses the frame, finds the winning rule, counts it and returns the XDP verdict. The caller
 * (the filter program) counts the verdict in the per-action stats. */
static __always_inline __u32 rules_eval(struct xdp_md *ctx, struct rules_result *res)
{
	const struct rules_info *a, *b;
	struct rules_counter *c;
	struct rules_pkt p = {};
	__u32 sa, sb, id, slot;
	__u64 now;
	int pass = 1;

	res->verdict = XDP_PASS;
	res->slot = RULES_SLOT_NONE;
	if (rules_parse(ctx, &p))
		return XDP_PASS;
	if (p.family == 4)
		id = rules_lookup_v4(p.src[0]);
	else
		id = rules_lookup_v6(p.src64);
	sa = rules_scan(id, &p, &a);
	/* An allow on the prefix cannot be beaten: skip the any-source list. */
	if (a && a->action == RULES_ACT_ALLOW) {
		slot = sa;
	} else {
		sb = rules_scan(p.family == 4 ? RULES_ENTRY_ANY_V4 : RULES_ENTRY_ANY_V6, &p, &b);
		/* Equal actions: the prefix rule is the more specific one. */
		if (b && (!a || b->action < a->action)) {
			a = b;
			slot = sb;
		} else {
			slot = sa;
		}
	}
	if (!a)
		return XDP_PASS;
	/* The precise clock costs ~20 ns here; a last-hit time needs only the coarse one (a few ms).
	 * Token buckets need the precise one. */
	if (a->action == RULES_ACT_LIMIT) {
		now = bpf_ktime_get_ns();
		pass = rules_limit_allows(slot, a, &p, now);
	} else {
		now = bpf_ktime_get_coarse_ns();
		pass = a->action != RULES_ACT_DROP;
	}
	c = bpf_map_lookup_elem(&rules_counters, &slot);
	if (c) {
		c->packets++;
		c->bytes += ctx->data_end - ctx->data;
		c->last_hit_ns = now;
		if (!pass)
			c->dropped++;
	}
	res->slot = slot;
	res->verdict = pass ? XDP_PASS : XDP_DROP;
	return res->verdict;
}

#endif
