// SPDX-License-Identifier: GPL-2.0-only
/* "rules list" (see rules_list.h): pages kept per host until its stream ends, then merged,
 * sorted by id, printed and freed. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "call.h"
#include "output_rules.h"
#include "rules_list.h"

struct rules_list_host {
	ProtobufCMessage **pages;
	size_t n, cap;
	bool ended;
	struct rpc_host_result end; /* when ended; resp unused (streams have none) */
};

struct rules_list {
	struct cli_ctx *ctx;
	struct rules_list_host *hosts;
	size_t n, printed;
	struct output_json_doc doc;
	struct output_opts o;
	uint64_t now_ns; /* one "now" for every host's ages */
	int err;         /* first allocation or output error */
};

static void rules_list_free_pages(struct rules_list_host *h)
{
	for (size_t i = 0; i < h->n; i++)
		protobuf_c_message_free_unpacked(h->pages[i], NULL);
	free(h->pages);
	h->pages = NULL;
	h->n = h->cap = 0;
}

static int rules_list_on_page(void *user, size_t host, ProtobufCMessage *msg)
{
	struct rules_list *l = user;
	struct rules_list_host *h;
	ProtobufCMessage **grown;
	size_t cap;

	if (host >= l->n || l->err)
		goto drop;
	h = &l->hosts[host];
	if (h->n == h->cap) {
		cap = h->cap ? h->cap * 2 : 8;
		grown = realloc(h->pages, cap * sizeof(*grown));
		if (!grown) {
			l->err = -ENOMEM;
			goto drop;
		}
		h->pages = grown;
		h->cap = cap;
	}
	h->pages[h->n++] = msg;
	return 0;
drop:
	protobuf_c_message_free_unpacked(msg, NULL);
	return 1;
}

static int rules_list_by_id(const void *a, const void *b)
{
	const Xdpfleet__V1__Rule *x = *(const Xdpfleet__V1__Rule *const *)a;
	const Xdpfleet__V1__Rule *y = *(const Xdpfleet__V1__Rule *const *)b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/* One response holding every page's rules (the pages keep owning them), sorted by id. */
static int rules_list_merge(const struct rules_list_host *h, Xdpfleet__V1__ListRulesResponse *m)
{
	const Xdpfleet__V1__ListRulesResponse *page;
	size_t total = 0;

	xdpfleet__v1__list_rules_response__init(m);
	for (size_t i = 0; i < h->n; i++)
		total += ((const Xdpfleet__V1__ListRulesResponse *)h->pages[i])->n_rules;
	m->rules = calloc(total ? total : 1, sizeof(*m->rules));
	if (!m->rules)
		return -ENOMEM;
	for (size_t i = 0; i < h->n; i++) {
		page = (const Xdpfleet__V1__ListRulesResponse *)h->pages[i];
		if (page->n_rules)
			memcpy(m->rules + m->n_rules, page->rules,
			       page->n_rules * sizeof(*m->rules));
		m->n_rules += page->n_rules;
	}
	qsort(m->rules, m->n_rules, sizeof(*m->rules), rules_list_by_id);
	return 0;
}

static void rules_list_print(struct rules_list *l, size_t i)
{
	Xdpfleet__V1__ListRulesResponse merged = XDPFLEET__V1__LIST_RULES_RESPONSE__INIT;
	const struct cli_hosts one = { .targets = &l->ctx->g.hosts.targets[i], .n = 1 };
	struct rules_list_host *rh = &l->hosts[i];
	struct output_host *h = NULL;
	FILE *f = l->ctx->io.out;
	int err;

	err = output_hosts_from_results(&one, &rh->end, &h);
	if (!err)
		call_host_hint(l->ctx, i, &rh->end, h);
	if (!err && h->ok) {
		err = rules_list_merge(rh, &merged);
		h->msg = &merged.base;
	}
	if (err)
		goto out;
	if (l->ctx->g.output != CLI_OUTPUT_TABLE) {
		output_json_host_begin(&l->doc, h);
		if (h->ok)
			output_json_rules_list(&l->doc.w, h->msg);
		output_json_host_end(&l->doc);
	} else {
		if (i && !l->o.no_headers)
			fputc('\n', f);
		err = output_table_rules_list_at(f, h, 1, l->now_ns, &l->o);
	}
	fflush(f);
out:
	if (err && !l->err)
		l->err = err;
	free(merged.rules);
	free(h);
	rules_list_free_pages(rh);
}

/* Prints every host whose turn has come: all hosts before it are printed and it has ended. */
static void rules_list_flush(struct rules_list *l)
{
	while (l->printed < l->n && l->hosts[l->printed].ended)
		rules_list_print(l, l->printed++);
}

static void rules_list_on_done(void *user, size_t host, const struct rpc_host_result *result)
{
	struct rules_list *l = user;

	if (host >= l->n)
		return;
	l->hosts[host].end = *result;
	l->hosts[host].end.resp = NULL;
	l->hosts[host].ended = true;
	rules_list_flush(l);
}

/* After the fan-out: the hosts whose end was not reported yet, then the failures named. */
static int rules_list_finish(struct rules_list *l, const struct rpc_host_result *end)
{
	bool cancelled = l->ctx->cancel && *l->ctx->cancel;
	struct output_host *h = NULL;
	struct rpc_host_result *all;
	int err;

	for (size_t i = 0; i < l->n; i++) {
		if (l->hosts[i].ended)
			continue;
		l->hosts[i].end = end[i];
		l->hosts[i].end.resp = NULL;
		/* call_stream_run() counts a Ctrl-C as success; half a listing is not. */
		if (cancelled && end[i].status.code == GRPC_STATUS_CANCELLED)
			l->hosts[i].end.ok = false;
		l->hosts[i].ended = true;
	}
	rules_list_flush(l);
	all = calloc(l->n, sizeof(*all));
	if (!all)
		return -ENOMEM;
	for (size_t i = 0; i < l->n; i++)
		all[i] = l->hosts[i].end;
	err = call_hosts(l->ctx, all, &h);
	if (!err)
		err = call_report_failures(l->ctx, h, l->n);
	if (cancelled)
		fprintf(l->ctx->io.err, CLI_PROG " rules list: interrupted, the listing is "
			"incomplete\n");
	free(h);
	free(all);
	return err ? err : cancelled ? -EIO : 0;
}

int rules_list_run(struct cli_ctx *ctx, const Xdpfleet__V1__ListRulesRequest *req)
{
	struct rules_list l = { .ctx = ctx, .n = ctx->g.hosts.n };
	struct rpc_host_result *end = NULL;
	struct call_stream call = {
		.method = "ListRules",
		.req = &req->base,
		.timeout_ms = ctx->g.timeout_ms,
		.on_message = rules_list_on_page,
		.on_done = rules_list_on_done,
		.user = &l,
	};
	struct timespec ts;
	int err;

	clock_gettime(CLOCK_REALTIME, &ts);
	l.now_ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	call_output_opts(ctx, &l.o);
	output_json_doc_begin(&l.doc, ctx->io.out, &l.o);
	l.hosts = calloc(l.n ? l.n : 1, sizeof(*l.hosts));
	err = -ENOMEM;
	if (!l.hosts)
		goto out;
	err = call_stream_run(ctx, &call, &end);
	if (err)
		goto out;
	err = rules_list_finish(&l, end);
	if (output_json_doc_end(&l.doc) && !l.err)
		l.err = -EIO;
	fflush(ctx->io.out);
	if (!err && l.err)
		err = l.err;
out:
	if (err == -ENOMEM)
		fprintf(ctx->io.err, CLI_PROG " rules list: out of memory\n");
	for (size_t i = 0; l.hosts && i < l.n; i++)
		rules_list_free_pages(&l.hosts[i]);
	call_results_free(ctx, end);
	free(l.hosts);
	return err == -ENOMEM || err == -EINVAL ? -EIO : err;
}
