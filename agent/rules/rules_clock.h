/* SPDX-License-Identifier: GPL-2.0-only */
/* The data plane stamps rule hits with bpf_jiffies64() (inlined by the verifier; every clock
 * helper costs a call): this converts jiffies to and from CLOCK_MONOTONIC ns. */
#ifndef XDPFLEET_RULES_CLOCK_H
#define XDPFLEET_RULES_CLOCK_H

#include <stdint.h>

struct rules_clock {
	uint64_t j0, ns0; /* one moment on both clocks */
	uint64_t tick_ns; /* 1e9 / HZ */
};

/* Reads both clocks in the kernel (a probe program run once) and works out HZ. */
int rules_clock_init(struct rules_clock *c);
/* 0 stays 0 (never hit). */
uint64_t rules_clock_to_ns(const struct rules_clock *c, uint64_t jiffies);
uint64_t rules_clock_from_ns(const struct rules_clock *c, uint64_t ns);

#endif
