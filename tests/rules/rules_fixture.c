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
#include <unistd.h>

#include "bpf/xdp_rules_test.skel.h"

static int load_prog(struct rules_fixture *f, struct xdp_rules_test **out)
{
	struct xdp_rules_test *skel = xdp_rules_test__open();
	int err;

	if (!skel)
		return -errno;
	err = rules_maps_use_in_obj(&f->maps, skel->obj);
	if (!err)
		err = bpf_map__reuse_fd(skel->maps.xdp_stats_map, f->stats_fd);
	if (!err)
		err = xdp_rules_test__load(skel);
	if (err) {
		xdp_rules_test__destroy(skel);
		return err;
	}
	*out = skel;
	return 0;
}

static int reload(void *arg)
{
	struct rules_fixture *f = arg;
	struct xdp_rules_test *skel;
	int err;

	if (f->fail_reloads > 0) {
		f->fail_reloads--;
		return -EIO;
	}
	err = load_prog(f, &skel);
	if (err)
		return err;
	xdp_rules_test__destroy(f->skel);
	f->skel = skel;
	f->prog_fd = bpf_program__fd(skel->progs.xdp_rules_test);
	f->reloads++;
	return 0;
}

int rules_fixture_open(struct rules_fixture *f, const struct rules_maps_opts *opts)
{
	int err;

	memset(f, 0, sizeof(*f));
	for (int i = 0; i < RULES_M_COUNT; i++)
		f->maps.fd[i] = -1;
	f->stats_fd = bpf_map_create(BPF_MAP_TYPE_PERCPU_ARRAY, "xdp_stats_map", 4,
				     sizeof(struct datarec), XDP_ACTION_MAX, NULL);
	err = f->stats_fd < 0 ? -errno : rules_maps_open(opts, &f->maps);
	if (!err)
		err = load_prog(f, &f->skel);
	if (!err)
		err = rules_engine_new(&f->maps, &f->eng);
	if (!err) {
		f->prog_fd = bpf_program__fd(f->skel->progs.xdp_rules_test);
		rules_maps_on_replace(&f->maps, reload, f);
		/* The engine may have replaced unusable pins while it started. */
		err = reload(f);
		f->reloads = 0;
	}
	if (err)
		rules_fixture_close(f);
	return err;
}

void rules_fixture_close(struct rules_fixture *f)
{
	rules_engine_free(f->eng);
	f->eng = NULL;
	xdp_rules_test__destroy(f->skel);
	f->skel = NULL;
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

	f->skel->bss->last_slot = RULES_SLOT_NONE;
	err = bpf_prog_test_run_opts(f->prog_fd, &o);
	if (err)
		return err;
	*verdict = o.retval;
	*slot = f->skel->bss->last_slot;
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
