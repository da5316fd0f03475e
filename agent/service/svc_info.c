// SPDX-License-Identifier: GPL-2.0-only
/* GetInfo: who this agent is and what its kernel can do. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "agent.h"
#include "dataplane.h"
#include "policy.h"
#include "service.h"
#include "version.h"

static int add(struct rpc_call *call, char ***out, size_t *n, size_t cap, const char *text)
{
	if (*n == cap)
		return 0;
	(*out)[*n] = rpc_call_strdup(call, text);
	return (*out)[(*n)++] ? 0 : -ENOMEM;
}

int svc_warnings(struct rpc_call *call, struct agent *agent, char ***out, size_t *n)
{
	size_t cap = agent->opts.n_listeners + 16, rules = agent->policy ? policy_count(agent->policy) : 0;
	struct dp_attachment *atts = NULL;
	size_t n_atts = 0;
	char text[512];
	int ret = 0;

	*n = 0;
	*out = rpc_call_alloc(call, cap * sizeof(**out));
	if (!*out)
		return -ENOMEM;
	for (size_t i = 0; i < agent->opts.n_listeners && !ret; i++) {
		const struct rpc_listener *l = &agent->opts.listeners[i];

		if (strncmp(l->addr, "unix:", 5) && !l->tls_client_ca) {
			snprintf(text, sizeof(text), "listener %s accepts callers without client certificates: every "
				 "caller is an admin (--insecure)", l->addr);
			ret = add(call, out, n, cap, text);
		}
	}
	if (!ret && rules && !dataplane_enforces_rules(agent->dp)) {
		snprintf(text, sizeof(text), "%zu rules, but no interface runs the filter program: nothing enforces "
			 "them (xdpfleet attach IFACE --prog filter)", rules);
		ret = add(call, out, n, cap, text);
	}
	if (!ret)
		ret = dataplane_list(agent->dp, &atts, &n_atts);
	for (size_t i = 0; i < n_atts && !ret; i++) {
		if (atts[i].state == DP_STATE_OK)
			continue;
		snprintf(text, sizeof(text), "%s: %s: %s", atts[i].ifname, dataplane_state_name(atts[i].state),
			 atts[i].last_event);
		ret = add(call, out, n, cap, text);
	}
	free(atts);
	return ret;
}

grpc_status_code svc_get_info(struct rpc_call *call, const ProtobufCMessage *req, ProtobufCMessage *resp)
{
	Xdpfleet__V1__GetInfoResponse *info = (Xdpfleet__V1__GetInfoResponse *)resp;
	struct agent *agent = rpc_call_data(call);
	Xdpfleet__V1__Features *features;
	struct dp_features f;
	char host[256] = "";
	struct utsname uts;
	struct timespec now;

	(void)req;
	features = rpc_call_alloc(call, sizeof(*features));
	if (!features)
		return rpc_call_fail(call, GRPC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
	xdpfleet__v1__features__init(features);
	dataplane_get_features(agent->dp, &f);
	features->native_xdp = f.native_xdp;
	features->skb_xdp = f.skb_xdp;
	features->bpf_link = f.bpf_link;
	features->dispatcher = f.dispatcher;
	features->tracepoints = f.tracepoints;
	features->map_batch_ops = f.map_batch_ops;

	gethostname(host, sizeof(host) - 1);
	clock_gettime(CLOCK_MONOTONIC, &now);
	info->version = XDPFLEET_VERSION;
	info->api_version = "xdpfleet.v1";
	info->hostname = rpc_call_strdup(call, host);
	info->kernel = uname(&uts) ? "" : rpc_call_strdup(call, uts.release);
	info->features = features;
	info->uptime_seconds = now.tv_sec - agent->started.tv_sec;
	info->attachments = dataplane_n_attachments(agent->dp);
	info->rules = agent->policy ? policy_count(agent->policy) : 0;
	info->rules_enforced = dataplane_enforces_rules(agent->dp);
	if (svc_warnings(call, agent, &info->warnings, &info->n_warnings))
		return rpc_call_fail(call, GRPC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
	if (!info->hostname || !info->kernel)
		return rpc_call_fail(call, GRPC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
	return GRPC_STATUS_OK;
}
