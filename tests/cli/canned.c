// SPDX-License-Identifier: GPL-2.0-only
/* Canned agent answers (see canned.h). */
#include <string.h>

#include "canned.h"

void canned_stats_init(struct canned_stats *c, uint64_t base)
{
	int a;

	memset(c, 0, sizeof(*c));
	xdpfleet__v1__get_stats_response__init(&c->resp);
	xdpfleet__v1__interface_stats__init(&c->ifs);
	c->ifs.ifname = "eth0";
	c->ifs.ifindex = 2;
	c->ifs.program = "filter";
	c->ifs.mode = XDPFLEET__V1__ATTACH_MODE__ATTACH_MODE_NATIVE;
	c->ifs.period = 1.0;
	c->ifs.timestamp_ns = 1000 + base;
	/* 2025-11-26T09:40:00.123Z plus base ms */
	c->ifs.timestamp_unix_ns = 1764150000123000000ull + base * 1000000ull;
	for (a = 0; a < 5; a++) {
		xdpfleet__v1__action_stats__init(&c->act[a]);
		c->act[a].action = a;
		c->act[a].packets = base + a;
		c->act[a].bytes = 100 * (base + a);
		c->act[a].pps = 10.0 * a;
		c->act[a].bps = 8000.0 * a;
		c->act_ptr[a] = &c->act[a];
		xdpfleet__v1__exception_count__init(&c->exc[a]);
		c->exc[a].action = a;
		c->exc[a].count = a == 0 ? base : 0;
		c->exc_ptr[a] = &c->exc[a];
	}
	c->ifs.n_actions = 5;
	c->ifs.actions = c->act_ptr;
	c->ifs.n_exceptions = 5;
	c->ifs.exceptions = c->exc_ptr;
	c->ifs_ptr = &c->ifs;
	c->resp.n_interfaces = 1;
	c->resp.interfaces = &c->ifs_ptr;
}

void canned_attachments_init(struct canned_attachments *c)
{
	memset(c, 0, sizeof(*c));
	xdpfleet__v1__list_attachments_response__init(&c->resp);
	xdpfleet__v1__attachment__init(&c->att[0]);
	c->att[0].ifname = "eth0";
	c->att[0].ifindex = 2;
	c->att[0].program = "filter";
	c->att[0].mode = XDPFLEET__V1__ATTACH_MODE__ATTACH_MODE_NATIVE;
	c->att[0].prog_id = 42;
	c->att[0].attached_at_unix = 1700000000;
	c->att[0].has_stats = 1;
	c->att[0].state = "ok";
	c->att[0].enforces_rules = 1;
	xdpfleet__v1__attachment__init(&c->att[1]);
	c->att[1].ifname = "veth1";
	c->att[1].ifindex = 9;
	c->att[1].program = "objs/c.o:xdp_count";
	c->att[1].mode = XDPFLEET__V1__ATTACH_MODE__ATTACH_MODE_SKB;
	c->att[1].prog_id = 7;
	c->att[1].state = "lost";
	c->att[1].last_event = "program 7 was removed behind the agent's back; left so (--no-reattach)";
	c->att[1].last_event_unix = 1700000100;
	c->warnings[0] = "veth1: lost: program 7 was removed behind the agent's back; left so (--no-reattach)";
	c->resp.warnings = c->warnings;
	c->resp.n_warnings = 1;
	c->resp.rules = 3;
	c->att_ptr[0] = &c->att[0];
	c->att_ptr[1] = &c->att[1];
	c->resp.n_attachments = 2;
	c->resp.attachments = c->att_ptr;
}

void canned_info_init(struct canned_info *c, const char *hostname)
{
	memset(c, 0, sizeof(*c));
	xdpfleet__v1__get_info_response__init(&c->resp);
	xdpfleet__v1__features__init(&c->features);
	c->features.native_xdp = 1;
	c->features.skb_xdp = 1;
	c->features.tracepoints = 1;
	c->resp.version = "0.1.0";
	c->resp.hostname = (char *)hostname;
	c->resp.kernel = "6.1.0-18-amd64";
	c->resp.api_version = "xdpfleet.v1";
	c->resp.uptime_seconds = 3725;
	c->resp.attachments = 1;
	c->resp.rules = 3;
	c->resp.features = &c->features;
}
