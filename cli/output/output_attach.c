// SPDX-License-Identifier: GPL-2.0-only
/* Attachments (Attach, Detach, ListAttachments answers) as tables and JSON. */
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "names.h"
#include "output.h"

enum output_attach_kind { OUTPUT_ATTACH, OUTPUT_DETACH, OUTPUT_STATUS };

/* The attachments one ok host's answer carries, whatever the response type. */
static size_t output_attach_list(enum output_attach_kind kind, const ProtobufCMessage *msg,
				 const Xdpfleet__V1__Attachment *const **list,
				 const Xdpfleet__V1__Attachment **one)
{
	*list = one;
	*one = NULL;
	if (!msg)
		return 0;
	switch (kind) {
	case OUTPUT_ATTACH:
		*one = ((const Xdpfleet__V1__AttachResponse *)msg)->attachment;
		return *one ? 1 : 0;
	case OUTPUT_DETACH:
		*one = ((const Xdpfleet__V1__DetachResponse *)msg)->detached;
		return *one ? 1 : 0;
	case OUTPUT_STATUS:
		*list = (const Xdpfleet__V1__Attachment *const *)
			((const Xdpfleet__V1__ListAttachmentsResponse *)msg)->attachments;
		return ((const Xdpfleet__V1__ListAttachmentsResponse *)msg)->n_attachments;
	}
	return 0;
}

static int output_attach_program_width(enum output_attach_kind kind, const struct output_host *h,
				       size_t n)
{
	const Xdpfleet__V1__Attachment *const *list, *one;
	size_t cnt, w = strlen("PROGRAM");

	for (size_t i = 0; i < n; i++) {
		if (!h[i].ok)
			continue;
		cnt = output_attach_list(kind, h[i].msg, &list, &one);
		for (size_t j = 0; j < cnt; j++)
			if (strlen(list[j]->program) > w)
				w = strlen(list[j]->program);
	}
	return w > 100 ? 100 : (int)w;
}

static void output_attach_since(char *buf, size_t len, uint64_t unix_s)
{
	time_t t = (time_t)unix_s;
	struct tm tm;

	if (!unix_s || !gmtime_r(&t, &tm) || !strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, len, "-");
}

static int output_attach_table(FILE *f, const struct output_host *h, size_t n,
			       enum output_attach_kind kind, const struct output_opts *o)
{
	static const char *const last_header[] = { "REPLACED", "", "ATTACHED              STATE" };
	const Xdpfleet__V1__Attachment *const *list, *one;
	int hw = output_host_width(h, n), pw = output_attach_program_width(kind, h, n);
	char since[80], s1[OUTPUT_SAFE_MAX], s2[OUTPUT_SAFE_MAX],
		s3[OUTPUT_SAFE_MAX];
	const char *last;
	size_t cnt;

	/* Detach has no last column: PROGRAM then ends the line, unpadded. */
	if (kind == OUTPUT_DETACH)
		pw = 0;
	if (!o->no_headers)
		fprintf(f, "%-*s  %-15s  %7s  %-6s  %7s  %-*s%s%s\n", hw, "HOST", "IFACE", "IFINDEX",
			"MODE", "PROG_ID", pw, "PROGRAM", *last_header[kind] ? "  " : "",
			last_header[kind]);
	for (size_t i = 0; i < n; i++) {
		if (output_table_failed(f, &h[i], hw))
			continue;
		cnt = output_attach_list(kind, h[i].msg, &list, &one);
		if (!cnt)
			fprintf(f, "%-*s  (%s)\n", hw, h[i].host,
				kind == OUTPUT_STATUS ? "no attachments" : "empty answer");
		for (size_t j = 0; j < cnt; j++) {
			last = "";
			if (kind == OUTPUT_ATTACH) {
				last = ((const Xdpfleet__V1__AttachResponse *)h[i].msg)->replaced;
				last = last && *last ? last : "-";
			} else if (kind == OUTPUT_STATUS) {
				char at[32];

				output_attach_since(at, sizeof(at), list[j]->attached_at_unix);
				snprintf(since, sizeof(since), "%-20s  %s%s", at,
					 list[j]->state && *list[j]->state ? list[j]->state : "ok",
					 list[j]->enforces_rules ? " (rules enforced)" : "");
				last = since;
			}
			fprintf(f, "%-*s  %-15s  %7" PRIu32 "  %-6s  %7" PRIu32 "  %-*s%s%s\n", hw,
				h[i].host, output_safe(list[j]->ifname, s1, sizeof(s1)),
				list[j]->ifindex, names_mode(list[j]->mode), list[j]->prog_id, pw,
				output_safe(list[j]->program, s2, sizeof(s2)), *last ? "  " : "",
				output_safe(last, s3, sizeof(s3)));
			if (kind == OUTPUT_STATUS && list[j]->last_event && *list[j]->last_event) {
				output_attach_since(since, sizeof(since), list[j]->last_event_unix);
				/* Under its row; with --no-headers a row of its own, like the others. */
				fprintf(f, "%-*s    %s: %s\n", hw, o->no_headers ? h[i].host : "", since,
					output_safe(list[j]->last_event, s3, sizeof(s3)));
			}
		}
	}
	for (size_t i = 0; kind == OUTPUT_STATUS && i < n; i++) {
		const Xdpfleet__V1__ListAttachmentsResponse *r = (const Xdpfleet__V1__ListAttachmentsResponse *)h[i].msg;

		if (h[i].ok && r)
			output_table_warnings(f, h[i].host, r->warnings, r->n_warnings);
	}
	return ferror(f) ? -EIO : 0;
}

int output_table_attach(FILE *f, const struct output_host *h, size_t n,
			const struct output_opts *o)
{
	return output_attach_table(f, h, n, OUTPUT_ATTACH, o);
}

int output_table_detach(FILE *f, const struct output_host *h, size_t n,
			const struct output_opts *o)
{
	return output_attach_table(f, h, n, OUTPUT_DETACH, o);
}

int output_table_status(FILE *f, const struct output_host *h, size_t n,
			const struct output_opts *o)
{
	return output_attach_table(f, h, n, OUTPUT_STATUS, o);
}

int output_json_attachment(struct json_writer *w, const Xdpfleet__V1__Attachment *a)
{
	if (!a)
		return json_null(w);
	json_begin_object(w);
	json_kv_string(w, "ifname", a->ifname);
	json_kv_uint(w, "ifindex", a->ifindex);
	json_kv_string(w, "program", a->program);
	json_kv_string(w, "mode", names_mode(a->mode));
	json_kv_uint(w, "prog_id", a->prog_id);
	json_kv_uint(w, "attached_at_unix", a->attached_at_unix);
	json_kv_bool(w, "has_stats", a->has_stats);
	json_kv_string(w, "state", a->state && *a->state ? a->state : "ok");
	json_kv_bool(w, "enforces_rules", a->enforces_rules);
	json_kv_string(w, "last_event", a->last_event ? a->last_event : "");
	json_kv_uint(w, "last_event_unix", a->last_event_unix);
	return json_end_object(w);
}

int output_json_attach(struct json_writer *w, const ProtobufCMessage *msg)
{
	const Xdpfleet__V1__AttachResponse *r = (const Xdpfleet__V1__AttachResponse *)msg;

	json_key(w, "attachment");
	output_json_attachment(w, r->attachment);
	return json_kv_string(w, "replaced", r->replaced);
}

int output_json_detach(struct json_writer *w, const ProtobufCMessage *msg)
{
	const Xdpfleet__V1__DetachResponse *r = (const Xdpfleet__V1__DetachResponse *)msg;

	json_key(w, "detached");
	return output_json_attachment(w, r->detached);
}

int output_json_status(struct json_writer *w, const ProtobufCMessage *msg)
{
	const Xdpfleet__V1__ListAttachmentsResponse *r =
		(const Xdpfleet__V1__ListAttachmentsResponse *)msg;

	json_key(w, "attachments");
	json_begin_array(w);
	for (size_t i = 0; i < r->n_attachments; i++)
		output_json_attachment(w, r->attachments[i]);
	json_end_array(w);
	json_kv_uint(w, "rules", r->rules);
	return output_json_warnings(w, r->warnings, r->n_warnings);
}
