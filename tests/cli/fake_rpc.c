/* A fake transport for the CLI in place of rpc_fanout (see fake_rpc.h). Messages are packed and unpacked so the CLI
 * gets heap copies it must free exactly as it would real answers (ASan/valgrind check that). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_rpc.h"
#include "xdpfleet/v1/agent.pb-c.h"

struct fake_rpc_record fake_rpc_last;
static const struct fake_host *fake_hosts;
static size_t fake_n;
static const size_t *fake_order;
static size_t fake_n_order, fake_cancel_after;

void fake_rpc_set_order(const size_t *order, size_t n, size_t cancel_after)
{
	fake_order = order;
	fake_n_order = n;
	fake_cancel_after = cancel_after;
}

void fake_rpc_set(const struct fake_host *hosts, size_t n)
{
	fake_rpc_reset();
	fake_hosts = hosts;
	fake_n = n;
}

void fake_rpc_reset(void)
{
	if (fake_rpc_last.req)
		protobuf_c_message_free_unpacked(fake_rpc_last.req, NULL);
	memset(&fake_rpc_last, 0, sizeof(fake_rpc_last));
	fake_order = NULL;
	fake_n_order = 0;
	fake_cancel_after = 0;
}

static ProtobufCMessage *fake_copy(const ProtobufCMessage *m)
{
	size_t len = protobuf_c_message_get_packed_size(m);
	uint8_t *buf = malloc(len ? len : 1);
	ProtobufCMessage *copy;

	if (!buf)
		return NULL;
	protobuf_c_message_pack(m, buf);
	copy = protobuf_c_message_unpack(m->descriptor, NULL, len, buf);
	free(buf);
	return copy;
}

static void fake_result(struct rpc_host_result *r, const struct fake_host *h)
{
	r->ok = !h->fail;
	r->status.code = h->fail ? h->code : GRPC_STATUS_OK;
	snprintf(r->status.message, sizeof(r->status.message), "%s", h->message ? h->message : "");
}

static int fake_rpc_fanout(const char *const *targets, size_t n, const ProtobufCServiceDescriptor *svc,
			   const char *method, const ProtobufCMessage *req, const struct rpc_fanout_opts *opts,
			   struct rpc_host_result *results)
{
	size_t i, j, most = 0, failed = 0, delivered = 0;
	bool *stopped;

	fake_rpc_last.calls++;
	snprintf(fake_rpc_last.method, sizeof(fake_rpc_last.method), "%s", method);
	fake_rpc_last.n_targets = n;
	for (i = 0; i < n && i < 16; i++)
		snprintf(fake_rpc_last.targets[i], sizeof(fake_rpc_last.targets[i]), "%s",
			 targets[i]);
	fake_rpc_last.opts = *opts;
	if (fake_rpc_last.req)
		protobuf_c_message_free_unpacked(fake_rpc_last.req, NULL);
	fake_rpc_last.req = fake_copy(req);
	if (svc != &xdpfleet__v1__agent__descriptor && strcmp(svc->name, "xdpfleet.v1.Agent"))
		return -EINVAL;
	if (n > fake_n)
		return -EINVAL;
	stopped = calloc(n ? n : 1, sizeof(*stopped));
	if (!stopped)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		memset(&results[i], 0, sizeof(results[i]));
		fake_result(&results[i], &fake_hosts[i]);
		if (!opts->stream && results[i].ok && fake_hosts[i].resp)
			results[i].resp = fake_copy(fake_hosts[i].resp);
		if (fake_hosts[i].n_stream > most)
			most = fake_hosts[i].n_stream;
	}
	/* Streams: in the given order, or round robin (message j of every host before message
	 * j+1 of any). */
	for (j = 0; opts->stream && j < (fake_order ? fake_n_order : most * n); j++) {
		i = fake_order ? fake_order[j] : j % n;
		if (i >= n || stopped[i] || results[i].messages >= fake_hosts[i].n_stream)
			continue;
		if (fake_cancel_after && delivered == fake_cancel_after && opts->cancel)
			*opts->cancel = 1;
		if (opts->cancel && *opts->cancel)
			break;
		if (opts->on_message(opts->user, i,
				     fake_copy(fake_hosts[i].stream[results[i].messages++]))) {
			fake_rpc_last.cancelled_host_calls++;
			stopped[i] = true;
		}
		delivered++;
	}
	for (i = 0; i < n; i++) {
		if (opts->cancel && *opts->cancel && results[i].ok) {
			results[i].ok = false;
			results[i].status.code = GRPC_STATUS_CANCELLED;
		}
		failed += !results[i].ok;
	}
	free(stopped);
	return (int)failed;
}

int fake_rpc_setup(void **state)
{
	(void)state;
	unsetenv("XDPFLEET_HOSTS");
	return 0;
}

int fake_rpc_teardown(void **state)
{
	(void)state;
	fake_rpc_reset();
	return 0;
}

const struct fake_host fake_rpc_dead = {
	.fail = true,
	.code = GRPC_STATUS_UNAVAILABLE,
	.message = "failed to connect to all addresses",
};

/* The CLI of every test linking this file talks to the fake. */
const rpc_fanout_fn harness_fanout = fake_rpc_fanout;
