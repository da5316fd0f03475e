/* SPDX-License-Identifier: GPL-2.0-only */
/* The xdp:xdp_exception tracepoint program and its counts, pinned so that counting goes on
 * while the agent is down and a restarted agent finds the same counts. */
#ifndef XDPFLEET_EXCEPTIONS_H
#define XDPFLEET_EXCEPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pins.h"
#include "xdpfleet_abi.h"

struct exceptions {
	int map_fd;  /* -1 when the tracepoint could not be attached */
	int link_fd;
	bool adopted; /* the counts map of an earlier run goes on: its counts are not new */
};

/* Adopts the pinned link and map of an earlier run, or loads, attaches and pins them. Mounts
 * tracefs when the tracepoint cannot be found without it. */
int exceptions_open(struct exceptions *exc, const struct pins *pins, char *err, size_t errlen);
void exceptions_close(struct exceptions *exc);
/* Counts of prog_id per action; zeros when exceptions are not available. */
int exceptions_read(const struct exceptions *exc, uint32_t prog_id, uint64_t counts[XDP_ACTION_MAX]);
/* Drops the counts of a program the agent no longer runs. */
void exceptions_forget(const struct exceptions *exc, uint32_t prog_id);

#endif
