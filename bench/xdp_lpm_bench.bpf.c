// SPDX-License-Identifier: GPL-2.0-only
/* Bench baseline: the rule engine's frame parsing, then one lookup in a plain kernel LPM trie
 * per family holding the same prefixes, and the per-action stats: what the engine's own lookup
 * is compared with. */
#include "rules_parse.bpf.h"
#include "xdp_stats.bpf.h"

struct lpm_v4_key {
	__u32 plen;
	__u8 addr[4];
};

struct lpm_v6_key {
	__u32 plen;
	__u8 addr[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__type(key, struct lpm_v4_key);
	__type(value, __u32);
	__uint(max_entries, 1 << 21);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} lpm_v4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__type(key, struct lpm_v6_key);
	__type(value, __u32);
	__uint(max_entries, 1 << 21);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} lpm_v6 SEC(".maps");

SEC("xdp")
int xdp_lpm(struct xdp_md *ctx)
{
	struct rules_pkt p = {};
	__u32 *v;

	if (rules_parse(ctx, &p))
		return xdp_stats_record(ctx, XDP_PASS);
	if (p.family == 4) {
		struct lpm_v4_key k = { .plen = 32 };

		__builtin_memcpy(k.addr, p.src8, 4);
		v = bpf_map_lookup_elem(&lpm_v4, &k);
	} else {
		struct lpm_v6_key k = { .plen = 128 };

		__builtin_memcpy(k.addr, p.src8, 16);
		v = bpf_map_lookup_elem(&lpm_v6, &k);
	}
	/* The value is the rule's action (enum rules_action). */
	return xdp_stats_record(ctx, v && *v == RULES_ACT_DROP ? XDP_DROP : XDP_PASS);
}

char _license[] SEC("license") = "GPL";
