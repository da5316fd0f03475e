// SPDX-License-Identifier: GPL-2.0-only
/* Top talkers from raw table reads: what each table entry counted between two reads, summed per
 * source over CPUs (and interfaces), rates, ranking and coarser prefixes. No BPF calls here. */
#ifndef XDPFLEET_TOP_TABLE_H
#define XDPFLEET_TOP_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cidr.h"
#include "htab.h"
#include "vec.h"
#include "xdpfleet_abi.h"

struct top_source {
	struct cidr src;
	uint64_t packets, bytes; /* in the period */
	double pps, bps;
	uint64_t verdict[TOP_V_MAX];
	uint64_t proto[TOP_P_MAX];
	uint32_t port;        /* dominant destination port, 0: none */
	uint64_t port_weight; /* its weight summed over the entries that named it */
};

/* What the entry at one table position counted since prev was read there: false when it
 * counted nothing. An entry taken by another source (or again) since counts from zero. */
bool top_entry_delta(const struct top_entry *prev, const struct top_entry *cur, struct top_entry *out);

/* Sources summed by prefix. */
struct top_acc {
	struct htab idx; /* struct cidr -> index in srcs */
	struct vec srcs; /* struct top_source */
};

int top_acc_init(struct top_acc *a);
void top_acc_free(struct top_acc *a);
/* Adds a table entry's (delta) counts under its source. */
int top_acc_add_entry(struct top_acc *a, const struct top_entry *e);
/* Adds a source's counts under src (its own prefix, or a coarser one). */
int top_acc_add(struct top_acc *a, const struct cidr *src, const struct top_source *s);

/* Fills pps and bps from packets and bytes over period seconds (0: rates 0). */
void top_rates(struct top_source *s, size_t n, double period);
/* Heaviest first: pps, then bps, then the address, so equal input ranks the same. */
void top_rank(struct top_source *s, size_t n);
/* The sources summed under prefixes of plen4 / plen6 bits (coarser than theirs or equal; a
 * finer length keeps theirs); proto (0: all) keeps only that protocol's packets in pps
 * (TOP_P_* counts; bytes are scaled alike). Ranked, into a malloc'd array. */
int top_aggregate(const struct top_source *in, size_t n, unsigned plen4, unsigned plen6, uint8_t proto,
		  struct top_source **out, size_t *n_out);

#endif
