/* SPDX-License-Identifier: GPL-2.0-only */
/* The rules' durable home in --state-dir: a snapshot plus an append-only journal of batches.
 * A batch is fsync'd before the change is acknowledged, so it costs one small write whatever
 * the number of rules; the journal is folded into a new snapshot in the background. */
#ifndef XDPFLEET_RULES_STORE_H
#define XDPFLEET_RULES_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "rules_spec.h"

#define RULES_STORE_TEXT_MAX 1024 /* comment or tag bytes the store accepts */

/* One rule as stored. */
struct rules_store_rule {
	uint64_t id;
	uint32_t slot; /* the engine slot: restoring into it keeps the pinned counters */
	struct rules_spec spec;
	uint64_t created_unix;
	uint64_t expires_unix; /* 0: never */
	const char *tag;       /* "" when none */
	const char *comment;   /* "" when none */
};

/* What a load found: the rules in id order, and the next id to hand out. */
struct rules_store_image {
	struct rules_store_rule *rules;
	size_t n;
	uint64_t next_id;
	char *text; /* the arena tag and comment point into */
	size_t text_len, text_cap;
};

struct rules_store_opts {
	const char *dir;         /* created if missing */
	const char *legacy_file; /* a rules file of the first format, migrated once; may be NULL */
	/* The journal is folded into a snapshot once it is larger than the snapshot and than this
	 * (0: 4 MiB), so a restart reads at most about twice the rule set. */
	size_t compact_min_bytes;
	bool compact_in_foreground; /* no child process (tests) */
};

struct rules_store;

int rules_store_open(struct rules_store **out, const struct rules_store_opts *opts, char *err, size_t errlen);
/* Waits for a compaction still running, so its result is not lost. */
void rules_store_close(struct rules_store *s);

/* Reads the snapshot and the journals after it. Damage anywhere refuses the load with err
 * naming the file and line; only a batch cut short at the very end of the last journal (a
 * crash during its write: it was never acknowledged) is dropped, with a warning, and cut off
 * the file. Call once, before any commit. */
int rules_store_load(struct rules_store *s, struct rules_store_image *img, char *err, size_t errlen);
void rules_store_image_free(struct rules_store_image *img);

/* One batch: rules put (added, or replaced by id) and ids deleted, in this order, then next_id.
 * Durable when it returns 0; on an error the journal is as before the call. */
int rules_store_commit(struct rules_store *s, const struct rules_store_rule *puts, size_t n_puts,
		       const uint64_t *dels, size_t n_dels, uint64_t next_id);

/* The whole current rule set for a snapshot: return false at the end. */
typedef bool (*rules_store_iter_fn)(void *ctx, uint64_t *cursor, struct rules_store_rule *out);

/* Starts folding the journal into a snapshot when it has grown enough (or always, with force),
 * iterating the rule set as it is now; reaps a finished compaction. Call after commits and
 * from a timer. */
int rules_store_compact(struct rules_store *s, rules_store_iter_fn iter, void *ctx, uint64_t next_id, bool force);
/* Reaps a finished background compaction without starting one. */
void rules_store_poll(struct rules_store *s);

/* Sizes for tests and benchmarks. */
size_t rules_store_journal_bytes(const struct rules_store *s);

#endif
