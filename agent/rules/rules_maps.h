/* The rule engine's kernel maps: created with the agent's capacities, pinned so the rules stay
 * enforced while the agent is down, reused on restart, and handed to programs before load. */
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
	uint32_t max_v4_long;    /* /32s expanded from prefixes longer than /24; 0: 1<<21 */
	uint32_t max_v6_blocks;  /* IPv6 blocks and markers; 0: 1<<21 */
	uint32_t max_limit_keys; /* (limit rule, source) token buckets; 0: 1<<16 */
};

enum rules_map_id {
	RULES_M_V4_L1,
	RULES_M_V4_L2,
	RULES_M_V6,
	RULES_M_ENTRIES,
	RULES_M_INFO,
	RULES_M_COUNTERS,
	RULES_M_LIMITS,
	RULES_M_COUNT,
};

struct rules_maps {
	int fd[RULES_M_COUNT];
	/* The mmapable arrays (v4_l1, entries, info) mapped read-write, else NULL; element i is at
	 * mm[id] + i * stride[id]. */
	void *mm[RULES_M_COUNT];
	size_t mm_len[RULES_M_COUNT];
	size_t stride[RULES_M_COUNT];
	uint32_t max_rules, max_entries;
	bool reused; /* the maps came from pins: their contents are live rules */
};

int rules_maps_open(const struct rules_maps_opts *opts, struct rules_maps *out);
void rules_maps_close(struct rules_maps *m);
/* Makes obj use these maps (call between bpf_object__open and __load); maps the object does
 * not declare are skipped, so a program may include only part of the engine. */
int rules_maps_use_in_obj(const struct rules_maps *m, struct bpf_object *obj);
/* Removes the pins (FlushRules keeps them; this is for tests and uninstall). */
int rules_maps_unpin(const char *pin_dir);
const char *rules_map_name(enum rules_map_id id);

#endif
