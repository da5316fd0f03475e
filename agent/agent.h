/* The agent's process-wide state, handed to every RPC handler through rpc_call_data(). */
#ifndef XDPFLEET_AGENT_H
#define XDPFLEET_AGENT_H

#include <time.h>

#include "lockout.h"
#include "rpc/rpc.h"

#define AGENT_MAX_LISTENERS 16

struct dataplane;
struct policy;

struct agent_opts {
	struct rpc_listener listeners[AGENT_MAX_LISTENERS];
	size_t n_listeners;
	size_t max_message_bytes;
	const char *bpffs;       /* bpffs mount point for pins */
	const char *state_dir;   /* durable state (attachments, rules) */
	const char *program_dir; /* where Attach may load custom objects from */
	uint32_t max_rules;      /* 0: the rule engine's default */
};

struct agent {
	struct agent_opts opts;
	struct dataplane *dp;
	struct policy *policy;
	struct lockout lockout;
	struct rpc_server *srv;
	struct timespec started; /* CLOCK_MONOTONIC */
};

/* The method table of xdpfleet.v1.Agent (service.c). */
extern const struct rpc_method_impl agent_methods[];
extern const size_t agent_n_methods;

#endif
