// SPDX-License-Identifier: GPL-2.0-only
/* Per-action counters: creating and reading the per-CPU stats map, and rates between reads. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "stats.h"

int stats_map_create(void)
{
	int fd = bpf_map_create(BPF_MAP_TYPE_PERCPU_ARRAY, XDPFLEET_STATS_MAP_NAME, sizeof(__u32),
				sizeof(struct datarec), XDP_ACTION_MAX, NULL);

	return fd < 0 ? -errno : fd;
}

bool stats_map_compatible(int fd)
{
	struct bpf_map_info info = { 0 };
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return false;
	return info.type == BPF_MAP_TYPE_PERCPU_ARRAY && info.key_size == sizeof(__u32) &&
	       info.value_size == sizeof(struct datarec) && info.max_entries == XDP_ACTION_MAX;
}

uint64_t stats_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t stats_now_unix_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int stats_read(int map_fd, struct stats_record *rec)
{
	int ncpus = libbpf_num_possible_cpus();
	struct datarec *values;
	int ret = 0;

	if (ncpus < 0)
		return ncpus;
	values = calloc(ncpus, sizeof(*values));
	if (!values)
		return -ENOMEM;
	memset(rec, 0, sizeof(*rec));
	rec->ts_ns = stats_now_ns();
	for (__u32 key = 0; key < XDP_ACTION_MAX; key++) {
		if (bpf_map_lookup_elem(map_fd, &key, values)) {
			ret = -errno;
			goto out;
		}
		for (int cpu = 0; cpu < ncpus; cpu++) {
			rec->act[key].rx_packets += values[cpu].rx_packets;
			rec->act[key].rx_bytes += values[cpu].rx_bytes;
		}
	}
out:
	free(values);
	return ret;
}

static double rate(uint64_t prev, uint64_t cur, double period)
{
	return cur >= prev ? (double)(cur - prev) / period : 0.0;
}

double stats_rates(const struct stats_record *prev, const struct stats_record *cur,
		   struct stats_rate rates[XDP_ACTION_MAX])
{
	double period;

	memset(rates, 0, sizeof(*rates) * XDP_ACTION_MAX);
	if (cur->ts_ns <= prev->ts_ns)
		return 0.0;
	period = (double)(cur->ts_ns - prev->ts_ns) / 1e9;
	for (int a = 0; a < XDP_ACTION_MAX; a++) {
		rates[a].pps = rate(prev->act[a].rx_packets, cur->act[a].rx_packets, period);
		rates[a].bps = rate(prev->act[a].rx_bytes, cur->act[a].rx_bytes, period) * 8.0;
	}
	return period;
}
