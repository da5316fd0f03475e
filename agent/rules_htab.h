/* A fixed-key-size open-addressing hash table (linear probing, backward-shift deletion) from
 * byte keys to 64-bit values: the rule compiler's indexes of prefixes, blocks and entries. */
#ifndef XDPFLEET_RULES_HTAB_H
#define XDPFLEET_RULES_HTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rules_htab {
	size_t key_size;
	size_t cap; /* power of two */
	size_t count;
	uint8_t *used;
	uint8_t *keys;
	uint64_t *vals;
};

int rules_htab_init(struct rules_htab *h, size_t key_size, size_t cap_hint);
void rules_htab_free(struct rules_htab *h);
void rules_htab_clear(struct rules_htab *h);
/* Returns a pointer to the value of key, or NULL. Valid until the next insert or delete. */
uint64_t *rules_htab_get(const struct rules_htab *h, const void *key);
/* Inserts or overwrites; returns 0 or -ENOMEM. */
int rules_htab_put(struct rules_htab *h, const void *key, uint64_t val);
/* Returns true if key was present. */
bool rules_htab_del(struct rules_htab *h, const void *key);
/* Iteration: for (size_t i = 0; rules_htab_next(h, &i, &k, &v); ) ... (no changes meanwhile). */
bool rules_htab_next(const struct rules_htab *h, size_t *pos, const void **key, uint64_t **val);
uint64_t rules_hash_bytes(const void *p, size_t n);

#endif
