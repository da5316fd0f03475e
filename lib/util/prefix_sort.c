// SPDX-License-Identifier: GPL-2.0-only
/* Prefix sorting (see prefix_sort.h). */
#include "prefix_sort.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int cmp_key(const void *a, const void *b)
{
	const struct prefix_key *x = a, *y = b;

	if (x->fl >> 8 != y->fl >> 8)
		return (int)(x->fl >> 8) - (int)(y->fl >> 8);
	if (x->a0 != y->a0)
		return x->a0 < y->a0 ? -1 : 1;
	if (x->a1 != y->a1)
		return x->a1 < y->a1 ? -1 : 1;
	if (x->fl != y->fl)
		return x->fl < y->fl ? -1 : 1;
	return (x->idx > y->idx) - (x->idx < y->idx);
}

#define SORT_BUCKETS (3u << 16)

/* Per family, the span of leading address words in the batch, shifted to 16 bits: random
 * addresses fill the buckets evenly even where their first bits are all alike. */
struct spread {
	uint64_t min[3];
	unsigned shift[3];
};

static void spread_of(const struct prefix_key *k, size_t n, struct spread *sp)
{
	uint64_t max[3] = { 0 };

	for (int f = 0; f < 3; f++)
		sp->min[f] = UINT64_MAX;
	for (size_t i = 0; i < n; i++) {
		unsigned f = k[i].fl >> 8;

		if (k[i].a0 < sp->min[f])
			sp->min[f] = k[i].a0;
		if (k[i].a0 > max[f])
			max[f] = k[i].a0;
	}
	for (int f = 0; f < 3; f++) {
		uint64_t span = max[f] >= sp->min[f] ? max[f] - sp->min[f] : 0;

		sp->shift[f] = 0;
		while (span >> sp->shift[f] >= (1u << 16))
			sp->shift[f]++;
	}
}

static uint32_t bucket_of(const struct prefix_key *k, const struct spread *sp)
{
	unsigned f = k->fl >> 8;

	return f << 16 | (uint32_t)((k->a0 - sp->min[f]) >> sp->shift[f]);
}

static void insertion_sort(struct prefix_key *k, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct prefix_key x = k[i];
		size_t j = i;

		for (; j > 0 && cmp_key(&k[j - 1], &x) > 0; j--)
			k[j] = k[j - 1];
		k[j] = x;
	}
}

struct prefix_key prefix_key_of(const uint8_t addr[16], unsigned family, unsigned plen, uint32_t idx)
{
	uint64_t w[2];

	memcpy(w, addr, 16);
	return (struct prefix_key){ __builtin_bswap64(w[0]), __builtin_bswap64(w[1]), family << 8 | plen, idx };
}

int prefix_sort(const struct prefix_key *k, size_t n, struct prefix_key **sorted)
{
	struct prefix_key *out = malloc((n + 1) * sizeof(*out));
	uint32_t *start = calloc(SORT_BUCKETS + 1, sizeof(*start));
	int err = out && start ? 0 : -ENOMEM;
	struct spread sp;

	if (!err)
		spread_of(k, n, &sp);
	for (size_t i = 0; !err && i < n; i++)
		start[bucket_of(&k[i], &sp) + 1]++;
	for (uint32_t b = 0; !err && b < SORT_BUCKETS; b++)
		start[b + 1] += start[b];
	for (size_t i = 0; !err && i < n; i++)
		out[start[bucket_of(&k[i], &sp)]++] = k[i];
	for (uint32_t b = 0, from = 0; !err && b < SORT_BUCKETS; from = start[b++]) {
		size_t m = start[b] - from;

		if (m > 32)
			qsort(out + from, m, sizeof(*out), cmp_key);
		else if (m > 1)
			insertion_sort(out + from, m);
	}
	free(start);
	if (err)
		free(out);
	else
		*sorted = out;
	return err;
}
