/* The rule set's indexes: slots, rules per exact prefix (a linked list through the slots), and
 * per-family sorted prefixes for "what lies inside P" queries. */
#include "rules_engine.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void rules_pfx_of(const struct rules_spec *s, struct rules_pfx *out)
{
	memset(out, 0, sizeof(*out));
	if (!s->has_src)
		return;
	out->fam = s->src.family == 4 ? RULES_FAM_V4 : RULES_FAM_V6;
	out->plen = s->src.plen;
	memcpy(out->addr, s->src.addr, 16);
}

uint32_t rules_index_head(const struct rules_engine *e, const struct rules_pfx *p)
{
	uint64_t *v = htab_get(&e->pfx, p);

	return v ? (uint32_t)*v : RULES_SLOT_NONE;
}

int rules_index_link(struct rules_engine *e, uint32_t slot, bool *new_pfx)
{
	struct rules_rule *r = &e->rules[slot];
	struct rules_pfx p;
	uint64_t *head;

	rules_pfx_of(&r->spec, &p);
	head = htab_get(&e->pfx, &p);
	*new_pfx = !head;
	if (head) {
		r->next = (uint32_t)*head;
		*head = slot;
		return 0;
	}
	r->next = RULES_SLOT_NONE;
	e->plen_use[p.fam][p.plen]++;
	return htab_put(&e->pfx, &p, slot);
}

void rules_index_unlink(struct rules_engine *e, uint32_t slot, bool *gone_pfx)
{
	struct rules_rule *r = &e->rules[slot];
	struct rules_pfx p;
	uint64_t *head;
	uint32_t *link, s;

	rules_pfx_of(&r->spec, &p);
	head = htab_get(&e->pfx, &p);
	*gone_pfx = false;
	if (!head)
		return;
	s = (uint32_t)*head;
	if (s == slot) {
		if (r->next == RULES_SLOT_NONE) {
			htab_del(&e->pfx, &p);
			e->plen_use[p.fam][p.plen]--;
			*gone_pfx = true;
		} else {
			*head = r->next;
		}
		return;
	}
	for (link = &e->rules[s].next; *link != RULES_SLOT_NONE; link = &e->rules[*link].next) {
		if (*link == slot) {
			*link = r->next;
			return;
		}
	}
}

int rules_pfx_cmp(const struct rules_pfx *a, const struct rules_pfx *b)
{
	int c = memcmp(a->addr, b->addr, 16);

	if (c)
		return c;
	return (int)a->plen - (int)b->plen;
}

static int cmp_void(const void *a, const void *b)
{
	const struct rules_pfx *x = a, *y = b;

	if (x->fam != y->fam)
		return (int)x->fam - (int)y->fam;
	return rules_pfx_cmp(x, y);
}

/* Merges the new prefixes (not yet present) into each family's sorted array. */
int rules_sorted_insert(struct rules_engine *e, struct vec *pfxs)
{
	struct rules_pfx *add = pfxs->v;
	size_t i = 0;

	if (!pfxs->n)
		return 0;
	qsort(add, pfxs->n, sizeof(*add), cmp_void);
	while (i < pfxs->n) {
		struct rules_pfx_sorted *s = &e->sorted[add[i].fam];
		size_t j = i, k, a, b, out;
		struct rules_pfx *nv;

		while (j < pfxs->n && add[j].fam == add[i].fam)
			j++;
		k = j - i;
		if (s->n + k > s->cap) {
			size_t cap = s->cap ? s->cap : 1024;

			while (cap < s->n + k)
				cap *= 2;
			nv = realloc(s->v, cap * sizeof(*nv));
			if (!nv)
				return -ENOMEM;
			s->v = nv;
			s->cap = cap;
		}
		/* Merge from the back so it works in place. */
		a = s->n;
		b = k;
		out = s->n + k;
		while (b > 0) {
			if (a > 0 && rules_pfx_cmp(&s->v[a - 1], &add[i + b - 1]) > 0)
				s->v[--out] = s->v[--a];
			else
				s->v[--out] = add[i + --b];
		}
		s->n += k;
		i = j;
	}
	return 0;
}

static bool sorted_find(const struct rules_pfx_sorted *s, const struct rules_pfx *p, size_t *at)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (rules_pfx_cmp(&s->v[mid], p) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*at = lo;
	return lo < s->n && rules_pfx_cmp(&s->v[lo], p) == 0;
}

void rules_sorted_remove(struct rules_engine *e, struct vec *pfxs)
{
	struct rules_pfx *del = pfxs->v;

	if (!pfxs->n)
		return;
	qsort(del, pfxs->n, sizeof(*del), cmp_void);
	for (size_t f = 0; f < 3; f++) {
		struct rules_pfx_sorted *s = &e->sorted[f];
		size_t w = 0, d = 0;

		while (d < pfxs->n && del[d].fam != f)
			d++;
		for (size_t r = 0; r < s->n; r++) {
			while (d < pfxs->n && del[d].fam == f && rules_pfx_cmp(&del[d], &s->v[r]) < 0)
				d++;
			if (d < pfxs->n && del[d].fam == f && !rules_pfx_cmp(&del[d], &s->v[r]))
				continue;
			s->v[w++] = s->v[r];
		}
		s->n = w;
	}
}

void rules_sorted_range(const struct rules_engine *e, const struct rules_pfx *p, size_t *begin,
			size_t *end)
{
	const struct rules_pfx_sorted *s = &e->sorted[p->fam];
	uint8_t last[16];
	size_t lo, hi;

	sorted_find(s, p, begin);
	memcpy(last, p->addr, 16);
	for (unsigned bit = p->plen; bit < 128; bit++)
		last[bit / 8] |= (uint8_t)(0x80 >> (bit % 8));
	lo = *begin;
	hi = s->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (memcmp(s->v[mid].addr, last, 16) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*end = lo;
}
