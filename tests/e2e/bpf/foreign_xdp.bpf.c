// SPDX-License-Identifier: GPL-2.0-only
/* foreign_xdp: a trivial XDP program that the e2e tests load with `ip link` (not through the
 * agent), so the agent finds a program it did not attach and must refuse to replace it. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int foreign_xdp(struct xdp_md *ctx)
{
	(void)ctx;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
