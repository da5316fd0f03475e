// SPDX-License-Identifier: GPL-2.0-only
/* call_fanout (see call.h): the targets grouped by the client options they need (a target's
 * tls_name label changes the TLS name expected), one transport call per group, groups run on
 * threads of their own when there are several, callbacks serialised, and "answered/total" on a
 * terminal's stderr for large fleets. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "call.h"
#include "hints.h"
#include "hosts.h"

struct call_run;

/* Targets that share client options, and their transport call. */
struct call_group {
	struct call_run *run;
	struct rpc_client_opts client;
	size_t *pos;         /* each member's position in the results */
	const char **targets;
	size_t n;
	struct rpc_host_result *results;
	struct rpc_fanout_opts opts;
	int ret;
	pthread_t thread;
	bool threaded;
};

struct call_run {
	const struct cli_ctx *ctx;
	const char *method;
	const ProtobufCMessage *req;
	const struct call_fanout_opts *co;
	const size_t *idx;   /* position -> target index */
	size_t total, answered;
	struct call_group *groups;
	size_t n_groups;
	pthread_mutex_t lock;
	bool progress, shown;
};

void call_client_for(const struct cli_ctx *ctx, size_t i, struct rpc_client_opts *out)
{
	const char *name = hosts_label(&ctx->g.hosts, i, HOSTS_TLS_NAME_LABEL);

	*out = ctx->g.client;
	if (name)
		out->server_name = name;
}

static void call_progress_clear(struct call_run *run)
{
	if (run->shown)
		fputs("\r\033[K", run->ctx->io.err);
	run->shown = false;
}

static void call_progress_show(struct call_run *run)
{
	fprintf(run->ctx->io.err, "\r" CLI_PROG ": %zu/%zu hosts answered", run->answered,
		run->total);
	fflush(run->ctx->io.err);
	run->shown = true;
}

static int call_on_message(void *user, size_t host, ProtobufCMessage *msg)
{
	struct call_group *g = user;
	struct call_run *run = g->run;
	int ret;

	pthread_mutex_lock(&run->lock);
	ret = run->co->on_message(run->co->user, run->idx[g->pos[host]], msg);
	pthread_mutex_unlock(&run->lock);
	return ret;
}

static void call_on_done(void *user, size_t host, const struct rpc_host_result *result)
{
	struct call_group *g = user;
	struct call_run *run = g->run;

	pthread_mutex_lock(&run->lock);
	run->answered++;
	/* The consumer may print: not onto the progress line. */
	call_progress_clear(run);
	if (run->co->on_done)
		run->co->on_done(run->co->user, run->idx[g->pos[host]], result);
	if (run->progress && run->answered < run->total)
		call_progress_show(run);
	pthread_mutex_unlock(&run->lock);
}

static void *call_group_run(void *arg)
{
	struct call_group *g = arg;
	struct call_run *run = g->run;

	g->ret = run->ctx->io.fanout(g->targets, g->n, &xdpfleet__v1__agent__descriptor,
				     run->method, run->req, &g->opts, g->results);
	return NULL;
}

/* The group of target i's client options, made if new. */
static struct call_group *call_group_of(struct call_run *run, size_t i)
{
	struct rpc_client_opts c;
	struct call_group *g;

	call_client_for(run->ctx, i, &c);
	for (size_t k = 0; k < run->n_groups; k++) {
		g = &run->groups[k];
		if (g->client.server_name == c.server_name ||
		    (g->client.server_name && c.server_name &&
		     !strcmp(g->client.server_name, c.server_name)))
			return g;
	}
	g = &run->groups[run->n_groups++];
	g->run = run;
	g->client = c;
	return g;
}

static int call_groups_make(struct call_run *run)
{
	const struct cli_ctx *ctx = run->ctx;
	const struct call_fanout_opts *co = run->co;
	struct call_group *g;
	size_t share;

	run->groups = calloc(run->total ? run->total : 1, sizeof(*run->groups));
	if (!run->groups)
		return -ENOMEM;
	for (size_t p = 0; p < run->total; p++) {
		g = call_group_of(run, run->idx[p]);
		if (!g->pos && (!(g->pos = calloc(run->total, sizeof(*g->pos))) ||
				!(g->targets = calloc(run->total, sizeof(*g->targets)))))
			return -ENOMEM;
		g->pos[g->n] = p;
		g->targets[g->n++] = ctx->g.hosts.targets[run->idx[p]];
	}
	for (size_t k = 0; k < run->n_groups; k++) {
		g = &run->groups[k];
		g->results = calloc(g->n, sizeof(*g->results));
		if (!g->results)
			return -ENOMEM;
		/* --parallel is shared out; a stream holds its slot for its whole life, so every
		 * host of a stream must be in flight at once. */
		share = ctx->g.parallel * g->n / run->total;
		g->opts = (struct rpc_fanout_opts){
			.client = &g->client,
			.max_inflight = co->stream ? g->n : share ? share : 1,
			.timeout_ms = co->stream || co->timeout_ms ? co->timeout_ms : ctx->g.timeout_ms,
			.stream = co->stream,
			.on_message = call_on_message,
			.on_done = call_on_done,
			.user = g,
			.cancel = ctx->cancel,
		};
	}
	return 0;
}

/* Every group's call, at the same time; a group whose thread cannot start runs here. */
static void call_groups_run(struct call_run *run)
{
	for (size_t k = 0; run->n_groups > 1 && k < run->n_groups; k++)
		run->groups[k].threaded =
			!pthread_create(&run->groups[k].thread, NULL, call_group_run, &run->groups[k]);
	for (size_t k = 0; k < run->n_groups; k++)
		if (!run->groups[k].threaded)
			call_group_run(&run->groups[k]);
	for (size_t k = 0; k < run->n_groups; k++)
		if (run->groups[k].threaded)
			pthread_join(run->groups[k].thread, NULL);
}

static void call_groups_free(struct call_run *run)
{
	for (size_t k = 0; k < run->n_groups; k++) {
		free(run->groups[k].pos);
		free(run->groups[k].targets);
		free(run->groups[k].results);
	}
	free(run->groups);
}

int call_fanout(const struct cli_ctx *ctx, const char *method, const ProtobufCMessage *req,
		const struct call_fanout_opts *co, struct rpc_host_result **out)
{
	static const struct call_fanout_opts unary;
	struct call_run run = { .ctx = ctx, .method = method, .req = req, .co = co ? co : &unary };
	struct rpc_host_result *r = NULL;
	size_t *all = NULL, k, j;
	int err, ret = 0;

	*out = NULL;
	run.total = co && co->only ? co->n_only : ctx->g.hosts.n;
	run.idx = co && co->only ? co->only : NULL;
	if (!run.idx) {
		all = calloc(run.total ? run.total : 1, sizeof(*all));
		if (!all)
			return -ENOMEM;
		for (k = 0; k < run.total; k++)
			all[k] = k;
		run.idx = all;
	}
	run.progress = ctx->io.err_tty && run.total >= CLI_PROGRESS_MIN_HOSTS && !run.co->no_progress;
	pthread_mutex_init(&run.lock, NULL);
	r = calloc(run.total ? run.total : 1, sizeof(*r));
	err = r ? call_groups_make(&run) : -ENOMEM;
	if (err)
		goto out;
	if (run.progress) {
		pthread_mutex_lock(&run.lock);
		call_progress_show(&run);
		pthread_mutex_unlock(&run.lock);
	}
	call_groups_run(&run);
	call_progress_clear(&run);
	for (k = 0; k < run.n_groups; k++) {
		if (run.groups[k].ret < 0 && !ret)
			ret = run.groups[k].ret;
		for (j = 0; j < run.groups[k].n; j++)
			r[run.groups[k].pos[j]] = run.groups[k].results[j];
	}
	if (ret < 0) {
		fprintf(ctx->io.err, CLI_PROG ": %s: cannot start calls: %s\n", method, strerror(-ret));
		rpc_host_results_free(r, run.total);
		err = -EIO;
		goto out;
	}
	*out = r;
	r = NULL;
out:
	call_groups_free(&run);
	pthread_mutex_destroy(&run.lock);
	free(r);
	free(all);
	return err;
}

void call_results_free(const struct cli_ctx *ctx, struct rpc_host_result *r)
{
	if (!r)
		return;
	rpc_host_results_free(r, ctx->g.hosts.n);
	free(r);
}

void call_host_hint(const struct cli_ctx *ctx, size_t i, const struct rpc_host_result *r,
		    struct output_host *h)
{
	struct rpc_client_opts client;
	struct hints_call hc;

	if (h->ok)
		return;
	call_client_for(ctx, i, &client);
	hc = (struct hints_call){ ctx->g.hosts.targets[i], &client, ctx->g.timeout_ms };
	hints_for(&hc, r->status.code, r->status.message, h->hint, sizeof(h->hint));
}

int call_hosts(const struct cli_ctx *ctx, const struct rpc_host_result *r,
	       struct output_host **out)
{
	int err = output_hosts_from_results(&ctx->g.hosts, r, out);

	for (size_t i = 0; !err && i < ctx->g.hosts.n; i++)
		call_host_hint(ctx, i, &r[i], &(*out)[i]);
	return err;
}
