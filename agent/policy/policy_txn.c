// SPDX-License-Identifier: GPL-2.0-only
/* A change of the rule set as one step: rules added, rules whose TTL, comment or tag changed,
 * rules deleted, applied to the kernel and the books as they come, then made durable in one
 * store batch; if anything fails on the way, everything is put back as it was. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "policy_txn.h"

/* The first whole second not before now. Expiry times are whole seconds and a rule goes once
 * policy_now_unix() >= expires, so a TTL counted from the truncated now would cut it short by up
 * to 1 s (--ttl 2 added at x.9 went at x+2, after 1.1 s); counted from here it lives its TTL. */
static uint64_t now_unix_ceil(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME, &ts))
		return policy_now_unix() + 1;
	return (uint64_t)ts.tv_sec + (ts.tv_nsec != 0);
}

void policy_txn_begin(struct policy_txn *t, struct policy *p)
{
	memset(t, 0, sizeof(*t));
	t->p = p;
	t->first_id = p->next_id;
	t->now = policy_now_unix();
	t->ttl_from = now_unix_ceil();
	vec_init(&t->added, sizeof(uint32_t));
	vec_init(&t->changed, sizeof(struct policy_undo));
	vec_init(&t->deleted, sizeof(struct policy_undo));
}

/* A rule's metadata as an add item asks for it; 0 or -errno. */
static int meta_from_item(struct policy *p, const struct policy_add_item *it, uint64_t ttl_from,
			  struct policy_meta *out)
{
	out->expires_unix = it->ttl_seconds ? ttl_from + it->ttl_seconds : 0;
	out->comment = it->comment && *it->comment ? strdup(it->comment) : NULL;
	if (it->comment && *it->comment && !out->comment)
		return -ENOMEM;
	return policy_tag_index(p, it->tag, &out->tag);
}

static bool meta_same(const struct policy_meta *a, const struct policy_meta *b)
{
	return a->expires_unix == b->expires_unix && a->tag == b->tag &&
	       !strcmp(a->comment ? a->comment : "", b->comment ? b->comment : "");
}

/* Puts a's expiry, comment and tag into m (taking a's comment); m's old comment is freed. */
static void meta_replace(struct policy *p, struct policy_meta *m, struct policy_meta *a)
{
	p->n_expiring += (a->expires_unix != 0) - (m->expires_unix != 0);
	free(m->comment);
	m->comment = a->comment;
	m->expires_unix = a->expires_unix;
	m->tag = a->tag;
	a->comment = NULL;
}

/* Whether slot's undo record is taken already; marks it taken. -ENOMEM: out of memory. */
static int changed_before(struct policy_txn *t, uint32_t slot)
{
	bool found;

	if (!t->changed_slots.cap && htab_init(&t->changed_slots, sizeof(uint32_t), 64))
		return -ENOMEM;
	return htab_upsert(&t->changed_slots, &slot, &found) ? found : -ENOMEM;
}

int policy_txn_add(struct policy_txn *t, const struct policy_add_item *items, size_t n, uint64_t *ids,
		   struct policy_add_result *res, struct rules_error *err)
{
	struct policy *p = t->p;
	struct rules_spec *specs = malloc((n ? n : 1) * sizeof(*specs));
	uint32_t *slots = malloc((n ? n : 1) * sizeof(*slots));
	int ret = 0;

	memset(res, 0, sizeof(*res));
	if (!specs || !slots) {
		ret = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		specs[i] = items[i].spec;
	ret = n ? rules_compile_add(p->engine, specs, n, NULL, slots, NULL, err) : 0;
	if (ret)
		goto out;
	/* From here the engine holds them: a failure below is undone by policy_txn_abort. */
	t->engine_slots = slots;
	t->n_engine_slots = n;
	slots = NULL;
	/* The id index sized once for the batch, not doubled and rehashed on the way. */
	ret = htab_reserve(&p->by_id, p->by_id.count + n);
	for (size_t i = 0; i < n && !ret; i++) {
		uint32_t slot = t->engine_slots[i];
		struct policy_meta *m = &p->meta[slot], want = { 0 };
		int seen;

		ret = meta_from_item(p, &items[i], t->ttl_from, &want);
		if (ret) {
			free(want.comment);
			break;
		}
		if (!m->id) {
			ids[i] = p->next_id;
			ret = policy_meta_set(p, slot, p->next_id, t->now, want.expires_unix, want.comment,
					      policy_tag_name(p, want.tag));
			free(want.comment);
			if (!ret && !(ret = vec_push(&t->added, &slot)))
				res->added++;
			continue;
		}
		ids[i] = m->id;
		/* Repeated within this request: folded into the rule it added, last word wins. A
		 * TTL restarts on every add, so such a rule is always updated, whichever second
		 * its expiry falls in. */
		if (m->id >= t->first_id || (meta_same(m, &want) && !want.expires_unix)) {
			res->unchanged++;
		} else if ((seen = changed_before(t, slot)) < 0) {
			ret = seen;
			free(want.comment);
			break;
		} else if (!seen) {
			struct policy_undo u = { .slot = slot, .meta = *m };

			u.meta.comment = m->comment ? strdup(m->comment) : NULL;
			ret = (m->comment && !u.meta.comment) || vec_push(&t->changed, &u) ? -ENOMEM : 0;
			if (ret) {
				free(u.meta.comment);
				free(want.comment);
				break;
			}
			res->updated++;
		}
		if (meta_same(m, &want))
			free(want.comment);
		else
			meta_replace(p, m, &want);
	}
	if (ret && err) {
		err->index = 0;
		err->field = RULES_FIELD_RULE;
		snprintf(err->msg, sizeof(err->msg), ret == -ENOSPC ? "more than %d distinct tags" : "out of memory",
			 POLICY_TAGS_MAX);
	}
out:
	free(specs);
	free(slots);
	return ret;
}

int policy_txn_delete(struct policy_txn *t, const uint32_t *slots, size_t n, struct rules_error *err)
{
	struct policy *p = t->p;
	size_t base = t->deleted.n;
	int ret;

	if (!n)
		return 0;
	ret = vec_reserve(&t->deleted, base + n);
	if (ret)
		return ret;
	for (size_t i = 0; i < n; i++) {
		struct policy_undo u = { .slot = slots[i], .meta = p->meta[slots[i]] };

		rules_compile_get(p->engine, slots[i], &u.spec);
		vec_push(&t->deleted, &u);
	}
	ret = rules_compile_delete(p->engine, slots, n, err);
	if (ret) {
		t->deleted.n = base;
		return ret;
	}
	for (size_t i = 0; i < n; i++) {
		p->meta[slots[i]].comment = NULL; /* kept in t->deleted for a roll back */
		policy_meta_clear(p, slots[i]);
	}
	/* A flush of a million rules gives back the id index's 48 MiB. */
	htab_shrink(&p->by_id);
	return 0;
}

/* The rules the engine added for this transaction: slots without books yet, or with ids the
 * transaction handed out; each once. */
static void undo_added(struct policy_txn *t)
{
	struct policy *p = t->p;
	uint32_t *undo = malloc((t->n_engine_slots ? t->n_engine_slots : 1) * sizeof(*undo));
	size_t k = 0;

	for (size_t i = 0; undo && i < t->n_engine_slots; i++) {
		uint32_t slot = t->engine_slots[i];
		const struct policy_meta *m = &p->meta[slot];
		bool seen = false;

		if (m->id && m->id < t->first_id)
			continue;
		for (size_t j = 0; j < k && !seen; j++)
			seen = undo[j] == slot;
		if (!seen)
			undo[k++] = slot;
	}
	if (!undo || (k && rules_compile_delete(p->engine, undo, k, NULL))) {
		log_err("rules: could not roll back a failed change; restart the agent to resync");
		free(undo);
		return;
	}
	for (size_t i = 0; i < k; i++)
		policy_meta_clear(p, undo[i]);
	free(undo);
}

void policy_txn_abort(struct policy_txn *t)
{
	struct policy *p = t->p;

	/* Deleted rules back into their slots, with their books. */
	if (t->deleted.n) {
		struct rules_spec *specs = malloc(t->deleted.n * sizeof(*specs));
		uint32_t *slots = malloc(t->deleted.n * sizeof(*slots)), *got = malloc(t->deleted.n * sizeof(*got));
		struct rules_add_opts ao = { .slots = slots };

		for (size_t i = 0; specs && slots && i < t->deleted.n; i++) {
			const struct policy_undo *u = vec_at(&t->deleted, i);

			specs[i] = u->spec;
			slots[i] = u->slot;
		}
		if (!specs || !slots || !got || rules_compile_add(p->engine, specs, t->deleted.n, &ao, got, NULL, NULL))
			log_err("rules: could not restore deleted rules after a failed change");
		for (size_t i = 0; specs && slots && got && i < t->deleted.n; i++) {
			const struct policy_undo *u = vec_at(&t->deleted, i);

			policy_meta_set(p, u->slot, u->meta.id, u->meta.created_unix, u->meta.expires_unix,
					u->meta.comment, policy_tag_name(p, u->meta.tag));
		}
		free(specs);
		free(slots);
		free(got);
	}
	/* Changed rules as they were. */
	for (size_t i = 0; i < t->changed.n; i++) {
		struct policy_undo *u = vec_at(&t->changed, i);

		meta_replace(p, &p->meta[u->slot], &u->meta);
	}
	t->changed.n = 0;
	undo_added(t);
	policy_txn_end(t);
}

void policy_txn_end(struct policy_txn *t)
{
	for (size_t i = 0; i < t->changed.n; i++)
		free(((struct policy_undo *)vec_at(&t->changed, i))->meta.comment);
	for (size_t i = 0; i < t->deleted.n; i++)
		free(((struct policy_undo *)vec_at(&t->deleted, i))->meta.comment);
	vec_free(&t->added);
	vec_free(&t->changed);
	vec_free(&t->deleted);
	htab_free(&t->changed_slots);
	free(t->engine_slots);
	t->engine_slots = NULL;
}

int policy_txn_commit(struct policy_txn *t, struct rules_error *err)
{
	struct policy *p = t->p;
	size_t n_puts = t->added.n + t->changed.n, n_dels = t->deleted.n;
	struct rules_store_rule *puts = malloc((n_puts ? n_puts : 1) * sizeof(*puts));
	uint64_t *dels = malloc((n_dels ? n_dels : 1) * sizeof(*dels));
	struct rules_spec spec;
	size_t k = 0;
	int ret = puts && dels ? 0 : -ENOMEM;

	for (size_t i = 0; !ret && i < t->added.n; i++) {
		uint32_t slot = *(uint32_t *)vec_at(&t->added, i);

		rules_compile_get(p->engine, slot, &spec);
		policy_store_rule(p, slot, &spec, &puts[k++]);
	}
	for (size_t i = 0; !ret && i < t->changed.n; i++) {
		uint32_t slot = ((struct policy_undo *)vec_at(&t->changed, i))->slot;

		rules_compile_get(p->engine, slot, &spec);
		policy_store_rule(p, slot, &spec, &puts[k++]);
	}
	for (size_t i = 0; !ret && i < n_dels; i++)
		dels[i] = ((struct policy_undo *)vec_at(&t->deleted, i))->meta.id;
	if (!ret && p->store && (n_puts || n_dels))
		ret = rules_store_commit(p->store, puts, n_puts, dels, n_dels, p->next_id);
	if (ret && err) {
		err->field = RULES_FIELD_STATE;
		snprintf(err->msg, sizeof(err->msg), "cannot save the rules in the state directory: %s", strerror(-ret));
	}
	free(puts);
	free(dels);
	if (ret) {
		policy_txn_abort(t);
		return ret;
	}
	if (p->store)
		rules_store_compact(p->store, policy_store_next, p, p->next_id, false);
	policy_txn_end(t);
	return 0;
}
