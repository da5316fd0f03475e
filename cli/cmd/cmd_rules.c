// SPDX-License-Identifier: GPL-2.0-only
/* "xdpfleet rules list|del|flush": the rules of every host, streamed page by page (ListRules),
 * and their removal by id, by match (DeleteRules) or all at once (FlushRules). */
#include <errno.h>

#include "call.h"
#include "commands.h"
#include "names.h"
#include "output_rules.h"
#include "parse.h"
#include "rules_args.h"
#include "rules_commands.h"
#include "rules_list.h"

enum { OPT_ACTION = 256, OPT_TAG };

static const struct option cmd_rules_options[] = {
	{"action", required_argument, NULL, OPT_ACTION},
	{NULL, 0, NULL, 0},
};

static const struct option cmd_rules_list_options[] = {
	{"action", required_argument, NULL, OPT_ACTION},
	{"tag", required_argument, NULL, OPT_TAG},
	{NULL, 0, NULL, 0},
};

/* The options of list (--action A, --tag T) and flush (--action A; tag NULL). */
static int cmd_rules_parse(struct cli_ctx *ctx, const char *cmd, int argc, char **argv,
			   Xdpfleet__V1__RuleAction *action, char **tag)
{
	int c;

	optind = 0;
	while ((c = parse_getopt(ctx, cmd, argc, argv, ":", tag ? cmd_rules_list_options : cmd_rules_options)) != -1) {
		if (c == OPT_TAG && tag) {
			if (!names_tag_valid(optarg))
				return cli_usage_error(ctx, cmd, "--tag: invalid tag '%s' (at most %d letters, "
						       "digits and . _ - :)", optarg, API_TAG_MAX);
			*tag = optarg;
			continue;
		}
		if (c != OPT_ACTION)
			return -EINVAL;
		if (rules_args_parse_action(optarg, action))
			return cli_usage_error(ctx, cmd, "--action: invalid value '%s' (expected "
					       "drop, allow, limit or monitor)", optarg);
	}
	if (optind < argc)
		return cli_usage_error(ctx, cmd, "unexpected argument '%s'", argv[optind]);
	return 0;
}

static int cmd_rules_list_run(struct cli_ctx *ctx, int argc, char **argv)
{
	Xdpfleet__V1__ListRulesRequest req = XDPFLEET__V1__LIST_RULES_REQUEST__INIT;

	return cmd_rules_parse(ctx, "rules list", argc, argv, &req.action, &req.tag) ?:
	       rules_list_run(ctx, &req);
}

static int cmd_rules_flush_run(struct cli_ctx *ctx, int argc, char **argv)
{
	Xdpfleet__V1__FlushRulesRequest req = XDPFLEET__V1__FLUSH_RULES_REQUEST__INIT;
	const struct call_unary call = {
		.method = "FlushRules",
		.req = &req.base,
		.table = output_table_rules_deleted,
		.json = output_json_rules_deleted,
	};

	return cmd_rules_parse(ctx, "rules flush", argc, argv, &req.action, NULL) ?:
	       call_unary_run(ctx, &call);
}

#define CMD_RULES_EXIT \
	"Exit status: 0 every host answered, 1 at least one host failed (named on stderr),\n" \
	"2 usage error (nothing sent).\n"

static const struct cli_command cmd_rules_list_cmd = {
	.name = "list",
	.options = cmd_rules_list_options,
	.summary = "the rules of every host with their hit counters",
	.usage = "rules list [--action drop|allow|limit|monitor] [--tag T]",
	.help =
		"Lists every rule of every target (ListRules, streamed page by page so a million\n"
		"rules never travel as one message), sorted by id, grouped by host.\n"
		"\n"
		"Options:\n"
		"  --action A    only rules of this action: drop, allow, limit or monitor\n"
		"  --tag T       only rules tagged T: a feed's (drop sync --tag) or the mitigation\n"
		"                triggers' (auto)\n"
		"\n"
		"Columns: ID (for 'rules del'), ACTION (limit rules show their budget, e.g.\n"
		"'limit 1000pps'), SRC (prefix, or any), PROTO, PORT (destination port or range, - for\n"
		"any), HITS and BYTES (packets and bytes this rule decided), PASSED and DROPPED (when\n"
		"the host has limit rules: of a limit rule's hits, those within the budget and those\n"
		"over it; - for other rules), LAST HIT (how long ago, or never), EXPIRES (time left of\n"
		"a --ttl, or never), TAG (when a rule has one: who owns it, - for none), COMMENT.\n"
		"With --no-headers: one line per rule, starting with its host, and no host lines.\n"
		"\n"
		"Precedence: allow > drop > limit > monitor > default pass; among overlapping rules\n"
		"of one action the most specific prefix gets the hit.\n"
		"\n"
		"JSON, one object per host:\n"
		"  {\"host\":..,\"ok\":true,\"rules\":[{\"id\":1,\"action\":\"drop\",\"src\":\"203.0.113.0/24\",\n"
		"   \"proto\":\"any\",\"port\":null,\"hits\":12,\"bytes\":1440,\"last_hit\":1764150000,\n"
		"   \"expires_in\":null,\"comment\":\"\",\"tag\":\"\",\"created\":1764140000}]}\n"
		"  src is null for any source; port is null, a number or \"N-M\"; limit rules add\n"
		"  \"limit_pps\", \"passed\" and \"dropped\" (passed + dropped = hits); last_hit is\n"
		"  unix seconds or null (never hit); expires_in is seconds left or null (no TTL); tag\n"
		"  is \"\" for an operator's rule; created is unix seconds.\n"
		"\n"
		"--timeout bounds each host's whole listing: raise it for very large rule sets.\n"
		"\n"
		"Examples:\n"
		"  xdpfleet rules list\n"
		"  xdpfleet rules list --action drop -o json | jq '.[].rules | length'\n"
		"  xdpfleet rules list --tag auto\n"
		"  xdpfleet --hosts-file fleet.txt --timeout 30 rules list --action monitor\n"
		"\n" CMD_RULES_EXIT,
	.run = cmd_rules_list_run,
};

static const struct cli_command cmd_rules_flush_cmd = {
	.name = "flush",
	.options = cmd_rules_options,
	.summary = "remove every rule (or every rule of one action) on every host",
	.usage = "rules flush [--action drop|allow|limit|monitor]",
	.help =
		"Removes all rules of every target (FlushRules), or only those of --action.\n"
		"Removing allow rules can expose prefixes they exempted from drop rules.\n"
		"\n"
		"Precedence: allow > drop > limit > monitor > default pass.\n"
		"\n"
		"Options:\n"
		"  --action A    only rules of this action: drop, allow, limit or monitor\n"
		"\n"
		"Output: per host DELETED (rules removed). JSON: {\"host\":..,\"ok\":true,\"deleted\":N}\n"
		"\n"
		"Examples:\n"
		"  xdpfleet rules flush --action monitor\n"
		"  xdpfleet --hosts-file fleet.txt rules flush\n"
		"\n" CMD_RULES_EXIT,
	.run = cmd_rules_flush_run,
};

static const struct cli_command *const cmd_rules_subs[] = {
	&cmd_rules_list_cmd, &cmd_rules_del, &cmd_rules_flush_cmd, &cmd_rules_test, NULL,
};

const struct cli_command cmd_rules = {
	.name = "rules",
	.summary = "list, delete, flush or test the rules of every host",
	.usage = "rules list|del|flush|test ...",
	.help =
		"The rules that 'drop', 'allow', 'limit' and 'monitor' put on the agents.\n"
		"\n"
		"Precedence: allow > drop > limit > monitor > default pass.\n"
		"\n"
		"Examples:\n"
		"  xdpfleet rules list\n"
		"  xdpfleet rules del 17 203.0.113.0/24\n"
		"  xdpfleet rules flush --action drop\n"
		"  xdpfleet rules test 203.0.113.7 --proto tcp --port 443\n"
		"\n" CMD_RULES_EXIT,
	.subcommands = cmd_rules_subs,
};
