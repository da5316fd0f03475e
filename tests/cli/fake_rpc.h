/* SPDX-License-Identifier: GPL-2.0-only */
/* A fake transport for the CLI's tests, handed to cli_main() in place of rpc_fanout, so they
 * run without sockets: canned answers per target, and a record of what the CLI sent. Safe to
 * call from several threads at once (the CLI does, for targets of different TLS names and for
 * reconnecting watches). */
#ifndef XDPFLEET_TESTS_CLI_FAKE_RPC_H
#define XDPFLEET_TESTS_CLI_FAKE_RPC_H

#include <stdbool.h>
#include <stddef.h>

#include "rpc/rpc.h"

struct fake_host {
	const char *target;        /* answers calls to this target; NULL: the i-th target of a
				    * call is host i */
	bool fail;                 /* answer with code/message instead */
	grpc_status_code code;
	const char *message;
	const ProtobufCMessage *resp;           /* unary answer (copied) */
	const ProtobufCMessage *const *stream;  /* streamed messages (copied) */
	size_t n_stream;
	/* With fail: only the first fail_calls calls fail (0: all), a stream after delivering
	 * break_after messages; later calls succeed and stream on from there. */
	int fail_calls;
	size_t break_after;
};

/* Answers for the targets of the next calls. */
void fake_rpc_set(const struct fake_host *hosts, size_t n);

#define FAKE_RPC_MAX_TARGETS 32
#define FAKE_RPC_MAX_CALLS 16

/* What one rpc_fanout was asked. */
struct fake_rpc_record {
	int calls; /* in fake_rpc_last: how many ran since fake_rpc_set() */
	char method[64];
	size_t n_targets;
	char targets[FAKE_RPC_MAX_TARGETS][128];
	struct rpc_fanout_opts opts;  /* opts.client is not valid after the call: see below */
	char server_name[128];        /* opts.client->server_name, "" for none */
	bool insecure;
	ProtobufCMessage *req; /* unpacked copy; freed by fake_rpc_reset() */
	size_t cancelled_host_calls; /* on_message returned non-zero */
};
/* The last call, and every call (up to FAKE_RPC_MAX_CALLS) in the order they ran. */
extern struct fake_rpc_record fake_rpc_last;
extern struct fake_rpc_record fake_rpc_calls[FAKE_RPC_MAX_CALLS];

/* The recorded call that had target t, NULL if none. */
const struct fake_rpc_record *fake_rpc_call_with(const char *t);

void fake_rpc_reset(void);

/* cmocka setup/teardown shared by the tests: no XDPFLEET_* settings or config files from the
 * caller's environment, and no answers or records left over from the previous test. */
int fake_rpc_setup(void **state);
int fake_rpc_teardown(void **state);

/* A host that cannot be reached. */
extern const struct fake_host fake_rpc_dead;
/* Streams: deliver in this order of host indices (each entry: that host's next message)
 * instead of round robin; then set *opts->cancel after cancel_after messages (0: never). */
void fake_rpc_set_order(const size_t *order, size_t n, size_t cancel_after);

#endif
