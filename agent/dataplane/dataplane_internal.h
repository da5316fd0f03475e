/* SPDX-License-Identifier: GPL-2.0-only */
/* The data plane's shared state, seen only by its own files (dataplane_*.c). */
#ifndef XDPFLEET_DATAPLANE_INTERNAL_H
#define XDPFLEET_DATAPLANE_INTERNAL_H

#include <pthread.h>

#include "dataplane.h"
#include "exceptions.h"
#include "pins.h"
#include "stats.h"

/* One attachment and what the agent holds for it. */
struct dp_iface {
	struct dp_attachment att;
	int stats_fd; /* -1: the program has no counters */
	/* The two latest periodic samples, [1] newest: GetStats rates come from them. */
	struct stats_record samples[2];
	int n_samples;
	/* Exceptions = exc_base + the current program's count (last read: exc_seen), so the
	 * interface's totals survive program replacements and lost tracepoint pins. */
	uint64_t exc_base[DP_ACTIONS];
	uint64_t exc_seen[DP_ACTIONS];
};

struct dataplane {
	char *bpffs, *state_dir, *program_dir;
	struct pins pins;
	char state_file[PATH_MAX];
	struct exceptions exc;
	struct dp_features features;
	struct dp_iface *ifs;
	size_t n_ifs;
	pthread_mutex_t lock;
	uint64_t saved_ns; /* CLOCK_MONOTONIC of the last state write */
	bool restored;     /* the records are complete: close may write them */
	const struct rules_maps *rules; /* shared into filter programs; NULL: none yet */
	const struct capture_maps *capture; /* likewise; NULL: no capture */
	int lock_fd[2]; /* the pin directory and the state dir's lock file: one agent per pair */
	bool no_reattach;
};

void dp_lock(const struct dataplane *dp);
void dp_unlock(const struct dataplane *dp);
struct dp_iface *dp_find(struct dataplane *dp, unsigned int ifindex);
struct dp_iface *dp_find_name(struct dataplane *dp, const char *ifname);
/* Adds or replaces the record of iface->att.ifindex, taking ownership of its stats_fd. */
int dp_put(struct dataplane *dp, const struct dp_iface *iface);
/* Forgets an attachment: its record, stats fd, pins and exception counts. */
void dp_drop(struct dataplane *dp, struct dp_iface *iface);
int dp_save(struct dataplane *dp);
/* Saves the records as they would be with `iface` added or replacing its ifindex's record. */
int dp_save_with(struct dataplane *dp, const struct dp_iface *iface);
/* Reads the current program's exceptions into iface->exc_seen; totals into out (may be NULL).
 * Returns whether exc_seen changed. */
bool dp_read_exceptions(struct dataplane *dp, struct dp_iface *iface, uint64_t out[DP_ACTIONS]);
/* "if-<ifindex>" and the stats map pin below it. */
void dp_if_dir(unsigned int ifindex, char *buf, size_t len);
int dp_stats_pin_path(struct dataplane *dp, unsigned int ifindex, char *buf, size_t len);
/* Pins stats_fd as the interface's stats map, replacing an older pin. */
int dp_pin_stats(struct dataplane *dp, unsigned int ifindex, int stats_fd);
/* Attaches under the lock (dataplane_attach.c); *out is the new record's attachment. */
int dp_attach_locked(struct dataplane *dp, const struct dp_attach_req *req, struct dp_attachment *out,
		     char *replaced, size_t replaced_len, char *err, size_t errlen);
/* Samples the counters of one attachment into its ring (dataplane_stats.c). */
void dp_sample_iface(struct dp_iface *iface);

/* dataplane_restore.c: adopts the attachments of an earlier run that are still in place. */
int dp_restore(struct dataplane *dp, char *err, size_t errlen);

#endif
