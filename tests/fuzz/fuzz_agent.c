// SPDX-License-Identifier: GPL-2.0-only
/* libFuzzer target: decode, validate and apply any request of any method against an agent in
 * process (a private network namespace with a veth pair, a private bpffs and state dir).
 * Input: one byte picks the method, the rest is the request's wire bytes. The agent must answer
 * every input with a status and never crash; its invariants are checked after each call. */
#define _GNU_SOURCE
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "agent.h"
#include "log.h"
#include "xdpfleet/v1/agent.pb-c.h"

static struct agent *fuzz_agent;
static struct rpc_service fuzz_svc;

static int fuzz_setup(void)
{
	struct agent_opts o = { .max_rules = 4096 };
	static char dir[] = "/tmp/xf-fuzz-agent.XXXXXX";
	static char bpffs[64], state[64], progs[64];
	char err[RPC_ERR_MAX] = "";

	if (unshare(CLONE_NEWNET | CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) || !mkdtemp(dir))
		return -1;
	if (system("ip link add veth0 type veth peer name veth1 && ip link set veth0 up && ip link set veth1 up"))
		return -1;
	snprintf(bpffs, sizeof(bpffs), "%s/bpffs", dir);
	snprintf(state, sizeof(state), "%s/state", dir);
	snprintf(progs, sizeof(progs), "%s/programs", dir);
	o.bpffs = bpffs;
	o.state_dir = state;
	o.program_dir = progs;
	o.max_rules_per_request = 512;
	if (agent_open(&fuzz_agent, &o, err, sizeof(err))) {
		fprintf(stderr, "fuzz_agent: %s\n", err);
		return -1;
	}
	agent_rpc_service(fuzz_agent, &fuzz_svc);
	return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	rpc_global_init();
	log_set_level(LOG_ERR); /* every refusal is an audit line: keep the fuzzer's output readable */
	if (fuzz_setup())
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const ProtobufCServiceDescriptor *d = &xdpfleet__v1__agent__descriptor;
	struct rpc_invoke_opts o = { .peer = "ipv4:192.0.2.9:4000", .role = RPC_ROLE_ADMIN, .max_messages = 3 };
	struct rpc_invoke_result r;

	if (!size)
		return 0;
	if (rpc_invoke(&fuzz_svc, d->methods[data[0] % d->n_methods].name, data + 1, size - 1, &o, &r))
		abort();
	/* an answer is a status, and messages only with OK */
	if (r.status.code != GRPC_STATUS_OK && r.n_msgs > 1)
		abort();
	rpc_invoke_result_free(&r);
	return 0;
}
