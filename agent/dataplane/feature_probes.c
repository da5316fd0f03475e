// SPDX-License-Identifier: GPL-2.0-only
/* Kernel feature probes: XDP program type, bpf_link, freplace (libxdp's dispatcher) and map
 * batch updates. */
#include <errno.h>
#include <stdio.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/probe_freplace.skel.h"
#include "feature_probes.h"

/* XDP links came with 5.9; a probe would have to attach to a real interface, so the release
 * decides. */
static bool kernel_at_least(int major, int minor)
{
	struct utsname uts;
	int ma = 0, mi = 0;

	if (uname(&uts) || sscanf(uts.release, "%d.%d", &ma, &mi) != 2)
		return false;
	return ma > major || (ma == major && mi >= minor);
}

/* The dispatcher needs BPF_PROG_TYPE_EXT programs attached to a loaded XDP program. */
static bool probe_freplace(void)
{
	struct probe_freplace *target = NULL, *ext = NULL;
	struct bpf_link *link = NULL;
	bool ok = false;

	target = probe_freplace__open();
	if (!target)
		goto out;
	bpf_program__set_autoload(target->progs.probe_ext, false);
	if (probe_freplace__load(target))
		goto out;
	ext = probe_freplace__open();
	if (!ext)
		goto out;
	bpf_program__set_autoload(ext->progs.probe_target, false);
	if (bpf_program__set_attach_target(ext->progs.probe_ext, bpf_program__fd(target->progs.probe_target),
					   "probe_func"))
		goto out;
	if (probe_freplace__load(ext))
		goto out;
	link = bpf_program__attach_freplace(ext->progs.probe_ext, bpf_program__fd(target->progs.probe_target),
					    "probe_func");
	ok = link != NULL;
out:
	bpf_link__destroy(link);
	probe_freplace__destroy(ext);
	probe_freplace__destroy(target);
	return ok;
}

/* Batch updates on an LPM trie, the kind of map the rule engine fills in bulk. */
static bool probe_batch(void)
{
	struct { __u32 prefixlen; __u32 addr; } key = { 32, 0x0100a8c0 };
	__u32 value = 1, count = 1;
	LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = BPF_F_NO_PREALLOC);
	LIBBPF_OPTS(bpf_map_batch_opts, bopts);
	int fd = bpf_map_create(BPF_MAP_TYPE_LPM_TRIE, "xdpfleet_probe", sizeof(key), sizeof(value), 4, &opts);
	bool ok;

	if (fd < 0)
		return false;
	ok = !bpf_map_update_batch(fd, &key, &value, &count, &bopts) && count == 1;
	close(fd);
	return ok;
}

void features_probe(struct dp_features *f)
{
	/* Failing probes are expected here; libbpf would log each failure as a warning. */
	libbpf_print_fn_t print = libbpf_set_print(NULL);
	bool xdp = libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_XDP, NULL) == 1;

	/* Native support is per driver: this says the kernel has it, Attach says per interface. */
	f->native_xdp = xdp;
	f->skb_xdp = xdp;
	f->bpf_link = xdp && kernel_at_least(5, 9);
	f->dispatcher = xdp && probe_freplace();
	f->map_batch_ops = probe_batch();
	libbpf_set_print(print);
}
