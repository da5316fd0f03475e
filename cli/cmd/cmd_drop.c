// SPDX-License-Identifier: GPL-2.0-only
/* "xdpfleet drop|allow|limit|monitor add|load|sync": put rules of one action on every host,
 * from prefixes on the command line or from a blocklist file (AddRules), or make a tag's rules
 * exactly a file's (SyncRules). */
#include "rules_add.h"
#include "rules_commands.h"

/* ---- help texts: what every action shares -------------------------------------------- */

#define CMD_DROP_PRECEDENCE \
	"Precedence: allow > drop > limit > monitor > default pass: a packet matching an allow\n" \
	"rule is passed whatever else matches. Among overlapping rules of one action the most\n" \
	"specific prefix gets the hit (and the counters).\n"

#define CMD_DROP_MATCH_OPTS \
	"  --proto P          any (default), tcp, udp, icmp or icmpv6\n" \
	"  --port N[-M]       destination port or range, 1-65535; needs --proto tcp or udp\n" \
	"  --ttl D            the agent removes the rule after D: 30s, 10m, 2h, 1d, 1w,\n" \
	"                     combinations such as 1h30m, or plain seconds (up to 3650d)\n" \
	"  --comment T        a note kept with the rule (256 bytes at most, no control\n" \
	"                     characters), shown by 'xdpfleet rules list'\n" \
	"  --force            accept drop/limit rules that cover the address this client\n" \
	"                     reaches the agent from, or a prefix the agent protects\n" \
	"                     (--protect); without it the agent refuses them\n" \
	"  --normalise        clear host bits (10.1.2.3/8 becomes 10.0.0.0/8) instead of\n" \
	"                     refusing such prefixes as probable typos\n"

#define CMD_DROP_TAG_OPT \
	"  --tag NAME         who owns the rules (letters, digits, . _ - :, 64 bytes at most),\n" \
	"                     shown by 'rules list'; 'sync' replaces the rules of one tag\n"

#define CMD_DROP_PPS_OPT \
	"  --pps N            required: packets per second allowed per source address\n" \
	"                     (1 to 1000000000); the excess is dropped\n"

#define CMD_DROP_PREFIX \
	"PREFIX: an IPv4 or IPv6 address (a /32 or /128), a CIDR (203.0.113.0/24,\n" \
	"2001:db8::/32), or 'any' for every source (with --proto/--port). A prefix given twice\n" \
	"is sent once; a rule already on a host is not added again: it is counted as present,\n" \
	"or as updated when its TTL, comment or tag changed (its TTL then counts from now).\n"

#define CMD_DROP_ADD_OUTPUT \
	"Output: per host ADDED (new rules), UPDATED (already there, TTL/comment/tag now the\n" \
	"request's), PRESENT (equal rules already there) and IDS (the rule ids, for 'xdpfleet\n" \
	"rules del ID'), then the totals: 'N added, N updated, N already present on N hosts'\n" \
	"(--no-headers: the host rows only). A warning on stderr names hosts where no\n" \
	"interface runs the filter program (the rules wait for one).\n" \
	"JSON: {\"host\":..,\"ok\":true,\"added\":N,\"updated\":N,\"already_present\":N,\n" \
	"\"ids\":[..]}\n"

#define CMD_DROP_EXIT \
	"Exit status: 0 every host took the rules, 1 at least one host failed (named on\n" \
	"stderr; each host applies all rules or none), 2 usage error (nothing sent).\n"

#define CMD_DROP_FILE \
	"FILE: one address or CIDR per line; '-' reads stdin. Text after '#' or ';' is a\n" \
	"comment, so FireHOL .netset/.ipset files and Spamhaus DROP/EDROP lists (IPv4 and\n" \
	"IPv6, \"CIDR ; SBLnnn\") load as they are; so do plain lists with Windows line\n" \
	"endings, blank lines, trailing spaces and comments after entries. The whole file is\n" \
	"checked before anything is sent: invalid lines are listed with their line numbers\n" \
	"and refuse the load (exit 2) unless --skip-invalid. Duplicates are folded and\n" \
	"reported; overlapping entries (a /32 inside a /24) are kept: the most specific wins.\n" \
	"Every host then gets ONE request: all the rules or none. --timeout grows by 5 s\n" \
	"per 100,000 rules for it.\n"

#define CMD_DROP_LOAD_OUTPUT \
	"Output: the file's summary (lines read, entries, duplicates folded, invalid lines\n" \
	"skipped, entries inside another entry), then per host ADDED, UPDATED, PRESENT and\n" \
	"IDS, then the totals: 'N added, N updated, N already present on N hosts'.\n" \
	"JSON: {\"host\":..,\"ok\":true,\"added\":N,\"updated\":N,\"already_present\":N,\"ids\":[..],\n" \
	"\"load\":{\"file\":..,\"lines\":N,\"entries\":N,\"duplicates\":N,\"invalid\":N,\"nested\":N}}\n"

#define CMD_DROP_SKIP_OPT \
	"  --skip-invalid     load the valid lines even if some are invalid (still listed)\n"

#define CMD_DROP_SYNC \
	"Makes the rules tagged NAME on every target exactly the entries of FILE, in one step\n" \
	"(SyncRules: one request per host, all or nothing): entries new to the tag are added,\n" \
	"rules of the tag that FILE no longer lists are deleted, the others are refreshed\n" \
	"(TTL counted from now, comment). Rules of other tags and untagged rules are never\n" \
	"touched. Run it after each download of a feed (cron, a systemd timer). A tag owns\n" \
	"rules of every action: give each list its own tag.\n"

#define CMD_DROP_SYNC_OPTS \
	"  --tag NAME         the tag to make FILE's (letters, digits, . _ - :, 64 bytes at\n" \
	"                     most); default: FILE's base name (required for -)\n" \
	"  --allow-empty      sync a FILE without entries, deleting every rule of the tag;\n" \
	"                     without it an empty FILE is refused (a failed download must not\n" \
	"                     lift a blocklist)\n"

#define CMD_DROP_SYNC_OUTPUT \
	"Output: the file's summary and the tag, then per host ADDED, UPDATED (TTL/comment\n" \
	"refreshed), UNCHANGED, DELETED (rules of the tag FILE no longer has), and OTHER OWNER\n" \
	"(entries that match an untagged rule or another tag's: left to it) when there are any,\n" \
	"then the totals: 'N added, N updated, N unchanged, N deleted on N hosts'. JSON:\n" \
	"{\"host\":..,\"ok\":true,\"tag\":..,\"added\":N,\"updated\":N,\"unchanged\":N,\"deleted\":N,\n" \
	"\"other_owner\":N,\"enforced\":true,\n" \
	"\"load\":{\"file\":..,\"lines\":N,\"entries\":N,\"duplicates\":N,\"invalid\":N,\"nested\":N}}\n"

#define CMD_DROP_SYNC_USAGE(act, extra) \
	act " sync FILE" extra " [--tag NAME] [--allow-empty] [--skip-invalid]\n" \
	"                                        [--proto P] [--port N[-M]] [--ttl D] [--comment T]\n" \
	"                                        [--force] [--normalise]"

/* A sync subcommand of an action; what differs between the actions is in their group help. */
#define CMD_DROP_SYNC_CMD(var, act, extra, fn, opts, opts_help) \
	static const struct cli_command var = { \
		.name = "sync", \
		.options = opts, \
		.summary = "make the " act " rules of one tag exactly a file's, on every host", \
		.usage = CMD_DROP_SYNC_USAGE(act, extra), \
		.help = CMD_DROP_SYNC "\n" CMD_DROP_FILE "\nOptions:\n" opts_help \
			CMD_DROP_SYNC_OPTS CMD_DROP_SKIP_OPT CMD_DROP_MATCH_OPTS \
			"  (the match options, --ttl and --comment apply to every entry)\n\n" \
			CMD_DROP_PRECEDENCE "\n" CMD_DROP_SYNC_OUTPUT "\n" \
			"Examples:\n" \
			"  xdpfleet " act " sync firehol_level1.netset" extra "\n" \
			"  curl -s https://www.spamhaus.org/drop/drop.txt | xdpfleet " act " sync - --tag spamhaus-drop" extra "\n" \
			"  xdpfleet --hosts-file fleet.txt " act " sync feed.txt --tag feed --ttl 2d --skip-invalid" extra "\n\n" \
			CMD_DROP_EXIT, \
		.run = fn, \
	}

#define CMD_DROP_ADD_USAGE(act, extra) \
	act " add PREFIX..." extra " [--proto P] [--port N[-M]] [--ttl D]\n" \
	"                                        [--comment T] [--force] [--normalise]"
#define CMD_DROP_LOAD_USAGE(act, extra) \
	act " load FILE" extra " [--skip-invalid] [--proto P] [--port N[-M]]\n" \
	"                                        [--ttl D] [--comment T] [--force] [--normalise]"

/* ---- drop ------------------------------------------------------------------------------ */

static int cmd_drop_add(struct cli_ctx *ctx, int argc, char **argv)
{
	return rules_add_run(ctx, "drop add", XDPFLEET__V1__RULE_ACTION__RULE_ACTION_DROP, argc,
			     argv);
}

static int cmd_drop_load(struct cli_ctx *ctx, int argc, char **argv)
{
	return rules_load_run(ctx, "drop load", XDPFLEET__V1__RULE_ACTION__RULE_ACTION_DROP, argc,
			      argv);
}

static const struct cli_command cmd_drop_add_cmd = {
	.name = "add",
	.options = rules_args_add_options,
	.summary = "drop packets from PREFIX... on every host",
	.usage = CMD_DROP_ADD_USAGE("drop", ""),
	.help = "Drops packets from PREFIX... at the driver on every target, before the kernel\n"
		"spends anything on them (AddRules: one request per host, all or nothing).\n\n"
		CMD_DROP_PREFIX "\nOptions:\n" CMD_DROP_MATCH_OPTS CMD_DROP_TAG_OPT "\n" CMD_DROP_PRECEDENCE "\n"
		CMD_DROP_ADD_OUTPUT "\n"
		"Examples:\n"
		"  xdpfleet drop add 203.0.113.0/24 2001:db8:bad::/48 --comment 'flood 11-26'\n"
		"  xdpfleet drop add 198.51.100.7 --proto udp --port 53 --ttl 10m\n"
		"  xdpfleet --hosts-file fleet.txt drop add any --proto udp --port 11211\n\n"
		CMD_DROP_EXIT,
	.run = cmd_drop_add,
};

static const struct cli_command cmd_drop_load_cmd = {
	.name = "load",
	.options = rules_args_load_options,
	.summary = "drop packets from every entry of a blocklist file on every host",
	.usage = CMD_DROP_LOAD_USAGE("drop", ""),
	.help = "Drops packets from every prefix of FILE on every target (AddRules).\n\n"
		CMD_DROP_FILE "\nOptions:\n" CMD_DROP_SKIP_OPT CMD_DROP_MATCH_OPTS CMD_DROP_TAG_OPT
		"  (the match options, --ttl and --comment apply to every entry)\n\n"
		CMD_DROP_PRECEDENCE "\n" CMD_DROP_LOAD_OUTPUT "\n"
		"Examples:\n"
		"  xdpfleet -H h1:50051,h2:50051,h3:50051 --tls-ca ca.pem drop load firehol_level1.netset\n"
		"  curl -s https://www.spamhaus.org/drop/drop.txt | xdpfleet drop load - --ttl 1d\n"
		"  xdpfleet drop load feed.txt --skip-invalid --comment abuse-feed\n\n"
		CMD_DROP_EXIT,
	.run = cmd_drop_load,
};

static int cmd_drop_sync(struct cli_ctx *ctx, int argc, char **argv)
{
	return rules_sync_run(ctx, "drop sync", XDPFLEET__V1__RULE_ACTION__RULE_ACTION_DROP, argc,
			      argv);
}

CMD_DROP_SYNC_CMD(cmd_drop_sync_cmd, "drop", "", cmd_drop_sync,
		  rules_args_sync_options, "");

static const struct cli_command *const cmd_drop_subs[] = {
	&cmd_drop_add_cmd, &cmd_drop_load_cmd, &cmd_drop_sync_cmd, NULL,
};

const struct cli_command cmd_drop = {
	.name = "drop",
	.summary = "drop rules: block prefixes or whole blocklists on every host",
	.usage = "drop add|load|sync ...",
	.help = "Drop rules discard matching packets in XDP (counted per rule and under XDP_DROP).\n"
		"List and remove them with 'xdpfleet rules list|del|flush'.\n\n"
		CMD_DROP_PRECEDENCE "\n"
		"Examples:\n"
		"  xdpfleet drop add 203.0.113.0/24\n"
		"  xdpfleet drop load blocklist.netset\n"
		"  xdpfleet drop sync firehol_level1.netset --ttl 2d\n\n" CMD_DROP_EXIT,
	.subcommands = cmd_drop_subs,
};

/* ---- allow ----------------------------------------------------------------------------- */

static int cmd_allow_add(struct cli_ctx *ctx, int argc, char **argv)
{
	return rules_add_run(ctx, "allow add", XDPFLEET__V1__RULE_ACTION__RULE_ACTION_ALLOW, argc,
			     argv);
}

static int cmd_allow_load(struct cli_ctx *ctx, int argc, char **argv)
{
	return rules_load_run(ctx, "allow load", XDPFLEET__V1__RULE_ACTION__RULE_ACTION_ALLOW,
			      argc, argv);
}

static const struct cli_command cmd_allow_add_cmd = {
	.name = "add",
	.options = rules_args_add_options,
	.summary = "exempt PREFIX... from every drop, limit and monitor rule on every host",
	.usage = CMD_DROP_ADD_USAGE("allow", ""),
	.help = "Passes packets from PREFIX... whatever drop, limit or monitor rules also match\n"
		"(AddRules: one request per host, all or nothing). Use it for monitoring systems,\n"
		"peers and your own networks before loading a broad blocklist.\n\n"
		CMD_DROP_PREFIX "\nOptions:\n" CMD_DROP_MATCH_OPTS CMD_DROP_TAG_OPT "\n" CMD_DROP_PRECEDENCE "\n"
		CMD_DROP_ADD_OUTPUT "\n"
		"Examples:\n"
		"  xdpfleet allow add 192.0.2.0/24 --comment 'office'\n"
		"  xdpfleet allow add 198.51.100.10 --proto tcp --port 22\n\n" CMD_DROP_EXIT,
	.run = cmd_allow_add,
};

static const struct cli_command cmd_allow_load_cmd = {
	.name = "load",
	.options = rules_args_load_options,
	.summary = "exempt every entry of an allowlist file on every host",
	.usage = CMD_DROP_LOAD_USAGE("allow", ""),
	.help = "Allow rules for every prefix of FILE on every target (AddRules).\n\n"
		CMD_DROP_FILE "\nOptions:\n" CMD_DROP_SKIP_OPT CMD_DROP_MATCH_OPTS CMD_DROP_TAG_OPT "\n"
		CMD_DROP_PRECEDENCE "\n" CMD_DROP_LOAD_OUTPUT "\n"
		"Examples:\n"
		"  xdpfleet allow load partners.txt --comment partners\n\n" CMD_DROP_EXIT,
	.run = cmd_allow_load,
};

static int cmd_allow_sync(struct cli_ctx *ctx, int argc, char **argv)
{
	return rules_sync_run(ctx, "allow sync", XDPFLEET__V1__RULE_ACTION__RULE_ACTION_ALLOW, argc,
			      argv);
}

CMD_DROP_SYNC_CMD(cmd_allow_sync_cmd, "allow", "", cmd_allow_sync,
		  rules_args_sync_options, "");

static const struct cli_command *const cmd_allow_subs[] = {
	&cmd_allow_add_cmd, &cmd_allow_load_cmd, &cmd_allow_sync_cmd, NULL,
};

const struct cli_command cmd_allow = {
	.name = "allow",
	.summary = "allow rules: exempt prefixes from every other rule on every host",
	.usage = "allow add|load|sync ...",
	.help = "Allow rules pass matching packets whatever else matches.\n\n"
		CMD_DROP_PRECEDENCE "\n"
		"Examples:\n"
		"  xdpfleet allow add 192.0.2.0/24\n\n" CMD_DROP_EXIT,
	.subcommands = cmd_allow_subs,
};

/* ---- limit ----------------------------------------------------------------------------- */

static int cmd_limit_add(struct cli_ctx *ctx, int argc, char **argv)
{
	return rules_add_run(ctx, "limit add", XDPFLEET__V1__RULE_ACTION__RULE_ACTION_LIMIT, argc,
			     argv);
}

static int cmd_limit_load(struct cli_ctx *ctx, int argc, char **argv)
{
	return rules_load_run(ctx, "limit load", XDPFLEET__V1__RULE_ACTION__RULE_ACTION_LIMIT,
			      argc, argv);
}

static const struct cli_command cmd_limit_add_cmd = {
	.name = "add",
	.options = rules_args_add_limit_options,
	.summary = "rate-limit each source address in PREFIX... on every host",
	.usage = CMD_DROP_ADD_USAGE("limit", " --pps N"),
	.help = "Lets each source address within PREFIX... send --pps packets per second (a token\n"
		"bucket per address); the excess is dropped (AddRules: one request per host, all\n"
		"or nothing).\n\n"
		CMD_DROP_PREFIX "\nOptions:\n" CMD_DROP_PPS_OPT CMD_DROP_MATCH_OPTS CMD_DROP_TAG_OPT "\n"
		CMD_DROP_PRECEDENCE "\n" CMD_DROP_ADD_OUTPUT "\n"
		"Examples:\n"
		"  xdpfleet limit add 0.0.0.0/0 ::/0 --pps 1000 --proto icmp\n"
		"  xdpfleet limit add any --pps 200 --proto udp --port 53 --ttl 1h\n\n"
		CMD_DROP_EXIT,
	.run = cmd_limit_add,
};

static const struct cli_command cmd_limit_load_cmd = {
	.name = "load",
	.options = rules_args_load_limit_options,
	.summary = "rate-limit every entry of a file on every host",
	.usage = CMD_DROP_LOAD_USAGE("limit", " --pps N"),
	.help = "Limit rules (--pps per source address) for every prefix of FILE (AddRules).\n\n"
		CMD_DROP_FILE "\nOptions:\n" CMD_DROP_PPS_OPT CMD_DROP_SKIP_OPT CMD_DROP_MATCH_OPTS CMD_DROP_TAG_OPT
		"\n" CMD_DROP_PRECEDENCE "\n" CMD_DROP_LOAD_OUTPUT "\n"
		"Examples:\n"
		"  xdpfleet limit load noisy.txt --pps 500\n\n" CMD_DROP_EXIT,
	.run = cmd_limit_load,
};

static int cmd_limit_sync(struct cli_ctx *ctx, int argc, char **argv)
{
	return rules_sync_run(ctx, "limit sync", XDPFLEET__V1__RULE_ACTION__RULE_ACTION_LIMIT, argc,
			      argv);
}

CMD_DROP_SYNC_CMD(cmd_limit_sync_cmd, "limit", " --pps N", cmd_limit_sync,
		  rules_args_sync_limit_options, CMD_DROP_PPS_OPT);

static const struct cli_command *const cmd_limit_subs[] = {
	&cmd_limit_add_cmd, &cmd_limit_load_cmd, &cmd_limit_sync_cmd, NULL,
};

const struct cli_command cmd_limit = {
	.name = "limit",
	.summary = "limit rules: a packets-per-second budget per source address on every host",
	.usage = "limit add|load|sync ... --pps N",
	.help = "Limit rules let each source address send --pps packets per second and drop the\n"
		"excess.\n\n" CMD_DROP_PRECEDENCE "\n"
		"Examples:\n"
		"  xdpfleet limit add 198.51.100.0/24 --pps 1000\n\n" CMD_DROP_EXIT,
	.subcommands = cmd_limit_subs,
};

/* ---- monitor --------------------------------------------------------------------------- */

static int cmd_monitor_add(struct cli_ctx *ctx, int argc, char **argv)
{
	return rules_add_run(ctx, "monitor add", XDPFLEET__V1__RULE_ACTION__RULE_ACTION_MONITOR,
			     argc, argv);
}

static int cmd_monitor_load(struct cli_ctx *ctx, int argc, char **argv)
{
	return rules_load_run(ctx, "monitor load", XDPFLEET__V1__RULE_ACTION__RULE_ACTION_MONITOR,
			      argc, argv);
}

static const struct cli_command cmd_monitor_add_cmd = {
	.name = "add",
	.options = rules_args_add_options,
	.summary = "count (but pass) packets from PREFIX... on every host",
	.usage = CMD_DROP_ADD_USAGE("monitor", ""),
	.help = "Counts packets and bytes from PREFIX... and passes them: a dry run of a rule\n"
		"before enforcing it (AddRules: one request per host, all or nothing).\n\n"
		CMD_DROP_PREFIX "\nOptions:\n" CMD_DROP_MATCH_OPTS CMD_DROP_TAG_OPT "\n" CMD_DROP_PRECEDENCE "\n"
		CMD_DROP_ADD_OUTPUT "\n"
		"Examples:\n"
		"  xdpfleet monitor add 203.0.113.0/24 --ttl 1h\n"
		"  xdpfleet rules list --action monitor\n\n" CMD_DROP_EXIT,
	.run = cmd_monitor_add,
};

static const struct cli_command cmd_monitor_load_cmd = {
	.name = "load",
	.options = rules_args_load_options,
	.summary = "count (but pass) packets from every entry of a file on every host",
	.usage = CMD_DROP_LOAD_USAGE("monitor", ""),
	.help = "Monitor rules for every prefix of FILE (AddRules): see what a blocklist would\n"
		"drop before loading it with 'drop load'.\n\n"
		CMD_DROP_FILE "\nOptions:\n" CMD_DROP_SKIP_OPT CMD_DROP_MATCH_OPTS CMD_DROP_TAG_OPT "\n"
		CMD_DROP_PRECEDENCE "\n" CMD_DROP_LOAD_OUTPUT "\n"
		"Examples:\n"
		"  xdpfleet monitor load firehol_level2.netset --ttl 1d\n\n" CMD_DROP_EXIT,
	.run = cmd_monitor_load,
};

static int cmd_monitor_sync(struct cli_ctx *ctx, int argc, char **argv)
{
	return rules_sync_run(ctx, "monitor sync", XDPFLEET__V1__RULE_ACTION__RULE_ACTION_MONITOR, argc,
			      argv);
}

CMD_DROP_SYNC_CMD(cmd_monitor_sync_cmd, "monitor", "", cmd_monitor_sync,
		  rules_args_sync_options, "");

static const struct cli_command *const cmd_monitor_subs[] = {
	&cmd_monitor_add_cmd, &cmd_monitor_load_cmd, &cmd_monitor_sync_cmd, NULL,
};

const struct cli_command cmd_monitor = {
	.name = "monitor",
	.summary = "monitor rules: count matching packets without dropping them",
	.usage = "monitor add|load|sync ...",
	.help = "Monitor rules count packets and bytes and pass them: a dry run.\n\n"
		CMD_DROP_PRECEDENCE "\n"
		"Examples:\n"
		"  xdpfleet monitor add 203.0.113.0/24\n\n" CMD_DROP_EXIT,
	.subcommands = cmd_monitor_subs,
};
