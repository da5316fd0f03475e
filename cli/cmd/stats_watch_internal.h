/* SPDX-License-Identifier: GPL-2.0-only */
/* The state a watch shares between its tick assembly (stats_watch.c) and its reconnects
 * (stats_watch_retry.c). Everything here is guarded by lock: snapshots arrive from the
 * transport's threads and from reconnecting hosts' own threads. */
#ifndef XDPFLEET_CLI_STATS_WATCH_INTERNAL_H
#define XDPFLEET_CLI_STATS_WATCH_INTERNAL_H

#include <pthread.h>

#include "output.h"
#include "stats_watch.h"

struct stats_watch_fifo {
	ProtobufCMessage **msgs;
	size_t head, len, cap;
};

struct stats_watch_host {
	struct stats_watch_fifo fifo; /* snapshots of ticks not yet printed */
	uint64_t delivered;           /* snapshots counted into ticks */
	uint64_t received;            /* snapshots received over every connection */
	bool shown_error;             /* a tick already showed its final error */
	bool has_ended;               /* for good: ended is its end state */
	struct rpc_host_result ended;
	/* A broken stream being reconnected by its own thread. */
	bool reconnecting, retried;
	pthread_t thread;
	bool has_thread;
	uint64_t down_since_ns;       /* CLOCK_MONOTONIC */
	unsigned int attempts;
	struct rpc_host_result last;  /* the last failure, its end state if it gives up */
};

struct stats_watch {
	struct cli_ctx *ctx;
	const struct stats_watch_opts *opts;
	const Xdpfleet__V1__WatchStatsRequest *req;
	size_t n;
	struct stats_watch_host *hosts;
	uint64_t printed;             /* ticks printed */
	struct output_host *view;     /* per host, for the tick being printed */
	int host_width;
	uint64_t deadline_ns;         /* CLOCK_MONOTONIC end of a --count watch; 0: none */
	pthread_mutex_t lock;
	int err;                      /* first output error */
};

uint64_t stats_watch_mono_ns(void);
/* Called with lock held. */
void stats_watch_advance(struct stats_watch *w);
int stats_watch_on_message(void *user, size_t host, ProtobufCMessage *msg);
/* A host's stream ended (lock held): reconnected when it broke after it had sent snapshots,
 * else its end. */
void stats_watch_host_ended(struct stats_watch *w, size_t host, const struct rpc_host_result *r);
/* The first snapshot of a reconnected stream (lock held): says so, and joins the next tick. */
void stats_watch_reconnected(struct stats_watch *w, size_t host);
/* After the fan-out: waits for the reconnecting hosts to finish or give up. */
void stats_watch_join(struct stats_watch *w);
/* A jsonl line about host v->host: {"time":..,"host":..,"event":EVENT,...} ("disconnected"
 * with v's code and error, "reconnected" with attempts and down_ms), or with event NULL its
 * final failure {"time":..,"host":..,"ok":false,"code":..,"error":..,"hint":..}. */
void stats_watch_event(struct stats_watch *w, const struct output_host *v, const char *event,
		       unsigned int attempts, uint64_t down_ms);

#endif
