// SPDX-License-Identifier: GPL-2.0-only
/* Leaf words: no rule, one rule (its slot, so the packet needs no list), or a list shared by
 * every block with the same applicable rules, interned by content and counted by the trie words
 * pointing at it. */
#include "rules_engine.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int rules_store_init(struct rules_store *s)
{
	memset(s, 0, sizeof(*s));
	rules_pool_init(&s->bnodes, RULES_BNODE_FIRST_FREE);
	rules_pool_init(&s->cnodes, 0);
	rules_pool_init(&s->lists, RULES_LIST_FIRST_FREE);
	return htab_init(&s->intern, sizeof(uint64_t), 64);
}

void rules_store_free(struct rules_store *s)
{
	rules_pool_free_all(&s->bnodes);
	rules_pool_free_all(&s->cnodes);
	rules_pool_free_all(&s->lists);
	free(s->refs);
	htab_free(&s->intern);
	memset(s, 0, sizeof(*s));
}

/* Precedence: action (allow first), then the most specific rule: longer prefix, a protocol
 * over any, a narrower port range; the lower slot breaks remaining ties. */
static int cmp_slots(const struct rules_engine *e, uint32_t sa, uint32_t sb)
{
	const struct rules_rule *x = &e->rules[sa], *y = &e->rules[sb];
	int wx = x->flags & RULES_R_PORTS ? x->port_max - x->port_min : 65536;
	int wy = y->flags & RULES_R_PORTS ? y->port_max - y->port_min : 65536;

	if (x->action != y->action)
		return (int)x->action - (int)y->action;
	if (x->plen != y->plen)
		return (int)y->plen - (int)x->plen;
	if ((x->proto == 0) != (y->proto == 0))
		return x->proto == 0 ? 1 : -1;
	if (wx != wy)
		return wx - wy;
	return sa < sb ? -1 : sa > sb;
}

/* Lists hold at most 16: insertion sort beats qsort here. */
void rules_sort_slots(const struct rules_engine *e, uint32_t *slots, uint32_t n)
{
	for (uint32_t i = 1; i < n; i++) {
		uint32_t s = slots[i], j = i;

		for (; j > 0 && cmp_slots(e, slots[j - 1], s) > 0; j--)
			slots[j] = slots[j - 1];
		slots[j] = s;
	}
}

static uint64_t content_hash(const uint32_t *slots, uint32_t n)
{
	uint32_t buf[RULES_MAX_PER_ENTRY + 1];

	buf[0] = n;
	memcpy(buf + 1, slots, n * sizeof(*slots));
	return hash_bytes(buf, (n + 1) * sizeof(*buf));
}

int rules_lists_reserve(struct rules_store *st, uint32_t id)
{
	uint32_t cap = st->refs_cap ? st->refs_cap : 256, *nr;

	if (id < st->refs_cap)
		return 0;
	while (cap <= id)
		cap *= 2;
	nr = realloc(st->refs, cap * sizeof(*nr));
	if (!nr)
		return -ENOMEM;
	memset(nr + st->refs_cap, 0, (cap - st->refs_cap) * sizeof(*nr));
	st->refs = nr;
	st->refs_cap = cap;
	return 0;
}

int rules_leaf_word(struct rules_txn *t, uint32_t *slots, uint32_t n, uint32_t *w)
{
	struct rules_store *st = t->st;
	struct rules_list *l;
	uint64_t h, *hit;
	uint32_t id;
	int err;

	if (n <= 1) {
		const struct rules_rule *r = n ? &t->e->rules[slots[0]] : NULL;

		*w = r ? RULES_W_SLOT_MAKE(slots[0], r->action, !r->proto && !(r->flags & RULES_R_PORTS)) : 0;
		return 0;
	}
	rules_sort_slots(t->e, slots, n);
	h = content_hash(slots, n);
	hit = htab_get(&st->intern, &h);
	if (hit) {
		l = rules_txn_elem(t, RULES_M_LISTS, (uint32_t)*hit);
		if (l->n == n && !memcmp(l->slot, slots, n * sizeof(*slots))) {
			*w = RULES_W_MAKE(RULES_W_LIST, (uint32_t)*hit);
			return 0;
		}
	}
	err = rules_txn_alloc(t, RULES_M_LISTS, &id);
	if (!err)
		err = rules_lists_reserve(st, id);
	/* On a (64-bit) hash collision the list simply stays uninterned: correct, unshared. */
	if (!err && !hit)
		err = htab_put(&st->intern, &h, id);
	if (err)
		return err;
	/* Nothing points at a new id yet, and a reused one has been through quarantine. */
	l = rules_txn_elem(t, RULES_M_LISTS, id);
	memset(l, 0, sizeof(*l));
	memcpy(l->slot, slots, n * sizeof(*slots));
	l->n = n;
	st->refs[id] = 0;
	*w = RULES_W_MAKE(RULES_W_LIST, id);
	return 0;
}

static bool counted(uint32_t w)
{
	return RULES_W_TAG(w) == RULES_W_LIST && w >= RULES_LIST_FIRST_FREE;
}

int rules_word_hold(struct rules_txn *t, uint32_t w)
{
	int err;

	if (!counted(w))
		return 0;
	err = vec_push(&t->holds, &w);
	if (!err)
		t->st->refs[w]++;
	return err;
}

int rules_word_drop(struct rules_txn *t, uint32_t w)
{
	return counted(w) ? vec_push(&t->drops, &w) : 0;
}

static void forget(struct rules_txn *t, uint32_t id)
{
	const struct rules_list *l = rules_txn_elem(t, RULES_M_LISTS, id);
	uint64_t h, *hit;

	if (!l)
		return;
	h = content_hash(l->slot, l->n > RULES_MAX_PER_ENTRY ? 0 : l->n);
	hit = htab_get(&t->st->intern, &h);

	if (hit && *hit == id)
		htab_del(&t->st->intern, &h);
}

/* A list goes when no word points at it any more; each goes once (refs marked meanwhile). */
static int release_unused(struct rules_txn *t, const struct vec *const sets[2])
{
	struct rules_store *st = t->st;
	int err = 0;

	for (int k = 0; k < 2; k++) {
		for (size_t i = 0; i < sets[k]->n && !err; i++) {
			uint32_t id = *(uint32_t *)vec_at(sets[k], i);

			if (st->refs[id])
				continue;
			forget(t, id);
			st->refs[id] = UINT32_MAX;
			err = rules_pool_release(&st->lists, id);
		}
	}
	for (int k = 0; k < 2; k++) {
		for (size_t i = 0; i < sets[k]->n; i++) {
			uint32_t id = *(uint32_t *)vec_at(sets[k], i);

			if (st->refs[id] == UINT32_MAX)
				st->refs[id] = 0;
		}
	}
	return err;
}

int rules_lists_commit(struct rules_txn *t)
{
	const struct vec *const sets[2] = { &t->drops, &t->st->lists.taken };
	struct rules_store *st = t->st;

	for (size_t i = 0; i < t->drops.n; i++) {
		uint32_t id = *(uint32_t *)vec_at(&t->drops, i);

		if (st->refs[id])
			st->refs[id]--;
	}
	return release_unused(t, sets);
}

void rules_lists_rollback(struct rules_txn *t)
{
	struct rules_store *st = t->st;

	for (size_t i = 0; i < t->holds.n; i++) {
		uint32_t id = *(uint32_t *)vec_at(&t->holds, i);

		if (st->refs[id])
			st->refs[id]--;
	}
	for (size_t i = 0; i < st->lists.taken.n; i++)
		forget(t, *(uint32_t *)vec_at(&st->lists.taken, i));
}

int rules_lists_adopt(struct rules_store *st, uint32_t id, const struct rules_list *l)
{
	uint64_t h = content_hash(l->slot, l->n);
	int err = rules_lists_reserve(st, id);

	if (!err && !htab_get(&st->intern, &h))
		err = htab_put(&st->intern, &h, id);
	return err;
}
