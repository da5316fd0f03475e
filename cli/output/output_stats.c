// SPDX-License-Identifier: GPL-2.0-only
/* Per-interface XDP action counters (GetStats/WatchStats answers): the seed's columns (action,
 * packets, pps, bytes, Mbit/s, period) plus the xdp_exception count of each action. */
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "names.h"
#include "output.h"

#define OUTPUT_STATS_COLS "%-12s  %14s  %12s  %16s  %10s  %7s  %10s\n"
#define OUTPUT_STATS_ROW "%-12s  %14" PRIu64 "  %12.0f  %16" PRIu64 "  %10.3f  %7.3f  %10" PRIu64 "\n"

static uint64_t output_stats_exceptions(const Xdpfleet__V1__InterfaceStats *s,
					Xdpfleet__V1__XdpAction a)
{
	for (size_t i = 0; i < s->n_exceptions; i++)
		if (s->exceptions[i]->action == a)
			return s->exceptions[i]->count;
	return 0;
}

static void output_stats_action_row(FILE *f, const Xdpfleet__V1__InterfaceStats *s,
				    const Xdpfleet__V1__ActionStats *a)
{
	fprintf(f, OUTPUT_STATS_ROW, names_action(a->action), a->packets, a->pps, a->bytes,
		a->bps / 1e6, s->period, output_stats_exceptions(s, a->action));
}

int output_table_stats(FILE *f, const struct output_host *h, size_t n,
		       const struct output_opts *o)
{
	const Xdpfleet__V1__GetStatsResponse *r;
	char s1[OUTPUT_SAFE_MAX], s2[OUTPUT_SAFE_MAX];
	const Xdpfleet__V1__InterfaceStats *s;

	if (o->no_headers)
		return output_table_stats_rows(f, NULL, h, n, output_host_width(h, n));
	for (size_t i = 0; i < n; i++) {
		if (i)
			fputc('\n', f);
		if (output_table_failed(f, &h[i], 0))
			continue;
		r = (const Xdpfleet__V1__GetStatsResponse *)h[i].msg;
		if (!r || !r->n_interfaces) {
			fprintf(f, "%s  (no attachments)\n", h[i].host);
			continue;
		}
		for (size_t j = 0; j < r->n_interfaces; j++) {
			s = r->interfaces[j];
			if (j)
				fputc('\n', f);
			fprintf(f, "%s  %s (ifindex %" PRIu32 ")  program %s  mode %s\n", h[i].host,
				output_safe(s->ifname, s1, sizeof(s1)), s->ifindex,
				output_safe(s->program, s2, sizeof(s2)), names_mode(s->mode));
			fprintf(f, "  " OUTPUT_STATS_COLS, "ACTION", "PACKETS", "PPS", "BYTES",
				"MBIT/S", "PERIOD", "EXCEPTIONS");
			for (size_t k = 0; k < s->n_actions; k++) {
				fputs("  ", f);
				output_stats_action_row(f, s, s->actions[k]);
			}
		}
	}
	return ferror(f) ? -EIO : 0;
}

void output_table_stats_header(FILE *f, int host_width)
{
	fprintf(f, "%-8s  %-*s  %-15s  " OUTPUT_STATS_COLS, "TIME", host_width, "HOST", "IFACE",
		"ACTION", "PACKETS", "PPS", "BYTES", "MBIT/S", "PERIOD", "EXCEPTIONS");
}

/* A row's TIME column, when it has one. */
static void output_stats_when(FILE *f, const char *when)
{
	if (when)
		fprintf(f, "%-8s  ", when);
}

int output_table_stats_rows(FILE *f, const char *when, const struct output_host *h, size_t n,
			    int host_width)
{
	const Xdpfleet__V1__GetStatsResponse *r;
	char e[sizeof(h->error)], s1[OUTPUT_SAFE_MAX];
	const Xdpfleet__V1__InterfaceStats *s;

	for (size_t i = 0; i < n; i++) {
		output_stats_when(f, when);
		if (!h[i].ok) {
			fprintf(f, "%-*s  error: %s\n", host_width, h[i].host,
				output_safe(h[i].error, e, sizeof(e)));
			continue;
		}
		r = (const Xdpfleet__V1__GetStatsResponse *)h[i].msg;
		if (!r || !r->n_interfaces)
			fprintf(f, "%-*s  (no attachments)\n", host_width, h[i].host);
		for (size_t j = 0; r && j < r->n_interfaces; j++) {
			s = r->interfaces[j];
			for (size_t k = 0; k < s->n_actions; k++) {
				if (j || k)
					output_stats_when(f, when);
				fprintf(f, "%-*s  %-15s  ", host_width, h[i].host,
					output_safe(s->ifname, s1, sizeof(s1)));
				output_stats_action_row(f, s, s->actions[k]);
			}
		}
	}
	return ferror(f) ? -EIO : 0;
}

/* One interface's fields; wall: with the agent's read time as RFC 3339 ("time") and no
 * monotonic clock (jsonl), else with both clocks as numbers (json). */
static void output_stats_json_if(struct json_writer *w, const Xdpfleet__V1__InterfaceStats *s,
				 bool wall)
{
	const Xdpfleet__V1__ActionStats *a;
	char when[40];

	json_begin_object(w);
	if (wall && s->timestamp_unix_ns) {
		output_rfc3339_ms(when, sizeof(when), s->timestamp_unix_ns);
		json_kv_string(w, "time", when);
	} else if (wall) {
		json_key(w, "time");
		json_null(w);
	}
	json_kv_string(w, "ifname", s->ifname);
	json_kv_uint(w, "ifindex", s->ifindex);
	json_kv_string(w, "program", s->program);
	json_kv_string(w, "mode", names_mode(s->mode));
	json_kv_double(w, "period", s->period);
	if (!wall)
		json_kv_uint(w, "timestamp_ns", s->timestamp_ns);
	json_kv_uint(w, "timestamp_unix_ns", s->timestamp_unix_ns);
	json_key(w, "actions");
	json_begin_array(w);
	for (size_t k = 0; k < s->n_actions; k++) {
		a = s->actions[k];
		json_begin_object(w);
		json_kv_string(w, "action", names_action(a->action));
		json_kv_uint(w, "packets", a->packets);
		json_kv_uint(w, "bytes", a->bytes);
		json_kv_double(w, "pps", a->pps);
		json_kv_double(w, "bps", a->bps);
		json_end_object(w);
	}
	json_end_array(w);
	json_key(w, "exceptions");
	json_begin_array(w);
	for (size_t k = 0; k < s->n_exceptions; k++) {
		json_begin_object(w);
		json_kv_string(w, "action", names_action(s->exceptions[k]->action));
		json_kv_uint(w, "count", s->exceptions[k]->count);
		json_end_object(w);
	}
	json_end_array(w);
	json_end_object(w);
}

int output_json_stats(struct json_writer *w, const ProtobufCMessage *msg)
{
	const Xdpfleet__V1__GetStatsResponse *r = (const Xdpfleet__V1__GetStatsResponse *)msg;

	json_key(w, "interfaces");
	json_begin_array(w);
	for (size_t i = 0; i < r->n_interfaces; i++)
		output_stats_json_if(w, r->interfaces[i], false);
	return json_end_array(w);
}

void output_rfc3339_ms(char *buf, size_t len, uint64_t unix_ns)
{
	time_t t = (time_t)(unix_ns / 1000000000u);
	struct tm tm;
	char s[32];

	if (!gmtime_r(&t, &tm) || !strftime(s, sizeof(s), "%Y-%m-%dT%H:%M:%S", &tm))
		snprintf(s, sizeof(s), "1970-01-01T00:00:00");
	snprintf(buf, len, "%s.%03uZ", s, (unsigned int)(unix_ns / 1000000u % 1000u));
}

int output_jsonl_stats(FILE *f, const char *host, uint64_t received_unix_ns, uint64_t seq,
		       const Xdpfleet__V1__GetStatsResponse *r)
{
	struct json_writer w;
	char when[40];

	json_init(&w, f);
	json_begin_object(&w);
	output_rfc3339_ms(when, sizeof(when), received_unix_ns);
	json_kv_string(&w, "time", when);
	json_kv_string(&w, "host", host);
	json_kv_bool(&w, "ok", true);
	json_kv_uint(&w, "seq", seq);
	json_kv_uint(&w, "skipped", r->skipped);
	json_key(&w, "interfaces");
	json_begin_array(&w);
	for (size_t i = 0; i < r->n_interfaces; i++)
		output_stats_json_if(&w, r->interfaces[i], true);
	json_end_array(&w);
	json_end_object(&w);
	if (json_finish(&w) || fputc('\n', f) == EOF || fflush(f) == EOF)
		return -EIO;
	return 0;
}
