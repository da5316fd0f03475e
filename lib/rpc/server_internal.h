/* SPDX-License-Identifier: GPL-2.0-only */
/* The RPC server's private structures, shared by its loop, call handling and listeners. */
#ifndef XDPFLEET_RPC_SERVER_INTERNAL_H
#define XDPFLEET_RPC_SERVER_INTERNAL_H

#include <stdatomic.h>

#include "rpc_internal.h"

#define RPC_N_CODES (GRPC_STATUS_UNAUTHENTICATED + 1)

enum rpc_tag_kind {
	RPC_TAG_NEW_CALL, /* a request slot matched an incoming call */
	RPC_TAG_CLOSE,    /* the RPC ended (finished, cancelled, deadline, network) */
	RPC_TAG_SEND,     /* a response message went out */
	RPC_TAG_STATUS,   /* the final status went out */
	RPC_TAG_SHUTDOWN, /* grpc_server_shutdown_and_notify finished */
};

struct rpc_tag {
	struct rpc_call *call;
	enum rpc_tag_kind kind;
};

struct rpc_endpoint;

struct rpc_method_entry {
	const struct rpc_service *svc;      /* whose method: the application's, or health */
	const ProtobufCMethodDescriptor *desc;
	const struct rpc_method_impl *impl; /* NULL: UNIMPLEMENTED */
	void *handle;                       /* from grpc_server_register_method; NULL: generic slot */
	struct rpc_endpoint *ep;            /* NULL: called in process (rpc_invoke) */
	char path[256];
	uint64_t finished[RPC_N_CODES];     /* calls that ended, by status code */
};

/* One listener with a grpc_server of its own, so a call knows where it came in (a unix
 * socket's role); every endpoint shares the server's completion queue and loop. */
struct rpc_endpoint {
	grpc_server *server;
	struct rpc_method_entry *methods; /* one per descriptor method, then the generic slot */
	size_t n_methods;
	const char *addr;
	char *unix_path; /* removed again at destroy */
	int port;
	bool mtls;
	bool health_only;
	enum rpc_role role; /* unix sockets, plaintext and TLS without client certificates */
};

struct rpc_call {
	struct rpc_server *srv;
	const struct rpc_method_entry *method;
	grpc_call *call;
	gpr_timespec deadline;
	grpc_metadata_array md;
	grpc_byte_buffer *payload;
	grpc_call_details details; /* generic (unknown method) slots only */
	struct rpc_tag t_new, t_close, t_send, t_status;
	int cancelled;
	int pending;       /* batches started and not yet completed */
	bool closed;       /* RECV_CLOSE_ON_SERVER completed */
	bool md_sent;      /* initial metadata went out */
	bool send_busy;    /* a SEND_MESSAGE is in flight */
	bool status_sent;  /* SEND_STATUS_FROM_SERVER started */
	grpc_status_code sent_code; /* the status it sent */
	bool ending;       /* shutting down: send the status instead of the next message */
	struct rpc_status status;
	char *peer;
	char *identity;
	enum rpc_role role;
	char audit[256];
	struct rpc_arena arena;     /* the response being built, and what handlers allocate */
	grpc_byte_buffer *send_buf;
	void *state;
	void (*state_free)(void *state);
	unsigned int interval_ms;
	int64_t due_ms; /* when next() runs again; -1: not scheduled */
	int64_t sent_ms;  /* when the message in flight went out */
	uint32_t skipped; /* intervals missed while it was in flight */
	bool is_stream;   /* counted against the stream limits */
	struct rpc_call *prev, *next; /* active calls */
};

struct rpc_timer {
	unsigned int interval_ms;
	int64_t due_ms;
	rpc_timer_fn fn;
	void *data;
};

/* The services every endpoint serves: the application's, then grpc.health.v1.Health. */
enum { RPC_SVC_APP, RPC_SVC_HEALTH, RPC_N_SVCS };

struct rpc_server {
	grpc_completion_queue *cq;
	struct rpc_service svcs[RPC_N_SVCS];
	atomic_bool serving; /* what health checks answer; set from any thread */
	struct rpc_endpoint *eps;
	size_t n_eps;
	struct rpc_identity_role *identities;
	size_t n_identities;
	size_t max_streams, max_streams_per_peer, n_streams;
	struct rpc_timer *timers;
	size_t n_timers;
	struct rpc_call *active;
	atomic_size_t n_active;
	volatile sig_atomic_t stop;
	bool shutting_down;
	size_t shutdowns_notified; /* endpoints whose shutdown completed */
	unsigned int grace_ms;
	struct rpc_tag t_shutdown;
};

/* server.c */
const struct rpc_method_impl *rpc_service_find_impl(const struct rpc_service *svc, const char *name);

/* health.c: grpc.health.v1.Health, answering for "" and the application service's name. */
void rpc_health_service(struct rpc_server *srv, struct rpc_service *out);

/* server_call.c */
struct rpc_call *rpc_call_new(struct rpc_server *srv, const struct rpc_method_entry *m);
void rpc_call_free(struct rpc_call *c);
void rpc_call_free_state(struct rpc_call *c);
void rpc_call_arena_reset(struct rpc_call *c);
/* Answers PERMISSION_DENIED (in c->status) unless the caller may call c's method. */
bool rpc_call_allowed(struct rpc_call *c);
/* Hands a finished call of an admin method to the service's audit trail. */
void rpc_call_audit_done(struct rpc_call *c);
/* The method's response, initialised, in the call's arena. */
ProtobufCMessage *rpc_call_new_response(struct rpc_call *c);
int rpc_server_arm(struct rpc_server *srv, struct rpc_method_entry *m);
void rpc_server_on_event(struct rpc_server *srv, struct rpc_tag *tag, bool ok);
void rpc_server_run_due_streams(struct rpc_server *srv, int64_t now_ms);
int64_t rpc_server_next_stream_due(const struct rpc_server *srv);
void rpc_server_end_streams(struct rpc_server *srv);

/* server_listen.c */
int rpc_listener_add(grpc_server *server, const struct rpc_listener *l, int *port, char *err,
		     size_t errlen);

#endif
