/* Rule lists ("entries") shared by every block with the same applicable rules: interned by
 * content, reference-counted by the blocks pointing at them, ids recycled when unused. */
#define _GNU_SOURCE
#include "rules_engine.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int rules_entries_init(struct rules_engine *e)
{
	size_t n = e->max_entries;

	e->entries = calloc(n, sizeof(*e->entries));
	e->refs = calloc(n, sizeof(*e->refs));
	e->free_eids = malloc(n * sizeof(*e->free_eids));
	if (!e->entries || !e->refs || !e->free_eids)
		return -ENOMEM;
	e->nfree_eids = 0;
	for (size_t id = n; id-- > RULES_ENTRY_FIRST_FREE;)
		e->free_eids[e->nfree_eids++] = (uint32_t)id;
	return htab_init(&e->intern, sizeof(uint64_t), 1024);
}

void rules_entries_free(struct rules_engine *e)
{
	free(e->entries);
	free(e->refs);
	free(e->free_eids);
	htab_free(&e->intern);
}

/* Precedence: action (allow first), then the most specific rule: longer prefix, a protocol
 * over any, a narrower port range; the lower slot breaks remaining ties. */
static int cmp_slots(const void *a, const void *b, void *arg)
{
	const struct rules_engine *e = arg;
	uint32_t sa = *(const uint32_t *)a, sb = *(const uint32_t *)b;
	const struct rules_spec *x = &e->rules[sa].spec, *y = &e->rules[sb].spec;
	int px = x->has_src ? x->src.plen : 0, py = y->has_src ? y->src.plen : 0;
	int wx = x->has_ports ? x->port_max - x->port_min : 65536;
	int wy = y->has_ports ? y->port_max - y->port_min : 65536;

	if (x->action != y->action)
		return (int)x->action - (int)y->action;
	if (px != py)
		return py - px;
	if ((x->proto == 0) != (y->proto == 0))
		return x->proto == 0 ? 1 : -1;
	if (wx != wy)
		return wx - wy;
	return sa < sb ? -1 : sa > sb;
}

void rules_sort_slots(const struct rules_engine *e, uint32_t *slots, uint32_t n)
{
	qsort_r(slots, n, sizeof(*slots), cmp_slots, (void *)e);
}

static uint64_t content_hash(const struct rules_entry *en)
{
	return hash_bytes(en, sizeof(en->n) + en->n * sizeof(en->slot[0]));
}

static bool same(const struct rules_entry *a, const struct rules_entry *b)
{
	return a->n == b->n && !memcmp(a->slot, b->slot, a->n * sizeof(a->slot[0]));
}

int rules_entries_intern(struct rules_engine *e, uint32_t *slots, uint32_t n, uint32_t *id,
			 struct vec *fresh)
{
	struct rules_entry en = { 0 };
	uint64_t h, *hit;
	uint32_t nid;
	int err;

	if (n == 0) {
		*id = RULES_ENTRY_EMPTY;
		return 0;
	}
	if (n > RULES_MAX_PER_ENTRY)
		return -E2BIG;
	rules_sort_slots(e, slots, n);
	en.n = n;
	memcpy(en.slot, slots, n * sizeof(*slots));
	h = content_hash(&en);
	hit = htab_get(&e->intern, &h);
	if (hit && same(&e->entries[*hit], &en)) {
		*id = (uint32_t)*hit;
		return 0;
	}
	if (!e->nfree_eids)
		return -ENOSPC;
	nid = e->free_eids[--e->nfree_eids];
	e->entries[nid] = en;
	e->refs[nid] = 0;
	/* On a (64-bit) hash collision the entry simply stays uninterned: correct, unshared. */
	err = hit ? 0 : htab_put(&e->intern, &h, nid);
	if (!err)
		err = vec_push(fresh, &nid);
	if (err) {
		e->free_eids[e->nfree_eids++] = nid;
		return err;
	}
	*id = nid;
	return 0;
}

void rules_entries_ref(struct rules_engine *e, uint32_t id)
{
	if (id >= RULES_ENTRY_FIRST_FREE)
		e->refs[id]++;
}

static void release(struct rules_engine *e, uint32_t id)
{
	uint64_t h = content_hash(&e->entries[id]);
	uint64_t *hit = htab_get(&e->intern, &h);

	if (hit && *hit == id)
		htab_del(&e->intern, &h);
	e->free_eids[e->nfree_eids++] = id;
}

void rules_entries_unref(struct rules_engine *e, uint32_t id)
{
	if (id < RULES_ENTRY_FIRST_FREE)
		return;
	if (e->refs[id] && --e->refs[id] == 0)
		release(e, id);
}

void rules_entries_discard(struct rules_engine *e, const struct vec *fresh)
{
	for (size_t i = 0; i < fresh->n; i++)
		release(e, *(uint32_t *)vec_at(fresh, i));
}
