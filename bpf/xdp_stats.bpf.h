/* SPDX-License-Identifier: GPL-2.0-only */
/* The per-action stats map and the helper every xdpfleet XDP program ends with; custom
 * programs may include this too so the agent can share its counters with them. */
#ifndef XDPFLEET_XDP_STATS_BPF_H
#define XDPFLEET_XDP_STATS_BPF_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "xdpfleet_abi.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct datarec);
	__uint(max_entries, XDP_ACTION_MAX);
} xdp_stats_map SEC(".maps");

/* Counts the packet under the action it gets and returns that action, so programs end with
 * `return xdp_stats_record(ctx, verdict);`. Per-CPU values need no atomics. */
static __always_inline __u32 xdp_stats_record(struct xdp_md *ctx, __u32 action)
{
	struct datarec *rec;

	if (action >= XDP_ACTION_MAX)
		return XDP_ABORTED;
	rec = bpf_map_lookup_elem(&xdp_stats_map, &action);
	if (!rec)
		return XDP_ABORTED;
	rec->rx_packets++;
	rec->rx_bytes += ctx->data_end - ctx->data;
	return action;
}

#endif
