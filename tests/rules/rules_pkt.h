/* SPDX-License-Identifier: GPL-2.0-only */
/* Test and bench frames for the rule engine: builds Ethernet/VLAN/IPv4/IPv6 frames with options,
 * fragments, extension headers and truncation, and says what the parser must make of them. */
#ifndef XDPFLEET_RULES_PKT_H
#define XDPFLEET_RULES_PKT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RULES_PKT_MAX 512

enum rules_pkt_l2 { RULES_PKT_IP, RULES_PKT_ARP, RULES_PKT_LLDP };

struct rules_pkt_spec {
	enum rules_pkt_l2 l2;
	int family;     /* 4 or 6 */
	int vlans;      /* tags before the IP header: 0..3 (3 is more than the parser follows) */
	uint8_t src[16];
	uint8_t proto;  /* L4 protocol */
	uint16_t dport;
	bool frag_first;    /* first fragment of several (ports present) */
	bool frag_nonfirst; /* later fragment (no ports) */
	int v4_opt_words;   /* IPv4 options, 4-byte words (0..10) */
	bool v4_bad_ihl;    /* ihl = 4 */
	bool bad_version;
	int v6_next;        /* extension headers before L4 (0..10), types from v6_ext[] */
	uint8_t v6_ext[10]; /* 0 hop-by-hop, 43 routing, 60 dest opts, 51 AH, 44 fragment */
	size_t truncate_to; /* 0: keep the whole frame */
};

/* What rules_parse() in bpf/rules_parse.bpf.h must produce. */
struct rules_pkt_meta {
	bool eval; /* false: not judged, passes */
	int family;
	uint8_t src[16];
	uint8_t proto;
	bool has_ports;
	uint16_t dport;
};

/* Writes the frame into buf (RULES_PKT_MAX bytes) and returns its length. */
size_t rules_pkt_build(const struct rules_pkt_spec *s, uint8_t *buf, struct rules_pkt_meta *m);

#endif
