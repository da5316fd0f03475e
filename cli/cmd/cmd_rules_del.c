// SPDX-License-Identifier: GPL-2.0-only
/* "xdpfleet rules del ID|PREFIX...": numbers are rule ids, prefixes become matches on the
 * source (narrowed by --proto/--port), all in one DeleteRules request per host. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "call.h"
#include "output_rules.h"
#include "parse.h"
#include "rules_args.h"
#include "rules_commands.h"

#define CMD_RULES_DEL "rules del"

struct cmd_rules_del_req {
	Xdpfleet__V1__DeleteRulesRequest req;
	Xdpfleet__V1__RuleMatch *matches;
	char (*srcs)[CIDR_STR_MAX];
};

static bool cmd_rules_del_is_id(const char *s)
{
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* One operand into the request: an id, or a match on its prefix with a's protocol/ports. */
static int cmd_rules_del_operand(const struct cli_ctx *ctx, const char *s,
				 const struct rules_args *a, struct cmd_rules_del_req *d)
{
	Xdpfleet__V1__RuleMatch *m;
	struct cidr c;
	uint64_t id;
	bool any;
	int err;

	if (*s && cmd_rules_del_is_id(s)) {
		if (parse_uint(s, 1, UINT64_MAX, &id))
			return cli_usage_error(ctx, CMD_RULES_DEL, "invalid rule id '%s' (ids are "
					       "1 or more, see 'xdpfleet rules list')", s);
		d->req.ids[d->req.n_ids++] = id;
		return 0;
	}
	err = rules_args_prefix(ctx, CMD_RULES_DEL, s, a->normalise, &c, &any);
	if (err)
		return err;
	m = &d->matches[d->req.n_matches];
	xdpfleet__v1__rule_match__init(m);
	d->srcs[d->req.n_matches][0] = '\0';
	if (!any)
		cidr_format(&c, d->srcs[d->req.n_matches], CIDR_STR_MAX);
	m->src = d->srcs[d->req.n_matches];
	m->proto = a->proto;
	m->port_min = a->port_min;
	m->port_max = a->port_max;
	d->req.matches[d->req.n_matches++] = m;
	return 0;
}

static int cmd_rules_del_run(struct cli_ctx *ctx, int argc, char **argv)
{
	struct cmd_rules_del_req d = { .req = XDPFLEET__V1__DELETE_RULES_REQUEST__INIT };
	const struct call_unary call = {
		.method = "DeleteRules",
		.req = &d.req.base,
		.table = output_table_rules_deleted,
		.json = output_json_rules_deleted,
	};
	struct rules_args a = { 0 };
	size_t n;
	int i, err;

	err = rules_args_parse(ctx, CMD_RULES_DEL, RULES_ARGS_DEL, argc, argv, &a);
	if (err)
		return err;
	if (optind >= argc)
		return cli_usage_error(ctx, CMD_RULES_DEL, "missing ID or PREFIX");
	n = (size_t)(argc - optind);
	d.req.ids = calloc(n, sizeof(*d.req.ids));
	d.req.matches = calloc(n, sizeof(*d.req.matches));
	d.matches = calloc(n, sizeof(*d.matches));
	d.srcs = calloc(n, sizeof(*d.srcs));
	err = -ENOMEM;
	if (!d.req.ids || !d.req.matches || !d.matches || !d.srcs)
		goto out;
	for (i = optind, err = 0; i < argc && !err; i++)
		err = cmd_rules_del_operand(ctx, argv[i], &a, &d);
	if (!err && !d.req.n_matches && (a.has_proto || a.port_min))
		err = cli_usage_error(ctx, CMD_RULES_DEL, "--proto/--port narrow PREFIX matches, "
				      "and only ids were given (use 'any' to match every source)");
	if (!err)
		err = call_unary_run(ctx, &call);
out:
	free(d.req.ids);
	free(d.req.matches);
	free(d.matches);
	free(d.srcs);
	return err == -ENOMEM ? -EIO : err;
}

const struct cli_command cmd_rules_del = {
	.name = "del",
	.options = rules_args_del_options,
	.summary = "delete rules by id or by match on every host",
	.usage = "rules del ID|PREFIX... [--proto P] [--port N[-M]] [--normalise]",
	.help =
		"Deletes rules on every target (DeleteRules, one request per host). A number is a\n"
		"rule id (see 'xdpfleet rules list'). Ids are per host: with several targets, id 17\n"
		"deletes whatever rule has id 17 on each of them; delete by PREFIX across a fleet.\n"
		"Anything else is a PREFIX:\n"
		"an IPv4/IPv6 address or CIDR, or 'any' (rules without a source prefix); it deletes\n"
		"the rules of every action whose match is exactly that source, protocol and port.\n"
		"\n"
		"Options (for PREFIX operands):\n"
		"  --proto P       the rules' protocol: any (default), tcp, udp, icmp, icmpv6\n"
		"  --port N[-M]    the rules' destination port or range; needs --proto tcp or udp\n"
		"  --normalise     clear host bits of a PREFIX instead of refusing it\n"
		"\n"
		"Precedence: allow > drop > limit > monitor > default pass: deleting an allow rule\n"
		"lets the drop and limit rules it overrode take effect.\n"
		"\n"
		"Output: per host DELETED (rules removed). JSON: {\"host\":..,\"ok\":true,\"deleted\":N}\n"
		"\n"
		"Examples:\n"
		"  xdpfleet rules del 17 18\n"
		"  xdpfleet rules del 203.0.113.0/24 2001:db8:bad::/48\n"
		"  xdpfleet rules del 198.51.100.7 --proto udp --port 53\n"
		"\n"
		"Exit status: 0 every host answered, 1 at least one host failed (named on stderr),\n"
		"2 usage error (nothing sent).\n",
	.run = cmd_rules_del_run,
};
