// SPDX-License-Identifier: GPL-2.0-only
/* GetInfo answers as a table (one row per host) and as JSON. */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <string.h>

#include "output.h"
#include "array_size.h"

static const Xdpfleet__V1__GetInfoResponse *output_info_msg(const struct output_host *h)
{
	return h->ok ? (const Xdpfleet__V1__GetInfoResponse *)h->msg : NULL;
}

/* Widest value of one string field among the ok hosts, at least the header's width. */
static int output_info_width(const struct output_host *h, size_t n, const char *header,
			     size_t field_offset)
{
	const Xdpfleet__V1__GetInfoResponse *info;
	size_t w = strlen(header), len;

	for (size_t i = 0; i < n; i++) {
		info = output_info_msg(&h[i]);
		if (!info)
			continue;
		len = strlen(*(const char *const *)((const char *)info + field_offset));
		if (len > w)
			w = len;
	}
	return (int)w;
}

static void output_info_uptime(char *buf, size_t len, uint64_t s)
{
	if (s >= 86400)
		snprintf(buf, len, "%" PRIu64 "d%02" PRIu64 "h", s / 86400, s % 86400 / 3600);
	else if (s >= 3600)
		snprintf(buf, len, "%" PRIu64 "h%02" PRIu64 "m", s / 3600, s % 3600 / 60);
	else if (s >= 60)
		snprintf(buf, len, "%" PRIu64 "m%02" PRIu64 "s", s / 60, s % 60);
	else
		snprintf(buf, len, "%" PRIu64 "s", s);
}

static void output_info_features(char *buf, size_t len, const Xdpfleet__V1__Features *f)
{
	const struct {
		bool on;
		const char *name;
	} list[] = {
		{f && f->native_xdp, "native"},   {f && f->skb_xdp, "skb"},
		{f && f->bpf_link, "link"},       {f && f->dispatcher, "dispatcher"},
		{f && f->tracepoints, "tracepoints"}, {f && f->map_batch_ops, "batch"},
	};
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(list); i++)
		if (list[i].on && used < len)
			used += snprintf(buf + used, len - used, "%s%s", used ? "," : "", list[i].name);
	if (!used)
		snprintf(buf, len, "-");
}

int output_table_info(FILE *f, const struct output_host *h, size_t n,
		      const struct output_opts *o)
{
	int hw = output_host_width(h, n);
	int nw = output_info_width(h, n, "HOSTNAME",
				   offsetof(Xdpfleet__V1__GetInfoResponse, hostname));
	int vw = output_info_width(h, n, "VERSION",
				   offsetof(Xdpfleet__V1__GetInfoResponse, version));
	int kw = output_info_width(h, n, "KERNEL", offsetof(Xdpfleet__V1__GetInfoResponse, kernel));
	int aw = output_info_width(h, n, "API",
				   offsetof(Xdpfleet__V1__GetInfoResponse, api_version));
	const Xdpfleet__V1__GetInfoResponse *info;
	char up[32], feat[128], s1[OUTPUT_SAFE_MAX], s2[OUTPUT_SAFE_MAX],
		s3[OUTPUT_SAFE_MAX], s4[OUTPUT_SAFE_MAX];

	if (!o->no_headers)
		fprintf(f, "%-*s  %-*s  %-*s  %-*s  %-*s  %8s  %7s  %8s  %s\n", hw, "HOST", nw,
			"HOSTNAME", vw, "VERSION", kw, "KERNEL", aw, "API", "UPTIME", "ATTACH", "RULES",
			"FEATURES");
	for (size_t i = 0; i < n; i++) {
		info = output_info_msg(&h[i]);
		if (output_table_failed(f, &h[i], hw))
			continue;
		if (!info) {
			fprintf(f, "%-*s  (empty answer)\n", hw, h[i].host);
			continue;
		}
		output_info_uptime(up, sizeof(up), info->uptime_seconds);
		output_info_features(feat, sizeof(feat), info->features);
		fprintf(f, "%-*s  %-*s  %-*s  %-*s  %-*s  %8s  %7" PRIu32 "  %8" PRIu64 "  %s\n", hw,
			h[i].host, nw, output_safe(info->hostname, s1, sizeof(s1)), vw,
			output_safe(info->version, s2, sizeof(s2)), kw,
			output_safe(info->kernel, s3, sizeof(s3)), aw,
			output_safe(info->api_version, s4, sizeof(s4)), up, info->attachments,
			info->rules, feat);
	}
	for (size_t i = 0; i < n; i++)
		if ((info = output_info_msg(&h[i])))
			output_table_warnings(f, h[i].host, info->warnings, info->n_warnings);
	return ferror(f) ? -EIO : 0;
}

int output_json_info(struct json_writer *w, const ProtobufCMessage *msg)
{
	const Xdpfleet__V1__GetInfoResponse *info = (const Xdpfleet__V1__GetInfoResponse *)msg;
	const Xdpfleet__V1__Features *ft = info->features;

	json_kv_string(w, "version", info->version);
	json_kv_string(w, "hostname", info->hostname);
	json_kv_string(w, "kernel", info->kernel);
	json_kv_string(w, "api_version", info->api_version);
	json_kv_uint(w, "uptime_seconds", info->uptime_seconds);
	json_kv_uint(w, "attachments", info->attachments);
	json_kv_uint(w, "rules", info->rules);
	json_kv_bool(w, "rules_enforced", info->rules_enforced);
	output_json_warnings(w, info->warnings, info->n_warnings);
	json_key(w, "features");
	json_begin_object(w);
	json_kv_bool(w, "native_xdp", ft && ft->native_xdp);
	json_kv_bool(w, "skb_xdp", ft && ft->skb_xdp);
	json_kv_bool(w, "bpf_link", ft && ft->bpf_link);
	json_kv_bool(w, "dispatcher", ft && ft->dispatcher);
	json_kv_bool(w, "tracepoints", ft && ft->tracepoints);
	json_kv_bool(w, "map_batch_ops", ft && ft->map_batch_ops);
	json_end_object(w);
	return w->err;
}
