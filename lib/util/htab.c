// SPDX-License-Identifier: GPL-2.0-only
/* Open addressing keeps millions of small keys in one flat array whose slots hold value, key and
 * used flag together: no per-key allocation, one cache line per probe, and deletion without
 * tombstones. */
#include "htab.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

uint64_t hash_bytes(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ n;

	for (; n >= 8; n -= 8, b += 8) {
		uint64_t w;

		memcpy(&w, b, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
	}
	for (; n; n--, b++)
		h = (h ^ *b) * 0x100000001b3ULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

int htab_init(struct htab *h, size_t key_size, size_t cap_hint)
{
	size_t cap = 16;

	while (cap < cap_hint * 2)
		cap <<= 1;
	memset(h, 0, sizeof(*h));
	h->key_size = key_size;
	h->stride = (sizeof(uint64_t) + key_size + 1 + 7) & ~(size_t)7;
	h->cap = cap;
	h->slots = calloc(cap, h->stride);
	if (!h->slots) {
		htab_free(h);
		return -ENOMEM;
	}
	return 0;
}

void htab_free(struct htab *h)
{
	free(h->slots);
	memset(h, 0, sizeof(*h));
}

static uint8_t *slot_at(const struct htab *h, size_t i)
{
	return h->slots + i * h->stride;
}

static uint64_t *val_at(const struct htab *h, size_t i)
{
	return (uint64_t *)slot_at(h, i);
}

static void *key_at(const struct htab *h, size_t i)
{
	return slot_at(h, i) + sizeof(uint64_t);
}

static uint8_t *used_at(const struct htab *h, size_t i)
{
	return slot_at(h, i) + sizeof(uint64_t) + h->key_size;
}

void htab_clear(struct htab *h)
{
	for (size_t i = 0; i < h->cap; i++)
		*used_at(h, i) = 0;
	h->count = 0;
}

static size_t slot_of(const struct htab *h, const void *key)
{
	return hash_bytes(key, h->key_size) & (h->cap - 1);
}

/* The compiler's keys are 4, 8 or 20 bytes: compare those without a memcmp call. */
static bool key_eq(const struct htab *h, const void *a, const void *b)
{
	uint64_t x, y;
	uint32_t u, v;

	switch (h->key_size) {
	case 4:
		memcpy(&u, a, 4), memcpy(&v, b, 4);
		return u == v;
	case 8:
		memcpy(&x, a, 8), memcpy(&y, b, 8);
		return x == y;
	case 20:
		memcpy(&u, (const char *)a + 16, 4), memcpy(&v, (const char *)b + 16, 4);
		if (u != v)
			return false;
		memcpy(&x, (const char *)a + 8, 8), memcpy(&y, (const char *)b + 8, 8);
		if (x != y)
			return false;
		memcpy(&x, a, 8), memcpy(&y, b, 8);
		return x == y;
	default:
		return !memcmp(a, b, h->key_size);
	}
}

uint64_t *htab_get(const struct htab *h, const void *key)
{
	if (!h->cap)
		return NULL;
	for (size_t i = slot_of(h, key);; i = (i + 1) & (h->cap - 1)) {
		if (!*used_at(h, i))
			return NULL;
		if (key_eq(h, key_at(h, i), key))
			return val_at(h, i);
	}
}

/* Rehashes into a table for at least cap_hint keys. */
static int rehash(struct htab *h, size_t cap_hint)
{
	struct htab n;
	int err = htab_init(&n, h->key_size, cap_hint);

	if (err)
		return err;
	for (size_t i = 0; i < h->cap; i++) {
		if (*used_at(h, i))
			htab_put(&n, key_at(h, i), *val_at(h, i));
	}
	htab_free(h);
	*h = n;
	return 0;
}

static int grow(struct htab *h)
{
	return rehash(h, h->cap);
}

int htab_reserve(struct htab *h, size_t keys)
{
	/* htab_init sizes for a load of at most a half; inserts rehash above 0.7. */
	return keys * 10 > h->cap * 7 ? rehash(h, keys) : 0;
}

void htab_shrink(struct htab *h)
{
	/* Failing to shrink leaves a table that works, only bigger than it needs to be. */
	if (h->cap > 1024 && h->count * 8 < h->cap)
		rehash(h, h->count);
}

uint64_t *htab_upsert(struct htab *h, const void *key, bool *found)
{
	size_t i;

	if ((h->count + 1) * 10 > h->cap * 7 && grow(h))
		return NULL;
	for (i = slot_of(h, key); *used_at(h, i); i = (i + 1) & (h->cap - 1)) {
		if (key_eq(h, key_at(h, i), key)) {
			*found = true;
			return val_at(h, i);
		}
	}
	*used_at(h, i) = 1;
	memcpy(key_at(h, i), key, h->key_size);
	*val_at(h, i) = 0;
	h->count++;
	*found = false;
	return val_at(h, i);
}

int htab_put(struct htab *h, const void *key, uint64_t val)
{
	bool found;
	uint64_t *v = htab_upsert(h, key, &found);

	if (!v)
		return -ENOMEM;
	*v = val;
	return 0;
}

bool htab_del(struct htab *h, const void *key)
{
	size_t mask = h->cap - 1, i, j;

	if (!h->cap)
		return false;
	for (i = slot_of(h, key);; i = (i + 1) & mask) {
		if (!*used_at(h, i))
			return false;
		if (key_eq(h, key_at(h, i), key))
			break;
	}
	/* Backward shift: move later members of the probe run into the hole when their home
	 * slot does not lie cyclically between the hole and their position. */
	for (j = (i + 1) & mask; *used_at(h, j); j = (j + 1) & mask) {
		size_t home = slot_of(h, key_at(h, j));

		if (((j - home) & mask) >= ((j - i) & mask)) {
			memcpy(slot_at(h, i), slot_at(h, j), h->stride);
			i = j;
		}
	}
	*used_at(h, i) = 0;
	h->count--;
	return true;
}

bool htab_next(const struct htab *h, size_t *pos, const void **key, uint64_t **val)
{
	for (; *pos < h->cap; (*pos)++) {
		if (*used_at(h, *pos)) {
			*key = key_at(h, *pos);
			*val = val_at(h, *pos);
			(*pos)++;
			return true;
		}
	}
	return false;
}
