/* Writes a plan into the kernel maps in an order that keeps lookups consistent (targets before
 * pointers), undoes it all on the first failure, and updates the mirrors once it succeeded; and
 * adopts the kernel's contents as mirrors when the maps come from pins. */
#include "rules_engine.h"

#include <bpf/bpf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK 65536u

/* Batched when the kernel has it for this map type, one by one otherwise. */
static int write_kv(int fd, const void *keys, size_t ksz, const void *vals, size_t vsz, size_t n)
{
	LIBBPF_OPTS(bpf_map_batch_opts, o);
	size_t done = 0;

	while (done < n) {
		uint32_t cnt = n - done > CHUNK ? CHUNK : (uint32_t)(n - done);
		int err = bpf_map_update_batch(fd, (const char *)keys + done * ksz,
					       (const char *)vals + done * vsz, &cnt, &o);

		if (err == -EINVAL || err == -ENOTSUP || err == -EOPNOTSUPP) {
			for (size_t i = done; i < n; i++) {
				err = bpf_map_update_elem(fd, (const char *)keys + i * ksz,
							  (const char *)vals + i * vsz, BPF_ANY);
				if (err)
					return err;
			}
			return 0;
		}
		if (err)
			return err;
		done += cnt;
	}
	return 0;
}

static int delete_keys(int fd, const void *keys, size_t ksz, size_t n, bool ignore_missing)
{
	for (size_t i = 0; i < n; i++) {
		int err = bpf_map_delete_elem(fd, (const char *)keys + i * ksz);

		if (err && !(ignore_missing && err == -ENOENT))
			return err;
	}
	return 0;
}

/* Which ops of a v4/v6 block list to write: updates (with new or old values) or deletes. */
enum sel { SEL_UPD_NEW, SEL_DEL, SEL_UNDO_UPD_EXISTED, SEL_UNDO_UPD_NEW, SEL_UNDO_DEL };

static bool pick(enum sel s, bool del, bool existed)
{
	switch (s) {
	case SEL_UPD_NEW:
		return !del;
	case SEL_DEL:
	case SEL_UNDO_DEL:
		return del;
	case SEL_UNDO_UPD_EXISTED:
		return !del && existed;
	case SEL_UNDO_UPD_NEW:
		return !del && !existed;
	}
	return false;
}

/* Gathers the selected ops of a block list into key/value arrays and writes or deletes them. */
static int blocks(int fd, const struct vec *ops, bool v6, enum sel s)
{
	size_t ksz = v6 ? sizeof(struct rules_v6_key) : sizeof(uint32_t);
	char *keys = malloc(ops->n * ksz + 1);
	uint32_t *vals = malloc(ops->n * sizeof(uint32_t) + 1);
	size_t n = 0;
	int err = -ENOMEM;

	if (!keys || !vals)
		goto out;
	for (size_t i = 0; i < ops->n; i++) {
		const void *key;
		uint32_t val, old;
		bool del, existed;

		if (v6) {
			const struct rules_op_v6 *op = vec_at(ops, i);

			key = &op->key, val = op->val, old = op->old;
			del = op->del, existed = op->existed;
		} else {
			const struct rules_op_v4 *op = vec_at(ops, i);

			key = &op->addr, val = op->val, old = op->old;
			del = op->del, existed = op->existed;
		}
		if (!pick(s, del, existed))
			continue;
		memcpy(keys + n * ksz, key, ksz);
		vals[n++] = s == SEL_UPD_NEW ? val : old;
	}
	if (s == SEL_DEL)
		err = delete_keys(fd, keys, ksz, n, false);
	else if (s == SEL_UNDO_UPD_NEW)
		err = delete_keys(fd, keys, ksz, n, true);
	else
		err = write_kv(fd, keys, ksz, vals, sizeof(uint32_t), n);
out:
	free(keys);
	free(vals);
	return err;
}

static void *elem(struct rules_engine *e, enum rules_map_id id, uint32_t i)
{
	return (char *)e->maps->mm[id] + (size_t)i * e->maps->stride[id];
}

/* Plain stores into the mmapped array: aligned 4-byte stores are atomic for the readers. */
static int write_l1(struct rules_engine *e, const struct vec *ops, bool undo)
{
	for (size_t i = 0; i < ops->n; i++) {
		const struct rules_op_l1 *op = vec_at(ops, i);

		__atomic_store_n((uint32_t *)elem(e, RULES_M_V4_L1, op->idx),
				 undo ? op->old : op->val, __ATOMIC_RELEASE);
	}
	return 0;
}

static int write_info(struct rules_engine *e, const struct vec *slots)
{
	for (size_t i = 0; i < slots->n; i++) {
		uint32_t slot = *(uint32_t *)vec_at(slots, i);
		const struct rules_spec *s = &e->rules[slot].spec;
		struct rules_info v = {
			.action = (uint8_t)s->action,
			.proto = s->proto,
			.flags = s->has_ports ? RULES_F_PORTS : 0,
			.plen = s->has_src ? s->src.plen : 0,
			.port_min = s->port_min,
			.port_max = s->port_max,
			.limit_pps = s->limit_pps,
		};

		memcpy(elem(e, RULES_M_INFO, slot), &v, sizeof(v));
	}
	return 0;
}

static int zero_counters(struct rules_engine *e, const struct vec *slots)
{
	size_t per = (size_t)e->ncpus * sizeof(struct rules_counter);
	size_t chunk = slots->n < CHUNK ? slots->n : CHUNK;
	void *zeros = calloc(chunk + 1, per);
	int err = zeros ? 0 : -ENOMEM;

	for (size_t done = 0; !err && done < slots->n; done += chunk) {
		size_t n = slots->n - done < chunk ? slots->n - done : chunk;

		err = write_kv(e->maps->fd[RULES_M_COUNTERS], vec_at(slots, done), 4, zeros,
			       per, n);
	}
	free(zeros);
	return err;
}

/* New entries are not referenced by any block yet, so nobody reads them while they are written;
 * the any-source lists are rewritten in place, count last when growing, first when shrinking. */
static void put_entry(struct rules_engine *e, uint32_t id, const struct rules_entry *v)
{
	struct rules_entry *dst = elem(e, RULES_M_ENTRIES, id);

	if (v->n < dst->n)
		__atomic_store_n(&dst->n, v->n, __ATOMIC_RELEASE);
	memcpy(dst->slot, v->slot, sizeof(v->slot));
	__atomic_store_n(&dst->n, v->n, __ATOMIC_RELEASE);
}

static int write_entries(struct rules_engine *e, const struct vec *ids)
{
	for (size_t i = 0; i < ids->n; i++) {
		uint32_t id = *(uint32_t *)vec_at(ids, i);

		put_entry(e, id, &e->entries[id]);
	}
	return 0;
}

static int write_globals(struct rules_engine *e, const struct rules_plan *p, bool undo)
{
	for (uint32_t f = 0; f < 2; f++) {
		uint32_t id = f == 0 ? RULES_ENTRY_ANY_V4 : RULES_ENTRY_ANY_V6;

		if (p->global_dirty[f])
			put_entry(e, id, undo ? &p->global_old[f] : &p->global_new[f]);
	}
	return 0;
}

/* Best effort: every step is idempotent, so undoing steps that never ran is harmless. */
static void undo(struct rules_engine *e, struct rules_plan *p)
{
	int *fd = e->maps->fd;

	blocks(fd[RULES_M_V6], &p->v6, true, SEL_UNDO_DEL);
	blocks(fd[RULES_M_V4_L2], &p->l2, false, SEL_UNDO_DEL);
	write_l1(e, &p->l1, true);
	blocks(fd[RULES_M_V6], &p->v6, true, SEL_UNDO_UPD_EXISTED);
	blocks(fd[RULES_M_V6], &p->v6, true, SEL_UNDO_UPD_NEW);
	blocks(fd[RULES_M_V4_L2], &p->l2, false, SEL_UNDO_UPD_EXISTED);
	blocks(fd[RULES_M_V4_L2], &p->l2, false, SEL_UNDO_UPD_NEW);
	write_globals(e, p, true);
}

int rules_apply(struct rules_engine *e, struct rules_plan *p)
{
	int *fd = e->maps->fd;
	int err;

	err = write_info(e, &p->info_slots);
	if (!err)
		err = zero_counters(e, &p->zero_slots);
	if (!err)
		err = write_entries(e, &p->fresh);
	if (!err)
		err = write_globals(e, p, false);
	if (!err)
		err = blocks(fd[RULES_M_V4_L2], &p->l2, false, SEL_UPD_NEW);
	if (!err)
		err = blocks(fd[RULES_M_V6], &p->v6, true, SEL_UPD_NEW);
	if (!err)
		err = write_l1(e, &p->l1, false);
	if (!err)
		err = blocks(fd[RULES_M_V4_L2], &p->l2, false, SEL_DEL);
	if (!err)
		err = blocks(fd[RULES_M_V6], &p->v6, true, SEL_DEL);
	if (err)
		undo(e, p);
	/* A full map says E2BIG, which the compiler uses for "too many rules on one address". */
	return err == -E2BIG ? -ENOSPC : err;
}

/* References first, releases second: an entry moving from one block to another in the same
 * batch must not be recycled in between. */
void rules_commit(struct rules_engine *e, struct rules_plan *p)
{
	for (size_t i = 0; i < p->l1.n; i++) {
		const struct rules_op_l1 *op = vec_at(&p->l1, i);

		rules_entries_ref(e, op->val & ~RULES_L1_LONGER);
		e->l1[op->idx] = op->val;
	}
	for (size_t i = 0; i < p->l2.n; i++) {
		const struct rules_op_v4 *op = vec_at(&p->l2, i);

		if (op->del) {
			htab_del(&e->l2, &op->addr);
		} else {
			rules_entries_ref(e, op->val);
			htab_put(&e->l2, &op->addr, op->val);
		}
	}
	for (size_t i = 0; i < p->v6.n; i++) {
		const struct rules_op_v6 *op = vec_at(&p->v6, i);

		if (op->del) {
			htab_del(&e->v6, &op->key);
		} else {
			rules_entries_ref(e, op->val);
			htab_put(&e->v6, &op->key, op->val);
		}
	}
	for (size_t i = 0; i < p->l1.n; i++)
		rules_entries_unref(e, ((struct rules_op_l1 *)vec_at(&p->l1, i))->old &
					       ~RULES_L1_LONGER);
	for (size_t i = 0; i < p->l2.n; i++) {
		const struct rules_op_v4 *op = vec_at(&p->l2, i);

		if (op->existed)
			rules_entries_unref(e, op->old);
	}
	for (size_t i = 0; i < p->v6.n; i++) {
		const struct rules_op_v6 *op = vec_at(&p->v6, i);

		if (op->existed)
			rules_entries_unref(e, op->old);
	}
	for (size_t i = 0; i < p->fresh.n; i++) {
		uint32_t id = *(uint32_t *)vec_at(&p->fresh, i);

		if (!e->refs[id]) {
			e->refs[id] = 1;
			rules_entries_unref(e, id);
		}
	}
	for (uint32_t f = 0; f < 2; f++) {
		if (p->global_dirty[f])
			e->entries[f == 0 ? RULES_ENTRY_ANY_V4 : RULES_ENTRY_ANY_V6] = p->global_new[f];
	}
}

/* Taking over maps that already hold compiled rules (pins reused after an agent restart): the
 * kernel's entries and blocks become the mirror, so restoring the saved rules into their old
 * slots interns to the same entry ids and rewrites nothing while traffic flows. */
static uint32_t entry_id(const struct rules_engine *e, uint32_t id)
{
	return id < e->max_entries ? id : RULES_ENTRY_EMPTY;
}

/* Walks a kernel hash map into a mirror, counting the references to entries. */
static int adopt_hash(struct rules_engine *e, int fd, size_t ksz, struct htab *mirror)
{
	uint8_t key[sizeof(struct rules_v6_key)], next[sizeof(struct rules_v6_key)];
	void *prev = NULL;
	uint32_t val;
	int err;

	while (!(err = bpf_map_get_next_key(fd, prev, next))) {
		memcpy(key, next, ksz);
		prev = key;
		if (bpf_map_lookup_elem(fd, key, &val))
			continue;
		val = entry_id(e, val);
		err = htab_put(mirror, key, val);
		if (err)
			return err;
		rules_entries_ref(e, val);
	}
	return err == -ENOENT ? 0 : err;
}

int rules_adopt(struct rules_engine *e)
{
	int err;

	for (uint32_t id = RULES_ENTRY_ANY_V4; id < e->max_entries; id++) {
		memcpy(&e->entries[id], (const void *)elem(e, RULES_M_ENTRIES, id), sizeof(e->entries[id]));
		if (e->entries[id].n > RULES_MAX_PER_ENTRY)
			e->entries[id].n = RULES_MAX_PER_ENTRY;
	}
	for (uint32_t idx = 0; idx < (1u << 24); idx++) {
		uint32_t v = *(uint32_t *)elem(e, RULES_M_V4_L1, idx);
		uint32_t id = entry_id(e, v & ~RULES_L1_LONGER);

		e->l1[idx] = id | (v & RULES_L1_LONGER);
		rules_entries_ref(e, id);
	}
	err = adopt_hash(e, e->maps->fd[RULES_M_V4_L2], sizeof(uint32_t), &e->l2);
	if (!err)
		err = adopt_hash(e, e->maps->fd[RULES_M_V6], sizeof(struct rules_v6_key), &e->v6);
	if (err)
		return err;
	/* Referenced entries are interned so equal lists find them; the rest are free. */
	e->nfree_eids = 0;
	for (uint32_t id = e->max_entries; id-- > RULES_ENTRY_FIRST_FREE;) {
		uint64_t h;

		if (!e->refs[id]) {
			e->free_eids[e->nfree_eids++] = id;
			continue;
		}
		h = hash_bytes(&e->entries[id], sizeof(e->entries[id].n) +
							  e->entries[id].n * sizeof(uint32_t));
		if (!htab_get(&e->intern, &h)) {
			err = htab_put(&e->intern, &h, id);
			if (err)
				return err;
		}
	}
	return 0;
}

/* Token buckets of deleted limit rules, so a rule that reuses the slot starts with a full
 * budget. The LRU would evict them eventually; a walk of at most max_limit_keys is cheap. */
void rules_purge_buckets(struct rules_engine *e, const struct vec *slots)
{
	int fd = e->maps->fd[RULES_M_LIMITS];
	struct rules_limit_key cur, next;
	struct htab gone;
	bool any = false;
	int err;

	if (htab_init(&gone, sizeof(uint32_t), slots->n))
		return;
	for (size_t i = 0; i < slots->n; i++) {
		uint32_t s = *(uint32_t *)vec_at(slots, i);

		if (e->rules[s].spec.action == RULES_ACT_LIMIT)
			any = !htab_put(&gone, &s, 0) || any;
	}
	/* Find the next key before deleting the current one, so the walk goes on from there. */
	err = any ? bpf_map_get_next_key(fd, NULL, &cur) : -ENOENT;
	while (!err) {
		err = bpf_map_get_next_key(fd, &cur, &next);
		if (htab_get(&gone, &cur.slot))
			bpf_map_delete_elem(fd, &cur);
		cur = next;
	}
	htab_free(&gone);
}
