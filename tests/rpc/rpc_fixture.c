// SPDX-License-Identifier: GPL-2.0-only
/* Test fixture for the RPC layer (see rpc_fixture.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <grpc/support/time.h>

#include "rpc_fixture.h"

static grpc_status_code echo(struct rpc_call *call, const ProtobufCMessage *req, ProtobufCMessage *resp)
{
	const Xdpfleet__Test__EchoRequest *in = (const Xdpfleet__Test__EchoRequest *)req;
	Xdpfleet__Test__EchoReply *out = (Xdpfleet__Test__EchoReply *)resp;
	struct test_counters *counters = rpc_call_data(call);

	atomic_fetch_add(&counters->echoes, 1);
	if (in->sleep_ms)
		usleep(in->sleep_ms * 1000);
	if (in->fail_code)
		return rpc_call_fail(call, in->fail_code, "echo: asked to fail with '%s'", in->text);
	out->text = rpc_call_strdup(call, in->text);
	out->peer = rpc_call_strdup(call, rpc_call_peer(call));
	out->identity = rpc_call_strdup(call, rpc_call_identity(call) ? rpc_call_identity(call) : "");
	return GRPC_STATUS_OK;
}

struct count_state {
	uint32_t seq, n, pad;
	struct test_counters *counters;
};

static void count_free(void *p)
{
	struct count_state *st = p;

	atomic_fetch_add(&st->counters->streams_freed, 1);
	free(st);
}

static grpc_status_code count_open(struct rpc_call *call, const ProtobufCMessage *req)
{
	const Xdpfleet__Test__CountRequest *in = (const Xdpfleet__Test__CountRequest *)req;
	struct count_state *st = calloc(1, sizeof(*st));

	if (!st)
		return rpc_call_fail(call, GRPC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
	st->n = in->n;
	st->pad = in->pad_bytes;
	st->counters = rpc_call_data(call);
	atomic_fetch_add(&st->counters->streams_opened, 1);
	rpc_call_set_state(call, st, count_free);
	rpc_call_set_interval(call, in->interval_ms);
	return GRPC_STATUS_OK;
}

static enum rpc_stream_step count_next(struct rpc_call *call, ProtobufCMessage *resp)
{
	struct count_state *st = rpc_call_state(call);
	Xdpfleet__Test__CountReply *out = (Xdpfleet__Test__CountReply *)resp;

	out->seq = ++st->seq;
	out->skipped = rpc_call_skipped(call);
	if (st->pad) {
		out->pad.data = rpc_call_alloc(call, st->pad);
		out->pad.len = out->pad.data ? st->pad : 0;
	}
	return st->n && st->seq == st->n ? RPC_STREAM_LAST : RPC_STREAM_MORE;
}

static const struct rpc_method_impl test_methods[] = {
	{ .name = "Echo", .unary = echo },
	{ .name = "Count", .open = count_open, .next = count_next },
};

static void *serve(void *arg)
{
	rpc_server_run(arg);
	return NULL;
}

int test_server_start(struct test_server *ts, const struct test_server_opts *opts)
{
	struct rpc_listener l = {
		.addr = opts->listen,
		.tls_cert = opts->tls_cert,
		.tls_key = opts->tls_key,
		.tls_client_ca = opts->tls_client_ca,
		.insecure = !opts->tls_cert,
		.unix_mode = opts->unix_mode,
		.unix_uid = (uid_t)-1,
		.unix_gid = (gid_t)-1,
	};
	struct rpc_service svc = {
		.desc = &xdpfleet__test__test__descriptor,
		.methods = test_methods,
		.n_methods = 2,
		.data = &ts->counters,
	};
	struct rpc_server_opts so = {
		.listeners = &l,
		.n_listeners = 1,
		.max_message_bytes = opts->max_message_bytes,
		.shutdown_grace_ms = 500,
		.max_streams = opts->max_streams,
		.max_streams_per_peer = opts->max_streams_per_peer,
		.identities = opts->identities,
		.n_identities = opts->n_identities,
	};
	char err[RPC_ERR_MAX];
	int ret;

	memset(ts, 0, sizeof(*ts));
	ret = rpc_server_create(&ts->srv, &svc, &so, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "test server: %s\n", err);
		return ret;
	}
	if (!strncmp(opts->listen, "unix:", 5))
		snprintf(ts->addr, sizeof(ts->addr), "%s", opts->listen);
	else
		snprintf(ts->addr, sizeof(ts->addr), "127.0.0.1:%d", rpc_server_port(ts->srv, 0));
	return -pthread_create(&ts->thread, NULL, serve, ts->srv);
}

void test_server_stop(struct test_server *ts)
{
	rpc_server_stop(ts->srv);
	pthread_join(ts->thread, NULL);
	rpc_server_destroy(ts->srv);
	ts->srv = NULL;
}

static int run(const char *cmd)
{
	int ret = system(cmd);

	if (ret)
		fprintf(stderr, "failed (%d): %s\n", ret, cmd);
	return ret ? -EIO : 0;
}

int test_make_certs(const char *dir)
{
	char cmd[4096];

	snprintf(cmd, sizeof(cmd),
		 "set -e; cd '%s';"
		 "q() { \"$@\" >/dev/null 2>&1; };"
		 "mkca() { q openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2"
		 "  -subj \"/CN=$1\" -keyout $1.key -out $1.pem; };"
		 "mkcert() { q openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj \"/CN=$3\""
		 "  -keyout $1.key -out $1.csr;"
		 "  printf 'subjectAltName=%%s\\nextendedKeyUsage=serverAuth,clientAuth\\n' \"$4\" > $1.ext;"
		 "  q openssl x509 -req -in $1.csr -CA $2.pem -CAkey $2.key -CAcreateserial -days 2"
		 "  -extfile $1.ext -out $1.pem; };"
		 "mkca ca; mkca other-ca;"
		 "mkcert server ca localhost 'DNS:localhost,IP:127.0.0.1';"
		 "mkcert client ca collector-1 'DNS:collector-1';"
		 "mkcert other-client other-ca intruder 'DNS:intruder'",
		 dir);
	return run(cmd);
}

grpc_status_code test_raw_call(const char *target, const char *path, const void *data, size_t len)
{
	return test_raw_call_msg(target, path, data, len, NULL, 0);
}

grpc_status_code test_raw_call_msg(const char *target, const char *path, const void *data, size_t len, char *msg,
				   size_t msglen)
{
	grpc_channel_credentials *creds = grpc_insecure_credentials_create();
	grpc_channel *ch = grpc_channel_create(target, creds, NULL);
	grpc_completion_queue *cq = grpc_completion_queue_create_for_next(NULL);
	grpc_slice payload = grpc_slice_from_copied_buffer(data, len);
	grpc_byte_buffer *send = grpc_raw_byte_buffer_create(&payload, 1), *recv = NULL;
	grpc_status_code code = GRPC_STATUS_UNKNOWN;
	grpc_slice details = grpc_empty_slice();
	grpc_metadata_array md, trailers;
	grpc_op ops[6] = { 0 };
	grpc_call *call;
	grpc_event ev;

	grpc_metadata_array_init(&md);
	grpc_metadata_array_init(&trailers);
	call = grpc_channel_create_call(ch, NULL, GRPC_PROPAGATE_DEFAULTS, cq, grpc_slice_from_static_string(path),
					NULL, gpr_time_add(gpr_now(GPR_CLOCK_MONOTONIC),
							   gpr_time_from_millis(5000, GPR_TIMESPAN)), NULL);
	ops[0].op = GRPC_OP_SEND_INITIAL_METADATA;
	ops[1].op = GRPC_OP_SEND_MESSAGE;
	ops[1].data.send_message.send_message = send;
	ops[2].op = GRPC_OP_SEND_CLOSE_FROM_CLIENT;
	ops[3].op = GRPC_OP_RECV_INITIAL_METADATA;
	ops[3].data.recv_initial_metadata.recv_initial_metadata = &md;
	ops[4].op = GRPC_OP_RECV_MESSAGE;
	ops[4].data.recv_message.recv_message = &recv;
	ops[5].op = GRPC_OP_RECV_STATUS_ON_CLIENT;
	ops[5].data.recv_status_on_client.trailing_metadata = &trailers;
	ops[5].data.recv_status_on_client.status = &code;
	ops[5].data.recv_status_on_client.status_details = &details;
	grpc_call_start_batch(call, ops, 6, ops, NULL);
	do
		ev = grpc_completion_queue_next(cq, gpr_inf_future(GPR_CLOCK_MONOTONIC), NULL);
	while (ev.type != GRPC_OP_COMPLETE);
	grpc_call_unref(call);
	if (msg)
		snprintf(msg, msglen, "%.*s", (int)GRPC_SLICE_LENGTH(details), (const char *)GRPC_SLICE_START_PTR(details));
	if (recv)
		grpc_byte_buffer_destroy(recv);
	grpc_byte_buffer_destroy(send);
	grpc_slice_unref(payload);
	grpc_slice_unref(details);
	grpc_metadata_array_destroy(&md);
	grpc_metadata_array_destroy(&trailers);
	grpc_completion_queue_shutdown(cq);
	while (grpc_completion_queue_next(cq, gpr_inf_future(GPR_CLOCK_MONOTONIC), NULL).type != GRPC_QUEUE_SHUTDOWN)
		;
	grpc_completion_queue_destroy(cq);
	grpc_channel_destroy(ch);
	grpc_channel_credentials_release(creds);
	return code;
}

int64_t test_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
