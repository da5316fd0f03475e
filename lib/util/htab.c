/* Open addressing keeps the compiler's millions of small keys in three flat arrays: no per-key
 * allocation, cache-friendly probes, and deletion without tombstones. */
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
	h->cap = cap;
	h->used = calloc(cap, 1);
	h->keys = malloc(cap * key_size);
	h->vals = malloc(cap * sizeof(*h->vals));
	if (!h->used || !h->keys || !h->vals) {
		htab_free(h);
		return -ENOMEM;
	}
	return 0;
}

void htab_free(struct htab *h)
{
	free(h->used);
	free(h->keys);
	free(h->vals);
	memset(h, 0, sizeof(*h));
}

void htab_clear(struct htab *h)
{
	memset(h->used, 0, h->cap);
	h->count = 0;
}

static size_t slot_of(const struct htab *h, const void *key)
{
	return hash_bytes(key, h->key_size) & (h->cap - 1);
}

static void *key_at(const struct htab *h, size_t i)
{
	return h->keys + i * h->key_size;
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
		if (!h->used[i])
			return NULL;
		if (key_eq(h, key_at(h, i), key))
			return &h->vals[i];
	}
}

static int grow(struct htab *h)
{
	struct htab n;
	int err = htab_init(&n, h->key_size, h->cap);

	if (err)
		return err;
	for (size_t i = 0; i < h->cap; i++) {
		if (h->used[i])
			htab_put(&n, key_at(h, i), h->vals[i]);
	}
	htab_free(h);
	*h = n;
	return 0;
}

int htab_put(struct htab *h, const void *key, uint64_t val)
{
	size_t i;

	if ((h->count + 1) * 10 > h->cap * 7) {
		int err = grow(h);

		if (err)
			return err;
	}
	for (i = slot_of(h, key); h->used[i]; i = (i + 1) & (h->cap - 1)) {
		if (key_eq(h, key_at(h, i), key)) {
			h->vals[i] = val;
			return 0;
		}
	}
	h->used[i] = 1;
	memcpy(key_at(h, i), key, h->key_size);
	h->vals[i] = val;
	h->count++;
	return 0;
}

bool htab_del(struct htab *h, const void *key)
{
	size_t mask = h->cap - 1, i, j;

	if (!h->cap)
		return false;
	for (i = slot_of(h, key);; i = (i + 1) & mask) {
		if (!h->used[i])
			return false;
		if (key_eq(h, key_at(h, i), key))
			break;
	}
	/* Backward shift: move later members of the probe run into the hole when their home
	 * slot does not lie cyclically between the hole and their position. */
	for (j = (i + 1) & mask; h->used[j]; j = (j + 1) & mask) {
		size_t home = slot_of(h, key_at(h, j));

		if (((j - home) & mask) >= ((j - i) & mask)) {
			memcpy(key_at(h, i), key_at(h, j), h->key_size);
			h->vals[i] = h->vals[j];
			i = j;
		}
	}
	h->used[i] = 0;
	h->count--;
	return true;
}

bool htab_next(const struct htab *h, size_t *pos, const void **key, uint64_t **val)
{
	for (; *pos < h->cap; (*pos)++) {
		if (h->used[*pos]) {
			*key = key_at(h, *pos);
			*val = &h->vals[*pos];
			(*pos)++;
			return true;
		}
	}
	return false;
}
