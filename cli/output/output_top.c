// SPDX-License-Identifier: GPL-2.0-only
/* Top talkers, triggers and events as tables and JSON (see output_top.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "htab.h"
#include "output.h"
#include "output_top.h"
#include "rules_args.h"

static int merged_cmp(const void *pa, const void *pb)
{
	const struct top_merged *a = pa, *b = pb;

	if (a->pps != b->pps)
		return a->pps > b->pps ? -1 : 1;
	if (a->bps != b->bps)
		return a->bps > b->bps ? -1 : 1;
	return strcmp(a->src, b->src);
}

int output_top_merge(const Xdpfleet__V1__WatchTopResponse *const *msgs, size_t n, struct top_merged **out,
		     size_t *n_out)
{
	struct top_merged *m = NULL, *grown;
	size_t cnt = 0, cap = 0;
	struct htab idx;
	int ret = htab_init(&idx, CIDR_STR_MAX, 256);

	*out = NULL;
	*n_out = 0;
	if (ret)
		return ret;
	for (size_t h = 0; h < n; h++) {
		for (size_t i = 0; msgs[h] && i < msgs[h]->n_interfaces; i++) {
			const Xdpfleet__V1__InterfaceTop *it = msgs[h]->interfaces[i];

			for (size_t s = 0; it && s < it->n_sources; s++) {
				const Xdpfleet__V1__TopSource *src = it->sources[s];
				char key[CIDR_STR_MAX] = "";
				uint64_t *v;
				bool found;

				if (!src || !src->src)
					continue;
				snprintf(key, sizeof(key), "%s", src->src);
				v = htab_upsert(&idx, key, &found);
				if (!v) {
					ret = -ENOMEM;
					goto out;
				}
				if (!found) {
					if (cnt == cap) {
						cap = cap ? cap * 2 : 64;
						grown = realloc(m, cap * sizeof(*m));
						if (!grown) {
							ret = -ENOMEM;
							goto out;
						}
						m = grown;
					}
					memset(&m[cnt], 0, sizeof(*m));
					memcpy(m[cnt].src, key, sizeof(key));
					*v = cnt++;
				}
				m[*v].pps += src->pps;
				m[*v].bps += src->bps;
				m[*v].packets += src->packets;
				m[*v].bytes += src->bytes;
				m[*v].dropped += src->dropped;
				/* A source on two interfaces of one host counts one host. */
				if (m[*v].last_host != h + 1) {
					m[*v].last_host = h + 1;
					m[*v].hosts++;
				}
			}
		}
	}
	if (cnt > 1)
		qsort(m, cnt, sizeof(*m), merged_cmp);
	*out = m;
	*n_out = cnt;
	m = NULL;
out:
	free(m);
	htab_free(&idx);
	return ret;
}

static void fmt_rate(char *buf, size_t len, double bps)
{
	if (bps >= 1e9)
		snprintf(buf, len, "%.2f Gbit/s", bps / 1e9);
	else
		snprintf(buf, len, "%.2f Mbit/s", bps / 1e6);
}

void output_table_top_host(FILE *f, const char *host, const Xdpfleet__V1__WatchTopResponse *r, size_t limit)
{
	char rate[32], safe[OUTPUT_SAFE_MAX];

	for (size_t i = 0; r && i < r->n_interfaces; i++) {
		const Xdpfleet__V1__InterfaceTop *it = r->interfaces[i];

		fprintf(f, "%s %s  (%u sources, period %.2fs)\n", host, output_safe(it->ifname, safe, sizeof(safe)),
			it->active, it->period);
		fprintf(f, "  %-42s %12s %14s %10s %10s %6s\n", "SOURCE", "PPS", "RATE", "DROPPED", "PASSED", "PORT");
		for (size_t s = 0; s < it->n_sources && s < limit; s++) {
			const Xdpfleet__V1__TopSource *src = it->sources[s];

			fmt_rate(rate, sizeof(rate), src->bps);
			fprintf(f, "  %-42s %12.0f %14s %10" PRIu64 " %10" PRIu64 " %6u\n",
				output_safe(src->src, safe, sizeof(safe)), src->pps, rate, src->dropped, src->passed,
				src->top_port);
		}
	}
}

void output_rows_top_host(FILE *f, const char *host, const Xdpfleet__V1__WatchTopResponse *r, size_t limit)
{
	char safe[OUTPUT_SAFE_MAX], ifn[OUTPUT_SAFE_MAX];

	for (size_t i = 0; r && i < r->n_interfaces; i++) {
		const Xdpfleet__V1__InterfaceTop *it = r->interfaces[i];

		output_safe(it->ifname, ifn, sizeof(ifn));
		for (size_t s = 0; s < it->n_sources && s < limit; s++) {
			const Xdpfleet__V1__TopSource *src = it->sources[s];

			fprintf(f, "%s %s %s %.0f %.0f %" PRIu64 " %" PRIu64 " %u\n", host, ifn,
				output_safe(src->src, safe, sizeof(safe)), src->pps, src->bps, src->dropped, src->passed,
				src->top_port);
		}
	}
}

void output_table_top_fleet(FILE *f, const struct top_merged *m, size_t n, size_t limit)
{
	char rate[32], safe[OUTPUT_SAFE_MAX];

	fprintf(f, "fleet  (%zu sources)\n", n);
	fprintf(f, "  %-42s %12s %14s %10s %5s\n", "SOURCE", "PPS", "RATE", "DROPPED", "HOSTS");
	for (size_t i = 0; i < n && i < limit; i++) {
		fmt_rate(rate, sizeof(rate), m[i].bps);
		fprintf(f, "  %-42s %12.0f %14s %10" PRIu64 " %5zu\n", output_safe(m[i].src, safe, sizeof(safe)), m[i].pps,
			rate, m[i].dropped, m[i].hosts);
	}
}

int output_json_top_host(struct json_writer *w, const Xdpfleet__V1__WatchTopResponse *r)
{
	json_key(w, "interfaces");
	json_begin_array(w);
	for (size_t i = 0; r && i < r->n_interfaces; i++) {
		const Xdpfleet__V1__InterfaceTop *it = r->interfaces[i];

		json_begin_object(w);
		json_kv_string(w, "ifname", it->ifname);
		json_kv_uint(w, "ifindex", it->ifindex);
		json_kv_double(w, "period", it->period);
		json_kv_uint(w, "timestamp_unix_ns", it->timestamp_unix_ns);
		json_kv_uint(w, "active", it->active);
		json_key(w, "sources");
		json_begin_array(w);
		for (size_t s = 0; s < it->n_sources; s++) {
			const Xdpfleet__V1__TopSource *src = it->sources[s];

			json_begin_object(w);
			json_kv_string(w, "src", src->src);
			json_kv_double(w, "pps", src->pps);
			json_kv_double(w, "bps", src->bps);
			json_kv_uint(w, "packets", src->packets);
			json_kv_uint(w, "bytes", src->bytes);
			json_kv_uint(w, "passed", src->passed);
			json_kv_uint(w, "dropped", src->dropped);
			json_kv_uint(w, "other", src->other);
			json_kv_uint(w, "tcp", src->tcp);
			json_kv_uint(w, "udp", src->udp);
			json_kv_uint(w, "icmp", src->icmp);
			json_kv_uint(w, "other_proto", src->other_proto);
			json_kv_uint(w, "top_port", src->top_port);
			json_end_object(w);
		}
		json_end_array(w);
		json_end_object(w);
	}
	return json_end_array(w);
}

int output_json_top_fleet(struct json_writer *w, const struct top_merged *m, size_t n, size_t limit)
{
	json_begin_array(w);
	for (size_t i = 0; i < n && i < limit; i++) {
		json_begin_object(w);
		json_kv_string(w, "src", m[i].src);
		json_kv_double(w, "pps", m[i].pps);
		json_kv_double(w, "bps", m[i].bps);
		json_kv_uint(w, "packets", m[i].packets);
		json_kv_uint(w, "bytes", m[i].bytes);
		json_kv_uint(w, "dropped", m[i].dropped);
		json_kv_uint(w, "hosts", m[i].hosts);
		json_end_object(w);
	}
	return json_end_array(w);
}

static const char *action_name(Xdpfleet__V1__RuleAction a)
{
	return a == XDPFLEET__V1__RULE_ACTION__RULE_ACTION_LIMIT ? "limit" : "drop";
}

static void trigger_when(char *buf, size_t len, const Xdpfleet__V1__Trigger *t)
{
	char *p = buf;
	size_t left = len;
	int k;

#define PUT(...) do { k = snprintf(p, left, __VA_ARGS__); if (k > 0 && (size_t)k < left) { p += k; left -= (size_t)k; } } while (0)
	*buf = '\0';
	if (t->pps)
		PUT("pps>%" PRIu64 " ", t->pps);
	if (t->bps)
		PUT("bps>%" PRIu64 " ", t->bps);
	if (t->proto)
		PUT("proto=%s ", rules_args_proto_name(t->proto));
	if (t->port)
		PUT("port=%u ", t->port);
	PUT("/%u,/%u for %us", t->prefix_len_v4, t->prefix_len_v6, t->for_seconds);
#undef PUT
}

static void trigger_action(char *buf, size_t len, const Xdpfleet__V1__Trigger *t)
{
	if (t->action == XDPFLEET__V1__RULE_ACTION__RULE_ACTION_LIMIT)
		snprintf(buf, len, "limit %" PRIu64, t->limit_pps);
	else
		snprintf(buf, len, "drop");
}

int output_table_triggers(FILE *f, const struct output_host *h, size_t n, const struct output_opts *o)
{
	int hw = output_host_width(h, n), ww = 4, aw = 6;
	char when[160], act[48], safe[OUTPUT_SAFE_MAX];

	for (size_t i = 0; i < n; i++) {
		const Xdpfleet__V1__ListTriggersResponse *r = (const Xdpfleet__V1__ListTriggersResponse *)h[i].msg;

		for (size_t k = 0; h[i].ok && r && k < r->n_triggers; k++) {
			trigger_when(when, sizeof(when), r->triggers[k]);
			trigger_action(act, sizeof(act), r->triggers[k]);
			ww = (int)strlen(when) > ww ? (int)strlen(when) : ww;
			aw = (int)strlen(act) > aw ? (int)strlen(act) : aw;
		}
	}
	if (!o->no_headers)
		fprintf(f, "%-*s %4s  %-*s  %-*s %8s %6s %7s %6s  %s\n", hw, "HOST", "ID", ww, "WHEN", aw, "ACTION", "TTL",
			"FIRED", "REFUSED", "ACTIVE", "LAST");
	for (size_t i = 0; i < n; i++) {
		const Xdpfleet__V1__ListTriggersResponse *r = (const Xdpfleet__V1__ListTriggersResponse *)h[i].msg;

		if (output_table_failed(f, &h[i], hw) || !r)
			continue;
		for (size_t k = 0; k < r->n_triggers; k++) {
			const Xdpfleet__V1__Trigger *t = r->triggers[k];

			trigger_when(when, sizeof(when), t);
			trigger_action(act, sizeof(act), t);
			fprintf(f, "%-*s %4" PRIu64 "  %-*s  %-*s %7" PRIu64 "s %6" PRIu64 " %7" PRIu64 " %6u  ", hw, h[i].host,
				t->id, ww, when, aw, act, t->ttl_seconds, t->fired, t->refused, t->active);
			if (t->last_fired_unix)
				fprintf(f, "%s %.0f pps\n", output_safe(t->last_src, safe, sizeof(safe)), t->last_pps);
			else
				fprintf(f, "-\n");
		}
	}
	return 0;
}

int output_json_triggers(struct json_writer *w, const ProtobufCMessage *msg)
{
	const Xdpfleet__V1__ListTriggersResponse *r = (const Xdpfleet__V1__ListTriggersResponse *)msg;

	json_key(w, "triggers");
	json_begin_array(w);
	for (size_t k = 0; r && k < r->n_triggers; k++) {
		const Xdpfleet__V1__Trigger *t = r->triggers[k];

		json_begin_object(w);
		json_kv_uint(w, "id", t->id);
		json_kv_uint(w, "pps", t->pps);
		json_kv_uint(w, "bps", t->bps);
		json_kv_string(w, "proto", rules_args_proto_name(t->proto));
		json_kv_uint(w, "port", t->port);
		json_kv_uint(w, "prefix_len_v4", t->prefix_len_v4);
		json_kv_uint(w, "prefix_len_v6", t->prefix_len_v6);
		json_kv_string(w, "action", action_name(t->action));
		json_kv_uint(w, "limit_pps", t->limit_pps);
		json_kv_uint(w, "ttl_seconds", t->ttl_seconds);
		json_kv_uint(w, "for_seconds", t->for_seconds);
		json_kv_uint(w, "created_unix", t->created_unix);
		json_kv_string(w, "client", t->client);
		json_kv_uint(w, "fired", t->fired);
		json_kv_uint(w, "refused", t->refused);
		json_kv_uint(w, "active", t->active);
		json_kv_uint(w, "last_fired_unix", t->last_fired_unix);
		json_kv_string(w, "last_src", t->last_src);
		json_kv_double(w, "last_pps", t->last_pps);
		json_end_object(w);
	}
	return json_end_array(w);
}

int output_table_trigger_added(FILE *f, const struct output_host *h, size_t n, const struct output_opts *o)
{
	int hw = output_host_width(h, n);

	(void)o;
	for (size_t i = 0; i < n; i++)
		if (!output_table_failed(f, &h[i], hw))
			fprintf(f, "%-*s trigger %" PRIu64 " added\n", hw, h[i].host,
				((const Xdpfleet__V1__AddTriggerResponse *)h[i].msg)->id);
	return 0;
}

int output_json_trigger_added(struct json_writer *w, const ProtobufCMessage *msg)
{
	return json_kv_uint(w, "id", ((const Xdpfleet__V1__AddTriggerResponse *)msg)->id);
}

int output_table_triggers_deleted(FILE *f, const struct output_host *h, size_t n, const struct output_opts *o)
{
	int hw = output_host_width(h, n);

	(void)o;
	for (size_t i = 0; i < n; i++)
		if (!output_table_failed(f, &h[i], hw))
			fprintf(f, "%-*s %u deleted\n", hw, h[i].host,
				((const Xdpfleet__V1__DeleteTriggersResponse *)h[i].msg)->deleted);
	return 0;
}

int output_json_triggers_deleted(struct json_writer *w, const ProtobufCMessage *msg)
{
	return json_kv_uint(w, "deleted", ((const Xdpfleet__V1__DeleteTriggersResponse *)msg)->deleted);
}

void output_table_event(FILE *f, const char *host, const Xdpfleet__V1__Event *e)
{
	char when[40], src[OUTPUT_SAFE_MAX], detail[OUTPUT_SAFE_MAX];

	output_rfc3339_ms(when, sizeof(when), e->time_unix_ns);
	fprintf(f, "%s %s %-20s trigger=%" PRIu64, when, host, e->kind, e->trigger_id);
	/* A trigger's own events have no source, rate or rule: their detail describes the trigger. */
	if (*e->src)
		fprintf(f, " src=%s pps=%.0f", output_safe(e->src, src, sizeof(src)), e->pps);
	if (e->rule_id)
		fprintf(f, " rule=%" PRIu64, e->rule_id);
	fprintf(f, " %s\n", output_safe(e->detail, detail, sizeof(detail)));
}

int output_json_event(struct json_writer *w, const char *host, const Xdpfleet__V1__Event *e)
{
	char when[40];

	output_rfc3339_ms(when, sizeof(when), e->time_unix_ns);
	json_begin_object(w);
	json_kv_string(w, "time", when);
	json_kv_string(w, "host", host);
	json_kv_uint(w, "seq", e->seq);
	json_kv_string(w, "kind", e->kind);
	json_kv_uint(w, "trigger_id", e->trigger_id);
	json_kv_string(w, "src", e->src);
	json_kv_double(w, "pps", e->pps);
	json_kv_double(w, "bps", e->bps);
	json_kv_uint(w, "rule_id", e->rule_id);
	json_kv_string(w, "detail", e->detail);
	return json_end_object(w);
}
