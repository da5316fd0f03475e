// SPDX-License-Identifier: GPL-2.0-only
/* Test and bench harness for the rule engine: rules_eval() alone, with the verdict and the
 * winning rule left in .bss so BPF_PROG_TEST_RUN callers can compare them with a model. */
#include "rules.bpf.h"
#include "xdp_stats.bpf.h"

__u32 last_verdict;
__u32 last_slot;

SEC("xdp")
int xdp_rules_test(struct xdp_md *ctx)
{
	struct rules_result res;
	__u32 verdict = rules_eval(ctx, &res);

	last_verdict = verdict;
	last_slot = res.slot;
	return xdp_stats_record(ctx, verdict);
}

char _license[] SEC("license") = "GPL";
