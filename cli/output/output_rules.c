// SPDX-License-Identifier: GPL-2.0-only
/* Rule listings (ListRules pages merged per host): one row per rule grouped by host, or JSON
 * with nulls where a rule has no port, no hit or no expiry. */
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "output_rules.h"
#include "rules_args.h"


/* Column widths of one host's rules: each column's longest value, at least its header's.
 * PASSED/DROPPED appear when the host has limit rules, TAG when a rule has a tag. */
struct output_rules_widths {
	int id, action, src, port, hits, passed, dropped, bytes, last, expires, tag;
	bool limits, tags;
};

static bool output_rules_is_limit(const Xdpfleet__V1__Rule *r)
{
	return r->action == XDPFLEET__V1__RULE_ACTION__RULE_ACTION_LIMIT;
}

/* A limit rule's hits are the packets it looked at: those within the budget passed. */
static uint64_t output_rules_passed(const Xdpfleet__V1__Rule *r)
{
	return r->hits > r->dropped ? r->hits - r->dropped : 0;
}

static void output_rules_count(char *buf, size_t len, const Xdpfleet__V1__Rule *r, bool passed)
{
	if (!output_rules_is_limit(r))
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%" PRIu64, passed ? output_rules_passed(r) : r->dropped);
}

static bool output_rules_never_expires(const Xdpfleet__V1__Rule *r)
{
	/* An agent that leaves expires_in_ms at 0 for a rule without TTL means "never" too. */
	return r->expires_in_ms < 0 || (!r->ttl_seconds && !r->expires_in_ms);
}

void output_rules_action(char *buf, size_t len, const Xdpfleet__V1__Rule *r)
{
	if (r->action == XDPFLEET__V1__RULE_ACTION__RULE_ACTION_LIMIT)
		snprintf(buf, len, "limit %" PRIu64 "pps", r->limit_pps);
	else
		snprintf(buf, len, "%s", rules_args_action_name(r->action));
}

const char *output_rules_src(const Xdpfleet__V1__Rule *r, char *buf, size_t len)
{
	if (!r->match || !r->match->src || !*r->match->src)
		return "any";
	return output_safe(r->match->src, buf, len);
}

void output_rules_port(char *buf, size_t len, const Xdpfleet__V1__RuleMatch *m)
{
	if (!m || !m->port_min)
		snprintf(buf, len, "-");
	else if (!m->port_max || m->port_max == m->port_min)
		snprintf(buf, len, "%" PRIu32, m->port_min);
	else
		snprintf(buf, len, "%" PRIu32 "-%" PRIu32, m->port_min, m->port_max);
}

/* "42s", "9m30s", "2h05m", "3d04h": two units at most, enough to read at a glance. */
static void output_rules_duration(char *buf, size_t len, uint64_t s)
{
	if (s < 60)
		snprintf(buf, len, "%" PRIu64 "s", s);
	else if (s < 3600)
		snprintf(buf, len, "%" PRIu64 "m%02" PRIu64 "s", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, len, "%" PRIu64 "h%02" PRIu64 "m", s / 3600, s % 3600 / 60);
	else
		snprintf(buf, len, "%" PRIu64 "d%02" PRIu64 "h", s / 86400, s % 86400 / 3600);
}

/* "3s ago", "5m ago", "2h ago", "4d ago", or "never". */
static void output_rules_last_hit(char *buf, size_t len, uint64_t hit_ns, uint64_t now_ns)
{
	uint64_t s = now_ns > hit_ns ? (now_ns - hit_ns) / 1000000000u : 0;

	if (!hit_ns)
		snprintf(buf, len, "never");
	else if (s < 60)
		snprintf(buf, len, "%" PRIu64 "s ago", s);
	else if (s < 3600)
		snprintf(buf, len, "%" PRIu64 "m ago", s / 60);
	else if (s < 86400)
		snprintf(buf, len, "%" PRIu64 "h ago", s / 3600);
	else
		snprintf(buf, len, "%" PRIu64 "d ago", s / 86400);
}

/* Seconds left, rounded up: a rule with 300 ms left has not expired. */
static uint64_t output_rules_expires_s(const Xdpfleet__V1__Rule *r)
{
	return ((uint64_t)r->expires_in_ms + 999) / 1000;
}

static void output_rules_expires(char *buf, size_t len, const Xdpfleet__V1__Rule *r)
{
	if (output_rules_never_expires(r))
		snprintf(buf, len, "never");
	else
		output_rules_duration(buf, len, output_rules_expires_s(r));
}

static int output_rules_max(int w, int v)
{
	return v > w ? v : w;
}

static void output_rules_widths(const Xdpfleet__V1__ListRulesResponse *resp, uint64_t now_ns,
				struct output_rules_widths *w)
{
	char buf[OUTPUT_SAFE_MAX];
	const Xdpfleet__V1__Rule *r;

	*w = (struct output_rules_widths){ 2, 6, 3, 4, 4, 6, 7, 5, 8, 7, 3, false, false };
	for (size_t i = 0; i < resp->n_rules; i++) {
		r = resp->rules[i];
		w->limits |= output_rules_is_limit(r);
		w->tags |= r->tag && *r->tag;
		output_rules_count(buf, sizeof(buf), r, true);
		w->passed = output_rules_max(w->passed, (int)strlen(buf));
		output_rules_count(buf, sizeof(buf), r, false);
		w->dropped = output_rules_max(w->dropped, (int)strlen(buf));
		w->tag = output_rules_max(w->tag, (int)strlen(output_safe(r->tag, buf, sizeof(buf))));
		w->id = output_rules_max(w->id, snprintf(NULL, 0, "%" PRIu64, r->id));
		output_rules_action(buf, sizeof(buf), r);
		w->action = output_rules_max(w->action, (int)strlen(buf));
		w->src = output_rules_max(w->src, (int)strlen(output_rules_src(r, buf,
									     OUTPUT_RULES_SRC_MAX + 1)));
		output_rules_port(buf, sizeof(buf), r->match);
		w->port = output_rules_max(w->port, (int)strlen(buf));
		w->hits = output_rules_max(w->hits, snprintf(NULL, 0, "%" PRIu64, r->hits));
		w->bytes = output_rules_max(w->bytes, snprintf(NULL, 0, "%" PRIu64, r->bytes));
		output_rules_last_hit(buf, sizeof(buf), r->last_hit_unix_ns, now_ns);
		w->last = output_rules_max(w->last, (int)strlen(buf));
		output_rules_expires(buf, sizeof(buf), r);
		w->expires = output_rules_max(w->expires, (int)strlen(buf));
	}
}

/* The columns after PROTO up to COMMENT, values or headers, with the optional ones. */
static void output_rules_mid(FILE *f, const struct output_rules_widths *w, const char *port,
			     const char *hits, const char *passed, const char *dropped,
			     const char *bytes, const char *last, const char *expires,
			     const char *tag, bool more)
{
	fprintf(f, "  %-*s  %*s", w->port, port, w->hits, hits);
	if (w->limits)
		fprintf(f, "  %*s  %*s", w->passed, passed, w->dropped, dropped);
	fprintf(f, "  %*s  %-*s  %-*s", w->bytes, bytes, w->last, last,
		more || w->tags ? w->expires : 0, expires);
	if (w->tags)
		fprintf(f, "  %-*s", more ? w->tag : 0, tag);
}

/* One rule; lead is the host with --no-headers, else an indent under the host's line. */
static void output_rules_row(FILE *f, const char *lead, const Xdpfleet__V1__Rule *r,
			     const struct output_rules_widths *w, uint64_t now_ns)
{
	char action[OUTPUT_RULES_ACTION_MAX], src[OUTPUT_RULES_SRC_MAX + 1], port[24], last[32],
		expires[32], comment[OUTPUT_SAFE_MAX], tag[OUTPUT_SAFE_MAX], hits[24], bytes[24],
		passed[24], dropped[24];
	const char *proto = rules_args_proto_name(r->match ? r->match->proto : 0);

	output_rules_action(action, sizeof(action), r);
	output_rules_port(port, sizeof(port), r->match);
	output_rules_last_hit(last, sizeof(last), r->last_hit_unix_ns, now_ns);
	output_rules_expires(expires, sizeof(expires), r);
	output_safe(r->comment, comment, sizeof(comment));
	output_safe(r->tag && *r->tag ? r->tag : "-", tag, sizeof(tag));
	snprintf(hits, sizeof(hits), "%" PRIu64, r->hits);
	snprintf(bytes, sizeof(bytes), "%" PRIu64, r->bytes);
	output_rules_count(passed, sizeof(passed), r, true);
	output_rules_count(dropped, sizeof(dropped), r, false);
	fprintf(f, "%s  %*" PRIu64 "  %-*s  %-*s  %-6s", lead, w->id, r->id, w->action, action,
		w->src, output_rules_src(r, src, sizeof(src)), proto);
	output_rules_mid(f, w, port, hits, passed, dropped, bytes, last, expires, tag, *comment);
	fprintf(f, "%s%s\n", *comment ? "  " : "", comment);
}

static void output_rules_host(FILE *f, const char *host,
			      const Xdpfleet__V1__ListRulesResponse *resp, uint64_t now_ns,
			      const struct output_opts *o)
{
	const char *lead = o->no_headers ? host : "";
	struct output_rules_widths w;

	output_rules_widths(resp, now_ns, &w);
	if (!o->no_headers) {
		fprintf(f, "  %*s  %-*s  %-*s  %-6s", w.id, "ID", w.action, "ACTION", w.src, "SRC",
			"PROTO");
		output_rules_mid(f, &w, "PORT", "HITS", "PASSED", "DROPPED", "BYTES", "LAST HIT",
				 "EXPIRES", "TAG", true);
		fprintf(f, "  COMMENT\n");
	}
	for (size_t i = 0; i < resp->n_rules; i++)
		output_rules_row(f, lead, resp->rules[i], &w, now_ns);
}

int output_table_rules_list_at(FILE *f, const struct output_host *h, size_t n, uint64_t now_ns,
			       const struct output_opts *o)
{
	const Xdpfleet__V1__ListRulesResponse *r;

	for (size_t i = 0; i < n; i++) {
		if (i && !o->no_headers)
			fputc('\n', f);
		if (output_table_failed(f, &h[i], 0))
			continue;
		r = (const Xdpfleet__V1__ListRulesResponse *)h[i].msg;
		if ((!r || !r->n_rules) && !o->no_headers) {
			fprintf(f, "%s  (no rules)\n", h[i].host);
			continue;
		}
		if (!r)
			continue;
		if (!o->no_headers)
			fprintf(f, "%s  %zu rule%s\n", h[i].host, r->n_rules,
				r->n_rules == 1 ? "" : "s");
		output_rules_host(f, h[i].host, r, now_ns, o);
	}
	return ferror(f) ? -EIO : 0;
}

int output_table_rules_list(FILE *f, const struct output_host *h, size_t n,
			    const struct output_opts *o)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return output_table_rules_list_at(f, h, n,
					  (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec, o);
}

static void output_rules_json_port(struct json_writer *w, const Xdpfleet__V1__RuleMatch *m)
{
	char buf[24];

	json_key(w, "port");
	if (!m || !m->port_min)
		json_null(w);
	else if (!m->port_max || m->port_max == m->port_min)
		json_uint(w, m->port_min);
	else {
		output_rules_port(buf, sizeof(buf), m);
		json_string(w, buf);
	}
}

void output_rules_json_rule(struct json_writer *w, const Xdpfleet__V1__Rule *r)
{
	const Xdpfleet__V1__RuleMatch *m = r->match;

	json_begin_object(w);
	json_kv_uint(w, "id", r->id);
	json_kv_string(w, "action", rules_args_action_name(r->action));
	json_key(w, "src");
	if (m && m->src && *m->src)
		json_string(w, m->src);
	else
		json_null(w);
	json_kv_string(w, "proto", rules_args_proto_name(m ? m->proto : 0));
	output_rules_json_port(w, m);
	if (output_rules_is_limit(r))
		json_kv_uint(w, "limit_pps", r->limit_pps);
	json_kv_uint(w, "hits", r->hits);
	if (output_rules_is_limit(r)) {
		json_kv_uint(w, "passed", output_rules_passed(r));
		json_kv_uint(w, "dropped", r->dropped);
	}
	json_kv_uint(w, "bytes", r->bytes);
	json_key(w, "last_hit");
	if (r->last_hit_unix_ns)
		json_uint(w, r->last_hit_unix_ns / 1000000000u);
	else
		json_null(w);
	json_key(w, "expires_in");
	if (output_rules_never_expires(r))
		json_null(w);
	else
		json_uint(w, output_rules_expires_s(r));
	json_kv_string(w, "comment", r->comment);
	json_kv_string(w, "tag", r->tag ? r->tag : "");
	json_key(w, "created");
	if (r->created_unix)
		json_uint(w, r->created_unix);
	else
		json_null(w);
	json_end_object(w);
}

int output_json_rules_list(struct json_writer *w, const ProtobufCMessage *msg)
{
	const Xdpfleet__V1__ListRulesResponse *r = (const Xdpfleet__V1__ListRulesResponse *)msg;

	json_key(w, "rules");
	json_begin_array(w);
	for (size_t i = 0; r && i < r->n_rules; i++)
		output_rules_json_rule(w, r->rules[i]);
	return json_end_array(w);
}
