/* SPDX-License-Identifier: GPL-2.0-only */
/* Internal state of the rule compiler, shared by its files (rules_index, rules_lists, rules_pool,
 * rules_txn, rules_trie, rules_adopt, rules_maps, rules_legacy, rules_compile). Not for the
 * agent: use rules_compile.h. */
#ifndef XDPFLEET_RULES_ENGINE_H
#define XDPFLEET_RULES_ENGINE_H

#include "rules_clock.h"
#include "prefix_sort.h"
#include "rules_compile.h"
#include "htab.h"
#include "vec.h"

/* Family index: 0 = no source (any), 1 = IPv4, 2 = IPv6. */
#define RULES_FAM_ANY 0
#define RULES_FAM_V4 1
#define RULES_FAM_V6 2

#define RULES_ROOT_SLOTS (RULES_ROOT_NODES * RULES_BNODE_SLOTS)

/* One rule slot (36 bytes: the engine's main per-rule cost). */
struct rules_rule {
	uint8_t addr[16]; /* source prefix, bits past plen zero */
	uint8_t fam, plen, action, proto;
	uint16_t port_min, port_max;
	uint32_t limit_pps;
	uint32_t next; /* next slot with the same prefix, RULES_SLOT_NONE at the end */
	uint8_t flags; /* RULES_R_* */
};

#define RULES_R_USED 1
#define RULES_R_PORTS 2

/* A distinct source prefix and its rules (the chain through rules_rule.next). */
struct rules_pfx {
	uint8_t addr[16];
	uint8_t fam, plen;
	/* RULES_LONE_* when the chain holds exactly one rule, so building tries does not have
	 * to read the rule (a cache miss per prefix on big sets); 0 otherwise. */
	uint8_t lone;
	uint8_t pad;
	uint32_t head;
};

#define RULES_LONE 0x80
#define RULES_LONE_PLAIN 0x08 /* no protocol or ports: matches every packet of the prefix */
#define RULES_LONE_ACT 0x07

/* The prefixes of one family sorted by (addr, plen): those inside P are one run starting at P. */
struct rules_pfxv {
	struct rules_pfx *v;
	size_t n;
};

/* Ids of one kind of kernel object. Ids freed by a batch are not handed out again until a
 * later batch finds a grace period has passed: a packet may still be walking the old tree. */
struct rules_pool {
	uint32_t first, hw, live;
	struct vec free;       /* u32 */
	struct vec quarantine; /* u32, freed by committed batches */
	/* the batch in progress */
	uint32_t hw0, live0;
	struct vec taken, pending; /* u32 */
};

/* The trie's user-space bookkeeping: which node and list ids are used, list references and
 * the lists by content. A rebuild into fresh maps builds a second one and swaps it in. */
struct rules_store {
	struct rules_pool bnodes, cnodes, lists;
	uint32_t *refs; /* trie words pointing at each list */
	uint32_t refs_cap;
	struct htab intern; /* content hash -> list id */
};

struct rules_engine {
	struct rules_maps *maps;
	uint32_t max_rules;
	int ncpus;
	struct rules_clock clock;

	struct rules_rule *rules; /* [rules_cap], indexed by slot */
	uint32_t rules_cap, slot_hw;
	struct vec free_slots; /* u32 stack; may hold slots a restore claimed (skipped) */
	size_t nrules;
	uint64_t *dirty_slots; /* counters may hold an earlier rule's counts; [dirty_cap / 64] */
	uint32_t dirty_cap;

	struct rules_pfxv sorted[3];
	uint32_t plen_use[3][129]; /* distinct prefixes per family and length */

	struct rules_store st;
	/* Root slots adopted from pins and not reconciled since: prune walks those. */
	uint64_t *unverified; /* [2 * RULES_ROOT_SLOTS / 64] */
	uint64_t quarantine_ns; /* when ids last went into quarantine */
};

/* rules_sort.c: an AddRules batch in (family, address bits, length, position) order. */
int rules_sort_batch(const struct rules_rule *recs, size_t n, struct prefix_key **sorted);

/* rules_index.c */
void rules_pfx_of(const struct rules_rule *r, struct rules_pfx *out);
int rules_pfx_cmp(const struct rules_pfx *a, const struct rules_pfx *b);
int rules_addr_cmp(const uint8_t *a, const uint8_t *b);
/* Index of p in its family's sorted array, or -1; *at gets the insertion point either way. */
long rules_pfx_find(const struct rules_engine *e, const struct rules_pfx *p, size_t *at);
/* [*lo, *hi) of the sorted prefixes of fam whose address lies in the block (addr, plen) and
 * that are longer than plen. */
void rules_pfx_inside(const struct rules_pfx *v, size_t n, const uint8_t *addr, unsigned plen,
		      unsigned width, size_t *lo, size_t *hi);
/* Merges new distinct prefixes (sorted, not yet present) into their families' arrays. */
int rules_pfx_insert(struct rules_engine *e, const struct rules_pfx *add, size_t n);
/* Drops prefixes whose chains became empty. */
void rules_pfx_compact(struct rules_engine *e);
/* The same when the prefixes that lost their last rule are known (gone, n of them). */
void rules_pfx_compact_gone(struct rules_engine *e, const struct rules_pfx *gone, size_t n);
/* Updates p->lone after its chain changed. */
void rules_pfx_note(const struct rules_engine *e, struct rules_pfx *p);
/* p->lone for a chain of the one rule r. */
void rules_pfx_note_one(struct rules_pfx *p, const struct rules_rule *r);
int rules_slots_reserve(struct rules_engine *e, uint32_t need);
void rules_spec_to_rule(const struct rules_spec *s, struct rules_rule *r);
void rules_rule_to_spec(const struct rules_rule *r, struct rules_spec *s);
bool rules_rule_same(const struct rules_rule *a, const struct rules_rule *b);
bool rules_slot_dirty(const struct rules_engine *e, uint32_t slot);
int rules_slot_set_dirty(struct rules_engine *e, uint32_t slot, bool dirty);

/* rules_pool.c */
void rules_pool_init(struct rules_pool *p, uint32_t first);
void rules_pool_free_all(struct rules_pool *p);
void rules_pool_begin(struct rules_pool *p);
/* Hands out an id (possibly >= the map's capacity: the caller grows the map). */
int rules_pool_alloc(struct rules_pool *p, uint32_t limit, uint32_t *id);
/* The id stops being used when the batch commits. */
int rules_pool_release(struct rules_pool *p, uint32_t id);
void rules_pool_commit(struct rules_pool *p);
void rules_pool_rollback(struct rules_pool *p);
/* Quarantined ids become free (a grace period has passed). */
int rules_pool_thaw(struct rules_pool *p);

/* rules_store (rules_lists.c) */
int rules_store_init(struct rules_store *s);
void rules_store_free(struct rules_store *s);

/* rules_txn.c: one batch of map writes, with what is needed to undo them. */
struct rules_txn {
	struct rules_engine *e;
	struct rules_store *st;
	struct rules_error *err;
	int fd[RULES_M_COUNT];      /* working maps: the live ones or their replacements */
	uint32_t cap[RULES_M_COUNT];
	bool replaced[RULES_M_COUNT];
	size_t stride[RULES_M_COUNT]; /* bytes per element of each array */
	void *mm[RULES_M_COUNT];    /* working maps, mapped whole while the batch runs, or NULL */
	size_t mm_len[RULES_M_COUNT];
	/* Or, for small batches on big maps, windows of RULES_TXN_WINDOW bytes mapped as they are
	 * touched: mapping a map whole costs the kernel a page table entry per page each way. */
	void **win[RULES_M_COUNT];
	size_t n_win[RULES_M_COUNT];
	void *live_mm[RULES_M_COUNT]; /* live maps that got replaced, kept mapped for undo */
	size_t live_len[RULES_M_COUNT];
	uint32_t live_cap[RULES_M_COUNT];
	struct vec undo_w;  /* struct rules_undo_w: in-place word writes to live maps */
	struct vec undo_b;  /* struct rules_undo_b: in-place record writes to live maps */
	struct vec holds;   /* u32 list ids referenced by this batch (applied at once) */
	struct vec drops;   /* u32 list ids unreferenced by this batch (applied at commit) */
	struct vec zeroed;  /* u32 slots whose counters this batch reset */
	bool rebuild;       /* writing into fresh maps: everything is new */
	bool bulk;          /* the batch reads whole maps (adoption, restore): prefault them */
	bool counted;       /* rules existed before the batch: the old counters may still move */
};

struct rules_undo_w {
	uint32_t map, idx, off, old;
};

struct rules_undo_b {
	uint32_t map, idx;
	uint8_t old[sizeof(struct rules_list)];
};

int rules_txn_begin(struct rules_txn *t, struct rules_engine *e, struct rules_error *err);
/* Starts a rebuild: fresh maps sized for the rules (bnodes, cnodes, lists; info and counters
 * too, for slots below `slots`, when that is nonzero or no rule is left) and a fresh store. */
int rules_txn_begin_rebuild(struct rules_txn *t, struct rules_engine *e, struct rules_store *st,
			    uint32_t slots);
/* Pointer to element idx of a working array (mapped on first use). */
void *rules_txn_elem(struct rules_txn *t, enum rules_map_id id, uint32_t idx);
/* The counters of slot on one CPU in the working counters map. */
struct rules_counter *rules_txn_counter(struct rules_txn *t, int cpu, uint32_t slot);
/* Element idx exists in the working map, growing it (a bigger copy) if needed. */
int rules_txn_ensure(struct rules_txn *t, enum rules_map_id id, uint32_t idx);
bool rules_txn_is_live(const struct rules_txn *t, enum rules_map_id id);
/* A node or list id from the store's pool for that map, with room for it in the map. */
int rules_txn_alloc(struct rules_txn *t, enum rules_map_id id, uint32_t *out);
/* In-place writes of a word / a whole record that readers may see: logged for undo. */
int rules_txn_put_word(struct rules_txn *t, enum rules_map_id id, uint32_t idx, uint32_t off,
		       uint32_t w);
int rules_txn_put_record(struct rules_txn *t, enum rules_map_id id, uint32_t idx,
			 const void *rec, size_t len);
int rules_txn_zero_counters(struct rules_txn *t, const uint32_t *slots, size_t n);
/* Makes the batch live (replacing maps and reloading programs if any were grown), or on
 * failure leaves the kernel as it was. Frees the transaction either way. */
int rules_txn_commit(struct rules_txn *t);
void rules_txn_abort(struct rules_txn *t);

/* rules_lists.c: leaf words */
/* The word for the rules in slots (any order, n <= 16, or -E2BIG naming the block). */
int rules_leaf_word(struct rules_txn *t, uint32_t *slots, uint32_t n, uint32_t *w);
void rules_sort_slots(const struct rules_engine *e, uint32_t *slots, uint32_t n);
/* A stored word: references to lists are counted. */
int rules_word_hold(struct rules_txn *t, uint32_t w);
int rules_word_drop(struct rules_txn *t, uint32_t w);
/* Applies the batch's reference changes: lists nobody uses go (commit), or undoes them. */
int rules_lists_commit(struct rules_txn *t);
void rules_lists_rollback(struct rules_txn *t);
int rules_lists_adopt(struct rules_store *st, uint32_t id, const struct rules_list *l);
/* Room in refs for list id. */
int rules_lists_reserve(struct rules_store *st, uint32_t id);

/* rules_trie.c */
struct rules_changes {
	struct rules_pfx *v[3]; /* changed prefixes (added, removed, or whose rules changed) */
	size_t n[3];
	bool all;   /* rebuild everything from the index (into fresh maps) */
	bool prune; /* also every root slot adopted from pins and not reconciled since */
};
/* Makes the kernel's tries and any-source lists what the index says for the changed parts. */
int rules_trie_reconcile(struct rules_txn *t, const struct rules_changes *c);
/* Frees a subtree no longer referenced (ids are released when the batch commits). */
int rules_trie_free(struct rules_txn *t, uint32_t w);

/* rules_compile.c, rules_delete.c */
int rules_set_err(struct rules_error *err, size_t index, enum rules_field field, const char *msg);
void rules_kernel_err(struct rules_error *err, int ret);
int rules_write_info(struct rules_txn *t, uint32_t slot);
/* Writes everything the index holds into fresh maps sized for it and swaps them in. */
int rules_rebuild(struct rules_engine *e, bool shrink_slots);

/* rules_adopt.c */
int rules_adopt(struct rules_engine *e);
/* Tests: -EUCLEAN (why says what) if the tries and the engine's bookkeeping disagree. */
int rules_engine_check(struct rules_engine *e, char *why, size_t len);

/* rules_maps.c (for the engine) */
int rules_maps_create(enum rules_map_id id, uint32_t cap, int *fd_out);
/* Map entries for cap elements (counters: cap slots per CPU). */
uint64_t rules_maps_entries(enum rules_map_id id, uint32_t cap);
uint32_t rules_maps_min_cap(enum rules_map_id id);
size_t rules_maps_stride(enum rules_map_id id);
/* Swaps in nfd[i] >= 0, re-pins, has the hook reload the programs; old fds to close in old_fd. */
int rules_maps_replace(struct rules_maps *m, const int *nfd, const uint32_t *ncap, int *old_fd);

/* rules_pins.c: gen 0 is the top of the pin directory (rules_limits). */
int rules_pins_path(char *buf, size_t len, const char *pin_dir, uint32_t gen, enum rules_map_id id);
uint32_t rules_pins_current(const char *pin_dir);
int rules_pins_add(const char *pin_dir, const int *fd, uint32_t gen);
int rules_pins_link(const char *pin_dir, uint32_t gen);
void rules_pins_remove(const char *pin_dir, uint32_t gen);
void rules_pins_remove_others(const char *pin_dir, uint32_t keep);

/* rules_legacy.c */
bool rules_legacy_present(const char *pin_dir);
int rules_legacy_counters(const char *pin_dir, int *fd_out, uint32_t *cap_out);
void rules_legacy_unpin(const char *pin_dir);

#endif
