// SPDX-License-Identifier: GPL-2.0-only
/* Validation of rule specs: everything the data plane cannot express is refused here, before
 * any map changes, with the field named so AddRules can report INVALID_ARGUMENT precisely. */
#include "rules_spec.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array_size.h"

int rules_fail(struct rules_error *err, enum rules_field field, const char *fmt, ...)
{
	va_list ap;

	if (err) {
		err->field = field;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

const char *rules_field_name(enum rules_field f)
{
	static const char *const names[] = {
		[RULES_FIELD_RULE] = "rule",   [RULES_FIELD_ACTION] = "action", [RULES_FIELD_SRC] = "src",
		[RULES_FIELD_PROTO] = "proto", [RULES_FIELD_PORTS] = "ports",   [RULES_FIELD_LIMIT_PPS] = "limit_pps",
		[RULES_FIELD_ID] = "id",       [RULES_FIELD_MATCH] = "match",   [RULES_FIELD_SLOT] = "slot",
		[RULES_FIELD_STATE] = "state",
	};

	return (size_t)f < ARRAY_SIZE(names) && names[f] ? names[f] : "rule";
}

static const struct {
	const char *name;
	enum rules_action action;
} actions[] = {
	{ "drop", RULES_ACT_DROP },
	{ "allow", RULES_ACT_ALLOW },
	{ "limit", RULES_ACT_LIMIT },
	{ "monitor", RULES_ACT_MONITOR },
};

static const struct {
	const char *name;
	uint8_t proto;
} protos[] = {
	{ "any", 0 }, { "tcp", 6 }, { "udp", 17 }, { "icmp", 1 }, { "icmpv6", 58 },
};

int rules_parse_action(const char *s, enum rules_action *out)
{
	for (size_t i = 0; i < ARRAY_SIZE(actions); i++) {
		if (!strcmp(s, actions[i].name)) {
			*out = actions[i].action;
			return 0;
		}
	}
	return -EINVAL;
}

const char *rules_action_name(enum rules_action a)
{
	for (size_t i = 0; i < ARRAY_SIZE(actions); i++) {
		if (actions[i].action == a)
			return actions[i].name;
	}
	return "none";
}

int rules_parse_proto(const char *s, uint8_t *out)
{
	for (size_t i = 0; i < ARRAY_SIZE(protos); i++) {
		if (!strcmp(s, protos[i].name)) {
			*out = protos[i].proto;
			return 0;
		}
	}
	return -EINVAL;
}

const char *rules_proto_name(uint8_t proto)
{
	for (size_t i = 0; i < ARRAY_SIZE(protos); i++) {
		if (protos[i].proto == proto)
			return protos[i].name;
	}
	return "?";
}

static int parse_port(const char *s, const char *end, uint16_t *out)
{
	unsigned long v = 0;

	if (s == end)
		return -EINVAL;
	for (; s < end; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		v = v * 10 + (unsigned long)(*s - '0');
		if (v > 65535)
			return -ERANGE;
	}
	*out = (uint16_t)v;
	return 0;
}

int rules_parse_ports(const char *s, uint16_t *min, uint16_t *max)
{
	const char *dash = strchr(s, '-');
	const char *end = s + strlen(s);
	int err;

	err = parse_port(s, dash ? dash : end, min);
	if (err)
		return err;
	if (!dash) {
		*max = *min;
		return 0;
	}
	err = parse_port(dash + 1, end, max);
	if (err)
		return err;
	return *min <= *max ? 0 : -EINVAL;
}

int rules_spec_validate(const struct rules_spec *s, struct rules_error *err)
{
	if (s->action < RULES_ACT_ALLOW || s->action > RULES_ACT_MONITOR)
		return rules_fail(err, RULES_FIELD_ACTION, "action must be drop, allow, limit or monitor");
	if (s->proto != 0 && s->proto != 1 && s->proto != 6 && s->proto != 17 && s->proto != 58)
		return rules_fail(err, RULES_FIELD_PROTO, "protocol %u is not any, tcp, udp, icmp or icmpv6",
			    s->proto);
	if (s->has_src && s->proto == 1 && s->src.family == 6)
		return rules_fail(err, RULES_FIELD_PROTO, "icmp with an IPv6 source never matches: use icmpv6");
	if (s->has_src && s->proto == 58 && s->src.family == 4)
		return rules_fail(err, RULES_FIELD_PROTO, "icmpv6 with an IPv4 source never matches: use icmp");
	if (s->has_ports && s->proto != 6 && s->proto != 17)
		return rules_fail(err, RULES_FIELD_PORTS, "ports need proto tcp or udp (got %s)",
			    rules_proto_name(s->proto));
	if (s->has_ports && s->port_min > s->port_max)
		return rules_fail(err, RULES_FIELD_PORTS, "port range %u-%u is reversed", s->port_min, s->port_max);
	if (s->action == RULES_ACT_LIMIT &&
	    (s->limit_pps == 0 || s->limit_pps > RULES_LIMIT_PPS_MAX))
		return rules_fail(err, RULES_FIELD_LIMIT_PPS, "limit needs a pps budget of 1..%llu",
			    (unsigned long long)RULES_LIMIT_PPS_MAX);
	if (s->action != RULES_ACT_LIMIT && s->limit_pps)
		return rules_fail(err, RULES_FIELD_LIMIT_PPS, "a pps budget applies to limit rules only");
	return 0;
}

bool rules_spec_same(const struct rules_spec *a, const struct rules_spec *b)
{
	if (a->action != b->action || a->has_src != b->has_src || a->proto != b->proto ||
	    a->has_ports != b->has_ports || a->limit_pps != b->limit_pps)
		return false;
	if (a->has_src && !cidr_equal(&a->src, &b->src))
		return false;
	return !a->has_ports || (a->port_min == b->port_min && a->port_max == b->port_max);
}

bool rules_spec_matches(const struct rules_spec *s, const struct rules_packet *p)
{
	if (s->has_src && !cidr_contains_addr(&s->src, (unsigned)p->family, p->src))
		return false;
	if (s->proto && s->proto != p->proto)
		return false;
	if (s->has_ports)
		return p->has_ports && p->dport >= s->port_min && p->dport <= s->port_max;
	return true;
}

bool rules_spec_precedes(const struct rules_spec *a, uint32_t slot_a, const struct rules_spec *b, uint32_t slot_b)
{
	int pa = a->has_src ? a->src.plen : 0, pb = b->has_src ? b->src.plen : 0;
	int wa = a->has_ports ? a->port_max - a->port_min : 65536;
	int wb = b->has_ports ? b->port_max - b->port_min : 65536;

	if (a->action != b->action)
		return a->action < b->action;
	if (pa != pb)
		return pa > pb;
	if ((a->proto == 0) != (b->proto == 0))
		return a->proto != 0;
	if (wa != wb)
		return wa < wb;
	return slot_a < slot_b;
}
