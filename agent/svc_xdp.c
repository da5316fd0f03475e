/* Attach, Detach, ListAttachments, GetStats and WatchStats: placeholders until the loader lands. */
#include "service.h"

grpc_status_code svc_attach(struct rpc_call *call, const ProtobufCMessage *req, ProtobufCMessage *resp)
{
	(void)req;
	(void)resp;
	return rpc_call_fail(call, GRPC_STATUS_UNIMPLEMENTED, "Attach is not implemented yet");
}

grpc_status_code svc_detach(struct rpc_call *call, const ProtobufCMessage *req, ProtobufCMessage *resp)
{
	(void)req;
	(void)resp;
	return rpc_call_fail(call, GRPC_STATUS_UNIMPLEMENTED, "Detach is not implemented yet");
}

grpc_status_code svc_list_attachments(struct rpc_call *call, const ProtobufCMessage *req,
				      ProtobufCMessage *resp)
{
	(void)call;
	(void)req;
	(void)resp;
	return GRPC_STATUS_OK;
}

grpc_status_code svc_get_stats(struct rpc_call *call, const ProtobufCMessage *req, ProtobufCMessage *resp)
{
	(void)call;
	(void)req;
	(void)resp;
	return GRPC_STATUS_OK;
}

grpc_status_code svc_watch_stats_open(struct rpc_call *call, const ProtobufCMessage *req)
{
	(void)req;
	return rpc_call_fail(call, GRPC_STATUS_UNIMPLEMENTED, "WatchStats is not implemented yet");
}

enum rpc_stream_step svc_watch_stats_next(struct rpc_call *call, ProtobufCMessage *resp)
{
	(void)call;
	(void)resp;
	return RPC_STREAM_DONE;
}
