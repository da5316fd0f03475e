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

/* AddRules: per host ADDED, PRESENT (already there) and the ids. JSON: one array, per host
 * {"host":..,"ok":true,"added":N,"already_present":N,"ids":[..]} plus "load":{..} when load
 * is not NULL. */
int output_table_rules_added(FILE *f, const struct output_host *h, size_t n);
int output_json_rules_added(FILE *f, const struct output_host *h, size_t n,
			    const struct output_rules_load *load);

/* DeleteRules and FlushRules: per host the number deleted. */
int output_table_rules_deleted(FILE *f, const struct output_host *h, size_t n);
int output_json_rules_deleted(struct json_writer *w, const ProtobufCMessage *msg);

/* ListRules, each ok host's pages merged into one ListRulesResponse. The table shows ages and
 * time left relative to now_ns (CLOCK_REALTIME). */
int output_table_rules_list_at(FILE *f, const struct output_host *h, size_t n, uint64_t now_ns);
int output_table_rules_list(FILE *f, const struct output_host *h, size_t n);
int output_json_rules_list(struct json_writer *w, const ProtobufCMessage *msg);

#endif
