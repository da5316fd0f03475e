// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of the data plane's pure parts: rates between snapshots, the state file, and
 * confining custom object paths to --program-dir. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "progs.h"
#include "attachments_file.h"
#include "stats.h"

static void test_rates(void **unused)
{
	struct stats_record prev = { .ts_ns = 1000000000ull }, cur = { .ts_ns = 3000000000ull };
	struct stats_rate rates[XDP_ACTION_MAX];
	double period;

	(void)unused;
	prev.act[XDP_PASS] = (struct datarec){ 100, 6400 };
	cur.act[XDP_PASS] = (struct datarec){ 300, 19200 };
	cur.act[XDP_DROP] = (struct datarec){ 10, 640 };
	period = stats_rates(&prev, &cur, rates);
	assert_true(period > 1.999 && period < 2.001);
	assert_true(rates[XDP_PASS].pps > 99.99 && rates[XDP_PASS].pps < 100.01);
	assert_true(rates[XDP_PASS].bps > 51199.9 && rates[XDP_PASS].bps < 51200.1);
	assert_true(rates[XDP_DROP].pps > 4.99 && rates[XDP_DROP].pps < 5.01);
	assert_true(rates[XDP_ABORTED].pps == 0.0);
}

static void test_rates_edge_cases(void **unused)
{
	struct stats_record prev = { .ts_ns = 5 }, cur = { .ts_ns = 5 };
	struct stats_rate rates[XDP_ACTION_MAX];

	(void)unused;
	cur.act[XDP_PASS].rx_packets = 10;
	assert_true(stats_rates(&prev, &cur, rates) == 0.0);
	assert_true(rates[XDP_PASS].pps == 0.0);
	/* A counter going backwards (map recreated) must not give a huge rate. */
	prev.act[XDP_PASS].rx_packets = 50;
	cur.ts_ns = 1000000005ull;
	stats_rates(&prev, &cur, rates);
	assert_true(rates[XDP_PASS].pps == 0.0);
}

static void test_state_roundtrip(void **unused)
{
	char dir[] = "/tmp/xdpfleet-dp-state-XXXXXX", path[PATH_MAX];
	struct attachment_record in[2] = {
		{ .att = { .ifname = "veth0", .ifindex = 7, .program = "filter", .mode = DP_MODE_NATIVE, .prog_id = 42,
			   .attached_at_unix = 1700000000, .has_stats = true },
		  .exc_base = { 1, 2, 3, 4, 5 }, .exc_seen = { 18446744073709551615ull, 0, 0, 0, 9 } },
		{ .att = { .ifname = "eth1", .ifindex = 3, .program = "/srv/x d/p.o:xdp_my prog", .mode = DP_MODE_SKB,
			   .prog_id = 4000000000u, .attached_at_unix = 1, .has_stats = false } },
	}, *out;
	char err[512];
	size_t n;

	(void)unused;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(attachments_file_path(dir, "netns-1", path, sizeof(path)), 0);
	assert_int_equal(attachments_file_load(path, &out, &n, err, sizeof(err)), 0); /* missing: empty */
	assert_int_equal(n, 0);
	assert_int_equal(attachments_file_save(path, in, 2), 0);
	assert_int_equal(attachments_file_load(path, &out, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 2);
	assert_memory_equal(&out[0], &in[0], sizeof(in[0]));
	assert_string_equal(out[1].att.program, in[1].att.program);
	assert_int_equal(out[1].att.prog_id, in[1].att.prog_id);
	assert_int_equal(out[1].att.mode, DP_MODE_SKB);
	assert_false(out[1].att.has_stats);
	free(out);
	assert_int_equal(attachments_file_save(path, NULL, 0), 0);
	assert_int_equal(attachments_file_load(path, &out, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 0);
	unlink(path);
	rmdir(dir);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *buf = malloc(4096);

	assert_non_null(f);
	*len = fread(buf, 1, 4096, f);
	fclose(f);
	return buf;
}

static void spill(const char *path, const char *buf, size_t len)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, len, f), len);
	fclose(f);
}

/* Cut anywhere, a garbage line, a changed byte: refused with the file and line, never a shorter
 * list; the first format is still read. */
static void test_state_damage(void **unused)
{
	char dir[] = "/tmp/xdpfleet-dp-state-XXXXXX", path[PATH_MAX], err[512];
	struct attachment_record in[3] = {
		{ .att = { .ifname = "veth0", .ifindex = 7, .program = "filter", .mode = DP_MODE_NATIVE, .prog_id = 42 } },
		{ .att = { .ifname = "veth1", .ifindex = 8, .program = "drop", .mode = DP_MODE_SKB, .prog_id = 43 } },
		{ .att = { .ifname = "veth2", .ifindex = 9, .program = "pass", .mode = DP_MODE_NATIVE, .prog_id = 44 } },
	}, *out;
	static const char v1[] =
		"# xdpfleet attachments v1: ifindex ifname prog_id mode attached_at has_stats exc_base exc_seen program\n"
		"7\tveth0\t42\tnative\t1700000000\t1\t0,0,0,0,0\t1,0,0,0,0\tfilter\n";
	size_t n, len;
	char *good, bad[4200];

	(void)unused;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(attachments_file_path(dir, "netns-1", path, sizeof(path)), 0);
	assert_int_equal(attachments_file_save(path, in, 3), 0);
	good = slurp(path, &len);
	for (size_t cut = 0; cut < len; cut++) {
		spill(path, good, cut);
		if (cut == 0) {
			/* an empty file is a cut one too */
			assert_int_not_equal(attachments_file_load(path, &out, &n, err, sizeof(err)), 0);
			continue;
		}
		assert_int_equal(attachments_file_load(path, &out, &n, err, sizeof(err)), -EBADMSG);
		assert_non_null(strstr(err, ".tsv:"));
		assert_null(out);
	}
	/* a garbage line after the first record: line 3 */
	{
		size_t first = (size_t)(strchr(strchr(good, '\n') + 1, '\n') + 1 - good);

		memcpy(bad, good, first);
		memcpy(bad + first, "garbage\n", 8);
		memcpy(bad + first + 8, good + first, len - first);
		spill(path, bad, len + 8);
		assert_int_equal(attachments_file_load(path, &out, &n, err, sizeof(err)), -EBADMSG);
		assert_non_null(strstr(err, ".tsv:3: "));
	}
	memcpy(bad, good, len);
	bad[len / 2] ^= 1;
	spill(path, bad, len);
	assert_int_equal(attachments_file_load(path, &out, &n, err, sizeof(err)), -EBADMSG);
	/* the first release's format */
	spill(path, v1, strlen(v1));
	assert_int_equal(attachments_file_load(path, &out, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 1);
	assert_string_equal(out[0].att.ifname, "veth0");
	assert_int_equal(out[0].exc_seen[0], 1);
	free(out);
	free(good);
	unlink(path);
	rmdir(dir);
}

static void test_resolve_confines(void **unused)
{
	char dir[] = "/tmp/xdpfleet-dp-progs-XXXXXX", sub[PATH_MAX], file[PATH_MAX], out[PATH_MAX], err[256];
	FILE *f;

	(void)unused;
	assert_non_null(mkdtemp(dir));
	snprintf(sub, sizeof(sub), "%s/sub", dir);
	snprintf(file, sizeof(file), "%s/sub/p.o", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	f = fopen(file, "w");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(progs_resolve(dir, "sub/p.o", out, sizeof(out), err, sizeof(err)), 0);
	assert_string_equal(out, file);
	assert_int_equal(progs_resolve(dir, file, out, sizeof(out), err, sizeof(err)), 0);
	assert_int_equal(progs_resolve(dir, "../../etc/passwd", out, sizeof(out), err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "outside"));
	assert_int_equal(progs_resolve(dir, "/etc/passwd", out, sizeof(out), err, sizeof(err)), -EINVAL);
	/* A symlink inside pointing out is outside after realpath. */
	snprintf(file, sizeof(file), "%s/sub/link.o", dir);
	assert_int_equal(symlink("/etc/passwd", file), 0);
	assert_int_equal(progs_resolve(dir, "sub/link.o", out, sizeof(out), err, sizeof(err)), -EINVAL);
	/* A sibling directory sharing the prefix is outside too. */
	assert_int_equal(progs_resolve(sub, "../sub/p.o", out, sizeof(out), err, sizeof(err)), 0);
	assert_int_equal(progs_resolve(dir, "nope.o", out, sizeof(out), err, sizeof(err)), -ENOENT);
	assert_int_equal(progs_resolve(NULL, "p.o", out, sizeof(out), err, sizeof(err)), -EPERM);
	assert_non_null(strstr(err, "--program-dir"));
	assert_int_equal(progs_resolve(dir, "", out, sizeof(out), err, sizeof(err)), -EINVAL);
	unlink(file);
	snprintf(file, sizeof(file), "%s/sub/p.o", dir);
	unlink(file);
	rmdir(sub);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rates),
		cmocka_unit_test(test_rates_edge_cases),
		cmocka_unit_test(test_state_roundtrip),
		cmocka_unit_test(test_state_damage),
		cmocka_unit_test(test_resolve_confines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
