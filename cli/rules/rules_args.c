// SPDX-License-Identifier: GPL-2.0-only
/* Rule options and names (see rules_args.h). Everything is checked here so that a typo is a
 * usage error before any host is contacted, not the same refusal from every agent. */
#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "api_limits.h"
#include "blocklist.h"
#include "duration.h"
#include "names.h"
#include "parse.h"
#include "rules_args.h"
#include "array_size.h"

enum {
	OPT_PROTO = 256, OPT_PORT, OPT_TTL, OPT_COMMENT, OPT_PPS, OPT_FORCE, OPT_NORMALISE,
	OPT_SKIP_INVALID, OPT_TAG, OPT_ALLOW_EMPTY,
};

static const char *const rules_args_actions[] = {
	[XDPFLEET__V1__RULE_ACTION__RULE_ACTION_DROP] = "drop",
	[XDPFLEET__V1__RULE_ACTION__RULE_ACTION_ALLOW] = "allow",
	[XDPFLEET__V1__RULE_ACTION__RULE_ACTION_LIMIT] = "limit",
	[XDPFLEET__V1__RULE_ACTION__RULE_ACTION_MONITOR] = "monitor",
};

static const char *const rules_args_protos[] = {
	[XDPFLEET__V1__PROTOCOL__PROTOCOL_ANY] = "any",
	[XDPFLEET__V1__PROTOCOL__PROTOCOL_TCP] = "tcp",
	[XDPFLEET__V1__PROTOCOL__PROTOCOL_UDP] = "udp",
	[XDPFLEET__V1__PROTOCOL__PROTOCOL_ICMP] = "icmp",
	[XDPFLEET__V1__PROTOCOL__PROTOCOL_ICMPV6] = "icmpv6",
};

const char *rules_args_action_name(Xdpfleet__V1__RuleAction a)
{
	if ((unsigned int)a < ARRAY_SIZE(rules_args_actions) && rules_args_actions[a])
		return rules_args_actions[a];
	return "unknown";
}

int rules_args_parse_action(const char *s, Xdpfleet__V1__RuleAction *a)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(rules_args_actions); i++) {
		if (rules_args_actions[i] && !strcmp(s, rules_args_actions[i])) {
			*a = (Xdpfleet__V1__RuleAction)i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *rules_args_proto_name(Xdpfleet__V1__Protocol p)
{
	if ((unsigned int)p < ARRAY_SIZE(rules_args_protos))
		return rules_args_protos[p];
	return "unknown";
}

int rules_args_parse_proto(const char *s, Xdpfleet__V1__Protocol *p)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(rules_args_protos); i++) {
		if (!strcmp(s, rules_args_protos[i])) {
			*p = (Xdpfleet__V1__Protocol)i;
			return 0;
		}
	}
	return -EINVAL;
}

int rules_args_parse_duration(const char *s, uint64_t *seconds)
{
	uint64_t ms;
	int ret = duration_parse_ms(s, &ms);

	if (ret)
		return ret;
	/* TTLs are whole seconds: "1500ms" is refused rather than cut */
	if (!ms || ms % 1000 || ms / 1000 > API_TTL_MAX_SECONDS)
		return ms % 1000 ? -EINVAL : -ERANGE;
	*seconds = ms / 1000;
	return 0;
}

int rules_args_parse_ports(const char *s, uint32_t *min, uint32_t *max)
{
	const char *dash = strchr(s, '-');
	char lo[8];
	uint64_t a, b;

	if (!dash) {
		if (parse_uint(s, 1, 65535, &a))
			return -EINVAL;
		*min = *max = (uint32_t)a;
		return 0;
	}
	if ((size_t)(dash - s) >= sizeof(lo))
		return -EINVAL;
	memcpy(lo, s, (size_t)(dash - s));
	lo[dash - s] = '\0';
	if (parse_uint(lo, 1, 65535, &a) || parse_uint(dash + 1, 1, 65535, &b) || a > b)
		return -EINVAL;
	*min = (uint32_t)a;
	*max = (uint32_t)b;
	return 0;
}

int rules_args_prefix(const struct cli_ctx *ctx, const char *cmd, const char *s, bool normalise,
		      struct cidr *out, bool *any)
{
	char why[BLOCKLIST_WHY_MAX];

	*any = !strcmp(s, "any");
	if (*any) {
		memset(out, 0, sizeof(*out));
		return 0;
	}
	if (blocklist_parse_prefix(s, normalise, out, why, sizeof(why)))
		return cli_usage_error(ctx, cmd, "invalid prefix '%s': %s", s, why);
	return 0;
}

static int rules_args_comment(const struct cli_ctx *ctx, const char *cmd, const char *s)
{
	const char *p;

	if (strlen(s) > API_COMMENT_MAX)
		return cli_usage_error(ctx, cmd, "--comment: longer than %d bytes",
				       API_COMMENT_MAX);
	for (p = s; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return cli_usage_error(ctx, cmd, "--comment: control characters (tabs, "
					       "newlines, escapes) are not allowed");
	return 0;
}

/* One option's value into a. */
static int rules_args_option(const struct cli_ctx *ctx, const char *cmd, int c, const char *v,
			     struct rules_args *a)
{
	switch (c) {
	case OPT_PROTO:
		a->has_proto = true;
		if (rules_args_parse_proto(v, &a->proto))
			return cli_usage_error(ctx, cmd, "--proto: invalid value '%s' (expected any, "
					       "tcp, udp, icmp or icmpv6)", v);
		return 0;
	case OPT_PORT:
		if (rules_args_parse_ports(v, &a->port_min, &a->port_max))
			return cli_usage_error(ctx, cmd, "--port: invalid value '%s' (expected a port "
					       "1-65535, or a range N-M with N <= M)", v);
		return 0;
	case OPT_TTL:
		if (rules_args_parse_duration(v, &a->ttl_seconds))
			return cli_usage_error(ctx, cmd, "--ttl: invalid duration '%s' (expected 1s to "
					       "3650d in whole seconds, " PARSE_DURATION_GRAMMAR ")",
					       v);
		return 0;
	case OPT_TAG:
		a->tag = v;
		if (!names_tag_valid(v))
			return cli_usage_error(ctx, cmd, "--tag: invalid tag '%s' (at most %d letters, "
					       "digits and . _ - :)", v, API_TAG_MAX);
		return 0;
	case OPT_ALLOW_EMPTY:
		a->allow_empty = true;
		return 0;
	case OPT_COMMENT:
		a->comment = v;
		return rules_args_comment(ctx, cmd, v);
	case OPT_PPS:
		if (parse_uint(v, 1, API_LIMIT_PPS_MAX, &a->limit_pps))
			return cli_usage_error(ctx, cmd, "--pps: invalid value '%s' (expected packets "
					       "per second per source address, 1 to %llu)", v,
					       API_LIMIT_PPS_MAX);
		return 0;
	case OPT_FORCE:
		a->force = true;
		return 0;
	case OPT_NORMALISE:
		a->normalise = true;
		return 0;
	case OPT_SKIP_INVALID:
		a->skip_invalid = true;
		return 0;
	}
	return -EINVAL;
}

/* The options a kind does not take, named rather than "unknown". */
static const char *rules_args_foreign(enum rules_args_kind kind, int c)
{
	static const struct {
		int opt;
		const char *name;
		unsigned int kinds; /* bit per enum rules_args_kind that takes it */
	} only[] = {
		{ OPT_TTL, "--ttl", 1u << RULES_ARGS_ADD | 1u << RULES_ARGS_LOAD | 1u << RULES_ARGS_SYNC },
		{ OPT_COMMENT, "--comment", 1u << RULES_ARGS_ADD | 1u << RULES_ARGS_LOAD | 1u << RULES_ARGS_SYNC },
		{ OPT_PPS, "--pps", 1u << RULES_ARGS_ADD | 1u << RULES_ARGS_LOAD | 1u << RULES_ARGS_SYNC },
		{ OPT_FORCE, "--force", 1u << RULES_ARGS_ADD | 1u << RULES_ARGS_LOAD | 1u << RULES_ARGS_SYNC },
		{ OPT_TAG, "--tag", 1u << RULES_ARGS_ADD | 1u << RULES_ARGS_LOAD | 1u << RULES_ARGS_SYNC },
		{ OPT_SKIP_INVALID, "--skip-invalid", 1u << RULES_ARGS_LOAD | 1u << RULES_ARGS_SYNC },
		{ OPT_ALLOW_EMPTY, "--allow-empty", 1u << RULES_ARGS_SYNC },
	};

	for (size_t i = 0; i < ARRAY_SIZE(only); i++)
		if (only[i].opt == c && !(only[i].kinds & 1u << kind))
			return only[i].name;
	return NULL;
}

/* How the options combine. */
static int rules_args_check(const struct cli_ctx *ctx, const char *cmd, enum rules_args_kind kind,
			    const struct rules_args *a)
{
	bool limit = a->action == XDPFLEET__V1__RULE_ACTION__RULE_ACTION_LIMIT;

	if (a->port_min && a->proto != XDPFLEET__V1__PROTOCOL__PROTOCOL_TCP &&
	    a->proto != XDPFLEET__V1__PROTOCOL__PROTOCOL_UDP)
		return cli_usage_error(ctx, cmd, "--port needs --proto tcp or --proto udp (only "
				       "they have ports)");
	if (kind == RULES_ARGS_DEL)
		return 0;
	if (limit && !a->limit_pps)
		return cli_usage_error(ctx, cmd, "limit rules need --pps N (packets per second "
				       "per source address)");
	if (!limit && a->limit_pps)
		return cli_usage_error(ctx, cmd, "--pps applies to limit rules only");
	return 0;
}

const struct option rules_args_options[] = {
	{"proto", required_argument, NULL, OPT_PROTO},
	{"port", required_argument, NULL, OPT_PORT},
	{"ttl", required_argument, NULL, OPT_TTL},
	{"comment", required_argument, NULL, OPT_COMMENT},
	{"pps", required_argument, NULL, OPT_PPS},
	{"force", no_argument, NULL, OPT_FORCE},
	{"normalise", no_argument, NULL, OPT_NORMALISE},
	{"normalize", no_argument, NULL, OPT_NORMALISE},
	{"skip-invalid", no_argument, NULL, OPT_SKIP_INVALID},
	{"tag", required_argument, NULL, OPT_TAG},
	{"allow-empty", no_argument, NULL, OPT_ALLOW_EMPTY},
	{NULL, 0, NULL, 0},
};

/* What each command takes, for telling its options from global ones and for its help. */
#define RULES_ARGS_MATCH \
	{"proto", required_argument, NULL, OPT_PROTO}, \
	{"port", required_argument, NULL, OPT_PORT}, \
	{"normalise", no_argument, NULL, OPT_NORMALISE}, \
	{"normalize", no_argument, NULL, OPT_NORMALISE}
#define RULES_ARGS_ADD \
	RULES_ARGS_MATCH, \
	{"ttl", required_argument, NULL, OPT_TTL}, \
	{"comment", required_argument, NULL, OPT_COMMENT}, \
	{"force", no_argument, NULL, OPT_FORCE}, \
	{"tag", required_argument, NULL, OPT_TAG}
#define RULES_ARGS_PPS {"pps", required_argument, NULL, OPT_PPS}
#define RULES_ARGS_SKIP {"skip-invalid", no_argument, NULL, OPT_SKIP_INVALID}
#define RULES_ARGS_EMPTY {"allow-empty", no_argument, NULL, OPT_ALLOW_EMPTY}
#define RULES_ARGS_END {NULL, 0, NULL, 0}

const struct option rules_args_add_options[] = { RULES_ARGS_ADD, RULES_ARGS_END };
const struct option rules_args_add_limit_options[] = { RULES_ARGS_ADD, RULES_ARGS_PPS,
						       RULES_ARGS_END };
const struct option rules_args_load_options[] = { RULES_ARGS_ADD, RULES_ARGS_SKIP,
						  RULES_ARGS_END };
const struct option rules_args_load_limit_options[] = { RULES_ARGS_ADD, RULES_ARGS_SKIP,
							RULES_ARGS_PPS, RULES_ARGS_END };
const struct option rules_args_sync_options[] = { RULES_ARGS_ADD, RULES_ARGS_SKIP,
						  RULES_ARGS_EMPTY, RULES_ARGS_END };
const struct option rules_args_sync_limit_options[] = { RULES_ARGS_ADD, RULES_ARGS_SKIP,
							RULES_ARGS_EMPTY, RULES_ARGS_PPS,
							RULES_ARGS_END };
const struct option rules_args_del_options[] = { RULES_ARGS_MATCH, RULES_ARGS_END };

int rules_args_parse(const struct cli_ctx *ctx, const char *cmd, enum rules_args_kind kind,
		     int argc, char **argv, struct rules_args *a)
{
	Xdpfleet__V1__RuleAction action = a->action;
	const char *foreign;
	int c, err;

	memset(a, 0, sizeof(*a));
	a->action = action;
	a->comment = "";
	optind = 0;
	while ((c = parse_getopt(ctx, cmd, argc, argv, ":", rules_args_options)) != -1) {
		if (c == PARSE_OPT_ERROR)
			return -EINVAL;
		foreign = rules_args_foreign(kind, c);
		if (foreign)
			return cli_usage_error(ctx, cmd, "option '%s' does not apply here", foreign);
		err = rules_args_option(ctx, cmd, c, optarg, a);
		if (err)
			return err;
	}
	return rules_args_check(ctx, cmd, kind, a);
}
