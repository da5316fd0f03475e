// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of the RPC layer: unary, errors, deadlines, streams, cancel, concurrency, limits,
 * malformed payloads, mTLS, health checks and fan-out, over unix sockets and TCP. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "rpc_fixture.h"
#include "rpc/rpc_internal.h"
#include "grpc/health/v1/health.pb-c.h"
#include "xdpfleet/v1/agent.pb-c.h"

static const ProtobufCServiceDescriptor *svc = &xdpfleet__test__test__descriptor;

struct fixture {
	char dir[64];
	char sock[128];
	struct test_server ts;
	struct rpc_channel *ch;
};

static int setup_unix(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct test_server_opts o = { .max_message_bytes = 64 * 1024, .unix_mode = 0600, .max_streams_per_peer = 3 };
	char err[RPC_ERR_MAX];

	strcpy(f->dir, "/tmp/xf-rpc-test.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->sock, sizeof(f->sock), "unix:%s/sub/agent.sock", f->dir);
	o.listen = f->sock;
	assert_int_equal(test_server_start(&f->ts, &o), 0);
	assert_int_equal(rpc_channel_open(&f->ch, f->ts.addr, NULL, err, sizeof(err)), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	rpc_channel_close(f->ch);
	if (f->ts.srv)
		test_server_stop(&f->ts);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static int echo(struct rpc_channel *ch, const char *text, uint32_t fail, uint32_t sleep_ms, unsigned int timeout,
		struct rpc_status *st, Xdpfleet__Test__EchoReply **reply)
{
	Xdpfleet__Test__EchoRequest req = XDPFLEET__TEST__ECHO_REQUEST__INIT;

	req.text = (char *)text;
	req.fail_code = fail;
	req.sleep_ms = sleep_ms;
	return rpc_unary(ch, svc, "Echo", &req.base, (ProtobufCMessage **)reply, timeout, st);
}

static void test_unary_ok_and_error(void **state)
{
	struct fixture *f = *state;
	Xdpfleet__Test__EchoReply *reply;
	struct rpc_status st;
	struct stat sb;

	assert_int_equal(echo(f->ch, "hello", 0, 0, 2000, &st, &reply), 0);
	assert_int_equal(st.code, GRPC_STATUS_OK);
	assert_string_equal(reply->text, "hello");
	assert_string_equal(reply->peer, "unix:");
	protobuf_c_message_free_unpacked(&reply->base, NULL);

	assert_int_equal(echo(f->ch, "thing", GRPC_STATUS_NOT_FOUND, 0, 2000, &st, &reply), -EIO);
	assert_null(reply);
	assert_int_equal(st.code, GRPC_STATUS_NOT_FOUND);
	assert_string_equal(st.message, "echo: asked to fail with 'thing'");

	/* The socket was bound with the requested mode, in a directory the server created. */
	assert_int_equal(stat(f->sock + 5, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
}

static void test_unimplemented_and_unknown(void **state)
{
	struct fixture *f = *state;
	Xdpfleet__Test__EchoRequest req = XDPFLEET__TEST__ECHO_REQUEST__INIT;
	ProtobufCMessage *reply;
	struct rpc_status st;

	assert_int_equal(rpc_unary(f->ch, svc, "Unimplemented", &req.base, &reply, 2000, &st), -EIO);
	assert_int_equal(st.code, GRPC_STATUS_UNIMPLEMENTED);
	assert_int_equal(test_raw_call(f->ts.addr, "/xdpfleet.test.Test/Nope", "", 0), GRPC_STATUS_UNIMPLEMENTED);
	assert_int_equal(rpc_unary(f->ch, svc, "NoSuchMethod", &req.base, &reply, 2000, &st), -EIO);
	assert_int_equal(st.code, GRPC_STATUS_INVALID_ARGUMENT);
}

static void test_deadline_exceeded(void **state)
{
	struct fixture *f = *state;
	Xdpfleet__Test__EchoReply *reply;
	struct rpc_status st;
	int64_t t0 = test_now_ms();

	assert_int_equal(echo(f->ch, "slow", 0, 600, 100, &st, &reply), -EIO);
	assert_int_equal(st.code, GRPC_STATUS_DEADLINE_EXCEEDED);
	assert_true(test_now_ms() - t0 < 550);
	/* The server is still fine afterwards. */
	assert_int_equal(echo(f->ch, "again", 0, 0, 2000, &st, &reply), 0);
	protobuf_c_message_free_unpacked(&reply->base, NULL);
}

static void test_stream_in_order(void **state)
{
	struct fixture *f = *state;
	Xdpfleet__Test__CountRequest req = XDPFLEET__TEST__COUNT_REQUEST__INIT;
	Xdpfleet__Test__CountReply *msg;
	struct rpc_stream *s;
	struct rpc_status st;
	uint32_t expect = 1;
	int ret;

	req.n = 100;
	assert_int_equal(rpc_stream_open(&s, f->ch, svc, "Count", &req.base, 5000, &st), 0);
	while ((ret = rpc_stream_read(s, (ProtobufCMessage **)&msg, &st)) == 1) {
		assert_int_equal(msg->seq, expect++);
		protobuf_c_message_free_unpacked(&msg->base, NULL);
	}
	assert_int_equal(ret, 0);
	assert_int_equal(st.code, GRPC_STATUS_OK);
	assert_int_equal(expect, 101);
	rpc_stream_close(s);
}

/* Streams beyond the limit of one peer are refused with RESOURCE_EXHAUSTED naming the limit;
 * when one ends, another may start. */
static void test_stream_limit(void **state)
{
	struct fixture *f = *state;
	Xdpfleet__Test__CountRequest req = XDPFLEET__TEST__COUNT_REQUEST__INIT;
	struct rpc_stream *s[4];
	ProtobufCMessage *msg;
	struct rpc_status st;

	req.interval_ms = 100;
	for (int i = 0; i < 3; i++) {
		assert_int_equal(rpc_stream_open(&s[i], f->ch, svc, "Count", &req.base, 0, &st), 0);
		assert_int_equal(rpc_stream_read(s[i], &msg, &st), 1);
		protobuf_c_message_free_unpacked(msg, NULL);
	}
	assert_int_equal(rpc_stream_open(&s[3], f->ch, svc, "Count", &req.base, 0, &st), 0);
	assert_int_equal(rpc_stream_read(s[3], &msg, &st), -EIO);
	assert_int_equal(st.code, GRPC_STATUS_RESOURCE_EXHAUSTED);
	assert_non_null(strstr(st.message, "--max-streams-per-peer"));
	rpc_stream_close(s[3]);
	rpc_stream_cancel(s[0]);
	rpc_stream_close(s[0]);
	usleep(200000);
	assert_int_equal(rpc_stream_open(&s[0], f->ch, svc, "Count", &req.base, 0, &st), 0);
	assert_int_equal(rpc_stream_read(s[0], &msg, &st), 1);
	protobuf_c_message_free_unpacked(msg, NULL);
	for (int i = 0; i < 3; i++) {
		rpc_stream_cancel(s[i]);
		rpc_stream_close(s[i]);
	}
}

/* A client that stops reading holds one message in flight, never a backlog: the ticks it
 * missed are counted in the next message it gets, the latest state. Messages of 2 MiB fill
 * the transport's window within a few ticks. */
static void test_stalled_subscriber_skips(void **state)
{
	struct fixture *f = *state;
	struct test_server_opts o = { .max_message_bytes = 8 << 20 };
	struct rpc_client_opts co = { .max_message_bytes = 8 << 20 };
	Xdpfleet__Test__CountRequest req = XDPFLEET__TEST__COUNT_REQUEST__INIT;
	Xdpfleet__Test__CountReply *msg;
	uint32_t seq = 0, skipped = 0;
	struct test_server ts;
	struct rpc_channel *ch;
	struct rpc_stream *s;
	struct rpc_status st;
	char addr[160], err[RPC_ERR_MAX];

	snprintf(addr, sizeof(addr), "unix:%s/stall.sock", f->dir);
	o.listen = addr;
	assert_int_equal(test_server_start(&ts, &o), 0);
	assert_int_equal(rpc_channel_open(&ch, ts.addr, &co, err, sizeof(err)), 0);
	req.interval_ms = 50;
	req.pad_bytes = 2 << 20;
	assert_int_equal(rpc_stream_open(&s, ch, svc, "Count", &req.base, 0, &st), 0);
	assert_int_equal(rpc_stream_read(s, (ProtobufCMessage **)&msg, &st), 1);
	protobuf_c_message_free_unpacked(&msg->base, NULL);
	usleep(1500000); /* 30 intervals without reading */
	for (int i = 0; i < 20; i++) {
		assert_int_equal(rpc_stream_read(s, (ProtobufCMessage **)&msg, &st), 1);
		skipped += msg->skipped;
		seq = msg->seq;
		protobuf_c_message_free_unpacked(&msg->base, NULL);
	}
	/* most of the 30 stalled intervals were skips, not queued messages */
	assert_true(skipped >= 15);
	assert_true(seq + skipped >= 30);
	rpc_stream_cancel(s);
	rpc_stream_close(s);
	rpc_channel_close(ch);
	test_server_stop(&ts);
}

static void test_cancel_noticed_within_a_tick(void **state)
{
	struct fixture *f = *state;
	Xdpfleet__Test__CountRequest req = XDPFLEET__TEST__COUNT_REQUEST__INIT;
	ProtobufCMessage *msg;
	struct rpc_stream *s;
	struct rpc_status st;
	int64_t cancelled_at;

	req.interval_ms = 300; /* one tick */
	assert_int_equal(rpc_stream_open(&s, f->ch, svc, "Count", &req.base, 0, &st), 0);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(rpc_stream_read(s, &msg, &st), 1);
		protobuf_c_message_free_unpacked(msg, NULL);
	}
	assert_int_equal(atomic_load(&f->ts.counters.streams_opened), 1);
	rpc_stream_cancel(s);
	cancelled_at = test_now_ms();
	while (atomic_load(&f->ts.counters.streams_freed) == 0 && test_now_ms() - cancelled_at < 300)
		usleep(5000);
	assert_int_equal(atomic_load(&f->ts.counters.streams_freed), 1);
	assert_true(test_now_ms() - cancelled_at < 300);
	rpc_stream_close(s);
	while (rpc_server_active_calls(f->ts.srv) && test_now_ms() - cancelled_at < 300)
		usleep(5000);
	assert_int_equal(rpc_server_active_calls(f->ts.srv), 0);
}

struct client_thread {
	const char *addr;
	int ok;
};

static void *client_main(void *arg)
{
	struct client_thread *ct = arg;
	Xdpfleet__Test__EchoReply *reply;
	struct rpc_channel *ch;
	struct rpc_status st;
	char err[RPC_ERR_MAX];

	if (rpc_channel_open(&ch, ct->addr, NULL, err, sizeof(err)))
		return NULL;
	for (int i = 0; i < 5; i++) {
		if (echo(ch, "x", 0, 0, 10000, &st, &reply) == 0) {
			ct->ok += !strcmp(reply->text, "x");
			protobuf_c_message_free_unpacked(&reply->base, NULL);
		}
	}
	rpc_channel_close(ch);
	return NULL;
}

static void test_fifty_concurrent_clients(void **state)
{
	struct fixture *f = *state;
	struct client_thread ct[50];
	pthread_t th[50];

	for (int i = 0; i < 50; i++) {
		ct[i] = (struct client_thread){ .addr = f->ts.addr };
		assert_int_equal(pthread_create(&th[i], NULL, client_main, &ct[i]), 0);
	}
	for (int i = 0; i < 50; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(ct[i].ok, 5);
	}
	assert_int_equal(atomic_load(&f->ts.counters.echoes), 250);
}

static void test_oversized_refused(void **state)
{
	struct fixture *f = *state;
	Xdpfleet__Test__EchoRequest req = XDPFLEET__TEST__ECHO_REQUEST__INIT;
	ProtobufCMessage *reply;
	struct rpc_status st;

	req.blob.len = 128 * 1024; /* the server takes 64 KiB */
	req.blob.data = calloc(1, req.blob.len);
	assert_int_equal(rpc_unary(f->ch, svc, "Echo", &req.base, &reply, 5000, &st), -EIO);
	assert_int_equal(st.code, GRPC_STATUS_RESOURCE_EXHAUSTED);
	free(req.blob.data);
	assert_int_equal(atomic_load(&f->ts.counters.echoes), 0);
}

static void test_malformed_payloads(void **state)
{
	struct fixture *f = *state;
	static const unsigned char invalid[] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f }; /* wire type 7 */
	Xdpfleet__Test__EchoReply *reply;
	unsigned char buf[256];
	struct rpc_status st;
	unsigned int seed = 42;

	assert_int_equal(test_raw_call(f->ts.addr, "/xdpfleet.test.Test/Echo", invalid, sizeof(invalid)),
			 GRPC_STATUS_INVALID_ARGUMENT);
	for (int i = 0; i < 200; i++) {
		size_t len = 1 + rand_r(&seed) % sizeof(buf);
		grpc_status_code code;

		for (size_t k = 0; k < len; k++)
			buf[k] = rand_r(&seed);
		code = test_raw_call(f->ts.addr, i % 2 ? "/xdpfleet.test.Test/Echo" : "/xdpfleet.test.Test/Count",
				     buf, len);
		/* Random bytes may happen to be a valid message; anything else must be refused. */
		assert_true(code == GRPC_STATUS_INVALID_ARGUMENT || code == GRPC_STATUS_OK);
	}
	assert_int_equal(echo(f->ch, "alive", 0, 0, 2000, &st, &reply), 0);
	protobuf_c_message_free_unpacked(&reply->base, NULL);
}

/* Packs msg, then replaces the first occurrence of the marker byte with `with`. */
static size_t pack_with(const ProtobufCMessage *msg, uint8_t *buf, size_t cap, char marker, uint8_t with)
{
	size_t len = protobuf_c_message_get_packed_size(msg);
	uint8_t *at;

	assert_true(len <= cap);
	protobuf_c_message_pack(msg, buf);
	at = memchr(buf, marker, len);
	assert_non_null(at);
	*at = with;
	return len;
}

/* A NUL inside a string would be cut by protobuf-c's C strings ("198.18.200.7\0/8" read as a
 * /32): refused, naming the field, nested and repeated ones with their path. */
static void test_strings_checked(void **state)
{
	struct fixture *f = *state;
	Xdpfleet__Test__EchoRequest echo_req = XDPFLEET__TEST__ECHO_REQUEST__INIT;
	Xdpfleet__V1__AddRulesRequest add = XDPFLEET__V1__ADD_RULES_REQUEST__INIT;
	Xdpfleet__V1__Rule r0 = XDPFLEET__V1__RULE__INIT, r1 = XDPFLEET__V1__RULE__INIT;
	Xdpfleet__V1__RuleMatch m0 = XDPFLEET__V1__RULE_MATCH__INIT, m1 = XDPFLEET__V1__RULE_MATCH__INIT;
	Xdpfleet__V1__Rule *rules[] = { &r0, &r1 };
	uint8_t buf[256];
	char msg[RPC_ERR_MAX];
	size_t len;

	echo_req.text = "abcXdef";
	len = pack_with(&echo_req.base, buf, sizeof(buf), 'X', 0);
	assert_int_equal(test_raw_call_msg(f->ts.addr, "/xdpfleet.test.Test/Echo", buf, len, msg, sizeof(msg)),
			 GRPC_STATUS_INVALID_ARGUMENT);
	assert_string_equal(msg, "text: contains a NUL byte");
	len = pack_with(&echo_req.base, buf, sizeof(buf), 'X', 0xff);
	assert_int_equal(test_raw_call_msg(f->ts.addr, "/xdpfleet.test.Test/Echo", buf, len, msg, sizeof(msg)),
			 GRPC_STATUS_INVALID_ARGUMENT);
	assert_string_equal(msg, "text: is not valid UTF-8");
	echo_req.text = "caf\xc3\xa9, fine";
	len = protobuf_c_message_get_packed_size(&echo_req.base);
	protobuf_c_message_pack(&echo_req.base, buf);
	assert_int_equal(test_raw_call_msg(f->ts.addr, "/xdpfleet.test.Test/Echo", buf, len, msg, sizeof(msg)),
			 GRPC_STATUS_OK);

	/* The agent's messages, checked by the same code without a server. */
	r0.match = &m0;
	r1.match = &m1;
	m0.src = "198.18.0.1";
	m1.src = "198.18.200.7X/8";
	r1.comment = "ok";
	add.rules = rules;
	add.n_rules = 2;
	len = pack_with(&add.base, buf, sizeof(buf), 'X', 0);
	assert_int_equal(rpc_wire_check_strings(&xdpfleet__v1__add_rules_request__descriptor, buf, len, msg, sizeof(msg)),
			 -EINVAL);
	assert_string_equal(msg, "rules[1].match.src: contains a NUL byte");
	m1.src = "198.18.200.7/8";
	r1.comment = "badXcomment";
	len = pack_with(&add.base, buf, sizeof(buf), 'X', 0);
	assert_int_equal(rpc_wire_check_strings(&xdpfleet__v1__add_rules_request__descriptor, buf, len, msg, sizeof(msg)),
			 -EINVAL);
	assert_string_equal(msg, "rules[1].comment: contains a NUL byte");
	r1.comment = "fine";
	len = protobuf_c_message_get_packed_size(&add.base);
	protobuf_c_message_pack(&add.base, buf);
	assert_int_equal(rpc_wire_check_strings(&xdpfleet__v1__add_rules_request__descriptor, buf, len, msg, sizeof(msg)),
			 0);
}

static void test_shutdown_ends_streams(void **state)
{
	struct fixture *f = *state;
	Xdpfleet__Test__CountRequest req = XDPFLEET__TEST__COUNT_REQUEST__INIT;
	ProtobufCMessage *msg;
	struct rpc_stream *s;
	struct rpc_status st;
	int ret;

	req.interval_ms = 100;
	assert_int_equal(rpc_stream_open(&s, f->ch, svc, "Count", &req.base, 0, &st), 0);
	assert_int_equal(rpc_stream_read(s, &msg, &st), 1);
	protobuf_c_message_free_unpacked(msg, NULL);
	test_server_stop(&f->ts);
	while ((ret = rpc_stream_read(s, &msg, &st)) == 1)
		protobuf_c_message_free_unpacked(msg, NULL);
	assert_int_equal(ret, -EIO);
	assert_int_equal(st.code, GRPC_STATUS_UNAVAILABLE);
	assert_string_equal(st.message, "agent shutting down");
	assert_int_equal(atomic_load(&f->ts.counters.streams_freed), 1);
	rpc_stream_close(s);
}

/* ---- TCP with mTLS ---- */

static int setup_tls(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char cert[128], key[128], ca[128];
	struct test_server_opts o = { .listen = "127.0.0.1:0", .tls_cert = cert, .tls_key = key, .tls_client_ca = ca };

	strcpy(f->dir, "/tmp/xf-rpc-tls.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	assert_int_equal(test_make_certs(f->dir), 0);
	snprintf(cert, sizeof(cert), "%s/server.pem", f->dir);
	snprintf(key, sizeof(key), "%s/server.key", f->dir);
	snprintf(ca, sizeof(ca), "%s/ca.pem", f->dir);
	assert_int_equal(test_server_start(&f->ts, &o), 0);
	*state = f;
	return 0;
}

static int tls_echo(struct fixture *f, const char *client, Xdpfleet__Test__EchoReply **reply, struct rpc_status *st)
{
	char ca[128], cert[128], key[128], err[RPC_ERR_MAX];
	struct rpc_client_opts o = { .tls_ca = ca };
	struct rpc_channel *ch;
	int ret;

	snprintf(ca, sizeof(ca), "%s/ca.pem", f->dir);
	if (client) {
		snprintf(cert, sizeof(cert), "%s/%s.pem", f->dir, client);
		snprintf(key, sizeof(key), "%s/%s.key", f->dir, client);
		o.tls_cert = cert;
		o.tls_key = key;
	}
	assert_int_equal(rpc_channel_open(&ch, f->ts.addr, &o, err, sizeof(err)), 0);
	ret = echo(ch, "tls", 0, 0, 3000, st, reply);
	rpc_channel_close(ch);
	return ret;
}

static void test_mtls(void **state)
{
	struct fixture *f = *state;
	Xdpfleet__Test__EchoReply *reply;
	struct rpc_status st;

	assert_int_equal(tls_echo(f, "client", &reply, &st), 0);
	assert_string_equal(reply->identity, "collector-1");
	assert_true(!strncmp(reply->peer, "ipv4:127.0.0.1:", 15));
	protobuf_c_message_free_unpacked(&reply->base, NULL);

	assert_int_equal(tls_echo(f, NULL, &reply, &st), -EIO);
	assert_int_equal(st.code, GRPC_STATUS_UNAVAILABLE);
	assert_int_equal(tls_echo(f, "other-client", &reply, &st), -EIO);
	assert_int_equal(st.code, GRPC_STATUS_UNAVAILABLE);
	/* A plaintext client gets nowhere either. */
	assert_int_equal(test_raw_call(f->ts.addr, "/xdpfleet.test.Test/Echo", "", 0), GRPC_STATUS_UNAVAILABLE);
	assert_int_equal(atomic_load(&f->ts.counters.echoes), 1);
}

/* ---- grpc.health.v1 ---- */

#define SERVING GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVING
#define NOT_SERVING GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__NOT_SERVING

/* The status Check answers for service, or -1 with st set when the call failed. */
static int health_check(struct rpc_channel *ch, const char *service, struct rpc_status *st)
{
	Grpc__Health__V1__HealthCheckRequest req = GRPC__HEALTH__V1__HEALTH_CHECK_REQUEST__INIT;
	ProtobufCMessage *resp;
	int status;

	req.service = (char *)service;
	if (rpc_unary(ch, &grpc__health__v1__health__descriptor, "Check", &req.base, &resp, 3000, st))
		return -1;
	status = (int)((Grpc__Health__V1__HealthCheckResponse *)resp)->status;
	protobuf_c_message_free_unpacked(resp, NULL);
	return status;
}

static int health_read(struct rpc_stream *s, struct rpc_status *st)
{
	ProtobufCMessage *msg;
	int status;

	if (rpc_stream_read(s, &msg, st) != 1)
		return -1;
	status = (int)((Grpc__Health__V1__HealthCheckResponse *)msg)->status;
	protobuf_c_message_free_unpacked(msg, NULL);
	return status;
}

/* Check for the server and the service by name, NOT_FOUND for others; Watch sends the status,
 * then each change, and ends when the server shuts down. */
static void test_health(void **state)
{
	struct fixture *f = *state;
	Grpc__Health__V1__HealthCheckRequest req = GRPC__HEALTH__V1__HEALTH_CHECK_REQUEST__INIT;
	struct rpc_stream *s;
	struct rpc_status st;
	int64_t t0;

	assert_int_equal(health_check(f->ch, "", &st), SERVING);
	assert_int_equal(health_check(f->ch, "xdpfleet.test.Test", &st), SERVING);
	assert_int_equal(health_check(f->ch, "xdpfleet.test.Other", &st), -1);
	assert_int_equal(st.code, GRPC_STATUS_NOT_FOUND);
	assert_non_null(strstr(st.message, "xdpfleet.test.Other"));

	assert_int_equal(rpc_stream_open(&s, f->ch, &grpc__health__v1__health__descriptor, "Watch", &req.base, 0, &st), 0);
	assert_int_equal(health_read(s, &st), SERVING);
	t0 = test_now_ms();
	rpc_server_set_serving(f->ts.srv, false);
	assert_int_equal(health_read(s, &st), NOT_SERVING);
	assert_true(test_now_ms() - t0 < 2000);
	assert_int_equal(health_check(f->ch, "", &st), NOT_SERVING);
	rpc_server_set_serving(f->ts.srv, true);
	assert_int_equal(health_read(s, &st), SERVING);
	test_server_stop(&f->ts);
	assert_int_equal(health_read(s, &st), -1);
	assert_int_equal(st.code, GRPC_STATUS_UNAVAILABLE);
	rpc_stream_close(s);
}

/* A client whose certificate gives it no role may check health, and nothing else. */
static void test_health_without_role(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	static const struct rpc_identity_role roles[] = { { "somebody-else", RPC_ROLE_ADMIN } };
	char cert[128], key[128], ca[128], err[RPC_ERR_MAX];
	struct test_server_opts o = { .listen = "127.0.0.1:0", .tls_cert = cert, .tls_key = key, .tls_client_ca = ca,
				      .identities = roles, .n_identities = 1 };
	struct rpc_client_opts co = { .tls_ca = ca, .tls_cert = cert, .tls_key = key };
	Xdpfleet__Test__EchoReply *reply;
	struct rpc_status st;

	*state = f;
	strcpy(f->dir, "/tmp/xf-rpc-health.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	assert_int_equal(test_make_certs(f->dir), 0);
	snprintf(cert, sizeof(cert), "%s/server.pem", f->dir);
	snprintf(key, sizeof(key), "%s/server.key", f->dir);
	snprintf(ca, sizeof(ca), "%s/ca.pem", f->dir);
	assert_int_equal(test_server_start(&f->ts, &o), 0);
	snprintf(cert, sizeof(cert), "%s/client.pem", f->dir);
	snprintf(key, sizeof(key), "%s/client.key", f->dir);
	assert_int_equal(rpc_channel_open(&f->ch, f->ts.addr, &co, err, sizeof(err)), 0);
	assert_int_equal(health_check(f->ch, "", &st), SERVING);
	assert_int_equal(echo(f->ch, "x", 0, 0, 3000, &st, &reply), -EIO);
	assert_int_equal(st.code, GRPC_STATUS_PERMISSION_DENIED);
	assert_int_equal(atomic_load(&f->ts.counters.echoes), 0);
}

/* ---- fan-out ---- */

#define FANOUT_SERVERS 18

static int count_messages(void *user, size_t host, ProtobufCMessage *msg)
{
	uint32_t *seen = user;

	seen[host] += ((Xdpfleet__Test__CountReply *)msg)->seq == seen[host] + 1;
	protobuf_c_message_free_unpacked(msg, NULL);
	return 0;
}

static void test_fanout_twenty_hosts(void **state)
{
	static struct test_server servers[FANOUT_SERVERS];
	char addrs[FANOUT_SERVERS + 2][128], dir[64] = "/tmp/xf-fanout.XXXXXX", cmd[128];
	const char *targets[FANOUT_SERVERS + 2];
	struct rpc_host_result results[FANOUT_SERVERS + 2];
	Xdpfleet__Test__EchoRequest req = XDPFLEET__TEST__ECHO_REQUEST__INIT;
	Xdpfleet__Test__CountRequest creq = XDPFLEET__TEST__COUNT_REQUEST__INIT;
	struct rpc_fanout_opts fo = { .timeout_ms = 1000, .max_inflight = 64 };
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t slen = sizeof(sin);
	uint32_t seen[FANOUT_SERVERS + 2] = { 0 };
	int blackhole, failed;
	int64_t t0, took;

	(void)state;
	assert_non_null(mkdtemp(dir));
	for (int i = 0; i < FANOUT_SERVERS; i++) {
		struct test_server_opts o = { .listen = i % 2 ? "127.0.0.1:0" : addrs[i] };

		snprintf(addrs[i], sizeof(addrs[i]), "unix:%s/s%d.sock", dir, i);
		assert_int_equal(test_server_start(&servers[i], &o), 0);
		targets[i] = servers[i].addr;
	}
	/* Host 18: nothing listens. Host 19: accepts TCP but never speaks HTTP/2 (a hung host). */
	snprintf(addrs[FANOUT_SERVERS], sizeof(addrs[0]), "unix:%s/dead.sock", dir);
	targets[FANOUT_SERVERS] = addrs[FANOUT_SERVERS];
	blackhole = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(bind(blackhole, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(listen(blackhole, 16), 0);
	getsockname(blackhole, (struct sockaddr *)&sin, &slen);
	snprintf(addrs[FANOUT_SERVERS + 1], sizeof(addrs[0]), "127.0.0.1:%d", ntohs(sin.sin_port));
	targets[FANOUT_SERVERS + 1] = addrs[FANOUT_SERVERS + 1];

	/* Each live host takes 300 ms: one after another would be 5.4 s. */
	req.text = "fan";
	req.sleep_ms = 300;
	fo.client = &(struct rpc_client_opts){ .insecure = true };
	t0 = test_now_ms();
	failed = rpc_fanout(targets, FANOUT_SERVERS + 2, svc, "Echo", &req.base, &fo, results);
	took = test_now_ms() - t0;
	assert_int_equal(failed, 2);
	for (int i = 0; i < FANOUT_SERVERS; i++) {
		assert_true(results[i].ok);
		assert_string_equal(((Xdpfleet__Test__EchoReply *)results[i].resp)->text, "fan");
	}
	assert_false(results[FANOUT_SERVERS].ok);
	assert_int_equal(results[FANOUT_SERVERS].status.code, GRPC_STATUS_UNAVAILABLE);
	assert_false(results[FANOUT_SERVERS + 1].ok);
	assert_int_equal(results[FANOUT_SERVERS + 1].status.code, GRPC_STATUS_DEADLINE_EXCEEDED);
	assert_true(took >= 950 && took < 1800);
	rpc_host_results_free(results, FANOUT_SERVERS + 2);

	/* Streams fan out too: every live host delivers 5 messages in order. */
	creq.n = 5;
	fo.stream = true;
	fo.on_message = count_messages;
	fo.user = seen;
	failed = rpc_fanout(targets, FANOUT_SERVERS, svc, "Count", &creq.base, &fo, results);
	assert_int_equal(failed, 0);
	for (int i = 0; i < FANOUT_SERVERS; i++) {
		assert_int_equal(seen[i], 5);
		assert_int_equal(results[i].messages, 5);
	}

	close(blackhole);
	for (int i = 0; i < FANOUT_SERVERS; i++)
		test_server_stop(&servers[i]);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_unary_ok_and_error, setup_unix, teardown),
		cmocka_unit_test_setup_teardown(test_unimplemented_and_unknown, setup_unix, teardown),
		cmocka_unit_test_setup_teardown(test_deadline_exceeded, setup_unix, teardown),
		cmocka_unit_test_setup_teardown(test_stream_in_order, setup_unix, teardown),
		cmocka_unit_test_setup_teardown(test_stream_limit, setup_unix, teardown),
		cmocka_unit_test_setup_teardown(test_stalled_subscriber_skips, setup_unix, teardown),
		cmocka_unit_test_setup_teardown(test_cancel_noticed_within_a_tick, setup_unix, teardown),
		cmocka_unit_test_setup_teardown(test_fifty_concurrent_clients, setup_unix, teardown),
		cmocka_unit_test_setup_teardown(test_oversized_refused, setup_unix, teardown),
		cmocka_unit_test_setup_teardown(test_malformed_payloads, setup_unix, teardown),
		cmocka_unit_test_setup_teardown(test_strings_checked, setup_unix, teardown),
		cmocka_unit_test_setup_teardown(test_shutdown_ends_streams, setup_unix, teardown),
		cmocka_unit_test_setup_teardown(test_mtls, setup_tls, teardown),
		cmocka_unit_test_setup_teardown(test_health, setup_unix, teardown),
		cmocka_unit_test_teardown(test_health_without_role, teardown),
		cmocka_unit_test(test_fanout_twenty_hosts),
	};
	int ret;

	rpc_global_init();
	ret = cmocka_run_group_tests_name("rpc", tests, NULL, NULL);
	rpc_global_shutdown();
	return ret;
}
