/* SPDX-License-Identifier: GPL-2.0-only */
/* The rule engine's data plane: its maps and rules_eval(), which parses a frame, walks the source
 * address trie to the rules that apply, picks the winner and counts it. See docs/rules-engine.md. */
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

/* Sizes here are placeholders: the agent creates the maps (agent/rules/rules_maps.c) small,
 * grows them with the rule set by replacing them with bigger copies (and reloading the programs
 * that use them), and hands them to the program before load. Every map read per packet is an
 * array, so the verifier inlines the lookups. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct rules_bnode);
	__uint(max_entries, RULES_BNODE_FIRST_FREE);
	__uint(map_flags, BPF_F_MMAPABLE);
} rules_bnodes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct rules_cnode);
	__uint(max_entries, 64);
	__uint(map_flags, BPF_F_MMAPABLE);
} rules_cnodes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct rules_list);
	__uint(max_entries, 64);
	__uint(map_flags, BPF_F_MMAPABLE);
} rules_lists SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct rules_info);
	__uint(max_entries, 64);
	__uint(map_flags, BPF_F_MMAPABLE);
} rules_info SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct rules_counter);
	__uint(max_entries, 64);
	__uint(map_flags, BPF_F_MMAPABLE);
} rules_counters SEC(".maps");

/* Slots per CPU region of rules_counters: set by the loader (rules_maps_use_in_obj()), which
 * reloads the program whenever the map is replaced. */
volatile const __u32 rules_cpu_stride = 0;

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

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the trie's byte extraction assumes a little-endian target"
#endif

/* The leaf word for a source address: the root slot of its /16, then at most RULES_TRIE_STEPS
 * nodes. The address comes as two 64-bit words in memory order (IPv4 in the low 4 bytes of
 * a0), so address byte k is bits 8k..8k+7 of word k/8. */
static __always_inline __u32 rules_trie_lookup(__u32 root, __u32 top16, __u64 a0, __u64 a1)
{
	__u32 idx = root + (top16 >> 8);
	struct rules_bnode *n = bpf_map_lookup_elem(&rules_bnodes, &idx);
	__u32 w;

	if (!n)
		return 0;
	w = n->slot[top16 & 0xff];
	for (int i = 0; i < RULES_TRIE_STEPS; i++) {
		if (RULES_W_TAG(w) < RULES_W_BNODE)
			return w;
		if (RULES_W_TAG(w) == RULES_W_CNODE) {
			__u32 ci = w & RULES_W_IDX_MASK;
			struct rules_cnode *c = bpf_map_lookup_elem(&rules_cnodes, &ci);

			if (!c)
				return 0;
			w = (a0 & c->mask[0]) == c->key[0] && (a1 & c->mask[1]) == c->key[1] ? c->hit :
												c->miss;
		} else {
			__u32 bi = w & RULES_W_BNODE_MASK, byte = (w >> RULES_W_BYTE_SHIFT) & 15;
			__u64 word = byte & 8 ? a1 : a0;

			n = bpf_map_lookup_elem(&rules_bnodes, &bi);
			if (!n)
				return 0;
			w = n->slot[(word >> ((byte & 7) * 8)) & 0xff];
		}
	}
	/* The compiler never builds deeper paths; a node word here would be a bug: no rule. */
	return RULES_W_TAG(w) < RULES_W_BNODE ? w : 0;
}

static __always_inline int rules_match_one(const struct rules_info *ri, const struct rules_pkt *p)
{
	if (ri->proto && ri->proto != p->proto)
		return 0;
	if (ri->flags & RULES_F_PORTS)
		return p->has_ports && p->dport >= ri->port_min && p->dport <= ri->port_max;
	return 1;
}

/* The first matching rule of a list is its best: the compiler sorts lists by precedence. */
static __always_inline __u32 rules_scan(__u32 id, const struct rules_pkt *p,
					const struct rules_info **best)
{
	struct rules_list *l = bpf_map_lookup_elem(&rules_lists, &id);

	*best = 0;
	if (!l)
		return RULES_SLOT_NONE;
	for (int i = 0; i < RULES_MAX_PER_ENTRY; i++) {
		const struct rules_info *ri;
		__u32 slot;

		if (i >= l->n)
			break;
		slot = l->slot[i];
		ri = bpf_map_lookup_elem(&rules_info, &slot);
		if (ri && rules_match_one(ri, p)) {
			*best = ri;
			return slot;
		}
	}
	return RULES_SLOT_NONE;
}

/* The winner so far: its action, slot and (when read) rules_info. */
struct rules_win {
	__u32 action; /* RULES_ACT_NONE: no rule */
	__u32 slot;
	const struct rules_info *ri;
};

static __always_inline void rules_from_scan(struct rules_win *r, __u32 slot,
					    const struct rules_info *ri)
{
	r->slot = slot;
	r->ri = ri;
	r->action = ri ? ri->action : RULES_ACT_NONE;
}

/* A leaf word: no rule, the one rule of a block (its action in the word: no list, and no
 * rules_info unless it has conditions or a budget), or a list. */
static __always_inline void rules_leaf(__u32 w, const struct rules_pkt *p, struct rules_win *r)
{
	const struct rules_info *ri;
	__u32 slot;

	r->action = RULES_ACT_NONE;
	r->slot = RULES_SLOT_NONE;
	r->ri = 0;
	if (RULES_W_TAG(w) != RULES_W_SLOT) {
		if (w) {
			slot = rules_scan(w, p, &ri);
			rules_from_scan(r, slot, ri);
		}
		return;
	}
	r->slot = w & RULES_W_SLOT_MASK;
	if (w & RULES_W_SLOT_PLAIN) {
		r->action = (w >> RULES_W_SLOT_ACT_SHIFT) & 7;
		return;
	}
	slot = r->slot;
	ri = bpf_map_lookup_elem(&rules_info, &slot);
	if (ri && rules_match_one(ri, p)) {
		r->ri = ri;
		r->action = ri->action;
	}
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
	const struct rules_info *bi;
	struct rules_win a, b = {};
	struct rules_counter *c;
	struct rules_pkt p = {};
	struct rules_list *any;
	__u32 w, any_id, sb, ci;
	int pass = 1;

	res->verdict = XDP_PASS;
	res->slot = RULES_SLOT_NONE;
	if (rules_parse(ctx, &p))
		return XDP_PASS;
	/* Read first: independent of the trie walk, so the two overlap. */
	any_id = p.family == 4 ? RULES_LIST_ANY_V4 : RULES_LIST_ANY_V6;
	any = bpf_map_lookup_elem(&rules_lists, &any_id);
	/* One walk for both families (the verifier checks it once): IPv4 sits in the low bytes of
	 * the first word, and src64[1] is zero for it. */
	w = rules_trie_lookup(p.family == 4 ? RULES_ROOT_V4 : RULES_ROOT_V6,
			      (__u32)p.src8[0] << 8 | p.src8[1], p.src64[0], p.src64[1]);
	rules_leaf(w, &p, &a);
	/* An allow on the prefix cannot be beaten: skip the any-source list. Equal actions: the
	 * prefix rule is the more specific one. */
	if (a.action != RULES_ACT_ALLOW && any && any->n) {
		sb = rules_scan(any_id, &p, &bi);
		rules_from_scan(&b, sb, bi);
		if (b.action && (!a.action || b.action < a.action))
			a = b;
	}
	if (!a.action)
		return XDP_PASS;
	/* Token buckets refill by the ns: the precise clock (only limit rules pay for it). */
	if (a.action == RULES_ACT_LIMIT) {
		__u32 slot = a.slot;

		if (!a.ri)
			a.ri = bpf_map_lookup_elem(&rules_info, &slot);
		pass = a.ri ? rules_limit_allows(a.slot, a.ri, &p, bpf_ktime_get_ns()) : 1;
	} else {
		pass = a.action != RULES_ACT_DROP;
	}
	/* Each CPU counts in its own region: no atomics, no shared cache lines. */
	ci = bpf_get_smp_processor_id() * rules_cpu_stride + a.slot;
	c = bpf_map_lookup_elem(&rules_counters, &ci);
	if (c) {
		c->packets++;
		c->bytes += ctx->data_end - ctx->data;
		/* Inlined by the verifier (one load), unlike any clock helper. */
		c->last_hit = bpf_jiffies64();
		if (!pass)
			c->dropped++;
	}
	res->slot = a.slot;
	res->verdict = pass ? XDP_PASS : XDP_DROP;
	return res->verdict;
}

#endif
