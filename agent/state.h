/* The agent's attachment records in --state-dir, one file per network namespace, written
 * atomically (temp file, fsync, rename) so a crash leaves the old or the new list, never half. */
#ifndef XDPFLEET_STATE_H
#define XDPFLEET_STATE_H

#include <stddef.h>

#include "dataplane.h"

/* <state_dir>/attachments-<key>.tsv */
int state_path(const char *state_dir, const char *key, char *buf, size_t len);
int state_save(const char *path, const struct dp_attachment *atts, size_t n);
/* A missing file is an empty list. *atts is malloc'd (NULL when empty). Bad lines are skipped. */
int state_load(const char *path, struct dp_attachment **atts, size_t *n);

#endif
