// SPDX-License-Identifier: GPL-2.0-only
/* Pins of the earlier layout (fixed 2^24 /24 array, hash maps sized for millions of blocks, all
 * directly in the pin directory): their counters are carried over into a new counters map, and
 * the pins are removed once the new set is pinned. The rules themselves come back from the
 * agent's state file into the new maps while the old program keeps enforcing the old ones. */
#include "rules_engine.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "array_size.h"

/* Names only the earlier layout used, and the ones it kept at the top of the pin directory. */
static const char *const legacy_only[] = { "rules_v4_l1", "rules_v4_l2", "rules_v6", "rules_entries" };
static const char *const legacy_top[] = { "rules_info", "rules_counters" };

#define CHUNK 8192u

static int path_of(char *buf, size_t len, const char *dir, const char *name)
{
	int n = snprintf(buf, len, "%s/%s", dir, name);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

bool rules_legacy_present(const char *pin_dir)
{
	char path[PATH_MAX];

	for (size_t i = 0; i < ARRAY_SIZE(legacy_only); i++) {
		if (!path_of(path, sizeof(path), pin_dir, legacy_only[i]) && !access(path, F_OK))
			return true;
	}
	return false;
}

void rules_legacy_unpin(const char *pin_dir)
{
	char path[PATH_MAX];

	for (size_t i = 0; i < ARRAY_SIZE(legacy_only); i++) {
		if (!path_of(path, sizeof(path), pin_dir, legacy_only[i]))
			unlink(path);
	}
	for (size_t i = 0; i < ARRAY_SIZE(legacy_top); i++) {
		if (!path_of(path, sizeof(path), pin_dir, legacy_top[i]))
			unlink(path);
	}
}

static bool counter_used(const struct rules_counter *per, int ncpus)
{
	for (int c = 0; c < ncpus; c++) {
		if (per[c].packets || per[c].dropped)
			return true;
	}
	return false;
}

/* Reads [0, n) of the old map into buf (n * ncpus counters). */
static int read_all(int fd, uint32_t n, int ncpus, struct rules_counter *buf)
{
	LIBBPF_OPTS(bpf_map_batch_opts, o);
	uint32_t *keys = malloc(CHUNK * sizeof(*keys)), out = 0;
	int err = keys ? 0 : -ENOMEM;

	for (uint32_t done = 0; !err && done < n;) {
		uint32_t cnt = n - done < CHUNK ? n - done : CHUNK;

		err = bpf_map_lookup_batch(fd, done ? &out : NULL, &out, keys,
					   buf + (size_t)done * ncpus, &cnt, &o);
		if (err == -ENOENT)
			err = 0;
		done += cnt;
		if (!cnt)
			break;
	}
	free(keys);
	return err;
}

/* From the old per-CPU layout (slot-major) to one region of cap slots per CPU. */
static int write_range(int fd, uint32_t n, uint32_t cap, int ncpus, const struct rules_counter *buf)
{
	size_t len = rules_maps_entries(RULES_M_COUNTERS, cap) * sizeof(*buf);
	struct rules_counter *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	if (m == MAP_FAILED)
		return -errno;
	for (uint32_t s = 0; s < n; s++) {
		for (int c = 0; c < ncpus; c++)
			m[(size_t)c * cap + s] = buf[(size_t)s * ncpus + c];
	}
	munmap(m, len);
	return 0;
}

int rules_legacy_counters(const char *pin_dir, int *fd_out, uint32_t *cap_out)
{
	int ncpus = libbpf_num_possible_cpus(), fd = -1, nfd = -1, err;
	struct bpf_map_info info = { 0 };
	uint32_t len = sizeof(info), top = 0, cap;
	struct rules_counter *buf = NULL;
	struct rules_clock clk;
	char path[PATH_MAX];

	*fd_out = -1;
	if (ncpus <= 0)
		return ncpus ? ncpus : -EINVAL;
	err = path_of(path, sizeof(path), pin_dir, "rules_counters");
	if (err)
		return err;
	fd = bpf_obj_get(path);
	/* No counters, or not the layout we know: the rules come back with fresh ones. */
	if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len) ||
	    info.type != BPF_MAP_TYPE_PERCPU_ARRAY || info.value_size != sizeof(struct rules_counter))
		goto out;
	buf = calloc((size_t)info.max_entries * ncpus, sizeof(*buf));
	err = buf ? rules_clock_init(&clk) : -ENOMEM;
	if (!err)
		err = read_all(fd, info.max_entries, ncpus, buf);
	for (uint32_t s = 0; !err && s < info.max_entries; s++) {
		struct rules_counter *per = buf + (size_t)s * ncpus;

		if (!counter_used(per, ncpus))
			continue;
		top = s + 1;
		/* The earlier layout stamped hits with CLOCK_MONOTONIC ns. */
		for (int c = 0; c < ncpus; c++)
			per[c].last_hit = rules_clock_from_ns(&clk, per[c].last_hit);
	}
	cap = top > rules_maps_min_cap(RULES_M_COUNTERS) ? top : rules_maps_min_cap(RULES_M_COUNTERS);
	if (!err && top)
		err = rules_maps_create(RULES_M_COUNTERS, cap, &nfd);
	if (!err && top)
		err = write_range(nfd, top, cap, ncpus, buf);
	if (!err && top) {
		*fd_out = nfd;
		*cap_out = cap;
		nfd = -1;
	}
out:
	if (nfd >= 0)
		close(nfd);
	if (fd >= 0)
		close(fd);
	free(buf);
	return err;
}
