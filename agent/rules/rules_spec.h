/* Rule specs: what one drop/allow/limit/monitor rule matches, built from the wire fields or from
 * text and validated with errors naming the offending field. */
#ifndef XDPFLEET_RULES_SPEC_H
#define XDPFLEET_RULES_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cidr.h"
#include "xdpfleet_abi.h"

#define RULES_LIMIT_PPS_MAX 1000000000ULL

struct rules_spec {
	enum rules_action action;
	bool has_src; /* false: any source of either family */
	struct cidr src;
	uint8_t proto; /* IP protocol number: 0 any, 1 icmp, 6 tcp, 17 udp, 58 icmpv6 */
	bool has_ports;
	uint16_t port_min, port_max;
	uint64_t limit_pps; /* limit only */
};

/* Why a spec was refused: the field ("src", "proto", "port", "limit_pps", "action") and a
 * sentence for the operator. index is filled by batch callers. */
struct rules_error {
	size_t index;
	const char *field;
	char msg[192];
};

/* The fields of agent.proto's Rule/RuleMatch, enums as their wire numbers. */
struct rules_wire {
	uint32_t action; /* RuleAction */
	const char *src; /* "" or NULL: any */
	uint32_t proto;  /* Protocol */
	uint32_t port_min, port_max;
	uint64_t limit_pps;
};

int rules_spec_from_wire(const struct rules_wire *w, struct rules_spec *out,
			 struct rules_error *err);
/* Checks a spec built by hand; rules_spec_from_wire() already calls it. */
int rules_spec_validate(const struct rules_spec *s, struct rules_error *err);

/* Text forms used by the CLI and by listings. */
int rules_parse_action(const char *s, enum rules_action *out);
int rules_parse_proto(const char *s, uint8_t *out);
/* "80" or "1000-2000". */
int rules_parse_ports(const char *s, uint16_t *min, uint16_t *max);
const char *rules_action_name(enum rules_action a);
const char *rules_proto_name(uint8_t proto);
/* Wire enums <-> engine values; -EINVAL for unknown numbers. */
int rules_action_from_wire(uint32_t wire, enum rules_action *out);
uint32_t rules_action_to_wire(enum rules_action a);
int rules_proto_from_wire(uint32_t wire, uint8_t *out);
uint32_t rules_proto_to_wire(uint8_t proto);
/* What a rule looks at in a packet. */
struct rules_packet {
	int family; /* 4 or 6 */
	uint8_t src[16]; /* network order; IPv4 in the first 4 bytes */
	uint8_t proto;
	bool has_ports;
	uint16_t dport;
};

/* True if the rule matches the packet. */
bool rules_spec_matches(const struct rules_spec *s, const struct rules_packet *p);
/* True if rule a (in slot_a) decides before rule b when both match: allow > drop > limit >
 * monitor, then the longer prefix, a protocol over any, the narrower port range, the lower slot.
 * The data plane implements the same order; the correctness oracle checks that it does. */
bool rules_spec_precedes(const struct rules_spec *a, uint32_t slot_a, const struct rules_spec *b, uint32_t slot_b);

/* True if both specs match the same traffic with the same action (limit: same budget too). */
bool rules_spec_same(const struct rules_spec *a, const struct rules_spec *b);

#endif
