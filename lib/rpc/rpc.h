/* SPDX-License-Identifier: GPL-2.0-only */
/* xdpfleet RPC layer: gRPC C core + protobuf-c, shared by the agent (server) and the CLI (client).
 * There is no C stub generator for gRPC, so method tables come from protoc-c service descriptors. */
#ifndef XDPFLEET_RPC_H
#define XDPFLEET_RPC_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <grpc/status.h>
#include <protobuf-c/protobuf-c.h>

#define RPC_DEFAULT_MAX_MESSAGE (64u << 20)
#define RPC_ERR_MAX 512

/* A gRPC status as the client saw it or the handler set it. */
struct rpc_status {
	grpc_status_code code;
	char message[RPC_ERR_MAX];
};

const char *rpc_status_name(grpc_status_code code);
/* The status a handler answers for an -errno from the layers below (the one such map). */
grpc_status_code rpc_status_from_errno(int err);

/* ---- server ---------------------------------------------------------------------------- */

struct rpc_server;
struct rpc_call;

/* Unary handler: fill the response (already initialised; allocate its parts with
 * rpc_call_alloc/rpc_call_strdup) and return GRPC_STATUS_OK, or return rpc_call_fail(...). */
typedef grpc_status_code (*rpc_unary_fn)(struct rpc_call *call, const ProtobufCMessage *req,
					 ProtobufCMessage *resp);

/* Server-streaming handlers. open() validates the request and may keep state with
 * rpc_call_set_state() and pace the stream with rpc_call_set_interval(); next() fills one
 * response at a time: the first right after open(), then one per interval (interval 0: as soon
 * as the previous message is on the wire). */
enum rpc_stream_step {
	RPC_STREAM_MORE, /* send resp, call next() again */
	RPC_STREAM_LAST, /* send resp, then end the stream with OK */
	RPC_STREAM_WAIT, /* send nothing now, call next() again after the interval (or 500 ms) */
	RPC_STREAM_DONE, /* send nothing, end the stream with OK */
	RPC_STREAM_FAIL, /* end the stream with the status set by rpc_call_fail() */
};
typedef grpc_status_code (*rpc_stream_open_fn)(struct rpc_call *call, const ProtobufCMessage *req);
typedef enum rpc_stream_step (*rpc_stream_next_fn)(struct rpc_call *call, ProtobufCMessage *resp);

/* Who a caller is, as far as authorisation goes. */
enum rpc_role {
	RPC_ROLE_NONE = 0, /* authenticated as nobody the server knows */
	RPC_ROLE_VIEWER,   /* may read */
	RPC_ROLE_ADMIN,    /* may do everything */
};

/* Who may call a method; the default (0) is the safest. */
enum rpc_access {
	RPC_ACCESS_ADMIN = 0,
	RPC_ACCESS_VIEWER,
	RPC_ACCESS_ANYONE, /* health checks */
};

const char *rpc_role_name(enum rpc_role role);

/* One entry per implemented method, by its name in the service descriptor; methods the
 * table leaves out answer UNIMPLEMENTED. A method streams when it has open/next. Calls by a
 * caller without the access needed answer PERMISSION_DENIED before the handler runs. */
struct rpc_method_impl {
	const char *name;
	rpc_unary_fn unary;
	rpc_stream_open_fn open;
	rpc_stream_next_fn next;
	enum rpc_access access;
};

/* What an audit trail records of a call to a method that needs an admin: every change, and
 * every refused attempt at one. */
struct rpc_audit_record {
	const char *method;
	const char *peer;     /* "ipv4:198.18.0.1:41234", "unix:" */
	const char *identity; /* the client certificate's, or NULL */
	enum rpc_role role;
	const char *listener; /* the address the call came in on */
	grpc_status_code code;
	const char *message;  /* the error, "" when OK */
	const char *detail;   /* what the handler says changed (rpc_call_audit), "" if nothing */
};

typedef void (*rpc_audit_fn)(void *data, const struct rpc_audit_record *r);

struct rpc_service {
	const ProtobufCServiceDescriptor *desc;
	const struct rpc_method_impl *methods;
	size_t n_methods;
	void *data; /* handed to handlers through rpc_call_data() */
	rpc_audit_fn audit; /* NULL: no audit trail */
};

/* "unix:/path" or "host:port". TCP needs tls_cert+tls_key unless insecure; a tls_client_ca
 * makes client certificates required and verified (mTLS). A unix socket gives every caller
 * unix_role (whoever may open it, by its owner, group and mode); over mTLS a caller's role
 * comes from its certificate's identities (rpc_server_opts.identities); plaintext and TLS
 * without client certificates make every caller an admin, which is why they need insecure. */
struct rpc_listener {
	const char *addr;
	const char *tls_cert;
	const char *tls_key;
	const char *tls_client_ca;
	bool insecure;
	mode_t unix_mode;       /* 0: 0660 */
	uid_t unix_uid;         /* (uid_t)-1: keep */
	gid_t unix_gid;         /* (gid_t)-1: keep */
	enum rpc_role unix_role; /* RPC_ROLE_NONE: admin */
	/* Plaintext TCP on which every caller has no role, so only grpc.health.v1 answers: for
	 * probes that cannot present a certificate (Kubernetes' gRPC probes cannot do TLS). */
	bool health_only;
};

/* A client certificate identity (SAN DNS name, SAN URI, or subject CN) and its role. */
struct rpc_identity_role {
	const char *identity;
	enum rpc_role role;
};

struct rpc_server_opts {
	const struct rpc_listener *listeners;
	size_t n_listeners;
	/* mTLS callers' roles; none listed: every verified certificate is an admin. */
	const struct rpc_identity_role *identities;
	size_t n_identities;
	size_t max_message_bytes; /* both directions; 0: RPC_DEFAULT_MAX_MESSAGE */
	unsigned int shutdown_grace_ms; /* wait this long for calls to end on stop; 0: 2000 */
	/* Server streams open at once, in all and from one peer address (unix: per socket); more
	 * answer RESOURCE_EXHAUSTED. 0: RPC_DEFAULT_MAX_STREAMS, RPC_DEFAULT_MAX_STREAMS_PER_PEER. */
	size_t max_streams, max_streams_per_peer;
};

#define RPC_DEFAULT_MAX_STREAMS 1024
#define RPC_DEFAULT_MAX_STREAMS_PER_PEER 256

/* Refuses a unix socket another server is listening on (gRPC would silently take it over):
 * callers may check before doing other start-up work. */
int rpc_listener_check(const struct rpc_listener *l, char *err, size_t errlen);
int rpc_server_create(struct rpc_server **out, const struct rpc_service *svc,
		      const struct rpc_server_opts *opts, char *err, size_t errlen);
/* Serves until rpc_server_stop(); then ends streams with UNAVAILABLE and shuts down. */
int rpc_server_run(struct rpc_server *srv);
/* Async-signal-safe and thread-safe: asks rpc_server_run() to return. */
void rpc_server_stop(struct rpc_server *srv);
/* Every listener also serves grpc.health.v1.Health (any caller that gets through the
 * transport: Kubernetes probes, load balancers), for "" and the service's full name: SERVING
 * from the start until rpc_server_run() begins to shut down, or as set here. */
void rpc_server_set_serving(struct rpc_server *srv, bool serving);
void rpc_server_destroy(struct rpc_server *srv);
/* The port a listener bound ("127.0.0.1:0" picks one); 0 for unix sockets. */
int rpc_server_port(const struct rpc_server *srv, size_t listener);
/* Calls now in progress (for tests and GetInfo). */
size_t rpc_server_active_calls(const struct rpc_server *srv);
/* Calls that ended, per method and final status, summed over the listeners (streams count when
 * they end; a call whose client left first counts as CANCELLED; method "" is a path no service
 * has). Only from the serving thread: a timer. */
typedef void (*rpc_count_fn)(void *data, const char *service, const char *method, grpc_status_code code,
			     uint64_t calls);
void rpc_server_foreach_count(const struct rpc_server *srv, rpc_count_fn fn, void *data);

/* Periodic work run from the serving loop, between calls (stats sampling, rule expiry). */
typedef void (*rpc_timer_fn)(void *data);
int rpc_server_add_timer(struct rpc_server *srv, unsigned int interval_ms, rpc_timer_fn fn,
			 void *data);

/* Call context, valid inside handlers. */
void *rpc_call_data(const struct rpc_call *call);
const char *rpc_call_method(const struct rpc_call *call);
/* "ipv4:198.18.0.1:41234", "ipv6:[2001:db8::1]:41234" or "unix:" */
const char *rpc_call_peer(const struct rpc_call *call);
/* The verified client certificate's identity (the one that gave its role, else its CN or first
 * SAN), or NULL without mTLS. */
const char *rpc_call_identity(const struct rpc_call *call);
enum rpc_role rpc_call_role(const struct rpc_call *call);
/* The address of the listener the call came in on ("unix:/run/xdpfleet/agent.sock"). */
const char *rpc_call_listener(const struct rpc_call *call);
/* Milliseconds left before the client's deadline; INT64_MAX without one. */
int64_t rpc_call_remaining_ms(const struct rpc_call *call);
/* Zeroed memory freed after the response is sent (per message for streams). */
void *rpc_call_alloc(struct rpc_call *call, size_t size);
char *rpc_call_strdup(struct rpc_call *call, const char *s);
/* Sets the call's error status; returns code so handlers can `return rpc_call_fail(...)`. */
grpc_status_code rpc_call_fail(struct rpc_call *call, grpc_status_code code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Adds to what the audit trail says this call changed ("rules=3 ids=5-7"). */
void rpc_call_audit(struct rpc_call *call, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Stream state freed with free_fn when the stream ends for any reason. */
void rpc_call_set_state(struct rpc_call *call, void *state, void (*free_fn)(void *state));
void *rpc_call_state(const struct rpc_call *call);
void rpc_call_set_interval(struct rpc_call *call, unsigned int interval_ms);
/* Paced streams: the intervals that passed without a message because the subscriber did not
 * take the previous one (a slow or stalled client holds one message, never more); reset by
 * the call. */
uint32_t rpc_call_skipped(struct rpc_call *call);

/* In process, without sockets (tests, fuzzers): the request bytes are decoded and checked as a
 * server would; a stream runs back to back for at most max_messages (0: 1000), then ends as if
 * the client had gone. Returns 0 with out->status set, or -ENOMEM. */
struct rpc_invoke_opts {
	const char *peer;     /* what rpc_call_peer() answers; NULL: "unix:" */
	const char *identity; /* what rpc_call_identity() answers; NULL: none */
	enum rpc_role role;   /* the caller's (NULL opts: admin) */
	size_t max_messages;
};

struct rpc_invoke_result {
	struct rpc_status status;
	ProtobufCMessage **msgs; /* the response, or each streamed message */
	size_t n_msgs;
};

int rpc_invoke(const struct rpc_service *svc, const char *method, const void *req, size_t len,
	       const struct rpc_invoke_opts *opts, struct rpc_invoke_result *out);
void rpc_invoke_result_free(struct rpc_invoke_result *r);

/* ---- client ---------------------------------------------------------------------------- */

struct rpc_client_opts {
	const char *tls_ca;      /* PEM file: CA that signed the agents' certificates */
	const char *tls_cert;    /* PEM file: client certificate for mTLS */
	const char *tls_key;
	const char *server_name; /* TLS name override */
	bool insecure;           /* plaintext TCP */
	size_t max_message_bytes;
};

struct rpc_channel;

/* target: "unix:/path", "/path" (a unix socket), "host:port" or "[v6addr]:port". */
int rpc_channel_open(struct rpc_channel **out, const char *target,
		     const struct rpc_client_opts *opts, char *err, size_t errlen);
void rpc_channel_close(struct rpc_channel *ch);
const char *rpc_channel_target(const struct rpc_channel *ch);

/* Unary call. On OK *resp is set (free with protobuf_c_message_free_unpacked(*resp, NULL));
 * otherwise st says why. Returns 0 or -EIO (any non-OK status). timeout_ms 0: no deadline. */
int rpc_unary(struct rpc_channel *ch, const ProtobufCServiceDescriptor *svc, const char *method,
	      const ProtobufCMessage *req, ProtobufCMessage **resp, unsigned int timeout_ms,
	      struct rpc_status *st);

struct rpc_stream;
int rpc_stream_open(struct rpc_stream **out, struct rpc_channel *ch,
		    const ProtobufCServiceDescriptor *svc, const char *method,
		    const ProtobufCMessage *req, unsigned int timeout_ms, struct rpc_status *st);
/* 1: *msg set (caller frees); 0: stream ended with OK; -EIO: ended with st set. */
int rpc_stream_read(struct rpc_stream *s, ProtobufCMessage **msg, struct rpc_status *st);
void rpc_stream_cancel(struct rpc_stream *s);
void rpc_stream_close(struct rpc_stream *s);

/* ---- fan-out: one call against many targets at once ------------------------------------ */

struct rpc_host_result {
	bool ok;
	struct rpc_status status;
	ProtobufCMessage *resp; /* unary: the answer (caller frees); streams: NULL */
	uint64_t messages;      /* streams: messages received */
};

/* Streams: each message as it arrives; return non-zero to cancel that host's stream.
 * The callback owns msg. */
typedef int (*rpc_fanout_msg_fn)(void *user, size_t host, ProtobufCMessage *msg);
/* A host's call has ended (result final, resp still owned by the results array). */
typedef void (*rpc_fanout_done_fn)(void *user, size_t host, const struct rpc_host_result *result);

struct rpc_fanout_opts {
	const struct rpc_client_opts *client;
	size_t max_inflight;     /* 0: 64 */
	unsigned int timeout_ms; /* per host deadline; 0: none */
	bool stream;
	rpc_fanout_msg_fn on_message; /* required for streams */
	rpc_fanout_done_fn on_done;   /* optional: each host as soon as it has ended */
	void *user;
	/* Checked between events; set (e.g. from SIGINT) to cancel every call. */
	volatile sig_atomic_t *cancel;
};

/* Runs the call against every target; results[i] answers targets[i]. Returns the number of
 * hosts that failed, or -errno when nothing could be started. */
typedef int (*rpc_fanout_fn)(const char *const *targets, size_t n, const ProtobufCServiceDescriptor *svc,
			     const char *method, const ProtobufCMessage *req, const struct rpc_fanout_opts *opts,
			     struct rpc_host_result *results);
int rpc_fanout(const char *const *targets, size_t n, const ProtobufCServiceDescriptor *svc,
	       const char *method, const ProtobufCMessage *req, const struct rpc_fanout_opts *opts,
	       struct rpc_host_result *results);
void rpc_host_results_free(struct rpc_host_result *results, size_t n);

/* gRPC library lifetime; both are reference counted by gRPC itself. */
void rpc_global_init(void);
void rpc_global_shutdown(void);

#endif
