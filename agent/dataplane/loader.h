/* SPDX-License-Identifier: GPL-2.0-only */
/* Attaching XDP programs to interfaces through netlink: what is attached now, atomic
 * replacement (XDP_FLAGS_REPLACE), mode fallback and detaching. */
#ifndef XDPFLEET_LOADER_H
#define XDPFLEET_LOADER_H

#include <stddef.h>
#include <stdint.h>

#include "dataplane.h"

/* The XDP program attached to an interface now. */
struct loader_current {
	uint32_t prog_id; /* 0: none */
	enum dp_mode mode;
};

int loader_query(unsigned int ifindex, struct loader_current *cur);
/* "name (id N)", with the programs behind a libxdp dispatcher when there is one. */
void loader_describe(unsigned int ifindex, const struct loader_current *cur, char *buf, size_t len);
/* Attaches prog_fd in mode, replacing cur (atomically when it stays in the same mode; AUTO keeps
 * cur's mode for that reason). On failure whatever was attached before is attached again.
 * *used gets the mode really in use. */
int loader_attach(unsigned int ifindex, int prog_fd, enum dp_mode mode, const struct loader_current *cur,
		  enum dp_mode *used, char *err, size_t errlen);
/* Detaches cur, and only cur: a program attached meanwhile by someone else stays. */
int loader_detach(unsigned int ifindex, const struct loader_current *cur, char *err, size_t errlen);
/* The kernel's id of a BPF object (program, map or link) by its fd. */
int loader_obj_id(int fd, uint32_t *id);

#endif
