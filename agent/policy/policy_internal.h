/* SPDX-License-Identifier: GPL-2.0-only */
/* The policy module's private state, shared by policy.c and policy_restore.c. */
#ifndef XDPFLEET_POLICY_INTERNAL_H
#define XDPFLEET_POLICY_INTERNAL_H

#include "htab.h"
#include "policy.h"
#include "rules_store.h"

/* What the agent keeps per engine slot; id 0 marks a free slot. */
struct policy_meta {
	uint64_t id;
	uint64_t created_unix;
	uint64_t expires_unix;
	char *comment; /* NULL: none */
	uint16_t tag;  /* index in policy.tags; 0: none */
};

struct policy {
	struct rules_store *store; /* NULL: not persisted */
	struct rules_maps maps;
	struct rules_engine *engine;
	struct policy_meta *meta; /* [maps.max_rules] */
	struct htab by_id;  /* id -> slot */
	uint64_t next_id;
	size_t n_expiring;        /* rules with a TTL: the expiry timer skips work without any */
	/* Tags are few and repeated by many rules: each is kept once; tags[0] is "". */
	char *tags[POLICY_TAGS_MAX];
	size_t n_tags;
};

/* policy_restore.c: loads the store into the engine (into the saved slots, so pinned counters
 * continue) and prunes what the pinned maps hold beyond it. */
int policy_restore(struct policy *p, char *err, size_t errlen);
/* The rule in slot as the store keeps it. */
void policy_store_rule(const struct policy *p, uint32_t slot, const struct rules_spec *spec,
		       struct rules_store_rule *out);
/* Iterates the rule set for a snapshot (rules_store_iter_fn). */
bool policy_store_next(void *p, uint64_t *cursor, struct rules_store_rule *out);

/* policy.c: bookkeeping shared with the loader. */
int policy_meta_set(struct policy *p, uint32_t slot, uint64_t id, uint64_t created, uint64_t expires,
		    const char *comment, const char *tag);
const char *policy_tag_name(const struct policy *p, uint16_t tag);
/* The index of tag ("" or NULL: 0), added if new; -ENOSPC when POLICY_TAGS_MAX are in use. */
int policy_tag_index(struct policy *p, const char *tag, uint16_t *out);
void policy_meta_clear(struct policy *p, uint32_t slot);
uint64_t policy_now_unix(void);

#endif
