// SPDX-License-Identifier: GPL-2.0-only
/* Top talkers from raw table reads (see top_table.h): deltas, sums per prefix, ranking. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "top_table.h"

static bool same_source(const struct top_entry *a, const struct top_entry *b)
{
	return a->family == b->family && a->plen == b->plen && a->key[0] == b->key[0] &&
	       a->key[1] == b->key[1] && a->since == b->since;
}

bool top_entry_delta(const struct top_entry *prev, const struct top_entry *cur, struct top_entry *out)
{
	*out = *cur;
	if (!cur->family)
		return false;
	if (!prev || !same_source(prev, cur) || cur->packets < prev->packets)
		return cur->packets > 0;
	out->packets = cur->packets - prev->packets;
	out->bytes = cur->bytes >= prev->bytes ? cur->bytes - prev->bytes : 0;
	for (int v = 0; v < TOP_V_MAX; v++)
		out->verdict[v] = cur->verdict[v] >= prev->verdict[v] ? cur->verdict[v] - prev->verdict[v] : 0;
	for (int p = 0; p < TOP_P_MAX; p++)
		out->proto[p] = cur->proto[p] >= prev->proto[p] ? cur->proto[p] - prev->proto[p] : 0;
	return out->packets > 0;
}

int top_acc_init(struct top_acc *a)
{
	vec_init(&a->srcs, sizeof(struct top_source));
	return htab_init(&a->idx, sizeof(struct cidr), 256);
}

void top_acc_free(struct top_acc *a)
{
	htab_free(&a->idx);
	vec_free(&a->srcs);
}

int top_acc_add(struct top_acc *a, const struct cidr *src, const struct top_source *s)
{
	struct top_source *dst, fresh;
	bool found;
	uint64_t *v = htab_upsert(&a->idx, src, &found);
	int ret;

	if (!v)
		return -ENOMEM;
	if (!found) {
		memset(&fresh, 0, sizeof(fresh));
		fresh.src = *src;
		ret = vec_push(&a->srcs, &fresh);
		if (ret) {
			htab_del(&a->idx, src);
			return ret;
		}
		*v = a->srcs.n - 1;
	}
	dst = vec_at(&a->srcs, *v);
	dst->packets += s->packets;
	dst->bytes += s->bytes;
	dst->pps += s->pps;
	dst->bps += s->bps;
	for (int i = 0; i < TOP_V_MAX; i++)
		dst->verdict[i] += s->verdict[i];
	for (int i = 0; i < TOP_P_MAX; i++)
		dst->proto[i] += s->proto[i];
	if (s->port_weight) {
		if (dst->port == s->port)
			dst->port_weight += s->port_weight;
		else if (s->port_weight > dst->port_weight)
			dst->port = s->port, dst->port_weight = s->port_weight;
	}
	return 0;
}

int top_acc_add_entry(struct top_acc *a, const struct top_entry *e)
{
	struct top_source s = {
		.packets = e->packets,
		.bytes = e->bytes,
		.port = e->port_weight ? e->port : 0,
		.port_weight = e->port_weight,
	};
	struct cidr src = { .family = (uint8_t)e->family, .plen = (uint8_t)e->plen };

	if ((e->family != 4 && e->family != 6) || e->plen > (e->family == 4 ? 32u : 128u))
		return -EINVAL;
	memcpy(src.addr, e->key, sizeof(src.addr));
	cidr_mask(src.addr, src.plen);
	memcpy(s.verdict, e->verdict, sizeof(s.verdict));
	memcpy(s.proto, e->proto, sizeof(s.proto));
	return top_acc_add(a, &src, &s);
}

void top_rates(struct top_source *s, size_t n, double period)
{
	for (size_t i = 0; i < n; i++) {
		s[i].pps = period > 0 ? (double)s[i].packets / period : 0.0;
		s[i].bps = period > 0 ? (double)s[i].bytes * 8.0 / period : 0.0;
	}
}

static int rank_cmp(const void *pa, const void *pb)
{
	const struct top_source *a = pa, *b = pb;

	if (a->pps != b->pps)
		return a->pps > b->pps ? -1 : 1;
	if (a->bps != b->bps)
		return a->bps > b->bps ? -1 : 1;
	if (a->src.family != b->src.family)
		return a->src.family < b->src.family ? -1 : 1;
	if (a->src.plen != b->src.plen)
		return a->src.plen < b->src.plen ? -1 : 1;
	return memcmp(a->src.addr, b->src.addr, sizeof(a->src.addr));
}

void top_rank(struct top_source *s, size_t n)
{
	if (n > 1)
		qsort(s, n, sizeof(*s), rank_cmp);
}

static int proto_index(uint8_t proto)
{
	switch (proto) {
	case 6:
		return TOP_P_TCP;
	case 17:
		return TOP_P_UDP;
	case 1:
	case 58:
		return TOP_P_ICMP;
	default:
		return TOP_P_OTHER;
	}
}

int top_aggregate(const struct top_source *in, size_t n, unsigned plen4, unsigned plen6, uint8_t proto,
		  struct top_source **out, size_t *n_out)
{
	struct top_acc acc;
	int ret = top_acc_init(&acc);

	*out = NULL;
	*n_out = 0;
	if (ret)
		return ret;
	for (size_t i = 0; i < n; i++) {
		struct top_source s = in[i];
		struct cidr c = in[i].src;
		unsigned want = c.family == 4 ? plen4 : plen6;

		if (want && want < c.plen) {
			c.plen = (uint8_t)want;
			cidr_mask(c.addr, c.plen);
		}
		if (proto) {
			uint64_t p = in[i].proto[proto_index(proto)];

			double share = in[i].packets ? (double)p / (double)in[i].packets : 0.0;

			s.bytes = (uint64_t)((double)in[i].bytes * share);
			s.pps = in[i].pps * share;
			s.bps = in[i].bps * share;
			s.packets = p;
		}
		if (!s.packets)
			continue;
		ret = top_acc_add(&acc, &c, &s);
		if (ret)
			goto out;
	}
	top_rank(acc.srcs.v, acc.srcs.n);
	*out = acc.srcs.v;
	*n_out = acc.srcs.n;
	vec_init(&acc.srcs, sizeof(struct top_source));
out:
	top_acc_free(&acc);
	return ret;
}
