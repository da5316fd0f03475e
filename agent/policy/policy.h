/* SPDX-License-Identifier: GPL-2.0-only */
/* The agent's rule set as users see it: ids, comments, TTLs and persistence in --state-dir, on
 * top of the rule engine (rules_compile.h), which owns matching and the kernel maps. */
#ifndef XDPFLEET_POLICY_H
#define XDPFLEET_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rules_compile.h"

struct policy;

struct policy_opts {
	const char *store_dir;   /* the rules store (rules_store.h); NULL: not persisted */
	const char *legacy_file; /* a rules file of the first format to move into the store */
	const char *pin_dir;     /* where the engine's maps are pinned */
	uint32_t max_rules;      /* 0: the engine's default */
	bool compact_in_foreground; /* tests: no child process for snapshots */
};

#define POLICY_TAGS_MAX 4096 /* distinct tags in use at once */

/* One rule with what the agent keeps beside the engine. */
struct policy_rule {
	uint64_t id;
	uint32_t slot;
	struct rules_spec spec;
	uint64_t created_unix;
	uint64_t expires_unix; /* 0: never */
	const char *comment;   /* "" when none; valid until the rule changes */
	const char *tag;       /* who owns it: "" (an operator), "auto", a feed; valid likewise */
};

struct policy_add_item {
	struct rules_spec spec;
	uint64_t ttl_seconds; /* 0: never expires */
	const char *comment;  /* NULL or "": none */
	const char *tag;      /* NULL or "": none */
};

/* What an add did with each rule it was given. */
struct policy_add_result {
	size_t added;     /* new */
	size_t updated;   /* present already: its TTL, comment or tag are now the request's */
	size_t unchanged; /* present already, exactly as asked */
};

/* Opens (or reuses, from pins) the engine's maps and loads the saved rules into them. */
int policy_open(struct policy **out, const struct policy_opts *opts, char *err, size_t errlen);
void policy_close(struct policy *p);
const struct rules_maps *policy_maps(const struct policy *p);
/* True when the maps were created now, not reused: programs loaded earlier use other maps. */
bool policy_maps_fresh(const struct policy *p);
size_t policy_count(const struct policy *p);

/* Adds every item or none. ids[i] answers items[i]. A rule that matches like one already present
 * (or earlier in the batch) is that rule: it gets its id, and its TTL (counted from now),
 * comment and tag become the item's, so re-adding refreshes a TTL. */
int policy_add(struct policy *p, const struct policy_add_item *items, size_t n, uint64_t *ids,
	       struct policy_add_result *res, struct rules_error *err);
/* Makes the rules of tag (non-empty) exactly items, in one step: rules of the tag not among
 * them are deleted, the others added or refreshed as policy_add does. An item equal to a rule
 * of another tag is left to its owner (counted in foreign; ids[i] gets its id). */
struct policy_sync_result {
	size_t added, updated, unchanged, deleted, foreign;
};
int policy_sync(struct policy *p, const char *tag, const struct policy_add_item *items, size_t n, uint64_t *ids,
		struct policy_sync_result *res, struct rules_error *err);
/* The rule that decides pkt, as the filter program would (rules_spec_precedes); false: none. */
bool policy_decide(const struct policy *p, const struct rules_packet *pkt, struct policy_rule *out);

/* Deletes the rules with these ids, and the rules whose match (source, protocol, ports) equals
 * one of matches (any action), all or none: -ENOENT with err->index naming an unknown id or a
 * match that selects nothing (index n_ids + k for matches[k]). */
int policy_delete(struct policy *p, const uint64_t *ids, size_t n_ids, const struct rules_spec *matches,
		  size_t n_matches, size_t *deleted, struct rules_error *err);
/* Deletes all rules of action (RULES_ACT_NONE: all). */
int policy_flush(struct policy *p, enum rules_action action, size_t *deleted);
/* Removes rules whose TTL has passed: a timer callback. */
void policy_expire(void *p);

/* Iterates rules in slot order: *cursor = 0 first; false at the end. */
bool policy_next(const struct policy *p, uint32_t *cursor, struct policy_rule *out);
/* The rule in slot, or -ENOENT. */
int policy_rule_at(const struct policy *p, uint32_t slot, struct policy_rule *out);
int policy_rule_stats(const struct policy *p, const struct policy_rule *r, struct rules_stats *out);

#endif
