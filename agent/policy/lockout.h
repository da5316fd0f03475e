/* SPDX-License-Identifier: GPL-2.0-only */
/* Lockout protection: refuse drop and limit rules that would cut off the caller or a prefix
 * the operator protected with --protect, unless the request says force. */
#ifndef XDPFLEET_LOCKOUT_H
#define XDPFLEET_LOCKOUT_H

#include <stdbool.h>
#include <stddef.h>

#include "cidr.h"
#include "rules_spec.h"

#define LOCKOUT_MAX_PROTECT 64

struct lockout {
	struct cidr protect[LOCKOUT_MAX_PROTECT];
	size_t n_protect;
};

/* The address in a gRPC peer string ("ipv4:198.18.0.1:4000", "ipv6:[2001:db8::1]:4000", also
 * with %5B/%5D); -EINVAL for unix sockets and anything else without one. */
int lockout_peer_addr(const char *peer, struct cidr *out);

/* True when spec would match peer's connection (may be NULL: a unix socket) or any traffic of a
 * protected prefix; why says which. */
bool lockout_hits(const struct lockout *lo, const struct cidr *peer, const struct rules_spec *spec, char *why,
		  size_t len);

#endif
