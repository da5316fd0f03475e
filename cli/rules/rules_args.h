/* SPDX-License-Identifier: GPL-2.0-only */
/* Rule options as the operator types them (--proto, --port, --ttl, --pps, --comment, prefixes)
 * and the rule enums' names, shared by the add/load commands, "rules del" and the listings. */
#ifndef XDPFLEET_CLI_RULES_ARGS_H
#define XDPFLEET_CLI_RULES_ARGS_H

#include <stdbool.h>
#include <stdint.h>

#include "api_limits.h"
#include "cidr.h"
#include "cli.h"
#include "xdpfleet/v1/agent.pb-c.h"


/* What the options of "ACTION add|load" and "rules del" set. */
struct rules_args {
	Xdpfleet__V1__RuleAction action;
	Xdpfleet__V1__Protocol proto;
	bool has_proto;
	uint32_t port_min, port_max; /* 0/0: any */
	uint64_t ttl_seconds;        /* 0: none */
	uint64_t limit_pps;          /* limit only */
	const char *comment;
	bool force;
	bool normalise;
	bool skip_invalid; /* load and sync */
	const char *tag;   /* NULL: none given */
	bool allow_empty;  /* sync only */
};

/* Which options a command takes; the others are refused by name. */
enum rules_args_kind {
	RULES_ARGS_ADD,
	RULES_ARGS_LOAD,
	RULES_ARGS_SYNC,
	RULES_ARGS_DEL,
};

/* Every option the rule commands know (getopt's table); each kind refuses some by name. */
extern const struct option rules_args_options[];
/* The options each command really takes (struct cli_command.options): add, load and sync, of
 * limit rules (with --pps) or the others, and "rules del". */
extern const struct option rules_args_add_options[], rules_args_add_limit_options[];
extern const struct option rules_args_load_options[], rules_args_load_limit_options[];
extern const struct option rules_args_sync_options[], rules_args_sync_limit_options[];
extern const struct option rules_args_del_options[];

/* Parses the options of argv (getopt, so they may follow the operands, which start at optind
 * afterwards) and checks how they combine. cmd names the command in messages ("drop add").
 * Returns 0 or -EINVAL after a usage message. */
int rules_args_parse(const struct cli_ctx *ctx, const char *cmd, enum rules_args_kind kind,
		     int argc, char **argv, struct rules_args *a);

/* A PREFIX operand: an address, a CIDR, or "any" (every source: *any set). -EINVAL after a
 * usage message naming the value. */
int rules_args_prefix(const struct cli_ctx *ctx, const char *cmd, const char *s, bool normalise,
		      struct cidr *out, bool *any);

/* "30s", "10m", "2h", "1d", combinations such as "1h30m", or plain seconds; > 0. */
int rules_args_parse_duration(const char *s, uint64_t *seconds);
/* "80" or "1000-2000", ports 1..65535, min <= max. */
int rules_args_parse_ports(const char *s, uint32_t *min, uint32_t *max);

/* "drop", "allow", "limit", "monitor"; "unknown" for other numbers. */
const char *rules_args_action_name(Xdpfleet__V1__RuleAction a);
int rules_args_parse_action(const char *s, Xdpfleet__V1__RuleAction *a);
/* "any", "tcp", "udp", "icmp", "icmpv6"; "unknown" for other numbers. */
const char *rules_args_proto_name(Xdpfleet__V1__Protocol p);
int rules_args_parse_proto(const char *s, Xdpfleet__V1__Protocol *p);

#endif
