// SPDX-License-Identifier: GPL-2.0-only
/* Creating the capture maps and handing them to filter objects before load. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "capture_maps.h"
#include "xdpfleet_abi.h"

struct layout {
	const char *name;
	enum bpf_map_type type;
	__u32 key, value, entries;
};

static const struct layout layouts[CAPTURE_M_COUNT] = {
	[CAPTURE_M_GATE] = { CAPTURE_MAP_GATE, BPF_MAP_TYPE_ARRAY, 4, 4, 1 },
	[CAPTURE_M_CFG] = { CAPTURE_MAP_CFG, BPF_MAP_TYPE_HASH, 4, sizeof(struct capture_cfg),
			    CAPTURE_SESSIONS_MAX },
	[CAPTURE_M_CPU] = { CAPTURE_MAP_CPU, BPF_MAP_TYPE_PERCPU_ARRAY, 4, sizeof(struct capture_cpu),
			    CAPTURE_SESSIONS_MAX },
	[CAPTURE_M_SCRATCH] = { CAPTURE_MAP_SCRATCH, BPF_MAP_TYPE_PERCPU_ARRAY, 4,
				sizeof(struct capture_scratch), 1 },
	[CAPTURE_M_RING] = { CAPTURE_MAP_RING, BPF_MAP_TYPE_RINGBUF, 0, 0, CAPTURE_RING_BYTES },
};

int capture_maps_open(struct capture_maps *m, char *err, size_t errlen)
{
	int ret = 0;

	for (int i = 0; i < CAPTURE_M_COUNT; i++)
		m->fd[i] = -1;
	for (int i = 0; i < CAPTURE_M_COUNT; i++) {
		const struct layout *l = &layouts[i];

		m->fd[i] = bpf_map_create(l->type, l->name, l->key, l->value, l->entries, NULL);
		if (m->fd[i] < 0) {
			ret = -errno;
			snprintf(err, errlen, "cannot create the %s map: %s", l->name, strerror(errno));
			goto out;
		}
	}
out:
	if (ret)
		capture_maps_close(m);
	return ret;
}

void capture_maps_close(struct capture_maps *m)
{
	for (int i = 0; i < CAPTURE_M_COUNT; i++) {
		if (m->fd[i] >= 0)
			close(m->fd[i]);
		m->fd[i] = -1;
	}
}

int capture_maps_use_in_obj(const struct capture_maps *m, struct bpf_object *obj)
{
	for (int i = 0; i < CAPTURE_M_COUNT; i++) {
		const struct layout *l = &layouts[i];
		struct bpf_map *map = bpf_object__find_map_by_name(obj, l->name);
		int ret;

		if (!map)
			continue;
		if (bpf_map__type(map) != l->type || bpf_map__key_size(map) != l->key ||
		    bpf_map__value_size(map) != l->value || bpf_map__max_entries(map) != l->entries)
			return -EPROTO;
		ret = bpf_map__reuse_fd(map, m->fd[i]);
		if (ret)
			return ret;
	}
	return 0;
}
