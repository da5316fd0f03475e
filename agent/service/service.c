/* The method table of xdpfleet.v1.Agent: which handler serves which RPC. Methods missing here
 * answer UNIMPLEMENTED. */
#include "agent.h"
#include "service.h"

const struct rpc_method_impl agent_methods[] = {
	{ .name = "GetInfo", .unary = svc_get_info },
	{ .name = "Attach", .unary = svc_attach },
	{ .name = "Detach", .unary = svc_detach },
	{ .name = "ListAttachments", .unary = svc_list_attachments },
	{ .name = "GetStats", .unary = svc_get_stats },
	{ .name = "WatchStats", .open = svc_watch_stats_open, .next = svc_watch_stats_next },
	{ .name = "AddRules", .unary = svc_add_rules },
	{ .name = "DeleteRules", .unary = svc_delete_rules },
	{ .name = "ListRules", .open = svc_list_rules_open, .next = svc_list_rules_next },
	{ .name = "FlushRules", .unary = svc_flush_rules },
};

const size_t agent_n_methods = sizeof(agent_methods) / sizeof(agent_methods[0]);
