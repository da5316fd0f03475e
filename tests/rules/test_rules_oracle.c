// SPDX-License-Identifier: GPL-2.0-only
/* The rule engine's correctness oracle: thousands of random overlapping rules and tens of
 * thousands of random and edge-case frames through the loaded program, each verdict and winning
 * rule compared with the reference matcher; the maps grow from their smallest size while rules
 * arrive; a restart from the pins midway, a batch whose grown maps cannot be put to use, deletes
 * and more adds, the counters, and a flush that gives the memory back. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <bpf/bpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sys/stat.h>
#include <unistd.h>

#include "rules_engine.h"
#include "rules_fixture.h"
#include "rules_pkt.h"
#include "rules_ref.h"

#define ANCHORS 24
#define HOT_SOURCES 64

struct world {
	uint64_t rng;
	uint8_t anchor4[ANCHORS][16], anchor6[ANCHORS][16];
	uint8_t hot_src[HOT_SOURCES][16];
	int hot_family[HOT_SOURCES];
	struct rules_fixture fx;
	struct rules_maps_opts mo;
	char pin_dir[64];
	struct rules_ref ref;
	uint64_t *hits; /* [max_rules], reset when a slot is (re)used */
	uint64_t drops, mismatches, packets, overflow_batches, matched;
	uint64_t by_action[RULES_ACT_MONITOR + 1], limited;
};

static uint64_t rnd(struct world *w)
{
	w->rng ^= w->rng << 13;
	w->rng ^= w->rng >> 7;
	w->rng ^= w->rng << 17;
	return w->rng;
}

static uint32_t below(struct world *w, uint32_t n)
{
	return (uint32_t)(rnd(w) % n);
}

static void rnd_bytes(struct world *w, uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)rnd(w);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* Prefixes cluster under a few anchors so that they nest and overlap a lot. */
static void rnd_rule(struct world *w, struct rules_spec *s)
{
	static const enum rules_action acts[] = { RULES_ACT_DROP, RULES_ACT_ALLOW, RULES_ACT_LIMIT,
						  RULES_ACT_MONITOR };
	uint32_t kind = below(w, 1000);

	memset(s, 0, sizeof(*s));
	s->action = acts[below(w, 4)];
	/* Any-source rules share one list of RULES_MAX_PER_ENTRY per family: keep them rare. */
	if (kind < 3) {
		s->has_src = false;
	} else if (kind < 5) {
		s->has_src = true;
		s->src.family = below(w, 2) ? 4 : 6;
		s->src.plen = 0;
	} else if (kind < 550) {
		s->has_src = true;
		s->src.family = 4;
		memcpy(s->src.addr, w->anchor4[below(w, ANCHORS)], 16);
		rnd_bytes(w, s->src.addr + 1, 3);
		s->src.plen = (uint8_t)(8 + below(w, 25));
		if (below(w, 200) == 0) /* huge runs of /24s */
			s->src.plen = (uint8_t)(4 + below(w, 4));
	} else {
		s->has_src = true;
		s->src.family = 6;
		memcpy(s->src.addr, w->anchor6[below(w, ANCHORS)], 16);
		rnd_bytes(w, s->src.addr + 3, 13);
		s->src.plen = (uint8_t)(16 + below(w, 113));
		if (below(w, 4) == 0) /* the common allocation sizes */
			s->src.plen = (uint8_t)(32 + 16 * below(w, 4));
		/* Very short IPv6 prefixes cover every anchor: a few, or every address overflows. */
		if (below(w, 300) == 0)
			s->src.plen = (uint8_t)(1 + below(w, 15));
	}
	if (s->has_src) {
		if (s->src.family == 4)
			memset(s->src.addr + 4, 0, 12);
		cidr_mask(s->src.addr, s->src.plen);
	}
	switch (below(w, 6)) {
	case 0:
	case 1:
		s->proto = 6;
		break;
	case 2:
		s->proto = 17;
		break;
	case 3:
		s->proto = !s->has_src || s->src.family == 4 ? 1 : 58;
		break;
	default:
		s->proto = 0;
	}
	if ((s->proto == 6 || s->proto == 17) && below(w, 2)) {
		s->has_ports = true;
		s->port_min = (uint16_t)(below(w, 3) == 0 ? 1 + below(w, 1024) : 1 + below(w, 65535));
		s->port_max = below(w, 2) ? s->port_min : (uint16_t)(s->port_min + below(w, 65536 - s->port_min));
	}
	/* An any-source rule for all traffic would decide every packet alone: keep them narrow. */
	if (!s->has_src || s->src.plen == 0) {
		s->proto = below(w, 2) ? 6 : 17;
		s->has_ports = true;
		s->port_min = (uint16_t)(1 + below(w, 1024));
		s->port_max = (uint16_t)(s->port_min + below(w, 4));
	}
	if (s->action == RULES_ACT_LIMIT)
		s->limit_pps = below(w, 2) ? 1 : 1000000000ULL;
}

/* Adds a batch; batches refused for too many rules on one address must leave no trace. */
static void add_batch(struct world *w, size_t n)
{
	struct rules_spec *specs = calloc(n, sizeof(*specs));
	uint32_t *slots = calloc(n, sizeof(*slots));
	bool *dup = calloc(n, sizeof(*dup));
	struct rules_error err = { 0 };
	size_t before = rules_compile_count(w->fx.eng);
	int ret;

	assert_non_null(specs);
	for (size_t i = 0; i < n; i++)
		rnd_rule(w, &specs[i]);
	ret = rules_compile_add(w->fx.eng, specs, n, NULL, slots, dup, &err);
	if (ret == -E2BIG) {
		if (w->overflow_batches++ < 5)
			fprintf(stderr, "batch refused: %s\n", err.msg);
		assert_int_equal(rules_compile_count(w->fx.eng), before);
		assert_int_equal(err.field, RULES_FIELD_SRC);
		goto out;
	}
	if (ret)
		fail_msg("add: %d (%s: %s)", ret, rules_field_name(err.field), err.msg);
	for (size_t i = 0; i < n; i++) {
		if (dup[i])
			continue;
		assert_int_equal(rules_ref_add(&w->ref, slots[i], &specs[i]), 0);
		w->hits[slots[i]] = 0;
	}
out:
	free(specs);
	free(slots);
	free(dup);
}

static void delete_some(struct world *w, unsigned percent)
{
	uint32_t *slots = calloc(w->ref.n + 1, sizeof(*slots));
	size_t n = 0;

	for (size_t i = 0; i < w->ref.n; i++) {
		if (below(w, 100) < percent)
			slots[n++] = w->ref.rules[i].slot;
	}
	assert_int_equal(rules_compile_delete(w->fx.eng, slots, n, NULL), 0);
	for (size_t i = 0; i < n; i++)
		rules_ref_del(&w->ref, slots[i]);
	free(slots);
}

static void rnd_source(struct world *w, struct rules_pkt_spec *p)
{
	uint32_t k = below(w, 100);

	if (k < 20) {
		uint32_t h = below(w, HOT_SOURCES);

		p->family = w->hot_family[h];
		memcpy(p->src, w->hot_src[h], 16);
		return;
	}
	if (k < 80 && w->ref.n) {
		const struct rules_spec *s = &w->ref.rules[below(w, (uint32_t)w->ref.n)].spec;

		if (s->has_src) {
			uint8_t host[16];

			p->family = s->src.family;
			rnd_bytes(w, host, 16);
			memcpy(p->src, s->src.addr, 16);
			/* Inside the prefix, on its edge, or just outside. */
			for (unsigned b = s->src.plen; b < (p->family == 4 ? 32u : 128u); b++) {
				if (host[b % 16] & (1u << (b % 8)))
					p->src[b / 8] |= (uint8_t)(0x80 >> (b % 8));
			}
			if (below(w, 10) == 0 && s->src.plen)
				p->src[(s->src.plen - 1) / 8] ^= (uint8_t)(0x80 >> ((s->src.plen - 1) % 8));
			if (p->family == 4)
				memset(p->src + 4, 0, 12);
			return;
		}
	}
	p->family = below(w, 2) ? 4 : 6;
	memcpy(p->src, p->family == 4 ? w->anchor4[below(w, ANCHORS)] : w->anchor6[below(w, ANCHORS)], 16);
	rnd_bytes(w, p->src + 1, p->family == 4 ? 3 : 15);
	if (below(w, 4) == 0)
		rnd_bytes(w, p->src, p->family == 4 ? 4 : 16);
	if (p->family == 4)
		memset(p->src + 4, 0, 12);
}

static void rnd_packet(struct world *w, struct rules_pkt_spec *p)
{
	static const uint8_t exts[] = { 0, 43, 60, 51, 44 };
	static const uint8_t protos[] = { 6, 6, 17, 17, 1, 58, 47 };

	memset(p, 0, sizeof(*p));
	rnd_source(w, p);
	p->proto = protos[below(w, sizeof(protos))];
	if (w->ref.n && below(w, 2)) {
		const struct rules_spec *s = &w->ref.rules[below(w, (uint32_t)w->ref.n)].spec;

		p->dport = s->has_ports ? (uint16_t)(s->port_min + below(w, s->port_max - s->port_min + 1)) :
					  (uint16_t)below(w, 65536);
		if (s->proto)
			p->proto = s->proto;
	} else {
		p->dport = (uint16_t)below(w, 65536);
	}
	if (below(w, 100) < 3)
		p->l2 = below(w, 2) ? RULES_PKT_ARP : RULES_PKT_LLDP;
	p->vlans = below(w, 10) < 6 ? 0 : (int)below(w, 4);
	if (p->family == 4) {
		p->v4_opt_words = below(w, 4) == 0 ? (int)below(w, 11) : 0;
		p->v4_bad_ihl = below(w, 100) == 0;
	} else if (below(w, 3) == 0) {
		p->v6_next = 1 + (int)below(w, 10);
		for (int i = 0; i < p->v6_next; i++)
			p->v6_ext[i] = exts[below(w, sizeof(exts))];
	}
	p->frag_first = below(w, 20) == 0;
	p->frag_nonfirst = !p->frag_first && below(w, 15) == 0;
	p->bad_version = below(w, 200) == 0;
	if (below(w, 10) == 0)
		p->truncate_to = 1 + below(w, 120);
}

static void check_packet(struct world *w, const struct rules_pkt_spec *ps)
{
	uint8_t buf[RULES_PKT_MAX];
	struct rules_pkt_meta m;
	size_t len = rules_pkt_build(ps, buf, &m);
	uint32_t verdict, slot, want_verdict = XDP_PASS, want_slot = RULES_SLOT_NONE;
	long win;
	int lim = 1;

	if (len < 14) { /* the kernel refuses test runs shorter than an Ethernet header */
		return;
	}
	win = rules_ref_winner(&w->ref, &m);
	assert_int_equal(rules_fixture_run(&w->fx, buf, len, &verdict, &slot), 0);
	w->packets++;
	if (win >= 0) {
		const struct rules_ref_rule *r = &w->ref.rules[win];

		want_slot = r->slot;
		w->by_action[r->spec.action]++;
		if (r->spec.action == RULES_ACT_DROP) {
			want_verdict = XDP_DROP;
		} else if (r->spec.action == RULES_ACT_LIMIT) {
			lim = rules_ref_limit(&w->ref, r->slot, &r->spec, &m, now_ns());
			if (lim < 0 && slot == want_slot)
				lim = verdict == XDP_PASS;
			rules_ref_limit_settle(&w->ref, r->slot, &m, lim == 1);
			want_verdict = lim ? XDP_PASS : XDP_DROP;
			w->limited += !lim;
		}
	}
	if (verdict != want_verdict || slot != want_slot) {
		if (w->mismatches++ < 10)
			fprintf(stderr,
				"mismatch: got verdict %u slot %u, want %u slot %u (eval %d fam %d proto %u ports %d dport %u vlans %d len %zu)\n",
				verdict, slot, want_verdict, want_slot, m.eval, m.family, m.proto,
				m.has_ports, m.dport, ps->vlans, len);
	}
	if (slot < w->fx.maps.max_rules) {
		w->hits[slot]++;
		w->matched++;
	}
	if (verdict == XDP_DROP)
		w->drops++;
}

static void run_packets(struct world *w, size_t n)
{
	struct rules_pkt_spec ps;

	for (size_t i = 0; i < n; i++) {
		rnd_packet(w, &ps);
		check_packet(w, &ps);
	}
}

static void check_counters(struct world *w)
{
	uint64_t drops;

	for (size_t i = 0; i < w->ref.n; i++) {
		struct rules_stats st;
		uint32_t slot = w->ref.rules[i].slot;

		assert_int_equal(rules_compile_stats(w->fx.eng, slot, &st), 0);
		assert_int_equal(st.packets, w->hits[slot]);
		if (st.packets)
			assert_true(st.last_hit_ns > 0 && st.bytes >= 14 * st.packets);
	}
	assert_int_equal(rules_fixture_action_count(&w->fx, XDP_DROP, &drops), 0);
	assert_int_equal(drops, w->drops);
}

/* The tries and the engine's bookkeeping agree (no leaked, shared or dangling node). */
static void check_engine(struct world *w)
{
	char why[256] = "";

	if (rules_engine_check(w->fx.eng, why, sizeof(why)))
		fail_msg("engine check: %s", why);
}

static void init_world(struct world *w, uint64_t seed, size_t whole_map_max)
{
	memset(w, 0, sizeof(*w));
	w->rng = seed ? seed : 1;
	for (int i = 0; i < ANCHORS; i++) {
		rnd_bytes(w, w->anchor4[i], 4);
		rnd_bytes(w, w->anchor6[i], 16);
		w->anchor6[i][0] = 0x20;
	}
	for (int i = 0; i < HOT_SOURCES; i++) {
		struct rules_pkt_spec p = { 0 };

		rnd_source(w, &p);
		w->hot_family[i] = p.family;
		memcpy(w->hot_src[i], p.src, 16);
	}
	snprintf(w->pin_dir, sizeof(w->pin_dir), "/sys/fs/bpf/xdpfleet-oracle-%d", getpid());
	assert_int_equal(mkdir(w->pin_dir, 0700), 0);
	w->mo = (struct rules_maps_opts){ .pin_dir = w->pin_dir, .max_rules = 65536, .whole_map_max = whole_map_max };
	assert_int_equal(rules_fixture_open(&w->fx, &w->mo), 0);
	w->hits = calloc(w->fx.maps.max_rules, sizeof(*w->hits));
	assert_non_null(w->hits);
}

static void free_world(struct world *w)
{
	rules_fixture_close(&w->fx);
	rules_ref_free(&w->ref);
	free(w->hits);
	rules_maps_unpin(w->pin_dir);
	rmdir(w->pin_dir);
}

/* The agent restarts: the pinned maps are adopted, every rule comes back into its slot in one
 * batch and the prune finds nothing to do; not a word of the maps changes, counters go on. */
static void restart(struct world *w)
{
	struct rules_spec *specs = calloc(w->ref.n + 1, sizeof(*specs));
	uint32_t *slots = calloc(w->ref.n + 1, sizeof(*slots)), *back = calloc(w->ref.n + 1, sizeof(*back));
	struct rules_add_opts ao = { .slots = slots };
	struct rules_snap before, after;
	struct rules_error err = { 0 };

	assert_true(specs && slots && back);
	for (size_t i = 0; i < w->ref.n; i++) {
		specs[i] = w->ref.rules[i].spec;
		slots[i] = w->ref.rules[i].slot;
	}
	assert_int_equal(rules_fixture_snapshot(&w->fx, &before), 0);
	rules_fixture_close(&w->fx);
	assert_int_equal(rules_fixture_open(&w->fx, &w->mo), 0);
	assert_true(w->fx.maps.reused);
	/* Per-action stats belong to the program (the agent keeps them per interface): new. */
	w->drops = 0;
	if (rules_compile_add(w->fx.eng, specs, w->ref.n, &ao, back, NULL, &err))
		fail_msg("restore: %s", err.msg);
	assert_memory_equal(back, slots, w->ref.n * sizeof(*slots));
	assert_int_equal(rules_compile_prune(w->fx.eng, NULL), 0);
	assert_int_equal(rules_fixture_snapshot(&w->fx, &after), 0);
	assert_true(rules_snap_equal(&before, &after));
	assert_int_equal(w->fx.reloads, 0);
	rules_snap_free(&before);
	rules_snap_free(&after);
	check_engine(w);
	free(specs);
	free(slots);
	free(back);
}

/* A batch big enough to grow the maps, whose programs cannot be reloaded: it fails, the live
 * maps are the same objects as before and hold what they held. */
static void failed_growth(struct world *w)
{
	size_t n = 4000, before = rules_compile_count(w->fx.eng);
	struct rules_spec *specs = calloc(n, sizeof(*specs));
	uint32_t *slots = calloc(n, sizeof(*slots));
	struct bpf_map_info info[RULES_M_COUNT];
	struct rules_error err = { 0 };
	int ret;

	assert_true(specs && slots);
	for (int i = 0; i < RULES_M_COUNT; i++) {
		uint32_t len = sizeof(info[i]);

		memset(&info[i], 0, sizeof(info[i]));
		assert_int_equal(bpf_obj_get_info_by_fd(w->fx.maps.fd[i], &info[i], &len), 0);
	}
	/* Distinct /32s under one fresh /16: thousands of new nodes. */
	for (size_t i = 0; i < n; i++) {
		specs[i] = (struct rules_spec){ .action = RULES_ACT_DROP, .has_src = true,
						.src = { .family = 4, .plen = 32 } };
		specs[i].src.addr[0] = 198;
		specs[i].src.addr[1] = 19;
		specs[i].src.addr[2] = (uint8_t)(i >> 8);
		specs[i].src.addr[3] = (uint8_t)i;
	}
	w->fx.fail_reloads = 1;
	ret = rules_compile_add(w->fx.eng, specs, n, NULL, slots, NULL, &err);
	w->fx.fail_reloads = 0;
	assert_int_equal(ret, -EIO);
	assert_int_equal(err.field, RULES_FIELD_RULE);
	assert_int_equal(rules_compile_count(w->fx.eng), before);
	for (int i = 0; i < RULES_M_COUNT; i++) {
		struct bpf_map_info now = { 0 };
		uint32_t len = sizeof(now);

		assert_int_equal(bpf_obj_get_info_by_fd(w->fx.maps.fd[i], &now, &len), 0);
		assert_int_equal(now.id, info[i].id);
	}
	check_engine(w);
	free(specs);
	free(slots);
}

static uint64_t seed_from_env(void)
{
	const char *s = getenv("RULES_ORACLE_SEED");

	return s ? strtoull(s, NULL, 0) : 0x5eed5eedULL;
}

/* whole_map_max 0: maps are mapped whole as usual; 1: every batch not marked bulk maps the
 * pages it touches in windows. */
static void run_oracle(size_t whole_map_max)
{
	struct world *w = calloc(1, sizeof(*w));
	uint64_t seed = seed_from_env(), bytes0;

	assert_non_null(w);
	init_world(w, seed, whole_map_max);
	bytes0 = rules_fixture_map_bytes(&w->fx);
	for (int b = 0; b < 30; b++)
		add_batch(w, 100);
	/* The maps started at their smallest: the batches grew them and reloaded the program. */
	assert_true(w->fx.reloads > 0);
	check_engine(w);
	run_packets(w, 20000);
	fprintf(stderr, "oracle seed %#llx: %zu rules (%llu batches refused for overflow), %llu packets, %llu mismatches\n",
		(unsigned long long)seed, w->ref.n, (unsigned long long)w->overflow_batches,
		(unsigned long long)w->packets, (unsigned long long)w->mismatches);
	check_counters(w);
	restart(w);
	run_packets(w, 5000);
	check_counters(w);
	failed_growth(w);
	run_packets(w, 5000);
	check_counters(w);
	delete_some(w, 30);
	check_engine(w);
	for (int b = 0; b < 10; b++)
		add_batch(w, 50);
	check_engine(w);
	run_packets(w, 10000);
	check_counters(w);
	fprintf(stderr, "after deletes and adds: %zu rules, %llu packets (%llu matched a rule, %llu dropped), %llu mismatches\n",
		w->ref.n, (unsigned long long)w->packets, (unsigned long long)w->matched,
		(unsigned long long)w->drops, (unsigned long long)w->mismatches);
	fprintf(stderr, "winners: allow %llu, drop %llu, limit %llu (%llu over budget), monitor %llu\n",
		(unsigned long long)w->by_action[RULES_ACT_ALLOW],
		(unsigned long long)w->by_action[RULES_ACT_DROP],
		(unsigned long long)w->by_action[RULES_ACT_LIMIT], (unsigned long long)w->limited,
		(unsigned long long)w->by_action[RULES_ACT_MONITOR]);
	assert_int_equal(w->mismatches, 0);
	assert_true(w->ref.n >= 2000);
	for (int a = RULES_ACT_ALLOW; a <= RULES_ACT_MONITOR; a++)
		assert_true(w->by_action[a] > 100);
	assert_true(w->limited > 0);
	/* Flushing leaves nothing behind: everything passes unjudged, and the maps are back to
	 * their smallest. */
	assert_true(rules_fixture_map_bytes(&w->fx) > bytes0);
	assert_int_equal(rules_compile_flush(w->fx.eng, RULES_ACT_NONE, NULL), 0);
	assert_int_equal(rules_fixture_map_bytes(&w->fx), bytes0);
	check_engine(w);
	rules_ref_free(&w->ref);
	run_packets(w, 2000);
	assert_int_equal(w->mismatches, 0);
	free_world(w);
	free(w);
}

static void test_oracle(void **state)
{
	(void)state;
	run_oracle(0);
}

static void test_oracle_windowed(void **state)
{
	(void)state;
	run_oracle(1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_oracle),
		cmocka_unit_test(test_oracle_windowed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
