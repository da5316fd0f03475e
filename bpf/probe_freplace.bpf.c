// SPDX-License-Identifier: GPL-2.0-only
/* Feature probe: can this kernel replace a BPF function (freplace), which libxdp's
 * multi-program dispatcher needs? The agent loads `probe_target`, then `probe_ext` onto it. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__attribute__((noinline)) int probe_func(struct xdp_md *ctx)
{
	(void)ctx;
	return XDP_PASS;
}

SEC("xdp")
int probe_target(struct xdp_md *ctx)
{
	return probe_func(ctx);
}

SEC("freplace/probe_func")
int probe_ext(struct xdp_md *ctx)
{
	(void)ctx;
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
