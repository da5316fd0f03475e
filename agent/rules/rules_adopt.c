// SPDX-License-Identifier: GPL-2.0-only
/* Taking over maps that already hold compiled rules (pins reused after an agent restart): the
 * tries are walked from their roots to learn which node and list ids are in use, lists are
 * interned by content, and the root slots found are marked unverified. Restoring the saved
 * rules into their old slots then computes the same words and writes nothing while traffic
 * flows; rules_compile_prune() reconciles whatever the restore did not visit. */
#include "rules_engine.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct walk {
	struct rules_txn *t;
	uint64_t *used_b, *used_c;
	uint32_t max_b, max_c;
};

static bool take(uint64_t *bm, uint32_t i)
{
	if (bm[i / 64] >> (i % 64) & 1)
		return false;
	bm[i / 64] |= 1ULL << (i % 64);
	return true;
}

/* -EUCLEAN for anything the compiler never writes: a shared node, a cycle, a bad id. */
static int walk(struct walk *wk, uint32_t w, int depth)
{
	struct rules_txn *t = wk->t;
	uint32_t idx;
	int err = 0;

	if (depth > RULES_TRIE_STEPS + 1)
		return -EUCLEAN;
	switch (RULES_W_TAG(w)) {
	case RULES_W_LIST:
		if (w >= t->cap[RULES_M_LISTS])
			return -EUCLEAN;
		if (w >= RULES_LIST_FIRST_FREE) {
			err = rules_lists_reserve(t->st, w);
			if (!err)
				t->st->refs[w]++;
			return err;
		}
		return 0;
	case RULES_W_SLOT:
		return (w & RULES_W_SLOT_MASK) < t->cap[RULES_M_INFO] ? 0 : -EUCLEAN;
	case RULES_W_BNODE:
		idx = w & RULES_W_BNODE_MASK;
		if (idx < RULES_BNODE_FIRST_FREE || idx >= t->cap[RULES_M_BNODES] ||
		    !take(wk->used_b, idx))
			return -EUCLEAN;
		if (idx + 1 > wk->max_b)
			wk->max_b = idx + 1;
		for (int v = 0; v < RULES_BNODE_SLOTS && !err; v++) {
			const struct rules_bnode *n = rules_txn_elem(t, RULES_M_BNODES, idx);

			err = n ? walk(wk, n->slot[v], depth + 1) : -ENOMEM;
		}
		return err;
	default:
		idx = w & RULES_W_IDX_MASK;
		if (idx >= t->cap[RULES_M_CNODES] || !take(wk->used_c, idx))
			return -EUCLEAN;
		if (idx + 1 > wk->max_c)
			wk->max_c = idx + 1;
		{
			const struct rules_cnode *n = rules_txn_elem(t, RULES_M_CNODES, idx);
			uint32_t hit, miss;

			if (!n)
				return -ENOMEM;
			hit = n->hit;
			miss = n->miss;
			err = walk(wk, hit, depth + 1);
			return err ? err : walk(wk, miss, depth + 1);
		}
	}
}

/* Ids not found in use become free; the high-water mark sits just above the highest used. */
static int rebuild_pool(struct rules_pool *p, const uint64_t *used, uint32_t hw)
{
	if (hw < p->first)
		hw = p->first;
	p->hw = hw;
	p->live = 0;
	p->free.n = 0;
	for (uint32_t id = hw; id-- > p->first;) {
		int err = 0;

		if (used && used[id / 64] >> (id % 64) & 1)
			p->live++;
		else
			err = vec_push(&p->free, &id);
		if (err)
			return err;
	}
	return 0;
}

static int adopt_lists(struct rules_txn *t, uint32_t *hw)
{
	struct rules_store *st = t->st;
	int err = 0;

	*hw = RULES_LIST_FIRST_FREE;
	for (uint32_t id = RULES_LIST_ANY_V4; id < t->cap[RULES_M_LISTS] && !err; id++) {
		const struct rules_list *l = rules_txn_elem(t, RULES_M_LISTS, id);

		if (!l)
			return -ENOMEM;
		if (id < RULES_LIST_FIRST_FREE) {
			if (l->n > RULES_MAX_PER_ENTRY)
				return -EUCLEAN;
			continue;
		}
		if (id >= st->refs_cap || !st->refs[id])
			continue;
		if (l->n < 2 || l->n > RULES_MAX_PER_ENTRY)
			return -EUCLEAN;
		err = rules_lists_adopt(st, id, l);
		*hw = id + 1;
	}
	return err;
}

static int adopt_trees(struct rules_engine *e, struct rules_txn *t, struct walk *wk)
{
	int err = 0;

	for (uint32_t r = 0; r < 2 * RULES_ROOT_SLOTS && !err; r++) {
		const struct rules_bnode *n = rules_txn_elem(t, RULES_M_BNODES, r / RULES_BNODE_SLOTS);
		uint32_t w;

		if (!n)
			return -ENOMEM;
		w = n->slot[r % RULES_BNODE_SLOTS];
		if (!w)
			continue;
		e->unverified[r / 64] |= 1ULL << (r % 64);
		err = walk(wk, w, 0);
	}
	return err;
}

int rules_adopt(struct rules_engine *e)
{
	struct walk wk = { .t = NULL };
	struct rules_txn t;
	uint32_t lists_hw;
	int err;

	rules_txn_begin(&t, e, NULL);
	t.bulk = true;
	wk.t = &t;
	wk.used_b = calloc(t.cap[RULES_M_BNODES] / 64 + 1, sizeof(uint64_t));
	wk.used_c = calloc(t.cap[RULES_M_CNODES] / 64 + 1, sizeof(uint64_t));
	err = wk.used_b && wk.used_c ? adopt_trees(e, &t, &wk) : -ENOMEM;
	if (!err)
		err = adopt_lists(&t, &lists_hw);
	if (!err)
		err = rebuild_pool(&e->st.bnodes, wk.used_b, wk.max_b);
	if (!err)
		err = rebuild_pool(&e->st.cnodes, wk.used_c, wk.max_c);
	if (!err) {
		uint64_t *used_l = calloc(lists_hw / 64 + 1, sizeof(uint64_t));

		for (uint32_t id = RULES_LIST_FIRST_FREE; used_l && id < lists_hw; id++) {
			if (id < e->st.refs_cap && e->st.refs[id])
				used_l[id / 64] |= 1ULL << (id % 64);
		}
		err = used_l ? rebuild_pool(&e->st.lists, used_l, lists_hw) : -ENOMEM;
		free(used_l);
	}
	/* Counters of every slot may hold counts of rules that are not coming back. */
	if (!err && e->maps->cap[RULES_M_COUNTERS])
		err = rules_slot_set_dirty(e, e->maps->cap[RULES_M_COUNTERS] - 1, true);
	if (!err)
		memset(e->dirty_slots, 0xff, e->dirty_cap / 8);
	free(wk.used_b);
	free(wk.used_c);
	rules_txn_commit(&t);
	return err;
}

/* What the engine believes against what the kernel holds: every node reachable exactly once,
 * the pools' live counts equal to the reachable nodes, list references equal to the words
 * pointing at each list. For tests: a leak or a double free shows up here. */
int rules_engine_check(struct rules_engine *e, char *why, size_t len)
{
	struct rules_store seen = { 0 };
	struct walk wk = { .t = NULL };
	struct rules_txn t;
	uint32_t nb = 0, nc = 0;
	int err;

	rules_txn_begin(&t, e, NULL);
	t.st = &seen;
	wk.t = &t;
	wk.used_b = calloc(t.cap[RULES_M_BNODES] / 64 + 1, sizeof(uint64_t));
	wk.used_c = calloc(t.cap[RULES_M_CNODES] / 64 + 1, sizeof(uint64_t));
	err = wk.used_b && wk.used_c ? 0 : -ENOMEM;
	for (uint32_t r = 0; !err && r < 2 * RULES_ROOT_SLOTS; r++) {
		const struct rules_bnode *n = rules_txn_elem(&t, RULES_M_BNODES, r / RULES_BNODE_SLOTS);

		err = n ? walk(&wk, n->slot[r % RULES_BNODE_SLOTS], 0) : -ENOMEM;
		if (err)
			snprintf(why, len, "root slot %u: %s", r, err == -EUCLEAN ? "bad or shared node" : "walk failed");
	}
	for (uint32_t i = 0; !err && i < t.cap[RULES_M_BNODES] / 64 + 1; i++)
		nb += (uint32_t)__builtin_popcountll(wk.used_b[i]);
	for (uint32_t i = 0; !err && i < t.cap[RULES_M_CNODES] / 64 + 1; i++)
		nc += (uint32_t)__builtin_popcountll(wk.used_c[i]);
	if (!err && (nb != e->st.bnodes.live || nc != e->st.cnodes.live)) {
		snprintf(why, len, "reachable %u branch / %u compare nodes, pools say %u / %u", nb, nc,
			 e->st.bnodes.live, e->st.cnodes.live);
		err = -EUCLEAN;
	}
	for (uint32_t id = RULES_LIST_FIRST_FREE; !err && id < e->st.refs_cap; id++) {
		uint32_t want = id < seen.refs_cap ? seen.refs[id] : 0;

		if (e->st.refs[id] != want) {
			snprintf(why, len, "list %u: %u references, %u words point at it", id,
				 e->st.refs[id], want);
			err = -EUCLEAN;
		}
	}
	free(wk.used_b);
	free(wk.used_c);
	free(seen.refs);
	t.st = &e->st;
	rules_txn_commit(&t);
	return err;
}
