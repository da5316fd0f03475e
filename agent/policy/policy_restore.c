// SPDX-License-Identifier: GPL-2.0-only
/* Restoring the rule set at start: the store's rules go back into their saved engine slots, so
 * the counters pinned there continue, and what the pinned maps hold beyond them is pruned. */
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "policy_internal.h"

void policy_store_rule(const struct policy *p, uint32_t slot, const struct rules_spec *spec,
		       struct rules_store_rule *out)
{
	const struct policy_meta *m = &p->meta[slot];

	*out = (struct rules_store_rule){
		.id = m->id,
		.slot = slot,
		.spec = *spec,
		.created_unix = m->created_unix,
		.expires_unix = m->expires_unix,
		.tag = policy_tag_name(p, m->tag),
		.comment = m->comment ? m->comment : "",
	};
}

bool policy_store_next(void *arg, uint64_t *cursor, struct rules_store_rule *out)
{
	const struct policy *p = arg;
	struct rules_spec spec;
	uint32_t c = (uint32_t)*cursor, slot;

	if (!rules_compile_next(p->engine, &c, &slot, &spec))
		return false;
	*cursor = c;
	policy_store_rule(p, slot, &spec, out);
	return true;
}

/* Rules whose TTL passed while the agent was down are not restored. */
static size_t drop_expired(struct rules_store_image *img)
{
	uint64_t now = policy_now_unix();
	size_t k = 0;

	for (size_t i = 0; i < img->n; i++)
		if (!img->rules[i].expires_unix || img->rules[i].expires_unix > now)
			img->rules[k++] = img->rules[i];
	k = img->n - k;
	img->n -= k;
	return k;
}

/* Into the saved slots when they fit this engine; else into fresh ones (counters restart). */
static int restore_into_engine(struct policy *p, const struct rules_store_image *img, uint32_t *got,
			       char *err, size_t errlen)
{
	struct rules_spec *specs = malloc(img->n * sizeof(*specs));
	uint32_t *slots = malloc(img->n * sizeof(*slots));
	struct rules_add_opts ao = { .slots = slots };
	struct rules_error rerr = { 0 };
	bool *seen = calloc(p->maps.max_rules, sizeof(*seen));
	int ret;

	if (!specs || !slots || !seen) {
		ret = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < img->n; i++) {
		specs[i] = img->rules[i].spec;
		slots[i] = img->rules[i].slot;
		if (slots[i] >= p->maps.max_rules || seen[slots[i]])
			ao.slots = NULL;
		else
			seen[slots[i]] = true;
	}
	if (!ao.slots)
		log_warn("rules: the saved slots do not fit this rule capacity: the rules' counters restart");
	ret = rules_compile_add(p->engine, specs, img->n, &ao, got, NULL, &rerr);
	if (ret)
		snprintf(err, errlen, "restoring the rules: rule id %llu: %s: %s",
			 (unsigned long long)img->rules[rerr.index < img->n ? rerr.index : 0].id,
			 rules_field_name(rerr.field), rerr.msg[0] ? rerr.msg : strerror(-ret));
out:
	free(specs);
	free(slots);
	free(seen);
	return ret;
}

/* The store learns the slots the rules really got, so the next restart finds them there. */
static int record_moved(struct policy *p, const struct rules_store_image *img, const uint32_t *got)
{
	struct rules_store_rule *moved = malloc(img->n * sizeof(*moved));
	struct rules_spec spec;
	size_t n = 0;
	int ret;

	if (!moved)
		return -ENOMEM;
	for (size_t i = 0; i < img->n; i++) {
		if (got[i] == img->rules[i].slot)
			continue;
		rules_compile_get(p->engine, got[i], &spec);
		policy_store_rule(p, got[i], &spec, &moved[n++]);
	}
	ret = n ? rules_store_commit(p->store, moved, n, NULL, 0, p->next_id) : 0;
	free(moved);
	return ret;
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

int policy_restore(struct policy *p, char *err, size_t errlen)
{
	struct rules_store_image img;
	struct rules_error rerr = { 0 };
	struct timespec t0;
	double t_store, t_engine = 0, t_meta;
	uint32_t *got = NULL;
	size_t expired;
	int ret;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	ret = rules_store_load(p->store, &img, err, errlen);
	t_store = seconds_since(&t0);
	if (ret)
		return ret;
	p->next_id = img.next_id > p->next_id ? img.next_id : p->next_id;
	expired = drop_expired(&img);
	if (img.n && !(got = malloc(img.n * sizeof(*got))))
		ret = -ENOMEM;
	if (!ret && img.n)
		ret = restore_into_engine(p, &img, got, err, errlen);
	t_engine = seconds_since(&t0) - t_store;
	for (size_t i = 0; !ret && i < img.n; i++)
		ret = policy_meta_set(p, got[i], img.rules[i].id, img.rules[i].created_unix, img.rules[i].expires_unix,
				      img.rules[i].comment, img.rules[i].tag);
	if (!ret && img.n)
		ret = record_moved(p, &img, got);
	t_meta = seconds_since(&t0) - t_store - t_engine;
	if (!ret && (img.n || expired))
		log_info("rules: %zu restored, %zu expired while the agent was down (%.2f s: store %.2f, engine %.2f, "
			 "bookkeeping %.2f)", img.n, expired, seconds_since(&t0), t_store, t_engine, t_meta);
	/* Pinned maps may still hold rules deleted after the last save (or all of them, when the
	 * store is gone): what the store says is what stays enforced. */
	if (!ret && p->maps.reused) {
		ret = rules_compile_prune(p->engine, &rerr);
		if (ret)
			snprintf(err, errlen, "pruning the pinned rule maps: %s", rerr.msg[0] ? rerr.msg : strerror(-ret));
	}
	if (ret == -ENOMEM)
		snprintf(err, errlen, "restoring the rules: out of memory");
	free(got);
	rules_store_image_free(&img);
	/* The image of a large rule set was big and short-lived: give it back to the system. */
	malloc_trim(0);
	return ret;
}
