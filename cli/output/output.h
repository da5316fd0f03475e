/* SPDX-License-Identifier: GPL-2.0-only */
/* Printing answers: per host views of fan-out results, and the table and JSON form of every
 * response type. Nothing here touches the network, so all of it is unit tested. */
#ifndef XDPFLEET_CLI_OUTPUT_H
#define XDPFLEET_CLI_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>

#include "cli.h"
#include "json.h"
#include "xdpfleet/v1/agent.pb-c.h"

#define OUTPUT_HINT_MAX 384

/* One host's answer as the printers see it. */
struct output_host {
	const char *host;
	bool ok;
	const ProtobufCMessage *msg; /* when ok; may be NULL for an empty answer */
	const char *code;            /* when !ok: "UNAVAILABLE", ... */
	char error[RPC_ERR_MAX + 64]; /* when !ok: "UNAVAILABLE: message" */
	char hint[OUTPUT_HINT_MAX];  /* when !ok: what usually causes it, "" if nothing */
};

/* How answers are printed. */
struct output_opts {
	bool no_headers; /* tables: no column headers, group lines or totals; rows start with
			  * their host */
	bool jsonl;      /* JSON: one object per host and line instead of one array */
};

/* calloc'ed views of results (which must outlive them); free() the array. */
int output_hosts_from_results(const struct cli_hosts *hosts, const struct rpc_host_result *r,
			      struct output_host **out);
void output_host_set_error(struct output_host *h, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* s with control characters replaced by '?' (same length, so widths stay right): agents'
 * strings must not move the cursor or recolour a terminal. Returns buf. */
const char *output_safe(const char *s, char *buf, size_t len);
#define OUTPUT_SAFE_MAX 256

/* The JSON envelope for printers that write host by host: one array on one line (opened with
 * the first host, so nothing is printed when no host is), or one object per line. */
struct output_json_doc {
	struct json_writer w;
	FILE *f;
	bool lines, open;
	int err;
};

void output_json_doc_begin(struct output_json_doc *d, FILE *f, const struct output_opts *o);
/* {"host":..,"ok":.. and for a failed host "code", "error" and "hint" when there is one; the
 * host's own fields follow through d->w, then output_json_host_end(). */
void output_json_host_begin(struct output_json_doc *d, const struct output_host *h);
void output_json_host_end(struct output_json_doc *d);
/* 0, or -EIO when anything was malformed or not written. */
int output_json_doc_end(struct output_json_doc *d);

/* A failed host's table row ("HOST  error: ..."), the host padded to width (0: not padded).
 * Returns whether h failed, so loops can `if (output_table_failed(...)) continue;`. */
bool output_table_failed(FILE *f, const struct output_host *h, int width);
/* After a table: "warning: HOST: TEXT" for each host's warnings (nothing when there are none). */
void output_table_warnings(FILE *f, const char *host, char *const *warnings, size_t n);
/* "warnings": [...] */
int output_json_warnings(struct json_writer *w, char *const *warnings, size_t n);

/* Width of the HOST column: the longest host name, at least the header's. */
int output_host_width(const struct output_host *h, size_t n);

/* The data of one ok host inside its JSON object (after "host" and "ok"). */
typedef int (*output_json_body_fn)(struct json_writer *w, const ProtobufCMessage *msg);
/* One line: [{"host":..,"ok":true,..body..}, {"host":..,"ok":false,"code":..,"error":..}], or
 * with o->jsonl each object on a line of its own. */
int output_json_answer(FILE *f, const struct output_host *h, size_t n, output_json_body_fn body,
		       const struct output_opts *o);

typedef int (*output_table_fn)(FILE *f, const struct output_host *h, size_t n,
			       const struct output_opts *o);

/* GetInfo */
int output_table_info(FILE *f, const struct output_host *h, size_t n,
			const struct output_opts *o);
int output_json_info(struct json_writer *w, const ProtobufCMessage *msg);

/* Attach, Detach, ListAttachments */
int output_table_attach(FILE *f, const struct output_host *h, size_t n,
			const struct output_opts *o);
int output_json_attach(struct json_writer *w, const ProtobufCMessage *msg);
int output_table_detach(FILE *f, const struct output_host *h, size_t n,
			const struct output_opts *o);
int output_json_detach(struct json_writer *w, const ProtobufCMessage *msg);
int output_table_status(FILE *f, const struct output_host *h, size_t n,
			const struct output_opts *o);
int output_json_status(struct json_writer *w, const ProtobufCMessage *msg);
int output_json_attachment(struct json_writer *w, const Xdpfleet__V1__Attachment *a);

/* GetStats, WatchStats: grouped by host and interface... */
int output_table_stats(FILE *f, const struct output_host *h, size_t n,
			const struct output_opts *o);
int output_json_stats(struct json_writer *w, const ProtobufCMessage *msg);
/* ...or, for a watch that appends and for --no-headers, one self-contained row per host,
 * interface and action (when NULL: without the TIME column) under a header printed once. */
void output_table_stats_header(FILE *f, int host_width);
int output_table_stats_rows(FILE *f, const char *when, const struct output_host *h, size_t n,
			    int host_width);
/* A watch's JSON line of one host's snapshot (jsonl): "time" (wall clock, RFC 3339 with
 * milliseconds, when received) and every interface with its "time" and "timestamp_unix_ns"
 * (when the agent read the counters). */
int output_jsonl_stats(FILE *f, const char *host, uint64_t received_unix_ns, uint64_t seq,
		       const Xdpfleet__V1__GetStatsResponse *r);
/* "2025-11-26T09:40:00.123Z" */
void output_rfc3339_ms(char *buf, size_t len, uint64_t unix_ns);

#endif
