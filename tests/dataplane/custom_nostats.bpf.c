// SPDX-License-Identifier: GPL-2.0-only
/* A custom object without a stats map: attachable, but without counters. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_custom_pass(struct xdp_md *ctx)
{
	(void)ctx;
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
