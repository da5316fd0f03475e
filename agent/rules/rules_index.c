// SPDX-License-Identifier: GPL-2.0-only
/* The rule set's indexes: compact rule records by slot, and per family the distinct prefixes
 * sorted by (address, length) with their rules chained through the slots, so "the prefix P"
 * and "everything inside P" are binary searches. */
#include "rules_engine.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void rules_spec_to_rule(const struct rules_spec *s, struct rules_rule *r)
{
	memset(r, 0, sizeof(*r));
	if (s->has_src) {
		r->fam = s->src.family == 4 ? RULES_FAM_V4 : RULES_FAM_V6;
		r->plen = s->src.plen;
		memcpy(r->addr, s->src.addr, 16);
	}
	r->action = (uint8_t)s->action;
	r->proto = s->proto;
	if (s->has_ports) {
		r->flags |= RULES_R_PORTS;
		r->port_min = s->port_min;
		r->port_max = s->port_max;
	}
	/* Validation caps budgets at 1e9, which fits. */
	r->limit_pps = (uint32_t)s->limit_pps;
	r->next = RULES_SLOT_NONE;
}

void rules_rule_to_spec(const struct rules_rule *r, struct rules_spec *s)
{
	memset(s, 0, sizeof(*s));
	s->action = (enum rules_action)r->action;
	s->has_src = r->fam != RULES_FAM_ANY;
	if (s->has_src) {
		s->src.family = r->fam == RULES_FAM_V4 ? 4 : 6;
		s->src.plen = r->plen;
		memcpy(s->src.addr, r->addr, 16);
	}
	s->proto = r->proto;
	s->has_ports = r->flags & RULES_R_PORTS;
	if (s->has_ports) {
		s->port_min = r->port_min;
		s->port_max = r->port_max;
	}
	s->limit_pps = r->limit_pps;
}

/* Same prefix assumed (the caller walks one prefix's chain): rules_spec_same() on the rest. */
bool rules_rule_same(const struct rules_rule *a, const struct rules_rule *b)
{
	if (a->action != b->action || a->proto != b->proto || a->limit_pps != b->limit_pps ||
	    (a->flags & RULES_R_PORTS) != (b->flags & RULES_R_PORTS))
		return false;
	return !(a->flags & RULES_R_PORTS) || (a->port_min == b->port_min && a->port_max == b->port_max);
}

void rules_pfx_note_one(struct rules_pfx *p, const struct rules_rule *r)
{
	p->lone = (uint8_t)(RULES_LONE | (r->action & RULES_LONE_ACT) |
			    (!r->proto && !(r->flags & RULES_R_PORTS) ? RULES_LONE_PLAIN : 0));
}

void rules_pfx_note(const struct rules_engine *e, struct rules_pfx *p)
{
	const struct rules_rule *r = p->head != RULES_SLOT_NONE ? &e->rules[p->head] : NULL;

	p->lone = 0;
	if (r && r->next == RULES_SLOT_NONE)
		rules_pfx_note_one(p, r);
}

void rules_pfx_of(const struct rules_rule *r, struct rules_pfx *out)
{
	memset(out, 0, sizeof(*out));
	out->fam = r->fam;
	out->plen = r->plen;
	memcpy(out->addr, r->addr, 16);
	out->head = RULES_SLOT_NONE;
}

/* Addresses compare as two big-endian words: no memcmp call in the hot searches. */
static inline uint64_t be64_at(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return __builtin_bswap64(v);
}

int rules_addr_cmp(const uint8_t *a, const uint8_t *b)
{
	uint64_t x = be64_at(a), y = be64_at(b);

	if (x == y) {
		x = be64_at(a + 8);
		y = be64_at(b + 8);
	}
	return (x > y) - (x < y);
}

int rules_pfx_cmp(const struct rules_pfx *a, const struct rules_pfx *b)
{
	int c = rules_addr_cmp(a->addr, b->addr);

	return c ? c : (int)a->plen - (int)b->plen;
}

static size_t lower_bound(const struct rules_pfx *v, size_t n, const struct rules_pfx *p)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (rules_pfx_cmp(&v[mid], p) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

long rules_pfx_find(const struct rules_engine *e, const struct rules_pfx *p, size_t *at)
{
	const struct rules_pfxv *s = &e->sorted[p->fam];
	size_t i = lower_bound(s->v, s->n, p);

	if (at)
		*at = i;
	return i < s->n && !rules_pfx_cmp(&s->v[i], p) ? (long)i : -1;
}

/* The first index in [from, n) whose element is not below k (before(elem) false): galloping
 * from `from`, so walking blocks in address order costs O(log distance) per block. */
static size_t gallop(const struct rules_pfx *v, size_t from, size_t n, const void *k,
		     bool (*before)(const struct rules_pfx *, const void *))
{
	size_t lo = from, step = 1, hi;

	while (lo + step < n && before(&v[lo + step], k)) {
		lo += step;
		step *= 2;
	}
	hi = lo + step < n ? lo + step + 1 : n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (before(&v[mid], k))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static bool below_pfx(const struct rules_pfx *e, const void *k)
{
	return rules_pfx_cmp(e, k) < 0;
}

static bool not_after(const struct rules_pfx *e, const void *last)
{
	return rules_addr_cmp(e->addr, last) <= 0;
}

void rules_pfx_inside(const struct rules_pfx *v, size_t n, const uint8_t *addr, unsigned plen,
		      unsigned width, size_t *lo, size_t *hi)
{
	struct rules_pfx k = { .plen = (uint8_t)(plen + 1) };
	uint8_t last[16];

	memcpy(k.addr, addr, 16);
	memcpy(last, addr, 16);
	for (unsigned bit = plen; bit < width; bit++)
		last[bit / 8] |= (uint8_t)(0x80 >> (bit % 8));
	*lo = gallop(v, 0, n, &k, below_pfx);
	*hi = gallop(v, *lo, n, last, not_after);
}

/* Merges from the back so it works in place after one realloc. */
static int merge(struct rules_pfxv *s, const struct rules_pfx *add, size_t k)
{
	struct rules_pfx *nv = realloc(s->v, (s->n + k) * sizeof(*nv));
	size_t a = s->n, b = k, out = s->n + k;

	if (!nv)
		return -ENOMEM;
	s->v = nv;
	while (b > 0) {
		if (a > 0 && rules_pfx_cmp(&s->v[a - 1], &add[b - 1]) > 0)
			s->v[--out] = s->v[--a];
		else
			s->v[--out] = add[--b];
	}
	s->n += k;
	return 0;
}

int rules_pfx_insert(struct rules_engine *e, const struct rules_pfx *add, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t j = i;
		int err;

		while (j < n && add[j].fam == add[i].fam)
			j++;
		err = merge(&e->sorted[add[i].fam], add + i, j - i);
		if (err)
			return err;
		for (size_t k = i; k < j; k++)
			e->plen_use[add[k].fam][add[k].plen]++;
		i = j;
	}
	return 0;
}

/* Drops the prefixes of fam left without rules, from index from on (none lies before it). */
static void compact_from(struct rules_engine *e, int f, size_t from)
{
	struct rules_pfxv *s = &e->sorted[f];
	size_t w = from;

	for (size_t r = from; r < s->n; r++) {
		if (s->v[r].head == RULES_SLOT_NONE)
			e->plen_use[f][s->v[r].plen]--;
		else
			s->v[w++] = s->v[r];
	}
	if (w == s->n)
		return;
	s->n = w;
	if (!w) {
		free(s->v);
		s->v = NULL;
	} else {
		struct rules_pfx *nv = realloc(s->v, w * sizeof(*nv));

		if (nv)
			s->v = nv;
	}
}

void rules_pfx_compact_gone(struct rules_engine *e, const struct rules_pfx *gone, size_t n)
{
	size_t from[3] = { SIZE_MAX, SIZE_MAX, SIZE_MAX };

	/* A delete empties few prefixes of a million: look from the first of them on only. */
	for (size_t i = 0; i < n; i++) {
		size_t at;

		rules_pfx_find(e, &gone[i], &at);
		if (at < from[gone[i].fam])
			from[gone[i].fam] = at;
	}
	for (int f = 0; f < 3; f++)
		if (from[f] != SIZE_MAX)
			compact_from(e, f, from[f]);
}

void rules_pfx_compact(struct rules_engine *e)
{
	for (int f = 0; f < 3; f++)
		compact_from(e, f, 0);
}

/* Grows by a quarter at least, so rules added one by one do not copy the array each time. */
int rules_slots_reserve(struct rules_engine *e, uint32_t need)
{
	uint64_t cap = e->rules_cap + e->rules_cap / 4 + 64;
	struct rules_rule *nr;

	if (need <= e->rules_cap)
		return 0;
	if (cap < need)
		cap = need;
	if (cap > e->max_rules)
		cap = e->max_rules;
	nr = realloc(e->rules, cap * sizeof(*nr));
	if (!nr)
		return -ENOMEM;
	memset(nr + e->rules_cap, 0, (cap - e->rules_cap) * sizeof(*nr));
	e->rules = nr;
	e->rules_cap = (uint32_t)cap;
	return 0;
}

bool rules_slot_dirty(const struct rules_engine *e, uint32_t slot)
{
	return slot < e->dirty_cap && (e->dirty_slots[slot / 64] >> (slot % 64) & 1);
}

int rules_slot_set_dirty(struct rules_engine *e, uint32_t slot, bool dirty)
{
	if (slot >= e->dirty_cap) {
		uint32_t cap = (slot / 64 + 1) * 64 * 2, words = cap / 64, old = e->dirty_cap / 64;
		uint64_t *nb;

		if (!dirty)
			return 0;
		nb = realloc(e->dirty_slots, words * sizeof(*nb));
		if (!nb)
			return -ENOMEM;
		memset(nb + old, 0, (words - old) * sizeof(*nb));
		e->dirty_slots = nb;
		e->dirty_cap = cap;
	}
	if (dirty)
		e->dirty_slots[slot / 64] |= 1ULL << (slot % 64);
	else
		e->dirty_slots[slot / 64] &= ~(1ULL << (slot % 64));
	return 0;
}
