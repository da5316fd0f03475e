/* The rule compiler's public operations: validate, change the index, plan, apply, and either
 * commit or put the index back exactly as it was. */
#include "rules_engine.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int set_err(struct rules_error *err, size_t index, const char *field, const char *msg)
{
	if (err) {
		err->index = index;
		err->field = field;
		snprintf(err->msg, sizeof(err->msg), "%s", msg);
	}
	return -EINVAL;
}

static void kernel_err(struct rules_error *err, int ret)
{
	if (!err)
		return;
	err->field = "rules";
	snprintf(err->msg, sizeof(err->msg), "kernel map update failed (%s); nothing was applied",
		 strerror(-ret));
}

int rules_engine_new(struct rules_maps *maps, struct rules_engine **out)
{
	struct rules_engine *e = calloc(1, sizeof(*e));
	int err = -ENOMEM;

	if (!e)
		return -ENOMEM;
	e->maps = maps;
	e->max_rules = maps->max_rules;
	e->max_entries = maps->max_entries;
	e->ncpus = libbpf_num_possible_cpus();
	if (e->ncpus <= 0) {
		err = e->ncpus ? e->ncpus : -EINVAL;
		goto out;
	}
	e->rules = calloc(e->max_rules, sizeof(*e->rules));
	e->free_slots = malloc(e->max_rules * sizeof(*e->free_slots));
	e->l1 = calloc(1u << 24, sizeof(*e->l1));
	if (!e->rules || !e->free_slots || !e->l1)
		goto out;
	for (uint32_t s = e->max_rules; s-- > 0;)
		e->free_slots[e->nfree++] = s;
	err = htab_init(&e->pfx, sizeof(struct rules_pfx), 1024);
	if (!err)
		err = htab_init(&e->l2, sizeof(uint32_t), 1024);
	if (!err)
		err = htab_init(&e->v6, sizeof(struct rules_v6_key), 1024);
	if (!err)
		err = rules_entries_init(e);
	if (!err && maps->reused)
		err = rules_adopt(e);
out:
	if (err) {
		rules_engine_free(e);
		return err;
	}
	*out = e;
	return 0;
}

void rules_engine_free(struct rules_engine *e)
{
	if (!e)
		return;
	free(e->rules);
	free(e->free_slots);
	free(e->l1);
	htab_free(&e->pfx);
	htab_free(&e->l2);
	htab_free(&e->v6);
	for (int f = 0; f < 3; f++)
		free(e->sorted[f].v);
	rules_entries_free(e);
	free(e);
}

/* Free slots stay on the stack lazily when a restore claims them directly; skip those. */
static int alloc_slot(struct rules_engine *e, uint32_t *slot)
{
	while (e->nfree) {
		uint32_t s = e->free_slots[--e->nfree];

		if (!e->rules[s].used) {
			*slot = s;
			return 0;
		}
	}
	return -ENOSPC;
}

static void free_slot(struct rules_engine *e, uint32_t slot)
{
	e->rules[slot].used = false;
	e->nrules--;
	/* The stack holds at most max_rules distinct free slots plus stale ones: compact. */
	if (e->nfree == e->max_rules) {
		size_t w = 0;

		for (size_t i = 0; i < e->nfree; i++) {
			if (!e->rules[e->free_slots[i]].used)
				e->free_slots[w++] = e->free_slots[i];
		}
		e->nfree = w;
	}
	e->free_slots[e->nfree++] = slot;
}

static int find_same(const struct rules_engine *e, const struct rules_spec *s, uint32_t *slot)
{
	struct rules_pfx p;

	rules_pfx_of(s, &p);
	for (uint32_t i = rules_index_head(e, &p); i != RULES_SLOT_NONE; i = e->rules[i].next) {
		if (rules_spec_same(&e->rules[i].spec, s)) {
			*slot = i;
			return 0;
		}
	}
	return -ENOENT;
}

int rules_compile_find(const struct rules_engine *e, const struct rules_spec *spec,
		       uint32_t *slot)
{
	return find_same(e, spec, slot);
}

/* Records a changed prefix once. */
static int note_changed(struct htab *seen, struct vec *changed,
			const struct rules_pfx *p)
{
	int err;

	if (htab_get(seen, p))
		return 0;
	err = htab_put(seen, p, 0);
	return err ? err : vec_push(changed, p);
}

struct txn {
	struct vec slots;   /* u32: added or removed */
	struct vec changed; /* rules_pfx */
	struct vec pfxs;    /* rules_pfx: created or gone */
	struct htab seen;
	struct rules_plan plan;
};

static int txn_init(struct txn *t, struct rules_error *err)
{
	vec_init(&t->slots, sizeof(uint32_t));
	vec_init(&t->changed, sizeof(struct rules_pfx));
	vec_init(&t->pfxs, sizeof(struct rules_pfx));
	rules_plan_init(&t->plan, err);
	return htab_init(&t->seen, sizeof(struct rules_pfx), 64);
}

static void txn_free(struct txn *t)
{
	vec_free(&t->slots);
	vec_free(&t->changed);
	vec_free(&t->pfxs);
	htab_free(&t->seen);
	rules_plan_free(&t->plan);
}

/* Links one new rule into the index; the transaction remembers how to take it out again. */
static int add_one(struct rules_engine *e, struct txn *t, const struct rules_spec *s,
		   uint32_t slot)
{
	struct rules_pfx p;
	bool created;
	int err;

	e->rules[slot].spec = *s;
	e->rules[slot].used = true;
	e->nrules++;
	err = vec_push(&t->slots, &slot);
	if (err) {
		e->rules[slot].used = false;
		e->nrules--;
		return err;
	}
	err = rules_index_link(e, slot, &created);
	rules_pfx_of(s, &p);
	if (!err && created)
		err = vec_push(&t->pfxs, &p);
	return err ? err : note_changed(&t->seen, &t->changed, &p);
}

static void undo_add(struct rules_engine *e, struct txn *t, size_t sorted_done)
{
	bool gone;

	if (sorted_done)
		rules_sorted_remove(e, &t->pfxs);
	for (size_t i = t->slots.n; i-- > 0;) {
		uint32_t slot = *(uint32_t *)vec_at(&t->slots, i);

		rules_index_unlink(e, slot, &gone);
		free_slot(e, slot);
	}
}

static int copy_slots(struct vec *dst, const struct vec *src)
{
	int err = vec_reserve(dst, src->n);

	if (err || !src->n)
		return err;
	memcpy(dst->v, src->v, src->n * src->esz);
	dst->n = src->n;
	return 0;
}

int rules_compile_add(struct rules_engine *e, const struct rules_spec *specs, size_t n,
		      const struct rules_add_opts *opts, uint32_t *slots_out, bool *dup_out,
		      struct rules_error *err)
{
	const uint32_t *want = opts ? opts->slots : NULL;
	bool sorted = false;
	struct txn t;
	int ret;

	for (size_t i = 0; i < n; i++) {
		if (rules_spec_validate(&specs[i], err)) {
			if (err)
				err->index = i;
			return -EINVAL;
		}
	}
	ret = txn_init(&t, err);
	for (size_t i = 0; i < n && !ret; i++) {
		uint32_t slot;
		bool dup = !find_same(e, &specs[i], &slot);

		if (!dup && want) {
			slot = want[i];
			if (slot >= e->max_rules || e->rules[slot].used)
				ret = set_err(err, i, "slot", "restore slot out of range or in use");
		} else if (!dup && alloc_slot(e, &slot)) {
			ret = -ENOSPC;
			set_err(err, i, "rules", "no free rule slots");
		}
		if (!ret && !dup)
			ret = add_one(e, &t, &specs[i], slot);
		slots_out[i] = slot;
		if (dup_out)
			dup_out[i] = dup;
	}
	if (!ret)
		ret = rules_sorted_insert(e, &t.pfxs);
	sorted = !ret;
	if (!ret)
		ret = rules_plan_build(e, &t.changed, &t.plan);
	if (!ret)
		ret = copy_slots(&t.plan.info_slots, &t.slots);
	if (!ret && !want)
		ret = copy_slots(&t.plan.zero_slots, &t.slots);
	if (!ret) {
		ret = rules_apply(e, &t.plan);
		if (ret)
			kernel_err(err, ret);
	}
	if (ret) {
		rules_entries_discard(e, &t.plan.fresh);
		undo_add(e, &t, sorted);
	} else {
		rules_commit(e, &t.plan);
	}
	txn_free(&t);
	return ret;
}

static int check_delete(const struct rules_engine *e, const uint32_t *slots, size_t n,
			struct rules_error *err)
{
	for (size_t i = 0; i < n; i++) {
		if (slots[i] >= e->max_rules || !e->rules[slots[i]].used) {
			set_err(err, i, "id", "no such rule");
			return -ENOENT;
		}
	}
	return 0;
}

int rules_compile_delete(struct rules_engine *e, const uint32_t *slots, size_t n,
			 struct rules_error *err)
{
	struct txn t;
	int ret = check_delete(e, slots, n, err);

	if (ret)
		return ret;
	ret = txn_init(&t, err);
	for (size_t i = 0; i < n && !ret; i++) {
		struct rules_pfx p;
		bool gone;

		/* A slot listed twice is unlinked once. */
		if (!e->rules[slots[i]].used)
			continue;
		rules_pfx_of(&e->rules[slots[i]].spec, &p);
		rules_index_unlink(e, slots[i], &gone);
		e->rules[slots[i]].used = false;
		ret = vec_push(&t.slots, &slots[i]);
		if (!ret && gone)
			ret = vec_push(&t.pfxs, &p);
		if (!ret)
			ret = note_changed(&t.seen, &t.changed, &p);
	}
	if (!ret)
		rules_sorted_remove(e, &t.pfxs);
	if (!ret)
		ret = rules_plan_build(e, &t.changed, &t.plan);
	if (!ret) {
		ret = rules_apply(e, &t.plan);
		if (ret)
			kernel_err(err, ret);
	}
	if (ret) {
		bool created;

		rules_entries_discard(e, &t.plan.fresh);
		for (size_t i = 0; i < t.slots.n; i++) {
			uint32_t s = *(uint32_t *)vec_at(&t.slots, i);

			e->rules[s].used = true;
			rules_index_link(e, s, &created);
		}
		rules_sorted_insert(e, &t.pfxs);
	} else {
		rules_commit(e, &t.plan);
		rules_purge_buckets(e, &t.slots);
		for (size_t i = 0; i < t.slots.n; i++) {
			uint32_t s = *(uint32_t *)vec_at(&t.slots, i);

			e->rules[s].used = true;
			free_slot(e, s);
		}
	}
	txn_free(&t);
	return ret;
}

int rules_compile_prune(struct rules_engine *e, struct rules_error *err)
{
	struct rules_plan p;
	int ret;

	rules_plan_init(&p, err);
	ret = rules_plan_build_all(e, &p);
	if (!ret) {
		ret = rules_apply(e, &p);
		if (ret)
			kernel_err(err, ret);
	}
	if (ret)
		rules_entries_discard(e, &p.fresh);
	else
		rules_commit(e, &p);
	rules_plan_free(&p);
	return ret;
}

int rules_compile_flush(struct rules_engine *e, enum rules_action action, size_t *deleted)
{
	uint32_t *slots = malloc((e->nrules + 1) * sizeof(*slots));
	size_t n = 0;
	int err;

	if (!slots)
		return -ENOMEM;
	for (uint32_t s = 0; s < e->max_rules; s++) {
		if (e->rules[s].used && (action == RULES_ACT_NONE || e->rules[s].spec.action == action))
			slots[n++] = s;
	}
	err = rules_compile_delete(e, slots, n, NULL);
	if (deleted)
		*deleted = err ? 0 : n;
	free(slots);
	return err;
}

int rules_compile_get(const struct rules_engine *e, uint32_t slot, struct rules_spec *out)
{
	if (slot >= e->max_rules || !e->rules[slot].used)
		return -ENOENT;
	*out = e->rules[slot].spec;
	return 0;
}

bool rules_compile_next(const struct rules_engine *e, uint32_t *cursor, uint32_t *slot,
			struct rules_spec *out)
{
	for (; *cursor < e->max_rules; (*cursor)++) {
		if (e->rules[*cursor].used) {
			*slot = *cursor;
			*out = e->rules[*cursor].spec;
			(*cursor)++;
			return true;
		}
	}
	return false;
}

size_t rules_compile_count(const struct rules_engine *e)
{
	return e->nrules;
}

int rules_compile_stats(const struct rules_engine *e, uint32_t slot, struct rules_stats *out)
{
	struct rules_counter *per = calloc((size_t)e->ncpus, sizeof(*per));
	int err;

	if (!per)
		return -ENOMEM;
	memset(out, 0, sizeof(*out));
	err = slot < e->max_rules && e->rules[slot].used ? 0 : -ENOENT;
	if (!err)
		err = bpf_map_lookup_elem(e->maps->fd[RULES_M_COUNTERS], &slot, per);
	for (int c = 0; !err && c < e->ncpus; c++) {
		out->packets += per[c].packets;
		out->bytes += per[c].bytes;
		out->dropped += per[c].dropped;
		if (per[c].last_hit_ns > out->last_hit_ns)
			out->last_hit_ns = per[c].last_hit_ns;
	}
	free(per);
	return err;
}
