/* SPDX-License-Identifier: GPL-2.0-only */
/* The rule compiler: keeps a rule set and turns every change into the contents of the rule
 * engine's maps, atomically per batch (validated first; a kernel failure midway is rolled back).
 * This is the API the agent's AddRules/DeleteRules/ListRules/FlushRules handlers call. */
#ifndef XDPFLEET_RULES_COMPILE_H
#define XDPFLEET_RULES_COMPILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rules_maps.h"
#include "rules_spec.h"

struct rules_engine;

/* Summed over CPUs. */
struct rules_stats {
	uint64_t packets, bytes, dropped;
	uint64_t last_hit_ns; /* CLOCK_MONOTONIC; 0: never */
};

struct rules_add_opts {
	/* Restore after a restart: put rule i in slots[i] (free, < max_rules) and keep the
	 * counters the pinned maps hold there. NULL: the engine picks slots, counters start at 0. */
	const uint32_t *slots;
};

/* The engine writes into maps (not owned; they must outlive it). On reused pins
 * (maps->reused) it adopts what the kernel holds: restore the saved rules with
 * rules_add_opts.slots (nothing is rewritten for them), then call rules_compile_prune(). */
int rules_engine_new(struct rules_maps *maps, struct rules_engine **out);
void rules_engine_free(struct rules_engine *e);

/* Adds n rules, all or nothing. slots_out[i] gets rule i's slot, its handle from now on;
 * dup_out[i] (may be NULL) is set when the same rule already existed (its slot is returned
 * and nothing is added for it). Errors: -EINVAL (err names index and field), -ENOSPC (no free
 * slots or map full), -E2BIG (too many rules would apply to one address: err says where),
 * or the kernel's -errno, after rolling every change back. */
int rules_compile_add(struct rules_engine *e, const struct rules_spec *specs, size_t n,
		      const struct rules_add_opts *opts, uint32_t *slots_out, bool *dup_out,
		      struct rules_error *err);
/* Deletes rules by slot, all or nothing; -ENOENT (err->index) if one is not in use. */
int rules_compile_delete(struct rules_engine *e, const uint32_t *slots, size_t n,
			 struct rules_error *err);
/* Recomputes every block the kernel holds from the current rules, dropping what no rule
 * explains (after restoring on reused pins: rules deleted but never saved). */
int rules_compile_prune(struct rules_engine *e, struct rules_error *err);
/* Deletes every rule of one action (RULES_ACT_NONE: all); *deleted gets the count. */
int rules_compile_flush(struct rules_engine *e, enum rules_action action, size_t *deleted);

/* Slot of the rule equal to spec (rules_spec_same), or -ENOENT: DeleteRules by match. */
int rules_compile_find(const struct rules_engine *e, const struct rules_spec *spec,
		       uint32_t *slot);
/* Slots (at most max) of the rules whose source, protocol and ports equal match's, whatever
 * their action: one per action at most. */
#define RULES_MATCH_MAX 4
size_t rules_compile_find_match(const struct rules_engine *e, const struct rules_spec *match, uint32_t *slots,
				size_t max);
/* The rule in slot, or -ENOENT. */
int rules_compile_get(const struct rules_engine *e, uint32_t slot, struct rules_spec *out);
/* Iterates rules in slot order: start with *cursor = 0; returns false at the end. */
bool rules_compile_next(const struct rules_engine *e, uint32_t *cursor, uint32_t *slot,
			struct rules_spec *out);
size_t rules_compile_count(const struct rules_engine *e);
/* Hit counters of one rule, read from the kernel. */
int rules_compile_stats(const struct rules_engine *e, uint32_t slot, struct rules_stats *out);

#endif
