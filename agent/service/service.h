/* SPDX-License-Identifier: GPL-2.0-only */
/* Handlers of the xdpfleet.v1.Agent methods, one file per concern. */
#ifndef XDPFLEET_SERVICE_H
#define XDPFLEET_SERVICE_H

#include "rpc/rpc.h"
#include "xdpfleet/v1/agent.pb-c.h"

/* svc_info.c */
struct agent;
/* What an operator should know about this agent now, as strings in the call's arena. */
int svc_warnings(struct rpc_call *call, struct agent *agent, char ***out, size_t *n);
grpc_status_code svc_get_info(struct rpc_call *call, const ProtobufCMessage *req, ProtobufCMessage *resp);

/* svc_xdp.c */
grpc_status_code svc_attach(struct rpc_call *call, const ProtobufCMessage *req, ProtobufCMessage *resp);
grpc_status_code svc_detach(struct rpc_call *call, const ProtobufCMessage *req, ProtobufCMessage *resp);
grpc_status_code svc_list_attachments(struct rpc_call *call, const ProtobufCMessage *req,
				      ProtobufCMessage *resp);
grpc_status_code svc_get_stats(struct rpc_call *call, const ProtobufCMessage *req, ProtobufCMessage *resp);
grpc_status_code svc_watch_stats_open(struct rpc_call *call, const ProtobufCMessage *req);
enum rpc_stream_step svc_watch_stats_next(struct rpc_call *call, ProtobufCMessage *resp);

/* svc_rules.c */
grpc_status_code svc_add_rules(struct rpc_call *call, const ProtobufCMessage *req, ProtobufCMessage *resp);
grpc_status_code svc_delete_rules(struct rpc_call *call, const ProtobufCMessage *req, ProtobufCMessage *resp);
grpc_status_code svc_sync_rules(struct rpc_call *call, const ProtobufCMessage *req, ProtobufCMessage *resp);
grpc_status_code svc_test_rule(struct rpc_call *call, const ProtobufCMessage *req, ProtobufCMessage *resp);
grpc_status_code svc_flush_rules(struct rpc_call *call, const ProtobufCMessage *req, ProtobufCMessage *resp);
grpc_status_code svc_list_rules_open(struct rpc_call *call, const ProtobufCMessage *req);
enum rpc_stream_step svc_list_rules_next(struct rpc_call *call, ProtobufCMessage *resp);

/* svc_top.c */
grpc_status_code svc_watch_top_open(struct rpc_call *call, const ProtobufCMessage *req);
enum rpc_stream_step svc_watch_top_next(struct rpc_call *call, ProtobufCMessage *resp);
grpc_status_code svc_add_trigger(struct rpc_call *call, const ProtobufCMessage *req, ProtobufCMessage *resp);
grpc_status_code svc_list_triggers(struct rpc_call *call, const ProtobufCMessage *req, ProtobufCMessage *resp);
grpc_status_code svc_delete_triggers(struct rpc_call *call, const ProtobufCMessage *req, ProtobufCMessage *resp);
grpc_status_code svc_watch_events_open(struct rpc_call *call, const ProtobufCMessage *req);
enum rpc_stream_step svc_watch_events_next(struct rpc_call *call, ProtobufCMessage *resp);

/* svc_capture.c */
grpc_status_code svc_capture_open(struct rpc_call *call, const ProtobufCMessage *req);
enum rpc_stream_step svc_capture_next(struct rpc_call *call, ProtobufCMessage *resp);

#endif
