/* SPDX-License-Identifier: GPL-2.0-only */
/* A change of the rule set in one step (policy_txn.c): begin, add and/or delete, then commit
 * (durable, or everything put back) or abort. One add per transaction. */
#ifndef XDPFLEET_POLICY_TXN_H
#define XDPFLEET_POLICY_TXN_H

#include "policy_internal.h"
#include "htab.h"
#include "vec.h"

/* A rule the transaction changed or deleted, as it was before. */
struct policy_undo {
	uint32_t slot;
	struct rules_spec spec; /* deleted rules */
	struct policy_meta meta;
};

struct policy_txn {
	struct policy *p;
	uint64_t first_id;       /* ids from here on are the transaction's */
	uint64_t now, ttl_from;
	uint32_t *engine_slots;  /* what the add's rules_compile_add answered */
	size_t n_engine_slots;
	struct vec added;        /* slots of new rules (u32) */
	struct vec changed;      /* struct policy_undo: earlier rules whose TTL, comment or tag changed */
	struct htab changed_slots; /* their slots: a batch may name one rule twice */
	struct vec deleted;      /* struct policy_undo */
};

void policy_txn_begin(struct policy_txn *t, struct policy *p);
int policy_txn_add(struct policy_txn *t, const struct policy_add_item *items, size_t n, uint64_t *ids,
		   struct policy_add_result *res, struct rules_error *err);
/* Slots holding rules, each once. */
int policy_txn_delete(struct policy_txn *t, const uint32_t *slots, size_t n, struct rules_error *err);
/* Durable in one batch and ended; on a failure everything is put back (err says why). */
int policy_txn_commit(struct policy_txn *t, struct rules_error *err);
/* Puts everything back and ends the transaction. */
void policy_txn_abort(struct policy_txn *t);
/* Frees the transaction's books (after commit or abort, which call it). */
void policy_txn_end(struct policy_txn *t);

#endif
