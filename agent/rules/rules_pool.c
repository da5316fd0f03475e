// SPDX-License-Identifier: GPL-2.0-only
/* Id pools for trie nodes and lists: ids go out from a free stack or above the high-water mark;
 * ids released by a batch wait in quarantine until a grace period has passed, since a packet
 * that started on the old tree may still read them. A batch can be rolled back. */
#include "rules_engine.h"

#include <errno.h>

void rules_pool_init(struct rules_pool *p, uint32_t first)
{
	p->first = p->hw = p->hw0 = first;
	p->live = p->live0 = 0;
	vec_init(&p->free, sizeof(uint32_t));
	vec_init(&p->quarantine, sizeof(uint32_t));
	vec_init(&p->taken, sizeof(uint32_t));
	vec_init(&p->pending, sizeof(uint32_t));
}

void rules_pool_free_all(struct rules_pool *p)
{
	vec_free(&p->free);
	vec_free(&p->quarantine);
	vec_free(&p->taken);
	vec_free(&p->pending);
}

void rules_pool_begin(struct rules_pool *p)
{
	p->hw0 = p->hw;
	p->live0 = p->live;
	p->taken.n = 0;
	p->pending.n = 0;
}

int rules_pool_alloc(struct rules_pool *p, uint32_t limit, uint32_t *id)
{
	int err;

	if (p->free.n) {
		*id = *(uint32_t *)vec_at(&p->free, p->free.n - 1);
		p->free.n--;
	} else {
		if (p->hw >= limit)
			return -ENOSPC;
		*id = p->hw++;
	}
	err = vec_push(&p->taken, id);
	if (err) {
		if (*id == p->hw - 1 && !p->free.n)
			p->hw--;
		else
			vec_push(&p->free, id);
		return err;
	}
	p->live++;
	return 0;
}

int rules_pool_release(struct rules_pool *p, uint32_t id)
{
	return vec_push(&p->pending, &id);
}

void rules_pool_commit(struct rules_pool *p)
{
	/* Without memory for the quarantine the ids are never handed out again: a leak, not a
	 * reason to fail a batch that is already live. */
	if (!vec_reserve(&p->quarantine, p->quarantine.n + p->pending.n)) {
		for (size_t i = 0; i < p->pending.n; i++)
			vec_push(&p->quarantine, vec_at(&p->pending, i));
	}
	p->live -= (uint32_t)p->pending.n;
	p->pending.n = 0;
	p->taken.n = 0;
}

void rules_pool_rollback(struct rules_pool *p)
{
	for (size_t i = p->taken.n; i-- > 0;) {
		uint32_t id = *(uint32_t *)vec_at(&p->taken, i);

		/* Ids from above the old high-water mark simply are not handed out. */
		if (id < p->hw0)
			vec_push(&p->free, &id);
	}
	p->hw = p->hw0;
	p->live = p->live0;
	p->taken.n = 0;
	p->pending.n = 0;
}

int rules_pool_thaw(struct rules_pool *p)
{
	int err = vec_reserve(&p->free, p->free.n + p->quarantine.n);

	if (err)
		return err;
	for (size_t i = 0; i < p->quarantine.n; i++)
		vec_push(&p->free, vec_at(&p->quarantine, i));
	p->quarantine.n = 0;
	return 0;
}
