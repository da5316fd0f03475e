/* SPDX-License-Identifier: GPL-2.0-only */
/* The oracle's reference matcher: the rule model written the slow, obvious way (every
 * rule checked against every packet), to compare the data plane against. */
#ifndef XDPFLEET_RULES_REF_H
#define XDPFLEET_RULES_REF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rules_spec.h"
#include "rules_pkt.h"

struct rules_ref_rule {
	uint32_t slot;
	struct rules_spec spec;
};

/* Token bucket state per (slot, source), as the kernel keeps it. */
struct rules_ref_bucket {
	uint32_t slot;
	int family;
	uint8_t src[16];
	uint64_t tokens, last_ns;
};

struct rules_ref {
	struct rules_ref_rule *rules;
	size_t n, cap;
	struct rules_ref_bucket *buckets;
	size_t nb, capb;
};

int rules_ref_add(struct rules_ref *r, uint32_t slot, const struct rules_spec *s);
void rules_ref_del(struct rules_ref *r, uint32_t slot);
void rules_ref_free(struct rules_ref *r);
/* Index of the winning rule in r->rules, or -1. */
long rules_ref_winner(const struct rules_ref *r, const struct rules_pkt_meta *m);
bool rules_ref_matches(const struct rules_spec *s, const struct rules_pkt_meta *m);

/* Limit verdict for a packet at now_ns: 1 pass, 0 drop, -1 too close to call (the caller takes
 * the kernel's answer and reports it with rules_ref_limit_settle). */
int rules_ref_limit(struct rules_ref *r, uint32_t slot, const struct rules_spec *s,
		    const struct rules_pkt_meta *m, uint64_t now_ns);
void rules_ref_limit_settle(struct rules_ref *r, uint32_t slot, const struct rules_pkt_meta *m,
			    bool passed);

#endif
