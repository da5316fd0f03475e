/* SPDX-License-Identifier: GPL-2.0-only */
/* Why a host could not be reached, in words an operator can act on: the usual causes behind
 * gRPC's connection errors (TLS against plaintext and back, a missing or forbidden unix
 * socket, a refused port, a name that does not resolve, a certificate that does not fit). */
#ifndef XDPFLEET_CLI_HINTS_H
#define XDPFLEET_CLI_HINTS_H

#include <stddef.h>

#include "rpc/rpc.h"

/* How the failed call was made. */
struct hints_call {
	const char *target;                   /* "unix:/path", "/path" or "host:port" */
	const struct rpc_client_opts *client; /* the options used for this target */
	unsigned int timeout_ms;
};

/* A hint for a call that ended with code and message, written to buf; "" when the error has
 * no usual cause. Returns buf. */
const char *hints_for(const struct hints_call *c, grpc_status_code code, const char *message,
		      char *buf, size_t len);

#endif
