// SPDX-License-Identifier: GPL-2.0-only
/* The method table of xdpfleet.v1.Agent: which handler serves which RPC, and who may call it
 * (viewers read; everything else needs an admin). Methods missing here answer UNIMPLEMENTED. */
#include "agent.h"
#include "service.h"
#include "array_size.h"

const struct rpc_method_impl agent_methods[] = {
	{ .name = "GetInfo", .unary = svc_get_info, .access = RPC_ACCESS_VIEWER },
	{ .name = "Attach", .unary = svc_attach },
	{ .name = "Detach", .unary = svc_detach },
	{ .name = "ListAttachments", .unary = svc_list_attachments, .access = RPC_ACCESS_VIEWER },
	{ .name = "GetStats", .unary = svc_get_stats, .access = RPC_ACCESS_VIEWER },
	{ .name = "WatchStats", .open = svc_watch_stats_open, .next = svc_watch_stats_next,
	  .access = RPC_ACCESS_VIEWER },
	{ .name = "AddRules", .unary = svc_add_rules },
	{ .name = "DeleteRules", .unary = svc_delete_rules },
	{ .name = "ListRules", .open = svc_list_rules_open, .next = svc_list_rules_next,
	  .access = RPC_ACCESS_VIEWER },
	{ .name = "FlushRules", .unary = svc_flush_rules },
	{ .name = "SyncRules", .unary = svc_sync_rules },
	{ .name = "TestRule", .unary = svc_test_rule, .access = RPC_ACCESS_VIEWER },
	{ .name = "WatchTop", .open = svc_watch_top_open, .next = svc_watch_top_next, .access = RPC_ACCESS_VIEWER },
	{ .name = "AddTrigger", .unary = svc_add_trigger },
	{ .name = "ListTriggers", .unary = svc_list_triggers, .access = RPC_ACCESS_VIEWER },
	{ .name = "DeleteTriggers", .unary = svc_delete_triggers },
	{ .name = "WatchEvents", .open = svc_watch_events_open, .next = svc_watch_events_next,
	  .access = RPC_ACCESS_VIEWER },
	{ .name = "Capture", .open = svc_capture_open, .next = svc_capture_next },
};

const size_t agent_n_methods = ARRAY_SIZE(agent_methods);
