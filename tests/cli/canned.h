/* SPDX-License-Identifier: GPL-2.0-only */
/* Canned agent answers for the output tests, built in caller-owned storage. */
#ifndef XDPFLEET_TESTS_CLI_CANNED_H
#define XDPFLEET_TESTS_CLI_CANNED_H

#include "xdpfleet/v1/agent.pb-c.h"

struct canned_stats {
	Xdpfleet__V1__GetStatsResponse resp;
	Xdpfleet__V1__InterfaceStats ifs;
	Xdpfleet__V1__InterfaceStats *ifs_ptr;
	Xdpfleet__V1__ActionStats act[5];
	Xdpfleet__V1__ActionStats *act_ptr[5];
	Xdpfleet__V1__ExceptionCount exc[5];
	Xdpfleet__V1__ExceptionCount *exc_ptr[5];
};

/* One interface eth0 (ifindex 2, filter, native, period 1.0, read at
 * 2025-11-26T09:40:00.123Z + base ms): action a has packets base + a, bytes 100 * (base + a),
 * pps 10 * a, bps 8000 * a; exceptions: XDP_ABORTED = base. */
void canned_stats_init(struct canned_stats *c, uint64_t base);

struct canned_attachments {
	Xdpfleet__V1__ListAttachmentsResponse resp;
	Xdpfleet__V1__Attachment att[2];
	Xdpfleet__V1__Attachment *att_ptr[2];
	char *warnings[1];
};

/* eth0: filter native prog_id 42, enforcing rules; veth1: "objs/c.o:xdp_count" skb prog_id 7,
 * lost (removed behind the agent's back); 3 rules and a warning about veth1. */
void canned_attachments_init(struct canned_attachments *c);

struct canned_info {
	Xdpfleet__V1__GetInfoResponse resp;
	Xdpfleet__V1__Features features;
};

void canned_info_init(struct canned_info *c, const char *hostname);

#endif
