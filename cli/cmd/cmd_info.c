// SPDX-License-Identifier: GPL-2.0-only
/* "xdpfleet info": who every agent is and what its kernel can do (GetInfo). */
#include <errno.h>

#include "call.h"
#include "commands.h"
#include "parse.h"

static int cmd_info_run(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option none[] = { {NULL, 0, NULL, 0} };
	Xdpfleet__V1__GetInfoRequest req = XDPFLEET__V1__GET_INFO_REQUEST__INIT;
	const struct call_unary call = {
		.method = "GetInfo",
		.req = &req.base,
		.table = output_table_info,
		.json = output_json_info,
	};

	optind = 0;
	if (parse_getopt(ctx, "info", argc, argv, ":", none) != -1)
		return -EINVAL;
	if (optind < argc)
		return cli_usage_error(ctx, "info", "unexpected argument '%s'", argv[optind]);
	return call_unary_run(ctx, &call);
}

const struct cli_command cmd_info = {
	.name = "info",
	.summary = "agent version, hostname, kernel, uptime and XDP features of every host",
	.usage = "info",
	.help =
		"Asks every target for its identity (GetInfo). Nothing on the host changes.\n"
		"\n"
		"Table columns: HOST (the target as given), HOSTNAME, VERSION (agent release),\n"
		"KERNEL (uname -r), API (API version), UPTIME (agent uptime), ATTACH (programs this\n"
		"agent attached), RULES (filter rules loaded), FEATURES (what the kernel offers:\n"
		"native = driver-mode XDP, skb = generic XDP, link = bpf_link attachments,\n"
		"dispatcher = libxdp multi-program dispatcher, tracepoints = xdp:xdp_exception\n"
		"counting, batch = batched map updates).\n"
		"\n"
		"JSON (-o json), one object per host:\n"
		"  {\"host\":\"unix:/run/xdpfleet/agent.sock\",\"ok\":true,\"version\":\"0.1.0\",\n"
		"   \"hostname\":\"web1\",\"kernel\":\"6.1.0-18-amd64\",\"api_version\":\"xdpfleet.v1\",\n"
		"   \"uptime_seconds\":3600,\"attachments\":1,\"rules\":0,\"features\":{\"native_xdp\":true,\n"
		"   \"skb_xdp\":true,\"bpf_link\":true,\"dispatcher\":false,\"tracepoints\":true,\n"
		"   \"map_batch_ops\":true}}\n"
		"\n"
		"Examples:\n"
		"  xdpfleet info\n"
		"  xdpfleet -H unix:/run/a.sock,unix:/run/b.sock -o json info\n"
		"  xdpfleet --hosts-file fleet.txt --tls-ca ca.pem --timeout 2 info\n"
		"\n"
		"Exit status: 0 every host answered, 1 at least one did not (named on stderr),\n"
		"2 usage error.\n",
	.run = cmd_info_run,
};
