// SPDX-License-Identifier: GPL-2.0-only
/* Capture sessions over the shared maps: the gate counts active sessions so that a filter with
 * no capture pays one array lookup, the ring is drained into per-session queues. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "capture.h"

struct capture_session {
	bool used;
	unsigned int ifindex;
	struct capture_pkt **queue; /* ring of CAPTURE_QUEUE_MAX */
	size_t head, len;
	uint64_t queue_full;
};

struct capture {
	struct capture_maps maps;
	struct ring_buffer *ring;
	struct capture_session s[CAPTURE_SESSIONS_MAX];
	uint32_t active;
	int ncpus;
};

static int set_gate(struct capture *c, uint32_t active)
{
	__u32 zero = 0;

	return bpf_map_update_elem(c->maps.fd[CAPTURE_M_GATE], &zero, &active, BPF_ANY) ? -errno : 0;
}

static int on_record(void *ctx, void *data, size_t size)
{
	struct capture *c = ctx;
	const struct capture_rec *rec = data;
	struct capture_session *s;
	struct capture_pkt *p;

	if (size < sizeof(*rec) || rec->session >= CAPTURE_SESSIONS_MAX || rec->cap_len > size - sizeof(*rec))
		return 0;
	s = &c->s[rec->session];
	/* Records of a session that ended (or of an earlier one in its place) are dropped. */
	if (!s->used || s->ifindex != rec->ifindex)
		return 0;
	if (s->len == CAPTURE_QUEUE_MAX) {
		s->queue_full++;
		return 0;
	}
	p = malloc(sizeof(*p) + rec->cap_len);
	if (!p) {
		s->queue_full++;
		return 0;
	}
	memcpy(p, rec, sizeof(*rec) + rec->cap_len);
	s->queue[(s->head + s->len++) % CAPTURE_QUEUE_MAX] = p;
	return 0;
}

int capture_open(struct capture **out, char *err, size_t errlen)
{
	struct capture *c = calloc(1, sizeof(*c));
	int ret;

	*out = NULL;
	if (!c)
		return -ENOMEM;
	ret = capture_maps_open(&c->maps, err, errlen);
	if (ret) {
		free(c);
		return ret;
	}
	c->ncpus = libbpf_num_possible_cpus();
	c->ring = ring_buffer__new(c->maps.fd[CAPTURE_M_RING], on_record, c, NULL);
	if (c->ncpus <= 0 || !c->ring) {
		ret = c->ncpus <= 0 ? c->ncpus : -errno;
		snprintf(err, errlen, "cannot open the capture ring: %s", strerror(-ret));
		goto out;
	}
	ret = set_gate(c, 0);
out:
	if (ret)
		capture_close(c);
	else
		*out = c;
	return ret;
}

static void session_clear(struct capture_session *s)
{
	for (size_t i = 0; i < s->len; i++)
		free(s->queue[(s->head + i) % CAPTURE_QUEUE_MAX]);
	free(s->queue);
	memset(s, 0, sizeof(*s));
}

void capture_close(struct capture *c)
{
	if (!c)
		return;
	for (int i = 0; i < CAPTURE_SESSIONS_MAX; i++)
		if (c->s[i].used)
			capture_stop(c, i);
	ring_buffer__free(c->ring);
	capture_maps_close(&c->maps);
	free(c);
}

const struct capture_maps *capture_get_maps(const struct capture *c)
{
	return &c->maps;
}

/* Fresh per-CPU state: a full bucket and zero counts. */
static int reset_cpu(struct capture *c, int session, uint64_t burst)
{
	struct capture_cpu *v = calloc(c->ncpus, sizeof(*v));
	__u32 key = session;
	int ret;

	if (!v)
		return -ENOMEM;
	for (int i = 0; i < c->ncpus; i++)
		v[i].tokens = burst * 1000000000ull;
	ret = bpf_map_update_elem(c->maps.fd[CAPTURE_M_CPU], &key, v, BPF_ANY) ? -errno : 0;
	free(v);
	return ret;
}

int capture_start(struct capture *c, const struct capture_req *req, int *session)
{
	struct capture_cfg cfg = { 0 };
	struct capture_session *s = NULL;
	__u32 key = req->ifindex;
	int ret, id = -1;

	for (int i = 0; i < CAPTURE_SESSIONS_MAX; i++) {
		if (c->s[i].used && c->s[i].ifindex == req->ifindex)
			return -EBUSY;
		if (!c->s[i].used && id < 0)
			id = i;
	}
	if (id < 0)
		return -ENOSPC;
	s = &c->s[id];
	s->queue = calloc(CAPTURE_QUEUE_MAX, sizeof(*s->queue));
	if (!s->queue)
		return -ENOMEM;
	cfg.session = id;
	cfg.verdict = req->verdict;
	cfg.flags = req->by_rule ? CAPTURE_F_RULE : 0;
	cfg.rule_slot = req->rule_slot;
	cfg.sample = req->sample ? req->sample : 1;
	cfg.snaplen = req->snaplen;
	/* Each CPU gets its share of the cap (at least one a second), so the sum stays within it
	 * without atomics in the data plane. */
	cfg.rate_pps = req->max_pps / c->ncpus ? req->max_pps / c->ncpus : 1;
	cfg.burst = cfg.rate_pps;
	ret = reset_cpu(c, id, cfg.burst);
	if (!ret && bpf_map_update_elem(c->maps.fd[CAPTURE_M_CFG], &key, &cfg, BPF_NOEXIST))
		ret = -errno;
	if (!ret) {
		ret = set_gate(c, c->active + 1);
		if (ret)
			bpf_map_delete_elem(c->maps.fd[CAPTURE_M_CFG], &key);
	}
	if (ret) {
		free(s->queue);
		s->queue = NULL;
		return ret;
	}
	c->active++;
	s->used = true;
	s->ifindex = req->ifindex;
	*session = id;
	return 0;
}

void capture_stop(struct capture *c, int session)
{
	struct capture_session *s;
	__u32 key;

	if (session < 0 || session >= CAPTURE_SESSIONS_MAX || !c->s[session].used)
		return;
	s = &c->s[session];
	key = s->ifindex;
	bpf_map_delete_elem(c->maps.fd[CAPTURE_M_CFG], &key);
	/* Records already in the ring go to this session's queue and die with it, not to a later
	 * session that gets its id. */
	ring_buffer__consume(c->ring);
	c->active--;
	set_gate(c, c->active);
	session_clear(s);
}

void capture_poll(struct capture *c)
{
	ring_buffer__consume(c->ring);
}

size_t capture_take(struct capture *c, int session, struct capture_pkt **out, size_t max)
{
	struct capture_session *s = &c->s[session];
	size_t n = 0;

	while (n < max && s->len) {
		out[n++] = s->queue[s->head];
		s->head = (s->head + 1) % CAPTURE_QUEUE_MAX;
		s->len--;
	}
	return n;
}

int capture_counts(struct capture *c, int session, struct capture_counts *out)
{
	struct capture_cpu *v = calloc(c->ncpus, sizeof(*v));
	__u32 key = session;
	int ret = 0;

	memset(out, 0, sizeof(*out));
	if (!v)
		return -ENOMEM;
	if (bpf_map_lookup_elem(c->maps.fd[CAPTURE_M_CPU], &key, v)) {
		ret = -errno;
		goto out;
	}
	for (int i = 0; i < c->ncpus; i++) {
		out->matched += v[i].matched;
		out->sampled += v[i].sampled;
		out->over_limit += v[i].over_limit;
		out->ring_full += v[i].ring_full;
		out->sent += v[i].sent;
	}
	out->queue_full = c->s[session].queue_full;
out:
	free(v);
	return ret;
}
