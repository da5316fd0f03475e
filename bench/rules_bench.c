// SPDX-License-Identifier: GPL-2.0-only
/* Rule engine bench: BPF_PROG_TEST_RUN ns per frame of the agent's filter program with 1, 1k,
 * 100k and 1M mixed prefixes, beside the drop/pass built-ins and a plain kernel LPM trie holding
 * the same prefixes (every setup measured in every round, rounds rotated, medians); the targets
 * met or not; kernel map memory; the engine's user-space bytes per rule; load and restore times. */
#define _GNU_SOURCE
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bpf/xdp_lpm_bench.skel.h"
#include "bpf/xdp_simple.skel.h"
#include "rules_fixture.h"
#include "rules_pkt.h"
#include "array_size.h"

struct bench_opts {
	size_t big, mid, small;
	uint32_t repeat;
	int rounds;
};

enum setup { S_DROP, S_PASS, S_ONE, S_SMALL, S_MID, S_BIG, S_LPM_MID, S_LPM_BIG, S_N };

static const char *const setup_name[S_N] = { "drop", "pass", "1 rule", "1k", "100k", "1M",
					     "lpm 100k", "lpm 1M" };

struct frame {
	const char *name;
	int fam, plen; /* plen 0: a miss */
	long target;   /* index of the rule it hits, -1 for misses */
	uint8_t buf[RULES_PKT_MAX];
	size_t len;
	uint32_t ns[S_N];
};

struct world {
	struct bench_opts o;
	struct rules_spec *rules;
	uint32_t *slots; /* of the big load, for the restore */
	struct rules_fixture one, small, mid, big;
	struct xdp_simple *simple;
	struct xdp_lpm_bench *lpm_mid, *lpm_big;
	struct frame fr[10];
	size_t nfr;
	char pin_dir[64];
	double t_mid, t_big, t_restore[2][3];
	double c_mid, c_big, c_restore[2];
	double mem0, mem_mid, mem_big, mem_flushed;
	double user_per_rule, rss_per_rule, user0;
	size_t n_mid, n_big;
};

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static double clock_s(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double now_s(void)
{
	return clock_s(CLOCK_MONOTONIC);
}

/* CPU time of the process (its syscalls included): what the engine costs, whatever else the
 * machine runs meanwhile. */
static double cpu_s(void)
{
	return clock_s(CLOCK_PROCESS_CPUTIME_ID);
}

static double mib(uint64_t b)
{
	return (double)b / (1 << 20);
}

/* A blocklist mix: 60% IPv4 (mostly /24 and /32, some /16../23 and /28../30), 40% IPv6
 * (/32../128 allocations), random addresses; every 50th rule a monitor, the rest drops. */
static void gen_rule(uint64_t *s, size_t i, struct rules_spec *r)
{
	static const uint8_t v4len[] = { 24, 24, 24, 24, 24, 32, 32, 32, 16, 20, 22, 23, 28, 30 };
	static const uint8_t v6len[] = { 48, 48, 48, 48, 32, 32, 64, 64, 56, 128 };
	uint64_t a = rnd(s), b = rnd(s);

	memset(r, 0, sizeof(*r));
	r->action = i % 50 == 0 ? RULES_ACT_MONITOR : RULES_ACT_DROP;
	r->has_src = true;
	if (i % 10 < 6) {
		r->src.family = 4;
		r->src.plen = v4len[rnd(s) % sizeof(v4len)];
		memcpy(r->src.addr, &a, 4);
		r->src.addr[0] = (uint8_t)(1 + r->src.addr[0] % 223);
	} else {
		r->src.family = 6;
		r->src.plen = v6len[rnd(s) % sizeof(v6len)];
		memcpy(r->src.addr, &a, 8);
		memcpy(r->src.addr + 8, &b, 8);
		r->src.addr[0] = 0x20 | (r->src.addr[0] & 0x1f);
	}
	cidr_mask(r->src.addr, r->src.plen);
}

static void build_frame(struct frame *f, const uint8_t *src)
{
	struct rules_pkt_spec s = { .family = f->fam, .proto = 6, .dport = 80 };
	struct rules_pkt_meta m;

	memcpy(s.src, src, 16);
	f->len = rules_pkt_build(&s, f->buf, &m);
}

/* An address of the family inside the generated range that no rule of the big set covers: a
 * miss the LPM trie has to walk for. */
static void near_miss(const struct world *w, int fam, uint64_t *s, uint8_t *a)
{
	for (;;) {
		struct rules_spec cand;
		bool hit = false;

		/* The first byte of a generated address is in range; the rest is random. */
		gen_rule(s, fam == 4 ? 1 : 7, &cand);
		memcpy(a, cand.src.addr, 16);
		for (int i = 1; i < (fam == 4 ? 4 : 16); i++)
			a[i] = (uint8_t)rnd(s);
		for (size_t i = 0; i < w->o.big && !hit; i++)
			hit = w->rules[i].src.family == fam &&
			      cidr_contains_addr(&w->rules[i].src, (unsigned)fam, a);
		if (!hit)
			return;
	}
}

/* Hits aim at a drop rule of each length among the first rules (present at every size but 1);
 * misses at space no generated prefix covers (IPv4 from 224, IPv6 from 4000::: the cheapest
 * miss, the conservative base of the IPv6 target), near misses inside the generated range. */
static int make_frames(struct world *w)
{
	static const struct {
		const char *name;
		int fam, plen;
	} want[] = { { "v4 miss", 4, 0 },      { "v4 near miss", 4, -1 }, { "v4 /24 hit", 4, 24 },
		     { "v4 /32 hit", 4, 32 },  { "v6 miss", 6, 0 },       { "v6 near miss", 6, -1 },
		     { "v6 /32 hit", 6, 32 },  { "v6 /48 hit", 6, 48 },   { "v6 /64 hit", 6, 64 },
		     { "v6 /128 hit", 6, 128 } };
	uint64_t s = 0xabcdef;

	for (size_t k = 0; k < ARRAY_SIZE(want); k++) {
		struct frame *f = &w->fr[w->nfr++];
		uint8_t a[16] = { 0 };

		f->name = want[k].name;
		f->fam = want[k].fam;
		f->plen = want[k].plen;
		f->target = -1;
		if (f->plen < 0) {
			near_miss(w, f->fam, &s, a);
			build_frame(f, a);
			continue;
		}
		if (!f->plen) {
			uint64_t x = rnd(&s), y = rnd(&s);

			memcpy(a, &x, 8);
			memcpy(a + 8, &y, 8);
			if (f->fam == 4) {
				a[0] = 224;
				memset(a + 4, 0, 12);
			} else {
				a[0] = 0x40;
			}
			build_frame(f, a);
			continue;
		}
		for (size_t i = 0; i < w->o.small && f->target < 0; i++) {
			const struct rules_spec *r = &w->rules[i];

			if (r->src.family == f->fam && r->src.plen == f->plen &&
			    r->action == RULES_ACT_DROP)
				f->target = (long)i;
		}
		if (f->target < 0)
			return -ENOENT;
		memcpy(a, w->rules[f->target].src.addr, 16);
		if (f->plen < (f->fam == 4 ? 32 : 128))
			a[(f->fam == 4 ? 4 : 16) - 1] |= 7;
		build_frame(f, a);
	}
	return 0;
}

static int load(struct rules_fixture *f, const struct rules_spec *rules, size_t n, uint32_t *slots,
		double *secs, double *cpu)
{
	struct rules_error err = { 0 };
	double t0 = now_s(), c0 = cpu_s();
	int ret = rules_compile_add(f->eng, rules, n, NULL, slots, NULL, &err);

	*secs = now_s() - t0;
	*cpu = cpu_s() - c0;
	if (ret)
		fprintf(stderr, "add at %zu: %s (%s: %s)\n", err.index, strerror(-ret),
			rules_field_name(err.field), err.msg);
	return ret;
}

/* The LPM baseline gets the same prefixes, the value being the rule's action. */
static int lpm_fill(struct xdp_lpm_bench *l, const struct rules_spec *rules, size_t n)
{
	struct {
		uint32_t plen;
		uint8_t addr[16];
	} k6;
	struct {
		uint32_t plen;
		uint8_t addr[4];
	} k4;
	int fd4 = bpf_map__fd(l->maps.lpm_v4), fd6 = bpf_map__fd(l->maps.lpm_v6);

	for (size_t i = 0; i < n; i++) {
		const struct rules_spec *r = &rules[i];
		uint32_t v = r->action;
		int err;

		if (r->src.family == 4) {
			k4.plen = r->src.plen;
			memcpy(k4.addr, r->src.addr, 4);
			err = bpf_map_update_elem(fd4, &k4, &v, BPF_ANY);
		} else {
			k6.plen = r->src.plen;
			memcpy(k6.addr, r->src.addr, 16);
			err = bpf_map_update_elem(fd6, &k6, &v, BPF_ANY);
		}
		if (err)
			return err;
	}
	return 0;
}

static int lpm_open(struct xdp_lpm_bench **out, const struct rules_spec *rules, size_t n)
{
	struct xdp_lpm_bench *l = xdp_lpm_bench__open_and_load();
	int err = l ? lpm_fill(l, rules, n) : -errno;

	if (err)
		xdp_lpm_bench__destroy(l);
	else
		*out = l;
	return err;
}

static int prog_of(struct world *w, enum setup s)
{
	switch (s) {
	case S_DROP: return bpf_program__fd(w->simple->progs.xdp_drop);
	case S_PASS: return bpf_program__fd(w->simple->progs.xdp_pass);
	case S_ONE: return w->one.prog_fd;
	case S_SMALL: return w->small.prog_fd;
	case S_MID: return w->mid.prog_fd;
	case S_BIG: return w->big.prog_fd;
	case S_LPM_MID: return bpf_program__fd(w->lpm_mid->progs.xdp_lpm);
	default: return bpf_program__fd(w->lpm_big->progs.xdp_lpm);
	}
}

static int run(int fd, const struct frame *f, uint32_t repeat, uint32_t *ns, uint32_t *verdict)
{
	uint8_t out[RULES_PKT_MAX];
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = f->buf, .data_size_in = (uint32_t)f->len,
		    .data_out = out, .data_size_out = sizeof(out), .repeat = repeat);
	int err = bpf_prog_test_run_opts(fd, &o);

	*ns = o.duration;
	*verdict = o.retval;
	return err;
}

static int only_rule(struct rules_fixture *one, const struct rules_spec *r)
{
	uint32_t slot;
	int err = rules_compile_flush(one->eng, RULES_ACT_NONE, NULL);

	return err ? err : rules_compile_add(one->eng, r, 1, NULL, &slot, NULL, NULL);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* Every round measures every setup on every frame, starting at a different setup each round,
 * so that other work on the machine hits all of them alike; the median of the rounds counts.
 * "1 rule" is the frame's own rule alone (the first rule for misses). */
static int measure(struct world *w)
{
	uint32_t *ns = calloc((size_t)w->o.rounds * S_N * w->nfr, sizeof(*ns));
	int err = ns ? 0 : -ENOMEM;

	for (int r = 0; r < w->o.rounds && !err; r++) {
		for (size_t fi = 0; fi < w->nfr && !err; fi++) {
			struct frame *f = &w->fr[fi];

			err = only_rule(&w->one, &w->rules[f->target >= 0 ? f->target : 0]);
			for (int k = 0; k < S_N && !err; k++) {
				enum setup s = (enum setup)((k + r) % S_N);
				uint32_t verdict;

				err = run(prog_of(w, s), f, w->o.repeat,
					  &ns[((size_t)r * S_N + s) * w->nfr + fi], &verdict);
				/* Hit frames must be dropped by every rule engine setup. */
				if (!err && s >= S_ONE && s <= S_BIG && f->target >= 0 &&
				    verdict != XDP_DROP) {
					fprintf(stderr, "%s not dropped with %s\n", f->name, setup_name[s]);
					err = -EPROTO;
				}
			}
		}
	}
	for (size_t fi = 0; fi < w->nfr && !err; fi++) {
		for (int s = 0; s < S_N; s++) {
			uint32_t v[64];

			for (int r = 0; r < w->o.rounds; r++)
				v[r] = ns[((size_t)r * S_N + s) * w->nfr + fi];
			qsort(v, (size_t)w->o.rounds, sizeof(*v), cmp_u32);
			w->fr[fi].ns[s] = v[w->o.rounds / 2];
		}
	}
	free(ns);
	return err;
}

static size_t malloc_bytes(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}

static size_t rss_bytes(void)
{
	char line[256];
	size_t kb = 0;
	FILE *f = fopen("/proc/self/status", "r");

	while (f && fgets(line, sizeof(line), f))
		sscanf(line, "VmRSS: %zu kB", &kb);
	if (f)
		fclose(f);
	return kb * 1024;
}

/* The engine alone (maps and bookkeeping, no program) with no rule: what malloc holds for it. */
static int engine_at_zero(double *kib)
{
	struct rules_maps_opts mo = { .max_rules = 1 << 21 };
	struct rules_maps maps = { .fd = { -1, -1, -1, -1, -1, -1 } };
	struct rules_engine *eng = NULL;
	size_t m0;
	int err;

	malloc_trim(0);
	m0 = malloc_bytes();
	err = rules_maps_open(&mo, &maps);
	if (!err)
		err = rules_engine_new(&maps, &eng);
	*kib = (double)(malloc_bytes() - m0) / 1024;
	rules_engine_free(eng);
	rules_maps_close(&maps);
	return err;
}

static int open_all(struct world *w)
{
	struct rules_maps_opts mo = { .max_rules = 1 << 21 }, pinned = mo;
	struct rules_fixture zero;
	double t_small, c_small;
	size_t m0, r0;
	uint32_t slot;
	int err;

	w->simple = xdp_simple__open_and_load();
	err = w->simple ? engine_at_zero(&w->user0) : -errno;
	if (!err)
		err = rules_fixture_open_filter(&zero, &mo);
	if (!err) {
		w->mem0 = mib(rules_fixture_map_bytes(&zero));
		rules_fixture_close(&zero);
		err = rules_fixture_open_filter(&w->one, &mo);
	}
	if (!err)
		err = rules_compile_add(w->one.eng, w->rules, 1, NULL, &slot, NULL, NULL);
	if (!err)
		err = rules_fixture_open_filter(&w->small, &mo);
	if (!err)
		err = load(&w->small, w->rules, w->o.small, w->slots, &t_small, &c_small);
	if (!err)
		err = rules_fixture_open_filter(&w->mid, &mo);
	if (!err)
		err = load(&w->mid, w->rules, w->o.mid, w->slots, &w->t_mid, &w->c_mid);
	if (!err) {
		w->mem_mid = mib(rules_fixture_map_bytes(&w->mid));
		w->n_mid = rules_compile_count(w->mid.eng);
		snprintf(w->pin_dir, sizeof(w->pin_dir), "/sys/fs/bpf/xdpfleet-bench-%d", getpid());
		err = mkdir(w->pin_dir, 0700) ? -errno : 0;
	}
	pinned.pin_dir = w->pin_dir;
	/* The engine's own memory: what the big fixture adds, counted by malloc. */
	malloc_trim(0);
	m0 = malloc_bytes();
	r0 = rss_bytes();
	if (!err)
		err = rules_fixture_open_filter(&w->big, &pinned);
	if (!err)
		err = load(&w->big, w->rules, w->o.big, w->slots, &w->t_big, &w->c_big);
	if (!err) {
		w->n_big = rules_compile_count(w->big.eng);
		w->user_per_rule = (double)(malloc_bytes() - m0) / (double)w->n_big;
		w->rss_per_rule = (double)(rss_bytes() - r0) / (double)w->n_big;
		w->mem_big = mib(rules_fixture_map_bytes(&w->big));
		err = lpm_open(&w->lpm_mid, w->rules, w->o.mid);
	}
	if (!err)
		err = lpm_open(&w->lpm_big, w->rules, w->o.big);
	return err;
}

/* Restart with the big rule set: adopt the pins, re-add every rule in its slot, prune. Done
 * twice (the second also checks the frames and flushes). */
static int restore(struct world *w, int round)
{
	struct rules_maps_opts mo = { .pin_dir = w->pin_dir, .max_rules = 1 << 21 };
	struct rules_add_opts ao = { .slots = w->slots };
	uint32_t *back = malloc(w->o.big * sizeof(*back));
	struct rules_engine *eng = NULL;
	struct rules_maps maps = { .fd = { -1, -1, -1, -1, -1, -1 } };
	double t0 = now_s(), c0 = cpu_s(), t1, t2;
	int err = back ? rules_maps_open(&mo, &maps) : -ENOMEM;

	if (!err)
		err = maps.reused ? rules_engine_new(&maps, &eng) : -ESTALE;
	t1 = now_s();
	if (!err)
		err = rules_compile_add(eng, w->rules, w->o.big, &ao, back, NULL, NULL);
	t2 = now_s();
	if (!err)
		err = rules_compile_prune(eng, NULL);
	w->t_restore[round][0] = t1 - t0;
	w->t_restore[round][1] = t2 - t1;
	w->t_restore[round][2] = now_s() - t2;
	w->c_restore[round] = cpu_s() - c0;
	rules_engine_free(eng);
	rules_maps_close(&maps);
	free(back);
	return err;
}

static void print_table(const struct world *w)
{
	printf("\nns per frame (BPF_PROG_TEST_RUN, median of %d rounds of %u repeats)\n",
	       w->o.rounds, w->o.repeat);
	printf("%-12s", "frame");
	for (int s = 0; s < S_N; s++)
		printf(" %8s", setup_name[s]);
	printf("\n");
	for (size_t fi = 0; fi < w->nfr; fi++) {
		printf("%-12s", w->fr[fi].name);
		for (int s = 0; s < S_N; s++)
			printf(" %8u", w->fr[fi].ns[s]);
		printf("\n");
	}
}

static const struct frame *frame_named(const struct world *w, const char *name)
{
	for (size_t i = 0; i < w->nfr; i++) {
		if (!strcmp(w->fr[i].name, name))
			return &w->fr[i];
	}
	return NULL;
}

static bool target(const char *what, double value, double limit)
{
	bool met = value <= limit;

	printf("  %-58s %5.2f (<= %.2f) %s\n", what, value, limit, met ? "met" : "NOT met");
	return met;
}

static void print_targets(const struct world *w)
{
	const struct frame *v4miss = frame_named(w, "v4 miss"), *v4h32 = frame_named(w, "v4 /32 hit");
	const enum setup sizes[] = { S_ONE, S_SMALL, S_MID, S_BIG };
	char what[128];

	printf("\ntargets (ratios of medians measured side by side)\n");
	for (size_t k = 0; k < 4; k++) {
		snprintf(what, sizeof(what), "v4 /32 hit / drop, %s", setup_name[sizes[k]]);
		target(what, (double)v4h32->ns[sizes[k]] / v4h32->ns[S_DROP], 2.0);
	}
	for (size_t fi = 0; fi < w->nfr; fi++) {
		const struct frame *f = &w->fr[fi];

		if (f->fam != 6)
			continue;
		snprintf(what, sizeof(what), "%s: filter 100k / lpm 100k", f->name);
		target(what, (double)f->ns[S_MID] / f->ns[S_LPM_MID], 0.5);
		snprintf(what, sizeof(what), "%s: filter 1M / lpm 1M", f->name);
		target(what, (double)f->ns[S_BIG] / f->ns[S_LPM_BIG], 0.5);
		for (size_t k = 0; k < 4; k++) {
			snprintf(what, sizeof(what), "%s / v4 miss, %s", f->name, setup_name[sizes[k]]);
			target(what, (double)f->ns[sizes[k]] / v4miss->ns[sizes[k]], 2.0);
		}
	}
}

static void print_rest(const struct world *w)
{
	printf("\nkernel map memory (memlock): %.1f MiB with 0 rules (target <= 16: %s), %.1f MiB with %zu, %.1f MiB with %zu, %.1f MiB after flushing those\n",
	       w->mem0, w->mem0 <= 16 ? "met" : "NOT met", w->mem_mid, w->n_mid, w->mem_big,
	       w->n_big, w->mem_flushed);
	printf("engine user-space memory: %.0f KiB with 0 rules; at %zu rules %.1f bytes/rule by malloc (target <= 90: %s), %.1f bytes/rule RSS\n",
	       w->user0, w->n_big, w->user_per_rule, w->user_per_rule <= 90 ? "met" : "NOT met",
	       w->rss_per_rule);
	printf("load into empty maps, one batch: %zu in %.3f s, %.3f s CPU (target <= 0.2: %s); %zu in %.3f s, %.3f s CPU (target <= 1.5: %s)\n",
	       w->o.mid, w->t_mid, w->c_mid, w->t_mid <= 0.2 ? "met" : "NOT met", w->o.big, w->t_big,
	       w->c_big, w->t_big <= 1.5 ? "met" : "NOT met");
	for (int r = 0; r < 2; r++) {
		double total = w->t_restore[r][0] + w->t_restore[r][1] + w->t_restore[r][2];

		printf("restore %zu into reused pins: adopt %.3f s + re-add %.3f s + prune %.3f s = %.3f s, %.3f s CPU (target <= 1.5: %s)\n",
		       w->o.big, w->t_restore[r][0], w->t_restore[r][1], w->t_restore[r][2], total,
		       w->c_restore[r], total <= 1.5 ? "met" : "NOT met");
	}
	printf("(times are wall clock; CPU times do not depend on what else the machine runs)\n");
}

static int parse_args(int argc, char **argv, struct bench_opts *o)
{
	static const struct option lo[] = { { "rules", required_argument, 0, 'n' },
					    { "mid", required_argument, 0, 'm' },
					    { "repeat", required_argument, 0, 'r' },
					    { "rounds", required_argument, 0, 'k' },
					    { 0, 0, 0, 0 } };
	int c;

	while ((c = getopt_long(argc, argv, "n:m:r:k:", lo, NULL)) != -1) {
		if (c == 'n')
			o->big = strtoul(optarg, NULL, 0);
		else if (c == 'm')
			o->mid = strtoul(optarg, NULL, 0);
		else if (c == 'r')
			o->repeat = (uint32_t)strtoul(optarg, NULL, 0);
		else if (c == 'k')
			o->rounds = atoi(optarg);
		else
			return -EINVAL;
	}
	return o->big >= o->mid && o->mid >= o->small && o->repeat && o->rounds > 0 &&
			       o->rounds <= 64 ?
		       0 :
		       -EINVAL;
}

static void close_all(struct world *w)
{
	rules_fixture_close(&w->one);
	rules_fixture_close(&w->small);
	rules_fixture_close(&w->mid);
	rules_fixture_close(&w->big);
	xdp_simple__destroy(w->simple);
	xdp_lpm_bench__destroy(w->lpm_mid);
	xdp_lpm_bench__destroy(w->lpm_big);
	if (w->pin_dir[0]) {
		rules_maps_unpin(w->pin_dir);
		rmdir(w->pin_dir);
	}
}

/* After the restores: the restored engine drops the hit frames; then a flush. */
static int check_and_flush(struct world *w)
{
	struct rules_maps_opts mo = { .pin_dir = w->pin_dir, .max_rules = 1 << 21 };
	struct rules_add_opts ao = { .slots = w->slots };
	uint32_t *back = malloc(w->o.big * sizeof(*back)), ns, verdict;
	int err = back ? rules_fixture_open_filter(&w->big, &mo) : -ENOMEM;

	if (!err)
		err = rules_compile_add(w->big.eng, w->rules, w->o.big, &ao, back, NULL, NULL);
	if (!err)
		err = rules_compile_prune(w->big.eng, NULL);
	for (size_t i = 0; !err && i < w->nfr; i++) {
		err = run(w->big.prog_fd, &w->fr[i], 1, &ns, &verdict);
		if (!err && (verdict == XDP_DROP) != (w->fr[i].target >= 0))
			err = -EPROTO;
	}
	if (!err)
		err = rules_compile_flush(w->big.eng, RULES_ACT_NONE, NULL);
	if (!err)
		w->mem_flushed = mib(rules_fixture_map_bytes(&w->big));
	free(back);
	return err;
}

int main(int argc, char **argv)
{
	struct world *w = calloc(1, sizeof(*w));
	uint64_t seed = 42;
	int err;

	if (!w)
		return 1;
	w->o = (struct bench_opts){ .big = 1000000, .mid = 100000, .small = 1000, .repeat = 100000,
				    .rounds = 11 };
	if (parse_args(argc, argv, &w->o)) {
		fprintf(stderr, "usage: %s [--rules N (1M)] [--mid N (100k)] [--repeat N] [--rounds N]\n",
			argv[0]);
		return 2;
	}
	w->rules = calloc(w->o.big, sizeof(*w->rules));
	w->slots = calloc(w->o.big, sizeof(*w->slots));
	err = w->rules && w->slots ? 0 : -ENOMEM;
	for (size_t i = 0; !err && i < w->o.big; i++)
		gen_rule(&seed, i, &w->rules[i]);
	if (!err)
		err = make_frames(w);
	if (!err)
		err = open_all(w);
	if (!err)
		err = measure(w);
	if (!err) {
		rules_fixture_close(&w->big);
		err = restore(w, 0);
	}
	if (!err)
		err = restore(w, 1);
	if (!err)
		err = check_and_flush(w);
	if (!err) {
		printf("%zu mixed prefixes generated (60%% IPv4, 40%% IPv6), %zu distinct rules in the big set\n",
		       w->o.big, w->n_big);
		print_table(w);
		print_targets(w);
		print_rest(w);
	} else {
		fprintf(stderr, "rules_bench: %s\n", strerror(-err));
	}
	close_all(w);
	free(w->rules);
	free(w->slots);
	free(w);
	return err ? 1 : 0;
}
