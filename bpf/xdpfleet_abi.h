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

#endif
