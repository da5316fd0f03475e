// SPDX-License-Identifier: GPL-2.0-only
/* One batch of map writes. New nodes and lists are written where nothing points yet; words that
 * readers may see are stored atomically and logged, so a failure puts them back. A map that runs
 * out of room is replaced by a bigger copy, which the programs only start using at commit: the
 * maps are swapped in, the programs reloaded, and the counters of the old map carried over. */
#define _GNU_SOURCE
#include "rules_engine.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/membarrier.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define CHUNK 8192u

static void unmap(void **mm, size_t *len)
{
	if (*mm)
		munmap(*mm, *len);
	*mm = NULL;
	*len = 0;
}
/* Quarantined ids are reused by batches this much later (a grace period is milliseconds). */
#define GRACE_NS 1000000000ULL

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* Waits until every program run that started before now has finished (synchronize_rcu). */
static void grace_period(void)
{
	syscall(__NR_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0);
}

static void thaw_all(struct rules_store *st)
{
	rules_pool_thaw(&st->bnodes);
	rules_pool_thaw(&st->cnodes);
	rules_pool_thaw(&st->lists);
}

static void txn_init(struct rules_txn *t, struct rules_engine *e, struct rules_store *st,
		     struct rules_error *err)
{
	memset(t, 0, sizeof(*t));
	t->e = e;
	t->st = st;
	t->err = err;
	for (int i = 0; i < RULES_M_COUNT; i++) {
		t->fd[i] = e->maps->fd[i];
		t->cap[i] = e->maps->cap[i];
		t->stride[i] = rules_maps_stride(i);
	}
	vec_init(&t->undo_w, sizeof(struct rules_undo_w));
	vec_init(&t->undo_b, sizeof(struct rules_undo_b));
	vec_init(&t->holds, sizeof(uint32_t));
	vec_init(&t->drops, sizeof(uint32_t));
	vec_init(&t->zeroed, sizeof(uint32_t));
	rules_pool_begin(&st->bnodes);
	rules_pool_begin(&st->cnodes);
	rules_pool_begin(&st->lists);
}

int rules_txn_begin(struct rules_txn *t, struct rules_engine *e, struct rules_error *err)
{
	if (e->quarantine_ns && mono_ns() - e->quarantine_ns >= GRACE_NS) {
		thaw_all(&e->st);
		e->quarantine_ns = 0;
	}
	txn_init(t, e, &e->st, err);
	t->counted = e->nrules > 0;
	return 0;
}

static int map_fd(int fd, enum rules_map_id id, uint32_t cap, bool populate, void **mm, size_t *len)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t l = ((size_t)rules_maps_entries(id, cap) * rules_maps_stride(id) + (size_t)page - 1) &
		   ~((size_t)page - 1);
	void *p = mmap(NULL, l, PROT_READ | PROT_WRITE, MAP_SHARED | (populate ? MAP_POPULATE : 0), fd, 0);

	if (p == MAP_FAILED)
		return -errno;
	*mm = p;
	*len = l;
	return 0;
}

#define RULES_TXN_WINDOW (256u << 10)

static size_t map_bytes(const struct rules_txn *t, enum rules_map_id id)
{
	long page = sysconf(_SC_PAGESIZE);

	return ((size_t)rules_maps_entries(id, t->cap[id]) * t->stride[id] + (size_t)page - 1) &
	       ~((size_t)page - 1);
}

/* Window c: a page more than RULES_TXN_WINDOW, so no element straddles its end, and no
 * further than the map. */
static size_t window_len(const struct rules_txn *t, enum rules_map_id id, size_t c)
{
	size_t bytes = map_bytes(t, id), off = c * RULES_TXN_WINDOW;
	size_t len = RULES_TXN_WINDOW + (size_t)sysconf(_SC_PAGESIZE);

	return off + len > bytes ? bytes - off : len;
}

static void unmap_windows(struct rules_txn *t, enum rules_map_id id)
{
	for (size_t c = 0; c < t->n_win[id]; c++)
		if (t->win[id][c])
			munmap(t->win[id][c], window_len(t, id, c));
	free(t->win[id]);
	t->win[id] = NULL;
	t->n_win[id] = 0;
}

/* The whole working map (growth copies it, the counters are carried over it). */
static void *whole(struct rules_txn *t, enum rules_map_id id)
{
	if (!t->mm[id] && map_fd(t->fd[id], id, t->cap[id], t->bulk, &t->mm[id], &t->mm_len[id]))
		return NULL;
	return t->mm[id];
}

/* The window holding element idx, mapped when first touched. */
static void *windowed(struct rules_txn *t, enum rules_map_id id, uint32_t idx)
{
	size_t bytes = map_bytes(t, id), at = (size_t)idx * t->stride[id], c = at / RULES_TXN_WINDOW;
	size_t off = c * RULES_TXN_WINDOW;
	void *p;

	if (at >= bytes)
		return NULL;
	if (!t->win[id]) {
		t->n_win[id] = bytes / RULES_TXN_WINDOW + 1;
		t->win[id] = calloc(t->n_win[id], sizeof(*t->win[id]));
		if (!t->win[id])
			return NULL;
	}
	if (!t->win[id][c]) {
		p = mmap(NULL, window_len(t, id, c), PROT_READ | PROT_WRITE, MAP_SHARED, t->fd[id], (off_t)off);
		if (p == MAP_FAILED)
			return NULL;
		t->win[id][c] = p;
	}
	return (char *)t->win[id][c] + (at - off);
}

void *rules_txn_elem(struct rules_txn *t, enum rules_map_id id, uint32_t idx)
{
	/* Mapping a map we created fails only without address space; ensure() maps first. */
	/* Small batches on big maps touch a few pages of them: those are mapped, not all. */
	if (!t->mm[id] && !t->bulk && map_bytes(t, id) > t->e->maps->whole_map_max)
		return windowed(t, id, idx);
	if (!whole(t, id))
		return NULL;
	return (char *)t->mm[id] + (size_t)idx * t->stride[id];
}

struct rules_counter *rules_txn_counter(struct rules_txn *t, int cpu, uint32_t slot)
{
	return rules_txn_elem(t, RULES_M_COUNTERS, (uint32_t)cpu * t->cap[RULES_M_COUNTERS] + slot);
}

bool rules_txn_is_live(const struct rules_txn *t, enum rules_map_id id)
{
	return !t->replaced[id];
}

/* The live map stays mapped (for undo) until the batch ends; a replacement made earlier in
 * this batch was never live and simply goes. */
static void retire_working(struct rules_txn *t, enum rules_map_id id)
{
	unmap_windows(t, id);
	if (!t->replaced[id]) {
		t->live_mm[id] = t->mm[id];
		t->live_len[id] = t->mm_len[id];
		t->live_cap[id] = t->cap[id];
	} else {
		unmap(&t->mm[id], &t->mm_len[id]);
		close(t->fd[id]);
	}
	t->mm[id] = NULL;
	t->mm_len[id] = 0;
}

/* Doubling while small; big maps grow by half, so the last step does not leave as much unused
 * as the rules use. */
static int grow(struct rules_txn *t, enum rules_map_id id, uint32_t need)
{
	uint64_t bytes = rules_maps_entries(id, t->cap[id]) * rules_maps_stride(id);
	uint64_t cap = (uint64_t)t->cap[id] * (bytes < (64u << 20) ? 2 : 1) +
		       (bytes < (64u << 20) ? 0 : t->cap[id] / 2);
	size_t len = 0;
	void *nm = NULL;
	int fd, err;

	if (cap < need)
		cap = need;
	if (cap > RULES_W_IDX_MASK)
		cap = RULES_W_IDX_MASK;
	/* Counters start at 0 and are carried over once the programs count in the new map
	 * (rules_txn_commit); nothing reads them meanwhile. Everything else is copied now. */
	err = rules_maps_create(id, (uint32_t)cap, &fd);
	if (!err && id != RULES_M_COUNTERS)
		err = whole(t, id) ? 0 : -ENOMEM;
	if (!err)
		err = map_fd(fd, id, (uint32_t)cap, false, &nm, &len);
	if (!err && id != RULES_M_COUNTERS)
		memcpy(nm, t->mm[id], (size_t)t->cap[id] * rules_maps_stride(id));
	if (err) {
		close(fd);
		return err;
	}
	retire_working(t, id);
	t->fd[id] = fd;
	t->cap[id] = (uint32_t)cap;
	t->mm[id] = nm;
	t->mm_len[id] = len;
	t->replaced[id] = true;
	return 0;
}

int rules_txn_ensure(struct rules_txn *t, enum rules_map_id id, uint32_t idx)
{
	return idx < t->cap[id] ? 0 : grow(t, id, idx + 1);
}

static struct rules_pool *pool_of(struct rules_store *st, enum rules_map_id id)
{
	return id == RULES_M_BNODES ? &st->bnodes : id == RULES_M_CNODES ? &st->cnodes : &st->lists;
}

int rules_txn_alloc(struct rules_txn *t, enum rules_map_id id, uint32_t *out)
{
	struct rules_pool *p = pool_of(t->st, id);
	const struct rules_maps *m = t->e->maps;
	uint32_t limit = id == RULES_M_LISTS ? RULES_LIST_FIRST_FREE + m->max_entries :
			 id == RULES_M_BNODES ? RULES_BNODE_FIRST_FREE + m->max_nodes : m->max_nodes;
	int err;

	/* Rather than growing a map, wait out a grace period for the ids in quarantine. */
	if (!p->free.n && p->quarantine.n && (p->hw >= t->cap[id] || p->hw >= limit)) {
		grace_period();
		thaw_all(t->st);
		t->e->quarantine_ns = 0;
	}
	err = rules_pool_alloc(p, limit, out);
	if (err == -ENOSPC && t->err) {
		t->err->field = RULES_FIELD_RULE;
		snprintf(t->err->msg, sizeof(t->err->msg), "the rule engine is full: more than %u %s",
			 limit, id == RULES_M_LISTS ? "distinct rule lists (max_entries)" :
						      "trie nodes (max_nodes)");
	}
	return err ? err : rules_txn_ensure(t, id, *out);
}

int rules_txn_put_word(struct rules_txn *t, enum rules_map_id id, uint32_t idx, uint32_t off,
		       uint32_t w)
{
	uint32_t *p = (uint32_t *)((char *)rules_txn_elem(t, id, idx) + off);
	int err = 0;

	if (rules_txn_is_live(t, id)) {
		struct rules_undo_w u = { .map = id, .idx = idx, .off = off, .old = *p };

		err = vec_push(&t->undo_w, &u);
	}
	if (!err)
		__atomic_store_n(p, w, __ATOMIC_RELEASE);
	return err;
}

/* Lists are read count first: shrink the count before the slots change, grow it after. */
static void store_list(struct rules_list *dst, const struct rules_list *v)
{
	if (v->n < dst->n)
		__atomic_store_n(&dst->n, v->n, __ATOMIC_RELEASE);
	memcpy(dst->slot, v->slot, sizeof(v->slot));
	__atomic_store_n(&dst->n, v->n, __ATOMIC_RELEASE);
}

static void store_record(enum rules_map_id id, void *dst, const void *src, size_t len)
{
	if (id == RULES_M_LISTS)
		store_list(dst, src);
	else
		memcpy(dst, src, len);
}

int rules_txn_put_record(struct rules_txn *t, enum rules_map_id id, uint32_t idx,
			 const void *rec, size_t len)
{
	void *p = rules_txn_elem(t, id, idx);
	int err = 0;

	if (rules_txn_is_live(t, id)) {
		struct rules_undo_b u = { .map = id, .idx = idx };

		memcpy(u.old, p, len);
		err = vec_push(&t->undo_b, &u);
	}
	if (!err)
		store_record(id, p, rec, len);
	return err;
}

int rules_txn_zero_counters(struct rules_txn *t, const uint32_t *slots, size_t n)
{
	int err = vec_reserve(&t->zeroed, t->zeroed.n + n);

	for (size_t i = 0; !err && i < n; i++) {
		for (int c = 0; !err && c < t->e->ncpus; c++) {
			struct rules_counter *p = rules_txn_counter(t, c, slots[i]);

			if (p)
				memset(p, 0, sizeof(*p));
			else
				err = -ENOMEM;
		}
		if (!err)
			vec_push(&t->zeroed, &slots[i]);
	}
	return err;
}

static void free_vecs(struct rules_txn *t)
{
	vec_free(&t->undo_w);
	vec_free(&t->undo_b);
	vec_free(&t->holds);
	vec_free(&t->drops);
	vec_free(&t->zeroed);
}

static void *live_elem(struct rules_txn *t, enum rules_map_id id, uint32_t idx)
{
	if (!t->replaced[id])
		return rules_txn_elem(t, id, idx);
	return t->live_mm[id] ? (char *)t->live_mm[id] + (size_t)idx * rules_maps_stride(id) : NULL;
}

void rules_txn_abort(struct rules_txn *t)
{
	for (size_t i = t->undo_b.n; i-- > 0;) {
		const struct rules_undo_b *u = vec_at(&t->undo_b, i);
		void *p = live_elem(t, u->map, u->idx);

		if (p)
			store_record(u->map, p, u->old, rules_maps_stride(u->map));
	}
	for (size_t i = t->undo_w.n; i-- > 0;) {
		const struct rules_undo_w *u = vec_at(&t->undo_w, i);
		char *p = live_elem(t, u->map, u->idx);

		if (p)
			__atomic_store_n((uint32_t *)(p + u->off), u->old, __ATOMIC_RELEASE);
	}
	/* The lists' contents are still needed to forget the new ones. */
	rules_lists_rollback(t);
	for (int i = 0; i < RULES_M_COUNT; i++) {
		unmap_windows(t, i);
		unmap(&t->mm[i], &t->mm_len[i]);
		unmap(&t->live_mm[i], &t->live_len[i]);
		if (t->replaced[i])
			close(t->fd[i]);
	}
	rules_pool_rollback(&t->st->bnodes);
	rules_pool_rollback(&t->st->cnodes);
	rules_pool_rollback(&t->st->lists);
	free_vecs(t);
}

/* The programs now count in the new map; once the last run on the old one is over, its counts
 * are added (slots this batch reset excepted). A packet counted between our read and write of
 * one counter is lost: nanoseconds, once per replacement. */
static void carry_counters(struct rules_txn *t, int old_fd, uint32_t old_cap)
{
	size_t sz = sizeof(struct rules_counter), len = 0;
	uint32_t cap = t->cap[RULES_M_COUNTERS], n = old_cap < cap ? old_cap : cap;
	uint8_t *skip = calloc(n / 8 + 1, 1);
	struct rules_counter *nw;
	void *old = NULL;

	if (!skip || map_fd(old_fd, RULES_M_COUNTERS, old_cap, false, &old, &len) ||
	    !(nw = whole(t, RULES_M_COUNTERS)))
		goto out;
	for (size_t i = 0; i < t->zeroed.n; i++) {
		uint32_t s = *(uint32_t *)vec_at(&t->zeroed, i);

		if (s < n)
			skip[s / 8] |= (uint8_t)(1u << (s % 8));
	}
	/* Without rules before this batch no packet counted anything: no grace period needed. */
	if (t->counted)
		grace_period();
	for (int c = 0; c < t->e->ncpus; c++) {
		const struct rules_counter *o = (const void *)((char *)old + (size_t)c * old_cap * sz);
		struct rules_counter *x = nw + (size_t)c * cap;

		for (uint32_t s = 0; s < n; s++) {
			if (skip[s / 8] >> (s % 8) & 1 || !o[s].packets)
				continue;
			x[s].packets += o[s].packets;
			x[s].bytes += o[s].bytes;
			x[s].dropped += o[s].dropped;
			if (o[s].last_hit > x[s].last_hit)
				x[s].last_hit = o[s].last_hit;
		}
	}
out:
	if (old)
		munmap(old, len);
	free(skip);
}

static int make_live(struct rules_txn *t)
{
	struct rules_maps *m = t->e->maps;
	int nfd[RULES_M_COUNT], old[RULES_M_COUNT];
	uint32_t old_counters_cap = m->cap[RULES_M_COUNTERS];
	bool any = false;
	int err;

	for (int i = 0; i < RULES_M_COUNT; i++) {
		nfd[i] = t->replaced[i] ? t->fd[i] : -1;
		any = any || t->replaced[i];
	}
	if (!any)
		return 0;
	err = rules_maps_replace(m, nfd, t->cap, old);
	if (err)
		return err;
	if (old[RULES_M_COUNTERS] >= 0)
		carry_counters(t, old[RULES_M_COUNTERS], old_counters_cap);
	for (int i = 0; i < RULES_M_COUNT; i++) {
		if (old[i] >= 0)
			close(old[i]);
		/* Now owned by the maps: the abort path must not close them. */
		t->replaced[i] = false;
	}
	return 0;
}

int rules_txn_commit(struct rules_txn *t)
{
	int err = make_live(t);

	if (err) {
		rules_txn_abort(t);
		return err;
	}
	/* The kernel side is live; what remains is bookkeeping that cannot fail the batch. */
	rules_lists_commit(t);
	for (int i = 0; i < RULES_M_COUNT; i++) {
		unmap_windows(t, i);
		unmap(&t->mm[i], &t->mm_len[i]);
		unmap(&t->live_mm[i], &t->live_len[i]);
	}
	if (t->st->bnodes.pending.n || t->st->cnodes.pending.n || t->st->lists.pending.n)
		t->e->quarantine_ns = mono_ns();
	rules_pool_commit(&t->st->bnodes);
	rules_pool_commit(&t->st->cnodes);
	rules_pool_commit(&t->st->lists);
	free_vecs(t);
	return 0;
}

/* Fresh maps for a rebuild, sized for what the rules use now with room to grow. */
int rules_txn_begin_rebuild(struct rules_txn *t, struct rules_engine *e, struct rules_store *st,
			    uint32_t slots)
{
	bool shrink_slots = slots > 0 || !e->nrules;
	const struct rules_store *cur = &e->st;
	uint64_t want[RULES_M_COUNT] = {
		[RULES_M_BNODES] = RULES_BNODE_FIRST_FREE + (uint64_t)(cur->bnodes.live) * 3 / 2,
		[RULES_M_CNODES] = (uint64_t)cur->cnodes.live * 3 / 2,
		[RULES_M_LISTS] = RULES_LIST_FIRST_FREE + (uint64_t)cur->lists.live * 3 / 2,
		[RULES_M_INFO] = (uint64_t)slots * 5 / 4,
		[RULES_M_COUNTERS] = (uint64_t)slots * 5 / 4,
	};
	int err = 0;

	txn_init(t, e, st, NULL);
	t->rebuild = true;
	t->counted = true;
	for (int i = 0; i < RULES_M_COUNT && !err; i++) {
		uint32_t cap;

		if (i == RULES_M_LIMITS || (!shrink_slots && (i == RULES_M_INFO || i == RULES_M_COUNTERS)))
			continue;
		cap = want[i] < rules_maps_min_cap(i) ? rules_maps_min_cap(i) :
			want[i] > RULES_W_IDX_MASK ? RULES_W_IDX_MASK : (uint32_t)want[i];
		if (i == RULES_M_COUNTERS)
			t->live_cap[i] = t->cap[i];
		err = rules_maps_create(i, cap, &t->fd[i]);
		if (err) {
			t->fd[i] = e->maps->fd[i];
			break;
		}
		t->cap[i] = cap;
		t->replaced[i] = true;
	}
	if (err)
		rules_txn_abort(t);
	return err;
}
