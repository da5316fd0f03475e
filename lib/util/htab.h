/* SPDX-License-Identifier: GPL-2.0-only */
/* A fixed-key-size open-addressing hash table (linear probing, backward-shift deletion) from
 * byte keys to 64-bit values: the rule compiler's indexes of prefixes, blocks and entries. */
#ifndef XDPFLEET_UTIL_HTAB_H
#define XDPFLEET_UTIL_HTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct htab {
	size_t key_size;
	size_t stride; /* one slot: value, key, used flag, 8-byte aligned */
	size_t cap;    /* power of two */
	size_t count;
	uint8_t *slots;
};

int htab_init(struct htab *h, size_t key_size, size_t cap_hint);
void htab_free(struct htab *h);
void htab_clear(struct htab *h);
/* Returns a pointer to the value of key, or NULL. Valid until the next insert or delete. */
uint64_t *htab_get(const struct htab *h, const void *key);
/* Room for keys keys in all without rehashing on the way (a batch of a million inserts). */
int htab_reserve(struct htab *h, size_t keys);
/* After many deletes: a table an eighth full or less is rehashed to fit what it holds. */
void htab_shrink(struct htab *h);
/* Inserts or overwrites; returns 0 or -ENOMEM. */
int htab_put(struct htab *h, const void *key, uint64_t val);
/* The value of key, inserted (as 0) when absent, with one probe sequence for both; *found says
 * which. NULL when out of memory. Valid until the next insert or delete. */
uint64_t *htab_upsert(struct htab *h, const void *key, bool *found);
/* Returns true if key was present. */
bool htab_del(struct htab *h, const void *key);
/* Iteration: for (size_t i = 0; htab_next(h, &i, &k, &v); ) ... (no changes meanwhile). */
bool htab_next(const struct htab *h, size_t *pos, const void **key, uint64_t **val);
uint64_t hash_bytes(const void *p, size_t n);

#endif
