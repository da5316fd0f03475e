/* SPDX-License-Identifier: GPL-2.0-only */
/* Per-action counters: the stats map (the seed's PERCPU_ARRAY of struct datarec), reading it
 * summed over CPUs with a monotonic timestamp, and rates between two reads. */
#ifndef XDPFLEET_STATS_H
#define XDPFLEET_STATS_H

#include <stdbool.h>
#include <stdint.h>

#include "xdpfleet_abi.h"

struct stats_record {
	uint64_t ts_ns; /* CLOCK_MONOTONIC */
	struct datarec act[XDP_ACTION_MAX];
};

struct stats_rate {
	double pps;
	double bps; /* bits per second */
};

/* A new stats map named xdp_stats_map; returns its fd or -errno. */
int stats_map_create(void);
/* Whether fd is a map of the stats layout (type, key, value, entries). */
bool stats_map_compatible(int fd);
/* Sums the per-CPU values of every action, stamping the read with CLOCK_MONOTONIC. */
int stats_read(int map_fd, struct stats_record *rec);
/* Rates from prev to cur; returns the period in seconds (0 when cur is not later than prev).
 * A counter that went backwards (map recreated) gives rate 0, not a huge number. */
double stats_rates(const struct stats_record *prev, const struct stats_record *cur,
		   struct stats_rate rates[XDP_ACTION_MAX]);
uint64_t stats_now_ns(void);
/* The wall clock, for timestamps people and collectors read. */
uint64_t stats_now_unix_ns(void);

#endif
