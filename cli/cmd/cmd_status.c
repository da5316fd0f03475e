// SPDX-License-Identifier: GPL-2.0-only
/* "xdpfleet status": the XDP programs each agent has attached (ListAttachments). */
#include <errno.h>

#include "call.h"
#include "commands.h"
#include "parse.h"

static int cmd_status_run(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option none[] = { {NULL, 0, NULL, 0} };
	Xdpfleet__V1__ListAttachmentsRequest req = XDPFLEET__V1__LIST_ATTACHMENTS_REQUEST__INIT;
	const struct call_unary call = {
		.method = "ListAttachments",
		.req = &req.base,
		.table = output_table_status,
		.json = output_json_status,
	};

	optind = 0;
	if (parse_getopt(ctx, "status", argc, argv, ":", none) != -1)
		return -EINVAL;
	if (optind < argc)
		return cli_usage_error(ctx, "status", "unexpected argument '%s'", argv[optind]);
	return call_unary_run(ctx, &call);
}

const struct cli_command cmd_status = {
	.name = "status",
	.summary = "the XDP programs every agent has attached, per interface",
	.usage = "status",
	.help =
		"Lists every attachment each agent manages (ListAttachments): one row per host and\n"
		"interface. Nothing on the host changes.\n"
		"\n"
		"Table columns: HOST, IFACE, IFINDEX, MODE (native, skb or hw: the mode really in\n"
		"use), PROG_ID (the kernel's BPF program id, as bpftool prog show lists it), PROGRAM\n"
		"(a built-in name, or PATH:PROGRAM for a custom object), ATTACHED (UTC time).\n"
		"A host without attachments prints \"(no attachments)\".\n"
		"\n"
		"JSON (-o json), one object per host:\n"
		"  {\"host\":\"198.18.0.2:50051\",\"ok\":true,\"attachments\":[{\"ifname\":\"eth0\",\n"
		"   \"ifindex\":2,\"program\":\"filter\",\"mode\":\"native\",\"prog_id\":42,\n"
		"   \"attached_at_unix\":1700000000,\"has_stats\":true}]}\n"
		"\n"
		"Examples:\n"
		"  xdpfleet status\n"
		"  xdpfleet --hosts-file fleet.txt -o json status | jq '.[] | select(.ok) | .host'\n"
		"\n"
		"Exit status: 0 every host answered, 1 at least one did not (named on stderr),\n"
		"2 usage error.\n",
	.run = cmd_status_run,
};
