/* SPDX-License-Identifier: GPL-2.0-only */
/* The rule engine's kernel maps: created small and replaced by bigger (or smaller) copies as the
 * rule set changes, pinned so the rules stay enforced while the agent is down, reused on restart,
 * and handed to programs before load. */
#ifndef XDPFLEET_RULES_MAPS_H
#define XDPFLEET_RULES_MAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bpf_object;

struct rules_maps_opts {
	const char *pin_dir;     /* NULL: unpinned; else pin here, reusing maps already there */
	uint32_t max_rules;      /* rule slots; 0: 1<<20 */
	uint32_t max_entries;    /* distinct rule lists; 0: max_rules + 16 */
	uint32_t max_nodes;      /* trie nodes of both kinds and families; 0: 4 * max_rules + 1024 */
	uint32_t max_limit_keys; /* (limit rule, source) token buckets; 0: 1<<16 */
	/* Batches that are not bulk map bigger maps in windows, not whole; 0: 4 MiB (tests: 1) */
	size_t whole_map_max;
};

enum rules_map_id {
	RULES_M_BNODES,
	RULES_M_CNODES,
	RULES_M_LISTS,
	RULES_M_INFO,
	RULES_M_COUNTERS,
	RULES_M_LIMITS,
	RULES_M_COUNT,
};

struct rules_maps_hook;

struct rules_maps {
	int fd[RULES_M_COUNT];
	uint32_t cap[RULES_M_COUNT]; /* elements each map holds now (they grow and shrink) */
	uint32_t max_rules, max_entries, max_nodes;
	size_t whole_map_max;
	bool reused;   /* pins of this layout were found: their contents are live rules */
	bool migrated; /* pins of the earlier (fixed-size) layout were found: their counters were
			* copied here and the old pins removed; the rules must be restored */
	char *pin_dir; /* NULL: unpinned */
	uint32_t gen;  /* pin generation: pin_dir/g<gen> holds the maps, pin_dir/rules_gen names it */
	struct rules_maps_hook *hook;
};

int rules_maps_open(const struct rules_maps_opts *opts, struct rules_maps *out);
void rules_maps_close(struct rules_maps *m);
/* Whether every rule map obj declares has the layout user space creates (type, key and value
 * sizes, flags): -EPROTO with err naming the map and both layouts otherwise. */
int rules_maps_check_obj(const struct bpf_object *obj, char *err, size_t errlen);
/* Makes obj use these maps (call between bpf_object__open and __load); maps the object does
 * not declare are skipped, so a program may include only part of the engine. An object whose
 * declarations disagree with the maps is refused (rules_maps_check_obj). */
int rules_maps_use_in_obj(const struct rules_maps *m, struct bpf_object *obj);
/* Removes the pins of either layout (FlushRules keeps them; this is for tests and uninstall). */
int rules_maps_unpin(const char *pin_dir);
const char *rules_map_name(enum rules_map_id id);

/* Programs loaded with these maps keep the map objects they were loaded with. When the engine
 * replaces maps (the rule set outgrew them, or shrank), it swaps the new fds into m and calls fn,
 * which must reload those programs (rules_maps_use_in_obj again) before returning. A nonzero
 * return makes the engine put the old maps back, call fn again, and fail the batch. */
typedef int (*rules_maps_reload_fn)(void *arg);
void rules_maps_on_replace(const struct rules_maps *m, rules_maps_reload_fn fn, void *arg);

#endif
