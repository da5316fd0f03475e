// SPDX-License-Identifier: GPL-2.0-only
/* Capture sessions: at most one per interface (a second is refused with -EBUSY), each with its
 * filter in capture_cfg and a bounded queue the shared ring is drained into. Single-threaded:
 * the serving loop calls everything. */
#ifndef XDPFLEET_CAPTURE_H
#define XDPFLEET_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture_maps.h"
#include "xdpfleet_abi.h"

/* Packets a session holds for its client; past that they count as lost. */
#define CAPTURE_QUEUE_MAX 8192

struct capture;

struct capture_req {
	unsigned int ifindex;
	uint32_t verdict;   /* an XDP action or CAPTURE_VERDICT_ANY */
	bool by_rule;
	uint32_t rule_slot; /* with by_rule */
	uint32_t sample;    /* >= 1 */
	uint32_t snaplen;   /* 1..CAPTURE_SNAPLEN_MAX */
	uint32_t max_pps;   /* >= 1: the whole session's cap, split over the CPUs */
};

/* One captured packet: the ring's header and cap_len bytes, in one allocation. */
struct capture_pkt {
	struct capture_rec rec;
	uint8_t data[];
};

/* A session's totals since it started, the data plane's summed over CPUs. */
struct capture_counts {
	uint64_t matched, sampled, over_limit, ring_full, sent;
	uint64_t queue_full; /* read from the ring, but the session's queue was full */
};

int capture_open(struct capture **out, char *err, size_t errlen);
void capture_close(struct capture *c);
const struct capture_maps *capture_get_maps(const struct capture *c);
/* *session gets the session's id. -EBUSY: the interface has one; -ENOSPC: all are in use. */
int capture_start(struct capture *c, const struct capture_req *req, int *session);
/* Disables the data plane's side first, then forgets the queue. */
void capture_stop(struct capture *c, int session);
/* Moves what the ring holds into the sessions' queues. */
void capture_poll(struct capture *c);
/* Up to max of the session's oldest packets; the caller frees each. */
size_t capture_take(struct capture *c, int session, struct capture_pkt **out, size_t max);
int capture_counts(struct capture *c, int session, struct capture_counts *out);

#endif
