// SPDX-License-Identifier: GPL-2.0-only
/* The fixture keeps each test to rule sets and frames: maps, program and engine are wired the
 * way the agent wires the filter program (maps created first, reused by the object, the program
 * reloaded when the engine swaps maps). */
#include "rules_fixture.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bpf/xdp_filter.skel.h"
#include "bpf/xdp_rules_test.skel.h"
#include "array_size.h"

static int share_maps(struct rules_fixture *f, struct bpf_object *obj, struct bpf_map *stats)
{
	int err = rules_maps_use_in_obj(&f->maps, obj);

	return err ? err : bpf_map__reuse_fd(stats, f->stats_fd);
}

static int load_test_prog(struct rules_fixture *f)
{
	struct xdp_rules_test *skel = xdp_rules_test__open();
	int err;

	if (!skel)
		return -errno;
	err = share_maps(f, skel->obj, skel->maps.xdp_stats_map);
	if (!err)
		err = xdp_rules_test__load(skel);
	if (err) {
		xdp_rules_test__destroy(skel);
		return err;
	}
	xdp_rules_test__destroy(f->skel);
	f->skel = skel;
	f->prog_fd = bpf_program__fd(skel->progs.xdp_rules_test);
	return 0;
}

static int load_filter(struct rules_fixture *f)
{
	struct xdp_filter *skel = xdp_filter__open();
	int err;

	if (!skel)
		return -errno;
	err = share_maps(f, skel->obj, skel->maps.xdp_stats_map);
	if (!err)
		err = xdp_filter__load(skel);
	if (err) {
		xdp_filter__destroy(skel);
		return err;
	}
	xdp_filter__destroy(f->filter);
	f->filter = skel;
	f->prog_fd = bpf_program__fd(skel->progs.xdp_filter);
	return 0;
}

static int load_prog(struct rules_fixture *f)
{
	return f->filter ? load_filter(f) : load_test_prog(f);
}

static int reload(void *arg)
{
	struct rules_fixture *f = arg;
	int err;

	if (f->fail_reloads > 0) {
		f->fail_reloads--;
		return -EIO;
	}
	err = load_prog(f);
	if (!err)
		f->reloads++;
	return err;
}

static int open_with(struct rules_fixture *f, const struct rules_maps_opts *opts, bool filter)
{
	int err;

	memset(f, 0, sizeof(*f));
	for (int i = 0; i < RULES_M_COUNT; i++)
		f->maps.fd[i] = -1;
	f->stats_fd = bpf_map_create(BPF_MAP_TYPE_PERCPU_ARRAY, "xdp_stats_map", 4,
				     sizeof(struct datarec), XDP_ACTION_MAX, NULL);
	err = f->stats_fd < 0 ? -errno : rules_maps_open(opts, &f->maps);
	if (!err)
		err = filter ? load_filter(f) : load_test_prog(f);
	if (!err)
		err = rules_engine_new(&f->maps, &f->eng);
	if (!err) {
		rules_maps_on_replace(&f->maps, reload, f);
		/* The engine may have replaced unusable pins while it started. */
		err = reload(f);
		f->reloads = 0;
	}
	if (err)
		rules_fixture_close(f);
	return err;
}

int rules_fixture_open(struct rules_fixture *f, const struct rules_maps_opts *opts)
{
	return open_with(f, opts, false);
}

int rules_fixture_open_filter(struct rules_fixture *f, const struct rules_maps_opts *opts)
{
	return open_with(f, opts, true);
}

void rules_fixture_close(struct rules_fixture *f)
{
	rules_engine_free(f->eng);
	f->eng = NULL;
	xdp_rules_test__destroy(f->skel);
	f->skel = NULL;
	xdp_filter__destroy(f->filter);
	f->filter = NULL;
	rules_maps_close(&f->maps);
	if (f->stats_fd > 0)
		close(f->stats_fd);
	f->stats_fd = -1;
}

int rules_fixture_run(struct rules_fixture *f, const uint8_t *pkt, size_t len, uint32_t *verdict,
		      uint32_t *slot)
{
	uint8_t out[1024];
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkt, .data_size_in = (uint32_t)len,
		    .data_out = out, .data_size_out = sizeof(out), .repeat = 1);
	int err;

	if (f->skel)
		f->skel->bss->last_slot = RULES_SLOT_NONE;
	err = bpf_prog_test_run_opts(f->prog_fd, &o);
	if (err)
		return err;
	*verdict = o.retval;
	*slot = f->skel ? f->skel->bss->last_slot : RULES_SLOT_NONE;
	return 0;
}

int rules_fixture_bench(struct rules_fixture *f, const uint8_t *pkt, size_t len, uint32_t repeat,
			uint32_t *ns)
{
	uint8_t out[1024];
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkt, .data_size_in = (uint32_t)len,
		    .data_out = out, .data_size_out = sizeof(out), .repeat = repeat);
	int err = bpf_prog_test_run_opts(f->prog_fd, &o);

	if (!err)
		*ns = o.duration;
	return err;
}

int rules_fixture_action_count(struct rules_fixture *f, uint32_t action, uint64_t *packets)
{
	int ncpus = libbpf_num_possible_cpus();
	struct datarec *per = calloc((size_t)ncpus, sizeof(*per));
	int err;

	if (!per)
		return -ENOMEM;
	*packets = 0;
	err = bpf_map_lookup_elem(f->stats_fd, &action, per);
	for (int c = 0; !err && c < ncpus; c++)
		*packets += per[c].rx_packets;
	free(per);
	return err;
}

uint64_t rules_fixture_map_bytes(const struct rules_fixture *f)
{
	unsigned long long total = 0, v;
	char path[64], line[256];

	for (int i = 0; i < RULES_M_COUNT; i++) {
		FILE *fp;

		snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", f->maps.fd[i]);
		fp = fopen(path, "r");
		if (!fp)
			continue;
		while (fgets(line, sizeof(line), fp)) {
			if (sscanf(line, "memlock: %llu", &v) == 1)
				total += v;
		}
		fclose(fp);
	}
	return total;
}

static const enum rules_map_id snap_maps[] = { RULES_M_BNODES, RULES_M_CNODES, RULES_M_LISTS,
					       RULES_M_INFO };

int rules_fixture_snapshot(const struct rules_fixture *f, struct rules_snap *s)
{
	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < ARRAY_SIZE(snap_maps); i++) {
		enum rules_map_id id = snap_maps[i];
		struct bpf_map_info info = { 0 };
		uint32_t len = sizeof(info);
		void *p;

		if (bpf_obj_get_info_by_fd(f->maps.fd[id], &info, &len))
			return -errno;
		s->len[id] = (size_t)info.max_entries * ((info.value_size + 7) & ~7u);
		p = mmap(NULL, s->len[id], PROT_READ, MAP_SHARED, f->maps.fd[id], 0);
		if (p == MAP_FAILED)
			return -errno;
		s->m[id] = malloc(s->len[id]);
		if (s->m[id])
			memcpy(s->m[id], p, s->len[id]);
		munmap(p, s->len[id]);
		if (!s->m[id])
			return -ENOMEM;
	}
	return 0;
}

bool rules_snap_equal(const struct rules_snap *a, const struct rules_snap *b)
{
	for (size_t i = 0; i < ARRAY_SIZE(snap_maps); i++) {
		enum rules_map_id id = snap_maps[i];

		if (a->len[id] != b->len[id] || memcmp(a->m[id], b->m[id], a->len[id]))
			return false;
	}
	return true;
}

void rules_snap_free(struct rules_snap *s)
{
	for (int i = 0; i < RULES_M_COUNT; i++)
		free(s->m[i]);
	memset(s, 0, sizeof(*s));
}
