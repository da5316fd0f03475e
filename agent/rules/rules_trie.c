// SPDX-License-Identifier: GPL-2.0-only
/* The source address tries as a pure function of the prefix set, reconciled with what the kernel
 * holds: nodes whose shape still fits are kept and only the words that differ are rewritten, so
 * restoring the same rules after a restart writes nothing.
 *
 * Shape of the block (base, b) holding the prefixes S (longer than b) under the rules D that
 * cover it: no prefix: a leaf of D. One prefix p: a compare node for p (hit: D + p's rules).
 * Several, with p covering the others and ending on a byte boundary: a compare node for p whose
 * hit is the block p. Otherwise a branch node on the byte where they part (or where p ends),
 * after a compare node for the bytes they share if that skips any. Every node on a path thus
 * advances at least one byte: at most 2 (IPv4) and 14 (IPv6) below the root, plus a last
 * compare node. */
#include "rules_engine.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "cidr.h"

struct cover {
	uint32_t n;
	uint32_t slot[RULES_MAX_PER_ENTRY];
	bool leaf_ok;
	uint32_t leaf;
	uint32_t lone_w; /* n == 1: the leaf word, known without reading the rule */
};

struct rc {
	struct rules_txn *t;
	struct rules_engine *e;
	unsigned fam, width, root;
	const struct rules_pfx *pv, *cv; /* live and changed prefixes of the family */
	size_t pn, cn;
	bool clen[129]; /* lengths among the changed prefixes */
};

static int too_many(struct rc *c, const uint8_t *addr, unsigned plen)
{
	struct cidr b = { .family = c->fam == RULES_FAM_V4 ? 4 : 6, .plen = (uint8_t)plen };
	struct rules_error *err = c->t->err;
	char buf[CIDR_STR_MAX];

	memcpy(b.addr, addr, 16);
	cidr_format(&b, buf, sizeof(buf));
	if (err) {
		err->field = RULES_FIELD_SRC;
		snprintf(err->msg, sizeof(err->msg), "more than %d rules would apply to %s",
			 RULES_MAX_PER_ENTRY, buf);
	}
	return -E2BIG;
}

static int cover_add(struct rc *c, struct cover *cov, const struct rules_pfx *p)
{
	cov->leaf_ok = false;
	if (p->lone) {
		if (cov->n == RULES_MAX_PER_ENTRY)
			return too_many(c, p->addr, p->plen);
		if (!cov->n)
			cov->lone_w = RULES_W_SLOT_MAKE(p->head, p->lone & RULES_LONE_ACT,
							 p->lone & RULES_LONE_PLAIN);
		cov->slot[cov->n++] = p->head;
		return 0;
	}
	cov->lone_w = 0;
	for (uint32_t s = p->head; s != RULES_SLOT_NONE; s = c->e->rules[s].next) {
		if (cov->n == RULES_MAX_PER_ENTRY)
			return too_many(c, p->addr, p->plen);
		cov->slot[cov->n++] = s;
	}
	return 0;
}

static int cover_leaf(struct rc *c, struct cover *cov, uint32_t *w)
{
	uint32_t tmp[RULES_MAX_PER_ENTRY];
	int err;

	if (cov->leaf_ok) {
		*w = cov->leaf;
		return 0;
	}
	if (cov->n == 1 && cov->lone_w) {
		*w = cov->leaf = cov->lone_w;
		cov->leaf_ok = true;
		return 0;
	}
	memcpy(tmp, cov->slot, cov->n * sizeof(*tmp));
	err = rules_leaf_word(c->t, tmp, cov->n, w);
	if (!err) {
		cov->leaf = *w;
		cov->leaf_ok = true;
	}
	return err;
}

static bool is_bnode(const struct rules_txn *t, uint32_t w)
{
	uint32_t idx = w & RULES_W_BNODE_MASK;

	return RULES_W_TAG(w) == RULES_W_BNODE && idx >= RULES_BNODE_FIRST_FREE &&
	       idx < t->cap[RULES_M_BNODES];
}

static bool is_cnode(const struct rules_txn *t, uint32_t w)
{
	return RULES_W_TAG(w) == RULES_W_CNODE && (w & RULES_W_IDX_MASK) < t->cap[RULES_M_CNODES];
}

static int free_rec(struct rules_txn *t, uint32_t w, int depth)
{
	int err = 0;

	/* Adopted trees are checked for cycles; this only guards against a bug. */
	if (depth > 2 * RULES_TRIE_STEPS + 2)
		return 0;
	if (is_bnode(t, w)) {
		uint32_t idx = w & RULES_W_BNODE_MASK;

		for (int v = 0; v < RULES_BNODE_SLOTS && !err; v++) {
			struct rules_bnode *n = rules_txn_elem(t, RULES_M_BNODES, idx);

			err = n ? free_rec(t, n->slot[v], depth + 1) : -ENOMEM;
		}
		return err ? err : rules_pool_release(&t->st->bnodes, idx);
	}
	if (is_cnode(t, w)) {
		uint32_t idx = w & RULES_W_IDX_MASK;
		struct rules_cnode *n = rules_txn_elem(t, RULES_M_CNODES, idx);
		uint32_t hit, miss;

		if (!n)
			return -ENOMEM;
		hit = n->hit;
		miss = n->miss;
		err = free_rec(t, hit, depth + 1);
		if (!err)
			err = free_rec(t, miss, depth + 1);
		return err ? err : rules_pool_release(&t->st->cnodes, idx);
	}
	return rules_word_drop(t, w);
}

int rules_trie_free(struct rules_txn *t, uint32_t w)
{
	return free_rec(t, w, 0);
}

/* Frees what the old word held unless it is a leaf: the caller overwrites (and drops) those. */
static int free_nodes(struct rules_txn *t, uint32_t old)
{
	return is_bnode(t, old) || is_cnode(t, old) ? rules_trie_free(t, old) : 0;
}

/* Stores a word where readers may see it, keeping list references right. */
static int set_loc(struct rc *c, enum rules_map_id id, uint32_t idx, uint32_t off, uint32_t old,
		   uint32_t w)
{
	int err;

	if (old == w)
		return 0;
	err = rules_txn_put_word(c->t, id, idx, off, w);
	if (!err)
		err = rules_word_hold(c->t, w);
	return err ? err : rules_word_drop(c->t, old);
}

static unsigned lcp_bits(const uint8_t *a, const uint8_t *b, unsigned width)
{
	for (unsigned i = 0; i < 16; i++) {
		unsigned x = a[i] ^ b[i];

		if (x) {
			unsigned n = i * 8 + (unsigned)__builtin_clz(x) - 24;

			return n < width ? n : width;
		}
	}
	return width;
}

/* The first `bits` bits of an address as two words in memory order (big-endian masks). */
static void mask_words(uint64_t m[2], unsigned bits)
{
	uint64_t hi = bits >= 64 ? ~0ULL : bits ? ~0ULL << (64 - bits) : 0;
	uint64_t lo = bits >= 128 ? ~0ULL : bits > 64 ? ~0ULL << (128 - bits) : 0;

	m[0] = __builtin_bswap64(hi);
	m[1] = __builtin_bswap64(lo);
}

static void masked(uint8_t *dst, const uint8_t *src, unsigned bits)
{
	uint64_t w[2], m[2];

	mask_words(m, bits);
	memcpy(w, src, 16);
	w[0] &= m[0];
	w[1] &= m[1];
	memcpy(dst, w, 16);
}

static void range_inside(const struct rules_pfx *v, size_t lo, size_t hi, const uint8_t *addr,
			 unsigned plen, unsigned width, size_t *a, size_t *b)
{
	rules_pfx_inside(v + lo, hi - lo, addr, plen, width, a, b);
	*a += lo;
	*b += lo;
}

/* A changed prefix longer than b but not than plen covers the block (addr, plen): the rules
 * covering that block changed. Such prefixes lie in the changed range of the enclosing block. */
static bool changed_cover(const struct rc *c, size_t clo, size_t chi, const uint8_t *addr,
			  unsigned plen, unsigned b)
{
	for (unsigned l = b + 1; l <= plen && clo < chi; l++) {
		struct rules_pfx k = { .plen = (uint8_t)l };
		size_t lo = clo, hi = chi;

		if (!c->clen[l])
			continue;
		masked(k.addr, addr, l);
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			int r = rules_pfx_cmp(&c->cv[mid], &k);

			if (!r)
				return true;
			if (r < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
	}
	return false;
}

static int rc_block(struct rc *c, uint32_t old, const uint8_t *base, unsigned b, struct cover *D,
		    size_t lo, size_t hi, size_t clo, size_t chi, bool dirty, uint32_t *out);

static int leaf_block(struct rc *c, uint32_t old, struct cover *D, uint32_t *out)
{
	int err = free_nodes(c->t, old);

	return err ? err : cover_leaf(c, D, out);
}

static void cnode_key(struct rules_cnode *n, const uint8_t *addr, unsigned mlen)
{
	uint64_t m[2], k[2];

	memset(n, 0, sizeof(*n));
	mask_words(m, mlen);
	memcpy(k, addr, 16);
	k[0] &= m[0];
	k[1] &= m[1];
	memcpy(n->key, k, 16);
	memcpy(n->mask, m, 16);
}

/* A compare node for the first mlen bits of key; its hit is the block (key, mlen) holding the
 * prefixes [lo, hi) under hd, its miss a leaf of D. */
static int cnode(struct rc *c, uint32_t old, const uint8_t *key, unsigned mlen, struct cover *D,
		 struct cover *hd, size_t lo, size_t hi, size_t cl, size_t ch, bool dirty,
		 bool hit_dirty, uint32_t *out)
{
	struct rules_cnode want, *n;
	uint32_t oh = 0, om = 0, nh, nm, idx = 0;
	bool reuse = false;
	int err = 0;

	cnode_key(&want, key, mlen);
	if (is_cnode(c->t, old)) {
		idx = old & RULES_W_IDX_MASK;
		n = rules_txn_elem(c->t, RULES_M_CNODES, idx);
		if (!n)
			return -ENOMEM;
		reuse = !memcmp(n->key, want.key, sizeof(want.key) + sizeof(want.mask));
		if (reuse) {
			oh = n->hit;
			om = n->miss;
		}
	}
	if (!reuse)
		err = free_nodes(c->t, old);
	if (!err)
		err = rc_block(c, oh, key, mlen, hd, lo, hi, cl, ch,
			       hit_dirty || !reuse, &nh);
	if (err)
		return err;
	nm = om;
	if (!reuse || dirty)
		err = leaf_block(c, om, D, &nm);
	if (!err && reuse) {
		err = set_loc(c, RULES_M_CNODES, idx, offsetof(struct rules_cnode, hit), oh, nh);
		if (!err)
			err = set_loc(c, RULES_M_CNODES, idx, offsetof(struct rules_cnode, miss), om, nm);
		*out = old;
		return err;
	}
	if (!err)
		err = rules_txn_alloc(c->t, RULES_M_CNODES, &idx);
	if (err)
		return err;
	want.hit = nh;
	want.miss = nm;
	n = rules_txn_elem(c->t, RULES_M_CNODES, idx);
	if (!n)
		return -ENOMEM;
	*n = want;
	err = rules_word_hold(c->t, nh);
	if (!err)
		err = rules_word_hold(c->t, nm);
	*out = RULES_W_MAKE(RULES_W_CNODE, idx);
	return err;
}

/* Covering rules per slot of a branch node: prefixes ending in its byte span runs of slots,
 * nested like brackets; a stack holds the open ones. */
struct span {
	unsigned end;
	struct cover cov;
};

static void mark_dirty(const struct rc *c, unsigned k, size_t clo, size_t chi, uint64_t dmap[4])
{
	for (size_t i = clo; i < chi; i++) {
		const struct rules_pfx *q = &c->cv[i];
		unsigned start, cnt;

		if (q->plen > 8 * k + 8)
			continue;
		start = q->addr[k];
		cnt = 1u << (8 * k + 8 - q->plen);
		for (unsigned v = start; v < start + cnt && v < 256; v++)
			dmap[v / 64] |= 1ULL << (v % 64);
	}
}

static int bnode(struct rc *c, uint32_t old, const uint8_t *base, unsigned k, struct cover *D,
		 size_t lo, size_t hi, size_t clo, size_t chi, bool dirty, uint32_t *out)
{
	bool reuse = is_bnode(c->t, old) && (old >> RULES_W_BYTE_SHIFT & 15) == k;
	uint32_t idx = old & RULES_W_BNODE_MASK, words[RULES_BNODE_SLOTS];
	unsigned sub = 8 * k + 8, depth = 0;
	struct span st[10];
	uint64_t dmap[4] = { 0 };
	size_t i = lo, ci = clo;
	int err = 0;

	if (!reuse)
		err = free_nodes(c->t, old);
	mark_dirty(c, k, clo, chi, dmap);
	st[0].end = 256;
	st[0].cov = *D;
	for (unsigned v = 0; v < RULES_BNODE_SLOTS && !err; v++) {
		uint8_t cb[16];
		uint32_t ow = 0, w = 0;
		size_t j, cj;

		while (depth && st[depth].end <= v)
			depth--;
		for (; i < hi && c->pv[i].addr[k] == v && c->pv[i].plen <= sub && !err; i++) {
			st[depth + 1].end = v + (1u << (sub - c->pv[i].plen));
			st[depth + 1].cov = st[depth].cov;
			depth++;
			err = cover_add(c, &st[depth].cov, &c->pv[i]);
		}
		for (j = i; j < hi && c->pv[j].addr[k] == v; j++)
			;
		while (ci < chi && c->cv[ci].addr[k] == v && c->cv[ci].plen <= sub)
			ci++;
		for (cj = ci; cj < chi && c->cv[cj].addr[k] == v; cj++)
			;
		/* Nothing below these slots up to the next prefix, change or end of a covering
		 * prefix: they all get the cover's leaf. Unchanged slots of a kept node stay as
		 * they are; reconciled ones compare their word (a restore usually finds it equal). */
		if (i == j && ci == cj) {
			bool keep = reuse && !dirty && !(dmap[v / 64] >> (v % 64) & 1);
			unsigned next = depth ? st[depth].end : RULES_BNODE_SLOTS;
			struct rules_bnode *n = NULL;
			uint32_t lw = 0;

			if (i < hi && c->pv[i].addr[k] < next)
				next = c->pv[i].addr[k];
			if (ci < chi && c->cv[ci].addr[k] < next)
				next = c->cv[ci].addr[k];
			for (unsigned x = v + 1; reuse && x < next; x++) {
				if ((dmap[x / 64] >> (x % 64) & 1) != (dmap[v / 64] >> (v % 64) & 1))
					next = x;
			}
			if (!keep)
				err = cover_leaf(c, &st[depth].cov, &lw);
			if (!keep && reuse && !err && !(n = rules_txn_elem(c->t, RULES_M_BNODES, idx)))
				err = -ENOMEM;
			for (unsigned x = v; !keep && !err && x < next; x++) {
				uint32_t ow = reuse ? n->slot[x] : 0;

				words[x] = lw;
				if (!reuse || ow == lw)
					continue;
				/* A node where a leaf belongs: free it (this may remap). */
				err = free_nodes(c->t, ow);
				if (!err)
					err = set_loc(c, RULES_M_BNODES, idx, x * 4, ow, lw);
				if (!err && !(n = rules_txn_elem(c->t, RULES_M_BNODES, idx)))
					err = -ENOMEM;
			}
			v = next - 1;
			continue;
		}
		memcpy(cb, base, 16);
		cb[k] = (uint8_t)v;
		if (reuse) {
			struct rules_bnode *n = rules_txn_elem(c->t, RULES_M_BNODES, idx);

			if (!n)
				err = -ENOMEM;
			else
				ow = n->slot[v];
		}
		if (!err)
			err = rc_block(c, ow, cb, sub, &st[depth].cov, i, j, ci, cj,
				       dirty || !reuse || (dmap[v / 64] >> (v % 64) & 1), &w);
		if (!err && reuse)
			err = set_loc(c, RULES_M_BNODES, idx, v * 4, ow, w);
		words[v] = w;
		i = j;
		ci = cj;
	}
	if (err || reuse) {
		*out = old;
		return err;
	}
	err = rules_txn_alloc(c->t, RULES_M_BNODES, &idx);
	if (!err) {
		struct rules_bnode *n = rules_txn_elem(c->t, RULES_M_BNODES, idx);

		if (!n)
			return -ENOMEM;
		memcpy(n->slot, words, sizeof(words));
	}
	for (unsigned v = 0; v < RULES_BNODE_SLOTS && !err; v++)
		err = rules_word_hold(c->t, words[v]);
	*out = RULES_W_BNODE_MAKE(k, idx);
	return err;
}

static int rc_block(struct rc *c, uint32_t old, const uint8_t *base, unsigned b, struct cover *D,
		    size_t lo, size_t hi, size_t clo, size_t chi, bool dirty, uint32_t *out)
{
	const struct rules_pfx *p;
	unsigned l0, len, k;
	struct cover hd;
	uint8_t key[16];
	size_t cl, ch;
	int err;

	if (!dirty && clo == chi) {
		*out = old;
		return 0;
	}
	if (lo == hi)
		return leaf_block(c, old, D, out);
	p = &c->pv[lo];
	l0 = lcp_bits(p->addr, c->pv[hi - 1].addr, c->width);
	/* p alone, or p covering the rest and ending on a byte boundary: compare node for p. */
	if (hi - lo == 1 || (p->plen <= l0 && p->plen % 8 == 0)) {
		hd = *D;
		err = cover_add(c, &hd, p);
		if (err)
			return err;
		range_inside(c->cv, clo, chi, p->addr, p->plen, c->width, &cl, &ch);
		return cnode(c, old, p->addr, p->plen, D, &hd, lo + 1, hi, cl, ch, dirty,
			     dirty || changed_cover(c, clo, chi, p->addr, p->plen, b), out);
	}
	len = p->plen <= l0 ? p->plen : l0;
	k = p->plen <= l0 ? (len - 1) / 8 : len / 8;
	if (8 * k == b)
		return bnode(c, old, base, k, D, lo, hi, clo, chi, dirty, out);
	/* Skip the bytes all of them share with one compare, then branch. */
	masked(key, p->addr, 8 * k);
	range_inside(c->cv, clo, chi, key, 8 * k, c->width, &cl, &ch);
	hd = *D;
	return cnode(c, old, key, 8 * k, D, &hd, lo, hi, cl, ch, dirty,
		     dirty || changed_cover(c, clo, chi, key, 8 * k, b), out);
}

static bool bit(const uint64_t *bm, uint32_t i)
{
	return bm[i / 64] >> (i % 64) & 1;
}

static void set_bits(uint64_t *bm, uint32_t from, uint32_t n)
{
	for (uint32_t i = from; i < from + n; i++)
		bm[i / 64] |= 1ULL << (i % 64);
}

/* The covering rules of root slot r: prefixes of 1..16 bits containing it. */
static int root_cover(struct rc *c, const uint8_t *base, struct cover *D)
{
	int err = 0;

	memset(D, 0, sizeof(*D));
	for (unsigned l = 1; l <= 16 && !err; l++) {
		struct rules_pfx k = { .fam = (uint8_t)c->fam, .plen = (uint8_t)l };
		long at;

		if (!c->e->plen_use[c->fam][l])
			continue;
		masked(k.addr, base, l);
		at = rules_pfx_find(c->e, &k, NULL);
		if (at >= 0)
			err = cover_add(c, D, &c->pv[at]);
	}
	return err;
}

/* Root slots are visited in order: each search starts where the last one ended. */
static int root_slot(struct rc *c, uint32_t r, bool dirty, size_t *pfrom, size_t *cfrom)
{
	uint32_t node = c->root + r / RULES_BNODE_SLOTS, off = r % RULES_BNODE_SLOTS * 4, ow, w;
	uint8_t base[16] = { (uint8_t)(r >> 8), (uint8_t)r };
	size_t lo, hi, clo, chi;
	struct rules_bnode *n;
	struct cover D;
	int err = root_cover(c, base, &D);

	if (err)
		return err;
	range_inside(c->pv, *pfrom, c->pn, base, 16, c->width, &lo, &hi);
	range_inside(c->cv, *cfrom, c->cn, base, 16, c->width, &clo, &chi);
	*pfrom = hi;
	*cfrom = chi;
	n = rules_txn_elem(c->t, RULES_M_BNODES, node);
	if (!n)
		return -ENOMEM;
	ow = n->slot[r % RULES_BNODE_SLOTS];
	err = rc_block(c, ow, base, 16, &D, lo, hi, clo, chi, dirty, &w);
	return err ? err : set_loc(c, RULES_M_BNODES, node, off, ow, w);
}

/* Root slots to visit: those holding or covered by a changed prefix; everything with a prefix
 * for a rebuild; the unverified ones (adopted from pins) for a prune. A visited unverified slot
 * is reconciled whole (its content may be anything); the others keep what the kernel has until
 * the prune, so restoring rules does not drop what is still to be restored. */
static void mark_roots(const struct rc *c, const struct rules_changes *ch, const uint64_t *unv,
		       uint64_t *touch, uint64_t *cover)
{
	for (size_t i = 0; i < c->cn; i++) {
		const struct rules_pfx *q = &c->cv[i];
		uint32_t r = (uint32_t)q->addr[0] << 8 | q->addr[1];

		if (!q->plen)
			continue;
		if (q->plen <= 16) {
			set_bits(cover, r, 1u << (16 - q->plen));
			set_bits(touch, r, 1u << (16 - q->plen));
		} else {
			set_bits(touch, r, 1);
		}
	}
	for (size_t i = 0; ch->all && i < c->pn; i++) {
		const struct rules_pfx *q = &c->pv[i];
		uint32_t r = (uint32_t)q->addr[0] << 8 | q->addr[1];

		if (q->plen)
			set_bits(touch, r, q->plen <= 16 ? 1u << (16 - q->plen) : 1);
	}
	for (uint32_t w = 0; ch->prune && w < RULES_ROOT_SLOTS / 64; w++)
		touch[w] |= unv[w];
}

static int reconcile_family(struct rules_txn *t, const struct rules_changes *ch, unsigned fam)
{
	struct rules_engine *e = t->e;
	uint64_t *unv = e->unverified + (fam == RULES_FAM_V4 ? 0 : RULES_ROOT_SLOTS / 64);
	uint64_t *touch = calloc(2 * RULES_ROOT_SLOTS / 64, sizeof(uint64_t)), *cover;
	struct rc c = { .t = t, .e = e, .fam = fam, .width = fam == RULES_FAM_V4 ? 32 : 128,
			.root = fam == RULES_FAM_V4 ? RULES_ROOT_V4 : RULES_ROOT_V6,
			.pv = e->sorted[fam].v, .pn = e->sorted[fam].n, .cv = ch->v[fam],
			.cn = ch->n[fam] };
	size_t pfrom = 0, cfrom = 0;
	int err = touch ? 0 : -ENOMEM;

	if (err)
		return err;
	cover = touch + RULES_ROOT_SLOTS / 64;
	for (size_t i = 0; i < c.cn; i++)
		c.clen[c.cv[i].plen] = true;
	mark_roots(&c, ch, unv, touch, cover);
	for (uint32_t w = 0; w < RULES_ROOT_SLOTS / 64 && !err; w++) {
		for (uint64_t m = touch[w]; m && !err; m &= m - 1) {
			uint32_t r = w * 64 + (uint32_t)__builtin_ctzll(m);

			err = root_slot(&c, r, ch->all || bit(cover, r) || bit(unv, r), &pfrom, &cfrom);
			if (!err)
				unv[w] &= ~(1ULL << (r % 64));
		}
	}
	free(touch);
	return err;
}

/* The any-source list of a family: rules without a source plus that family's /0 rules. */
static int global_list(struct rules_txn *t, unsigned fam)
{
	struct rules_engine *e = t->e;
	uint32_t id = fam == RULES_FAM_V4 ? RULES_LIST_ANY_V4 : RULES_LIST_ANY_V6;
	const struct rules_pfx *heads[2] = { e->sorted[RULES_FAM_ANY].n ? e->sorted[RULES_FAM_ANY].v : NULL,
					     e->sorted[fam].n && !e->sorted[fam].v[0].plen ?
						     e->sorted[fam].v : NULL };
	struct rules_list want = { 0 }, *cur;

	for (int i = 0; i < 2; i++) {
		for (uint32_t s = heads[i] ? heads[i]->head : RULES_SLOT_NONE; s != RULES_SLOT_NONE;
		     s = e->rules[s].next) {
			if (want.n == RULES_MAX_PER_ENTRY) {
				if (t->err) {
					t->err->field = RULES_FIELD_SRC;
					snprintf(t->err->msg, sizeof(t->err->msg),
						 "more than %d rules would apply to any IPv%c source",
						 RULES_MAX_PER_ENTRY, fam == RULES_FAM_V4 ? '4' : '6');
				}
				return -E2BIG;
			}
			want.slot[want.n++] = s;
		}
	}
	rules_sort_slots(e, want.slot, want.n);
	cur = rules_txn_elem(t, RULES_M_LISTS, id);
	if (!cur)
		return -ENOMEM;
	return memcmp(cur, &want, sizeof(want)) ?
		       rules_txn_put_record(t, RULES_M_LISTS, id, &want, sizeof(want)) : 0;
}

static bool touches_global(const struct rules_changes *ch, unsigned fam)
{
	return ch->all || ch->prune || ch->n[RULES_FAM_ANY] || (ch->n[fam] && !ch->v[fam][0].plen);
}

int rules_trie_reconcile(struct rules_txn *t, const struct rules_changes *ch)
{
	int err = 0;

	for (unsigned f = RULES_FAM_V4; f <= RULES_FAM_V6 && !err; f++) {
		if (ch->all || ch->prune || ch->n[f])
			err = reconcile_family(t, ch, f);
		if (!err && touches_global(ch, f))
			err = global_list(t, f);
	}
	return err;
}
