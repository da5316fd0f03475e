// SPDX-License-Identifier: GPL-2.0-only
/* A custom object as users write them: declares the agent's xdp_stats_map layout to get counters. */
#include "xdp_stats.bpf.h"

SEC("xdp")
int xdp_custom_drop(struct xdp_md *ctx)
{
	return xdp_stats_record(ctx, XDP_DROP);
}

char _license[] SEC("license") = "GPL";
