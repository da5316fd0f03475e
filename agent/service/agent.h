/* SPDX-License-Identifier: GPL-2.0-only */
/* The agent as one object: its data plane, rule policy and RPC server, opened, served and
 * closed by main.c, and handed to every RPC handler through rpc_call_data(). Tests and fuzzers
 * open one in process (unpinned, no listeners) and call it through rpc_invoke(). */
#ifndef XDPFLEET_AGENT_H
#define XDPFLEET_AGENT_H

#include <stdbool.h>
#include <time.h>

#include "lockout.h"
#include "rpc/rpc.h"

#define AGENT_MAX_LISTENERS 16
#define AGENT_MAX_IDENTITIES 64

struct capture;
struct dataplane;
struct metrics_http;
struct policy;
struct top;
struct mitigate;

struct agent_opts {
	struct rpc_listener listeners[AGENT_MAX_LISTENERS];
	size_t n_listeners;
	struct rpc_identity_role identities[AGENT_MAX_IDENTITIES]; /* mTLS roles */
	size_t n_identities;
	size_t max_message_bytes;
	const char *bpffs;       /* bpffs mount point for pins */
	const char *state_dir;   /* durable state (attachments, rules) */
	const char *program_dir; /* where Attach may load custom objects from */
	uint32_t max_rules;      /* 0: the rule engine's default */
	bool no_reattach;        /* leave programs others removed or replaced (report only) */
	size_t max_streams, max_streams_per_peer; /* 0: the RPC layer's defaults */
	unsigned int min_watch_interval_ms;       /* 0: API_WATCH_INTERVAL_MIN_MS */
	size_t max_rules_per_request;             /* 0: API_RULES_PER_REQUEST_MAX */
	struct lockout lockout;  /* --protect prefixes */
	const char *health_listen;  /* HOST:PORT, plaintext, health checks only; NULL: none */
	const char *metrics_listen; /* HOST:PORT for GET /metrics; NULL: no metrics */
	size_t metrics_rule_series; /* commented rules exported one by one */
	unsigned int top_plen4, top_plen6; /* top talkers' source prefix lengths; 0: 32 and 64 */
};

struct agent {
	struct agent_opts opts;
	struct dataplane *dp;
	struct policy *policy;
	struct capture *capture; /* NULL: this kernel refused the capture maps */
	struct rpc_server *srv;
	struct metrics_http *metrics; /* NULL: no --metrics-listen */
	struct top *top;              /* top talkers (agent_top.c) */
	struct mitigate *mit;         /* triggers and their events */
	struct timespec started; /* CLOCK_MONOTONIC */
	uint64_t started_unix;
};

/* Opens the data plane and the rules (restoring what an earlier run left). A damaged state
 * file gives -EBADMSG with err naming the file and line. */
int agent_open(struct agent **out, const struct agent_opts *opts, char *err, size_t errlen);
/* Binds the listeners (and the health-only and metrics ones) and the agent's timers (stats
 * sampling, rule expiry, metrics pages). */
int agent_listen(struct agent *a, char *err, size_t errlen);
/* Serves until agent_stop(). */
int agent_run(struct agent *a);
/* Async-signal-safe. */
void agent_stop(struct agent *a);
void agent_close(struct agent *a);
/* The Agent service with this agent as its handlers' data. */
void agent_rpc_service(struct agent *a, struct rpc_service *out);

/* Logs an audit record (audit.c): the service's rpc_audit_fn. */
void agent_audit(void *data, const struct rpc_audit_record *r);

/* agent_top.c: top talkers and mitigation, opened after the policy; the tick samples the
 * tables and evaluates the triggers every TOP_SAMPLE_MS. */
int agent_top_open(struct agent *a, char *err, size_t errlen);
void agent_top_close(struct agent *a);
void agent_top_tick(void *agent);

/* The method table of xdpfleet.v1.Agent (service.c). */
extern const struct rpc_method_impl agent_methods[];
extern const size_t agent_n_methods;

#endif
