// SPDX-License-Identifier: GPL-2.0-only
/* What TestRule answered: per host the verdict on the packet and the rule that decides it, or
 * that no rule matches and it passes. */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "names.h"
#include "output_rules.h"
#include "rules_args.h"

const char *output_rules_verdict(Xdpfleet__V1__XdpAction v)
{
	if (v == XDPFLEET__V1__XDP_ACTION__XDP_DROP)
		return "drop";
	if (v == XDPFLEET__V1__XDP_ACTION__XDP_PASS)
		return "pass";
	return names_action(v);
}

static const Xdpfleet__V1__TestRuleResponse *output_test_msg(const struct output_host *h)
{
	return h->ok ? (const Xdpfleet__V1__TestRuleResponse *)h->msg : NULL;
}

static const Xdpfleet__V1__Rule *output_test_rule(const struct output_host *h)
{
	const Xdpfleet__V1__TestRuleResponse *r = output_test_msg(h);

	return r && r->matched ? r->rule : NULL;
}

struct output_test_widths {
	int id, action, src, port, tag;
};

static int output_test_max(int w, int v)
{
	return v > w ? v : w;
}

static void output_test_widths(const struct output_host *h, size_t n, struct output_test_widths *w)
{
	char buf[OUTPUT_SAFE_MAX];
	const Xdpfleet__V1__Rule *r;

	*w = (struct output_test_widths){ 4, 6, 3, 4, 3 };
	for (size_t i = 0; i < n; i++) {
		if (!(r = output_test_rule(&h[i])))
			continue;
		w->id = output_test_max(w->id, snprintf(NULL, 0, "%" PRIu64, r->id));
		output_rules_action(buf, sizeof(buf), r);
		w->action = output_test_max(w->action, (int)strlen(buf));
		w->src = output_test_max(w->src, (int)strlen(output_rules_src(r, buf, sizeof(buf))));
		output_rules_port(buf, sizeof(buf), r->match);
		w->port = output_test_max(w->port, (int)strlen(buf));
		w->tag = output_test_max(w->tag, (int)strlen(output_safe(r->tag && *r->tag ? r->tag :
									 "-", buf, sizeof(buf))));
	}
}

static void output_test_row(FILE *f, const struct output_host *h, int hw,
			    const struct output_test_widths *w)
{
	const Xdpfleet__V1__TestRuleResponse *t = output_test_msg(h);
	char action[OUTPUT_RULES_ACTION_MAX], src[OUTPUT_RULES_SRC_MAX + 1], port[24],
		tag[OUTPUT_SAFE_MAX], comment[OUTPUT_SAFE_MAX];
	const Xdpfleet__V1__Rule *r = output_test_rule(h);

	if (!t) {
		fprintf(f, "%-*s  (empty answer)\n", hw, h->host);
		return;
	}
	if (!r) {
		fprintf(f, "%-*s  %-7s  no rule: passes\n", hw, h->host,
			output_rules_verdict(t->verdict));
		return;
	}
	output_rules_action(action, sizeof(action), r);
	output_rules_port(port, sizeof(port), r->match);
	output_safe(r->comment, comment, sizeof(comment));
	output_safe(r->tag && *r->tag ? r->tag : "-", tag, sizeof(tag));
	fprintf(f, "%-*s  %-7s  %*" PRIu64 "  %-*s  %-*s  %-6s  %-*s  %-*s%s%s\n", hw, h->host,
		output_rules_verdict(t->verdict), w->id, r->id, w->action, action, w->src,
		output_rules_src(r, src, sizeof(src)),
		rules_args_proto_name(r->match ? r->match->proto : 0), w->port, port,
		*comment ? w->tag : 0, tag, *comment ? "  " : "", comment);
}

int output_table_rules_test(FILE *f, const struct output_host *h, size_t n,
			    const struct output_opts *o)
{
	int hw = output_host_width(h, n);
	struct output_test_widths w;

	output_test_widths(h, n, &w);
	if (!o->no_headers)
		fprintf(f, "%-*s  %-7s  %*s  %-*s  %-*s  %-6s  %-*s  %-*s  %s\n", hw, "HOST",
			"VERDICT", w.id, "RULE", w.action, "ACTION", w.src, "SRC", "PROTO", w.port,
			"PORT", w.tag, "TAG", "COMMENT");
	for (size_t i = 0; i < n; i++)
		if (!output_table_failed(f, &h[i], hw))
			output_test_row(f, &h[i], hw, &w);
	return ferror(f) ? -EIO : 0;
}

int output_json_rules_test(struct json_writer *w, const ProtobufCMessage *msg)
{
	const Xdpfleet__V1__TestRuleResponse *t = (const Xdpfleet__V1__TestRuleResponse *)msg;

	json_kv_bool(w, "matched", t->matched && t->rule);
	json_kv_string(w, "verdict", output_rules_verdict(t->verdict));
	json_kv_bool(w, "enforced", t->enforced);
	json_key(w, "rule");
	if (t->matched && t->rule)
		output_rules_json_rule(w, t->rule);
	else
		json_null(w);
	return w->err;
}
