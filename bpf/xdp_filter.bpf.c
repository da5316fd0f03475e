// SPDX-License-Identifier: GPL-2.0-only
/* Built-in `filter` program: the rule engine (rules.bpf.h) decides each packet's verdict, and
 * the verdict is counted in the per-action stats like every built-in's. */
#include "xdp_stats.bpf.h"
#include "rules.bpf.h"
#include "capture.bpf.h"

SEC("xdp")
int xdp_filter(struct xdp_md *ctx)
{
	struct rules_result res;
	__u32 verdict = rules_eval(ctx, &res);

	capture_packet(ctx, verdict, res.slot);
	return xdp_stats_record(ctx, verdict);
}

char _license[] SEC("license") = "GPL";
