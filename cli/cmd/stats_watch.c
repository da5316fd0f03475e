// SPDX-License-Identifier: GPL-2.0-only
/* "stats --watch" (see stats_watch.h). A host whose stream failed is not waited for from then
 * on; a silent one (hung, not failed, or reconnecting) that falls two ticks behind the fastest
 * is not waited for either: its row in that tick says so, and its real error is printed at the
 * end. With -o jsonl there are no ticks: every snapshot is a line of its own when it comes. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "call.h"
#include "stats_watch_internal.h"

#define STATS_WATCH_LAG 2 /* ticks a host may fall behind before it is not waited for */

uint64_t stats_watch_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t stats_watch_wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int stats_watch_push(struct stats_watch_fifo *q, ProtobufCMessage *msg)
{
	ProtobufCMessage **grown;
	size_t cap;

	if (q->head + q->len == q->cap) {
		if (q->head) {
			memmove(q->msgs, q->msgs + q->head, q->len * sizeof(*q->msgs));
			q->head = 0;
		} else {
			cap = q->cap ? q->cap * 2 : 4;
			grown = realloc(q->msgs, cap * sizeof(*grown));
			if (!grown)
				return -ENOMEM;
			q->msgs = grown;
			q->cap = cap;
		}
	}
	q->msgs[q->head + q->len++] = msg;
	return 0;
}

static ProtobufCMessage *stats_watch_pop(struct stats_watch_fifo *q)
{
	ProtobufCMessage *msg;

	if (!q->len)
		return NULL;
	msg = q->msgs[q->head++];
	q->len--;
	if (!q->len)
		q->head = 0;
	return msg;
}

static void stats_watch_now(char *buf, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;

	if (!localtime_r(&t, &tm) || !strftime(buf, len, "%H:%M:%S", &tm))
		snprintf(buf, len, "-");
}

static void stats_watch_print(struct stats_watch *w)
{
	const struct output_opts o = { .no_headers = w->ctx->g.no_headers };
	FILE *f = w->ctx->io.out;
	char when[16];
	int err;

	stats_watch_now(when, sizeof(when));
	if (w->ctx->g.output == CLI_OUTPUT_JSON) {
		err = output_json_answer(f, w->view, w->n, output_json_stats, &o);
	} else if (w->opts->redraw) {
		/* Home + clear: the whole answer replaces the previous one. */
		fputs("\033[H\033[2J", f);
		if (!o.no_headers)
			fprintf(f, "%s  every %.1fs  tick %llu\n\n", when, w->opts->interval_ms / 1000.0,
				(unsigned long long)w->printed + 1);
		err = output_table_stats(f, w->view, w->n, &o);
	} else {
		if (!w->printed && !o.no_headers)
			output_table_stats_header(f, w->host_width);
		else if (!o.no_headers)
			fputc('\n', f);
		err = output_table_stats_rows(f, when, w->view, w->n, w->host_width);
	}
	fflush(f);
	if (err && !w->err)
		w->err = err;
}

/* Prints the next tick from each host's oldest pending snapshot. */
static void stats_watch_tick(struct stats_watch *w)
{
	const struct rpc_host_result *r;
	struct stats_watch_host *h;

	for (size_t i = 0; i < w->n; i++) {
		h = &w->hosts[i];
		w->view[i].host = w->ctx->g.hosts.targets[i];
		w->view[i].ok = true;
		w->view[i].msg = stats_watch_pop(&h->fifo);
		if (w->view[i].msg)
			continue;
		r = h->has_ended ? &h->ended : NULL;
		if (r && !r->ok)
			h->shown_error = true;
		if (r && !r->ok && r->status.message[0])
			output_host_set_error(&w->view[i], rpc_status_name(r->status.code), "%s: %s",
					      rpc_status_name(r->status.code), r->status.message);
		else if (r && !r->ok)
			output_host_set_error(&w->view[i], rpc_status_name(r->status.code), "%s",
					      rpc_status_name(r->status.code));
		else if (h->reconnecting)
			output_host_set_error(&w->view[i], "RECONNECTING",
					      "no snapshot for this tick (reconnecting)");
		else
			output_host_set_error(&w->view[i], "NO_DATA",
					      "no snapshot for this tick (host lagging)");
	}
	stats_watch_print(w);
	for (size_t i = 0; i < w->n; i++)
		if (w->view[i].msg)
			protobuf_c_message_free_unpacked((ProtobufCMessage *)w->view[i].msg, NULL);
	w->printed++;
}

/* Whether the next tick can be printed: while streaming, every host has it or is too far
 * behind; at the end, every host that did not fail has it (a partial tick after Ctrl-C is
 * dropped). */
static bool stats_watch_ready(const struct stats_watch *w)
{
	uint64_t next = w->printed + 1, most = 0;
	const struct stats_watch_host *h;
	bool any = false;

	for (size_t i = 0; i < w->n; i++) {
		any |= w->hosts[i].fifo.len > 0;
		if (w->hosts[i].delivered > most)
			most = w->hosts[i].delivered;
	}
	if (!any)
		return false;
	for (size_t i = 0; i < w->n; i++) {
		h = &w->hosts[i];
		if (h->fifo.len)
			continue;
		if (h->has_ended ? h->ended.ok : most < next + STATS_WATCH_LAG)
			return false;
	}
	return true;
}

void stats_watch_advance(struct stats_watch *w)
{
	while (w->ctx->g.output != CLI_OUTPUT_JSONL && stats_watch_ready(w))
		stats_watch_tick(w);
}

static void stats_watch_on_done(void *user, size_t host, const struct rpc_host_result *result)
{
	struct stats_watch *w = user;
	struct rpc_host_result r = *result;

	/* Ctrl-C ends a watch cleanly (as call_stream_run() counts it): the partial tick it cut
	 * is dropped, not printed with the hosts "failed". */
	if (w->ctx->cancel && *w->ctx->cancel && r.status.code == GRPC_STATUS_CANCELLED)
		r.ok = true;
	pthread_mutex_lock(&w->lock);
	if (host < w->n)
		stats_watch_host_ended(w, host, &r);
	pthread_mutex_unlock(&w->lock);
}

int stats_watch_on_message(void *user, size_t host, ProtobufCMessage *msg)
{
	struct stats_watch *w = user;
	struct stats_watch_host *h;
	int ret = 0;

	pthread_mutex_lock(&w->lock);
	if (host >= w->n) {
		ret = 1;
		goto drop;
	}
	h = &w->hosts[host];
	if (h->reconnecting)
		stats_watch_reconnected(w, host);
	h->received++;
	if (w->ctx->g.output == CLI_OUTPUT_JSONL) {
		h->delivered++;
		if (output_jsonl_stats(w->ctx->io.out, w->ctx->g.hosts.targets[host],
				       stats_watch_wall_ns(), h->received,
				       (const Xdpfleet__V1__GetStatsResponse *)msg) && !w->err)
			w->err = -EIO;
		goto drop;
	}
	/* A late snapshot of a tick already printed without it. */
	if (++h->delivered <= w->printed)
		goto drop;
	if (stats_watch_push(&h->fifo, msg)) {
		w->err = -ENOMEM;
		ret = 1;
		goto drop;
	}
	stats_watch_advance(w);
	pthread_mutex_unlock(&w->lock);
	return 0;
drop:
	pthread_mutex_unlock(&w->lock);
	protobuf_c_message_free_unpacked(msg, NULL);
	return ret;
}

/* After the fan-out and the reconnects: the remaining ticks, then the failed hosts with their
 * errors: one last JSON array of all of them (a fixed place for scripts to look), a jsonl line
 * each, or table rows for those no tick has shown yet. */
static void stats_watch_finish(struct stats_watch *w, struct output_host *h)
{
	struct output_opts o = { .no_headers = w->ctx->g.no_headers };
	struct output_host *failed = NULL;
	FILE *f = w->ctx->io.out;
	size_t k = 0;
	char when[16];
	int err = 0;

	stats_watch_advance(w);
	failed = calloc(w->n, sizeof(*failed));
	if (!failed) {
		w->err = -ENOMEM;
		return;
	}
	for (size_t i = 0; i < w->n; i++)
		if (!h[i].ok && (w->ctx->g.output != CLI_OUTPUT_TABLE || !w->hosts[i].shown_error))
			failed[k++] = h[i];
	stats_watch_now(when, sizeof(when));
	if (!k) {
		/* nothing to add */
	} else if (w->ctx->g.output == CLI_OUTPUT_JSONL) {
		for (size_t i = 0; i < k; i++)
			stats_watch_event(w, &failed[i], NULL, 0, 0);
	} else if (w->ctx->g.output == CLI_OUTPUT_JSON) {
		err = output_json_answer(f, failed, k, output_json_stats, &o);
	} else if (w->opts->redraw) {
		fputc('\n', f);
		err = output_table_stats(f, failed, k, &o);
	} else {
		if (!w->printed && !o.no_headers)
			output_table_stats_header(f, w->host_width);
		err = output_table_stats_rows(f, when, failed, k, w->host_width);
	}
	if (err && !w->err)
		w->err = err;
	free(failed);
}

/* Each host's end: the fan-out's, or for a reconnected host its last connection's. */
static void stats_watch_ends(struct stats_watch *w, const struct rpc_host_result *end,
			     struct rpc_host_result *all)
{
	for (size_t i = 0; i < w->n; i++) {
		all[i] = w->hosts[i].retried ? w->hosts[i].ended : end[i];
		all[i].resp = NULL;
		w->hosts[i].ended = all[i];
		w->hosts[i].has_ended = true;
	}
}

static void stats_watch_free(struct stats_watch *w)
{
	for (size_t i = 0; w->hosts && i < w->n; i++) {
		while (w->hosts[i].fifo.len)
			protobuf_c_message_free_unpacked(stats_watch_pop(&w->hosts[i].fifo), NULL);
		free(w->hosts[i].fifo.msgs);
	}
	free(w->hosts);
	free(w->view);
	pthread_mutex_destroy(&w->lock);
}

int stats_watch_run(struct cli_ctx *ctx, const struct stats_watch_opts *opts)
{
	Xdpfleet__V1__WatchStatsRequest req = XDPFLEET__V1__WATCH_STATS_REQUEST__INIT;
	struct stats_watch w = { .ctx = ctx, .opts = opts, .req = &req, .n = ctx->g.hosts.n };
	struct rpc_host_result *end = NULL, *all = NULL;
	struct output_host *h = NULL;
	struct call_stream call = {
		.method = "WatchStats",
		.req = &req.base,
		.on_message = stats_watch_on_message,
		.on_done = stats_watch_on_done,
		.user = &w,
		.endless = true,
	};
	int err;

	req.ifname = (char *)opts->ifname;
	req.interval_ms = opts->interval_ms;
	req.count = opts->count;
	pthread_mutex_init(&w.lock, NULL);
	/* The per host deadline covers the whole watch when it has an end (reconnects too); an
	 * endless watch has none (Ctrl-C ends it). */
	if (opts->count) {
		call.timeout_ms = ctx->g.timeout_ms + (uint64_t)opts->interval_ms * opts->count;
		w.deadline_ns = stats_watch_mono_ns() + call.timeout_ms * 1000000ull;
	}
	w.hosts = calloc(w.n, sizeof(*w.hosts));
	w.view = calloc(w.n, sizeof(*w.view));
	all = calloc(w.n, sizeof(*all));
	if (!w.hosts || !w.view || !all) {
		err = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < w.n; i++)
		w.view[i].host = ctx->g.hosts.targets[i];
	w.host_width = output_host_width(w.view, w.n);
	err = call_stream_run(ctx, &call, &end);
	if (err)
		goto out;
	stats_watch_join(&w);
	pthread_mutex_lock(&w.lock);
	stats_watch_ends(&w, end, all);
	err = call_hosts(ctx, all, &h);
	if (!err)
		stats_watch_finish(&w, h);
	pthread_mutex_unlock(&w.lock);
	if (!err)
		err = call_report_failures(ctx, h, w.n) ?: (w.err ? -EIO : 0);
out:
	call_results_free(ctx, end);
	free(all);
	free(h);
	stats_watch_free(&w);
	return err == -EINVAL ? -EIO : err;
}
