// SPDX-License-Identifier: GPL-2.0-only
/* The agent's top talkers: samples the filter programs' top_talkers tables every TOP_SAMPLE_MS
 * and keeps, per interface, the sources of the last period ranked heaviest first. */
#ifndef XDPFLEET_TOP_H
#define XDPFLEET_TOP_H

#include <net/if.h>
#include <stddef.h>
#include <stdint.h>

#include "top_table.h"

#define TOP_SAMPLE_MS 500
#define TOP_HISTORY 20 /* periods kept: views over windows up to 10 s */
#define TOP_KEEP_OLD 1024 /* sources kept of periods older than the newest two */

struct dataplane;
struct top;

struct top_opts {
	unsigned int v4_plen; /* 0: 32 */
	unsigned int v6_plen; /* 0: 64 */
};

/* One interface's latest period. */
struct top_if_view {
	char ifname[IF_NAMESIZE];
	unsigned int ifindex;
	double period;        /* seconds; 0: no period sampled yet */
	uint64_t ts_unix_ns;  /* when the table was read */
	size_t active;        /* sources seen in the period */
	struct top_source *src; /* heaviest first */
	size_t n;
};

int top_open(struct top **out, const struct top_opts *opts);
void top_close(struct top *t);
/* Reads the table of every interface that runs the filter program; interfaces gone are
 * forgotten. Returns 0 or the first error (other interfaces are still read). */
int top_sample(struct top *t, struct dataplane *dp);
/* Malloc'd views of ifname (NULL or "": all) over the latest periods that make up window_ms
 * (at least the latest one; at most TOP_HISTORY), at most limit sources each. */
int top_views(const struct top *t, const char *ifname, size_t limit, unsigned int window_ms,
	      struct top_if_view **out, size_t *n);
void top_views_free(struct top_if_view *v, size_t n);
/* The table memory the kernel holds per interface (all CPUs), for docs and metrics. */
size_t top_table_bytes(void);

#endif
