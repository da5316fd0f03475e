/* A fake transport for the CLI's tests, handed to cli_main() in place of rpc_fanout, so they
 * run without sockets: canned answers per target, and a record of what the CLI sent. */
#ifndef XDPFLEET_TESTS_CLI_FAKE_RPC_H
#define XDPFLEET_TESTS_CLI_FAKE_RPC_H

#include <stdbool.h>
#include <stddef.h>

#include "rpc/rpc.h"

struct fake_host {
	bool fail;                 /* answer with code/message instead */
	grpc_status_code code;
	const char *message;
	const ProtobufCMessage *resp;           /* unary answer (copied) */
	const ProtobufCMessage *const *stream;  /* streamed messages (copied) */
	size_t n_stream;
};

/* Answers for targets 0..n-1 of the next calls. */
void fake_rpc_set(const struct fake_host *hosts, size_t n);

/* What the last rpc_fanout was asked, and how often it ran since fake_rpc_set(). */
struct fake_rpc_record {
	int calls;
	char method[64];
	size_t n_targets;
	char targets[16][128];
	struct rpc_fanout_opts opts;
	ProtobufCMessage *req; /* unpacked copy; freed by fake_rpc_reset() */
	size_t cancelled_host_calls; /* on_message returned non-zero */
};
extern struct fake_rpc_record fake_rpc_last;

void fake_rpc_reset(void);

/* cmocka setup/teardown shared by the tests: no XDPFLEET_HOSTS from the caller's shell, and
 * no answers or records left over from the previous test. */
int fake_rpc_setup(void **state);
int fake_rpc_teardown(void **state);

/* A host that cannot be reached. */
extern const struct fake_host fake_rpc_dead;
/* Streams: deliver in this order of host indices (each entry: that host's next message)
 * instead of round robin; then set *opts->cancel after cancel_after messages (0: never). */
void fake_rpc_set_order(const size_t *order, size_t n, size_t cancel_after);

#endif
