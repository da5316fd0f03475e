/* Built-in `filter` program: parses the packet and asks the rule stages for a verdict.
 * No rule stage exists yet, so every packet passes; the drop-rules issue adds LPM/hash stages. */
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_endian.h>

#include "xdp_stats.bpf.h"

/* What the rule stages match on, filled once by the parser. */
struct pkt_meta {
	__u16 l3_proto; /* host order ETH_P_*, 0 if not IP */
	__u8 l4_proto;
	__u32 len;
};

static __always_inline int parse_packet(struct xdp_md *ctx, struct pkt_meta *meta)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	meta->len = data_end - data;
	if ((void *)(eth + 1) > data_end)
		return -1;
	meta->l3_proto = bpf_ntohs(eth->h_proto);
	if (meta->l3_proto == ETH_P_IP) {
		struct iphdr *ip = (void *)(eth + 1);

		if ((void *)(ip + 1) > data_end)
			return -1;
		meta->l4_proto = ip->protocol;
	} else if (meta->l3_proto == ETH_P_IPV6) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);

		if ((void *)(ip6 + 1) > data_end)
			return -1;
		meta->l4_proto = ip6->nexthdr;
	}
	return 0;
}

/* The rule engine's entry point: returns an XDP verdict for a parsed packet. */
static __always_inline __u32 filter_verdict(const struct pkt_meta *meta)
{
	(void)meta;
	return XDP_PASS;
}

SEC("xdp")
int xdp_filter(struct xdp_md *ctx)
{
	struct pkt_meta meta = { 0 };

	/* Malformed or short frames are not ours to judge: the stack drops what it must. */
	if (parse_packet(ctx, &meta))
		return xdp_stats_record(ctx, XDP_PASS);
	return xdp_stats_record(ctx, filter_verdict(&meta));
}

char _license[] SEC("license") = "GPL";
