/* SPDX-License-Identifier: GPL-2.0-only */
/* "ACTION add" and "ACTION load" for every rule action: prefixes (from arguments or a
 * blocklist file) plus the shared options become ONE AddRules request per host, all or
 * nothing on each agent. */
#ifndef XDPFLEET_CLI_RULES_ADD_H
#define XDPFLEET_CLI_RULES_ADD_H

#include "cidr.h"
#include "cli.h"
#include "output_rules.h"
#include "rules_args.h"

/* A request's worth of rules, built in a few big allocations (100k rules must stay cheap). */
struct rules_add_req {
	Xdpfleet__V1__AddRulesRequest req;
	Xdpfleet__V1__Rule *rules;
	Xdpfleet__V1__RuleMatch *matches;
	char *srcs; /* every src string, back to back */
};

/* One rule per prefix (family 0: any source), each with a's match options, TTL, comment and
 * budget. Returns 0 or -ENOMEM; free with rules_add_req_free either way. */
int rules_add_req_build(struct rules_add_req *rq, const struct rules_args *a,
			const struct cidr *prefixes, size_t n);
void rules_add_req_free(struct rules_add_req *rq);

/* A batch of rules sent to every host (AddRules, SyncRules) and how its answers print. */
struct rules_batch {
	const char *method;
	const ProtobufCMessage *req;
	size_t n_rules;                       /* the deadline grows with them */
	const struct output_rules_load *load; /* a file's, or NULL */
	const char *tag;                      /* sync */
	int (*print)(const struct cli_ctx *ctx, const struct rules_batch *b,
		     const struct output_host *h, size_t n, const struct output_opts *o);
	bool (*enforced)(const ProtobufCMessage *msg); /* from an ok host's answer */
};

/* Sends, names refused rules by their file line, prints, warns about hosts where nothing
 * enforces the rules, names the failed hosts: 0, or -EIO when any failed. */
int rules_batch_send(struct cli_ctx *ctx, const struct rules_batch *b);

/* Sends rq to every host and prints the answers (with load's summary when not NULL): 0 when
 * every host took the rules, -EIO otherwise. */
int rules_add_send(struct cli_ctx *ctx, const struct rules_add_req *rq,
		   const struct output_rules_load *load);

/* argv[0] is "add"/"load"; cmd names the command in messages ("drop add"). */
int rules_add_run(struct cli_ctx *ctx, const char *cmd, Xdpfleet__V1__RuleAction action,
		  int argc, char **argv);
int rules_load_run(struct cli_ctx *ctx, const char *cmd, Xdpfleet__V1__RuleAction action,
		   int argc, char **argv);
/* "ACTION sync FILE": the rules of one tag made exactly the file's (rules_sync.c). */
int rules_sync_run(struct cli_ctx *ctx, const char *cmd, Xdpfleet__V1__RuleAction action,
		   int argc, char **argv);

/* The FILE of a load or sync read and checked entirely before anything is sent: invalid
 * lines and duplicates reported with their line numbers; invalid lines refuse it unless
 * --skip-invalid, an empty file unless --allow-empty. On 0, bl holds the entries (free it
 * either way) and load the summary. */
struct blocklist;
int rules_load_file(const struct cli_ctx *ctx, const char *cmd, const struct rules_args *a,
		    const char *path, struct blocklist *bl, struct output_rules_load *load);
/* rules_load_file() and the request built from its entries; load keeps each entry's line
 * (free load->entry_line and rq with rules_load_release either way). */
int rules_load_request(const struct cli_ctx *ctx, const char *cmd, const struct rules_args *a,
		       const char *path, struct rules_add_req *rq, struct output_rules_load *load);
void rules_load_release(struct rules_add_req *rq, struct output_rules_load *load);

#endif
