// SPDX-License-Identifier: GPL-2.0-only
/* Linear-scan reference of the filter program's choice, built on rules_spec_matches() and
 * rules_spec_precedes(): the same two functions answer TestRule, so the oracle tests, which hold
 * the program to this scan, hold TestRule's answers to the program too. */
#include "rules_ref.h"

#include <stdlib.h>
#include <string.h>

#include "cidr.h"

int rules_ref_add(struct rules_ref *r, uint32_t slot, const struct rules_spec *s)
{
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 256;
		void *p = realloc(r->rules, cap * sizeof(*r->rules));

		if (!p)
			return -1;
		r->rules = p;
		r->cap = cap;
	}
	r->rules[r->n].slot = slot;
	r->rules[r->n].spec = *s;
	r->n++;
	return 0;
}

/* Deleting a limit rule drops its buckets, as rules_compile_delete() does in the kernel. */
void rules_ref_del(struct rules_ref *r, uint32_t slot)
{
	for (size_t i = 0; i < r->nb;) {
		if (r->buckets[i].slot == slot)
			r->buckets[i] = r->buckets[--r->nb];
		else
			i++;
	}
	for (size_t i = 0; i < r->n; i++) {
		if (r->rules[i].slot == slot) {
			r->rules[i] = r->rules[--r->n];
			return;
		}
	}
}

void rules_ref_free(struct rules_ref *r)
{
	free(r->rules);
	free(r->buckets);
	memset(r, 0, sizeof(*r));
}

static struct rules_packet packet_of(const struct rules_pkt_meta *m)
{
	struct rules_packet p = { .family = m->family, .proto = m->proto, .has_ports = m->has_ports,
				  .dport = m->dport };

	memcpy(p.src, m->src, sizeof(p.src));
	return p;
}

bool rules_ref_matches(const struct rules_spec *s, const struct rules_pkt_meta *m)
{
	struct rules_packet p = packet_of(m);

	return rules_spec_matches(s, &p);
}

static bool better(const struct rules_ref_rule *a, const struct rules_ref_rule *b)
{
	return rules_spec_precedes(&a->spec, a->slot, &b->spec, b->slot);
}

long rules_ref_winner(const struct rules_ref *r, const struct rules_pkt_meta *m)
{
	long best = -1;

	if (!m->eval)
		return -1;
	for (size_t i = 0; i < r->n; i++) {
		if (rules_ref_matches(&r->rules[i].spec, m) &&
		    (best < 0 || better(&r->rules[i], &r->rules[best])))
			best = (long)i;
	}
	return best;
}

static struct rules_ref_bucket *bucket(struct rules_ref *r, uint32_t slot,
				       const struct rules_pkt_meta *m, bool create)
{
	for (size_t i = 0; i < r->nb; i++) {
		struct rules_ref_bucket *b = &r->buckets[i];

		if (b->slot == slot && b->family == m->family && !memcmp(b->src, m->src, 16))
			return b;
	}
	if (!create)
		return NULL;
	if (r->nb == r->capb) {
		size_t cap = r->capb ? r->capb * 2 : 64;
		void *p = realloc(r->buckets, cap * sizeof(*r->buckets));

		if (!p)
			return NULL;
		r->buckets = p;
		r->capb = cap;
	}
	memset(&r->buckets[r->nb], 0, sizeof(r->buckets[0]));
	r->buckets[r->nb].slot = slot;
	r->buckets[r->nb].family = m->family;
	memcpy(r->buckets[r->nb].src, m->src, 16);
	r->buckets[r->nb].last_ns = 0;
	return &r->buckets[r->nb++];
}

#define UNIT 1000000000ULL
#define SLACK_NS 3000000ULL

static uint64_t refill(const struct rules_ref_bucket *b, uint64_t pps, uint64_t now)
{
	uint64_t elapsed = now > b->last_ns ? now - b->last_ns : 0, t;

	if (elapsed > UNIT)
		elapsed = UNIT;
	t = b->tokens + elapsed * pps;
	return t > pps * UNIT ? pps * UNIT : t;
}

int rules_ref_limit(struct rules_ref *r, uint32_t slot, const struct rules_spec *s,
		    const struct rules_pkt_meta *m, uint64_t now_ns)
{
	struct rules_ref_bucket *b = bucket(r, slot, m, false);
	uint64_t lo, hi;

	if (!b) {
		b = bucket(r, slot, m, true);
		b->tokens = s->limit_pps * UNIT;
		b->last_ns = now_ns;
		return 1;
	}
	lo = refill(b, s->limit_pps, now_ns > SLACK_NS ? now_ns - SLACK_NS : 0);
	hi = refill(b, s->limit_pps, now_ns + SLACK_NS);
	b->tokens = refill(b, s->limit_pps, now_ns);
	b->last_ns = now_ns;
	if ((lo >= UNIT) != (hi >= UNIT))
		return -1;
	return lo >= UNIT;
}

void rules_ref_limit_settle(struct rules_ref *r, uint32_t slot, const struct rules_pkt_meta *m,
			    bool passed)
{
	struct rules_ref_bucket *b = bucket(r, slot, m, false);

	if (!b)
		return;
	if (passed)
		b->tokens = b->tokens >= UNIT ? b->tokens - UNIT : 0;
}
