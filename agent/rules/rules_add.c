// SPDX-License-Identifier: GPL-2.0-only
/* AddRules: a batch is grouped by prefix (which finds duplicates and gives the new prefixes in
 * the order the index merges them), gets slots, is linked into the index, and the tries are
 * reconciled in one transaction; on any failure the index and the slots are put back. */
#define _GNU_SOURCE
#include "rules_engine.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Slot changes of one batch, undone in reverse on failure. */
enum slot_op { SLOT_POP, SLOT_HW, SLOT_PUSH };

struct slot_log_ent {
	uint32_t op, slot;
};

static int slot_pop(struct rules_engine *e, struct vec *log, uint32_t *slot)
{
	struct slot_log_ent le;

	/* Free slots stay on the stack lazily when a restore claims them directly; skip those. */
	while (e->free_slots.n) {
		uint32_t s = *(uint32_t *)vec_at(&e->free_slots, e->free_slots.n - 1);

		le = (struct slot_log_ent){ SLOT_POP, s };
		if (vec_push(log, &le))
			return -ENOMEM;
		e->free_slots.n--;
		if (!(e->rules[s].flags & RULES_R_USED)) {
			*slot = s;
			return 0;
		}
	}
	if (e->slot_hw >= e->max_rules)
		return -ENOSPC;
	le = (struct slot_log_ent){ SLOT_HW, e->slot_hw };
	if (vec_push(log, &le))
		return -ENOMEM;
	*slot = e->slot_hw++;
	return rules_slots_reserve(e, e->slot_hw);
}

/* A restore names its slot: the ones skipped below it become free. */
static int slot_claim(struct rules_engine *e, struct vec *log, uint32_t s)
{
	int err = rules_slots_reserve(e, s + 1);

	while (!err && e->slot_hw <= s) {
		struct slot_log_ent le = { SLOT_HW, e->slot_hw };

		err = vec_push(log, &le);
		if (!err && e->slot_hw < s) {
			le.op = SLOT_PUSH;
			err = vec_push(&e->free_slots, &e->slot_hw);
			if (!err)
				err = vec_push(log, &le);
		}
		if (!err)
			e->slot_hw++;
	}
	return err;
}

static void slot_undo(struct rules_engine *e, const struct vec *log)
{
	for (size_t i = log->n; i-- > 0;) {
		const struct slot_log_ent *le = vec_at(log, i);

		if (le->op == SLOT_POP)
			vec_push(&e->free_slots, &le->slot);
		else if (le->op == SLOT_PUSH)
			e->free_slots.n--;
		else
			e->slot_hw = le->slot;
	}
}

/* One AddRules batch. */
struct add {
	struct rules_engine *e;
	const struct rules_spec *specs;
	size_t n;
	const uint32_t *want;
	struct rules_rule *recs;
	struct prefix_key *keys; /* sorted by prefix, then position: keys[i].idx is the rule; groups
				 * are found on the keys, without reading records out of order */
	long *dup_of;     /* -1, or -2 - an existing slot, or the batch index of an earlier twin */
	int64_t *old_head; /* per rule: the chain head it was linked in front of (first in group) */
	struct vec log;   /* slot_log_ent */
	struct vec added; /* u32 slots */
	struct vec newp;  /* rules_pfx created */
	struct vec chg[3]; /* rules_pfx that got a rule, per family, in sorted order */
	bool all;         /* the index was empty: every prefix is new, reconcile them all */
	uint32_t top;     /* highest slot used + 1 */
};

static bool same_key(const struct prefix_key *x, const struct prefix_key *y)
{
	return x->a0 == y->a0 && x->a1 == y->a1 && x->fl == y->fl;
}

/* The batch's rules with the prefix of keys[g] are keys[g, returned index); k gets the prefix and
 * *at its index in the index (or -1). */
static size_t group(const struct add *a, size_t g, struct rules_pfx *k, long *at)
{
	const struct prefix_key *key = &a->keys[g];
	uint64_t w[2] = { __builtin_bswap64(key->a0), __builtin_bswap64(key->a1) };
	size_t h = g + 1;

	while (h < a->n && same_key(key, &a->keys[h]))
		h++;
	memset(k, 0, sizeof(*k));
	memcpy(k->addr, w, 16);
	k->fam = (uint8_t)(key->fl >> 8);
	k->plen = (uint8_t)key->fl;
	k->head = RULES_SLOT_NONE;
	*at = rules_pfx_find(a->e, k, NULL);
	return h;
}

/* Twins in the batch and rules already there: the first occurrence wins. */
static void find_dups(struct add *a)
{
	struct rules_engine *e = a->e;

	for (size_t g = 0, h; g < a->n; g = h) {
		struct rules_pfx k;
		long at;

		h = group(a, g, &k, &at);
		/* A prefix new to the index with one rule in the batch: nothing to compare. */
		if (h == g + 1 && at < 0)
			continue;
		for (size_t i = g; i < h; i++) {
			uint32_t bi = a->keys[i].idx;

			for (uint32_t s = at >= 0 ? e->sorted[k.fam].v[at].head : RULES_SLOT_NONE;
			     s != RULES_SLOT_NONE && a->dup_of[bi] == -1; s = e->rules[s].next) {
				if (rules_rule_same(&e->rules[s], &a->recs[bi]))
					a->dup_of[bi] = -2 - (long)s;
			}
			for (size_t j = g; j < i && a->dup_of[bi] == -1; j++) {
				uint32_t bj = a->keys[j].idx;

				if (a->dup_of[bj] == -1 && rules_rule_same(&a->recs[bj], &a->recs[bi]))
					a->dup_of[bi] = (long)bj;
			}
		}
	}
}

static int assign_slots(struct add *a, uint32_t *slots_out, bool *dup_out, struct rules_error *err)
{
	struct rules_engine *e = a->e;
	int ret = 0;

	for (size_t i = 0; i < a->n && !ret; i++) {
		uint32_t s;

		if (a->dup_of[i] != -1)
			continue;
		if (a->want) {
			s = a->want[i];
			if (s >= e->max_rules || (s < e->rules_cap && e->rules[s].flags & RULES_R_USED))
				return rules_set_err(err, i, RULES_FIELD_SLOT, "restore slot out of range or in use");
			ret = slot_claim(e, &a->log, s);
		} else {
			ret = slot_pop(e, &a->log, &s);
			if (ret == -ENOSPC && err) {
				err->index = i;
				err->field = RULES_FIELD_RULE;
				snprintf(err->msg, sizeof(err->msg),
					 "no free rule slots: this agent holds at most %u rules (--max-rules)",
					 e->max_rules);
			}
		}
		if (!ret) {
			e->rules[s] = a->recs[i];
			e->rules[s].flags |= RULES_R_USED;
			e->nrules++;
			slots_out[i] = s;
			ret = vec_push(&a->added, &s);
			if (s + 1 > a->top)
				a->top = s + 1;
		}
	}
	for (size_t i = 0; i < a->n && !ret; i++) {
		long d = a->dup_of[i];

		if (dup_out)
			dup_out[i] = d != -1;
		if (d <= -2)
			slots_out[i] = (uint32_t)(-2 - d);
		else if (d >= 0)
			slots_out[i] = slots_out[d];
	}
	return ret;
}

/* Links the new rules into their prefixes' chains, creating the prefixes that are new; the
 * changed set is every prefix that got a rule. */
static int link_rules(struct add *a, const uint32_t *slots)
{
	struct rules_engine *e = a->e;
	int err = 0;

	for (size_t g = 0, h; g < a->n && !err; g = h) {
		uint32_t head, last = 0, added = 0;
		struct rules_pfx k;
		bool any = false;
		long at;

		h = group(a, g, &k, &at);
		head = at >= 0 ? e->sorted[k.fam].v[at].head : RULES_SLOT_NONE;
		a->old_head[a->keys[g].idx] = at >= 0 ? (int64_t)head : -1;
		for (size_t i = g; i < h; i++) {
			uint32_t bi = a->keys[i].idx;

			if (a->dup_of[bi] != -1)
				continue;
			/* Records start with no next: only links to a head need a write. */
			if (head != RULES_SLOT_NONE)
				e->rules[slots[bi]].next = head;
			head = slots[bi];
			any = true;
			last = bi;
			added++;
		}
		if (any) {
			k.head = head;
			/* A new prefix with one rule: that rule's record is at hand, in cache. */
			if (at < 0 && added == 1)
				rules_pfx_note_one(&k, &a->recs[last]);
			else
				rules_pfx_note(e, &k);
			if (at >= 0)
				e->sorted[k.fam].v[at] = k;
			else
				err = vec_push(&a->newp, &k);
			if (!err && !a->all)
				err = vec_push(&a->chg[k.fam], &k);
		}
	}
	return err ? err : rules_pfx_insert(e, a->newp.v, a->newp.n);
}

static void unlink_rules(struct add *a)
{
	struct rules_engine *e = a->e;

	for (size_t g = 0, h; g < a->n; g = h) {
		struct rules_pfx k;
		long at;

		h = group(a, g, &k, &at);
		if (at >= 0) {
			struct rules_pfx *p = &e->sorted[k.fam].v[at];

			p->head = a->old_head[a->keys[g].idx] >= 0 ? (uint32_t)a->old_head[a->keys[g].idx] :
								RULES_SLOT_NONE;
			rules_pfx_note(e, p);
		}
	}
	rules_pfx_compact(e);
}

static void undo_slots(struct add *a)
{
	struct rules_engine *e = a->e;

	for (size_t i = 0; i < a->added.n; i++) {
		uint32_t s = *(uint32_t *)vec_at(&a->added, i);

		e->rules[s].flags = 0;
		e->nrules--;
	}
	slot_undo(e, &a->log);
}

static void add_free(struct add *a)
{
	free(a->recs);
	free(a->keys);
	free(a->dup_of);
	free(a->old_head);
	vec_free(&a->log);
	vec_free(&a->added);
	vec_free(&a->newp);
	for (int f = 0; f < 3; f++)
		vec_free(&a->chg[f]);
}

static int add_init(struct add *a, struct rules_engine *e, const struct rules_spec *specs, size_t n,
		    const uint32_t *want)
{
	memset(a, 0, sizeof(*a));
	a->e = e;
	a->specs = specs;
	a->n = n;
	a->want = want;
	vec_init(&a->log, sizeof(struct slot_log_ent));
	vec_init(&a->added, sizeof(uint32_t));
	vec_init(&a->newp, sizeof(struct rules_pfx));
	for (int f = 0; f < 3; f++)
		vec_init(&a->chg[f], sizeof(struct rules_pfx));
	a->all = !e->sorted[RULES_FAM_ANY].n && !e->sorted[RULES_FAM_V4].n && !e->sorted[RULES_FAM_V6].n;
	a->recs = malloc((n + 1) * sizeof(*a->recs));
	a->dup_of = malloc((n + 1) * sizeof(*a->dup_of));
	a->old_head = malloc((n + 1) * sizeof(*a->old_head));
	if (!a->recs || !a->dup_of || !a->old_head || vec_reserve(&a->added, n) ||
	    vec_reserve(&a->log, n) || vec_reserve(&a->newp, n))
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		rules_spec_to_rule(&specs[i], &a->recs[i]);
	memset(a->dup_of, 0xff, (n + 1) * sizeof(*a->dup_of));
	return rules_sort_batch(a->recs, n, &a->keys);
}

/* Room for what a batch of k new prefixes typically needs (measured on blocklist mixes: about
 * 0.7 compare nodes, 0.1 to 0.2 branch nodes and 0.05 to 0.25 lists each), so big batches do not
 * copy the maps a dozen times on the way; beyond that the maps grow as needed. */
static int presize(struct rules_txn *t, size_t k)
{
	const struct rules_store *st = t->st;
	int err = 0;

	/* Only into an empty trie: a restore re-adds prefixes whose nodes the maps already hold. */
	if (k < 4096 || st->bnodes.live || st->cnodes.live)
		return 0;
	err = rules_txn_ensure(t, RULES_M_CNODES, st->cnodes.hw + (uint32_t)(k * 3 / 4));
	if (!err)
		err = rules_txn_ensure(t, RULES_M_BNODES, st->bnodes.hw + (uint32_t)(k / 8));
	if (!err)
		err = rules_txn_ensure(t, RULES_M_LISTS, st->lists.hw + (uint32_t)(k / 16));
	return err;
}

static uint32_t pow2_at_least(uint32_t n)
{
	uint32_t p = 1;

	while (p < n && p < (1u << 31))
		p <<= 1;
	return p;
}

/* Writes what the data plane needs for the new rules, then the tries. */
static int add_apply(struct add *a, struct rules_error *err)
{
	struct rules_engine *e = a->e;
	struct rules_changes ch = { 0 };
	struct vec zero;
	struct rules_txn t;
	int ret;

	vec_init(&zero, sizeof(uint32_t));
	for (int f = 0; f < 3; f++) {
		ch.v[f] = a->chg[f].v;
		ch.n[f] = a->chg[f].n;
	}
	ch.all = a->all;
	rules_txn_begin(&t, e, err);
	/* Everything into maps that already hold a trie (a restore): it is all read. */
	t.bulk = a->all && (e->st.bnodes.live || e->st.cnodes.live);
	ret = a->top ? rules_txn_ensure(&t, RULES_M_COUNTERS, a->top - 1) : 0;
	/* Rule info grows once per batch to the power of two its doubling would reach anyway,
	 * instead of being copied at every doubling on the way there. */
	if (!ret && a->top > t.cap[RULES_M_INFO])
		ret = rules_txn_ensure(&t, RULES_M_INFO, pow2_at_least(a->top) - 1);
	if (!ret)
		ret = presize(&t, a->newp.n);
	for (size_t i = 0; i < a->added.n && !ret; i++) {
		uint32_t s = *(uint32_t *)vec_at(&a->added, i);

		ret = rules_write_info(&t, s);
		/* A restore keeps the counters the pins hold; a new rule starts from 0. */
		if (!ret && !a->want && rules_slot_dirty(e, s))
			ret = vec_push(&zero, &s);
	}
	if (!ret && zero.n)
		ret = rules_txn_zero_counters(&t, zero.v, zero.n);
	if (!ret)
		ret = rules_trie_reconcile(&t, &ch);
	if (ret) {
		rules_txn_abort(&t);
	} else {
		ret = rules_txn_commit(&t);
	}
	if (!ret) {
		for (size_t i = 0; i < a->added.n; i++)
			rules_slot_set_dirty(e, *(uint32_t *)vec_at(&a->added, i), false);
	}
	vec_free(&zero);
	return ret;
}

int rules_compile_add(struct rules_engine *e, const struct rules_spec *specs, size_t n,
		      const struct rules_add_opts *opts, uint32_t *slots_out, bool *dup_out,
		      struct rules_error *err)
{
	struct add a;
	bool linked = false;
	int ret;

	if (err)
		err->msg[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (rules_spec_validate(&specs[i], err)) {
			if (err)
				err->index = i;
			return -EINVAL;
		}
	}
	ret = add_init(&a, e, specs, n, opts ? opts->slots : NULL);
	if (!ret) {
		find_dups(&a);
		ret = assign_slots(&a, slots_out, dup_out, err);
	}
	if (!ret) {
		ret = link_rules(&a, slots_out);
		linked = true;
	}
	if (!ret)
		ret = add_apply(&a, err);
	if (ret) {
		rules_kernel_err(err, ret);
		if (linked)
			unlink_rules(&a);
		undo_slots(&a);
	}
	add_free(&a);
	return ret;
}
