/* SPDX-License-Identifier: GPL-2.0-only */
/* Rule answers (AddRules, DeleteRules, FlushRules, ListRules pages merged per host) as tables
 * and JSON. */
#ifndef XDPFLEET_CLI_OUTPUT_RULES_H
#define XDPFLEET_CLI_OUTPUT_RULES_H

#include <stddef.h>
#include <stdint.h>

#include "output.h"

/* What a "load" read from its file, printed with the answers. */
struct output_rules_load {
	const char *file; /* "-" for stdin */
	size_t lines, entries, duplicates, invalid, nested;
	const size_t *entry_line; /* the file line of each entry, by request index */
};

/* "FILE: N lines, N entries, N duplicates folded, N invalid skipped, N inside another". */
void output_rules_load_summary(FILE *f, const struct output_rules_load *l);

/* AddRules: per host ADDED, UPDATED, PRESENT (already there) and the ids, then the totals
 * ("N added, N updated, N already present on N hosts"). JSON: per host {"host":..,"ok":true,
 * "added":N,"updated":N,"already_present":N,"ids":[..]} plus "load":{..} when load is not
 * NULL. */
int output_table_rules_added(FILE *f, const struct output_host *h, size_t n,
			     const struct output_opts *o);
int output_json_rules_added(FILE *f, const struct output_host *h, size_t n,
			    const struct output_rules_load *load, const struct output_opts *o);

/* SyncRules: per host ADDED, UPDATED, UNCHANGED, DELETED (and OTHER OWNER when some host has
 * any), then the totals. JSON: per host {"host":..,"ok":true,"tag":..,"added":N,"updated":N,
 * "unchanged":N,"deleted":N,"other_owner":N,"enforced":B} plus "load":{..}. */
int output_table_rules_synced(FILE *f, const struct output_host *h, size_t n,
			      const struct output_opts *o);
int output_json_rules_synced(FILE *f, const struct output_host *h, size_t n, const char *tag,
			     const struct output_rules_load *load, const struct output_opts *o);

/* TestRule: per host the verdict and the rule that decides, or "no rule: passes". */
int output_table_rules_test(FILE *f, const struct output_host *h, size_t n,
			    const struct output_opts *o);
int output_json_rules_test(struct json_writer *w, const ProtobufCMessage *msg);

/* DeleteRules and FlushRules: per host the number deleted. */
int output_table_rules_deleted(FILE *f, const struct output_host *h, size_t n,
			       const struct output_opts *o);
int output_json_rules_deleted(struct json_writer *w, const ProtobufCMessage *msg);

/* ListRules, each ok host's pages merged into one ListRulesResponse. The table shows ages and
 * time left relative to now_ns (CLOCK_REALTIME). */
int output_table_rules_list_at(FILE *f, const struct output_host *h, size_t n, uint64_t now_ns,
			       const struct output_opts *o);
int output_table_rules_list(FILE *f, const struct output_host *h, size_t n,
			    const struct output_opts *o);
int output_json_rules_list(struct json_writer *w, const ProtobufCMessage *msg);
/* One rule as "rules list" prints it in JSON. */
void output_rules_json_rule(struct json_writer *w, const Xdpfleet__V1__Rule *r);
/* A rule's cells as the listing prints them: "limit 1000pps", "203.0.113.0/24" or "any",
 * "53", "1000-2000" or "-". */
#define OUTPUT_RULES_SRC_MAX 50 /* the longest IPv6 CIDR fits */
#define OUTPUT_RULES_ACTION_MAX 32
void output_rules_action(char *buf, size_t len, const Xdpfleet__V1__Rule *r);
const char *output_rules_src(const Xdpfleet__V1__Rule *r, char *buf, size_t len);
void output_rules_port(char *buf, size_t len, const Xdpfleet__V1__RuleMatch *m);
/* "drop", "pass", ... for a verdict. */
const char *output_rules_verdict(Xdpfleet__V1__XdpAction v);

#endif
