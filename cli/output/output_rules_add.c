// SPDX-License-Identifier: GPL-2.0-only
/* What AddRules, SyncRules, DeleteRules and FlushRules answered, per host with totals, and the
 * file summary of a load or sync. */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "output_rules.h"

void output_rules_load_summary(FILE *f, const struct output_rules_load *l)
{
	fprintf(f, "%s: %zu lines, %zu entries, %zu duplicates folded, %zu invalid skipped",
		l->file, l->lines, l->entries, l->duplicates, l->invalid);
	if (l->nested)
		fprintf(f, ", %zu inside another entry", l->nested);
	fputc('\n', f);
}

/* The ids as ranges ("1-1000,1003"), cut short with "..." when they do not fit in len. */
static void output_rules_ids(char *buf, size_t len, const uint64_t *ids, size_t n)
{
	size_t i = 0, j, used = 0, room = len - 4; /* room for "..." stays free */
	int w;

	snprintf(buf, len, "-");
	while (i < n) {
		for (j = i; j + 1 < n && ids[j + 1] == ids[j] + 1; j++)
			;
		if (j > i)
			w = snprintf(buf + used, room - used, "%s%" PRIu64 "-%" PRIu64, i ? "," : "",
				     ids[i], ids[j]);
		else
			w = snprintf(buf + used, room - used, "%s%" PRIu64, i ? "," : "", ids[i]);
		if (w < 0 || (size_t)w >= room - used) {
			snprintf(buf + used, len - used, "...");
			return;
		}
		used += (size_t)w;
		i = j + 1;
	}
}

/* " on N hosts", or " on N of M hosts" when some failed. */
static void output_rules_on_hosts(FILE *f, const struct output_host *h, size_t n)
{
	size_t ok = 0;

	for (size_t i = 0; i < n; i++)
		ok += h[i].ok && h[i].msg;
	if (ok == n)
		fprintf(f, " on %zu host%s\n", n, n == 1 ? "" : "s");
	else
		fprintf(f, " on %zu of %zu hosts\n", ok, n);
}

int output_table_rules_added(FILE *f, const struct output_host *h, size_t n,
			     const struct output_opts *o)
{
	const Xdpfleet__V1__AddRulesResponse *r;
	uint64_t added = 0, updated = 0, present = 0;
	char ids[72];
	int hw = output_host_width(h, n);

	if (!o->no_headers)
		fprintf(f, "%-*s  %8s  %8s  %8s  %s\n", hw, "HOST", "ADDED", "UPDATED", "PRESENT",
			"IDS");
	for (size_t i = 0; i < n; i++) {
		if (output_table_failed(f, &h[i], hw))
			continue;
		r = (const Xdpfleet__V1__AddRulesResponse *)h[i].msg;
		if (!r) {
			fprintf(f, "%-*s  (empty answer)\n", hw, h[i].host);
			continue;
		}
		output_rules_ids(ids, sizeof(ids), r->ids, r->n_ids);
		fprintf(f, "%-*s  %8" PRIu32 "  %8" PRIu32 "  %8" PRIu32 "  %s\n", hw, h[i].host, r->added,
			r->updated, r->duplicates, ids);
		added += r->added;
		updated += r->updated;
		present += r->duplicates;
	}
	if (!o->no_headers) {
		fprintf(f, "%" PRIu64 " added, %" PRIu64 " updated, %" PRIu64 " already present",
			added, updated, present);
		output_rules_on_hosts(f, h, n);
	}
	return ferror(f) ? -EIO : 0;
}

int output_table_rules_synced(FILE *f, const struct output_host *h, size_t n,
			      const struct output_opts *o)
{
	uint64_t added = 0, updated = 0, unchanged = 0, deleted = 0, others = 0;
	const Xdpfleet__V1__SyncRulesResponse *r;
	int hw = output_host_width(h, n);

	/* Entries another tag (or an operator) owns are rare: a column only when there are some. */
	for (size_t i = 0; i < n; i++)
		if (h[i].ok && h[i].msg)
			others += ((const Xdpfleet__V1__SyncRulesResponse *)h[i].msg)->other_owner;
	if (!o->no_headers) {
		fprintf(f, "%-*s  %8s  %8s  %9s  %8s", hw, "HOST", "ADDED", "UPDATED", "UNCHANGED", "DELETED");
		fprintf(f, others ? "  %11s\n" : "\n", "OTHER OWNER");
	}
	for (size_t i = 0; i < n; i++) {
		if (output_table_failed(f, &h[i], hw))
			continue;
		r = (const Xdpfleet__V1__SyncRulesResponse *)h[i].msg;
		if (!r) {
			fprintf(f, "%-*s  (empty answer)\n", hw, h[i].host);
			continue;
		}
		fprintf(f, "%-*s  %8" PRIu32 "  %8" PRIu32 "  %9" PRIu32 "  %8" PRIu32, hw, h[i].host, r->added,
			r->updated, r->unchanged, r->deleted);
		if (others)
			fprintf(f, "  %11" PRIu32, r->other_owner);
		fputc('\n', f);
		added += r->added;
		updated += r->updated;
		unchanged += r->unchanged;
		deleted += r->deleted;
	}
	if (!o->no_headers) {
		fprintf(f, "%" PRIu64 " added, %" PRIu64 " updated, %" PRIu64 " unchanged, %" PRIu64
			" deleted", added, updated, unchanged, deleted);
		if (others)
			fprintf(f, ", %" PRIu64 " left to the rule's owner (untagged or another tag)", others);
		output_rules_on_hosts(f, h, n);
	}
	return ferror(f) ? -EIO : 0;
}

static void output_rules_load_json(struct json_writer *w, const struct output_rules_load *l)
{
	json_key(w, "load");
	json_begin_object(w);
	json_kv_string(w, "file", l->file);
	json_kv_uint(w, "lines", l->lines);
	json_kv_uint(w, "entries", l->entries);
	json_kv_uint(w, "duplicates", l->duplicates);
	json_kv_uint(w, "invalid", l->invalid);
	json_kv_uint(w, "nested", l->nested);
	json_end_object(w);
}

int output_json_rules_added(FILE *f, const struct output_host *h, size_t n,
			    const struct output_rules_load *load, const struct output_opts *o)
{
	const Xdpfleet__V1__AddRulesResponse *r;
	struct output_json_doc d;

	output_json_doc_begin(&d, f, o);
	for (size_t i = 0; i < n; i++) {
		output_json_host_begin(&d, &h[i]);
		r = (const Xdpfleet__V1__AddRulesResponse *)h[i].msg;
		if (h[i].ok && r) {
			json_kv_uint(&d.w, "added", r->added);
			json_kv_uint(&d.w, "updated", r->updated);
			json_kv_uint(&d.w, "already_present", r->duplicates);
			json_key(&d.w, "ids");
			json_begin_array(&d.w);
			for (size_t k = 0; k < r->n_ids; k++)
				json_uint(&d.w, r->ids[k]);
			json_end_array(&d.w);
		}
		if (load)
			output_rules_load_json(&d.w, load);
		output_json_host_end(&d);
	}
	return output_json_doc_end(&d);
}

int output_json_rules_synced(FILE *f, const struct output_host *h, size_t n, const char *tag,
			     const struct output_rules_load *load, const struct output_opts *o)
{
	const Xdpfleet__V1__SyncRulesResponse *r;
	struct output_json_doc d;

	output_json_doc_begin(&d, f, o);
	for (size_t i = 0; i < n; i++) {
		output_json_host_begin(&d, &h[i]);
		json_kv_string(&d.w, "tag", tag);
		r = (const Xdpfleet__V1__SyncRulesResponse *)h[i].msg;
		if (h[i].ok && r) {
			json_kv_uint(&d.w, "added", r->added);
			json_kv_uint(&d.w, "updated", r->updated);
			json_kv_uint(&d.w, "unchanged", r->unchanged);
			json_kv_uint(&d.w, "deleted", r->deleted);
			json_kv_uint(&d.w, "other_owner", r->other_owner);
			json_kv_bool(&d.w, "enforced", r->enforced);
		}
		if (load)
			output_rules_load_json(&d.w, load);
		output_json_host_end(&d);
	}
	return output_json_doc_end(&d);
}

static uint32_t output_rules_deleted(const ProtobufCMessage *msg)
{
	if (!msg)
		return 0;
	if (msg->descriptor == &xdpfleet__v1__flush_rules_response__descriptor)
		return ((const Xdpfleet__V1__FlushRulesResponse *)msg)->deleted;
	return ((const Xdpfleet__V1__DeleteRulesResponse *)msg)->deleted;
}

int output_table_rules_deleted(FILE *f, const struct output_host *h, size_t n,
			       const struct output_opts *o)
{
	int hw = output_host_width(h, n);

	if (!o->no_headers)
		fprintf(f, "%-*s  %s\n", hw, "HOST", "DELETED");
	for (size_t i = 0; i < n; i++) {
		if (!output_table_failed(f, &h[i], hw))
			fprintf(f, "%-*s  %7" PRIu32 "\n", hw, h[i].host,
				output_rules_deleted(h[i].msg));
	}
	return ferror(f) ? -EIO : 0;
}

int output_json_rules_deleted(struct json_writer *w, const ProtobufCMessage *msg)
{
	return json_kv_uint(w, "deleted", output_rules_deleted(msg));
}
