/* SPDX-License-Identifier: GPL-2.0-only */
/* Sorting many prefixes by (family, address, length, position) in about two passes: buckets on
 * the leading address bits, spread over each family's span, then each bucket on its own. The
 * rule engine sorts its batches with it, the CLI its blocklists. */
#ifndef XDPFLEET_UTIL_PREFIX_SORT_H
#define XDPFLEET_UTIL_PREFIX_SORT_H

#include <stddef.h>
#include <stdint.h>

struct prefix_key {
	uint64_t a0, a1; /* the address as big-endian words (IPv4 in the top 32 bits of a0) */
	uint32_t fl;     /* family << 8 | prefix length; families 0..2 */
	uint32_t idx;    /* the caller's position of the prefix */
};

/* The key of a prefix given as 16 address bytes in network order. */
struct prefix_key prefix_key_of(const uint8_t addr[16], unsigned family, unsigned plen, uint32_t idx);
/* Sorts k[0..n) into a new array (*sorted, malloc'd; k is left as it was). 0 or -ENOMEM. */
int prefix_sort(const struct prefix_key *k, size_t n, struct prefix_key **sorted);

#endif
