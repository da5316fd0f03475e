// SPDX-License-Identifier: GPL-2.0-only
/* BPF_PROG_TEST_RUN of every built-in program and of custom objects: the verdict, and that the
 * stats map counts exactly the packets and bytes run. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <bpf/bpf.h>

#include "progs.h"
#include "stats.h"

#define REPEAT 1000
#define PKT_LEN 98

static const char *program_dir = XDPFLEET_TEST_PROGDIR;

/* An IPv4/ICMP frame, so the filter parses a real header. */
static void make_packet(unsigned char *pkt)
{
	memset(pkt, 0, PKT_LEN);
	memset(pkt, 0xff, 6);
	pkt[12] = 0x08;
	pkt[14] = 0x45;
	pkt[14 + 9] = 1;
}

static void run_and_check(const struct progs_spec *spec, __u32 want_action, bool want_stats)
{
	unsigned char pkt[PKT_LEN];
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt, .data_size_in = sizeof(pkt), .repeat = REPEAT);
	struct progs_loaded loaded;
	struct stats_record rec;
	char err[512] = "";

	make_packet(pkt);
	assert_int_equal(progs_load(spec, &loaded, err, sizeof(err)), 0);
	assert_int_equal(loaded.has_stats, want_stats);
	assert_int_equal(bpf_prog_test_run_opts(loaded.prog_fd, &opts), 0);
	assert_int_equal(opts.retval, want_action);
	assert_int_equal(stats_read(spec->stats_fd, &rec), 0);
	for (__u32 a = 0; a < XDP_ACTION_MAX; a++) {
		__u64 want = want_stats && a == want_action ? REPEAT : 0;

		assert_int_equal(rec.act[a].rx_packets, want);
		assert_int_equal(rec.act[a].rx_bytes, want * PKT_LEN);
	}
	progs_unload(&loaded);
}

static void check_builtin(const char *name, __u32 action)
{
	struct progs_spec spec = { .builtin = name, .stats_fd = stats_map_create() };

	assert_true(spec.stats_fd >= 0);
	run_and_check(&spec, action, true);
	close(spec.stats_fd);
}

static void test_pass(void **unused) { (void)unused; check_builtin("pass", XDP_PASS); }
static void test_drop(void **unused) { (void)unused; check_builtin("drop", XDP_DROP); }
static void test_abort(void **unused) { (void)unused; check_builtin("abort", XDP_ABORTED); }
static void test_filter(void **unused) { (void)unused; check_builtin("filter", XDP_PASS); }

static void test_unknown_builtin(void **unused)
{
	struct progs_spec spec = { .builtin = "nope", .stats_fd = -1 };
	struct progs_loaded loaded;
	char err[512] = "";

	(void)unused;
	assert_int_equal(progs_load(&spec, &loaded, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "builtin"));
}

static void test_custom_with_stats(void **unused)
{
	struct progs_spec spec = { .object_path = "custom.bpf.o", .prog_name = "xdp_custom_drop",
				   .program_dir = program_dir, .stats_fd = stats_map_create() };

	(void)unused;
	run_and_check(&spec, XDP_DROP, true);
	close(spec.stats_fd);
}

static void test_custom_first_program_by_section(void **unused)
{
	struct progs_spec spec = { .object_path = "custom_nostats.bpf.o", .program_dir = program_dir,
				   .stats_fd = stats_map_create() };

	(void)unused;
	run_and_check(&spec, XDP_PASS, false);
	close(spec.stats_fd);
}

static void test_custom_missing_program(void **unused)
{
	struct progs_spec spec = { .object_path = "custom.bpf.o", .prog_name = "no_such", .program_dir = program_dir,
				   .stats_fd = -1 };
	struct progs_loaded loaded;
	char err[512] = "";

	(void)unused;
	assert_int_equal(progs_load(&spec, &loaded, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "no_such"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pass),
		cmocka_unit_test(test_drop),
		cmocka_unit_test(test_abort),
		cmocka_unit_test(test_filter),
		cmocka_unit_test(test_unknown_builtin),
		cmocka_unit_test(test_custom_with_stats),
		cmocka_unit_test(test_custom_first_program_by_section),
		cmocka_unit_test(test_custom_missing_program),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
