// SPDX-License-Identifier: GPL-2.0-only
/* Synchronising one tag's rules with a list (a feed re-read), and deciding which rule a packet
 * meets: the two questions that look at the whole rule set at once. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "policy_txn.h"

int policy_sync(struct policy *p, const char *tag, const struct policy_add_item *items, size_t n, uint64_t *ids,
		struct policy_sync_result *res, struct rules_error *err)
{
	struct policy_add_item *ours = malloc((n ? n : 1) * sizeof(*ours));
	size_t *where = malloc((n ? n : 1) * sizeof(*where)), n_ours = 0, n_stale = 0;
	uint64_t *our_ids = malloc((n ? n : 1) * sizeof(*our_ids));
	uint32_t *stale = NULL, cursor = 0, slot;
	bool *kept = calloc(p->maps.max_rules, sizeof(*kept));
	struct policy_add_result added;
	struct policy_txn t;
	struct rules_spec spec;
	uint16_t tag_id;
	int ret;

	memset(res, 0, sizeof(*res));
	ret = !ours || !where || !our_ids || !kept ? -ENOMEM : policy_tag_index(p, tag, &tag_id);
	if (ret)
		goto out;
	/* A rule another tag (or an operator) owns stays theirs: it is neither taken over nor,
	 * later, deleted by this tag's syncs. */
	for (size_t i = 0; i < n; i++) {
		if (!rules_compile_find(p->engine, &items[i].spec, &slot) && p->meta[slot].tag != tag_id) {
			ids[i] = p->meta[slot].id;
			res->foreign++;
			continue;
		}
		ours[n_ours] = items[i];
		ours[n_ours].tag = tag;
		where[n_ours++] = i;
	}
	policy_txn_begin(&t, p);
	ret = policy_txn_add(&t, ours, n_ours, our_ids, &added, err);
	if (!ret) {
		for (size_t i = 0; i < t.n_engine_slots; i++)
			kept[t.engine_slots[i]] = true;
		stale = malloc((rules_compile_count(p->engine) + 1) * sizeof(*stale));
		ret = stale ? 0 : -ENOMEM;
	}
	while (!ret && rules_compile_next(p->engine, &cursor, &slot, &spec))
		if (p->meta[slot].tag == tag_id && !kept[slot])
			stale[n_stale++] = slot;
	if (!ret)
		ret = policy_txn_delete(&t, stale, n_stale, err);
	if (ret) {
		policy_txn_abort(&t);
		goto out;
	}
	ret = policy_txn_commit(&t, err);
	if (ret)
		goto out;
	for (size_t k = 0; k < n_ours; k++)
		ids[where[k]] = our_ids[k];
	res->added = added.added;
	res->updated = added.updated;
	res->unchanged = added.unchanged;
	res->deleted = n_stale;
out:
	free(ours);
	free(where);
	free(our_ids);
	free(stale);
	free(kept);
	return ret;
}

bool policy_decide(const struct policy *p, const struct rules_packet *pkt, struct policy_rule *out)
{
	uint32_t cursor = 0, slot, best_slot = RULES_SLOT_NONE;
	struct rules_spec spec, best;

	while (rules_compile_next(p->engine, &cursor, &slot, &spec)) {
		if (!rules_spec_matches(&spec, pkt))
			continue;
		if (best_slot == RULES_SLOT_NONE || rules_spec_precedes(&spec, slot, &best, best_slot)) {
			best = spec;
			best_slot = slot;
		}
	}
	return best_slot != RULES_SLOT_NONE && !policy_rule_at(p, best_slot, out);
}
