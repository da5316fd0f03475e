// SPDX-License-Identifier: GPL-2.0-only
/* Reconnecting a watch whose stream broke (an agent restarted: UNAVAILABLE after it had sent
 * snapshots): a thread per such host retries after 0.2 s, doubling up to 5 s, until the agent
 * answers again, Ctrl-C, or the end of a --count watch; the stream then resumes where the
 * ticks are. Each break and each reconnection is a line on stderr and, with -o jsonl, an event
 * line on stdout. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "call.h"
#include "json.h"
#include "stats_watch_internal.h"

#define STATS_WATCH_RETRY_STEP_MS 50 /* how often a waiting retry looks at Ctrl-C */

struct stats_watch_retry {
	struct stats_watch *w;
	size_t host;
};

static bool stats_watch_cancelled(const struct stats_watch *w)
{
	return w->ctx->cancel && *w->ctx->cancel;
}

/* Host i's view of result r: its code and error as every printer shows them. */
static void stats_watch_view(const struct stats_watch *w, size_t i,
			     const struct rpc_host_result *r, struct output_host *v)
{
	const char *code = rpc_status_name(r->status.code);

	memset(v, 0, sizeof(*v));
	v->host = w->ctx->g.hosts.targets[i];
	if (r->status.message[0])
		output_host_set_error(v, code, "%s: %s", code, r->status.message);
	else
		output_host_set_error(v, code, "%s", code);
}

void stats_watch_event(struct stats_watch *w, const struct output_host *v, const char *event,
		       unsigned int attempts, uint64_t down_ms)
{
	FILE *f = w->ctx->io.out;
	struct json_writer j;
	struct timespec ts;
	char when[40];

	clock_gettime(CLOCK_REALTIME, &ts);
	output_rfc3339_ms(when, sizeof(when),
			  (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec);
	json_init(&j, f);
	json_begin_object(&j);
	json_kv_string(&j, "time", when);
	json_kv_string(&j, "host", v->host);
	if (!event) {
		json_kv_bool(&j, "ok", false);
	} else {
		json_kv_string(&j, "event", event);
	}
	if (!event || !strcmp(event, "disconnected")) {
		json_kv_string(&j, "code", v->code);
		json_kv_string(&j, "error", v->error);
	}
	if (!event && v->hint[0])
		json_kv_string(&j, "hint", v->hint);
	if (event && !strcmp(event, "disconnected"))
		json_kv_uint(&j, "retry_in_ms", STATS_WATCH_RETRY_MIN_MS);
	if (event && !strcmp(event, "reconnected")) {
		json_kv_uint(&j, "attempts", attempts);
		json_kv_uint(&j, "down_ms", down_ms);
	}
	json_end_object(&j);
	if ((json_finish(&j) || fputc('\n', f) == EOF || fflush(f) == EOF) && !w->err)
		w->err = -EIO;
}

/* Says that host's stream broke and that it is being reconnected. */
static void stats_watch_say_broken(struct stats_watch *w, size_t host,
				   const struct rpc_host_result *r)
{
	struct output_host v;

	stats_watch_view(w, host, r, &v);
	fprintf(w->ctx->io.err, CLI_PROG " stats: %s: the stream broke (%s); reconnecting\n",
		v.host, v.error);
	if (w->ctx->g.output == CLI_OUTPUT_JSONL)
		stats_watch_event(w, &v, "disconnected", 0, 0);
}

void stats_watch_reconnected(struct stats_watch *w, size_t host)
{
	struct stats_watch_host *h = &w->hosts[host];
	uint64_t down_ms = (stats_watch_mono_ns() - h->down_since_ns) / 1000000u;
	struct output_host v = { .host = w->ctx->g.hosts.targets[host] };

	h->reconnecting = false;
	fprintf(w->ctx->io.err, CLI_PROG " stats: %s: reconnected after %.1fs (%u attempt%s)\n",
		v.host, down_ms / 1000.0, h->attempts, h->attempts == 1 ? "" : "s");
	if (w->ctx->g.output == CLI_OUTPUT_JSONL)
		stats_watch_event(w, &v, "reconnected", h->attempts, down_ms);
	/* The ticks went on without it: its next snapshot is the next tick's. */
	if (h->delivered < w->printed)
		h->delivered = w->printed;
}

/* The host's end for good (lock held). */
static void stats_watch_settle(struct stats_watch *w, size_t host, const struct rpc_host_result *r)
{
	struct stats_watch_host *h = &w->hosts[host];

	h->ended = *r;
	h->ended.resp = NULL;
	h->has_ended = true;
	h->reconnecting = false;
	stats_watch_advance(w);
}

/* Sleeps ms, in steps; true when the watch should stop retrying (Ctrl-C, or past the end of a
 * --count watch). */
static bool stats_watch_retry_sleep(const struct stats_watch *w, unsigned int ms)
{
	struct timespec step = { 0, STATS_WATCH_RETRY_STEP_MS * 1000000L };

	for (unsigned int slept = 0;; slept += STATS_WATCH_RETRY_STEP_MS) {
		if (stats_watch_cancelled(w) ||
		    (w->deadline_ns && stats_watch_mono_ns() >= w->deadline_ns))
			return true;
		if (slept >= ms)
			return false;
		nanosleep(&step, NULL);
	}
}

/* One connection attempt and its stream; returns its end state in *r. */
static int stats_watch_retry_once(struct stats_watch *w, size_t host, uint32_t count,
				  struct rpc_host_result *r)
{
	Xdpfleet__V1__WatchStatsRequest req = *w->req;
	struct rpc_host_result *res = NULL;
	uint64_t now = stats_watch_mono_ns();
	struct call_fanout_opts co = {
		.stream = true,
		.on_message = stats_watch_on_message,
		.user = w,
		.no_progress = true,
		.only = &host,
		.n_only = 1,
	};
	int err;

	req.count = count;
	if (w->deadline_ns)
		co.timeout_ms = w->deadline_ns > now ? (unsigned int)((w->deadline_ns - now) / 1000000u) + 1 : 1;
	err = call_fanout(w->ctx, "WatchStats", &req.base, &co, &res);
	if (err)
		return err;
	*r = res[0];
	r->resp = NULL;
	rpc_host_results_free(res, 1);
	free(res);
	return 0;
}

static void *stats_watch_retry_thread(void *arg)
{
	struct stats_watch_retry *rc = arg;
	struct stats_watch *w = rc->w;
	struct stats_watch_host *h = &w->hosts[rc->host];
	unsigned int backoff = STATS_WATCH_RETRY_MIN_MS;
	struct rpc_host_result r = { .ok = true };
	uint64_t before, at;
	uint32_t count = 0;
	bool done = false; /* a --count watch got all its snapshots */

	for (;;) {
		if (stats_watch_retry_sleep(w, backoff))
			break;
		pthread_mutex_lock(&w->lock);
		at = h->delivered > w->printed || w->ctx->g.output == CLI_OUTPUT_JSONL ?
			     h->delivered : w->printed;
		count = at < w->opts->count ? w->opts->count - (uint32_t)at : 0;
		before = h->received;
		h->attempts++;
		pthread_mutex_unlock(&w->lock);
		done = w->opts->count && !count;
		if (done)
			break;
		if (stats_watch_retry_once(w, rc->host, count, &r))
			break;
		pthread_mutex_lock(&w->lock);
		if (r.ok || stats_watch_cancelled(w) || r.status.code != GRPC_STATUS_UNAVAILABLE) {
			h->last = r;
			pthread_mutex_unlock(&w->lock);
			break;
		}
		/* It came back and broke again: a new outage, counted from now. */
		if (h->received > before) {
			stats_watch_say_broken(w, rc->host, &r);
			h->reconnecting = true;
			h->down_since_ns = stats_watch_mono_ns();
			h->attempts = 0;
			backoff = STATS_WATCH_RETRY_MIN_MS;
		} else if ((backoff *= 2) > STATS_WATCH_RETRY_MAX_MS) {
			backoff = STATS_WATCH_RETRY_MAX_MS;
		}
		h->last = r;
		pthread_mutex_unlock(&w->lock);
	}
	pthread_mutex_lock(&w->lock);
	r = h->last;
	/* Ctrl-C ends a watch cleanly, reconnecting or not; so does the --count reached. */
	if (stats_watch_cancelled(w) || done)
		r = (struct rpc_host_result){ .ok = true };
	stats_watch_settle(w, rc->host, &r);
	pthread_mutex_unlock(&w->lock);
	free(rc);
	return NULL;
}

/* Starts host's reconnecting thread (lock held); false when it cannot. */
static bool stats_watch_retry_start(struct stats_watch *w, size_t host,
				    const struct rpc_host_result *r)
{
	struct stats_watch_host *h = &w->hosts[host];
	struct stats_watch_retry *rc = malloc(sizeof(*rc));

	if (!rc)
		return false;
	*rc = (struct stats_watch_retry){ w, host };
	h->last = *r;
	h->last.resp = NULL;
	h->reconnecting = h->retried = true;
	h->down_since_ns = stats_watch_mono_ns();
	h->attempts = 0;
	if (pthread_create(&h->thread, NULL, stats_watch_retry_thread, rc)) {
		free(rc);
		h->reconnecting = h->retried = false;
		return false;
	}
	h->has_thread = true;
	stats_watch_say_broken(w, host, r);
	return true;
}

void stats_watch_host_ended(struct stats_watch *w, size_t host, const struct rpc_host_result *r)
{
	/* A stream that worked and broke is an agent that went away: it is waited for. One that
	 * never worked is a failed host, as for any command. */
	if (!r->ok && r->status.code == GRPC_STATUS_UNAVAILABLE && w->hosts[host].received &&
	    !stats_watch_cancelled(w) && stats_watch_retry_start(w, host, r))
		return;
	stats_watch_settle(w, host, r);
}

void stats_watch_join(struct stats_watch *w)
{
	for (size_t i = 0; i < w->n; i++) {
		if (!w->hosts[i].has_thread)
			continue;
		pthread_join(w->hosts[i].thread, NULL);
		w->hosts[i].has_thread = false;
	}
}
