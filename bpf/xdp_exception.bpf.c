// SPDX-License-Identifier: GPL-2.0-only
/* Counts xdp:xdp_exception events (aborted or invalid verdicts, failed redirects) per
 * (program id, action) for every XDP program on the machine; the agent reads its own ids. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "xdpfleet_abi.h"

struct {
	__uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH);
	__type(key, struct exc_key);
	__type(value, __u64);
	__uint(max_entries, XDPFLEET_EXC_MAP_ENTRIES);
} xdp_exc_counts SEC(".maps");

/* Layout of /sys/kernel/tracing/events/xdp/xdp_exception/format. */
struct xdp_exception_ctx {
	__u64 pad;
	int prog_id;
	__u32 act;
	int ifindex;
};

SEC("tracepoint/xdp/xdp_exception")
int xdp_exception(struct xdp_exception_ctx *ctx)
{
	struct exc_key key = { .prog_id = ctx->prog_id, .action = ctx->act };
	__u64 one = 1, *count;

	/* Unknown verdicts are counted too (as their raw value): they are exceptions all the same. */
	count = bpf_map_lookup_elem(&xdp_exc_counts, &key);
	if (count)
		(*count)++;
	else
		bpf_map_update_elem(&xdp_exc_counts, &key, &one, BPF_NOEXIST);
	/* 0 would suppress the event for every other consumer (perf record, tracefs readers). */
	return 1;
}

char _license[] SEC("license") = "GPL";
