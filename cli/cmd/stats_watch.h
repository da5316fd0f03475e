/* SPDX-License-Identifier: GPL-2.0-only */
/* "stats --watch": WatchStats on every host at once, combined into ticks (tick k is printed
 * once every live host delivered its k-th snapshot), or with -o jsonl one line per snapshot as
 * it comes; a host whose stream breaks is reconnected. */
#ifndef XDPFLEET_CLI_STATS_WATCH_H
#define XDPFLEET_CLI_STATS_WATCH_H

#include <stdbool.h>
#include <stdint.h>

#include "cli.h"

struct stats_watch_opts {
	const char *ifname;       /* "" for every attachment */
	unsigned int interval_ms; /* 100 or more */
	uint32_t count;           /* 0: until Ctrl-C */
	bool redraw;              /* clear the screen each tick instead of appending rows */
};

/* Retrying a broken stream: after this, doubling up to the maximum. */
#define STATS_WATCH_RETRY_MIN_MS 200u
#define STATS_WATCH_RETRY_MAX_MS 5000u

/* 0 when every host streamed to the end (or to Ctrl-C), -EIO when any failed. */
int stats_watch_run(struct cli_ctx *ctx, const struct stats_watch_opts *opts);

#endif
