/* SPDX-License-Identifier: GPL-2.0-only */
/* Test fixture for the RPC layer: a Test service, servers on their own threads, certificates. */
#ifndef XDPFLEET_RPC_FIXTURE_H
#define XDPFLEET_RPC_FIXTURE_H

#include <pthread.h>
#include <stdatomic.h>

#include "rpc/rpc.h"
#include "test_service.pb-c.h"

struct test_counters {
	atomic_int streams_opened;
	atomic_int streams_freed;
	atomic_int echoes;
};

struct test_server {
	struct rpc_server *srv;
	pthread_t thread;
	struct test_counters counters;
	char addr[128]; /* what a client dials */
};

struct test_server_opts {
	const char *listen;   /* "unix:/path" or "127.0.0.1:0" */
	const char *tls_cert; /* NULL with insecure TCP or unix */
	const char *tls_key;
	const char *tls_client_ca;
	size_t max_message_bytes;
	mode_t unix_mode;
	size_t max_streams, max_streams_per_peer;
	const struct rpc_identity_role *identities; /* mTLS: roles by certificate; none: all admin */
	size_t n_identities;
};

int test_server_start(struct test_server *ts, const struct test_server_opts *opts);
void test_server_stop(struct test_server *ts);

/* Certificates made with openssl in dir: ca.pem, server.pem/key (CN localhost, IP 127.0.0.1),
 * client.pem/key (CN collector-1, signed by ca), other-ca.pem, other-client.pem/key. */
int test_make_certs(const char *dir);

/* Sends raw bytes as the request of path; returns the status code the server answered. */
grpc_status_code test_raw_call(const char *target, const char *path, const void *data, size_t len);
/* The same, with the status message in msg. */
grpc_status_code test_raw_call_msg(const char *target, const char *path, const void *data, size_t len, char *msg,
				   size_t msglen);

int64_t test_now_ms(void);

#endif
