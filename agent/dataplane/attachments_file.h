/* SPDX-License-Identifier: GPL-2.0-only */
/* The agent's attachment records in --state-dir, one file per network namespace, written
 * atomically (temp file, fsync, rename) so a crash leaves the old or the new list, never half;
 * every line carries a checksum, so damage is refused at its line. */
#ifndef XDPFLEET_ATTACHMENTS_FILE_H
#define XDPFLEET_ATTACHMENTS_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "dataplane.h"

/* One attachment with its exception totals: exc_base counts the interface's earlier programs
 * (and earlier tracepoint maps), exc_seen the current program's last read. */
struct attachment_record {
	struct dp_attachment att;
	uint64_t exc_base[DP_ACTIONS];
	uint64_t exc_seen[DP_ACTIONS];
};

/* <state_dir>/attachments-<key>.tsv */
int attachments_file_path(const char *state_dir, const char *key, char *buf, size_t len);
int attachments_file_save(const char *path, const struct attachment_record *recs, size_t n);
/* A missing file is an empty list. *recs is malloc'd (NULL when empty). A damaged or cut file
 * is refused (-EBADMSG) with err naming its line; the first format is still read. */
int attachments_file_load(const char *path, struct attachment_record **recs, size_t *n, char *err,
			  size_t errlen);

#endif
