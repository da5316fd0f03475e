/* SPDX-License-Identifier: GPL-2.0-only */
/* Rules between the wire (agent.proto's Rule, RuleMatch and enums) and the engine's specs: the
 * one place that knows both, so the engine never sees protobuf and the numbers never drift. */
#ifndef XDPFLEET_RULES_WIRE_H
#define XDPFLEET_RULES_WIRE_H

#include <stdint.h>

#include "rules_spec.h"
#include "xdpfleet/v1/agent.pb-c.h"

/* A match (NULL: any source, any protocol) with an action and budget into a validated spec;
 * -EINVAL with err naming the field. */
int rules_wire_to_spec(const Xdpfleet__V1__RuleMatch *m, uint32_t action, uint64_t limit_pps,
		       struct rules_spec *out, struct rules_error *err);
/* Enums; -EINVAL for numbers the proto does not define (UNSPECIFIED is not an action). */
int rules_wire_action(uint32_t wire, enum rules_action *out);
uint32_t rules_wire_from_action(enum rules_action a);
int rules_wire_proto(uint32_t wire, uint8_t *out);
uint32_t rules_wire_from_proto(uint8_t proto);
/* The field's path inside one Rule ("match.src", "limit_pps"); in_match: inside a RuleMatch
 * ("src"), as DeleteRules' matches are. */
const char *rules_wire_field(enum rules_field f, bool in_match);

#endif
