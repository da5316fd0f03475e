// SPDX-License-Identifier: GPL-2.0-only
/* The agent's rule set: ids, comments and TTLs beside the rule engine; every change is applied
 * to the kernel, then made durable in the store before it is acknowledged, or rolled back. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fs.h"
#include "log.h"
#include "policy_txn.h"

uint64_t policy_now_unix(void)
{
	return (uint64_t)time(NULL);
}

int policy_tag_index(struct policy *p, const char *tag, uint16_t *out)
{
	*out = 0;
	if (!tag || !*tag)
		return 0;
	for (size_t i = 1; i < p->n_tags; i++) {
		if (p->tags[i] && !strcmp(p->tags[i], tag)) {
			*out = (uint16_t)i;
			return 0;
		}
	}
	if (p->n_tags == POLICY_TAGS_MAX)
		return -ENOSPC;
	if (!(p->tags[p->n_tags] = strdup(tag)))
		return -ENOMEM;
	*out = (uint16_t)p->n_tags++;
	return 0;
}

const char *policy_tag_name(const struct policy *p, uint16_t tag)
{
	return tag && tag < p->n_tags ? p->tags[tag] : "";
}

int policy_meta_set(struct policy *p, uint32_t slot, uint64_t id, uint64_t created, uint64_t expires,
		    const char *comment, const char *tag)
{
	struct policy_meta *m = &p->meta[slot];
	char *copy = comment && *comment ? strdup(comment) : NULL;
	uint16_t t;
	int ret = policy_tag_index(p, tag, &t);

	if (!ret && ((comment && *comment && !copy) || htab_put(&p->by_id, &id, slot)))
		ret = -ENOMEM;
	if (ret) {
		free(copy);
		return ret;
	}
	*m = (struct policy_meta){ id, created, expires, copy, t };
	p->n_expiring += expires != 0;
	if (id >= p->next_id)
		p->next_id = id + 1;
	return 0;
}

void policy_meta_clear(struct policy *p, uint32_t slot)
{
	struct policy_meta *m = &p->meta[slot];

	if (!m->id)
		return;
	htab_del(&p->by_id, &m->id);
	p->n_expiring -= m->expires_unix != 0;
	free(m->comment);
	memset(m, 0, sizeof(*m));
}

int policy_open(struct policy **out, const struct policy_opts *opts, char *err, size_t errlen)
{
	struct rules_maps_opts mo = { .pin_dir = opts->pin_dir, .max_rules = opts->max_rules };
	struct policy *p;
	int ret;

	*out = NULL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	for (int i = 0; i < RULES_M_COUNT; i++)
		p->maps.fd[i] = -1;
	p->next_id = 1;
	p->n_tags = 1; /* 0 is "no tag" */
	if (opts->store_dir) {
		struct rules_store_opts so = {
			.dir = opts->store_dir,
			.legacy_file = opts->legacy_file,
			.compact_in_foreground = opts->compact_in_foreground,
		};

		ret = rules_store_open(&p->store, &so, err, errlen);
		if (ret)
			goto out;
	}
	ret = opts->pin_dir ? fs_mkdir_p(opts->pin_dir, 0700) : 0;
	if (!ret)
		ret = rules_maps_open(&mo, &p->maps);
	if (ret) {
		snprintf(err, errlen, "rule maps in %s: %s", opts->pin_dir ? opts->pin_dir : "(unpinned)",
			 strerror(-ret));
		goto out;
	}
	ret = rules_engine_new(&p->maps, &p->engine);
	if (!ret && !(p->meta = calloc(p->maps.max_rules, sizeof(*p->meta))))
		ret = -ENOMEM;
	if (!ret)
		ret = htab_init(&p->by_id, sizeof(uint64_t), 1024);
	if (ret) {
		snprintf(err, errlen, "rule engine: %s", strerror(-ret));
		goto out;
	}
	ret = p->store ? policy_restore(p, err, errlen) : 0;
	if (ret)
		goto out;
	*out = p;
	p = NULL;
out:
	policy_close(p);
	return ret;
}

void policy_close(struct policy *p)
{
	if (!p)
		return;
	for (uint32_t s = 0; p->meta && s < p->maps.max_rules; s++)
		free(p->meta[s].comment);
	free(p->meta);
	for (size_t i = 0; i < p->n_tags; i++)
		free(p->tags[i]);
	htab_free(&p->by_id);
	rules_engine_free(p->engine);
	rules_maps_close(&p->maps);
	rules_store_close(p->store);
	free(p);
}

const struct rules_maps *policy_maps(const struct policy *p)
{
	return &p->maps;
}

bool policy_maps_fresh(const struct policy *p)
{
	return !p->maps.reused;
}

size_t policy_count(const struct policy *p)
{
	return rules_compile_count(p->engine);
}

int policy_add(struct policy *p, const struct policy_add_item *items, size_t n, uint64_t *ids,
	       struct policy_add_result *res, struct rules_error *err)
{
	struct policy_txn t;
	int ret;

	policy_txn_begin(&t, p);
	ret = policy_txn_add(&t, items, n, ids, res, err);
	if (ret) {
		policy_txn_abort(&t);
		memset(res, 0, sizeof(*res));
		return ret;
	}
	ret = policy_txn_commit(&t, err);
	if (ret)
		memset(res, 0, sizeof(*res));
	return ret;
}

/* The part of a rule DeleteRules matches on, as a hash key. */
/* Deletes slots (each once) from the engine and the books, durably, or not at all. */
static int delete_slots(struct policy *p, uint32_t *slots, size_t n, struct rules_error *err)
{
	struct policy_txn t;
	int ret;

	if (!n)
		return 0;
	policy_txn_begin(&t, p);
	ret = policy_txn_delete(&t, slots, n, err);
	if (ret) {
		policy_txn_abort(&t);
		return ret;
	}
	return policy_txn_commit(&t, err);
}

static int by_slot(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

int policy_delete(struct policy *p, const uint64_t *ids, size_t n_ids, const struct rules_spec *matches,
		  size_t n_matches, size_t *deleted, struct rules_error *err)
{
	uint32_t *slots = malloc((n_ids + n_matches * RULES_MATCH_MAX + 1) * sizeof(*slots));
	size_t n = 0, k = 0;
	int ret = slots ? 0 : -ENOMEM;

	*deleted = 0;
	for (size_t i = 0; !ret && i < n_ids; i++) {
		uint64_t *s = htab_get(&p->by_id, &ids[i]);

		if (!s) {
			err->index = i;
			err->field = RULES_FIELD_ID;
			snprintf(err->msg, sizeof(err->msg), "no rule with id %llu", (unsigned long long)ids[i]);
			ret = -ENOENT;
		} else {
			slots[n++] = (uint32_t)*s;
		}
	}
	/* Each match looks only at the rules of its own prefix, not at every rule. */
	for (size_t m = 0; !ret && m < n_matches; m++) {
		size_t got = rules_compile_find_match(p->engine, &matches[m], slots + n, RULES_MATCH_MAX);

		if (!got) {
			err->index = n_ids + m;
			err->field = RULES_FIELD_MATCH;
			snprintf(err->msg, sizeof(err->msg), "no rule matches it");
			ret = -ENOENT;
		}
		n += got;
	}
	if (ret)
		goto out;
	/* A rule named twice (by id and by match) is deleted once. */
	qsort(slots, n, sizeof(*slots), by_slot);
	for (size_t i = 0; i < n; i++)
		if (!k || slots[k - 1] != slots[i])
			slots[k++] = slots[i];
	ret = delete_slots(p, slots, k, err);
	if (!ret)
		*deleted = k;
out:
	free(slots);
	return ret;
}

static int delete_where(struct policy *p, enum rules_action action, uint64_t expired_by, size_t *deleted)
{
	uint32_t *slots = malloc((rules_compile_count(p->engine) + 1) * sizeof(*slots));
	uint32_t cursor = 0, slot;
	struct rules_spec spec;
	struct rules_error err = { 0 };
	size_t n = 0;
	int ret;

	*deleted = 0;
	if (!slots)
		return -ENOMEM;
	while (rules_compile_next(p->engine, &cursor, &slot, &spec)) {
		const struct policy_meta *m = &p->meta[slot];

		if (action != RULES_ACT_NONE && spec.action != action)
			continue;
		if (expired_by && (!m->expires_unix || m->expires_unix > expired_by))
			continue;
		slots[n++] = slot;
	}
	ret = delete_slots(p, slots, n, &err);
	if (ret && err.msg[0])
		log_err("rules: %s", err.msg);
	if (!ret)
		*deleted = n;
	free(slots);
	return ret;
}

int policy_flush(struct policy *p, enum rules_action action, size_t *deleted)
{
	return delete_where(p, action, 0, deleted);
}

void policy_expire(void *arg)
{
	struct policy *p = arg;
	size_t n;

	if (p->store)
		rules_store_compact(p->store, policy_store_next, p, p->next_id, false);
	if (!p->n_expiring)
		return;
	if (!delete_where(p, RULES_ACT_NONE, policy_now_unix(), &n) && n)
		log_info("rules: %zu expired", n);
}

static void rule_at(const struct policy *p, uint32_t slot, struct policy_rule *out)
{
	out->slot = slot;
	out->id = p->meta[slot].id;
	out->created_unix = p->meta[slot].created_unix;
	out->expires_unix = p->meta[slot].expires_unix;
	out->comment = p->meta[slot].comment ? p->meta[slot].comment : "";
	out->tag = policy_tag_name(p, p->meta[slot].tag);
}

bool policy_next(const struct policy *p, uint32_t *cursor, struct policy_rule *out)
{
	uint32_t slot;

	if (!rules_compile_next(p->engine, cursor, &slot, &out->spec))
		return false;
	rule_at(p, slot, out);
	return true;
}

int policy_rule_at(const struct policy *p, uint32_t slot, struct policy_rule *out)
{
	int ret = rules_compile_get(p->engine, slot, &out->spec);

	if (!ret)
		rule_at(p, slot, out);
	return ret;
}

int policy_rule_stats(const struct policy *p, const struct policy_rule *r, struct rules_stats *out)
{
	return rules_compile_stats(p->engine, r->slot, out);
}
