/* Rule engine bench: ns per packet (BPF_PROG_TEST_RUN .repeat) for the same v4/v6 hit and miss
 * frames with 1 rule and with N (default 1,000,000) mixed prefixes, the ratio, and load times. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rules_fixture.h"
#include "rules_pkt.h"

struct bench_opts {
	size_t rules;
	size_t load;
	uint32_t repeat;
	uint64_t seed;
};

struct probe {
	const char *name;
	uint8_t buf[RULES_PKT_MAX];
	size_t len;
	long target; /* the rule this frame hits, -1 for misses */
	uint32_t ns1, nsown, nsn;
};

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A realistic blocklist mix: mostly /24 and /32 IPv4, /32../128 IPv6 allocations. Prefixes are
 * random, so duplicates are rare; the engine reports those as duplicates anyway. */
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

static void probe_at(struct probe *p, const char *name, int family, const uint8_t *src,
		     long target)
{
	struct rules_pkt_spec s = { .family = family, .proto = 6, .dport = 80 };
	struct rules_pkt_meta m;

	memcpy(s.src, src, 16);
	p->name = name;
	p->target = target;
	p->len = rules_pkt_build(&s, p->buf, &m);
}

/* Hit frames aim at one rule of each prefix length class; misses at addresses no rule covers
 * at the time of the 1-rule run (and, being random, almost surely not later either). */
static int make_probes(const struct rules_spec *rules, size_t n, struct probe *p, size_t *np)
{
	static const struct {
		int fam, plen;
		const char *name;
	} want[] = { { 4, 24, "v4 hit /24" }, { 4, 32, "v4 hit /32" }, { 4, 16, "v4 hit /16" },
		     { 4, 28, "v4 hit /28" }, { 6, 48, "v6 hit /48" }, { 6, 32, "v6 hit /32" },
		     { 6, 64, "v6 hit /64" }, { 6, 128, "v6 hit /128" } };
	static const char *miss[] = { "v4 miss", "v4 miss", "v6 miss", "v6 miss" };
	uint64_t s = 0xabcdef;

	*np = 0;
	for (size_t w = 0; w < sizeof(want) / sizeof(want[0]); w++) {
		for (size_t i = 0; i < n; i++) {
			if (rules[i].src.family == want[w].fam && rules[i].src.plen == want[w].plen) {
				uint8_t a[16];

				memcpy(a, rules[i].src.addr, 16);
				a[want[w].fam == 4 ? 3 : 15] |= (uint8_t)(want[w].plen < 32 ? 7 : 0);
				probe_at(&p[(*np)++], want[w].name, want[w].fam, a, (long)i);
				break;
			}
		}
	}
	for (size_t i = 0; i < 4; i++) {
		uint8_t a[16] = { 0 };
		uint64_t x = rnd(&s), y = rnd(&s);
		int fam = i < 2 ? 4 : 6;

		memcpy(a, &x, 8);
		memcpy(a + 8, &y, 8);
		if (fam == 4) {
			a[0] = 224 + (uint8_t)i; /* outside the generated 1..223 range */
			memset(a + 4, 0, 12);
		} else {
			a[0] = 0x3f;
		}
		probe_at(&p[(*np)++], miss[i], fam, a, -1);
	}
	return 0;
}

static int best_of(struct rules_fixture *f, const struct probe *p, uint32_t repeat, uint32_t *best)
{
	uint32_t ns;
	int err = rules_fixture_bench(f, p->buf, p->len, repeat, &ns);

	if (!err && ns < *best)
		*best = ns;
	return err;
}

/* Makes the single rule of `one` the given one. */
static int only_rule(struct rules_fixture *one, const struct rules_spec *r)
{
	uint32_t slot;
	int err = rules_compile_flush(one->eng, RULES_ACT_NONE, NULL);

	return err ? err : rules_compile_add(one->eng, r, 1, NULL, &slot, NULL, NULL);
}

/* Alternates the setups frame by frame and keeps the best of several runs, so that other work on
 * the machine hits all sides alike. Baselines: the first rule of the set for every frame (the
 * same rule set in both runs), and the rule the frame hits (same verdict and path in both). */
static int measure(struct rules_fixture *one, struct rules_fixture *many,
		   const struct rules_spec *rules, struct probe *p, size_t np, uint32_t repeat)
{
	int err = 0;

	for (size_t i = 0; i < np && !err; i++) {
		p[i].ns1 = p[i].nsown = p[i].nsn = UINT32_MAX;
		for (int r = 0; r < 7 && !err; r++) {
			err = only_rule(one, &rules[0]);
			if (!err)
				err = best_of(one, &p[i], repeat, &p[i].ns1);
			if (!err)
				err = best_of(many, &p[i], repeat, &p[i].nsn);
			if (!err)
				err = only_rule(one, &rules[p[i].target >= 0 ? p[i].target : 0]);
			if (!err)
				err = best_of(one, &p[i], repeat, &p[i].nsown);
		}
	}
	return err;
}

static double maps_mib(const struct rules_fixture *f)
{
	return (double)rules_fixture_map_bytes(f) / (1 << 20);
}

static int load(struct rules_fixture *f, const struct rules_spec *rules, size_t n, size_t batch,
		double *secs)
{
	uint32_t *slots = calloc(batch, sizeof(*slots));
	struct rules_error err = { 0 };
	double t0 = now_s();
	int ret = slots ? 0 : -ENOMEM;

	for (size_t off = 0; !ret && off < n; off += batch) {
		size_t k = n - off < batch ? n - off : batch;

		ret = rules_compile_add(f->eng, rules + off, k, NULL, slots, NULL, &err);
		if (ret)
			fprintf(stderr, "add at %zu: %s (%s: %s)\n", off + err.index, strerror(-ret),
				err.field ? err.field : "", err.msg);
	}
	*secs = now_s() - t0;
	free(slots);
	return ret;
}

static int parse_args(int argc, char **argv, struct bench_opts *o)
{
	static const struct option lo[] = { { "rules", required_argument, 0, 'n' },
					    { "load", required_argument, 0, 'l' },
					    { "repeat", required_argument, 0, 'r' },
					    { 0, 0, 0, 0 } };
	int c;

	while ((c = getopt_long(argc, argv, "n:l:r:", lo, NULL)) != -1) {
		if (c == 'n')
			o->rules = strtoul(optarg, NULL, 0);
		else if (c == 'l')
			o->load = strtoul(optarg, NULL, 0);
		else if (c == 'r')
			o->repeat = (uint32_t)strtoul(optarg, NULL, 0);
		else
			return -EINVAL;
	}
	return o->rules && o->load && o->repeat ? 0 : -EINVAL;
}

int main(int argc, char **argv)
{
	struct bench_opts o = { .rules = 1000000, .load = 100000, .repeat = 200000 };
	struct rules_maps_opts mo = { .max_rules = 1 << 20 };
	struct rules_fixture f, one, many;
	struct rules_spec *rules;
	struct probe probes[16];
	size_t np, total = o.rules;
	double t_load, t_all, sum1 = 0, sumn = 0, sumown = 0;
	uint64_t seed = 42;
	uint32_t slot;
	int err;

	if (parse_args(argc, argv, &o)) {
		fprintf(stderr, "usage: %s [--rules N] [--load N] [--repeat N]\n", argv[0]);
		return 2;
	}
	total = o.rules > o.load ? o.rules : o.load;
	rules = calloc(total, sizeof(*rules));
	if (!rules)
		return 1;
	for (size_t i = 0; i < total; i++)
		gen_rule(&seed, i, &rules[i]);
	make_probes(rules, o.rules, probes, &np);

	/* Load time: o.load prefixes into empty maps in one AddRules-sized batch. */
	err = rules_fixture_open(&f, &mo);
	if (!err)
		err = load(&f, rules, o.load, o.load, &t_load);
	rules_fixture_close(&f);
	if (err)
		goto out;

	err = rules_fixture_open(&one, &mo);
	if (!err)
		err = rules_compile_add(one.eng, rules, 1, NULL, &slot, NULL, NULL);
	if (!err)
		err = rules_fixture_open(&many, &mo);
	if (!err)
		err = load(&many, rules, o.rules, 100000, &t_all);
	if (!err)
		err = measure(&one, &many, rules, probes, np, o.repeat);
	if (err) {
		rules_fixture_close(&one);
		rules_fixture_close(&many);
		goto out;
	}
	printf("%-12s %9s %9s %7s %11s %9s\n", "frame", "1 rule", "N rules", "ratio",
	       "1 rule(own)", "ratio");
	for (size_t i = 0; i < np; i++) {
		printf("%-12s %6u ns %6u ns %7.2f %8u ns %9.2f\n", probes[i].name, probes[i].ns1,
		       probes[i].nsn, (double)probes[i].nsn / probes[i].ns1, probes[i].nsown,
		       (double)probes[i].nsn / probes[i].nsown);
		sum1 += probes[i].ns1;
		sumn += probes[i].nsn;
		sumown += probes[i].nsown;
	}
	printf("mix mean: %.1f ns with 1 rule, %.1f ns with %zu rules (%zu distinct in maps): ratio %.2f (target <= 1.5)\n",
	       sum1 / np, sumn / np, o.rules, rules_compile_count(many.eng), sumn / sum1);
	printf("mix mean with each frame's own rule as the 1 rule: %.1f ns: ratio %.2f\n",
	       sumown / np, sumn / sumown);
	printf("kernel maps: %.0f MiB with 1 rule, %.0f MiB with %zu rules\n", maps_mib(&one),
	       maps_mib(&many), rules_compile_count(many.eng));
	printf("load: %zu prefixes in %.3f s (one batch, empty maps); %zu in %.3f s (batches of 100000)\n",
	       o.load, t_load, o.rules, t_all);
	rules_fixture_close(&one);
	rules_fixture_close(&many);
	err = sumn / sum1 <= 1.5 ? 0 : 1;
out:
	if (err < 0)
		fprintf(stderr, "rules_bench: %s\n", strerror(-err));
	free(rules);
	return err ? 1 : 0;
}
