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
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct rules_counter);
	__uint(max_entries, 64);
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

/* A leaf word: no rule, the one rule of a block (no list to read), or a list. */
static __always_inline __u32 rules_leaf(__u32 w, const struct rules_pkt *p,
					const struct rules_info **best)
{
	*best = 0;
	if (RULES_W_TAG(w) == RULES_W_SLOT) {
		__u32 slot = w & RULES_W_IDX_MASK;
		const struct rules_info *ri = bpf_map_lookup_elem(&rules_info, &slot);

		if (ri && rules_match_one(ri, p)) {
			*best = ri;
			return slot;
		}
		return RULES_SLOT_NONE;
	}
	return w ? rules_scan(w, p, best) : RULES_SLOT_NONE;
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
	__u32 sa, sb, w, slot;
	int pass = 1;

	res->verdict = XDP_PASS;
	res->slot = RULES_SLOT_NONE;
	if (rules_parse(ctx, &p))
		return XDP_PASS;
	if (p.family == 4)
		w = rules_trie_lookup(RULES_ROOT_V4, bpf_ntohl(p.src[0]) >> 16, p.src[0], 0);
	else
		w = rules_trie_lookup(RULES_ROOT_V6, (__u32)p.src8[0] << 8 | p.src8[1], p.src64[0],
				      p.src64[1]);
	sa = rules_leaf(w, &p, &a);
	/* An allow on the prefix cannot be beaten: skip the any-source list. */
	if (a && a->action == RULES_ACT_ALLOW) {
		slot = sa;
	} else {
		sb = rules_scan(p.family == 4 ? RULES_LIST_ANY_V4 : RULES_LIST_ANY_V6, &p, &b);
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
	/* Token buckets need a clock in ns; the coarse one (a few ms) is precise enough for a
	 * budget and costs a fraction of the precise one. */
	if (a->action == RULES_ACT_LIMIT)
		pass = rules_limit_allows(slot, a, &p, bpf_ktime_get_coarse_ns());
	else
		pass = a->action != RULES_ACT_DROP;
	c = bpf_map_lookup_elem(&rules_counters, &slot);
	if (c) {
		c->packets++;
		c->bytes += ctx->data_end - ctx->data;
		/* Inlined by the verifier (one load), unlike any clock helper. */
		c->last_hit = bpf_jiffies64();
		if (!pass)
			c->dropped++;
	}
	res->slot = slot;
	res->verdict = pass ? XDP_PASS : XDP_DROP;
	return res->verdict;
}

#endif
