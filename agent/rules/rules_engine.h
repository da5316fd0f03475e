/* Internal state of the rule compiler, shared by rules_index.c, rules_entries.c, rules_plan.c,
 * rules_apply.c and rules_compile.c. Not for the agent: use rules_compile.h. */
#ifndef XDPFLEET_RULES_ENGINE_H
#define XDPFLEET_RULES_ENGINE_H

#include "rules_compile.h"
#include "htab.h"
#include "vec.h"

/* Family index: 0 = no source (any), 1 = IPv4, 2 = IPv6. */
#define RULES_FAM_ANY 0
#define RULES_FAM_V4 1
#define RULES_FAM_V6 2

/* A source prefix as the index keys it; bits past plen are zero. */
struct rules_pfx {
	uint8_t fam;
	uint8_t plen;
	uint8_t pad[2];
	uint8_t addr[16];
};

struct rules_rule {
	struct rules_spec spec;
	uint32_t next; /* next slot with the same prefix, RULES_SLOT_NONE at the end */
	bool used;
};

/* All distinct prefixes of one family sorted by (addr, plen): the prefixes inside P are then
 * one contiguous run starting at P. */
struct rules_pfx_sorted {
	struct rules_pfx *v;
	size_t n, cap;
};

struct rules_engine {
	struct rules_maps *maps;
	uint32_t max_rules, max_entries;
	int ncpus;

	struct rules_rule *rules; /* [max_rules] */
	uint32_t *free_slots;     /* stack */
	size_t nfree;
	size_t nrules;

	struct htab pfx;      /* rules_pfx -> head slot */
	uint32_t plen_use[3][129];  /* distinct prefixes per family and length */
	struct rules_pfx_sorted sorted[3];

	/* Kernel mirrors, as last written. */
	uint32_t *l1;              /* [1 << 24] */
	struct htab l2;      /* __u32 addr -> entry id */
	struct htab v6;      /* rules_v6_key -> entry id */

	/* Entries: contents, references, interning by content hash. */
	struct rules_entry *entries; /* [max_entries] */
	uint32_t *refs;
	uint32_t *free_eids;
	size_t nfree_eids;
	struct htab intern; /* content hash -> entry id */
};

/* rules_index.c */
void rules_pfx_of(const struct rules_spec *s, struct rules_pfx *out);
int rules_index_link(struct rules_engine *e, uint32_t slot, bool *new_pfx);
void rules_index_unlink(struct rules_engine *e, uint32_t slot, bool *gone_pfx);
uint32_t rules_index_head(const struct rules_engine *e, const struct rules_pfx *p);
int rules_sorted_insert(struct rules_engine *e, struct vec *pfxs);
void rules_sorted_remove(struct rules_engine *e, struct vec *pfxs);
/* [*begin, *end) of the sorted prefixes of p->fam inside p (p itself included if present). */
void rules_sorted_range(const struct rules_engine *e, const struct rules_pfx *p, size_t *begin,
			size_t *end);
int rules_pfx_cmp(const struct rules_pfx *a, const struct rules_pfx *b);

/* rules_entries.c */
int rules_entries_init(struct rules_engine *e);
void rules_entries_free(struct rules_engine *e);
/* Sorts slots by precedence and returns the entry id holding them (a new id, with zero
 * references, pushed on fresh, when no equal entry exists). -E2BIG if n is too large. */
int rules_entries_intern(struct rules_engine *e, uint32_t *slots, uint32_t n, uint32_t *id,
			 struct vec *fresh);
void rules_entries_ref(struct rules_engine *e, uint32_t id);
void rules_entries_unref(struct rules_engine *e, uint32_t id);
/* Drops entries made by a failed batch. */
void rules_entries_discard(struct rules_engine *e, const struct vec *fresh);
void rules_sort_slots(const struct rules_engine *e, uint32_t *slots, uint32_t n);

/* rules_plan.c: map writes one batch needs, each with the value it replaces. */
struct rules_op_l1 {
	uint32_t idx, val, old;
};
struct rules_op_v4 {
	uint32_t addr, val, old;
	bool del, existed;
};
struct rules_op_v6 {
	struct rules_v6_key key;
	uint32_t val, old;
	bool del, existed;
};

struct rules_plan {
	struct vec l1, l2, v6;   /* rules_op_* */
	struct vec fresh;        /* new entry ids (u32) to write before blocks point there */
	struct vec info_slots;   /* slots whose rules_info must be written (u32) */
	struct vec zero_slots;   /* slots whose counters restart from 0 (u32) */
	bool global_dirty[2];          /* entry RULES_ENTRY_ANY_V4 / _V6 */
	struct rules_entry global_new[2], global_old[2];
	struct rules_error *err;
};

void rules_plan_init(struct rules_plan *p, struct rules_error *err);
void rules_plan_free(struct rules_plan *p);
/* Computes every block whose contents change because the prefixes in changed did. */
int rules_plan_build(struct rules_engine *e, const struct vec *changed,
		     struct rules_plan *p);
/* Recomputes every block the mirrors hold (and the any-source lists), e.g. after adopting. */
int rules_plan_build_all(struct rules_engine *e, struct rules_plan *p);

/* rules_apply.c: adopting pinned maps */
int rules_adopt(struct rules_engine *e);

/* rules_apply.c */
int rules_apply(struct rules_engine *e, struct rules_plan *p);
void rules_purge_buckets(struct rules_engine *e, const struct vec *slots);
void rules_commit(struct rules_engine *e, struct rules_plan *p);

#endif
