// SPDX-License-Identifier: GPL-2.0-only
/* CIDR parsing on top of inet_pton with strict length checks and the host-bits policy chosen
 * by the caller, and formatting that prints what inet_ntop would, without its printf calls
 * (a million-rule snapshot or blocklist formats every prefix). */
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

static char *put_dec(char *p, unsigned v)
{
	if (v >= 100)
		*p++ = (char)('0' + v / 100);
	if (v >= 10)
		*p++ = (char)('0' + v / 10 % 10);
	*p++ = (char)('0' + v % 10);
	return p;
}

static char *put_v4(char *p, const uint8_t *a)
{
	for (int i = 0; i < 4; i++) {
		if (i)
			*p++ = '.';
		p = put_dec(p, a[i]);
	}
	return p;
}

/* RFC 5952: lowercase, no leading zeros, the first longest run of two or more zero groups as
 * "::". Addresses starting with five zero groups may print an embedded IPv4 address
 * (::ffff:192.0.2.1): those go to inet_ntop, so the text is always what it would print. */
static char *put_v6(char *p, const uint8_t *a)
{
	static const char hex[] = "0123456789abcdef";
	int best = -1, best_len = 1, run = 0;
	uint16_t w[8];

	for (int i = 0; i < 8; i++) {
		w[i] = (uint16_t)(a[2 * i] << 8 | a[2 * i + 1]);
		run = w[i] ? 0 : run + 1;
		if (run > best_len) {
			best_len = run;
			best = i - run + 1;
		}
	}
	for (int i = 0; i < 8; i++) {
		bool lead = true;

		if (i == best) {
			*p++ = ':';
			if (i == 0)
				*p++ = ':';
			i += best_len - 1;
			continue;
		}
		for (int shift = 12; shift >= 0; shift -= 4) {
			unsigned d = (unsigned)(w[i] >> shift) & 15;

			if (d || !lead || !shift) {
				*p++ = hex[d];
				lead = false;
			}
		}
		if (i < 7)
			*p++ = ':';
	}
	return p;
}

int cidr_format(const struct cidr *c, char *buf, size_t len)
{
	static const uint8_t five_zero_groups[10];
	char a[INET6_ADDRSTRLEN + 8], *p = a;
	size_t n;

	if (c->family == 4) {
		p = put_v4(p, c->addr);
	} else if (c->family != 6) {
		return -EINVAL;
	} else if (!memcmp(c->addr, five_zero_groups, sizeof(five_zero_groups))) {
		if (!inet_ntop(AF_INET6, c->addr, a, INET6_ADDRSTRLEN))
			return -EINVAL;
		p = a + strlen(a);
	} else {
		p = put_v6(p, c->addr);
	}
	*p++ = '/';
	p = put_dec(p, c->plen);
	n = (size_t)(p - a);
	if (n >= len)
		return -ENOSPC;
	memcpy(buf, a, n);
	buf[n] = '\0';
	return 0;
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
