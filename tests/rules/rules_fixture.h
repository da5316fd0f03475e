/* SPDX-License-Identifier: GPL-2.0-only */
/* Loads the rule engine's test program (bpf/xdp_rules_test.bpf.c) on the engine's maps, reloads
 * it whenever the engine replaces them, and runs frames through it with BPF_PROG_TEST_RUN.
 * Shared by tests and the bench. */
#ifndef XDPFLEET_RULES_FIXTURE_H
#define XDPFLEET_RULES_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rules_compile.h"
#include "rules_maps.h"

struct xdp_rules_test;
struct xdp_filter;

struct rules_fixture {
	struct rules_maps maps;
	struct rules_engine *eng;
	struct xdp_rules_test *skel; /* the test program (verdict and winner readable) */
	struct xdp_filter *filter;   /* or the agent's filter program, for the bench */
	int prog_fd;
	int stats_fd;      /* one per-action stats map across reloads */
	int reloads;       /* times the engine had the program reloaded */
	int fail_reloads;  /* > 0: the next reloads fail (counted down), to test rollback */
};

int rules_fixture_open(struct rules_fixture *f, const struct rules_maps_opts *opts);
/* The same on the agent's built-in filter program (rules_fixture_run() then gives no winner). */
int rules_fixture_open_filter(struct rules_fixture *f, const struct rules_maps_opts *opts);
void rules_fixture_close(struct rules_fixture *f);
/* One run: the verdict and the winning slot (RULES_SLOT_NONE if no rule). */
int rules_fixture_run(struct rules_fixture *f, const uint8_t *pkt, size_t len, uint32_t *verdict,
		      uint32_t *slot);
/* repeat runs of one frame; *ns gets the kernel's mean ns per run. */
int rules_fixture_bench(struct rules_fixture *f, const uint8_t *pkt, size_t len, uint32_t repeat,
			uint32_t *ns);
/* Packets counted under an XDP action in the program's per-action stats. */
int rules_fixture_action_count(struct rules_fixture *f, uint32_t action, uint64_t *packets);
/* Kernel memory (memlock) of the engine's maps, in bytes. */
uint64_t rules_fixture_map_bytes(const struct rules_fixture *f);

/* A copy of the trie maps and rule info, to show a restart rewrote nothing. */
struct rules_snap {
	void *m[RULES_M_COUNT];
	size_t len[RULES_M_COUNT];
};

int rules_fixture_snapshot(const struct rules_fixture *f, struct rules_snap *s);
bool rules_snap_equal(const struct rules_snap *a, const struct rules_snap *b);
void rules_snap_free(struct rules_snap *s);

#endif
