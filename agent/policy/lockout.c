// SPDX-License-Identifier: GPL-2.0-only
/* Lockout protection (see lockout.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>

#include "lockout.h"

static const unsigned char v4_mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

int lockout_peer_addr(const char *peer, struct cidr *out)
{
	char addr[CIDR_STR_MAX];
	const char *start, *end;

	if (!strncmp(peer, "ipv4:", 5)) {
		start = peer + 5;
		end = strrchr(start, ':');
	} else if (!strncmp(peer, "ipv6:", 5)) {
		start = peer + 5;
		if (*start == '[') {
			start++;
			end = strchr(start, ']');
		} else if (!strncmp(start, "%5B", 3)) {
			start += 3;
			end = strstr(start, "%5D");
		} else {
			end = strrchr(start, ':');
		}
	} else {
		return -EINVAL;
	}
	if (!end || end <= start || (size_t)(end - start) >= sizeof(addr))
		return -EINVAL;
	memcpy(addr, start, end - start);
	addr[end - start] = '\0';
	if (cidr_parse(addr, NULL, out, NULL))
		return -EINVAL;
	/* A dual-stack listener sees IPv4 clients as ::ffff:a.b.c.d; rules name them as IPv4. */
	if (out->family == 6 && !memcmp(out->addr, v4_mapped, sizeof(v4_mapped))) {
		memmove(out->addr, out->addr + 12, 4);
		memset(out->addr + 4, 0, 12);
		out->family = 4;
		out->plen = 32;
	}
	return 0;
}

static bool overlaps(const struct cidr *a, const struct cidr *b)
{
	return cidr_contains(a, b) || cidr_contains(b, a);
}

bool lockout_hits(const struct lockout *lo, const struct cidr *peer, const struct rules_spec *spec, char *why,
		  size_t len)
{
	char a[CIDR_STR_MAX], b[CIDR_STR_MAX] = "any source";

	if (spec->action != RULES_ACT_DROP && spec->action != RULES_ACT_LIMIT)
		return false;
	if (spec->has_src)
		cidr_format(&spec->src, b, sizeof(b));
	/* The caller talks to us over TCP: a rule for another protocol cannot cut it off. */
	if (peer && (spec->proto == 0 || spec->proto == IPPROTO_TCP) &&
	    (!spec->has_src || cidr_contains(&spec->src, peer))) {
		cidr_format(peer, a, sizeof(a));
		snprintf(why, len, "%s %s would match this client's own address %s", rules_action_name(spec->action),
			 b, a);
		return true;
	}
	for (size_t i = 0; i < lo->n_protect; i++) {
		if (spec->has_src && !overlaps(&spec->src, &lo->protect[i]))
			continue;
		cidr_format(&lo->protect[i], a, sizeof(a));
		snprintf(why, len, "%s %s would match the protected prefix %s (--protect)",
			 rules_action_name(spec->action), b, a);
		return true;
	}
	return false;
}
