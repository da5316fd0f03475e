// SPDX-License-Identifier: GPL-2.0-only
/* "xdpfleet mitigate add|list|del": triggers that make the agents drop (or limit) a flooding
 * source by themselves (AddTrigger, ListTriggers, DeleteTriggers), and "xdpfleet events", the
 * agents' mitigation events as they happen (WatchEvents). */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "call.h"
#include "commands.h"
#include "output_top.h"
#include "parse.h"
#include "rules_args.h"

enum {
	OPT_PPS = 256,
	OPT_BPS,
	OPT_PROTO,
	OPT_PORT,
	OPT_PLEN,
	OPT_PLEN6,
	OPT_ACTION,
	OPT_LIMIT_PPS,
	OPT_TTL,
	OPT_FOR,
	OPT_ALL,
	OPT_COUNT,
	OPT_REPLAY,
};

static const struct option cmd_mitigate_add_options[] = {
	{"pps", required_argument, NULL, OPT_PPS},
	{"bps", required_argument, NULL, OPT_BPS},
	{"proto", required_argument, NULL, OPT_PROTO},
	{"port", required_argument, NULL, OPT_PORT},
	{"prefix-len", required_argument, NULL, OPT_PLEN},
	{"prefix-len-v6", required_argument, NULL, OPT_PLEN6},
	{"action", required_argument, NULL, OPT_ACTION},
	{"limit-pps", required_argument, NULL, OPT_LIMIT_PPS},
	{"ttl", required_argument, NULL, OPT_TTL},
	{"for", required_argument, NULL, OPT_FOR},
	{NULL, 0, NULL, 0},
};

static int bad(struct cli_ctx *ctx, const char *opt, const char *v, const char *expected)
{
	return cli_usage_error(ctx, "mitigate add", "%s: invalid value '%s' (expected %s)", opt, v, expected);
}

static int cmd_mitigate_add_run(struct cli_ctx *ctx, int argc, char **argv)
{
	Xdpfleet__V1__AddTriggerRequest req = XDPFLEET__V1__ADD_TRIGGER_REQUEST__INIT;
	Xdpfleet__V1__Trigger t = XDPFLEET__V1__TRIGGER__INIT;
	const struct call_unary call = {
		.method = "AddTrigger",
		.req = &req.base,
		.table = output_table_trigger_added,
		.json = output_json_trigger_added,
	};
	bool limit = false, has_ttl = false;
	unsigned int ms;
	uint64_t v;
	int c;

	optind = 0;
	while ((c = parse_getopt(ctx, "mitigate add", argc, argv, ":", cmd_mitigate_add_options)) != -1) {
		switch (c) {
		case OPT_PPS:
			if (parse_uint(optarg, 1, API_LIMIT_PPS_MAX, &v))
				return bad(ctx, "--pps", optarg, "packets per second, 1 to 1000000000");
			/* "--action limit --pps M": a --pps after the limit action is its budget. */
			if (limit && t.pps)
				t.limit_pps = v;
			else
				t.pps = v;
			break;
		case OPT_BPS:
			if (parse_uint(optarg, 1, 1000000000000ull, &v))
				return bad(ctx, "--bps", optarg, "bits per second, 1 to 10^12");
			t.bps = v;
			break;
		case OPT_PROTO:
			if (rules_args_parse_proto(optarg, &t.proto))
				return bad(ctx, "--proto", optarg, "any, tcp, udp, icmp or icmpv6");
			break;
		case OPT_PORT:
			if (parse_uint(optarg, 1, 65535, &v))
				return bad(ctx, "--port", optarg, "a port, 1 to 65535");
			t.port = (uint32_t)v;
			break;
		case OPT_PLEN:
			if (parse_uint(optarg, 1, 32, &v))
				return bad(ctx, "--prefix-len", optarg, "1 to 32 (IPv6: --prefix-len-v6)");
			t.prefix_len_v4 = (uint32_t)v;
			break;
		case OPT_PLEN6:
			if (parse_uint(optarg, 1, 128, &v))
				return bad(ctx, "--prefix-len-v6", optarg, "1 to 128");
			t.prefix_len_v6 = (uint32_t)v;
			break;
		case OPT_ACTION:
			if (!strcmp(optarg, "drop"))
				t.action = XDPFLEET__V1__RULE_ACTION__RULE_ACTION_DROP;
			else if (!strcmp(optarg, "limit"))
				t.action = XDPFLEET__V1__RULE_ACTION__RULE_ACTION_LIMIT, limit = true;
			else
				return bad(ctx, "--action", optarg, "drop or limit");
			break;
		case OPT_LIMIT_PPS:
			if (parse_uint(optarg, 1, API_LIMIT_PPS_MAX, &v))
				return bad(ctx, "--limit-pps", optarg, "packets per second, 1 to 1000000000");
			t.limit_pps = v;
			break;
		case OPT_TTL:
			if (parse_duration_opt(ctx, "mitigate add", "--ttl", optarg, 1000, UINT32_MAX, &ms))
				return -EINVAL;
			t.ttl_seconds = (ms + 999) / 1000;
			has_ttl = true;
			break;
		case OPT_FOR:
			if (parse_duration_opt(ctx, "mitigate add", "--for", optarg, 1000, 3600000, &ms))
				return -EINVAL;
			t.for_seconds = (ms + 999) / 1000;
			break;
		default:
			return -EINVAL;
		}
	}
	if (optind < argc)
		return cli_usage_error(ctx, "mitigate add", "unexpected argument '%s'", argv[optind]);
	if (!t.pps && !t.bps)
		return cli_usage_error(ctx, "mitigate add", "--pps or --bps is required");
	if (!has_ttl)
		return cli_usage_error(ctx, "mitigate add", "--ttl is required (how long a rule it adds lasts)");
	if (limit && !t.limit_pps)
		return cli_usage_error(ctx, "mitigate add", "--action limit needs its budget: --limit-pps M "
				       "(or a second --pps after --action limit)");
	if (!limit && t.limit_pps)
		return cli_usage_error(ctx, "mitigate add", "--limit-pps needs --action limit");
	if (t.port && t.proto != XDPFLEET__V1__PROTOCOL__PROTOCOL_TCP && t.proto != XDPFLEET__V1__PROTOCOL__PROTOCOL_UDP)
		return cli_usage_error(ctx, "mitigate add", "--port needs --proto tcp or --proto udp");
	req.trigger = &t;
	return call_unary_run(ctx, &call);
}

static int cmd_mitigate_list_run(struct cli_ctx *ctx, int argc, char **argv)
{
	Xdpfleet__V1__ListTriggersRequest req = XDPFLEET__V1__LIST_TRIGGERS_REQUEST__INIT;
	const struct call_unary call = {
		.method = "ListTriggers",
		.req = &req.base,
		.table = output_table_triggers,
		.json = output_json_triggers,
	};

	optind = 0;
	if (parse_getopt(ctx, "mitigate list", argc, argv, ":", NULL) != -1)
		return -EINVAL;
	if (optind < argc)
		return cli_usage_error(ctx, "mitigate list", "unexpected argument '%s'", argv[optind]);
	return call_unary_run(ctx, &call);
}

static const struct option cmd_mitigate_del_options[] = {
	{"all", no_argument, NULL, OPT_ALL},
	{NULL, 0, NULL, 0},
};

static int cmd_mitigate_del_run(struct cli_ctx *ctx, int argc, char **argv)
{
	Xdpfleet__V1__DeleteTriggersRequest req = XDPFLEET__V1__DELETE_TRIGGERS_REQUEST__INIT;
	const struct call_unary call = {
		.method = "DeleteTriggers",
		.req = &req.base,
		.table = output_table_triggers_deleted,
		.json = output_json_triggers_deleted,
	};
	uint64_t ids[256];
	int c, err;

	optind = 0;
	while ((c = parse_getopt(ctx, "mitigate del", argc, argv, ":", cmd_mitigate_del_options)) != -1) {
		if (c != OPT_ALL)
			return -EINVAL;
		req.all = true;
	}
	if (argc - optind > 256)
		return cli_usage_error(ctx, "mitigate del", "at most 256 ids at once");
	for (int i = optind; i < argc; i++) {
		if (parse_uint(argv[i], 1, UINT64_MAX, &ids[req.n_ids]))
			return cli_usage_error(ctx, "mitigate del", "invalid trigger id '%s'", argv[i]);
		req.n_ids++;
	}
	if (!req.all == !req.n_ids)
		return cli_usage_error(ctx, "mitigate del", "give trigger ids or --all (not both)");
	req.ids = ids;
	err = call_unary_run(ctx, &call);
	return err;
}

static const struct cli_command cmd_mitigate_add = {
	.name = "add",
	.options = cmd_mitigate_add_options,
	.shortopts = "",
	.summary = "add a trigger: drop (or limit) a source that floods",
	.usage = "mitigate add --pps N [--bps B] [--proto P] [--port P] [--prefix-len L]\n"
		 "       [--prefix-len-v6 L] [--action drop|limit --limit-pps M] [--for D] --ttl D",
	.help =
		"Adds a trigger on every host: when one source prefix sends more than --pps packets\n"
		"(or --bps bits) per second on the host's filtered interfaces for --for (default 1s),\n"
		"the agent adds a rule for it within 2 seconds, tagged 'auto' and commented with the\n"
		"trigger id and the measured rate, and re-adds it (refreshing the TTL) while the flood\n"
		"lasts; the rule expires --ttl after the flood stops. A trigger never adds a rule that\n"
		"would cover this client's own address or a prefix the agent protects (--protect):\n"
		"those are counted as refused and reported as events. Triggers survive restarts.\n"
		"\n"
		"Options:\n"
		"  --pps N               threshold in packets per second\n"
		"  --bps B               threshold in bits per second (either or both)\n"
		"  --proto P             measure and match only this protocol (tcp, udp, icmp, icmpv6)\n"
		"  --port P              the rule matches this tcp/udp destination port (needs --proto)\n"
		"  --prefix-len L        the IPv4 prefix the rule covers, 1 to 32 (default 32)\n"
		"  --prefix-len-v6 L     the IPv6 prefix, 1 to 128 (default 64)\n"
		"  --action drop|limit   default drop; limit needs a budget:\n"
		"  --limit-pps M         the limit rule's packets per second per source (or\n"
		"                        '--action limit --pps M' after the threshold's --pps)\n"
		"  --for DURATION        how long the source must stay over, 1s to 1h (default 1s)\n"
		"  --ttl DURATION        the rule's lifetime after the last refresh (required)\n"
		"\n"
		"Output: 'HOST trigger ID added'; JSON: {\"host\":..,\"ok\":true,\"id\":N}.\n"
		"\n"
		"Examples:\n"
		"  xdpfleet mitigate add --pps 5000 --ttl 5m\n"
		"  xdpfleet mitigate add --pps 100000 --proto udp --prefix-len 24 --ttl 10m\n"
		"  xdpfleet mitigate add --pps 5000 --action limit --pps 100 --ttl 1m\n"
		"\n"
		"Exit status: 0 every host added it, 1 some host failed, 2 usage error.\n",
	.run = cmd_mitigate_add_run,
};

static const struct cli_command cmd_mitigate_list = {
	.name = "list",
	.summary = "the triggers of every host and what they did",
	.usage = "mitigate list",
	.help =
		"Lists every host's triggers (ListTriggers): ID, WHEN (thresholds, protocol, port,\n"
		"prefix lengths, --for), ACTION, TTL, FIRED (rules added or refreshed since the agent\n"
		"started), REFUSED (sources it would not cover: protected or the client's), ACTIVE\n"
		"(sources over the threshold now, with a rule), LAST (the last source and its rate).\n"
		"\n"
		"JSON: {\"host\":..,\"ok\":true,\"triggers\":[{\"id\":..,\"pps\":..,\"bps\":..,\"proto\":..,\n"
		"  \"port\":..,\"prefix_len_v4\":..,\"prefix_len_v6\":..,\"action\":\"drop\",\"limit_pps\":..,\n"
		"  \"ttl_seconds\":..,\"for_seconds\":..,\"created_unix\":..,\"client\":..,\"fired\":..,\n"
		"  \"refused\":..,\"active\":..,\"last_fired_unix\":..,\"last_src\":..,\"last_pps\":..}]}\n"
		"\n"
		"Examples:\n"
		"  xdpfleet mitigate list\n"
		"  xdpfleet --hosts-file fleet.txt mitigate list -o json | jq '.[].triggers[].fired'\n"
		"\n"
		"Exit status: 0 every host answered, 1 some host failed, 2 usage error.\n",
	.run = cmd_mitigate_list_run,
};

static const struct cli_command cmd_mitigate_del = {
	.name = "del",
	.options = cmd_mitigate_del_options,
	.shortopts = "",
	.summary = "delete triggers by id, or all",
	.usage = "mitigate del ID... | --all",
	.help =
		"Deletes triggers (DeleteTriggers), all of the given ids or none. Rules they added\n"
		"stay until their TTL.\n"
		"\n"
		"Options:\n"
		"  --all   every trigger of the host\n"
		"\n"
		"Output: 'HOST N deleted'; JSON: {\"host\":..,\"ok\":true,\"deleted\":N}.\n"
		"\n"
		"Examples:\n"
		"  xdpfleet mitigate del 3\n"
		"  xdpfleet mitigate del --all\n"
		"\n"
		"Exit status: 0 every host deleted them, 1 some host failed, 2 usage error.\n",
	.run = cmd_mitigate_del_run,
};

static const struct cli_command *const cmd_mitigate_subcommands[] = {
	&cmd_mitigate_add,
	&cmd_mitigate_list,
	&cmd_mitigate_del,
	NULL,
};

const struct cli_command cmd_mitigate = {
	.name = "mitigate",
	.summary = "automatic mitigation: triggers that drop flooding sources by themselves",
	.usage = "mitigate add|list|del ...",
	.help = "Triggers make each agent add a temporary rule (tag 'auto') for a source that floods\n"
		"it, and refresh it while the flood lasts. See 'xdpfleet help mitigate add'; the\n"
		"events they cause: 'xdpfleet events'.\n"
		"\n"
		"Examples:\n"
		"  xdpfleet mitigate add --pps 5000 --ttl 5m\n"
		"  xdpfleet mitigate list\n"
		"\n"
		"Exit status: 0 every host succeeded, 1 some host failed, 2 usage error.\n",
	.subcommands = cmd_mitigate_subcommands,
};

struct events_watch {
	struct cli_ctx *ctx;
	int err;
};

static int events_on_message(void *user, size_t host, ProtobufCMessage *msg)
{
	struct events_watch *w = user;
	const Xdpfleet__V1__WatchEventsResponse *r = (const Xdpfleet__V1__WatchEventsResponse *)msg;
	const char *name = w->ctx->g.hosts.targets[host];
	FILE *f = w->ctx->io.out;

	if (r->lost)
		fprintf(w->ctx->io.err, "%s: %" PRIu64 " events were lost before this watch saw them\n", name, r->lost);
	for (size_t i = 0; i < r->n_events; i++) {
		if (w->ctx->g.output == CLI_OUTPUT_TABLE) {
			output_table_event(f, name, r->events[i]);
		} else {
			struct json_writer jw;

			json_init(&jw, f);
			output_json_event(&jw, name, r->events[i]);
			if (json_finish(&jw) || fputc('\n', f) == EOF)
				w->err = -EIO;
		}
	}
	fflush(f);
	protobuf_c_message_free_unpacked(msg, NULL);
	return 0;
}

static const struct option cmd_events_options[] = {
	{"count", required_argument, NULL, OPT_COUNT},
	{"replay", no_argument, NULL, OPT_REPLAY},
	{NULL, 0, NULL, 0},
};

static int cmd_events_run(struct cli_ctx *ctx, int argc, char **argv)
{
	Xdpfleet__V1__WatchEventsRequest req = XDPFLEET__V1__WATCH_EVENTS_REQUEST__INIT;
	struct events_watch w = { .ctx = ctx };
	struct call_stream call = {
		.method = "WatchEvents",
		.req = &req.base,
		.on_message = events_on_message,
		.user = &w,
		.endless = true,
	};
	struct rpc_host_result *end = NULL;
	struct output_host *h = NULL;
	uint64_t v;
	int c, err;

	optind = 0;
	while ((c = parse_getopt(ctx, "events", argc, argv, ":", cmd_events_options)) != -1) {
		if (c == OPT_REPLAY) {
			req.replay = true;
			continue;
		}
		if (c != OPT_COUNT)
			return -EINVAL;
		if (parse_uint(optarg, 1, UINT32_MAX, &v))
			return cli_usage_error(ctx, "events", "--count: invalid value '%s' (expected 1 or more)", optarg);
		req.count = (uint32_t)v;
	}
	if (optind < argc)
		return cli_usage_error(ctx, "events", "unexpected argument '%s'", argv[optind]);
	err = call_stream_run(ctx, &call, &end);
	if (err)
		goto out;
	err = call_hosts(ctx, end, &h);
	if (!err)
		err = call_report_failures(ctx, h, ctx->g.hosts.n) ?: w.err;
out:
	call_results_free(ctx, end);
	free(h);
	return err == -EINVAL ? -EIO : err;
}

const struct cli_command cmd_events = {
	.name = "events",
	.options = cmd_events_options,
	.shortopts = "",
	.summary = "follow the mitigation events of every host (WatchEvents)",
	.usage = "events [--replay] [--count N]",
	.help =
		"Prints every host's mitigation events as they happen, until Ctrl-C or --count events\n"
		"per host: trigger_added, trigger_deleted, mitigation_added (a rule for a source),\n"
		"mitigation_refused (it would cover a protected prefix or the trigger's client),\n"
		"mitigation_failed, mitigation_ended (the source fell below the threshold; its rule\n"
		"expires with its TTL). The agents also write them to the audit log.\n"
		"\n"
		"Options:\n"
		"  --replay    first the events each agent still keeps (its last 1024), then new ones\n"
		"  --count N   stop after N events per host (replayed ones count)\n"
		"\n"
		"Output: TIME HOST KIND trigger=ID src=PREFIX pps=N rule=ID DETAIL.\n"
		"JSON (-o json or jsonl): one object per event and line: {\"time\":..,\"host\":..,\"seq\":..,\n"
		"  \"kind\":..,\"trigger_id\":..,\"src\":..,\"pps\":..,\"bps\":..,\"rule_id\":..,\"detail\":..}\n"
		"\n"
		"Examples:\n"
		"  xdpfleet --hosts-file fleet.txt events\n"
		"  xdpfleet events -o jsonl | your-collector\n"
		"\n"
		"Exit status: 0 (Ctrl-C counts as success), 1 some host failed, 2 usage error.\n",
	.run = cmd_events_run,
};
