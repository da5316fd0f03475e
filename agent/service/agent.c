// SPDX-License-Identifier: GPL-2.0-only
/* Opening, serving and closing the agent (see agent.h): the order matters, since the rules'
 * maps must exist before filter programs are loaded and the listeners come last. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent.h"
#include "capture.h"
#include "dataplane.h"
#include "log.h"
#include "metrics.h"
#include "policy.h"
#include "top.h"
#include "xdpfleet/v1/agent.pb-c.h"

#define RULES_EXPIRY_MS 1000
#define AGENT_METRICS_TICK_MS 100

/* The rules live beside the data plane's pins and state; filter programs share their maps. */
/* The rule engine replaced its maps (the rules outgrew them or shrank): filters must use the
 * new ones before the engine lets the old ones go. */
static int reload_filters(void *dp)
{
	return dataplane_reload_builtin(dp, "filter");
}

static int open_policy(struct agent *a, char *err, size_t errlen)
{
	struct policy_opts po = { .max_rules = a->opts.max_rules };
	char pin_dir[PATH_MAX], store[PATH_MAX], legacy[PATH_MAX + 8];
	int ret;

	if (dataplane_pin_path(a->dp, "rules", pin_dir, sizeof(pin_dir)) ||
	    dataplane_state_path(a->dp, "rules", store, sizeof(store)))
		return -ENAMETOOLONG;
	snprintf(legacy, sizeof(legacy), "%s.tsv", store); /* the first release's rules file */
	po.pin_dir = pin_dir;
	po.store_dir = store;
	po.legacy_file = legacy;
	ret = policy_open(&a->policy, &po, err, errlen);
	if (ret)
		return ret;
	dataplane_set_rules(a->dp, policy_maps(a->policy));
	rules_maps_on_replace(policy_maps(a->policy), reload_filters, a->dp);
	/* Filters still attached from an earlier run may use other maps than the pins name (pins
	 * removed or of an older layout, or a restart between pinning new maps and switching
	 * to them): give them ours. With the same maps this changes nothing for packets. */
	dataplane_reload_builtin(a->dp, "filter");
	return 0;
}

int agent_open(struct agent **out, const struct agent_opts *opts, char *err, size_t errlen)
{
	struct agent *a = calloc(1, sizeof(*a));
	struct dataplane_opts dp_opts;
	char why[RPC_ERR_MAX] = "";
	int ret;

	*out = NULL;
	if (!a)
		return -ENOMEM;
	a->opts = *opts;
	clock_gettime(CLOCK_MONOTONIC, &a->started);
	a->started_unix = (uint64_t)time(NULL);
	dp_opts = (struct dataplane_opts){
		.bpffs = opts->bpffs,
		.state_dir = opts->state_dir,
		.program_dir = opts->program_dir,
		.no_reattach = opts->no_reattach,
	};
	ret = dataplane_open(&a->dp, &dp_opts, why, sizeof(why));
	if (ret) {
		snprintf(err, errlen, "data plane: %s", why[0] ? why : strerror(-ret));
		goto out;
	}
	/* Before the rules, whose opening reloads the filters: they then get the capture maps. A
	 * kernel without ring buffers still filters; only Capture is refused. */
	if (capture_open(&a->capture, why, sizeof(why)))
		log_warn("capture: %s; Capture is unavailable", why);
	else
		dataplane_set_capture(a->dp, capture_get_maps(a->capture));
	why[0] = '\0';
	ret = open_policy(a, why, sizeof(why));
	if (ret) {
		snprintf(err, errlen, "rules: %s", why[0] ? why : strerror(-ret));
		goto out;
	}
	ret = agent_top_open(a, why, sizeof(why));
	if (ret) {
		snprintf(err, errlen, "triggers: %s", why[0] ? why : strerror(-ret));
		goto out;
	}
	*out = a;
	a = NULL;
out:
	agent_close(a);
	return ret;
}

void agent_rpc_service(struct agent *a, struct rpc_service *out)
{
	*out = (struct rpc_service){
		.desc = &xdpfleet__v1__agent__descriptor,
		.methods = agent_methods,
		.n_methods = agent_n_methods,
		.data = a,
		.audit = agent_audit,
	};
}

/* A page for a waiting scrape, rendered between calls so that it sees the agent's state whole. */
static void agent_metrics_tick(void *arg)
{
	struct agent *a = arg;
	struct metrics_source src = {
		.dp = a->dp,
		.policy = a->policy,
		.srv = a->srv,
		.max_rule_series = a->opts.metrics_rule_series,
		.start_unix = a->started_unix,
		.mit = a->mit,
	};
	char *page = NULL;
	size_t len = 0;
	FILE *f;
	int ret;

	if (!metrics_http_wanted(a->metrics))
		return;
	f = open_memstream(&page, &len);
	if (!f)
		return;
	ret = metrics_render(&src, f);
	if (fclose(f) || ret) {
		log_warn("metrics: cannot render the page: %s", strerror(ret ? -ret : errno));
		free(page);
		return;
	}
	metrics_http_publish(a->metrics, page, len);
}

static int agent_start_metrics(struct agent *a, char *err, size_t errlen)
{
	int ret = metrics_http_start(&a->metrics, a->opts.metrics_listen, err, errlen);

	if (ret)
		return ret;
	/* Scrapes wait for this tick: it bounds how stale a page's rule counts can be. */
	ret = rpc_server_add_timer(a->srv, AGENT_METRICS_TICK_MS, agent_metrics_tick, a);
	if (ret)
		snprintf(err, errlen, "cannot add the metrics timer: %s", strerror(-ret));
	return ret;
}

int agent_listen(struct agent *a, char *err, size_t errlen)
{
	struct rpc_listener listeners[AGENT_MAX_LISTENERS + 1];
	struct rpc_server_opts srv_opts = {
		.listeners = listeners,
		.n_listeners = a->opts.n_listeners,
		.identities = a->opts.identities,
		.n_identities = a->opts.n_identities,
		.max_message_bytes = a->opts.max_message_bytes,
		.max_streams = a->opts.max_streams,
		.max_streams_per_peer = a->opts.max_streams_per_peer,
	};
	struct rpc_service svc;
	int ret;

	memcpy(listeners, a->opts.listeners, a->opts.n_listeners * sizeof(listeners[0]));
	if (a->opts.health_listen)
		listeners[srv_opts.n_listeners++] = (struct rpc_listener){
			.addr = a->opts.health_listen,
			.health_only = true,
		};
	agent_rpc_service(a, &svc);
	ret = rpc_server_create(&a->srv, &svc, &srv_opts, err, errlen);
	if (ret)
		return ret;
	/* GetStats rates come from this sample, so a single GetStats already has meaningful pps. */
	ret = rpc_server_add_timer(a->srv, DATAPLANE_SAMPLE_MS, dataplane_sample, a->dp);
	if (!ret)
		ret = rpc_server_add_timer(a->srv, DATAPLANE_DRIFT_MS, dataplane_check_drift, a->dp);
	if (!ret)
		ret = rpc_server_add_timer(a->srv, RULES_EXPIRY_MS, policy_expire, a->policy);
	if (!ret)
		ret = rpc_server_add_timer(a->srv, TOP_SAMPLE_MS, agent_top_tick, a);
	if (ret) {
		snprintf(err, errlen, "cannot add the agent's timers: %s", strerror(-ret));
		return ret;
	}
	return a->opts.metrics_listen ? agent_start_metrics(a, err, errlen) : 0;
}

int agent_run(struct agent *a)
{
	return rpc_server_run(a->srv);
}

void agent_stop(struct agent *a)
{
	if (a && a->srv)
		rpc_server_stop(a->srv);
}

void agent_close(struct agent *a)
{
	if (!a)
		return;
	/* The HTTP thread first: it may be waiting for a page from the loop that ended. */
	metrics_http_stop(a->metrics);
	rpc_server_destroy(a->srv);
	agent_top_close(a);
	dataplane_close(a->dp);
	policy_close(a->policy);
	capture_close(a->capture);
	free(a);
}
