// SPDX-License-Identifier: GPL-2.0-only
/* "xdpfleet capture": sampled packets the filter decided, from every host, into pcap files
 * (Capture streams). */
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>

#include "api_limits.h"
#include "call.h"
#include "capture_out.h"
#include "commands.h"
#include "parse.h"

enum { OPT_WRITE = 'w', OPT_VERDICT = 256, OPT_RULE, OPT_SAMPLE, OPT_COUNT, OPT_SNAPLEN, OPT_MAX_PPS,
       OPT_MERGE, OPT_DURATION };

static const struct option cmd_capture_options[] = {
	{"write", required_argument, NULL, OPT_WRITE},
	{"verdict", required_argument, NULL, OPT_VERDICT},
	{"rule", required_argument, NULL, OPT_RULE},
	{"sample", required_argument, NULL, OPT_SAMPLE},
	{"count", required_argument, NULL, OPT_COUNT},
	{"snaplen", required_argument, NULL, OPT_SNAPLEN},
	{"max-pps", required_argument, NULL, OPT_MAX_PPS},
	{"merge", no_argument, NULL, OPT_MERGE},
	{"duration", required_argument, NULL, OPT_DURATION},
	{NULL, 0, NULL, 0},
};

struct capture_args {
	Xdpfleet__V1__CaptureRequest req;
	const char *file;
	bool merge;
	unsigned int duration_ms;
};

/* "1/N" or "N". */
static int parse_sample(const char *s, uint32_t *n)
{
	uint64_t v;

	if (!strncmp(s, "1/", 2))
		s += 2;
	if (parse_uint(s, 1, API_CAPTURE_SAMPLE_MAX, &v))
		return -EINVAL;
	*n = (uint32_t)v;
	return 0;
}

static int parse_verdict(const char *s, Xdpfleet__V1__CaptureVerdict *v)
{
	if (!strcmp(s, "drop"))
		*v = XDPFLEET__V1__CAPTURE_VERDICT__CAPTURE_VERDICT_DROP;
	else if (!strcmp(s, "pass"))
		*v = XDPFLEET__V1__CAPTURE_VERDICT__CAPTURE_VERDICT_PASS;
	else if (!strcmp(s, "any"))
		*v = XDPFLEET__V1__CAPTURE_VERDICT__CAPTURE_VERDICT_ANY;
	else
		return -EINVAL;
	return 0;
}

static int parse_number(const struct cli_ctx *ctx, const char *opt, const char *s, uint64_t min, uint64_t max,
			uint64_t *v)
{
	if (parse_uint(s, min, max, v))
		return cli_usage_error(ctx, "capture", "%s: invalid value '%s' (expected %llu to %llu)", opt, s,
				       (unsigned long long)min, (unsigned long long)max);
	return 0;
}

static int parse_option(const struct cli_ctx *ctx, int c, struct capture_args *a)
{
	uint64_t v = 0;
	int ret = 0;

	switch (c) {
	case OPT_WRITE:
		a->file = optarg;
		return 0;
	case OPT_VERDICT:
		if (parse_verdict(optarg, &a->req.verdict))
			return cli_usage_error(ctx, "capture", "--verdict: '%s' is not drop, pass or any", optarg);
		return 0;
	case OPT_RULE:
		ret = parse_number(ctx, "--rule", optarg, 1, UINT64_MAX, &v);
		a->req.rule_id = v;
		return ret;
	case OPT_SAMPLE:
		if (parse_sample(optarg, &a->req.sample))
			return cli_usage_error(ctx, "capture", "--sample: invalid value '%s' (expected 1/N or N, N from 1 "
					       "to %d)", optarg, API_CAPTURE_SAMPLE_MAX);
		return 0;
	case OPT_COUNT:
		ret = parse_number(ctx, "--count", optarg, 1, API_CAPTURE_COUNT_MAX, &v);
		a->req.count = (uint32_t)v;
		return ret;
	case OPT_SNAPLEN:
		ret = parse_number(ctx, "--snaplen", optarg, 1, API_CAPTURE_SNAPLEN_MAX, &v);
		a->req.snaplen = (uint32_t)v;
		return ret;
	case OPT_MAX_PPS:
		ret = parse_number(ctx, "--max-pps", optarg, 1, API_CAPTURE_PPS_MAX, &v);
		a->req.max_pps = (uint32_t)v;
		return ret;
	case OPT_MERGE:
		a->merge = true;
		return 0;
	case OPT_DURATION:
		return parse_duration_opt(ctx, "capture", "--duration", optarg, 100, 86400000, &a->duration_ms);
	default:
		return -EINVAL;
	}
}

static int capture_parse(const struct cli_ctx *ctx, int argc, char **argv, struct capture_args *a)
{
	int c;

	optind = 0;
	while ((c = parse_getopt(ctx, "capture", argc, argv, ":w:", cmd_capture_options)) != -1)
		if (parse_option(ctx, c, a))
			return -EINVAL;
	if (optind >= argc)
		return cli_usage_error(ctx, "capture", "missing the interface (capture IFACE -w FILE)");
	if (optind + 1 < argc)
		return cli_usage_error(ctx, "capture", "unexpected argument '%s'", argv[optind + 1]);
	if (!*argv[optind] || strlen(argv[optind]) >= IFNAMSIZ)
		return cli_usage_error(ctx, "capture", "invalid interface name '%s'", argv[optind]);
	a->req.ifname = argv[optind];
	if (!a->file || !*a->file)
		return cli_usage_error(ctx, "capture", "-w FILE is required (-w - writes to stdout)");
	if (!strcmp(a->file, "-") && ctx->g.hosts.n > 1 && !a->merge)
		return cli_usage_error(ctx, "capture", "-w -: %zu hosts cannot share one pcap stream; add --merge "
				       "(one pcapng) or give a file name (one pcap per host)", ctx->g.hosts.n);
	return 0;
}

struct capture_run {
	const struct cli_ctx *ctx;
	struct capture_out out;
};

static int on_message(void *user, size_t host, ProtobufCMessage *msg)
{
	struct capture_run *r = user;
	int ret = capture_out_message(&r->out, host, (Xdpfleet__V1__CaptureResponse *)msg);

	if (ret)
		fprintf(r->ctx->io.err, CLI_PROG " capture: %s: cannot write: %s\n", r->out.names[host], strerror(-ret));
	protobuf_c_message_free_unpacked(msg, NULL);
	/* A write error (a closed pipe, a full disk) ends that host's capture. */
	return ret != 0;
}

static void summary(const struct capture_run *r, const char *file, const struct rpc_host_result *res)
{
	for (size_t i = 0; i < r->out.n; i++) {
		const struct capture_host_out *h = &r->out.hosts[i];

		if (!res[i].ok)
			continue;
		fprintf(r->ctx->io.err,
			"%s: %llu packets captured (matched %llu, sampled %llu, over --max-pps %llu, lost %llu) -> %s\n",
			r->out.names[i], (unsigned long long)h->written, (unsigned long long)h->last.matched,
			(unsigned long long)h->last.sampled, (unsigned long long)h->last.over_limit,
			(unsigned long long)h->last.lost, h->path ? h->path : !strcmp(file, "-") ? "stdout" : file);
	}
}

static int cmd_capture_run(struct cli_ctx *ctx, int argc, char **argv)
{
	struct capture_args a = { .req = XDPFLEET__V1__CAPTURE_REQUEST__INIT };
	struct capture_run r = { .ctx = ctx };
	struct call_stream call = {
		.method = "Capture",
		.req = &a.req.base,
		.on_message = on_message,
		.user = &r,
		.endless = true,
	};
	struct rpc_host_result *res = NULL;
	struct output_host *h = NULL;
	char err[4200] = "";
	int ret;

	if (capture_parse(ctx, argc, argv, &a))
		return -EINVAL;
	r.out = (struct capture_out){
		.ifname = a.req.ifname,
		.snaplen = a.req.snaplen ? a.req.snaplen : API_CAPTURE_SNAPLEN_DEFAULT,
		.merge = a.merge,
		.names = (const char *const *)ctx->g.hosts.targets,
		.n = ctx->g.hosts.n,
	};
	ret = capture_out_open(&r.out, a.file, ctx->io.out, err, sizeof(err));
	if (ret) {
		fprintf(ctx->io.err, CLI_PROG " capture: %s\n", err[0] ? err : strerror(-ret));
		capture_out_close(&r.out);
		return -EIO;
	}
	call.timeout_ms = a.duration_ms;
	ret = call_stream_run(ctx, &call, &res);
	if (ret)
		goto out;
	/* --duration ends the capture by the deadline: that is success. */
	for (size_t i = 0; a.duration_ms && i < ctx->g.hosts.n; i++)
		if (!res[i].ok && res[i].status.code == GRPC_STATUS_DEADLINE_EXCEEDED && r.out.hosts[i].got_any)
			res[i].ok = true;
	summary(&r, a.file, res);
	ret = call_hosts(ctx, res, &h);
	if (!ret)
		ret = call_report_failures(ctx, h, ctx->g.hosts.n);
out:
	if (capture_out_close(&r.out) && !ret) {
		fprintf(ctx->io.err, CLI_PROG " capture: cannot finish writing '%s'\n", a.file);
		ret = -EIO;
	}
	free(h);
	call_results_free(ctx, res);
	return ret;
}

const struct cli_command cmd_capture = {
	.name = "capture",
	.options = cmd_capture_options,
	.shortopts = "w:",
	.summary = "sampled packets the filter decided, into pcap files (per host or merged)",
	.usage = "capture IFACE -w FILE|- [--verdict drop|pass|any] [--rule ID] [--sample 1/N] [--count N]\n"
		 "        [--snaplen BYTES] [--max-pps N] [--duration DURATION] [--merge]",
	.help =
		"Copies the first bytes of packets the filter program on IFACE decided, as it decided\n"
		"them, on every host at once (the Capture stream). The filter writes them into a BPF\n"
		"ring buffer after its verdict, so a capture sees exactly the verdict and the rule that\n"
		"were applied. The data plane keeps at most --max-pps packets a second (a token bucket\n"
		"per CPU, the cap split evenly over them), so a flood cannot swamp the agent; what a\n"
		"capture is not sent is counted, never queued. When the capture ends (--count reached,\n"
		"--duration passed, Ctrl-C, the CLI killed) the agent turns copying off again.\n"
		"\n"
		"Options:\n"
		"  -w, --write FILE     where to write (required). One host: a pcap file (nanosecond\n"
		"                       timestamps, Ethernet); several hosts: one pcap per host named\n"
		"                       FILE-HOST.pcap (x.pcap -> x-10.0.0.1_50051.pcap); '-' writes\n"
		"                       to stdout, flushed per message, for 'tcpdump -r -' or Wireshark\n"
		"  --merge              several hosts into one pcapng file (or stdout): one interface\n"
		"                       per host named HOST:IFACE, and each packet commented\n"
		"                       'host HOST verdict drop rule 7'. Packets are written as they\n"
		"                       arrive: in time order per host, interleaved across hosts\n"
		"  --verdict V          drop, pass or any (default any). drop includes limit rules'\n"
		"                       packets over budget\n"
		"  --rule ID            only packets rule ID decided (ids from 'rules list')\n"
		"  --sample 1/N         keep 1 in N matching packets (N also works; default 1/1)\n"
		"  --count N            stop after N packets per host, 1 to 1000000 (default: until\n"
		"                       Ctrl-C or --duration)\n"
		"  --snaplen BYTES      bytes kept of each packet, 1 to 4096 (default 256)\n"
		"  --max-pps N          packets a second each agent keeps, 1 to 20000 (default 1000)\n"
		"  --duration DURATION  stop after this long, e.g. 10s, 1m\n"
		"\n"
		"IFACE must run the filter program (attach IFACE --builtin filter); one capture per\n"
		"interface at a time on an agent: a second is refused (FAILED_PRECONDITION) until the\n"
		"first ends. Capturing needs an admin (packets carry payloads).\n"
		"\n"
		"At the end, stderr has one line per host:\n"
		"  HOST: 100 packets captured (matched 51234, sampled 51234, over --max-pps 51000,\n"
		"  lost 0) -> x.pcap\n"
		"matched: packets of the verdict and rule asked for; sampled: those kept by --sample;\n"
		"over --max-pps: sampled but not copied; lost: copied but dropped because the ring\n"
		"buffer or the agent's queue was full (a slow reader).\n"
		"\n"
		"The packets go to the pcap files, not to stdout as JSON: -o json and -o jsonl change\n"
		"nothing here (read the pcap with tcpdump -r, tshark -T json, or Wireshark).\n"
		"\n"
		"Examples:\n"
		"  xdpfleet capture eth0 --verdict drop --count 100 -w drops.pcap\n"
		"  xdpfleet capture eth0 --rule 7 --sample 1/100 -w - | tcpdump -nr -\n"
		"  xdpfleet -H h1,h2 capture eth0 --verdict drop --duration 30s -w drops.pcap\n"
		"  xdpfleet -H h1,h2 capture eth0 --merge -w fleet.pcapng\n"
		"\n"
		"Exit status: 0 every host's capture ended normally (count, duration or Ctrl-C),\n"
		"1 at least one host failed (named on stderr, e.g. an interface without the filter),\n"
		"2 usage error (nothing sent).\n",
	.run = cmd_capture_run,
};
