// SPDX-License-Identifier: GPL-2.0-only
/* "xdpfleet stats": per-interface XDP action counters and rates of every host, once
 * (GetStats) or as a live watch (WatchStats). */
#include <errno.h>
#include <net/if.h>
#include <string.h>

#include "api_limits.h"
#include "call.h"
#include "commands.h"
#include "parse.h"
#include "stats_watch.h"

enum { OPT_WATCH = 'w', OPT_INTERVAL = 256, OPT_COUNT, OPT_REDRAW };

static const struct option cmd_stats_options[] = {
	{"watch", no_argument, NULL, OPT_WATCH},
	{"interval", required_argument, NULL, OPT_INTERVAL},
	{"count", required_argument, NULL, OPT_COUNT},
	{"redraw", no_argument, NULL, OPT_REDRAW},
	{NULL, 0, NULL, 0},
};

static int cmd_stats_run(struct cli_ctx *ctx, int argc, char **argv)
{
	Xdpfleet__V1__GetStatsRequest req = XDPFLEET__V1__GET_STATS_REQUEST__INIT;
	const struct call_unary call = {
		.method = "GetStats",
		.req = &req.base,
		.table = output_table_stats,
		.json = output_json_stats,
	};
	struct stats_watch_opts watch = { .ifname = "", .interval_ms = 1000 };
	bool watching = false;
	uint64_t count;
	int c;

	optind = 0;
	while ((c = parse_getopt(ctx, "stats", argc, argv, ":w", cmd_stats_options)) != -1) {
		switch (c) {
		case OPT_WATCH:
			watching = true;
			break;
		case OPT_INTERVAL:
			if (parse_duration_opt(ctx, "stats", "--interval", optarg,
					       API_WATCH_INTERVAL_MIN_MS, API_WATCH_INTERVAL_MAX_MS,
					       &watch.interval_ms))
				return -EINVAL;
			watching = true;
			break;
		case OPT_COUNT:
			if (parse_uint(optarg, 1, UINT32_MAX, &count))
				return cli_usage_error(ctx, "stats",
						       "--count: invalid value '%s' (expected a number "
						       "of snapshots, 1 or more)", optarg);
			watch.count = (uint32_t)count;
			watching = true;
			break;
		case OPT_REDRAW:
			watch.redraw = true;
			watching = true;
			break;
		default:
			return -EINVAL;
		}
	}
	if (optind + 1 < argc)
		return cli_usage_error(ctx, "stats", "unexpected argument '%s'", argv[optind + 1]);
	if (optind < argc) {
		if (!*argv[optind] || strlen(argv[optind]) >= IFNAMSIZ)
			return cli_usage_error(ctx, "stats", "invalid interface name '%s'",
					       argv[optind]);
		watch.ifname = argv[optind];
	}
	if (watching)
		return stats_watch_run(ctx, &watch);
	req.ifname = (char *)watch.ifname;
	return call_unary_run(ctx, &call);
}

const struct cli_command cmd_stats = {
	.name = "stats",
	.options = cmd_stats_options,
	.shortopts = "w",
	.summary = "XDP action counters and rates per interface of every host (once or live)",
	.usage = "stats [IFACE] [--watch] [--interval DURATION] [--count N] [--redraw]",
	.help =
		"Reads the per-action counters of the programs the agents attached (GetStats), for\n"
		"IFACE or for every attachment. With --watch the agents stream a snapshot per interval\n"
		"(WatchStats) and each tick is printed once every host has sent it.\n"
		"\n"
		"Options:\n"
		"  -w, --watch          stream snapshots until Ctrl-C (or --count)\n"
		"  --interval DURATION  time between snapshots, 100ms to 1h, e.g. 2, 0.5, 200ms\n"
		"                       (default 1s); implies --watch\n"
		"  --count N            stop after N snapshots; implies --watch\n"
		"  --redraw             clear the screen and print the full table each tick instead of\n"
		"                       appending rows; implies --watch\n"
		"\n"
		"Columns, per host and interface (program and mode in the group line):\n"
		"  ACTION      XDP_ABORTED, XDP_DROP, XDP_PASS, XDP_TX, XDP_REDIRECT\n"
		"  PACKETS     packets the program returned this action for, since it was attached\n"
		"  PPS         packets per second over PERIOD\n"
		"  BYTES       bytes of those packets\n"
		"  MBIT/S      megabits per second over PERIOD\n"
		"  PERIOD      seconds between the two counter reads the rates come from\n"
		"  EXCEPTIONS  xdp:xdp_exception tracepoint hits for this action on the interface\n"
		"              (XDP_ABORTED and failed XDP_TX/XDP_REDIRECT)\n"
		"A watch prints the header once and then TIME, HOST and IFACE on every row; so does\n"
		"--no-headers (without TIME and the header, for a plain read). A host two ticks\n"
		"behind the fastest is not waited for: its row says \"no snapshot for this tick\"; a\n"
		"host whose stream fails is listed with its error at the end.\n"
		"\n"
		"Reconnecting: when a watched agent goes away after it sent snapshots (restarted,\n"
		"upgraded: the stream ends UNAVAILABLE), the watch retries it after 0.2 s, doubling\n"
		"up to every 5 s, until it answers again, Ctrl-C, or the end of a --count watch; the\n"
		"other hosts go on meanwhile. stderr says 'HOST: the stream broke (...);\n"
		"reconnecting' and 'HOST: reconnected after 2.4s (3 attempts)'. A host that never\n"
		"answered, or fails otherwise, is a failed host as for any command.\n"
		"\n"
		"JSON (-o json): one array per answer; with --watch one line per tick:\n"
		"  [{\"host\":..,\"ok\":true,\"interfaces\":[{\"ifname\":\"eth0\",\"ifindex\":2,\n"
		"    \"program\":\"filter\",\"mode\":\"native\",\"period\":1.0,\"timestamp_ns\":..,\n"
		"    \"timestamp_unix_ns\":..,\"actions\":[{\"action\":\"XDP_ABORTED\",\"packets\":0,\n"
		"    \"bytes\":0,\"pps\":0,\"bps\":0}, ... all five ...],\"exceptions\":[{\"action\":\n"
		"    \"XDP_ABORTED\",\"count\":0}, ...]}]}]\n"
		"  timestamp_ns is the agent's monotonic clock, timestamp_unix_ns the same instant on\n"
		"  its wall clock. With --watch, a host that fails mid-stream is reported in one last\n"
		"  array holding only the failed hosts ({\"host\":..,\"ok\":false,\"code\":..,\"error\":..}).\n"
		"\n"
		"JSON lines (-o jsonl), for collectors: with --watch one object per host and snapshot,\n"
		"written and flushed as it arrives (no waiting for ticks):\n"
		"  {\"time\":\"2025-11-26T09:40:00.123Z\",\"host\":..,\"ok\":true,\"seq\":1,\"skipped\":0,\n"
		"   \"interfaces\":[{\"time\":\"2025-11-26T09:40:00.120Z\",\"ifname\":\"eth0\",...,\n"
		"   \"timestamp_unix_ns\":1764150000120000000,\"actions\":[...],\"exceptions\":[...]}]}\n"
		"  time (RFC 3339, UTC, milliseconds) is when the CLI received the snapshot; an\n"
		"  interface's time and timestamp_unix_ns are when the agent read its counters (null\n"
		"  and 0 from agents that do not send it); seq counts the host's snapshots; skipped\n"
		"  counts intervals the agent could not send because this reader was too slow.\n"
		"  Events, one line each, have \"event\" instead of \"ok\":\n"
		"  {\"time\":..,\"host\":..,\"event\":\"disconnected\",\"code\":\"UNAVAILABLE\",\"error\":..,\n"
		"   \"retry_in_ms\":200}\n"
		"  {\"time\":..,\"host\":..,\"event\":\"reconnected\",\"attempts\":3,\"down_ms\":2412}\n"
		"  A host's watch that ends failed: {\"time\":..,\"host\":..,\"ok\":false,\"code\":..,\n"
		"  \"error\":..,\"hint\":..} (hint when there is one). Without --watch, -o jsonl prints\n"
		"  the -o json objects one per line.\n"
		"\n"
		"Examples:\n"
		"  xdpfleet stats\n"
		"  xdpfleet --hosts-file fleet.txt stats eth0 --watch --interval 500ms\n"
		"  xdpfleet -o json stats --count 10 | jq -c '.[].interfaces[].actions[2].pps'\n"
		"  xdpfleet stats --watch -o jsonl | your-collector\n"
		"\n"
		"--timeout bounds a plain stats call; a watch with --count gets --timeout plus\n"
		"count x interval (reconnects included), an endless watch has no deadline (Ctrl-C\n"
		"ends it cleanly).\n"
		"\n"
		"Exit status: 0 every host answered (a watch ended by Ctrl-C counts as success),\n"
		"1 at least one host failed (named on stderr), 2 usage error (nothing sent).\n",
	.run = cmd_stats_run,
};
