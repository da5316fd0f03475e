// SPDX-License-Identifier: GPL-2.0-only
/* "xdpfleet rules test ADDR": which rule decides a packet from ADDR (with a protocol and
 * destination port) on every host, as its filter program would (TestRule). */
#include <errno.h>
#include <string.h>

#include "blocklist.h"
#include "call.h"
#include "output_rules.h"
#include "parse.h"
#include "rules_args.h"
#include "rules_commands.h"

#define CMD_RULES_TEST "rules test"

enum { OPT_PROTO = 256, OPT_PORT };

static const struct option cmd_rules_test_options[] = {
	{"proto", required_argument, NULL, OPT_PROTO},
	{"port", required_argument, NULL, OPT_PORT},
	{NULL, 0, NULL, 0},
};

static void cmd_rules_test_after(const struct cli_ctx *ctx, const struct output_host *h,
				 size_t n)
{
	const Xdpfleet__V1__TestRuleResponse *t;

	for (size_t i = 0; i < n; i++) {
		t = h[i].ok ? (const Xdpfleet__V1__TestRuleResponse *)h[i].msg : NULL;
		if (t && !t->enforced)
			fprintf(ctx->io.err, CLI_PROG ": warning: %s: no interface runs the filter "
				"program: this is what the rules say, but every packet passes\n",
				h[i].host);
	}
}

static int cmd_rules_test_option(const struct cli_ctx *ctx, int c,
				 Xdpfleet__V1__TestRuleRequest *req)
{
	uint64_t port;

	if (c == OPT_PROTO && rules_args_parse_proto(optarg, &req->proto))
		return cli_usage_error(ctx, CMD_RULES_TEST, "--proto: invalid value '%s' (expected "
				       "any, tcp, udp, icmp or icmpv6)", optarg);
	if (c == OPT_PORT && parse_uint(optarg, 1, 65535, &port))
		return cli_usage_error(ctx, CMD_RULES_TEST, "--port: invalid value '%s' (expected a "
				       "destination port 1-65535)", optarg);
	if (c == OPT_PORT)
		req->port = (uint32_t)port;
	return c == OPT_PROTO || c == OPT_PORT ? 0 : -EINVAL;
}

static int cmd_rules_test_run(struct cli_ctx *ctx, int argc, char **argv)
{
	Xdpfleet__V1__TestRuleRequest req = XDPFLEET__V1__TEST_RULE_REQUEST__INIT;
	const struct call_unary call = {
		.method = "TestRule",
		.req = &req.base,
		.table = output_table_rules_test,
		.json = output_json_rules_test,
		.after = cmd_rules_test_after,
	};
	char why[BLOCKLIST_WHY_MAX];
	struct cidr addr;
	int c, err;

	optind = 0;
	while ((c = parse_getopt(ctx, CMD_RULES_TEST, argc, argv, ":", cmd_rules_test_options)) != -1) {
		err = cmd_rules_test_option(ctx, c, &req);
		if (err)
			return err;
	}
	if (optind >= argc)
		return cli_usage_error(ctx, CMD_RULES_TEST, "missing ADDR (the packet's source "
				       "address)");
	if (optind + 1 < argc)
		return cli_usage_error(ctx, CMD_RULES_TEST, "unexpected argument '%s'",
				       argv[optind + 1]);
	req.src = argv[optind];
	if (strchr(req.src, '/'))
		return cli_usage_error(ctx, CMD_RULES_TEST, "invalid address '%s': one address, not "
				       "a prefix (a packet comes from one source)", req.src);
	if (blocklist_parse_prefix(req.src, false, &addr, why, sizeof(why)))
		return cli_usage_error(ctx, CMD_RULES_TEST, "invalid address '%s': %s", req.src, why);
	if (req.port && req.proto != XDPFLEET__V1__PROTOCOL__PROTOCOL_TCP &&
	    req.proto != XDPFLEET__V1__PROTOCOL__PROTOCOL_UDP)
		return cli_usage_error(ctx, CMD_RULES_TEST, "--port needs --proto tcp or --proto udp "
				       "(only they have ports)");
	return call_unary_run(ctx, &call);
}

const struct cli_command cmd_rules_test = {
	.name = "test",
	.options = cmd_rules_test_options,
	.summary = "which rule decides a packet from an address, on every host",
	.usage = "rules test ADDR [--proto any|tcp|udp|icmp|icmpv6] [--port N]",
	.help =
		"Asks every target which of its rules decides a packet from ADDR (TestRule), as its\n"
		"filter program would: precedence allow > drop > limit > monitor > default pass, and\n"
		"among the rules of one action the most specific prefix. Nothing changes and no\n"
		"counter moves. Use it before a change ('is this customer allowed?') and after one\n"
		"('does the new drop rule catch it?').\n"
		"\n"
		"ADDR: one IPv4 or IPv6 address, the packet's source.\n"
		"\n"
		"Options:\n"
		"  --proto P    the packet's protocol: any (default: a packet of another protocol,\n"
		"               without ports), tcp, udp, icmp or icmpv6\n"
		"  --port N     its destination port (1-65535); needs --proto tcp or udp\n"
		"\n"
		"Output: per host VERDICT (drop or pass; a limit rule passes within its budget and\n"
		"drops over it, so its verdict is what it does now), then the rule that decides:\n"
		"RULE (its id), ACTION, SRC, PROTO, PORT, TAG and COMMENT; or 'no rule: passes'.\n"
		"A warning on stderr names hosts where no interface runs the filter program (there\n"
		"every packet passes whatever the rules say).\n"
		"JSON: {\"host\":..,\"ok\":true,\"matched\":true,\"verdict\":\"drop\",\"enforced\":true,\n"
		"\"rule\":{\"id\":17,\"action\":\"drop\",\"src\":\"203.0.113.0/24\",\"proto\":\"any\",\"port\":null,\n"
		"...the fields of 'rules list'...,\"tag\":\"feed\"}}; \"rule\" is null and \"matched\" false\n"
		"when no rule matches.\n"
		"\n"
		"Examples:\n"
		"  xdpfleet rules test 203.0.113.7\n"
		"  xdpfleet --hosts-file fleet.txt rules test 2001:db8::53 --proto udp --port 53\n"
		"  xdpfleet rules test 198.51.100.9 --proto tcp --port 22 -o json | jq '.[].verdict'\n"
		"\n"
		"Exit status: 0 every host answered, 1 at least one host failed (named on stderr),\n"
		"2 usage error (nothing sent).\n",
	.run = cmd_rules_test_run,
};
