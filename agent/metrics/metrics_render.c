// SPDX-License-Identifier: GPL-2.0-only
/* The Prometheus text page: counters from the data plane's periodic sample (the one GetStats
 * rates come from), rule counts and per-rule hits, attachments, RPC calls and build info. */
#include <errno.h>
#include <grpc/status.h>
#include <stdlib.h>
#include <string.h>

#include "cidr.h"
#include "dataplane.h"
#include "metrics.h"
#include "mitigate.h"
#include "policy.h"
#include "rpc/rpc.h"
#include "version.h"
#include "array_size.h"

static const char *const xdp_action_names[DP_ACTIONS] = { "aborted", "drop", "pass", "tx", "redirect" };

static void family(FILE *out, const char *name, const char *type, const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A label value: backslash, double quote and newline escaped, as the format wants. */
static void label_value(FILE *out, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			fputc('\\', out);
		if (*v == '\n') {
			fputs("\\n", out);
			continue;
		}
		fputc(*v, out);
	}
}

static void iface_series(FILE *out, const char *name, const struct dp_if_stats *s, size_t n, int what)
{
	for (size_t i = 0; i < n; i++) {
		if (!s[i].att.has_stats && what != 2)
			continue;
		for (int a = 0; a < DP_ACTIONS; a++) {
			uint64_t v = what == 0 ? s[i].actions[a].packets
				   : what == 1 ? s[i].actions[a].bytes : s[i].exceptions[a];

			fprintf(out, "%s{interface=\"", name);
			label_value(out, s[i].att.ifname);
			fprintf(out, "\",action=\"%s\"} %llu\n", xdp_action_names[a], (unsigned long long)v);
		}
	}
}

static void render_dataplane(FILE *out, const struct dp_if_stats *s, size_t n)
{
	family(out, "xdpfleet_packets_total", "counter", "Packets seen by the agent's programs, by interface and XDP action.");
	iface_series(out, "xdpfleet_packets_total", s, n, 0);
	family(out, "xdpfleet_bytes_total", "counter", "Bytes of those packets, by interface and XDP action.");
	iface_series(out, "xdpfleet_bytes_total", s, n, 1);
	family(out, "xdpfleet_exceptions_total", "counter",
	       "xdp:xdp_exception events (XDP_ABORTED and failed actions), by interface and action.");
	iface_series(out, "xdpfleet_exceptions_total", s, n, 2);
	family(out, "xdpfleet_attachment_info", "gauge",
	       "One per attachment: its program and mode, and whether it is in place (state ok, lost, missing).");
	for (size_t i = 0; i < n; i++) {
		fputs("xdpfleet_attachment_info{interface=\"", out);
		label_value(out, s[i].att.ifname);
		fputs("\",program=\"", out);
		label_value(out, s[i].att.program);
		fprintf(out, "\",mode=\"%s\",state=\"%s\"} 1\n", dataplane_mode_name(s[i].att.mode),
			dataplane_state_name(s[i].att.state));
	}
	family(out, "xdpfleet_attachment_up", "gauge", "1 when the attachment's program is in place, else 0.");
	for (size_t i = 0; i < n; i++) {
		fputs("xdpfleet_attachment_up{interface=\"", out);
		label_value(out, s[i].att.ifname);
		fprintf(out, "\"} %d\n", s[i].att.state == DP_STATE_OK);
	}
}

struct rule_hits {
	uint64_t id, hits, dropped;
	uint32_t slot;
};

static int by_hits_desc(const void *a, const void *b)
{
	const struct rule_hits *x = a, *y = b;

	if (x->hits != y->hits)
		return x->hits < y->hits ? 1 : -1;
	return x->id < y->id ? -1 : x->id > y->id;
}

static void rule_labels(FILE *out, const struct policy_rule *r)
{
	char src[CIDR_STR_MAX] = "any";

	if (r->spec.has_src)
		cidr_format(&r->spec.src, src, sizeof(src));
	fprintf(out, "{id=\"%llu\",action=\"%s\",src=\"%s\",comment=\"", (unsigned long long)r->id,
		rules_action_name(r->spec.action), src);
	label_value(out, r->comment);
	fputs("\"}", out);
}

/* Rule counts by action, drops by limit rules, and the commented rules' hits (the most hit
 * first, at most max_series). */
static int render_rules(FILE *out, const struct policy *p, size_t max_series)
{
	static const enum rules_action actions[] = { RULES_ACT_ALLOW, RULES_ACT_DROP, RULES_ACT_LIMIT,
						     RULES_ACT_MONITOR };
	size_t count[RULES_ACT_MONITOR + 1] = { 0 }, n_hits = 0, cap = 0;
	struct rule_hits *hits = NULL;
	uint64_t limit_dropped = 0;
	struct policy_rule r;
	struct rules_stats st;
	uint32_t cursor = 0;
	int ret = 0;

	while (policy_next(p, &cursor, &r)) {
		bool commented = r.comment[0] != '\0';

		if (r.spec.action <= RULES_ACT_MONITOR)
			count[r.spec.action]++;
		if ((r.spec.action != RULES_ACT_LIMIT && !commented) || policy_rule_stats(p, &r, &st))
			continue;
		if (r.spec.action == RULES_ACT_LIMIT)
			limit_dropped += st.dropped;
		if (!commented || !max_series)
			continue;
		if (n_hits == cap) {
			size_t grown = cap ? cap * 2 : 64;
			struct rule_hits *h = realloc(hits, grown * sizeof(*h));

			if (!h) {
				ret = -ENOMEM;
				goto out;
			}
			hits = h;
			cap = grown;
		}
		hits[n_hits++] = (struct rule_hits){ r.id, st.packets, st.dropped, r.slot };
	}
	family(out, "xdpfleet_rules", "gauge", "Rules in force, by action.");
	for (size_t i = 0; i < ARRAY_SIZE(actions); i++)
		fprintf(out, "xdpfleet_rules{action=\"%s\"} %zu\n", rules_action_name(actions[i]), count[actions[i]]);
	/* A gauge: a deleted rule takes its drops out of the sum, which a counter must never do. */
	family(out, "xdpfleet_limit_rules_dropped_packets", "gauge",
	       "Packets the limit rules in force dropped over their budget, summed.");
	fprintf(out, "xdpfleet_limit_rules_dropped_packets %llu\n", (unsigned long long)limit_dropped);
	if (hits)
		qsort(hits, n_hits, sizeof(*hits), by_hits_desc);
	family(out, "xdpfleet_rule_hits_total", "counter",
	       "Packets matched by each rule that has a comment (the most hit, up to --metrics-rules).");
	for (size_t i = 0; i < n_hits && i < max_series; i++) {
		if (policy_rule_at(p, hits[i].slot, &r))
			continue;
		fputs("xdpfleet_rule_hits_total", out);
		rule_labels(out, &r);
		fprintf(out, " %llu\n", (unsigned long long)hits[i].hits);
	}
	family(out, "xdpfleet_rule_limit_dropped_total", "counter",
	       "Of those, for limit rules: packets dropped over the budget.");
	for (size_t i = 0; i < n_hits && i < max_series; i++) {
		if (policy_rule_at(p, hits[i].slot, &r) || r.spec.action != RULES_ACT_LIMIT)
			continue;
		fputs("xdpfleet_rule_limit_dropped_total", out);
		rule_labels(out, &r);
		fprintf(out, " %llu\n", (unsigned long long)hits[i].dropped);
	}
	family(out, "xdpfleet_rule_series_omitted", "gauge",
	       "Commented rules left out of xdpfleet_rule_hits_total by --metrics-rules.");
	fprintf(out, "xdpfleet_rule_series_omitted %zu\n", n_hits > max_series ? n_hits - max_series : 0);
out:
	free(hits);
	return ret;
}

static void rpc_count_line(void *data, const char *service, const char *method, grpc_status_code code,
			   uint64_t calls)
{
	fprintf(data, "xdpfleet_rpc_calls_total{service=\"%s\",method=\"%s\",code=\"%s\"} %llu\n",
		*service ? service : "unknown", *method ? method : "unknown", rpc_status_name(code),
		(unsigned long long)calls);
}

/* Triggers and what they did (mitigate.h). */
static void render_mitigation(FILE *out, const struct mitigate *m)
{
	uint32_t active = 0;

	family(out, "xdpfleet_mitigation_triggers", "gauge", "Mitigation triggers defined.");
	fprintf(out, "xdpfleet_mitigation_triggers %zu\n", mitigate_count(m));
	for (size_t i = 0; i < mitigate_count(m); i++)
		active += mitigate_at(m, i)->active;
	family(out, "xdpfleet_mitigation_active_sources", "gauge",
	       "Sources over a trigger's threshold with an auto rule now.");
	fprintf(out, "xdpfleet_mitigation_active_sources %u\n", active);
	family(out, "xdpfleet_mitigation_events_total", "counter", "Mitigation events since start, by kind.");
	for (int k = 0; k < MIT_EV_KINDS; k++)
		fprintf(out, "xdpfleet_mitigation_events_total{kind=\"%s\"} %llu\n", mitigate_event_name(k),
			(unsigned long long)mitigate_event_count(m, k));
}

int metrics_render(const struct metrics_source *src, FILE *out)
{
	struct dp_if_stats *stats = NULL;
	size_t n = 0;
	int ret;

	family(out, "xdpfleet_build_info", "gauge", "The agent's version; always 1.");
	fprintf(out, "xdpfleet_build_info{version=\"%s\"} 1\n", XDPFLEET_VERSION);
	family(out, "xdpfleet_start_time_seconds", "gauge", "When the agent started, in seconds since the epoch.");
	fprintf(out, "xdpfleet_start_time_seconds %llu\n", (unsigned long long)src->start_unix);
	ret = dataplane_sampled_stats(src->dp, &stats, &n);
	if (ret)
		return ret;
	render_dataplane(out, stats, n);
	free(stats);
	family(out, "xdpfleet_rules_enforced", "gauge", "1 when some interface runs the filter program.");
	fprintf(out, "xdpfleet_rules_enforced %d\n", dataplane_enforces_rules(src->dp));
	if (src->policy && (ret = render_rules(out, src->policy, src->max_rule_series)))
		return ret;
	if (src->mit)
		render_mitigation(out, src->mit);
	if (src->srv) {
		family(out, "xdpfleet_rpc_calls_total", "counter", "API calls that ended, by method and status code.");
		rpc_server_foreach_count(src->srv, rpc_count_line, out);
	}
	return ferror(out) ? -EIO : 0;
}
