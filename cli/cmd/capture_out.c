// SPDX-License-Identifier: GPL-2.0-only
/* Writing what "xdpfleet capture" receives into pcap or merged pcapng files. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "capture_out.h"

int capture_out_host_path(const char *file, const char *host, char *buf, size_t len)
{
	const char *slash = strrchr(file, '/'), *dot = strrchr(file, '.');
	size_t stem, n = 0;
	char safe[256];

	if (!dot || (slash && dot < slash) || dot == (slash ? slash + 1 : file))
		dot = file + strlen(file);
	stem = (size_t)(dot - file);
	for (const char *c = host; *c && n < sizeof(safe) - 1; c++) {
		bool ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
			  *c == '.' || *c == '-' || *c == '_';

		safe[n++] = ok ? *c : '_';
	}
	safe[n] = '\0';
	if ((size_t)snprintf(buf, len, "%.*s-%s%s", (int)stem, file, safe, dot) >= len)
		return -ENAMETOOLONG;
	return 0;
}

static int open_file(const char *path, FILE **f, char *err, size_t errlen)
{
	*f = fopen(path, "wb");
	if (!*f) {
		int ret = -errno;

		snprintf(err, errlen, "-w: cannot create '%s': %s", path, strerror(errno));
		return ret;
	}
	return 0;
}

int capture_out_open(struct capture_out *o, const char *file, FILE *stdout_f, char *err, size_t errlen)
{
	char path[4096];
	int ret = 0;

	o->hosts = calloc(o->n, sizeof(*o->hosts));
	if (!o->hosts)
		return -ENOMEM;
	for (size_t i = 0; i < o->n; i++)
		xdpfleet__v1__capture_response__init(&o->hosts[i].last);
	if (o->merge || o->n == 1 || !strcmp(file, "-")) {
		o->shared_is_stdout = !strcmp(file, "-");
		if (o->shared_is_stdout)
			o->shared = stdout_f;
		else
			ret = open_file(file, &o->shared, err, errlen);
		if (!ret)
			ret = pcapw_open(&o->shared_w, o->shared, o->merge, o->snaplen);
		return ret;
	}
	for (size_t i = 0; i < o->n && !ret; i++) {
		struct capture_host_out *h = &o->hosts[i];

		ret = capture_out_host_path(file, o->names[i], path, sizeof(path));
		if (!ret)
			h->path = strdup(path);
		if (!ret && !h->path)
			ret = -ENOMEM;
		if (!ret)
			ret = open_file(path, &h->f, err, errlen);
		if (!ret)
			ret = pcapw_open(&h->w, h->f, false, o->snaplen);
	}
	return ret;
}

static const char *verdict_name(Xdpfleet__V1__XdpAction v)
{
	switch (v) {
	case XDPFLEET__V1__XDP_ACTION__XDP_DROP: return "drop";
	case XDPFLEET__V1__XDP_ACTION__XDP_PASS: return "pass";
	case XDPFLEET__V1__XDP_ACTION__XDP_ABORTED: return "aborted";
	default: return "other";
	}
}

int capture_out_message(struct capture_out *o, size_t host, const Xdpfleet__V1__CaptureResponse *msg)
{
	struct capture_host_out *h = &o->hosts[host];
	struct pcapw *w = h->f ? &h->w : &o->shared_w;
	char comment[512], name[300];
	int ret = 0;

	if (o->merge && !h->has_iface) {
		snprintf(name, sizeof(name), "%s:%s", o->names[host], o->ifname);
		ret = pcapw_add_iface(w, name, o->names[host], &h->iface);
		h->has_iface = !ret;
	}
	for (size_t i = 0; i < msg->n_packets && !ret; i++) {
		const Xdpfleet__V1__CapturedPacket *p = msg->packets[i];
		uint32_t len = p->data.len > o->snaplen ? o->snaplen : (uint32_t)p->data.len;

		snprintf(comment, sizeof(comment), "host %s verdict %s rule %llu", o->names[host],
			 verdict_name(p->verdict), (unsigned long long)p->rule_id);
		ret = pcapw_packet(w, h->iface, p->timestamp_unix_ns, p->orig_len < len ? len : p->orig_len,
				   p->data.data, len, o->merge ? comment : NULL);
		if (!ret)
			h->written++;
	}
	/* A pipe reader (tcpdump -r -) should see packets as they come. */
	if (!ret)
		ret = pcapw_flush(w);
	h->last.matched = msg->matched;
	h->last.sampled = msg->sampled;
	h->last.over_limit = msg->over_limit;
	h->last.lost = msg->lost;
	h->last.captured = msg->captured;
	h->got_any = true;
	if (ret && !h->err)
		h->err = ret;
	return ret;
}

int capture_out_close(struct capture_out *o)
{
	int ret = 0;

	for (size_t i = 0; o->hosts && i < o->n; i++) {
		struct capture_host_out *h = &o->hosts[i];

		if (h->f && fclose(h->f) && !ret)
			ret = -errno;
		ret = ret ?: h->err;
		free(h->path);
	}
	if (o->shared) {
		if (o->shared_is_stdout ? fflush(o->shared) : fclose(o->shared))
			ret = ret ?: -errno;
	}
	free(o->hosts);
	o->hosts = NULL;
	o->shared = NULL;
	return ret;
}
