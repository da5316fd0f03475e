/* The ABI between xdpfleet's BPF programs and the agent: map names, key and value layouts.
 * Included by BPF C (clang -target bpf) and by user space, so it uses only __u32/__u64 types. */
#ifndef XDPFLEET_ABI_H
#define XDPFLEET_ABI_H

#include <linux/bpf.h>
#include <linux/types.h>

/* Keys of the stats map are enum xdp_action values: XDP_ABORTED..XDP_REDIRECT. */
#ifndef XDP_ACTION_MAX
#define XDP_ACTION_MAX (XDP_REDIRECT + 1)
#endif

/* Per-action counters, the xdp-tutorial seed's layout: one value per CPU in a PERCPU_ARRAY.
 * Custom objects that declare a map of this name and layout get the agent's map. */
#define XDPFLEET_STATS_MAP_NAME "xdp_stats_map"

struct datarec {
	__u64 rx_packets;
	__u64 rx_bytes;
};

/* xdp:xdp_exception counts. Keyed by program id, not ifindex: prog ids are global while
 * ifindexes repeat across the network namespaces of agents sharing one kernel. */
#define XDPFLEET_EXC_MAP_NAME "xdp_exc_counts"
#define XDPFLEET_EXC_MAP_ENTRIES 4096

struct exc_key {
	__u32 prog_id;
	__u32 action;
};

/* ==== rules: the DDoS rule engine (issue 4; bpf/rules.bpf.h, agent/rules_*). Owned by the
 * rules engine; other parts keep out of this block. ==== */

/* Rule references one prefix entry (or one any-source list) holds; the compiler refuses rule
 * sets that would need more, so the per-packet scan stays bounded. */
#define RULES_MAX_PER_ENTRY 16
/* In rules_v4_l1 values: some prefix longer than /24 lies in this /24, look in rules_v4_l2. */
#define RULES_L1_LONGER (1u << 31)
/* Entry ids with a fixed meaning: 0 is the empty list, 1 and 2 the any-source lists. */
#define RULES_ENTRY_EMPTY 0
#define RULES_ENTRY_ANY_V4 1
#define RULES_ENTRY_ANY_V6 2
#define RULES_ENTRY_FIRST_FREE 3
#define RULES_SLOT_NONE 0xffffffffu
/* IPv6 prefix levels /16, /24 .. /128 (8-bit strides), searched by binary search. */
#define RULES_V6_LEVELS 15
#define RULES_V6_LEVEL_PLEN(i) (16 + 8 * (i))

#define RULES_MAP_V4_L1 "rules_v4_l1"
#define RULES_MAP_V4_L2 "rules_v4_l2"
#define RULES_MAP_V6 "rules_v6"
#define RULES_MAP_ENTRIES "rules_entries"
#define RULES_MAP_INFO "rules_info"
#define RULES_MAP_COUNTERS "rules_counters"
#define RULES_MAP_LIMITS "rules_limits"

/* Numbered in precedence order: a lower number wins. */
enum rules_action {
	RULES_ACT_NONE = 0,
	RULES_ACT_ALLOW = 1,
	RULES_ACT_DROP = 2,
	RULES_ACT_LIMIT = 3,
	RULES_ACT_MONITOR = 4,
};

#define RULES_F_PORTS 1 /* port_min..port_max applies (tcp/udp only) */

/* rules_info[slot]: what one rule matches beyond its source prefix. */
struct rules_info {
	__u8 action; /* enum rules_action */
	__u8 proto;  /* IP protocol number; 0 = any */
	__u8 flags;  /* RULES_F_* */
	__u8 plen;   /* source prefix length; 0 = any source */
	__u16 port_min;
	__u16 port_max;
	__u64 limit_pps;
};

/* rules_entries[id]: the rules that apply to one address block, best first. */
struct rules_entry {
	__u32 n;
	__u32 slot[RULES_MAX_PER_ENTRY];
};

/* rules_v6 key: a /plen block, address bits past plen zero. */
struct rules_v6_key {
	__u32 plen;
	__u8 addr[16];
};

/* rules_counters[slot], one per CPU: user space sums packets and bytes and takes the max time. */
struct rules_counter {
	__u64 packets;
	__u64 bytes;
	__u64 last_hit_ns; /* bpf_ktime_get_ns(), CLOCK_MONOTONIC */
	__u64 dropped;     /* limit: packets over budget */
};

/* rules_limits: one token bucket per (limit rule, source address). */
struct rules_limit_key {
	__u32 slot;
	__u32 family; /* 4 or 6 */
	__u8 addr[16];
};

struct rules_bucket {
	__u64 tokens;  /* in 1e-9 packets, so refills need no division */
	__u64 last_ns;
};

/* ==== end of rules ==== */

#endif
