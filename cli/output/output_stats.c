/* Per-interface XDP action counters (GetStats/WatchStats answers): the seed's columns (action,
 * packets, pps, bytes, Mbit/s, period) plus the xdp_exception count of each action. */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "names.h"
#include "output.h"

#define OUTPUT_STATS_COLS "%-12s  %14s  %12s  %16s  %10s  %7s  %10s\n"
#define OUTPUT_STATS_ROW "%-12s  %14" PRIu64 "  %12.0f  %16" PRIu64 "  %10.3f  %7.3f  %10" PRIu64 "\n"

static uint64_t output_stats_exceptions(const Xdpfleet__V1__InterfaceStats *s,
					Xdpfleet__V1__XdpAction a)
{
	size_t i;

	for (i = 0; i < s->n_exceptions; i++)
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

int output_table_stats(FILE *f, const struct output_host *h, size_t n)
{
	const Xdpfleet__V1__GetStatsResponse *r;
	char s1[OUTPUT_SAFE_MAX], s2[OUTPUT_SAFE_MAX];
	const Xdpfleet__V1__InterfaceStats *s;
	size_t i, j, k;

	for (i = 0; i < n; i++) {
		if (i)
			fputc('\n', f);
		if (output_table_failed(f, &h[i], 0))
			continue;
		r = (const Xdpfleet__V1__GetStatsResponse *)h[i].msg;
		if (!r || !r->n_interfaces) {
			fprintf(f, "%s  (no attachments)\n", h[i].host);
			continue;
		}
		for (j = 0; j < r->n_interfaces; j++) {
			s = r->interfaces[j];
			if (j)
				fputc('\n', f);
			fprintf(f, "%s  %s (ifindex %" PRIu32 ")  program %s  mode %s\n", h[i].host,
				output_safe(s->ifname, s1, sizeof(s1)), s->ifindex,
				output_safe(s->program, s2, sizeof(s2)), names_mode(s->mode));
			fprintf(f, "  " OUTPUT_STATS_COLS, "ACTION", "PACKETS", "PPS", "BYTES",
				"MBIT/S", "PERIOD", "EXCEPTIONS");
			for (k = 0; k < s->n_actions; k++) {
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

int output_table_stats_rows(FILE *f, const char *when, const struct output_host *h, size_t n,
			    int host_width)
{
	const Xdpfleet__V1__GetStatsResponse *r;
	char e[sizeof(h->error)], s1[OUTPUT_SAFE_MAX];
	const Xdpfleet__V1__InterfaceStats *s;
	size_t i, j, k;

	for (i = 0; i < n; i++) {
		if (!h[i].ok) {
			fprintf(f, "%-8s  %-*s  error: %s\n", when, host_width, h[i].host,
				output_safe(h[i].error, e, sizeof(e)));
			continue;
		}
		r = (const Xdpfleet__V1__GetStatsResponse *)h[i].msg;
		if (!r || !r->n_interfaces)
			fprintf(f, "%-8s  %-*s  (no attachments)\n", when, host_width, h[i].host);
		for (j = 0; r && j < r->n_interfaces; j++) {
			s = r->interfaces[j];
			for (k = 0; k < s->n_actions; k++) {
				fprintf(f, "%-8s  %-*s  %-15s  ", when, host_width, h[i].host,
					output_safe(s->ifname, s1, sizeof(s1)));
				output_stats_action_row(f, s, s->actions[k]);
			}
		}
	}
	return ferror(f) ? -EIO : 0;
}

int output_json_stats(struct json_writer *w, const ProtobufCMessage *msg)
{
	const Xdpfleet__V1__GetStatsResponse *r = (const Xdpfleet__V1__GetStatsResponse *)msg;
	const Xdpfleet__V1__InterfaceStats *s;
	const Xdpfleet__V1__ActionStats *a;
	size_t i, k;

	json_key(w, "interfaces");
	json_begin_array(w);
	for (i = 0; i < r->n_interfaces; i++) {
		s = r->interfaces[i];
		json_begin_object(w);
		json_kv_string(w, "ifname", s->ifname);
		json_kv_uint(w, "ifindex", s->ifindex);
		json_kv_string(w, "program", s->program);
		json_kv_string(w, "mode", names_mode(s->mode));
		json_kv_double(w, "period", s->period);
		json_kv_uint(w, "timestamp_ns", s->timestamp_ns);
		json_key(w, "actions");
		json_begin_array(w);
		for (k = 0; k < s->n_actions; k++) {
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
		for (k = 0; k < s->n_exceptions; k++) {
			json_begin_object(w);
			json_kv_string(w, "action", names_action(s->exceptions[k]->action));
			json_kv_uint(w, "count", s->exceptions[k]->count);
			json_end_object(w);
		}
		json_end_array(w);
		json_end_object(w);
	}
	return json_end_array(w);
}
