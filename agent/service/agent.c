/* Opening, serving and closing the agent (see agent.h): the order matters, since the rules'
 * maps must exist before filter programs are loaded and the listeners come last. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "dataplane.h"
#include "policy.h"
#include "xdpfleet/v1/agent.pb-c.h"

#define RULES_EXPIRY_MS 1000

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
	ret = open_policy(a, why, sizeof(why));
	if (ret) {
		snprintf(err, errlen, "rules: %s", why[0] ? why : strerror(-ret));
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

int agent_listen(struct agent *a, char *err, size_t errlen)
{
	struct rpc_server_opts srv_opts = {
		.listeners = a->opts.listeners,
		.n_listeners = a->opts.n_listeners,
		.identities = a->opts.identities,
		.n_identities = a->opts.n_identities,
		.max_message_bytes = a->opts.max_message_bytes,
		.max_streams = a->opts.max_streams,
		.max_streams_per_peer = a->opts.max_streams_per_peer,
	};
	struct rpc_service svc;
	int ret;

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
	if (ret)
		snprintf(err, errlen, "cannot add the agent's timers: %s", strerror(-ret));
	return ret;
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
	rpc_server_destroy(a->srv);
	dataplane_close(a->dp);
	policy_close(a->policy);
	free(a);
}
