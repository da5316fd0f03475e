/* SPDX-License-Identifier: GPL-2.0-only */
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

/* ==== rules: the DDoS rule engine (bpf/rules.bpf.h, agent/rules/). Owned by the rules engine;
 * other parts keep out of this block. ==== */

/* Rules one address can be subject to; the compiler refuses rule sets that would need more, so
 * the per-packet scan stays bounded. */
#define RULES_MAX_PER_ENTRY 16
#define RULES_SLOT_NONE 0xffffffffu

/* Rule lists with a fixed meaning: 0 is the empty list, 1 and 2 the any-source lists. */
#define RULES_LIST_EMPTY 0
#define RULES_LIST_ANY_V4 1
#define RULES_LIST_ANY_V6 2
#define RULES_LIST_FIRST_FREE 3

/* The source address trie. Every trie location holds a 32-bit word whose top two bits say what
 * it is; a lookup follows node words until it reaches a leaf (a list or one rule). */
#define RULES_W_TAG(w) ((w) >> 30)
#define RULES_W_LIST 0u  /* low 30 bits: a rules_lists id (0: no rule applies) */
#define RULES_W_SLOT 1u  /* the only rule that applies: RULES_W_SLOT_* fields */
#define RULES_W_BNODE 2u /* bits 29..26: address byte it indexes; 25..0: rules_bnodes index */
#define RULES_W_CNODE 3u /* low 30 bits: rules_cnodes index */
#define RULES_W_IDX_MASK 0x3fffffffu
#define RULES_W_BNODE_MASK 0x03ffffffu
#define RULES_W_BYTE_SHIFT 26
#define RULES_W_MAKE(tag, v) (((__u32)(tag) << 30) | (__u32)(v))
/* A one-rule leaf carries the rule's action, and whether it matches every packet (no protocol
 * or ports): then the packet needs no rules_info read unless the rule is a limit. */
#define RULES_W_SLOT_MASK 0x03ffffffu
#define RULES_W_SLOT_PLAIN (1u << 26)
#define RULES_W_SLOT_ACT_SHIFT 27
#define RULES_W_SLOT_MAKE(slot, action, plain)                                         \
	(((__u32)RULES_W_SLOT << 30) | ((__u32)(action) << RULES_W_SLOT_ACT_SHIFT) |    \
	 ((plain) ? RULES_W_SLOT_PLAIN : 0) | (__u32)(slot))
/* Rule slots fit the one-rule leaf. */
#define RULES_SLOTS_MAX (RULES_W_SLOT_MASK + 1)
#define RULES_W_BNODE_MAKE(byte, idx) \
	(((__u32)RULES_W_BNODE << 30) | ((__u32)(byte) << RULES_W_BYTE_SHIFT) | (__u32)(idx))

/* Branch node: the word for each value of one address byte. The first RULES_ROOT_NODES nodes
 * of each family form its root, one slot per /16 (node = top byte, slot = second byte). */
#define RULES_BNODE_SLOTS 256
#define RULES_ROOT_NODES 256
#define RULES_ROOT_V4 0
#define RULES_ROOT_V6 RULES_ROOT_NODES
#define RULES_BNODE_FIRST_FREE (2 * RULES_ROOT_NODES)
/* Nodes on one lookup path below the root: each advances at least one address byte. */
#define RULES_TRIE_STEPS 15

struct rules_bnode {
	__u32 slot[RULES_BNODE_SLOTS];
};

/* Compare node: the address masked with mask (memory order, as loaded from the header) equals
 * key: go on with hit, else miss. Compresses paths and holds single prefixes of any length. */
struct rules_cnode {
	__u64 key[2];
	__u64 mask[2];
	__u32 hit;
	__u32 miss;
};

#define RULES_MAP_BNODES "rules_bnodes"
#define RULES_MAP_CNODES "rules_cnodes"
#define RULES_MAP_LISTS "rules_lists"
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

/* rules_lists[id]: the rules that apply to some address blocks, best first. */
struct rules_list {
	__u32 n;
	__u32 slot[RULES_MAX_PER_ENTRY];
};

/* rules_counters[cpu * stride + slot]: one region per CPU (a plain array: a per-CPU array
 * allocates each element on its own, a second per million); the program gets the stride, the
 * slots each region holds, as the constant RULES_CPU_STRIDE_VAR. User space sums packets and
 * bytes over the CPUs and takes the latest time. */
#define RULES_CPU_STRIDE_VAR "rules_cpu_stride"
struct rules_counter {
	__u64 packets;
	__u64 bytes;
	__u64 last_hit; /* bpf_jiffies64(); user space converts to CLOCK_MONOTONIC ns */
	__u64 dropped;  /* limit: packets over budget */
};

/* rules_limits: one token bucket per (limit rule, source address). */
struct rules_limit_key {
	__u32 slot;
	__u32 family; /* 4 or 6 */
	__u8 addr[16];
};

struct rules_bucket {
	__u64 tokens;  /* in 1e-9 packets, so refills need no division */
	__u64 last_ns; /* CLOCK_MONOTONIC */
};

/* ==== end of rules ==== */

/* ==== capture: sampled packet capture (bpf/capture.bpf.h, agent/capture/). Owned by the
 * capture module; other parts keep out of this block. ==== */

/* capture_gate[0]: how many interfaces capture now. 0 (capture off) costs the filter this one
 * array lookup per packet. */
#define CAPTURE_MAP_GATE "capture_gate"
/* capture_cfg: HASH ifindex -> struct capture_cfg, present while that interface captures. */
#define CAPTURE_MAP_CFG "capture_cfg"
/* capture_cpu: PERCPU_ARRAY session -> struct capture_cpu (sampling, token bucket, counts). */
#define CAPTURE_MAP_CPU "capture_cpu"
/* capture_scratch: PERCPU_ARRAY [1] -> struct capture_scratch, where a record is assembled. */
#define CAPTURE_MAP_SCRATCH "capture_scratch"
/* capture_ring: RINGBUF of struct capture_rec followed by cap_len packet bytes. */
#define CAPTURE_MAP_RING "capture_ring"

#define CAPTURE_SESSIONS_MAX 16      /* interfaces capturing at once */
#define CAPTURE_SNAPLEN_MAX 4096     /* a power of two: the program masks lengths with it - 1 */
#define CAPTURE_RING_BYTES (8u << 20)
#define CAPTURE_VERDICT_ANY 0xffffffffu
#define CAPTURE_F_RULE 1u            /* only packets rule_slot decided */

struct capture_cfg {
	__u32 session;   /* < CAPTURE_SESSIONS_MAX: index into capture_cpu */
	__u32 verdict;   /* an XDP action, or CAPTURE_VERDICT_ANY */
	__u32 rule_slot; /* with CAPTURE_F_RULE */
	__u32 flags;     /* CAPTURE_F_* */
	__u32 sample;    /* 1 in sample matching packets (per CPU); >= 1 */
	__u32 snaplen;   /* 1..CAPTURE_SNAPLEN_MAX */
	__u64 rate_pps;  /* records per second per CPU (the cap is split over the CPUs) */
	__u64 burst;     /* bucket depth in records */
};

struct capture_cpu {
	__u64 tokens;     /* in 1e-9 records, as rules_bucket */
	__u64 last_ns;
	__u64 matched;    /* passed the verdict and rule filters */
	__u64 sampled;    /* ... and the 1/N sampling */
	__u64 over_limit; /* sampled but over the rate cap */
	__u64 ring_full;  /* within the cap but the ring had no room */
	__u64 sent;       /* written to the ring */
};

/* One ring record's header; the packet's first cap_len bytes follow it. */
struct capture_rec {
	__u64 ts_ns;      /* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
	__u32 ifindex;
	__u32 session;
	__u32 orig_len;   /* the whole frame's length */
	__u32 cap_len;    /* <= snaplen */
	__u32 verdict;    /* the XDP action the filter returned */
	__u32 rule_slot;  /* the rule that decided, RULES_SLOT_NONE if none */
};

struct capture_scratch {
	struct capture_rec rec;
	__u8 data[CAPTURE_SNAPLEN_MAX];
};

/* ==== end of capture ==== */

/* ==== top talkers: per-source heavy hitters (bpf/top_talkers.bpf.h, agent/top/). ==== */

/* A set-associative table in a PERCPU_ARRAY: a source prefix hashes to one set of TOP_WAYS
 * entries; a source missing from its full set takes the weakest entry's place only once the
 * set's misses in the current window reach that entry's packets in it (Misra-Gries style), so
 * a heavy source keeps its entry whatever the number of light ones. Memory per CPU is fixed:
 * TOP_SETS * sizeof(struct top_set). */
#define TOP_MAP_NAME "top_talkers"
#define TOP_CONFIG_MAP_NAME "top_config"
#define TOP_SETS 1024 /* a power of two */
#define TOP_WAYS 4    /* a power of two */
#define TOP_WINDOW_JIFFIES_DEFAULT 250 /* a second at HZ=250; the agent sets the real HZ */

enum top_verdict { TOP_V_PASS = 0, TOP_V_DROP = 1, TOP_V_OTHER = 2, TOP_V_MAX = 3 };
enum top_proto { TOP_P_TCP = 0, TOP_P_UDP = 1, TOP_P_ICMP = 2, TOP_P_OTHER = 3, TOP_P_MAX = 4 };

struct top_entry {
	__u64 key[2];    /* source masked to the prefix, memory order (IPv4 in key[0]'s low bytes) */
	__u32 family;    /* 0: empty; 4 or 6 */
	__u32 plen;      /* prefix length the key was masked to */
	__u64 since;     /* jiffies when the source took this entry: with key, the entry's identity */
	__u64 win_start; /* jiffies: start of the window win_pkts counts */
	__u64 win_pkts;
	__u64 packets;
	__u64 bytes;
	__u64 verdict[TOP_V_MAX];
	__u64 proto[TOP_P_MAX];
	__u32 port;        /* the most frequent tcp/udp destination port (Misra-Gries, one counter) */
	__u32 port_weight; /* 0: none */
};

struct top_set {
	__u64 miss_start; /* jiffies: start of the window misses counts */
	__u64 misses;     /* packets of sources not in the set */
	struct top_entry e[TOP_WAYS];
};

/* top_config[0], written by the agent; zeros mean the defaults. */
struct top_config {
	__u32 v4_plen; /* 1..32, default 32 */
	__u32 v6_plen; /* 1..128, default 64 */
	__u64 window_jiffies;
	__u32 disabled;
	__u32 pad;
};

/* ==== end of top talkers ==== */

#endif
