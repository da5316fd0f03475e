/* The fixture keeps each test to rule sets and frames: maps, skeleton and engine are wired the
 * way the agent will wire the filter program (maps created first, reused by the object). */
#include "rules_fixture.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bpf/xdp_rules_test.skel.h"

int rules_fixture_open(struct rules_fixture *f, const struct rules_maps_opts *opts)
{
	int err;

	memset(f, 0, sizeof(*f));
	for (int i = 0; i < RULES_M_COUNT; i++)
		f->maps.fd[i] = -1;
	err = rules_maps_open(opts, &f->maps);
	if (err)
		goto out;
	f->skel = xdp_rules_test__open();
	if (!f->skel) {
		err = -errno;
		goto out;
	}
	err = rules_maps_use_in_obj(&f->maps, f->skel->obj);
	if (!err)
		err = xdp_rules_test__load(f->skel);
	if (!err)
		err = rules_engine_new(&f->maps, &f->eng);
	if (!err)
		f->prog_fd = bpf_program__fd(f->skel->progs.xdp_rules_test);
out:
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
	err = bpf_map__lookup_elem(f->skel->maps.xdp_stats_map, &action, sizeof(action), per,
				   (size_t)ncpus * sizeof(*per), 0);
	for (int c = 0; !err && c < ncpus; c++)
		*packets += per[c].rx_packets;
	free(per);
	return err;
}
