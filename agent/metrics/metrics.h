/* SPDX-License-Identifier: GPL-2.0-only */
/* Prometheus metrics: an HTTP endpoint (libmicrohttpd, on its own thread) that serves a page the
 * agent's serving loop renders when a scrape asks for one, so no map is read per request. */
#ifndef XDPFLEET_METRICS_H
#define XDPFLEET_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct dataplane;
struct mitigate;
struct policy;
struct rpc_server;

/* ---- the page ---- */

struct metrics_source {
	struct dataplane *dp;
	const struct policy *policy;   /* NULL: no rule engine */
	const struct rpc_server *srv;  /* NULL: no RPC counts */
	size_t max_rule_series;        /* commented rules exported one by one, the most hit first */
	uint64_t start_unix;
	const struct mitigate *mit;    /* NULL: no mitigation metrics */
};

/* Writes the Prometheus text exposition of src to out. */
int metrics_render(const struct metrics_source *src, FILE *out);

/* ---- the endpoint ---- */

struct metrics_http;

/* Listens on addr ("HOST:PORT", "[V6]:PORT"; port 0 picks one) and serves GET /metrics. */
int metrics_http_start(struct metrics_http **out, const char *addr, char *err, size_t errlen);
void metrics_http_stop(struct metrics_http *m);
int metrics_http_port(const struct metrics_http *m);
/* True when a scrape waits for a fresh page: the serving loop polls this. */
bool metrics_http_wanted(struct metrics_http *m);
/* Hands a rendered page to waiting and later scrapes; takes ownership of page (malloc'd). */
void metrics_http_publish(struct metrics_http *m, char *page, size_t len);

#endif
