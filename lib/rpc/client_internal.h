/* SPDX-License-Identifier: GPL-2.0-only */
/* The RPC client's private pieces, shared with the fan-out engine. */
#ifndef XDPFLEET_RPC_CLIENT_INTERNAL_H
#define XDPFLEET_RPC_CLIENT_INTERNAL_H

#include "rpc_internal.h"

struct rpc_channel {
	grpc_channel *channel;
	char *target;
	size_t max_msg;
	bool is_unix;
};

/* A call on cq to svc/method; NULL with st set when the method is unknown. */
grpc_call *rpc_channel_call(struct rpc_channel *ch, grpc_completion_queue *cq,
			    const ProtobufCServiceDescriptor *svc, const char *method,
			    unsigned int timeout_ms, struct rpc_status *st);
const ProtobufCMessageDescriptor *rpc_method_output(const ProtobufCServiceDescriptor *svc,
						    const char *method);

#endif
