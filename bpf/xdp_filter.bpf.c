// SPDX-License-Identifier: GPL-2.0-only
/* Built-in `filter` program: the rule engine (rules.bpf.h) decides each packet's verdict, and
 * the verdict is counted in the per-action stats like every built-in's, sampled into the capture
 * ring when a capture asks (capture.bpf.h), and counted per source in the top talkers table
 * (top_talkers.bpf.h). */
#include "xdp_stats.bpf.h"
#include "rules.bpf.h"
#include "capture.bpf.h"
#include "top_talkers.bpf.h"

SEC("xdp")
int xdp_filter(struct xdp_md *ctx)
{
	struct rules_result res;
	__u32 verdict = rules_eval(ctx, &res);

	capture_packet(ctx, verdict, res.slot);
	top_record(ctx, verdict);
	return xdp_stats_record(ctx, verdict);
}

char _license[] SEC("license") = "GPL";
