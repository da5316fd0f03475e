/* SPDX-License-Identifier: GPL-2.0-only */
/* IPv4/IPv6 CIDR prefixes: parsing with errors that say what is wrong, formatting, containment.
 * Shared by the agent (rule validation) and the CLI (blocklist files). */
#ifndef XDPFLEET_CIDR_H
#define XDPFLEET_CIDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Long enough for "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255/128". */
#define CIDR_STR_MAX 64

struct cidr {
	uint8_t family; /* 4 or 6 */
	uint8_t plen;
	uint8_t addr[16]; /* network order; IPv4 in addr[0..3]; bits past plen are zero */
};

struct cidr_parse_opts {
	/* Clear host bits ("10.1.2.3/8" -> 10.0.0.0/8) instead of refusing them. Blocklist loaders
	 * may want this; the rule API refuses, since such input is usually a typo. */
	bool normalise;
};

/* Parses "ADDR" (a /32 or /128) or "ADDR/LEN". Returns 0, or -EINVAL with *why (if not NULL)
 * set to a static explanation. Surrounding whitespace is not accepted. */
int cidr_parse(const char *s, const struct cidr_parse_opts *opts, struct cidr *out,
	       const char **why);
/* Writes the canonical form ("10.0.0.0/8", "2001:db8::/32"); returns 0 or -ENOSPC. */
int cidr_format(const struct cidr *c, char *buf, size_t len);
/* Zeroes the bits of addr past plen. */
void cidr_mask(uint8_t *addr, unsigned plen);
/* True if inner lies within outer (same family, outer no longer than inner). */
bool cidr_contains(const struct cidr *outer, const struct cidr *inner);
/* True if the address (16 bytes, IPv4 in the first 4) of the given family lies in c. */
bool cidr_contains_addr(const struct cidr *c, unsigned family, const uint8_t *addr);
bool cidr_equal(const struct cidr *a, const struct cidr *b);

#endif
