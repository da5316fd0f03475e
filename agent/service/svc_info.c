/* GetInfo: who this agent is and what its kernel can do. */
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "agent.h"
#include "dataplane.h"
#include "policy.h"
#include "service.h"
#include "version.h"

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
	if (!info->hostname || !info->kernel)
		return rpc_call_fail(call, GRPC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
	return GRPC_STATUS_OK;
}
