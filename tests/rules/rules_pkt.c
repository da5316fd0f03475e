// SPDX-License-Identifier: GPL-2.0-only
/* Frames are built header by header while the expected parse is worked out from the same
 * offsets, so truncation at any byte has a known right answer. */
#include "rules_pkt.h"

#include <arpa/inet.h>
#include <string.h>

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Appends the L4 header; returns its length. */
static size_t l4(const struct rules_pkt_spec *s, uint8_t *p)
{
	size_t n = s->proto == 6 ? 20 : 8;

	memset(p, 0, n);
	put16(p, 40000);
	put16(p + 2, s->dport);
	if (s->proto == 6)
		p[12] = 5 << 4;
	return n;
}

static size_t ports_need(uint8_t proto)
{
	return proto == 6 ? 20 : proto == 17 ? 8 : 0;
}

static size_t build_v4(const struct rules_pkt_spec *s, uint8_t *p, size_t off, size_t *l4off)
{
	size_t hl = 20 + 4 * (size_t)s->v4_opt_words;

	memset(p + off, 0, hl);
	p[off] = (uint8_t)((s->bad_version ? 6 : 4) << 4 | (s->v4_bad_ihl ? 4 : hl / 4));
	p[off + 8] = 64;
	p[off + 9] = s->proto;
	if (s->frag_nonfirst)
		put16(p + off + 6, 0x2000 | 185); /* MF, offset 1480 */
	else if (s->frag_first)
		put16(p + off + 6, 0x2000);
	memcpy(p + off + 12, s->src, 4);
	memcpy(p + off + 16, "\xc6\x33\x64\x01", 4);
	for (int i = 0; i < s->v4_opt_words; i++)
		p[off + 20 + 4 * i] = 1; /* NOP options */
	*l4off = off + hl;
	return *l4off + l4(s, p + *l4off);
}

/* Extension header chain; meta tracks where the parser must stop. */
static size_t build_v6(const struct rules_pkt_spec *s, uint8_t *p, size_t off, size_t *ext_off,
		       size_t *l4off)
{
	uint8_t nh0 = s->v6_next ? s->v6_ext[0] : s->proto;
	size_t cur = off + 40;

	memset(p + off, 0, 40);
	p[off] = (uint8_t)((s->bad_version ? 4 : 6) << 4);
	p[off + 6] = nh0;
	p[off + 7] = 64;
	memcpy(p + off + 8, s->src, 16);
	p[off + 24] = 0x20, p[off + 25] = 0x01, p[off + 39] = 1;
	for (int i = 0; i < s->v6_next; i++) {
		uint8_t type = s->v6_ext[i];
		uint8_t next = i + 1 < s->v6_next ? s->v6_ext[i + 1] : s->proto;
		size_t len;

		ext_off[i] = cur;
		if (type == 44) {
			len = 8;
			memset(p + cur, 0, len);
			put16(p + cur + 2, s->frag_nonfirst ? (185 << 3) | 1 : 1);
		} else if (type == 51) {
			len = 12;
			memset(p + cur, 0, len);
			p[cur + 1] = 1;
		} else {
			len = (i % 2) ? 16 : 8;
			memset(p + cur, 0, len);
			p[cur + 1] = (uint8_t)(len / 8 - 1);
			if (len == 16) /* PadN over the rest */
				p[cur + 2] = 1, p[cur + 3] = 12;
			else
				p[cur + 2] = 1, p[cur + 3] = 4;
		}
		p[cur] = next;
		cur += len;
	}
	*l4off = cur;
	return cur + l4(s, p + cur);
}

static void expect_v4(const struct rules_pkt_spec *s, size_t l3, size_t l4off, size_t len,
		      struct rules_pkt_meta *m)
{
	if (l3 + 20 > len || s->bad_version)
		return;
	m->eval = true;
	m->family = 4;
	memcpy(m->src, s->src, 4);
	m->proto = s->proto;
	if (s->v4_bad_ihl || s->frag_nonfirst || !ports_need(s->proto))
		return;
	if (l4off + ports_need(s->proto) <= len) {
		m->has_ports = true;
		m->dport = s->dport;
	}
}

static void expect_v6(const struct rules_pkt_spec *s, size_t l3, const size_t *ext_off,
		      size_t l4off, size_t len, struct rules_pkt_meta *m)
{
	if (l3 + 40 > len || s->bad_version)
		return;
	m->eval = true;
	m->family = 6;
	memcpy(m->src, s->src, 16);
	for (int i = 0; i < s->v6_next; i++) {
		if (i == 8 || ext_off[i] + 8 > len) {
			m->proto = s->v6_ext[i];
			return;
		}
		if (s->v6_ext[i] == 44 && s->frag_nonfirst) {
			m->proto = i + 1 < s->v6_next ? s->v6_ext[i + 1] : s->proto;
			return;
		}
	}
	m->proto = s->proto;
	if (ports_need(s->proto) && l4off + ports_need(s->proto) <= len) {
		m->has_ports = true;
		m->dport = s->dport;
	}
}

size_t rules_pkt_build(const struct rules_pkt_spec *s, uint8_t *buf, struct rules_pkt_meta *m)
{
	size_t off = 12, len, l4off = 0, ext_off[10] = { 0 };
	bool vlan_ok = s->vlans <= 2;

	memset(m, 0, sizeof(*m));
	memset(buf, 0, RULES_PKT_MAX);
	memcpy(buf, "\x02\x00\x00\x00\x00\x01\x02\x00\x00\x00\x00\x02", 12);
	for (int i = 0; i < s->vlans; i++) {
		put16(buf + off, i == 0 && s->vlans == 2 ? 0x88a8 : 0x8100);
		put16(buf + off + 2, (uint16_t)(100 + i));
		off += 4;
	}
	if (s->l2 == RULES_PKT_ARP) {
		put16(buf + off, 0x0806);
		len = off + 2 + 28;
	} else if (s->l2 == RULES_PKT_LLDP) {
		put16(buf + off, 0x88cc);
		len = off + 2 + 40;
	} else if (s->family == 4) {
		put16(buf + off, 0x0800);
		len = build_v4(s, buf, off + 2, &l4off);
	} else {
		put16(buf + off, 0x86dd);
		len = build_v6(s, buf, off + 2, ext_off, &l4off);
	}
	if (s->truncate_to && s->truncate_to < len)
		len = s->truncate_to;
	/* Every VLAN tag and the ethertype after it must be there for the parser to go on. */
	if (s->l2 != RULES_PKT_IP || !vlan_ok || off + 2 > len)
		return len;
	if (s->family == 4)
		expect_v4(s, off + 2, l4off, len, m);
	else
		expect_v6(s, off + 2, ext_off, l4off, len, m);
	return len;
}
