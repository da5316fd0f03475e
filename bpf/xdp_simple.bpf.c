// SPDX-License-Identifier: GPL-2.0-only
/* Built-in XDP programs with a fixed verdict: pass, drop and abort (the seed's programs).
 * The agent loads only the one it attaches (autoload), each with its interface's stats map. */
#include "xdp_stats.bpf.h"

SEC("xdp")
int xdp_pass(struct xdp_md *ctx)
{
	return xdp_stats_record(ctx, XDP_PASS);
}

SEC("xdp")
int xdp_drop(struct xdp_md *ctx)
{
	return xdp_stats_record(ctx, XDP_DROP);
}

SEC("xdp")
int xdp_abort(struct xdp_md *ctx)
{
	return xdp_stats_record(ctx, XDP_ABORTED);
}

char _license[] SEC("license") = "GPL";
