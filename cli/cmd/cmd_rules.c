/* "xdpfleet rules list|del|flush": the rules of every host, streamed page by page (ListRules),
 * and their removal by id, by match (DeleteRules) or all at once (FlushRules). */
#include <errno.h>
#include <string.h>

#include "call.h"
#include "commands.h"
#include "output_rules.h"
#include "parse.h"
#include "rules_args.h"
#include "rules_commands.h"
#include "rules_list.h"

enum { OPT_ACTION = 256, OPT_OUTPUT = 'o' };

/* --action A, and -o/--output also after the command word ("rules list -o json"). */
static int cmd_rules_option(struct cli_ctx *ctx, const char *cmd, int c,
			    Xdpfleet__V1__RuleAction *action)
{
	if (c == OPT_ACTION) {
		if (rules_args_parse_action(optarg, action))
			return cli_usage_error(ctx, cmd, "--action: invalid value '%s' (expected "
					       "drop, allow, limit or monitor)", optarg);
		return 0;
	}
	if (c == OPT_OUTPUT && !strcmp(optarg, "json")) {
		ctx->g.output = CLI_OUTPUT_JSON;
		return 0;
	}
	if (c == OPT_OUTPUT && !strcmp(optarg, "table")) {
		ctx->g.output = CLI_OUTPUT_TABLE;
		return 0;
	}
	if (c == OPT_OUTPUT)
		return cli_usage_error(ctx, cmd, "--output: invalid value '%s' (expected table or "
				       "json)", optarg);
	return -EINVAL;
}

static int cmd_rules_list_run(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"action", required_argument, NULL, OPT_ACTION},
		{"output", required_argument, NULL, OPT_OUTPUT},
		{NULL, 0, NULL, 0},
	};
	Xdpfleet__V1__ListRulesRequest req = XDPFLEET__V1__LIST_RULES_REQUEST__INIT;
	int c, err;

	optind = 0;
	while ((c = parse_getopt(ctx, "rules list", argc, argv, ":o:", longopts)) != -1) {
		err = cmd_rules_option(ctx, "rules list", c, &req.action);
		if (err)
			return err;
	}
	if (optind < argc)
		return cli_usage_error(ctx, "rules list", "unexpected argument '%s'", argv[optind]);
	return rules_list_run(ctx, &req);
}

static int cmd_rules_flush_run(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"action", required_argument, NULL, OPT_ACTION},
		{"output", required_argument, NULL, OPT_OUTPUT},
		{NULL, 0, NULL, 0},
	};
	Xdpfleet__V1__FlushRulesRequest req = XDPFLEET__V1__FLUSH_RULES_REQUEST__INIT;
	const struct call_unary call = {
		.method = "FlushRules",
		.req = &req.base,
		.table = output_table_rules_deleted,
		.json = output_json_rules_deleted,
	};
	int c, err;

	optind = 0;
	while ((c = parse_getopt(ctx, "rules flush", argc, argv, ":o:", longopts)) != -1) {
		err = cmd_rules_option(ctx, "rules flush", c, &req.action);
		if (err)
			return err;
	}
	if (optind < argc)
		return cli_usage_error(ctx, "rules flush", "unexpected argument '%s'", argv[optind]);
	return call_unary_run(ctx, &call);
}

#define CMD_RULES_EXIT \
	"Exit status: 0 every host answered, 1 at least one host failed (named on stderr),\n" \
	"2 usage error (nothing sent).\n"

static const struct cli_command cmd_rules_list_cmd = {
	.name = "list",
	.summary = "the rules of every host with their hit counters",
	.usage = "rules list [--action drop|allow|limit|monitor] [-o table|json]",
	.help =
		"Lists every rule of every target (ListRules, streamed page by page so a million\n"
		"rules never travel as one message), sorted by id, grouped by host.\n"
		"\n"
		"Options:\n"
		"  --action A    only rules of this action: drop, allow, limit or monitor\n"
		"  -o FORMAT     table (default) or json; the same as the global -o\n"
		"\n"
		"Columns: ID (for 'rules del'), ACTION (limit rules show their budget, e.g.\n"
		"'limit 1000pps'), SRC (prefix, or any), PROTO, PORT (destination port or range, - for\n"
		"any), HITS and BYTES (packets and bytes this rule decided), LAST HIT (how long ago,\n"
		"or never), EXPIRES (time left of a --ttl, or never), COMMENT.\n"
		"\n"
		"Precedence: allow > drop > limit > monitor > default pass; among overlapping rules\n"
		"of one action the most specific prefix gets the hit.\n"
		"\n"
		"JSON, one object per host:\n"
		"  {\"host\":..,\"ok\":true,\"rules\":[{\"id\":1,\"action\":\"drop\",\"src\":\"203.0.113.0/24\",\n"
		"   \"proto\":\"any\",\"port\":null,\"hits\":12,\"bytes\":1440,\"last_hit\":1764150000,\n"
		"   \"expires_in\":null,\"comment\":\"\",\"created\":1764140000}]}\n"
		"  src is null for any source; port is null, a number or \"N-M\"; limit rules add\n"
		"  \"limit_pps\"; last_hit is unix seconds or null (never hit); expires_in is seconds\n"
		"  left or null (no TTL); created is unix seconds.\n"
		"\n"
		"--timeout bounds each host's whole listing: raise it for very large rule sets.\n"
		"\n"
		"Examples:\n"
		"  xdpfleet rules list\n"
		"  xdpfleet rules list --action drop -o json | jq '.[].rules | length'\n"
		"  xdpfleet --hosts-file fleet.txt --timeout 30 rules list --action monitor\n"
		"\n" CMD_RULES_EXIT,
	.run = cmd_rules_list_run,
};

static const struct cli_command cmd_rules_flush_cmd = {
	.name = "flush",
	.summary = "remove every rule (or every rule of one action) on every host",
	.usage = "rules flush [--action drop|allow|limit|monitor] [-o table|json]",
	.help =
		"Removes all rules of every target (FlushRules), or only those of --action.\n"
		"Removing allow rules can expose prefixes they exempted from drop rules.\n"
		"\n"
		"Precedence: allow > drop > limit > monitor > default pass.\n"
		"\n"
		"Options:\n"
		"  --action A    only rules of this action: drop, allow, limit or monitor\n"
		"  -o FORMAT     table (default) or json; the same as the global -o\n"
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
	&cmd_rules_list_cmd, &cmd_rules_del, &cmd_rules_flush_cmd, NULL,
};

const struct cli_command cmd_rules = {
	.name = "rules",
	.summary = "list, delete or flush the rules of every host",
	.usage = "rules list|del|flush ...",
	.help =
		"The rules that 'drop', 'allow', 'limit' and 'monitor' put on the agents.\n"
		"\n"
		"Precedence: allow > drop > limit > monitor > default pass.\n"
		"\n"
		"Examples:\n"
		"  xdpfleet rules list\n"
		"  xdpfleet rules del 17 203.0.113.0/24\n"
		"  xdpfleet rules flush --action drop\n"
		"\n" CMD_RULES_EXIT,
	.subcommands = cmd_rules_subs,
};
