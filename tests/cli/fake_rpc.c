// SPDX-License-Identifier: GPL-2.0-only
/* A fake transport for the CLI in place of rpc_fanout (see fake_rpc.h). Messages are packed and unpacked so the CLI
 * gets heap copies it must free exactly as it would real answers (ASan/valgrind check that). */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_rpc.h"
#include "xdpfleet/v1/agent.pb-c.h"
#include "array_size.h"

struct fake_rpc_record fake_rpc_last;
struct fake_rpc_record fake_rpc_calls[FAKE_RPC_MAX_CALLS];
static pthread_mutex_t fake_lock = PTHREAD_MUTEX_INITIALIZER;
static const struct fake_host *fake_hosts;
static size_t fake_n;
/* Per host: calls it was in, messages it streamed so far (over all calls). */
static int fake_host_calls[FAKE_RPC_MAX_TARGETS];
static size_t fake_host_sent[FAKE_RPC_MAX_TARGETS];
static char fake_host_seen[FAKE_RPC_MAX_TARGETS][128];
static bool fake_host_broke[FAKE_RPC_MAX_TARGETS]; /* its last call failed mid-stream */
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
	for (int i = 0; i < FAKE_RPC_MAX_CALLS; i++)
		if (fake_rpc_calls[i].req)
			protobuf_c_message_free_unpacked(fake_rpc_calls[i].req, NULL);
	if (fake_rpc_last.req)
		protobuf_c_message_free_unpacked(fake_rpc_last.req, NULL);
	memset(fake_rpc_calls, 0, sizeof(fake_rpc_calls));
	memset(&fake_rpc_last, 0, sizeof(fake_rpc_last));
	memset(fake_host_calls, 0, sizeof(fake_host_calls));
	memset(fake_host_sent, 0, sizeof(fake_host_sent));
	memset(fake_host_seen, 0, sizeof(fake_host_seen));
	memset(fake_host_broke, 0, sizeof(fake_host_broke));
	fake_order = NULL;
	fake_n_order = 0;
	fake_cancel_after = 0;
}

const struct fake_rpc_record *fake_rpc_call_with(const char *t)
{
	for (int i = 0; i < fake_rpc_last.calls && i < FAKE_RPC_MAX_CALLS; i++)
		for (size_t k = 0; k < fake_rpc_calls[i].n_targets && k < FAKE_RPC_MAX_TARGETS; k++)
			if (!strcmp(fake_rpc_calls[i].targets[k], t))
				return &fake_rpc_calls[i];
	return NULL;
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

/* The fake host answering target i of a call: the one named so, the one that answered this
 * target before (a later call may have fewer targets), or the i-th. */
static long fake_host_of(const char *const *targets, size_t i)
{
	size_t k;

	for (k = 0; k < fake_n; k++)
		if ((fake_hosts[k].target && !strcmp(fake_hosts[k].target, targets[i])) ||
		    !strcmp(fake_host_seen[k], targets[i]))
			return (long)k;
	if (i >= fake_n || fake_hosts[i].target)
		return -1;
	snprintf(fake_host_seen[i], sizeof(fake_host_seen[i]), "%s", targets[i]);
	return (long)i;
}

static void fake_record(const char *const *targets, size_t n, const char *method,
			const ProtobufCMessage *req, const struct rpc_fanout_opts *opts)
{
	struct fake_rpc_record *r = &fake_rpc_last;
	int slot = fake_rpc_last.calls++;

	snprintf(r->method, sizeof(r->method), "%s", method);
	r->n_targets = n;
	for (size_t i = 0; i < n && i < FAKE_RPC_MAX_TARGETS; i++)
		snprintf(r->targets[i], sizeof(r->targets[i]), "%s", targets[i]);
	r->opts = *opts;
	snprintf(r->server_name, sizeof(r->server_name), "%s",
		 opts->client && opts->client->server_name ? opts->client->server_name : "");
	r->insecure = opts->client && opts->client->insecure;
	if (slot < FAKE_RPC_MAX_CALLS) {
		fake_rpc_calls[slot] = *r;
		fake_rpc_calls[slot].req = fake_copy(req);
	}
	if (r->req)
		protobuf_c_message_free_unpacked(r->req, NULL);
	r->req = fake_copy(req);
}

/* This call's outcome for host k: failing (and how many messages it may stream) or not. */
static bool fake_failing(size_t k, size_t *limit)
{
	const struct fake_host *h = &fake_hosts[k];
	bool fail = h->fail && (!h->fail_calls || fake_host_calls[k] <= h->fail_calls);

	*limit = h->n_stream;
	if (fail && h->fail_calls && fake_host_sent[k] + h->break_after < h->n_stream)
		*limit = fake_host_sent[k] + h->break_after;
	return fail;
}

static int fake_rpc_fanout(const char *const *targets, size_t n, const ProtobufCServiceDescriptor *svc,
			   const char *method, const ProtobufCMessage *req, const struct rpc_fanout_opts *opts,
			   struct rpc_host_result *results)
{
	size_t i, j, most = 0, failed = 0, delivered = 0, limit[FAKE_RPC_MAX_TARGETS];
	long host[FAKE_RPC_MAX_TARGETS];
	bool stopped[FAKE_RPC_MAX_TARGETS] = { 0 };
	const struct fake_host *h;
	int ret = 0;

	pthread_mutex_lock(&fake_lock);
	fake_record(targets, n, method, req, opts);
	if ((svc != &xdpfleet__v1__agent__descriptor && strcmp(svc->name, "xdpfleet.v1.Agent")) ||
	    n > FAKE_RPC_MAX_TARGETS) {
		ret = -EINVAL;
		goto out;
	}
	for (i = 0; i < n; i++) {
		host[i] = fake_host_of(targets, i);
		if (host[i] < 0) {
			ret = -EINVAL;
			goto out;
		}
	}
	for (i = 0; i < n; i++) {
		h = &fake_hosts[host[i]];
		fake_host_calls[host[i]]++;
		/* A stream starts over, unless its previous call broke off: that one resumes. */
		if (!fake_host_broke[host[i]])
			fake_host_sent[host[i]] = 0;
		memset(&results[i], 0, sizeof(results[i]));
		results[i].ok = !fake_failing(host[i], &limit[i]);
		results[i].status.code = results[i].ok ? GRPC_STATUS_OK : h->code;
		snprintf(results[i].status.message, sizeof(results[i].status.message), "%s",
			 !results[i].ok && h->message ? h->message : "");
		if (!opts->stream && results[i].ok && h->resp)
			results[i].resp = fake_copy(h->resp);
		if (h->n_stream > most)
			most = h->n_stream;
	}
	/* Streams: in the given order, or round robin (message j of every host before message
	 * j+1 of any), each host from where its previous call stopped. */
	for (j = 0; opts->stream && j < (fake_order ? fake_n_order : most * n); j++) {
		i = fake_order ? fake_order[j] : j % n;
		if (i >= n || stopped[i] || fake_host_sent[host[i]] >= limit[i])
			continue;
		h = &fake_hosts[host[i]];
		if (fake_cancel_after && delivered == fake_cancel_after && opts->cancel)
			*opts->cancel = 1;
		if (opts->cancel && *opts->cancel)
			break;
		results[i].messages++;
		if (opts->on_message(opts->user, i, fake_copy(h->stream[fake_host_sent[host[i]]++]))) {
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
		fake_host_broke[host[i]] = !results[i].ok && fake_hosts[host[i]].fail_calls;
		if (opts->on_done)
			opts->on_done(opts->user, i, &results[i]);
	}
	ret = (int)failed;
out:
	pthread_mutex_unlock(&fake_lock);
	return ret;
}

int fake_rpc_setup(void **state)
{
	static const char *const vars[] = {
		"XDPFLEET_HOSTS", "XDPFLEET_HOSTS_FILE", "XDPFLEET_SELECTOR", "XDPFLEET_TLS_CA",
		"XDPFLEET_TLS_CERT", "XDPFLEET_TLS_KEY", "XDPFLEET_TLS_SERVER_NAME",
		"XDPFLEET_INSECURE", "XDPFLEET_TIMEOUT", "XDPFLEET_PARALLEL", "XDPFLEET_OUTPUT",
		"XDPFLEET_NO_HEADERS", "XDPFLEET_CONFIG", "XDG_CONFIG_HOME",
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(vars); i++)
		unsetenv(vars[i]);
	setenv("HOME", "/nonexistent/home", 1);
	fake_rpc_reset();
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
