// SPDX-License-Identifier: GPL-2.0-only
/* The capture maps (xdpfleet_abi.h's capture block): created by the agent, unpinned, and shared
 * into every filter program it loads, so one ring serves all interfaces. */
#ifndef XDPFLEET_CAPTURE_MAPS_H
#define XDPFLEET_CAPTURE_MAPS_H

struct bpf_object;

enum capture_map_id {
	CAPTURE_M_GATE,
	CAPTURE_M_CFG,
	CAPTURE_M_CPU,
	CAPTURE_M_SCRATCH,
	CAPTURE_M_RING,
	CAPTURE_M_COUNT,
};

struct capture_maps {
	int fd[CAPTURE_M_COUNT];
};

/* 0 or -errno; err names the map the kernel refused. */
int capture_maps_open(struct capture_maps *m, char *err, size_t errlen);
void capture_maps_close(struct capture_maps *m);
/* Makes obj use these maps (between bpf_object__open and __load); maps obj does not declare
 * are skipped, and a declaration of another layout is refused with -EPROTO. */
int capture_maps_use_in_obj(const struct capture_maps *m, struct bpf_object *obj);

#endif
