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

/* Sends rq to every host and prints the answers (with load's summary when not NULL): 0 when
 * every host took the rules, -EIO otherwise. */
int rules_add_send(struct cli_ctx *ctx, const struct rules_add_req *rq,
		   const struct output_rules_load *load);

/* argv[0] is "add"/"load"; cmd names the command in messages ("drop add"). */
int rules_add_run(struct cli_ctx *ctx, const char *cmd, Xdpfleet__V1__RuleAction action,
		  int argc, char **argv);
int rules_load_run(struct cli_ctx *ctx, const char *cmd, Xdpfleet__V1__RuleAction action,
		   int argc, char **argv);

#endif
