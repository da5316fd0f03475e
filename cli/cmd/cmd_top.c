// SPDX-License-Identifier: GPL-2.0-only
/* "xdpfleet top": the heaviest sources of every host (WatchTop), per host and interface and
 * summed over the fleet, one view per interval. */
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "api_limits.h"
#include "call.h"
#include "commands.h"
#include "output_top.h"
#include "parse.h"

#define TOP_LAG 2 /* ticks a host may fall behind before a view is printed without it */

enum { OPT_INTERVAL = 256, OPT_COUNT, OPT_N = 'n' };

static const struct option cmd_top_options[] = {
	{"interval", required_argument, NULL, OPT_INTERVAL},
	{"count", required_argument, NULL, OPT_COUNT},
	{"top", required_argument, NULL, OPT_N},
	{NULL, 0, NULL, 0},
};

struct top_host {
	Xdpfleet__V1__WatchTopResponse *latest;
	uint64_t got;
	bool ended;
};

struct top_watch {
	struct cli_ctx *ctx;
	struct top_host *hosts;
	size_t n, limit;
	uint64_t printed;
	bool redraw;
	int err;
};

static uint64_t wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void top_print_json(struct top_watch *w, const struct top_merged *m, size_t nm, char *when)
{
	FILE *f = w->ctx->io.out;
	struct json_writer jw;
	bool lines = w->ctx->g.output == CLI_OUTPUT_JSONL;

	json_init(&jw, f);
	if (!lines) {
		json_begin_object(&jw);
		json_kv_string(&jw, "time", when);
		json_key(&jw, "hosts");
		json_begin_array(&jw);
	}
	for (size_t i = 0; i < w->n; i++) {
		if (!w->hosts[i].latest)
			continue;
		if (lines)
			json_init(&jw, f);
		json_begin_object(&jw);
		if (lines)
			json_kv_string(&jw, "time", when);
		json_kv_string(&jw, "host", w->ctx->g.hosts.targets[i]);
		json_kv_bool(&jw, "ok", true);
		json_kv_uint(&jw, "skipped", w->hosts[i].latest->skipped);
		output_json_top_host(&jw, w->hosts[i].latest);
		json_end_object(&jw);
		if (lines && (json_finish(&jw) || fputc('\n', f) == EOF))
			w->err = -EIO;
	}
	if (lines) {
		json_init(&jw, f);
		json_begin_object(&jw);
		json_kv_string(&jw, "time", when);
	} else {
		json_end_array(&jw);
	}
	json_key(&jw, "fleet");
	output_json_top_fleet(&jw, m, nm, w->limit);
	json_end_object(&jw);
	if (json_finish(&jw) || fputc('\n', f) == EOF)
		w->err = -EIO;
}

static void top_print(struct top_watch *w)
{
	const Xdpfleet__V1__WatchTopResponse **msgs = calloc(w->n, sizeof(*msgs));
	struct top_merged *m = NULL;
	FILE *f = w->ctx->io.out;
	char when[40];
	size_t nm = 0;

	if (!msgs) {
		w->err = -ENOMEM;
		return;
	}
	for (size_t i = 0; i < w->n; i++)
		msgs[i] = w->hosts[i].latest;
	if (output_top_merge(msgs, w->n, &m, &nm)) {
		w->err = -ENOMEM;
		goto out;
	}
	output_rfc3339_ms(when, sizeof(when), wall_ns());
	if (w->ctx->g.output != CLI_OUTPUT_TABLE) {
		top_print_json(w, m, nm, when);
		goto out;
	}
	if (w->ctx->g.no_headers) {
		for (size_t i = 0; i < w->n; i++)
			output_rows_top_host(f, w->ctx->g.hosts.targets[i], w->hosts[i].latest, w->limit);
		goto out;
	}
	if (w->redraw)
		fputs("\033[H\033[2J", f);
	else if (w->printed)
		fputc('\n', f);
	fprintf(f, "%s\n", when);
	for (size_t i = 0; i < w->n; i++)
		output_table_top_host(f, w->ctx->g.hosts.targets[i], w->hosts[i].latest, w->limit);
	if (w->n > 1)
		output_table_top_fleet(f, m, nm, w->limit);
out:
	fflush(f);
	w->printed++;
	free(m);
	free(msgs);
}

/* A view once every host still streaming has sent its next message (or one is far ahead). */
static void top_maybe_print(struct top_watch *w)
{
	bool all = true, ahead = false, any = false;

	for (size_t i = 0; i < w->n; i++) {
		if (w->hosts[i].got > w->printed + TOP_LAG)
			ahead = true;
		if (w->hosts[i].got > w->printed)
			any = true;
		else if (!w->hosts[i].ended)
			all = false;
	}
	if (any && (all || ahead))
		top_print(w);
}

static int top_on_message(void *user, size_t host, ProtobufCMessage *msg)
{
	struct top_watch *w = user;
	struct top_host *h = &w->hosts[host];

	if (h->latest)
		protobuf_c_message_free_unpacked(&h->latest->base, NULL);
	h->latest = (Xdpfleet__V1__WatchTopResponse *)msg;
	h->got++;
	top_maybe_print(w);
	return 0;
}

static void top_on_done(void *user, size_t host, const struct rpc_host_result *result)
{
	struct top_watch *w = user;

	(void)result;
	w->hosts[host].ended = true;
	top_maybe_print(w);
}

static int cmd_top_run(struct cli_ctx *ctx, int argc, char **argv)
{
	Xdpfleet__V1__WatchTopRequest req = XDPFLEET__V1__WATCH_TOP_REQUEST__INIT;
	struct top_watch w = { .ctx = ctx, .n = ctx->g.hosts.n, .limit = 20 };
	struct call_stream call = {
		.method = "WatchTop",
		.req = &req.base,
		.on_message = top_on_message,
		.on_done = top_on_done,
		.user = &w,
		.endless = true,
	};
	struct rpc_host_result *end = NULL;
	struct output_host *h = NULL;
	unsigned int interval = 1000;
	uint64_t v;
	int c, err;

	optind = 0;
	while ((c = parse_getopt(ctx, "top", argc, argv, ":n:", cmd_top_options)) != -1) {
		switch (c) {
		case OPT_INTERVAL:
			if (parse_duration_opt(ctx, "top", "--interval", optarg, API_WATCH_INTERVAL_MIN_MS,
					       API_WATCH_INTERVAL_MAX_MS, &interval))
				return -EINVAL;
			break;
		case OPT_COUNT:
			if (parse_uint(optarg, 1, UINT32_MAX, &v))
				return cli_usage_error(ctx, "top", "--count: invalid value '%s' (expected a number "
						       "of views, 1 or more)", optarg);
			req.count = (uint32_t)v;
			break;
		case OPT_N:
			if (parse_uint(optarg, 1, 1000, &v))
				return cli_usage_error(ctx, "top", "-n: invalid value '%s' (expected 1 to 1000 "
						       "sources)", optarg);
			w.limit = (size_t)v;
			break;
		default:
			return -EINVAL;
		}
	}
	if (optind + 1 < argc)
		return cli_usage_error(ctx, "top", "unexpected argument '%s'", argv[optind + 1]);
	if (optind < argc) {
		if (!*argv[optind] || strlen(argv[optind]) >= IFNAMSIZ)
			return cli_usage_error(ctx, "top", "invalid interface name '%s'", argv[optind]);
		req.ifname = argv[optind];
	}
	req.interval_ms = interval;
	/* The fleet view needs every host's sources, not only each host's heaviest few. */
	req.limit = w.n > 1 ? 1000 : (uint32_t)w.limit;
	if (req.count)
		call.timeout_ms = ctx->g.timeout_ms + interval * req.count;
	w.redraw = ctx->g.output == CLI_OUTPUT_TABLE && isatty(fileno(ctx->io.out)) == 1;
	w.hosts = calloc(w.n ? w.n : 1, sizeof(*w.hosts));
	if (!w.hosts)
		return -ENOMEM;
	err = call_stream_run(ctx, &call, &end);
	if (err)
		goto out;
	err = call_hosts(ctx, end, &h);
	if (!err)
		err = call_report_failures(ctx, h, w.n) ?: (w.err ? -EIO : 0);
out:
	call_results_free(ctx, end);
	free(h);
	for (size_t i = 0; i < w.n; i++)
		if (w.hosts[i].latest)
			protobuf_c_message_free_unpacked(&w.hosts[i].latest->base, NULL);
	free(w.hosts);
	return err == -EINVAL ? -EIO : err;
}

const struct cli_command cmd_top = {
	.name = "top",
	.options = cmd_top_options,
	.shortopts = "n:",
	.summary = "the heaviest sources of every host and of the fleet, live (top talkers)",
	.usage = "top [IFACE] [--interval DURATION] [-n N] [--count N]",
	.help =
		"Streams the heaviest source prefixes the filter programs saw (WatchTop): per host and\n"
		"interface, and with several hosts the fleet view, every source summed over hosts,\n"
		"heaviest first by packets per second. Sources are IPv4 /32 and IPv6 /64 prefixes\n"
		"unless the agent runs with --top-prefix-v4/--top-prefix-v6. Rates are over the agent's\n"
		"latest 500 ms sample; only interfaces running the filter program are counted.\n"
		"\n"
		"Options:\n"
		"  --interval DURATION  time between views, 100ms to 1h (default 1s)\n"
		"  -n, --top N          sources per table, 1 to 1000 (default 20)\n"
		"  --count N            stop after N views (default: until Ctrl-C)\n"
		"\n"
		"Columns: SOURCE, PPS, RATE (bits per second), DROPPED and PASSED (packets of the\n"
		"period by verdict), PORT (the most frequent tcp/udp destination port, 0: none),\n"
		"HOSTS (fleet view: hosts that saw the source). On a terminal each view replaces the\n"
		"previous one. With --no-headers: one line per host, interface and source, 'HOST IFACE\n"
		"SOURCE PPS BPS DROPPED PASSED PORT', and no fleet view.\n"
		"\n"
		"JSON (-o json): one object per view and line:\n"
		"  {\"time\":..,\"hosts\":[{\"host\":..,\"ok\":true,\"skipped\":0,\"interfaces\":[{\"ifname\":..,\n"
		"   \"ifindex\":..,\"period\":0.5,\"timestamp_unix_ns\":..,\"active\":3,\"sources\":[{\"src\":\n"
		"   \"198.18.0.1/32\",\"pps\":..,\"bps\":..,\"packets\":..,\"bytes\":..,\"passed\":..,\"dropped\":..,\n"
		"   \"other\":..,\"tcp\":..,\"udp\":..,\"icmp\":..,\"other_proto\":..,\"top_port\":..}]}]}],\n"
		"   \"fleet\":[{\"src\":..,\"pps\":..,\"bps\":..,\"packets\":..,\"bytes\":..,\"dropped\":..,\n"
		"   \"hosts\":1}]}\n"
		"JSON lines (-o jsonl): each host's object on a line of its own (with \"time\"), then\n"
		"{\"time\":..,\"fleet\":[...]} per view.\n"
		"\n"
		"Examples:\n"
		"  xdpfleet top\n"
		"  xdpfleet --hosts-file fleet.txt top -n 10 --interval 2s\n"
		"  xdpfleet top eth0 -o json --count 1 | jq '.fleet[0]'\n"
		"\n"
		"Exit status: 0 every host answered (Ctrl-C counts as success), 1 at least one host\n"
		"failed (named on stderr), 2 usage error (nothing sent).\n",
	.run = cmd_top_run,
};
