/* From "these prefixes changed" to the exact map writes: every block whose rule list or
 * existence changes is recomputed from the index (a pure function of the rule set), and
 * compared with the mirror of what the kernel holds. */
#include "rules_engine.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cidr.h"

#define DIRTY_L1_WORDS ((1u << 24) / 64)

struct dirty {
	uint64_t *l1_bits;
	struct vec l1;   /* u32 /24 index, computed one by one */
	struct vec runs; /* rules_pfx up to /24 whose blocks share one list */
	struct htab runs_seen;
	struct htab l2;  /* u32 addr */
	struct htab v6;  /* rules_v6_key */
};

static unsigned v6_level(unsigned plen)
{
	return plen <= 16 ? 0 : (plen - 16 + 7) / 8;
}

/* True if the lookup's binary search passes level m, and goes right there, on its way to k:
 * then blocks at k need a marker at m. Mirrors rules_lookup_v6() in bpf/rules.bpf.h. */
static bool right_ancestor(unsigned m, unsigned k)
{
	unsigned lo = 0, hi = RULES_V6_LEVELS - 1;

	while (lo <= hi) {
		unsigned mid = (lo + hi) / 2;

		if (mid == k)
			return false;
		if (mid == m)
			return m < k;
		if (mid < k)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return false;
}

/* addr += i at bit position (from the top) plen-1, i.e. enumerates sub-blocks of length plen. */
static void addr_add(uint8_t *addr, uint64_t i, unsigned plen)
{
	unsigned byte = (plen - 1) / 8;
	unsigned shift = 7 - (plen - 1) % 8;
	unsigned carry = 0;
	uint64_t add = i << shift;

	for (int b = (int)byte; b >= 0 && (add || carry); b--) {
		unsigned s = addr[b] + (unsigned)(add & 0xff) + carry;

		addr[b] = (uint8_t)s;
		carry = s >> 8;
		add >>= 8;
	}
}

static int mark_l1(struct dirty *d, uint32_t idx)
{
	uint64_t bit = 1ULL << (idx % 64);

	if (d->l1_bits[idx / 64] & bit)
		return 0;
	d->l1_bits[idx / 64] |= bit;
	return vec_push(&d->l1, &idx);
}

static int mark_v6(struct dirty *d, const uint8_t *addr, unsigned level)
{
	struct rules_v6_key k = { .plen = RULES_V6_LEVEL_PLEN(level) };

	memcpy(k.addr, addr, 16);
	cidr_mask(k.addr, k.plen);
	return htab_put(&d->v6, &k, 0);
}

static uint32_t v4_host(const uint8_t *addr)
{
	return (uint32_t)addr[0] << 24 | (uint32_t)addr[1] << 16 | (uint32_t)addr[2] << 8 | addr[3];
}

static void v4_bytes(uint32_t host, uint8_t *addr)
{
	memset(addr, 0, 16);
	addr[0] = (uint8_t)(host >> 24);
	addr[1] = (uint8_t)(host >> 16);
	addr[2] = (uint8_t)(host >> 8);
	addr[3] = (uint8_t)host;
}

/* The /32s of a prefix longer than /24, keyed as the kernel sees them (network order). */
static int mark_v4_long(struct dirty *d, const struct rules_pfx *q)
{
	uint32_t base = v4_host(q->addr), n = 1u << (32 - q->plen);
	int err = 0;

	for (uint32_t i = 0; i < n && !err; i++) {
		uint8_t b[16];
		uint32_t key;

		v4_bytes(base + i, b);
		memcpy(&key, b, 4);
		err = htab_put(&d->l2, &key, 0);
	}
	return err;
}

static int push_run(struct dirty *d, const struct rules_pfx *p)
{
	int err;

	if (htab_get(&d->runs_seen, p))
		return 0;
	err = htab_put(&d->runs_seen, p, 0);
	return err ? err : vec_push(&d->runs, p);
}

/* Prefixes up to /24 become runs of /24 blocks (planned in plan_run); longer ones mark their
 * /24 (for the "longer below" flag) and their /32s. */
static int mark_v4(struct dirty *d, const struct rules_pfx *p)
{
	int err;

	if (p->plen <= 24)
		return push_run(d, p);
	err = mark_l1(d, v4_host(p->addr) >> 8);
	return err ? err : mark_v4_long(d, p);
}

/* A prefix's expansion blocks at its level, and the markers the search needs on the way; only
 * markers at or below min_plen are touched (shorter ones contain the changed prefix). */
static int mark_v6_pfx(struct dirty *d, const struct rules_pfx *q, unsigned min_plen)
{
	unsigned lvl = v6_level(q->plen), lp = RULES_V6_LEVEL_PLEN(lvl);
	uint64_t n = 1ULL << (lp - (q->plen < lp ? q->plen : lp));
	uint8_t a[16];
	int err = 0;

	for (uint64_t i = 0; i < n && !err; i++) {
		memcpy(a, q->addr, 16);
		if (i)
			addr_add(a, i, lp);
		err = mark_v6(d, a, lvl);
	}
	for (unsigned m = 0; m < lvl && !err; m++) {
		if (right_ancestor(m, lvl) && RULES_V6_LEVEL_PLEN(m) >= min_plen)
			err = mark_v6(d, q->addr, m);
	}
	return err;
}

static int mark_v6_all(struct rules_engine *e, struct dirty *d, const struct rules_pfx *p)
{
	size_t begin, end;
	int err = mark_v6_pfx(d, p, 0);

	rules_sorted_range(e, p, &begin, &end);
	for (size_t i = begin; i < end && !err; i++)
		err = mark_v6_pfx(d, &e->sorted[RULES_FAM_V6].v[i], p->plen);
	return err;
}

/* Slots of every rule whose prefix covers the block (addr, plen) and is no longer than it. */
static int collect(struct rules_engine *e, unsigned fam, const uint8_t *addr, unsigned plen,
		   uint32_t *out, uint32_t *n, struct rules_plan *p)
{
	*n = 0;
	for (unsigned l = 1; l <= plen; l++) {
		struct rules_pfx k = { .fam = (uint8_t)fam, .plen = (uint8_t)l };
		uint32_t s;

		if (!e->plen_use[fam][l])
			continue;
		memcpy(k.addr, addr, 16);
		cidr_mask(k.addr, l);
		for (s = rules_index_head(e, &k); s != RULES_SLOT_NONE; s = e->rules[s].next) {
			if (*n == RULES_MAX_PER_ENTRY) {
				struct cidr c = { .family = fam == RULES_FAM_V4 ? 4 : 6,
						  .plen = (uint8_t)plen };
				char buf[CIDR_STR_MAX];

				memcpy(c.addr, addr, 16);
				cidr_format(&c, buf, sizeof(buf));
				if (p->err) {
					p->err->field = "src";
					snprintf(p->err->msg, sizeof(p->err->msg),
						 "more than %d rules would apply to %s",
						 RULES_MAX_PER_ENTRY, buf);
				}
				return -E2BIG;
			}
			out[(*n)++] = s;
		}
	}
	return 0;
}

static int block_entry(struct rules_engine *e, struct rules_plan *p, unsigned fam,
		       const uint8_t *addr, unsigned plen, uint32_t *id)
{
	uint32_t slots[RULES_MAX_PER_ENTRY], n;
	int err = collect(e, fam, addr, plen, slots, &n, p);

	return err ? err : rules_entries_intern(e, slots, n, id, &p->fresh);
}

/* Some prefix of fam with a length in [lo, hi] covers addr. */
static bool covered(const struct rules_engine *e, unsigned fam, const uint8_t *addr,
		    unsigned lo, unsigned hi)
{
	for (unsigned l = lo; l <= hi; l++) {
		struct rules_pfx k = { .fam = (uint8_t)fam, .plen = (uint8_t)l };

		if (!e->plen_use[fam][l])
			continue;
		memcpy(k.addr, addr, 16);
		cidr_mask(k.addr, l);
		if (rules_index_head(e, &k) != RULES_SLOT_NONE)
			return true;
	}
	return false;
}

static int plan_l1(struct rules_engine *e, struct rules_plan *p, uint32_t idx)
{
	struct rules_pfx blk = { .fam = RULES_FAM_V4, .plen = 24 };
	struct rules_op_l1 op = { .idx = idx, .old = e->l1[idx] };
	size_t begin, end, inside;
	uint32_t id;
	int err;

	v4_bytes(idx << 8, blk.addr);
	err = block_entry(e, p, RULES_FAM_V4, blk.addr, 24, &id);
	if (err)
		return err;
	rules_sorted_range(e, &blk, &begin, &end);
	inside = end - begin;
	if (inside && e->sorted[RULES_FAM_V4].v[begin].plen == 24)
		inside--;
	op.val = id | (inside ? RULES_L1_LONGER : 0);
	return op.val == op.old ? 0 : vec_push(&p->l1, &op);
}

static int emit_rest(struct rules_engine *e, struct rules_plan *p, const struct dirty *d,
		     uint32_t from, uint32_t to, uint32_t id)
{
	int err = 0;

	for (uint32_t idx = from; idx < to && !err; idx++) {
		struct rules_op_l1 op = { .idx = idx, .val = id, .old = e->l1[idx] };

		/* Blocks planned one by one (a /24 with longer prefixes) are not the run's. */
		if (d->l1_bits[idx / 64] & (1ULL << (idx % 64)) || op.val == op.old)
			continue;
		err = vec_push(&p->l1, &op);
	}
	return err;
}

/* All /24 blocks of P not inside a longer prefix share P's list: compute it once. Prefixes
 * inside P get runs of their own (their blocks' lists include P's rules too), and the blocks
 * holding prefixes longer than /24 are planned one by one. Every block ends up in exactly one
 * run: the one of the longest prefix up to /24 covering it. */
static int plan_run(struct rules_engine *e, struct rules_plan *p, struct dirty *d,
		    const struct rules_pfx *run)
{
	uint32_t first = v4_host(run->addr) >> 8, end = first + (1u << (24 - run->plen));
	uint32_t cur = first, id;
	size_t begin, stop;
	int err = block_entry(e, p, RULES_FAM_V4, run->addr, run->plen, &id);

	rules_sorted_range(e, run, &begin, &stop);
	for (size_t i = begin; i < stop && !err; i++) {
		struct rules_pfx q = e->sorted[RULES_FAM_V4].v[i];
		uint32_t qs = v4_host(q.addr) >> 8;
		uint32_t qe = q.plen <= 24 ? qs + (1u << (24 - q.plen)) : qs + 1;

		if (q.plen == run->plen)
			continue;
		if (q.plen <= 24) {
			err = push_run(d, &q);
		} else {
			err = mark_l1(d, qs);
			if (!err)
				err = mark_v4_long(d, &q);
		}
		if (!err && qs > cur)
			err = emit_rest(e, p, d, cur, qs, id);
		if (qe > cur)
			cur = qe;
	}
	return err ? err : emit_rest(e, p, d, cur, end, id);
}

static int plan_l2(struct rules_engine *e, struct rules_plan *p, uint32_t key)
{
	struct rules_op_v4 op = { .addr = key };
	uint64_t *cur = htab_get(&e->l2, &key);
	uint8_t a[16] = { 0 };
	int err;

	memcpy(a, &key, 4);
	op.existed = cur != NULL;
	op.old = cur ? (uint32_t)*cur : 0;
	if (!covered(e, RULES_FAM_V4, a, 25, 32)) {
		op.del = true;
		return op.existed ? vec_push(&p->l2, &op) : 0;
	}
	err = block_entry(e, p, RULES_FAM_V4, a, 32, &op.val);
	if (err)
		return err;
	return op.existed && op.val == op.old ? 0 : vec_push(&p->l2, &op);
}

static bool v6_marker(const struct rules_engine *e, const struct rules_v6_key *k, unsigned lvl)
{
	struct rules_pfx blk = { .fam = RULES_FAM_V6, .plen = (uint8_t)k->plen };
	size_t begin, end;

	memcpy(blk.addr, k->addr, 16);
	rules_sorted_range(e, &blk, &begin, &end);
	for (size_t i = begin; i < end; i++) {
		unsigned q = v6_level(e->sorted[RULES_FAM_V6].v[i].plen);

		if (q > lvl && right_ancestor(lvl, q))
			return true;
	}
	return false;
}

static int plan_v6(struct rules_engine *e, struct rules_plan *p, const struct rules_v6_key *k)
{
	struct rules_op_v6 op = { .key = *k };
	uint64_t *cur = htab_get(&e->v6, k);
	unsigned lvl = v6_level(k->plen);
	unsigned lo = lvl ? k->plen - 7 : 1;
	int err;

	op.existed = cur != NULL;
	op.old = cur ? (uint32_t)*cur : 0;
	if (!covered(e, RULES_FAM_V6, k->addr, lo, k->plen) && !v6_marker(e, k, lvl)) {
		op.del = true;
		return op.existed ? vec_push(&p->v6, &op) : 0;
	}
	err = block_entry(e, p, RULES_FAM_V6, k->addr, k->plen, &op.val);
	if (err)
		return err;
	return op.existed && op.val == op.old ? 0 : vec_push(&p->v6, &op);
}

/* The any-source list of a family: rules without a source plus that family's /0 rules. */
static int plan_global(struct rules_engine *e, struct rules_plan *p, unsigned fam)
{
	struct rules_pfx any = { .fam = RULES_FAM_ANY }, zero = { .fam = (uint8_t)fam };
	uint32_t id = fam == RULES_FAM_V4 ? RULES_ENTRY_ANY_V4 : RULES_ENTRY_ANY_V6;
	struct rules_entry *en = &p->global_new[fam - 1];
	const struct rules_pfx *keys[2] = { &any, &zero };

	memset(en, 0, sizeof(*en));
	for (int i = 0; i < 2; i++) {
		for (uint32_t s = rules_index_head(e, keys[i]); s != RULES_SLOT_NONE;
		     s = e->rules[s].next) {
			if (en->n == RULES_MAX_PER_ENTRY) {
				if (p->err) {
					p->err->field = "src";
					snprintf(p->err->msg, sizeof(p->err->msg),
						 "more than %d rules would apply to any IPv%c source",
						 RULES_MAX_PER_ENTRY, fam == RULES_FAM_V4 ? '4' : '6');
				}
				return -E2BIG;
			}
			en->slot[en->n++] = s;
		}
	}
	rules_sort_slots(e, en->slot, en->n);
	p->global_old[fam - 1] = e->entries[id];
	p->global_dirty[fam - 1] = true;
	return 0;
}

void rules_plan_init(struct rules_plan *p, struct rules_error *err)
{
	memset(p, 0, sizeof(*p));
	vec_init(&p->l1, sizeof(struct rules_op_l1));
	vec_init(&p->l2, sizeof(struct rules_op_v4));
	vec_init(&p->v6, sizeof(struct rules_op_v6));
	vec_init(&p->fresh, sizeof(uint32_t));
	vec_init(&p->info_slots, sizeof(uint32_t));
	vec_init(&p->zero_slots, sizeof(uint32_t));
	p->err = err;
}

void rules_plan_free(struct rules_plan *p)
{
	vec_free(&p->l1);
	vec_free(&p->l2);
	vec_free(&p->v6);
	vec_free(&p->fresh);
	vec_free(&p->info_slots);
	vec_free(&p->zero_slots);
}

static int mark_all(struct rules_engine *e, struct rules_plan *p, struct dirty *d,
		    const struct vec *changed)
{
	bool global[3] = { 0 };
	int err = 0;

	for (size_t i = 0; i < changed->n && !err; i++) {
		const struct rules_pfx *c = vec_at(changed, i);

		if (c->fam == RULES_FAM_ANY)
			global[RULES_FAM_V4] = global[RULES_FAM_V6] = true;
		else if (c->plen == 0)
			global[c->fam] = true;
		else if (c->fam == RULES_FAM_V4)
			err = mark_v4(d, c);
		else
			err = mark_v6_all(e, d, c);
	}
	for (unsigned f = RULES_FAM_V4; f <= RULES_FAM_V6 && !err; f++) {
		if (global[f])
			err = plan_global(e, p, f);
	}
	return err;
}

static int dirty_init(struct dirty *d, size_t hint)
{
	int err;

	memset(d, 0, sizeof(*d));
	vec_init(&d->l1, sizeof(uint32_t));
	vec_init(&d->runs, sizeof(struct rules_pfx));
	d->l1_bits = calloc(DIRTY_L1_WORDS, sizeof(uint64_t));
	err = d->l1_bits ? 0 : -ENOMEM;
	/* Sized for the usual case (a few blocks per changed prefix) to avoid rehashing. */
	if (!err)
		err = htab_init(&d->l2, sizeof(uint32_t), hint * 2);
	if (!err)
		err = htab_init(&d->v6, sizeof(struct rules_v6_key), hint * 2);
	if (!err)
		err = htab_init(&d->runs_seen, sizeof(struct rules_pfx), hint);
	return err;
}

static void dirty_free(struct dirty *d)
{
	free(d->l1_bits);
	vec_free(&d->l1);
	vec_free(&d->runs);
	htab_free(&d->runs_seen);
	htab_free(&d->l2);
	htab_free(&d->v6);
}

static int plan_dirty(struct rules_engine *e, struct rules_plan *p, struct dirty *d)
{
	const void *k;
	uint64_t *v;
	int err = 0;

	/* Runs first: they may add runs (appended, so this loop sees them) and one-by-one blocks. */
	for (size_t i = 0; i < d->runs.n && !err; i++) {
		struct rules_pfx run = *(struct rules_pfx *)vec_at(&d->runs, i);

		err = plan_run(e, p, d, &run);
	}
	for (size_t i = 0; i < d->l1.n && !err; i++)
		err = plan_l1(e, p, *(uint32_t *)vec_at(&d->l1, i));
	for (size_t pos = 0; !err && htab_next(&d->l2, &pos, &k, &v);)
		err = plan_l2(e, p, *(const uint32_t *)k);
	for (size_t pos = 0; !err && htab_next(&d->v6, &pos, &k, &v);)
		err = plan_v6(e, p, k);
	return err;
}

int rules_plan_build(struct rules_engine *e, const struct vec *changed,
		     struct rules_plan *p)
{
	struct dirty d;
	int err = dirty_init(&d, changed->n);

	if (!err)
		err = mark_all(e, p, &d, changed);
	if (!err)
		err = plan_dirty(e, p, &d);
	dirty_free(&d);
	return err;
}

int rules_plan_build_all(struct rules_engine *e, struct rules_plan *p)
{
	struct dirty d;
	const void *k;
	uint64_t *v;
	int err = dirty_init(&d, e->l2.count + e->v6.count);

	for (uint32_t idx = 0; idx < (1u << 24) && !err; idx++) {
		if (e->l1[idx])
			err = mark_l1(&d, idx);
	}
	for (size_t pos = 0; !err && htab_next(&e->l2, &pos, &k, &v);)
		err = htab_put(&d.l2, k, 0);
	for (size_t pos = 0; !err && htab_next(&e->v6, &pos, &k, &v);)
		err = htab_put(&d.v6, k, 0);
	if (!err)
		err = plan_global(e, p, RULES_FAM_V4);
	if (!err)
		err = plan_global(e, p, RULES_FAM_V6);
	if (!err)
		err = plan_dirty(e, p, &d);
	dirty_free(&d);
	return err;
}
