// SPDX-License-Identifier: GPL-2.0-only
/* Sampled capture in the filter program: after the verdict is known, copies the first bytes of
 * packets a capture session asks for into a ring buffer the agent drains, rate-limited per CPU. */
#ifndef XDPFLEET_CAPTURE_BPF_H
#define XDPFLEET_CAPTURE_BPF_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "xdpfleet_abi.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, 1);
} capture_gate SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, struct capture_cfg);
	__uint(max_entries, CAPTURE_SESSIONS_MAX);
} capture_cfg SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct capture_cpu);
	__uint(max_entries, CAPTURE_SESSIONS_MAX);
} capture_cpu SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct capture_scratch);
	__uint(max_entries, 1);
} capture_scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, CAPTURE_RING_BYTES);
} capture_ring SEC(".maps");

/* Whether the session's bucket has a record left; refills by the ns like the rule engine's. */
static __always_inline int capture_take_token(struct capture_cpu *c, const struct capture_cfg *cfg)
{
	__u64 now = bpf_ktime_get_ns(), full = cfg->burst * 1000000000ull, dt = now - c->last_ns;

	/* A second idle refills any bucket (burst <= rate): also keeps dt * rate from overflowing. */
	if (dt >= 1000000000ull || c->tokens > full)
		c->tokens = full;
	else
		c->tokens += dt * cfg->rate_pps;
	if (c->tokens > full)
		c->tokens = full;
	c->last_ns = now;
	if (c->tokens < 1000000000ull)
		return 0;
	c->tokens -= 1000000000ull;
	return 1;
}

/* Called once per packet with what the filter decided (verdict, winning rule's slot). */
static __always_inline void capture_packet(struct xdp_md *ctx, __u32 verdict, __u32 rule_slot)
{
	struct capture_scratch *s;
	struct capture_cfg *cfg;
	struct capture_cpu *c;
	__u32 zero = 0, ifindex, len, orig, *on;
	__u64 n;

	on = bpf_map_lookup_elem(&capture_gate, &zero);
	if (!on || !*on)
		return;
	ifindex = ctx->ingress_ifindex;
	cfg = bpf_map_lookup_elem(&capture_cfg, &ifindex);
	if (!cfg)
		return;
	if (cfg->verdict != CAPTURE_VERDICT_ANY && cfg->verdict != verdict)
		return;
	if ((cfg->flags & CAPTURE_F_RULE) && cfg->rule_slot != rule_slot)
		return;
	zero = cfg->session;
	c = bpf_map_lookup_elem(&capture_cpu, &zero);
	if (!c)
		return;
	c->matched++;
	if (cfg->sample > 1 && c->matched % cfg->sample)
		return;
	c->sampled++;
	if (!capture_take_token(c, cfg)) {
		c->over_limit++;
		return;
	}
	zero = 0;
	s = bpf_map_lookup_elem(&capture_scratch, &zero);
	if (!s)
		return;
	orig = bpf_xdp_get_buff_len(ctx);
	len = cfg->snaplen < orig ? cfg->snaplen : orig;
	if (len < 1)
		return;
	/* 1..CAPTURE_SNAPLEN_MAX, bounded in the register the helpers get: clang would otherwise
	 * test a copy and hand the helper a register the verifier knows nothing about. */
	n = len - 1;
	asm volatile("%[n] &= %[m]; %[n] += 1" : [n] "+r"(n) : [m] "i"(CAPTURE_SNAPLEN_MAX - 1));
	if (bpf_xdp_load_bytes(ctx, 0, s->data, n))
		return;
	s->rec.ts_ns = bpf_ktime_get_ns();
	s->rec.ifindex = ifindex;
	s->rec.session = cfg->session;
	s->rec.orig_len = orig;
	s->rec.cap_len = n;
	s->rec.verdict = verdict;
	s->rec.rule_slot = rule_slot;
	/* No wakeup: the agent drains the ring on its stream ticks, not by epoll. */
	if (bpf_ringbuf_output(&capture_ring, s, sizeof(s->rec) + n, BPF_RB_NO_WAKEUP)) {
		c->ring_full++;
		return;
	}
	c->sent++;
}

#endif
