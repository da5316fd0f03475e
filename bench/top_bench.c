// SPDX-License-Identifier: GPL-2.0-only
/* Top talkers bench: the filter program (rules + top talkers) against the rules alone under
 * BPF_PROG_TEST_RUN (ns per packet, one source and 100k random ones), whether one heavy source
 * among 100k random ones ranks first through the agent's own table code, and the memory. */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "bpf/xdp_filter.skel.h"
#include "bpf/xdp_rules_test.skel.h"
#include "rules_pkt.h"
#include "top.h"
#include "top_table.h"

struct frame {
	uint8_t buf[RULES_PKT_MAX];
	size_t len;
};

static void frame_v4(struct frame *f, uint32_t src)
{
	struct rules_pkt_spec s = { .family = 4, .proto = 17, .dport = 53 };
	struct rules_pkt_meta m;

	memcpy(s.src, &src, 4);
	f->len = rules_pkt_build(&s, f->buf, &m);
}

/* Mean ns per run over repeat runs of one frame. */
static int run(int fd, const struct frame *f, uint32_t repeat, double *ns)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = f->buf, .data_size_in = (uint32_t)f->len, .repeat = repeat);
	int err = bpf_prog_test_run_opts(fd, &o);

	*ns = o.duration;
	return err ? -errno : 0;
}

/* All CPUs' entries of the table into top sources (counts since load). */
static int read_ranked(int map_fd, struct top_source **out, size_t *n)
{
	int ncpus = libbpf_num_possible_cpus();
	struct top_set *sets = calloc((size_t)ncpus, sizeof(*sets));
	struct top_acc acc;
	int ret = top_acc_init(&acc);

	if (!sets || ret)
		return -ENOMEM;
	for (uint32_t k = 0; k < TOP_SETS && !ret; k++) {
		if (bpf_map_lookup_elem(map_fd, &k, sets)) {
			ret = -errno;
			break;
		}
		for (int c = 0; c < ncpus && !ret; c++)
			for (int w = 0; w < TOP_WAYS && !ret; w++)
				if (sets[c].e[w].family)
					ret = top_acc_add_entry(&acc, &sets[c].e[w]);
	}
	top_rates(acc.srcs.v, acc.srcs.n, 1.0);
	top_rank(acc.srcs.v, acc.srcs.n);
	*out = acc.srcs.v;
	*n = acc.srcs.n;
	vec_init(&acc.srcs, sizeof(struct top_source));
	top_acc_free(&acc);
	free(sets);
	return ret;
}

int main(int argc, char **argv)
{
	uint32_t sources = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 0) : 100000;
	uint32_t heavy_every = argc > 2 ? (uint32_t)strtoul(argv[2], NULL, 0) : 10;
	uint32_t repeat = 1000000, heavy_ip = 0x010012c6; /* 198.18.0.1 in memory order */
	struct xdp_rules_test *rt = xdp_rules_test__open_and_load();
	struct xdp_filter *ft = xdp_filter__open_and_load(), *rank = xdp_filter__open_and_load();
	double ns_rules, ns_top, ns_rand = 0, ns_rand_rules = 0, ns;
	struct top_source *ranked = NULL;
	struct frame f, heavy;
	uint64_t heavy_sent = 0, total = 0;
	struct rusage ru;
	size_t n = 0;
	int ret = 1;

	if (!rt || !ft || !rank) {
		fprintf(stderr, "cannot load the programs (root?)\n");
		goto out;
	}
	frame_v4(&heavy, heavy_ip);
	/* One source, the table's best case: a hit in the first way. */
	if (run(bpf_program__fd(rt->progs.xdp_rules_test), &heavy, repeat, &ns_rules) ||
	    run(bpf_program__fd(ft->progs.xdp_filter), &heavy, repeat, &ns_top)) {
		fprintf(stderr, "test run failed\n");
		goto out;
	}
	/* Random sources, one packet each, and the heavy one every heavy_every packets. */
	srandom(1);
	for (uint32_t i = 0; i < sources; i++) {
		frame_v4(&f, (uint32_t)random() | 0x0a);
		if (run(bpf_program__fd(rank->progs.xdp_filter), &f, 1, &ns) == 0)
			ns_rand += ns;
		if (run(bpf_program__fd(rt->progs.xdp_rules_test), &f, 1, &ns) == 0)
			ns_rand_rules += ns;
		total++;
		if (i % heavy_every == 0) {
			run(bpf_program__fd(rank->progs.xdp_filter), &heavy, 1, &ns);
			heavy_sent++;
			total++;
		}
	}
	/* IPv6: two addresses of one /64 are one source. */
	for (int k = 0; k < 2; k++) {
		struct rules_pkt_spec s6 = { .family = 6, .proto = 6, .dport = 443,
					     .src = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 2, 0, 0, 0, 0, 0, 0, 0, (uint8_t)(1 + k) } };
		struct rules_pkt_meta m6;

		f.len = rules_pkt_build(&s6, f.buf, &m6);
		run(bpf_program__fd(rank->progs.xdp_filter), &f, 50, &ns);
	}
	if (read_ranked(bpf_map__fd(rank->maps.top_talkers), &ranked, &n)) {
		fprintf(stderr, "cannot read the table\n");
		goto out;
	}
	getrusage(RUSAGE_SELF, &ru);
	printf("top_bench: %u random sources + 1 heavy (%llu of %llu packets)\n", sources,
	       (unsigned long long)heavy_sent, (unsigned long long)total);
	printf("  ns/pkt one source:     rules alone %.1f, rules + top talkers %.1f (+%.1f)\n", ns_rules, ns_top,
	       ns_top - ns_rules);
	printf("  ns/pkt random sources: rules alone %.1f, rules + top talkers %.1f (+%.1f) (single runs, "
	       "include the syscall's timer granularity)\n",
	       ns_rand_rules / sources, ns_rand / sources, (ns_rand - ns_rand_rules) / sources);
	printf("  tracked sources %zu (bound %d per CPU x %d CPUs)\n", n, TOP_SETS * TOP_WAYS,
	       libbpf_num_possible_cpus());
	if (n) {
		char a[CIDR_STR_MAX];

		cidr_format(&ranked[0].src, a, sizeof(a));
		printf("  first: %s with %llu packets (sent %llu)\n", a, (unsigned long long)ranked[0].packets,
		       (unsigned long long)heavy_sent);
	}
	printf("  kernel table %zu KiB per interface; agent buffers %zu KiB per interface (two reads); "
	       "bench max RSS %ld KiB\n",
	       top_table_bytes() / 1024,
	       (size_t)2 * libbpf_num_possible_cpus() * TOP_SETS * TOP_WAYS * sizeof(struct top_entry) / 1024,
	       ru.ru_maxrss);
	/* It may lose its entry for a packet or two when a one-second window turns over. */
	for (size_t i = 0; i < n; i++) {
		char a[CIDR_STR_MAX];

		cidr_format(&ranked[i].src, a, sizeof(a));
		if (!strcmp(a, "2001:db8:1:2::/64"))
			printf("  IPv6: %s with %llu packets (sent 100 from two addresses), %llu tcp, port %u\n", a,
			       (unsigned long long)ranked[i].packets, (unsigned long long)ranked[i].proto[TOP_P_TCP],
			       ranked[i].port);
	}
	ret = n && ranked[0].src.addr[0] == 198 && ranked[0].src.addr[3] == 1 &&
			      ranked[0].packets * 100 >= heavy_sent * 99 ? 0 : 2;
	if (ret)
		printf("  FAIL: the heavy source is not first with 99%% of its packets counted\n");
out:
	free(ranked);
	xdp_filter__destroy(rank);
	xdp_filter__destroy(ft);
	xdp_rules_test__destroy(rt);
	return ret;
}
