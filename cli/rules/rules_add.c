// SPDX-License-Identifier: GPL-2.0-only
/* "ACTION add": the AddRules request built from prefixes and options, sent once to every host,
 * the answers printed (see rules_add.h). */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "blocklist.h"
#include "call.h"
#include "parse.h"
#include "rules_add.h"

/* Time an agent may take per rule on top of --timeout: 100k rules get 5 s more. */
#define RULES_ADD_US_PER_RULE 50u

void rules_add_req_free(struct rules_add_req *rq)
{
	free(rq->req.rules);
	free(rq->rules);
	free(rq->matches);
	free(rq->srcs);
	memset(rq, 0, sizeof(*rq));
}

static size_t rules_add_src(const struct cidr *c, char *buf)
{
	if (!c->family || cidr_format(c, buf, CIDR_STR_MAX))
		buf[0] = '\0';
	return strlen(buf) + 1;
}

int rules_add_req_build(struct rules_add_req *rq, const struct rules_args *a,
			const struct cidr *prefixes, size_t n)
{
	char tmp[CIDR_STR_MAX], *src;
	size_t total = 0;

	memset(rq, 0, sizeof(*rq));
	xdpfleet__v1__add_rules_request__init(&rq->req);
	rq->req.force = a->force;
	/* Exact-size strings: a million IPv4 prefixes average 16 bytes, not CIDR_STR_MAX. */
	for (size_t i = 0; i < n; i++)
		total += rules_add_src(&prefixes[i], tmp);
	rq->req.rules = calloc(n ? n : 1, sizeof(*rq->req.rules));
	rq->rules = calloc(n ? n : 1, sizeof(*rq->rules));
	rq->matches = calloc(n ? n : 1, sizeof(*rq->matches));
	rq->srcs = malloc(total ? total : 1);
	if (!rq->req.rules || !rq->rules || !rq->matches || !rq->srcs)
		return -ENOMEM;
	src = rq->srcs;
	for (size_t i = 0; i < n; i++) {
		xdpfleet__v1__rule_match__init(&rq->matches[i]);
		rq->matches[i].src = src;
		src += rules_add_src(&prefixes[i], src);
		rq->matches[i].proto = a->proto;
		rq->matches[i].port_min = a->port_min;
		rq->matches[i].port_max = a->port_max;
		xdpfleet__v1__rule__init(&rq->rules[i]);
		rq->rules[i].action = a->action;
		rq->rules[i].match = &rq->matches[i];
		rq->rules[i].limit_pps = a->limit_pps;
		rq->rules[i].ttl_seconds = a->ttl_seconds;
		rq->rules[i].comment = (char *)a->comment;
		rq->rules[i].tag = (char *)(a->tag ? a->tag : "");
		rq->req.rules[i] = &rq->rules[i];
	}
	rq->req.n_rules = n;
	return 0;
}

/* Time an agent may take per rule on top of --timeout: the deadline grows with the batch. */
static int rules_add_fanout(const struct cli_ctx *ctx, const struct rules_batch *b,
			    struct rpc_host_result **r)
{
	uint64_t timeout = ctx->g.timeout_ms + b->n_rules * RULES_ADD_US_PER_RULE / 1000;
	struct call_fanout_opts co = {
		.timeout_ms = timeout > UINT32_MAX ? UINT32_MAX : (unsigned int)timeout,
	};

	return call_fanout(ctx, b->method, b->req, &co, r);
}

/* Agents name a refused rule by its index ("rules[42]: ..."); for a load, the file line is
 * what the operator can act on. */
static void rules_add_name_line(struct output_host *h, const struct output_rules_load *load)
{
	const char *p = strstr(h->error, "rules[");
	unsigned long long idx;
	size_t len;
	char *end;

	if (!p || !load || !load->entry_line || !isdigit((unsigned char)p[6]))
		return;
	idx = strtoull(p + 6, &end, 10);
	if (*end != ']' || idx >= load->entries)
		return;
	len = strlen(h->error);
	snprintf(h->error + len, sizeof(h->error) - len, " (%s line %zu)", load->file,
		 load->entry_line[idx]);
}

/* After the answers: a warning for each host where nothing enforces the rules. */
static void rules_add_warn_unenforced(const struct cli_ctx *ctx, const struct rules_batch *b,
				      const struct output_host *h, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (h[i].ok && h[i].msg && !b->enforced(h[i].msg))
			fprintf(ctx->io.err, CLI_PROG ": warning: %s: no interface runs the filter "
				"program: the rules are kept but nothing enforces them (xdpfleet "
				"attach IFACE --prog filter)\n", h[i].host);
}

int rules_batch_send(struct cli_ctx *ctx, const struct rules_batch *b)
{
	size_t n = ctx->g.hosts.n;
	struct rpc_host_result *r = NULL;
	struct output_host *h = NULL;
	struct output_opts o;
	int err;

	call_output_opts(ctx, &o);
	err = rules_add_fanout(ctx, b, &r);
	if (err)
		goto out;
	err = call_hosts(ctx, r, &h);
	if (err)
		goto out;
	for (size_t i = 0; i < n; i++)
		if (!h[i].ok)
			rules_add_name_line(&h[i], b->load);
	err = b->print(ctx, b, h, n, &o);
	fflush(ctx->io.out);
	rules_add_warn_unenforced(ctx, b, h, n);
	err = call_report_failures(ctx, h, n) ?: (err ? -EIO : 0);
out:
	free(h);
	call_results_free(ctx, r);
	return err;
}

static bool rules_add_enforced(const ProtobufCMessage *msg)
{
	return ((const Xdpfleet__V1__AddRulesResponse *)msg)->enforced;
}

static int rules_add_print(const struct cli_ctx *ctx, const struct rules_batch *b,
			   const struct output_host *h, size_t n, const struct output_opts *o)
{
	if (ctx->g.output != CLI_OUTPUT_TABLE)
		return output_json_rules_added(ctx->io.out, h, n, b->load, o);
	if (b->load && !o->no_headers)
		output_rules_load_summary(ctx->io.out, b->load);
	return output_table_rules_added(ctx->io.out, h, n, o);
}

int rules_add_send(struct cli_ctx *ctx, const struct rules_add_req *rq,
		   const struct output_rules_load *load)
{
	const struct rules_batch b = {
		.method = "AddRules",
		.req = &rq->req.base,
		.n_rules = rq->req.n_rules,
		.load = load,
		.print = rules_add_print,
		.enforced = rules_add_enforced,
	};

	return rules_batch_send(ctx, &b);
}

int rules_add_run(struct cli_ctx *ctx, const char *cmd, Xdpfleet__V1__RuleAction action,
		  int argc, char **argv)
{
	struct rules_args a = { .action = action };
	struct rules_add_req rq = { 0 };
	struct cidr c, *prefixes = NULL;
	struct blocklist bl;
	bool any, has_any = false;
	size_t n;
	int err;

	err = rules_args_parse(ctx, cmd, RULES_ARGS_ADD, argc, argv, &a);
	if (err)
		return err;
	if (optind >= argc)
		return cli_usage_error(ctx, cmd, "missing PREFIX (an address, a CIDR, or 'any')");
	/* The blocklist set folds prefixes given twice (also "10.0.0.1" and "10.0.0.1/32"). */
	blocklist_init(&bl, &(struct blocklist_opts){ .normalise = a.normalise });
	for (int i = optind; i < argc; i++) {
		err = rules_args_prefix(ctx, cmd, argv[i], a.normalise, &c, &any);
		if (err)
			goto out;
		has_any |= any;
		if (!any && blocklist_add_line(&bl, argv[i], strlen(argv[i]))) {
			err = -ENOMEM;
			goto out;
		}
	}
	n = bl.n + has_any;
	prefixes = calloc(n, sizeof(*prefixes));
	if (!prefixes) {
		err = -ENOMEM;
		goto out;
	}
	if (bl.n)
		memcpy(prefixes, bl.entries, bl.n * sizeof(*prefixes));
	err = rules_add_req_build(&rq, &a, prefixes, n) ?: rules_add_send(ctx, &rq, NULL);
out:
	rules_add_req_free(&rq);
	free(prefixes);
	blocklist_free(&bl);
	if (err == -ENOMEM)
		fprintf(ctx->io.err, CLI_PROG " %s: out of memory\n", cmd);
	return err == -ENOMEM ? -EIO : err;
}
