// SPDX-License-Identifier: GPL-2.0-only
/* Jiffies <-> CLOCK_MONOTONIC. Both advance with the kernel tick, so one joint sample and HZ
 * give the mapping; the sample comes from a ten-instruction XDP program run with
 * BPF_PROG_TEST_RUN, which writes both clocks into the frame it returns. */
#include "rules_clock.h"

#include <bpf/bpf.h>
#include <errno.h>
#include <linux/bpf.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "array_size.h"

#define INSN(c, d, s, o, i) ((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })

static int sample(int prog_fd, uint64_t *j, uint64_t *ns)
{
	uint8_t in[64] = { 0 }, out[64];
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = in, .data_size_in = sizeof(in), .data_out = out,
		    .data_size_out = sizeof(out), .repeat = 1);
	int err = bpf_prog_test_run_opts(prog_fd, &o);

	if (err)
		return err;
	memcpy(j, out, 8);
	memcpy(ns, out + 8, 8);
	return 0;
}

static int load_probe(void)
{
	const struct bpf_insn insns[] = {
		INSN(BPF_ALU64 | BPF_MOV | BPF_X, 6, 1, 0, 0),		/* r6 = ctx */
		INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_jiffies64),
		INSN(BPF_ALU64 | BPF_MOV | BPF_X, 7, 0, 0, 0),
		INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_ktime_get_coarse_ns),
		INSN(BPF_ALU64 | BPF_MOV | BPF_X, 8, 0, 0, 0),
		INSN(BPF_LDX | BPF_MEM | BPF_W, 2, 6, 0, 0),		/* r2 = ctx->data */
		INSN(BPF_LDX | BPF_MEM | BPF_W, 3, 6, 4, 0),		/* r3 = ctx->data_end */
		INSN(BPF_ALU64 | BPF_MOV | BPF_X, 4, 2, 0, 0),
		INSN(BPF_ALU64 | BPF_ADD | BPF_K, 4, 0, 0, 16),
		INSN(BPF_JMP | BPF_JGT | BPF_X, 4, 3, 2, 0),
		INSN(BPF_STX | BPF_MEM | BPF_DW, 2, 7, 0, 0),
		INSN(BPF_STX | BPF_MEM | BPF_DW, 2, 8, 8, 0),
		INSN(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, XDP_PASS),
		INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
	};
	int fd = bpf_prog_load(BPF_PROG_TYPE_XDP, "rules_clock", "GPL", insns,
			       ARRAY_SIZE(insns), NULL);

	return fd < 0 ? -errno : fd;
}

/* jiffies start at INITIAL_JIFFIES = (u32)(-300 * HZ) at boot, as CLOCK_MONOTONIC starts at 0:
 * the HZ for which both give the same uptime is the kernel's. */
static uint64_t guess_hz(uint64_t j, uint64_t ns)
{
	static const uint64_t cands[] = { 100, 250, 300, 1000, 24, 32, 48, 64, 128, 256, 512, 1024, 1200 };
	uint64_t best = 0;
	double best_err = 0;

	for (size_t i = 0; i < ARRAY_SIZE(cands); i++) {
		uint64_t init = (uint64_t)(uint32_t)(-300 * (int64_t)cands[i]);
		double up = (double)(j - init) / (double)cands[i], err = up - (double)ns / 1e9;

		if (err < 0)
			err = -err;
		if (!best || err < best_err) {
			best = cands[i];
			best_err = err;
		}
	}
	return best_err < 30 ? best : 0;
}

int rules_clock_init(struct rules_clock *c)
{
	int fd = load_probe(), err;
	uint64_t j1, ns1, hz;

	if (fd < 0)
		return fd;
	err = sample(fd, &c->j0, &c->ns0);
	hz = err ? 0 : guess_hz(c->j0, c->ns0);
	/* Unusual boot offsets: measure instead, over 200 ms. */
	if (!err && !hz) {
		struct timespec ts = { 0, 200 * 1000 * 1000 };

		nanosleep(&ts, NULL);
		err = sample(fd, &j1, &ns1);
		if (!err && j1 > c->j0)
			hz = (uint64_t)((double)(j1 - c->j0) * 1e9 / (double)(ns1 - c->ns0) + 0.5);
		if (!err && !hz)
			err = -EIO;
	}
	close(fd);
	if (!err)
		c->tick_ns = 1000000000ULL / hz;
	return err;
}

uint64_t rules_clock_to_ns(const struct rules_clock *c, uint64_t jiffies)
{
	int64_t d = (int64_t)(jiffies - c->j0) * (int64_t)c->tick_ns;

	if (!jiffies)
		return 0;
	if (d < 0 && (uint64_t)-d >= c->ns0)
		return 1;
	return (uint64_t)((int64_t)c->ns0 + d);
}

uint64_t rules_clock_from_ns(const struct rules_clock *c, uint64_t ns)
{
	int64_t d = ((int64_t)ns - (int64_t)c->ns0) / (int64_t)c->tick_ns;

	return ns ? c->j0 + (uint64_t)d : 0;
}
