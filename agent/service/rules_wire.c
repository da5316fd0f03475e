// SPDX-License-Identifier: GPL-2.0-only
/* Rule specs from and to agent.proto's messages, with the generated enum constants. */
#include <errno.h>

#include "array_size.h"
#include "rules_wire.h"

static const struct {
	uint32_t wire;
	enum rules_action action;
} actions[] = {
	{ XDPFLEET__V1__RULE_ACTION__RULE_ACTION_DROP, RULES_ACT_DROP },
	{ XDPFLEET__V1__RULE_ACTION__RULE_ACTION_ALLOW, RULES_ACT_ALLOW },
	{ XDPFLEET__V1__RULE_ACTION__RULE_ACTION_LIMIT, RULES_ACT_LIMIT },
	{ XDPFLEET__V1__RULE_ACTION__RULE_ACTION_MONITOR, RULES_ACT_MONITOR },
};

static const struct {
	uint32_t wire;
	uint8_t proto;
} protos[] = {
	{ XDPFLEET__V1__PROTOCOL__PROTOCOL_ANY, 0 },    { XDPFLEET__V1__PROTOCOL__PROTOCOL_TCP, 6 },
	{ XDPFLEET__V1__PROTOCOL__PROTOCOL_UDP, 17 },   { XDPFLEET__V1__PROTOCOL__PROTOCOL_ICMP, 1 },
	{ XDPFLEET__V1__PROTOCOL__PROTOCOL_ICMPV6, 58 },
};

int rules_wire_action(uint32_t wire, enum rules_action *out)
{
	for (size_t i = 0; i < ARRAY_SIZE(actions); i++) {
		if (actions[i].wire == wire) {
			*out = actions[i].action;
			return 0;
		}
	}
	return -EINVAL;
}

uint32_t rules_wire_from_action(enum rules_action a)
{
	for (size_t i = 0; i < ARRAY_SIZE(actions); i++)
		if (actions[i].action == a)
			return actions[i].wire;
	return XDPFLEET__V1__RULE_ACTION__RULE_ACTION_UNSPECIFIED;
}

int rules_wire_proto(uint32_t wire, uint8_t *out)
{
	for (size_t i = 0; i < ARRAY_SIZE(protos); i++) {
		if (protos[i].wire == wire) {
			*out = protos[i].proto;
			return 0;
		}
	}
	return -EINVAL;
}

uint32_t rules_wire_from_proto(uint8_t proto)
{
	for (size_t i = 0; i < ARRAY_SIZE(protos); i++)
		if (protos[i].proto == proto)
			return protos[i].wire;
	return XDPFLEET__V1__PROTOCOL__PROTOCOL_ANY;
}

int rules_wire_to_spec(const Xdpfleet__V1__RuleMatch *m, uint32_t action, uint64_t limit_pps,
		       struct rules_spec *out, struct rules_error *err)
{
	struct rules_spec s = { .limit_pps = limit_pps };
	const char *why = NULL;

	if (rules_wire_action(action, &s.action))
		return rules_fail(err, RULES_FIELD_ACTION, "unknown action %u", action);
	if (m && rules_wire_proto(m->proto, &s.proto))
		return rules_fail(err, RULES_FIELD_PROTO, "unknown protocol %u", m->proto);
	if (m && m->src && *m->src) {
		if (cidr_parse(m->src, NULL, &s.src, &why))
			return rules_fail(err, RULES_FIELD_SRC, "bad source prefix \"%.64s\": %s", m->src,
					  why ? why : "not a prefix");
		s.has_src = true;
	}
	if (m && (m->port_min > 65535 || m->port_max > 65535))
		return rules_fail(err, RULES_FIELD_PORTS, "ports must be 0..65535");
	if (m && (m->port_min || m->port_max)) {
		s.has_ports = true;
		s.port_min = (uint16_t)m->port_min;
		s.port_max = (uint16_t)(m->port_max ? m->port_max : m->port_min);
	}
	if (rules_spec_validate(&s, err))
		return -EINVAL;
	*out = s;
	return 0;
}

const char *rules_wire_field(enum rules_field f, bool in_match)
{
	switch (f) {
	case RULES_FIELD_ACTION:
		return "action";
	case RULES_FIELD_SRC:
		return in_match ? "src" : "match.src";
	case RULES_FIELD_PROTO:
		return in_match ? "proto" : "match.proto";
	case RULES_FIELD_PORTS:
		return in_match ? "port_min" : "match.port_min";
	case RULES_FIELD_LIMIT_PPS:
		return "limit_pps";
	default:
		return "rule";
	}
}
