// SPDX-License-Identifier: GPL-2.0-only
/* Top talkers as the CLI prints them: one host's WatchTop answer, the fleet view (every source
 * summed over hosts and interfaces, heaviest first), and triggers and events. */
#ifndef XDPFLEET_OUTPUT_TOP_H
#define XDPFLEET_OUTPUT_TOP_H

#include <stdio.h>

#include "cidr.h"
#include "json.h"
#include "output.h"
#include "xdpfleet/v1/agent.pb-c.h"

struct top_merged {
	char src[CIDR_STR_MAX];
	double pps, bps;
	uint64_t packets, bytes, dropped;
	size_t hosts;     /* hosts that saw it */
	size_t last_host; /* merging: 1 + the last host counted */
};

/* Sums the sources of msgs[i] (NULL: that host has none) per source, heaviest first (pps, then
 * bps, then source text), into a malloc'd array. */
int output_top_merge(const Xdpfleet__V1__WatchTopResponse *const *msgs, size_t n, struct top_merged **out,
		     size_t *n_out);

/* Tables: one per host and interface, then the fleet's; at most limit rows each. */
void output_table_top_host(FILE *f, const char *host, const Xdpfleet__V1__WatchTopResponse *r, size_t limit);
/* --no-headers: "HOST IFACE SOURCE PPS BPS DROPPED PASSED PORT" per source. */
void output_rows_top_host(FILE *f, const char *host, const Xdpfleet__V1__WatchTopResponse *r, size_t limit);
void output_table_top_fleet(FILE *f, const struct top_merged *m, size_t n, size_t limit);
/* {"ifname":..,"period":..,"sources":[...]} objects of one host; the fleet's array. */
int output_json_top_host(struct json_writer *w, const Xdpfleet__V1__WatchTopResponse *r);
int output_json_top_fleet(struct json_writer *w, const struct top_merged *m, size_t n, size_t limit);

/* ListTriggers, AddTrigger, DeleteTriggers, WatchEvents */
int output_table_triggers(FILE *f, const struct output_host *h, size_t n, const struct output_opts *o);
int output_json_triggers(struct json_writer *w, const ProtobufCMessage *msg);
int output_table_trigger_added(FILE *f, const struct output_host *h, size_t n, const struct output_opts *o);
int output_json_trigger_added(struct json_writer *w, const ProtobufCMessage *msg);
int output_table_triggers_deleted(FILE *f, const struct output_host *h, size_t n, const struct output_opts *o);
int output_json_triggers_deleted(struct json_writer *w, const ProtobufCMessage *msg);
void output_table_event(FILE *f, const char *host, const Xdpfleet__V1__Event *e);
int output_json_event(struct json_writer *w, const char *host, const Xdpfleet__V1__Event *e);

#endif
