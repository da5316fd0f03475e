// SPDX-License-Identifier: GPL-2.0-only
/* pcap and pcapng writers (formats: tcpdump.org's pcap-savefile and draft-ietf-opsawg-pcapng),
 * in host byte order as both formats allow: readers detect it by the magic numbers. */
#include <errno.h>
#include <string.h>

#include "pcap_write.h"

#define PCAP_MAGIC_NS 0xa1b23c4du
#define NG_SHB 0x0a0d0d0au
#define NG_IDB 0x00000001u
#define NG_EPB 0x00000006u
#define NG_BOM 0x1a2b3c4du
#define NG_OPT_END 0
#define NG_OPT_COMMENT 1
#define NG_IF_NAME 2
#define NG_IF_DESC 3
#define NG_IF_TSRESOL 9

static int put(struct pcapw *w, const void *p, size_t len)
{
	return len && fwrite(p, 1, len, w->f) != len ? -EIO : 0;
}

static int put32(struct pcapw *w, uint32_t v)
{
	return put(w, &v, 4);
}

static uint32_t pad4(size_t len)
{
	return (uint32_t)((4 - len % 4) % 4);
}

/* Bytes an option with len bytes of value takes, padding included. */
static uint32_t opt_size(size_t len)
{
	return 4 + (uint32_t)len + pad4(len);
}

static int put_opt(struct pcapw *w, uint16_t code, const void *v, size_t len)
{
	static const uint8_t zeros[4];
	uint16_t h[2] = { code, (uint16_t)len };

	return put(w, h, 4) ?: put(w, v, len) ?: put(w, zeros, pad4(len));
}

int pcapw_open(struct pcapw *w, FILE *f, bool ng, uint32_t snaplen)
{
	int ret;

	*w = (struct pcapw){ .f = f, .ng = ng, .snaplen = snaplen };
	if (!ng) {
		uint32_t hdr[6] = { PCAP_MAGIC_NS, 2 | (4u << 16), 0, 0, snaplen, PCAPW_LINKTYPE_ETHERNET };

		return put(w, hdr, sizeof(hdr));
	}
	/* Section header: BOM, version 1.0, section length unknown (-1), no options. */
	ret = put32(w, NG_SHB) ?: put32(w, 28) ?: put32(w, NG_BOM);
	if (!ret) {
		uint16_t version[2] = { 1, 0 };

		ret = put(w, version, 4);
	}
	if (!ret) {
		int64_t unknown = -1;

		ret = put(w, &unknown, 8) ?: put32(w, 28);
	}
	return ret;
}

int pcapw_add_iface(struct pcapw *w, const char *name, const char *desc, uint32_t *id)
{
	size_t nlen = strnlen(name, 65535), dlen = desc ? strnlen(desc, 65535) : 0;
	uint32_t total = 20 + opt_size(nlen) + (dlen ? opt_size(dlen) : 0) + opt_size(1) + 4;
	uint8_t tsresol = 9; /* nanoseconds */
	uint16_t lt[2] = { PCAPW_LINKTYPE_ETHERNET, 0 };
	int ret;

	if (!w->ng)
		return -EINVAL;
	if (w->n_ifaces >= PCAPW_IFACES_MAX)
		return -E2BIG;
	ret = put32(w, NG_IDB) ?: put32(w, total) ?: put(w, lt, 4) ?: put32(w, w->snaplen) ?:
	      put_opt(w, NG_IF_NAME, name, nlen);
	if (!ret && dlen)
		ret = put_opt(w, NG_IF_DESC, desc, dlen);
	ret = ret ?: put_opt(w, NG_IF_TSRESOL, &tsresol, 1) ?: put_opt(w, NG_OPT_END, NULL, 0) ?: put32(w, total);
	if (!ret)
		*id = w->n_ifaces++;
	return ret;
}

int pcapw_packet(struct pcapw *w, uint32_t iface, uint64_t ts_ns, uint32_t orig_len, const void *data,
		 uint32_t len, const char *comment)
{
	static const uint8_t zeros[4];
	size_t clen = comment ? strnlen(comment, 65535) : 0;
	uint32_t total;
	int ret;

	if (len > w->snaplen || len > orig_len)
		return -EINVAL;
	if (!w->ng) {
		uint32_t rec[4] = { (uint32_t)(ts_ns / 1000000000u), (uint32_t)(ts_ns % 1000000000u), len, orig_len };

		return put(w, rec, sizeof(rec)) ?: put(w, data, len);
	}
	if (iface >= w->n_ifaces)
		return -EINVAL;
	total = 32 + len + pad4(len) + (clen ? opt_size(clen) + 4 : 0);
	ret = put32(w, NG_EPB) ?: put32(w, total) ?: put32(w, iface) ?: put32(w, (uint32_t)(ts_ns >> 32)) ?:
	      put32(w, (uint32_t)ts_ns) ?: put32(w, len) ?: put32(w, orig_len) ?: put(w, data, len) ?:
	      put(w, zeros, pad4(len));
	if (!ret && clen)
		ret = put_opt(w, NG_OPT_COMMENT, comment, clen) ?: put_opt(w, NG_OPT_END, NULL, 0);
	return ret ?: put32(w, total);
}

int pcapw_flush(struct pcapw *w)
{
	return fflush(w->f) ? -errno : 0;
}
