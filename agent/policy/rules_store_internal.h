/* SPDX-License-Identifier: GPL-2.0-only */
/* The rules store's file formats, shared by its writer (rules_store.c), its loader
 * (rules_store_load.c) and the rule codec (rules_record.c).
 *
 * Every line is a record (lib/util/records.h: tab-separated, escaped, CRC32 last).
 *   snapshot:      H xdpfleet-rules 2 snapshot SEQ NEXT_ID | R RULE... | E COUNT
 *   journal-SEQ:   H xdpfleet-rules 2 journal SEQ | B NEXT_ID OPS | P RULE... | D ID | C OPS
 * RULE is: id slot action src proto ports limit_pps created expires tag comment.
 * A snapshot with sequence SEQ holds everything before journal-SEQ; journals after it follow in
 * order. A batch B..C is applied whole or not at all. */
#ifndef XDPFLEET_RULES_STORE_INTERNAL_H
#define XDPFLEET_RULES_STORE_INTERNAL_H

#include "cidr.h"
#include "records.h"
#include "rules_store.h"

#define RULES_STORE_MAGIC "xdpfleet-rules"
#define RULES_STORE_VERSION "2"
#define RULES_STORE_SNAPSHOT "snapshot"
#define RULES_STORE_JOURNAL_FMT "journal-%016" PRIx64
#define RULES_RECORD_FIELDS 11

/* Formatted fields of one rule; fields[] points into the buffers and the rule's strings. */
struct rules_record_text {
	char id[24], slot[16], src[CIDR_STR_MAX], ports[16], pps[24], created[24], expires[24];
	const char *fields[RULES_RECORD_FIELDS];
};

void rules_record_format(const struct rules_store_rule *r, struct rules_record_text *t);
/* f: RULES_RECORD_FIELDS fields as written; tag and comment then point into them. */
int rules_record_parse(char *const *f, struct rules_store_rule *out, const char **why);

struct rules_store {
	char *dir;
	char *legacy_file;
	size_t compact_min_bytes;
	bool compact_in_foreground;
	int dir_fd;
	FILE *journal;        /* open for appending; NULL until the first commit */
	uint64_t journal_seq; /* the journal commits go to */
	size_t journal_bytes;
	size_t snapshot_bytes;
	bool loaded;
	pid_t child;            /* a compaction writing a snapshot, 0: none */
	uint64_t child_seq;     /* its snapshot's sequence: journals before it go when it succeeds */
};

/* rules_store_load.c: reads the files; *legacy tells the rules came from the first format. */
int rules_store_read(struct rules_store *s, struct rules_store_image *img, char *err, size_t errlen,
		     bool *legacy);
/* rules_store.c */
int rules_store_write_snapshot(struct rules_store *s, uint64_t seq, rules_store_iter_fn iter, void *ctx,
			       uint64_t next_id);
int rules_store_remove_journals_before(struct rules_store *s, uint64_t seq);

#endif
