// SPDX-License-Identifier: GPL-2.0-only
/* custom_stats: a user's own XDP object for the e2e test of --program-dir objects. It drops
 * IPv4 UDP to the discard port (9) and passes the rest, counting in an `xdp_stats_map` laid out
 * as bpf/xdpfleet_abi.h says, so the agent can share its counters into it. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "xdpfleet_abi.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct datarec);
	__uint(max_entries, XDP_ACTION_MAX);
} xdp_stats_map SEC(".maps");

static __always_inline __u32 count(struct xdp_md *ctx, __u32 action)
{
	struct datarec *rec = bpf_map_lookup_elem(&xdp_stats_map, &action);

	if (rec) {
		rec->rx_packets++;
		rec->rx_bytes += ctx->data_end - ctx->data;
	}
	return action;
}

/* Fixed offsets: the test sends untagged IPv4 without options. */
static __always_inline int is_udp_discard(void *data, void *end)
{
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct udphdr *udp = (void *)(ip + 1);

	if ((void *)(udp + 1) > end)
		return 0;
	return eth->h_proto == bpf_htons(ETH_P_IP) && ip->ihl == 5 && ip->protocol == IPPROTO_UDP &&
	       udp->dest == bpf_htons(9);
}

SEC("xdp")
int custom_stats(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;

	return count(ctx, is_udp_discard(data, end) ? XDP_DROP : XDP_PASS);
}

char LICENSE[] SEC("license") = "GPL";
