// SPDX-License-Identifier: GPL-2.0-only
/* Writing captures: classic pcap (nanosecond timestamps, Ethernet) for one source, or pcapng
 * with one interface per source and a comment per packet, for merged captures. */
#ifndef XDPFLEET_PCAP_WRITE_H
#define XDPFLEET_PCAP_WRITE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define PCAPW_LINKTYPE_ETHERNET 1
#define PCAPW_IFACES_MAX 4096 /* pcapng interfaces one writer declares */

struct pcapw {
	FILE *f;
	bool ng;
	uint32_t snaplen;
	uint32_t n_ifaces; /* pcapng: interfaces declared so far */
};

/* Writes the file header (pcap) or section header (pcapng). 0 or -errno. */
int pcapw_open(struct pcapw *w, FILE *f, bool ng, uint32_t snaplen);
/* pcapng: declares an interface (name, e.g. "host:eth0", and description); *id gets its
 * number for pcapw_packet. -E2BIG past PCAPW_IFACES_MAX. */
int pcapw_add_iface(struct pcapw *w, const char *name, const char *desc, uint32_t *id);
/* One packet: ts_ns since the Unix epoch, orig_len the frame's length, len <= snaplen bytes
 * of data. iface and comment (NULL: none) are for pcapng and ignored by pcap. */
int pcapw_packet(struct pcapw *w, uint32_t iface, uint64_t ts_ns, uint32_t orig_len, const void *data,
		 uint32_t len, const char *comment);
/* Flushes; the FILE stays the caller's. */
int pcapw_flush(struct pcapw *w);

#endif
