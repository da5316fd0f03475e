/* "stats --watch" (see stats_watch.h). A host whose stream failed is not waited for from then
 * on; a silent one (hung, not failed) that falls two ticks behind the fastest is not waited for
 * either: its row in that tick says so, and its real error is printed at the end. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "call.h"
#include "output.h"
#include "stats_watch.h"

#define STATS_WATCH_LAG 2 /* ticks a host may fall behind before it is not waited for */

struct stats_watch_fifo {
	ProtobufCMessage **msgs;
	size_t head, len, cap;
};

struct stats_watch {
	struct cli_ctx *ctx;
	const struct stats_watch_opts *opts;
	size_t n;
	struct stats_watch_fifo *fifo;   /* per host: snapshots of ticks not yet printed */
	uint64_t *delivered;             /* per host: snapshots received */
	bool *shown_error;               /* per host: a tick already showed its final error */
	uint64_t printed;                /* ticks printed */
	struct output_host *view;        /* per host, for the tick being printed */
	struct rpc_host_result *ended;   /* per host: its end state, valid where has_ended */
	bool *has_ended;
	int host_width;
	int err;                         /* first output error */
};

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
	FILE *f = w->ctx->io.out;
	char when[16];
	int err;

	stats_watch_now(when, sizeof(when));
	if (w->ctx->g.output == CLI_OUTPUT_JSON) {
		err = output_json_answer(f, w->view, w->n, output_json_stats);
	} else if (w->opts->redraw) {
		/* Home + clear: the whole answer replaces the previous one. */
		fprintf(f, "\033[H\033[2J%s  every %.1fs  tick %llu\n\n", when,
			w->opts->interval_ms / 1000.0, (unsigned long long)w->printed + 1);
		err = output_table_stats(f, w->view, w->n);
	} else {
		if (!w->printed)
			output_table_stats_header(f, w->host_width);
		else
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
	size_t i;

	for (i = 0; i < w->n; i++) {
		w->view[i].host = w->ctx->g.hosts.targets[i];
		w->view[i].ok = true;
		w->view[i].msg = stats_watch_pop(&w->fifo[i]);
		if (w->view[i].msg)
			continue;
		r = w->has_ended[i] ? &w->ended[i] : NULL;
		if (r && !r->ok)
			w->shown_error[i] = true;
		if (r && !r->ok && r->status.message[0])
			output_host_set_error(&w->view[i], rpc_status_name(r->status.code), "%s: %s",
					      rpc_status_name(r->status.code), r->status.message);
		else if (r && !r->ok)
			output_host_set_error(&w->view[i], rpc_status_name(r->status.code), "%s",
					      rpc_status_name(r->status.code));
		else
			output_host_set_error(&w->view[i], "NO_DATA",
					      "no snapshot for this tick (host lagging)");
	}
	stats_watch_print(w);
	for (i = 0; i < w->n; i++)
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
	bool any = false;
	size_t i;

	for (i = 0; i < w->n; i++) {
		any |= w->fifo[i].len > 0;
		if (w->delivered[i] > most)
			most = w->delivered[i];
	}
	if (!any)
		return false;
	for (i = 0; i < w->n; i++) {
		if (w->fifo[i].len)
			continue;
		if (w->has_ended[i] ? w->ended[i].ok : most < next + STATS_WATCH_LAG)
			return false;
	}
	return true;
}

static void stats_watch_on_done(void *user, size_t host, const struct rpc_host_result *result)
{
	struct stats_watch *w = user;

	w->ended[host] = *result;
	w->ended[host].resp = NULL; /* still owned by the fan-out's results */
	w->has_ended[host] = true;
	while (stats_watch_ready(w))
		stats_watch_tick(w);
}

static int stats_watch_on_message(void *user, size_t host, ProtobufCMessage *msg)
{
	struct stats_watch *w = user;

	if (host >= w->n) {
		protobuf_c_message_free_unpacked(msg, NULL);
		return 1;
	}
	/* A late snapshot of a tick already printed without it. */
	if (++w->delivered[host] <= w->printed) {
		protobuf_c_message_free_unpacked(msg, NULL);
		return 0;
	}
	if (stats_watch_push(&w->fifo[host], msg)) {
		protobuf_c_message_free_unpacked(msg, NULL);
		w->err = -ENOMEM;
		return 1;
	}
	while (stats_watch_ready(w))
		stats_watch_tick(w);
	return 0;
}

/* After the fan-out: the remaining ticks, then the failed hosts with their errors: one last
 * JSON array of all of them (a fixed place for scripts to look), or table rows for those no
 * tick has shown yet. */
static void stats_watch_finish(struct stats_watch *w, const struct rpc_host_result *end)
{
	struct output_host *failed = NULL;
	FILE *f = w->ctx->io.out;
	size_t i, k = 0;
	char when[16];
	int err;

	for (i = 0; i < w->n; i++) {
		w->ended[i] = end[i];
		w->ended[i].resp = NULL;
		w->has_ended[i] = true;
	}
	while (stats_watch_ready(w))
		stats_watch_tick(w);
	if (output_hosts_from_results(&w->ctx->g.hosts, end, &failed)) {
		w->err = -ENOMEM;
		return;
	}
	for (i = 0; i < w->n; i++)
		if (!failed[i].ok &&
		    (w->ctx->g.output == CLI_OUTPUT_JSON || !w->shown_error[i]))
			failed[k++] = failed[i];
	if (!k)
		goto out;
	stats_watch_now(when, sizeof(when));
	if (w->ctx->g.output == CLI_OUTPUT_JSON) {
		err = output_json_answer(f, failed, k, output_json_stats);
	} else if (w->opts->redraw) {
		fputc('\n', f);
		err = output_table_stats(f, failed, k);
	} else {
		if (!w->printed)
			output_table_stats_header(f, w->host_width);
		err = output_table_stats_rows(f, when, failed, k, w->host_width);
	}
	if (err && !w->err)
		w->err = err;
out:
	free(failed);
}

int stats_watch_run(struct cli_ctx *ctx, const struct stats_watch_opts *opts)
{
	Xdpfleet__V1__WatchStatsRequest req = XDPFLEET__V1__WATCH_STATS_REQUEST__INIT;
	struct stats_watch w = { .ctx = ctx, .opts = opts, .n = ctx->g.hosts.n };
	struct rpc_host_result *end = NULL;
	struct output_host *h = NULL;
	struct call_stream call = {
		.method = "WatchStats",
		.req = &req.base,
		.on_message = stats_watch_on_message,
		.on_done = stats_watch_on_done,
		.user = &w,
	};
	size_t i;
	int err;

	req.ifname = (char *)opts->ifname;
	req.interval_ms = opts->interval_ms;
	req.count = opts->count;
	/* The per host deadline covers the whole watch when it has an end; an endless watch has
	 * none (Ctrl-C ends it). */
	if (opts->count)
		call.timeout_ms = ctx->g.timeout_ms + (uint64_t)opts->interval_ms * opts->count;
	w.fifo = calloc(w.n, sizeof(*w.fifo));
	w.delivered = calloc(w.n, sizeof(*w.delivered));
	w.view = calloc(w.n, sizeof(*w.view));
	w.shown_error = calloc(w.n, sizeof(*w.shown_error));
	w.ended = calloc(w.n, sizeof(*w.ended));
	w.has_ended = calloc(w.n, sizeof(*w.has_ended));
	if (!w.fifo || !w.delivered || !w.view || !w.shown_error || !w.ended || !w.has_ended) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < w.n; i++)
		w.view[i].host = ctx->g.hosts.targets[i];
	w.host_width = output_host_width(w.view, w.n);
	err = call_stream_run(ctx, &call, &end);
	if (err)
		goto out;
	stats_watch_finish(&w, end);
	err = output_hosts_from_results(&ctx->g.hosts, end, &h);
	if (err)
		goto out;
	err = call_report_failures(ctx, h, w.n) ?: (w.err ? -EIO : 0);
out:
	for (i = 0; w.fifo && i < w.n; i++) {
		while (w.fifo[i].len)
			protobuf_c_message_free_unpacked(stats_watch_pop(&w.fifo[i]), NULL);
		free(w.fifo[i].msgs);
	}
	call_results_free(ctx, end);
	free(h);
	free(w.fifo);
	free(w.delivered);
	free(w.view);
	free(w.shown_error);
	free(w.ended);
	free(w.has_ended);
	return err == -EINVAL ? -EIO : err;
}
