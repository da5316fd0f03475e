/* CIDR parsing and formatting on top of inet_pton/inet_ntop, with strict length checks and the
 * host-bits policy chosen by the caller. */
#include "cidr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

void cidr_mask(uint8_t *addr, unsigned plen)
{
	for (unsigned i = 0; i < 16; i++) {
		if (plen >= 8 * (i + 1))
			continue;
		if (plen <= 8 * i)
			addr[i] = 0;
		else
			addr[i] &= (uint8_t)(0xff << (8 - (plen - 8 * i)));
	}
}

static int fail(const char **why, const char *msg)
{
	if (why)
		*why = msg;
	return -EINVAL;
}

/* Strict decimal 0..max without sign, spaces or leading zeros beyond "0". */
static int parse_len(const char *s, unsigned max, unsigned *out)
{
	unsigned v = 0;

	if (!*s || (s[0] == '0' && s[1]))
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		v = v * 10 + (unsigned)(*s - '0');
		if (v > max)
			return -EINVAL;
	}
	*out = v;
	return 0;
}

int cidr_parse(const char *s, const struct cidr_parse_opts *opts, struct cidr *out,
	       const char **why)
{
	char buf[CIDR_STR_MAX];
	const char *slash;
	struct cidr c = { 0 };
	uint8_t orig[16];
	unsigned plen, max;
	size_t alen;

	if (!s || !*s)
		return fail(why, "empty address");
	slash = strchr(s, '/');
	alen = slash ? (size_t)(slash - s) : strlen(s);
	if (alen == 0)
		return fail(why, "missing address before '/'");
	if (alen >= sizeof(buf))
		return fail(why, "address too long");
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	if (strchr(buf, ':')) {
		if (inet_pton(AF_INET6, buf, c.addr) != 1)
			return fail(why, "not an IPv6 address");
		c.family = 6;
		max = 128;
	} else {
		if (inet_pton(AF_INET, buf, c.addr) != 1)
			return fail(why, "not an IPv4 address (want a.b.c.d)");
		c.family = 4;
		max = 32;
	}
	plen = max;
	if (slash && parse_len(slash + 1, max, &plen))
		return fail(why, c.family == 4 ? "prefix length must be 0..32" :
						  "prefix length must be 0..128");
	c.plen = (uint8_t)plen;
	memcpy(orig, c.addr, sizeof(orig));
	cidr_mask(c.addr, plen);
	if (memcmp(orig, c.addr, sizeof(orig)) && !(opts && opts->normalise))
		return fail(why, "host bits set after the prefix length");
	*out = c;
	return 0;
}

int cidr_format(const struct cidr *c, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];
	int n;

	if (!inet_ntop(c->family == 4 ? AF_INET : AF_INET6, c->addr, a, sizeof(a)))
		return -EINVAL;
	n = snprintf(buf, len, "%s/%u", a, c->plen);
	return n < 0 || (size_t)n >= len ? -ENOSPC : 0;
}

bool cidr_contains_addr(const struct cidr *c, unsigned family, const uint8_t *addr)
{
	uint8_t m[16];

	if (c->family != family)
		return false;
	memcpy(m, addr, 16);
	if (family == 4)
		memset(m + 4, 0, 12);
	cidr_mask(m, c->plen);
	return memcmp(m, c->addr, 16) == 0;
}

bool cidr_contains(const struct cidr *outer, const struct cidr *inner)
{
	return outer->plen <= inner->plen && cidr_contains_addr(outer, inner->family, inner->addr);
}

bool cidr_equal(const struct cidr *a, const struct cidr *b)
{
	return a->family == b->family && a->plen == b->plen && !memcmp(a->addr, b->addr, 16);
}
