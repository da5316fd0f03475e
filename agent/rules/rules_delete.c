// SPDX-License-Identifier: GPL-2.0-only
/* DeleteRules, FlushRules and the prune after a restore; and giving memory back: when the rules
 * use a quarter of what the maps hold, everything is rebuilt into maps sized for it. */
#include "rules_engine.h"

#include <bpf/bpf.h>
#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

static int check_delete(const struct rules_engine *e, const uint32_t *slots, size_t n,
			struct rules_error *err)
{
	for (size_t i = 0; i < n; i++) {
		if (slots[i] >= e->rules_cap || !(e->rules[slots[i]].flags & RULES_R_USED)) {
			rules_set_err(err, i, RULES_FIELD_ID, "no such rule");
			return -ENOENT;
		}
	}
	return 0;
}

static void chain_remove(struct rules_engine *e, struct rules_pfx *p, uint32_t slot)
{
	for (uint32_t *link = &p->head; *link != RULES_SLOT_NONE; link = &e->rules[*link].next) {
		if (*link == slot) {
			*link = e->rules[slot].next;
			break;
		}
	}
	rules_pfx_note(e, p);
}

static int relink(struct rules_engine *e, uint32_t slot)
{
	struct rules_pfx k;
	long at;

	rules_pfx_of(&e->rules[slot], &k);
	at = rules_pfx_find(e, &k, NULL);
	if (at < 0)
		return -ENOENT;
	e->rules[slot].next = e->sorted[k.fam].v[at].head;
	e->sorted[k.fam].v[at].head = slot;
	e->rules[slot].flags |= RULES_R_USED;
	rules_pfx_note(e, &e->sorted[k.fam].v[at]);
	return 0;
}

static int cmp_pfx(const void *a, const void *b)
{
	const struct rules_pfx *x = a, *y = b;

	return x->fam != y->fam ? (int)x->fam - (int)y->fam : rules_pfx_cmp(x, y);
}

struct del {
	struct vec slots; /* u32, each once */
	struct vec chg;   /* rules_pfx of the deleted rules, sorted, distinct */
	struct vec gone;  /* rules_pfx whose last rule went */
};

static void del_free(struct del *d)
{
	vec_free(&d->slots);
	vec_free(&d->chg);
	vec_free(&d->gone);
}

/* Takes the rules out of the index; the prefixes left without rules go too. */
static int unlink_all(struct rules_engine *e, struct del *d, const uint32_t *slots, size_t n)
{
	int err = 0;

	for (size_t i = 0; i < n && !err; i++) {
		struct rules_pfx k;
		long at;

		if (!(e->rules[slots[i]].flags & RULES_R_USED))
			continue; /* listed twice */
		rules_pfx_of(&e->rules[slots[i]], &k);
		at = rules_pfx_find(e, &k, NULL);
		if (at < 0)
			return -ENOENT;
		chain_remove(e, &e->sorted[k.fam].v[at], slots[i]);
		e->rules[slots[i]].flags &= (uint8_t)~RULES_R_USED;
		err = vec_push(&d->slots, &slots[i]);
		if (!err)
			err = vec_push(&d->chg, &k);
		if (!err && e->sorted[k.fam].v[at].head == RULES_SLOT_NONE)
			err = vec_push(&d->gone, &e->sorted[k.fam].v[at]);
	}
	if (d->chg.n) {
		size_t w = 1;

		qsort(d->chg.v, d->chg.n, sizeof(struct rules_pfx), cmp_pfx);
		for (size_t r = 1; r < d->chg.n; r++) {
			if (cmp_pfx(vec_at(&d->chg, r), vec_at(&d->chg, w - 1)))
				memcpy(vec_at(&d->chg, w++), vec_at(&d->chg, r), sizeof(struct rules_pfx));
		}
		d->chg.n = w;
	}
	if (!err)
		rules_pfx_compact_gone(e, d->gone.v, d->gone.n);
	else
		rules_pfx_compact(e);
	return err;
}

static void relink_all(struct rules_engine *e, struct del *d)
{
	if (d->gone.n) {
		qsort(d->gone.v, d->gone.n, sizeof(struct rules_pfx), cmp_pfx);
		rules_pfx_insert(e, d->gone.v, d->gone.n);
	}
	for (size_t i = 0; i < d->slots.n; i++)
		relink(e, *(uint32_t *)vec_at(&d->slots, i));
}

static int reconcile(struct rules_engine *e, struct rules_changes *ch, struct rules_error *err)
{
	struct rules_txn t;
	int ret;

	rules_txn_begin(&t, e, err);
	ret = rules_trie_reconcile(&t, ch);
	if (ret) {
		rules_txn_abort(&t);
		return ret;
	}
	return rules_txn_commit(&t);
}

static void changes_of(const struct vec *chg, struct rules_changes *ch)
{
	const struct rules_pfx *v = chg->v;

	memset(ch, 0, sizeof(*ch));
	for (size_t i = 0; i < chg->n; i++) {
		if (!ch->n[v[i].fam])
			ch->v[v[i].fam] = (struct rules_pfx *)&v[i];
		ch->n[v[i].fam]++;
	}
}

/* Token buckets of deleted limit rules, so a rule that reuses the slot starts with a full
 * budget. The LRU would evict them eventually; a walk of at most max_limit_keys is cheap. */
static void purge_buckets(struct rules_engine *e, const struct vec *slots)
{
	int fd = e->maps->fd[RULES_M_LIMITS];
	struct rules_limit_key cur, next;
	struct htab gone;
	bool any = false;
	int err;

	if (htab_init(&gone, sizeof(uint32_t), slots->n))
		return;
	for (size_t i = 0; i < slots->n; i++) {
		uint32_t s = *(uint32_t *)vec_at(slots, i);

		if (e->rules[s].action == RULES_ACT_LIMIT)
			any = !htab_put(&gone, &s, 0) || any;
	}
	/* Find the next key before deleting the current one, so the walk goes on from there. */
	err = any ? bpf_map_get_next_key(fd, NULL, &cur) : -ENOENT;
	while (!err) {
		err = bpf_map_get_next_key(fd, &cur, &next);
		if (htab_get(&gone, &cur.slot))
			bpf_map_delete_elem(fd, &cur);
		cur = next;
	}
	htab_free(&gone);
}

static uint32_t top_slot(const struct rules_engine *e)
{
	uint32_t top = e->slot_hw;

	while (top && !(e->rules[top - 1].flags & RULES_R_USED))
		top--;
	return top;
}

/* Slots above the highest rule in use are forgotten, so the slot maps can shrink too. */
static void trim_slots(struct rules_engine *e, uint32_t top)
{
	size_t w = 0;

	for (size_t i = 0; i < e->free_slots.n; i++) {
		uint32_t s = *(uint32_t *)vec_at(&e->free_slots, i);

		if (s < top)
			*(uint32_t *)vec_at(&e->free_slots, w++) = s;
	}
	e->free_slots.n = w;
	e->slot_hw = top;
	if (!w)
		vec_free(&e->free_slots);
	if (top * 2 < e->rules_cap) {
		struct rules_rule *nr = top ? realloc(e->rules, top * sizeof(*nr)) : NULL;

		if (!top) {
			free(e->rules);
			e->rules = NULL;
			e->rules_cap = 0;
		} else if (nr) {
			e->rules = nr;
			e->rules_cap = top;
		}
	}
}

static bool oversized(uint32_t cap, uint32_t used, uint32_t min)
{
	return cap > 2 * min && (uint64_t)used * 4 < cap;
}

int rules_rebuild(struct rules_engine *e, bool shrink_slots)
{
	struct rules_changes ch = { .all = true };
	struct rules_store st;
	struct rules_txn t;
	int err = rules_store_init(&st);

	if (!err)
		err = rules_txn_begin_rebuild(&t, e, &st, shrink_slots ? top_slot(e) : 0);
	if (err) {
		rules_store_free(&st);
		return err;
	}
	for (uint32_t s = 0; shrink_slots && s < e->rules_cap && !err; s++) {
		if (e->rules[s].flags & RULES_R_USED)
			err = rules_write_info(&t, s);
	}
	if (!err)
		err = rules_trie_reconcile(&t, &ch);
	if (err) {
		rules_txn_abort(&t);
		rules_store_free(&st);
		return err;
	}
	err = rules_txn_commit(&t);
	if (err) {
		rules_store_free(&st);
		return err;
	}
	rules_store_free(&e->st);
	e->st = st;
	e->quarantine_ns = 0;
	memset(e->unverified, 0, 2 * RULES_ROOT_SLOTS / 8);
	return 0;
}

/* After deletes: rebuild into smaller maps when the rules use a quarter of what they hold.
 * Best effort: the bigger maps are still correct. */
static void shrink(struct rules_engine *e)
{
	const struct rules_maps *m = e->maps;
	const struct rules_store *st = &e->st;
	uint32_t top = top_slot(e);
	bool slots = oversized(m->cap[RULES_M_INFO], top, rules_maps_min_cap(RULES_M_INFO));

	if (slots)
		trim_slots(e, top);
	if (slots ||
	    oversized(m->cap[RULES_M_BNODES], RULES_BNODE_FIRST_FREE + st->bnodes.live,
		      rules_maps_min_cap(RULES_M_BNODES)) ||
	    oversized(m->cap[RULES_M_CNODES], st->cnodes.live, rules_maps_min_cap(RULES_M_CNODES)) ||
	    oversized(m->cap[RULES_M_LISTS], RULES_LIST_FIRST_FREE + st->lists.live,
		      rules_maps_min_cap(RULES_M_LISTS)))
		rules_rebuild(e, slots);
	htab_shrink(&e->st.intern);
	/* Freed index memory goes back to the system, not only to malloc's free lists. */
	malloc_trim(0);
}

static bool at_min_size(const struct rules_maps *m)
{
	for (int i = 0; i < RULES_M_COUNT; i++) {
		if (i != RULES_M_LIMITS && m->cap[i] > rules_maps_min_cap(i))
			return false;
	}
	return true;
}

static void free_slots(struct rules_engine *e, const struct vec *slots)
{
	purge_buckets(e, slots);
	for (size_t i = 0; i < slots->n; i++) {
		uint32_t s = *(uint32_t *)vec_at(slots, i);

		e->nrules--;
		rules_slot_set_dirty(e, s, true);
		vec_push(&e->free_slots, &s);
	}
}

/* Every rule goes: no need to find each one's prefix. The index is emptied and the maps are
 * rebuilt small; on failure the index comes back as it was. */
static int delete_everything(struct rules_engine *e, const struct vec *slots)
{
	struct rules_pfxv saved[3];
	uint32_t use[3][129];
	int err;

	memcpy(saved, e->sorted, sizeof(saved));
	memcpy(use, e->plen_use, sizeof(use));
	memset(e->sorted, 0, sizeof(e->sorted));
	memset(e->plen_use, 0, sizeof(e->plen_use));
	for (size_t i = 0; i < slots->n; i++)
		e->rules[*(uint32_t *)vec_at(slots, i)].flags &= (uint8_t)~RULES_R_USED;
	err = rules_rebuild(e, true);
	if (err) {
		memcpy(e->sorted, saved, sizeof(saved));
		memcpy(e->plen_use, use, sizeof(use));
		for (size_t i = 0; i < slots->n; i++)
			e->rules[*(uint32_t *)vec_at(slots, i)].flags |= RULES_R_USED;
		return err;
	}
	for (int f = 0; f < 3; f++)
		free(saved[f].v);
	free_slots(e, slots);
	return 0;
}

/* The slots, each once, if they are all the rules there are. */
static int all_rules(const struct rules_engine *e, const uint32_t *slots, size_t n, struct vec *out)
{
	uint64_t *seen;
	int err = 0;

	if (n < e->nrules || !e->nrules)
		return 0;
	seen = calloc(e->rules_cap / 64 + 1, sizeof(*seen));
	if (!seen)
		return -ENOMEM;
	for (size_t i = 0; i < n && !err; i++) {
		uint32_t s = slots[i];

		if (seen[s / 64] >> (s % 64) & 1)
			continue;
		seen[s / 64] |= 1ULL << (s % 64);
		err = vec_push(out, &s);
	}
	free(seen);
	if (!err && out->n != e->nrules)
		out->n = 0;
	return err;
}

int rules_compile_delete(struct rules_engine *e, const uint32_t *slots, size_t n,
			 struct rules_error *err)
{
	struct rules_changes ch;
	struct del d;
	int ret = check_delete(e, slots, n, err);

	if (ret)
		return ret;
	vec_init(&d.slots, sizeof(uint32_t));
	ret = all_rules(e, slots, n, &d.slots);
	/* Big tries are cheaper to drop than to take apart; small ones are not worth new maps. */
	if (!ret && d.slots.n && !at_min_size(e->maps) && !delete_everything(e, &d.slots)) {
		vec_free(&d.slots);
		shrink(e);
		return 0;
	}
	vec_free(&d.slots);
	vec_init(&d.slots, sizeof(uint32_t));
	vec_init(&d.chg, sizeof(struct rules_pfx));
	vec_init(&d.gone, sizeof(struct rules_pfx));
	ret = unlink_all(e, &d, slots, n);
	changes_of(&d.chg, &ch);
	if (!ret)
		ret = reconcile(e, &ch, err);
	if (ret) {
		rules_kernel_err(err, ret);
		relink_all(e, &d);
		del_free(&d);
		return ret;
	}
	free_slots(e, &d.slots);
	del_free(&d);
	shrink(e);
	return 0;
}

int rules_compile_prune(struct rules_engine *e, struct rules_error *err)
{
	struct rules_changes ch = { .prune = true };
	int ret;

	if (err)
		err->msg[0] = '\0';
	ret = reconcile(e, &ch, err);
	if (ret)
		rules_kernel_err(err, ret);
	else
		shrink(e);
	return ret;
}

int rules_compile_flush(struct rules_engine *e, enum rules_action action, size_t *deleted)
{
	uint32_t *slots = malloc((e->nrules + 1) * sizeof(*slots));
	size_t n = 0;
	int err;

	if (!slots)
		return -ENOMEM;
	for (uint32_t s = 0; s < e->slot_hw; s++) {
		if (e->rules[s].flags & RULES_R_USED &&
		    (action == RULES_ACT_NONE || e->rules[s].action == action))
			slots[n++] = s;
	}
	err = rules_compile_delete(e, slots, n, NULL);
	if (deleted)
		*deleted = err ? 0 : n;
	free(slots);
	return err;
}
