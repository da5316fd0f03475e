/* SPDX-License-Identifier: GPL-2.0-only */
/* Frame parsing for the rule engine: Ethernet + up to two VLAN tags, IPv4 (options, fragments),
 * IPv6 (extension headers). Every read is bounds-checked; anything unsure loses its ports. */
#ifndef XDPFLEET_RULES_PARSE_BPF_H
#define XDPFLEET_RULES_PARSE_BPF_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define RULES_VLAN_MAX 2
#define RULES_V6_EXT_MAX 8

/* What the rules match on. */
struct rules_pkt {
	union {
		__u64 src64[2];
		__u32 src[4]; /* IPv4: src[0], network order */
		__u8 src8[16];
	};
	__u32 family;    /* 4 or 6 */
	__u8 proto;      /* L4 protocol, or the extension header the parse stopped at */
	__u8 has_ports;  /* a complete tcp/udp header of a first (or no) fragment */
	__u16 dport;     /* host order */
};

struct rules_vlan_hdr {
	__be16 tci;
	__be16 proto;
};

/* Reads the destination port when a full tcp/udp header is present at l4. */
static __always_inline void rules_parse_ports(void *l4, void *data_end, struct rules_pkt *p)
{
	if (p->proto == IPPROTO_TCP) {
		if (l4 + 20 > data_end)
			return;
	} else if (p->proto == IPPROTO_UDP) {
		if (l4 + 8 > data_end)
			return;
	} else {
		return;
	}
	p->dport = bpf_ntohs(((__be16 *)l4)[1]);
	p->has_ports = 1;
}

static __always_inline int rules_parse_v4(void *l3, void *data_end, struct rules_pkt *p)
{
	struct iphdr *ip = l3;
	__u32 hlen;

	if ((void *)(ip + 1) > data_end || ip->version != 4)
		return -1;
	p->family = 4;
	p->src[0] = ip->saddr;
	p->proto = ip->protocol;
	hlen = ip->ihl * 4;
	/* Non-first fragments carry no L4 header; bad ihl means we cannot find it. */
	if (hlen < sizeof(*ip) || (ip->frag_off & bpf_htons(0x1fff)))
		return 0;
	rules_parse_ports(l3 + hlen, data_end, p);
	return 0;
}

static __always_inline int rules_v6_is_ext(__u8 nh)
{
	return nh == IPPROTO_HOPOPTS || nh == IPPROTO_ROUTING || nh == IPPROTO_DSTOPTS ||
	       nh == IPPROTO_FRAGMENT || nh == IPPROTO_AH;
}

/* A zero the verifier cannot tell from other numbers. Added to a header offset, it makes the
 * offset an unknown (bounded) value on every path, so the verifier checks what follows once
 * instead of once per path (per VLAN tag count, per extension header chain): program loads,
 * which the agent does whenever the engine's maps grow, take a fraction of the time. */
static __always_inline __u32 rules_blind_zero(__u32 x)
{
	__u32 a = x, b = x;

	asm volatile("" : "+r"(a));
	asm volatile("" : "+r"(b));
	return a - b;
}

/* Header chains past 16 KiB are treated as truncated (no frame carries one); the bound keeps
 * packet offsets below the verifier's 64 KiB limit. */
#define RULES_V6_OFF_MAX 0x3fff

static __always_inline int rules_parse_v6(void *l3, void *data_end, struct rules_pkt *p)
{
	struct ipv6hdr *ip6 = l3;
	__u32 off = sizeof(*ip6);
	__u8 nh;

	if ((void *)(ip6 + 1) > data_end || ip6->version != 6)
		return -1;
	p->family = 6;
	__builtin_memcpy(p->src8, &ip6->saddr, 16);
	nh = ip6->nexthdr;
	for (int i = 0; i < RULES_V6_EXT_MAX; i++) {
		__u8 *h;
		__u32 len;

		if (!rules_v6_is_ext(nh) || off > RULES_V6_OFF_MAX)
			break;
		/* The mask changes nothing after the test; it bounds the register clang uses. */
		h = l3 + (off & RULES_V6_OFF_MAX);
		if ((void *)(h + 8) > data_end)
			break;
		if (nh == IPPROTO_FRAGMENT) {
			__be16 frag = *(__be16 *)(h + 2);

			if (frag & bpf_htons(0xfff8)) {
				p->proto = h[0];
				return 0;
			}
			len = 8;
		} else if (nh == IPPROTO_AH) {
			len = (h[1] + 2) * 4;
		} else {
			len = (h[1] + 1) * 8;
		}
		nh = h[0];
		off += len + rules_blind_zero(h[1]);
	}
	/* Stopped on an extension header (truncated, or more than we follow): only port-less
	 * rules of proto `any` (or of this header's number) can match. */
	p->proto = nh;
	if (!rules_v6_is_ext(nh) && off <= RULES_V6_OFF_MAX)
		rules_parse_ports(l3 + (off & RULES_V6_OFF_MAX), data_end, p);
	return 0;
}

/* Ethernet header and at most two tags: 14..22 bytes. */
#define RULES_L3_OFF_MASK 0x3f

/* Returns 0 with p filled for IPv4/IPv6 frames whose source address is readable, -1 for
 * everything else (ARP, LLDP, truncated or malformed L2/L3), which the rules never judge. */
static __always_inline int rules_parse(struct xdp_md *ctx, struct rules_pkt *p)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u32 off = sizeof(*eth);
	__u16 proto;

	if ((void *)(eth + 1) > data_end)
		return -1;
	proto = eth->h_proto;
	for (int i = 0; i < RULES_VLAN_MAX; i++) {
		struct rules_vlan_hdr *vh = data + off;

		if (proto != bpf_htons(ETH_P_8021Q) && proto != bpf_htons(ETH_P_8021AD))
			break;
		if ((void *)(vh + 1) > data_end)
			return -1;
		proto = vh->proto;
		off += sizeof(*vh);
	}
	off = (off + rules_blind_zero(proto)) & RULES_L3_OFF_MASK;
	if (proto == bpf_htons(ETH_P_IP))
		return rules_parse_v4(data + off, data_end, p);
	if (proto == bpf_htons(ETH_P_IPV6))
		return rules_parse_v6(data + off, data_end, p);
	return -1;
}

#endif
