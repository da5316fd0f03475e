// SPDX-License-Identifier: GPL-2.0-only
/* Where "xdpfleet capture" writes: one pcap per host (FILE-HOST.pcap when there are several),
 * stdout, or one merged pcapng with an interface per host and a comment per packet. */
#ifndef XDPFLEET_CLI_CAPTURE_OUT_H
#define XDPFLEET_CLI_CAPTURE_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "pcap_write.h"
#include "xdpfleet/v1/agent.pb-c.h"

struct capture_host_out {
	char *path;         /* NULL: the shared output */
	FILE *f;            /* own file, or NULL */
	struct pcapw w;     /* own writer (per-host files) */
	bool has_iface;     /* merged: the pcapng interface is declared */
	uint32_t iface;
	uint64_t written;
	Xdpfleet__V1__CaptureResponse last; /* counters of the last message (no packets) */
	bool got_any;
	int err;            /* first write error, -errno */
};

struct capture_out {
	const char *ifname;
	uint32_t snaplen;
	bool merge;
	FILE *shared;        /* -w - or the merged file */
	bool shared_is_stdout;
	struct pcapw shared_w;
	struct capture_host_out *hosts;
	const char *const *names; /* host names (targets) */
	size_t n;
};

/* "x.pcap" for host "10.0.0.1:50051" -> "x-10.0.0.1_50051.pcap": characters other than
 * [A-Za-z0-9._-] become '_', and the host goes before the extension (or at the end). */
int capture_out_host_path(const char *file, const char *host, char *buf, size_t len);
/* Opens the files (every host's, or the shared one) and writes their headers. file "-" is
 * stdout. -errno with err saying which file. */
int capture_out_open(struct capture_out *o, const char *file, FILE *stdout_f, char *err, size_t errlen);
/* Writes a host's packets; keeps its counters. */
int capture_out_message(struct capture_out *o, size_t host, const Xdpfleet__V1__CaptureResponse *msg);
/* Flushes and closes; -errno of the first error. */
int capture_out_close(struct capture_out *o);

#endif
