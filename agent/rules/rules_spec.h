/* SPDX-License-Identifier: GPL-2.0-only */
/* Rule specs: what one drop/allow/limit/monitor rule matches, their text forms, and validation
 * with errors naming the offending field. The wire forms are the service layer's (rules_wire.h). */
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

/* Which part of a rule, or of a batch of them, an error is about. The service layer turns it
 * into the request's field path (rules[3].match.src), logs into rules_field_name(). */
enum rules_field {
	RULES_FIELD_RULE = 0, /* the rule (or batch) as a whole */
	RULES_FIELD_ACTION,
	RULES_FIELD_SRC,
	RULES_FIELD_PROTO,
	RULES_FIELD_PORTS,
	RULES_FIELD_LIMIT_PPS,
	RULES_FIELD_ID,      /* a rule id to delete */
	RULES_FIELD_MATCH,   /* a match to delete by */
	RULES_FIELD_SLOT,    /* a restore's slot */
	RULES_FIELD_STATE,   /* the rules store */
};

const char *rules_field_name(enum rules_field f);

/* Why a spec or a batch was refused: the field and a sentence for the operator. index is
 * filled by batch callers. */
struct rules_error {
	size_t index;
	enum rules_field field;
	char msg[192];
};

/* Fills err (may be NULL) and returns -EINVAL. */
int rules_fail(struct rules_error *err, enum rules_field field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Checks a spec: everything the data plane cannot express is refused, naming the field. */
int rules_spec_validate(const struct rules_spec *s, struct rules_error *err);

/* Text forms used by the CLI and by listings. */
int rules_parse_action(const char *s, enum rules_action *out);
int rules_parse_proto(const char *s, uint8_t *out);
/* "80" or "1000-2000". */
int rules_parse_ports(const char *s, uint16_t *min, uint16_t *max);
const char *rules_action_name(enum rules_action a);
const char *rules_proto_name(uint8_t proto);
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
