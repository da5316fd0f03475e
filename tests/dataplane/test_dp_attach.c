// SPDX-License-Identifier: GPL-2.0-only
/* Attach, replace, force, detach, exceptions and restart (including kill -9) on a real veth
 * pair in a namespace of its own, with real frames counted exactly. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <net/if.h>

#include <cmocka.h>

#include <bpf/bpf.h>
#include <linux/if_link.h>

#include "bpf/xdp_simple.skel.h"
#include "dataplane.h"
#include "loader.h"
#include "netns_fixture.h"

#define FRAME 64

struct ctx {
	struct netns_fixture fx;
	struct dataplane *dp;
	struct dataplane_opts opts;
	char err[DP_ERR_MAX];
};

static int setup(void **state)
{
	struct ctx *c = calloc(1, sizeof(*c));

	if (!c || netns_fixture_setup(&c->fx)) {
		if (c)
			netns_fixture_teardown(&c->fx);
		free(c);
		return -1;
	}
	c->opts = (struct dataplane_opts){ .bpffs = c->fx.bpffs, .state_dir = c->fx.state_dir,
					   .program_dir = XDPFLEET_TEST_PROGDIR };
	if (dataplane_open(&c->dp, &c->opts, c->err, sizeof(c->err))) {
		fprintf(stderr, "dataplane_open: %s\n", c->err);
		netns_fixture_teardown(&c->fx);
		free(c);
		return -1;
	}
	*state = c;
	return 0;
}

static int teardown(void **state)
{
	struct ctx *c = *state;

	dataplane_close(c->dp);
	netns_fixture_teardown(&c->fx);
	free(c);
	return 0;
}

static int attach(struct ctx *c, const char *builtin, enum dp_mode mode, bool force, struct dp_attachment *att,
		  char *replaced)
{
	struct dp_attach_req req = { .ifname = "veth0", .builtin = builtin, .mode = mode, .force = force };
	char dummy[DP_ERR_MAX];

	c->err[0] = '\0';
	return dataplane_attach(c->dp, &req, att, replaced ? replaced : dummy, DP_ERR_MAX, c->err, sizeof(c->err));
}

static struct dp_if_stats read_veth0(struct ctx *c)
{
	struct dp_if_stats *s = NULL, copy;
	size_t n = 0;

	assert_int_equal(dataplane_read_stats(c->dp, "veth0", NULL, 0, &s, &n, c->err, sizeof(c->err)), 0);
	assert_int_equal(n, 1);
	copy = s[0];
	free(s);
	return copy;
}

static uint32_t attached_id(const struct ctx *c)
{
	struct loader_current cur;

	assert_int_equal(loader_query(c->fx.ifindex0, &cur), 0);
	return cur.prog_id;
}

static void test_attach_counts_exactly(void **state)
{
	struct ctx *c = *state;
	struct dp_attachment att;
	struct dp_if_stats s;

	assert_int_equal(attach(c, "drop", DP_MODE_AUTO, false, &att, NULL), 0);
	assert_int_equal(att.mode, DP_MODE_NATIVE);
	assert_true(att.has_stats);
	assert_int_equal(att.prog_id, attached_id(c));
	assert_int_equal(dataplane_n_attachments(c->dp), 1);
	assert_int_equal(netns_fixture_send(&c->fx, 100, FRAME), 0);
	s = read_veth0(c);
	assert_int_equal(s.actions[XDP_DROP].packets, 100);
	assert_int_equal(s.actions[XDP_DROP].bytes, 100 * FRAME);
	assert_int_equal(s.actions[XDP_PASS].packets, 0);
	assert_true(s.timestamp_ns > 0);
}

static void test_replace_own_keeps_counters(void **state)
{
	struct ctx *c = *state;
	struct dp_attachment att;
	char replaced[DP_ERR_MAX];
	struct dp_if_stats s;
	uint32_t old;

	assert_int_equal(attach(c, "drop", DP_MODE_SKB, false, &att, NULL), 0);
	assert_int_equal(att.mode, DP_MODE_SKB);
	old = att.prog_id;
	assert_int_equal(netns_fixture_send(&c->fx, 10, FRAME), 0);
	/* Replacing our own program needs no force, and auto keeps skb so the swap is atomic. */
	assert_int_equal(attach(c, "pass", DP_MODE_AUTO, false, &att, replaced), 0);
	assert_int_equal(att.mode, DP_MODE_SKB);
	assert_non_null(strstr(replaced, "xdp_drop"));
	assert_true(att.prog_id != old);
	assert_int_equal(netns_fixture_send(&c->fx, 5, FRAME), 0);
	s = read_veth0(c);
	assert_int_equal(s.actions[XDP_DROP].packets, 10);
	assert_int_equal(s.actions[XDP_PASS].packets, 5);
	/* Switching mode explicitly. */
	assert_int_equal(attach(c, "filter", DP_MODE_NATIVE, false, &att, NULL), 0);
	assert_int_equal(att.mode, DP_MODE_NATIVE);
	assert_int_equal(att.prog_id, attached_id(c));
	assert_int_equal(dataplane_n_attachments(c->dp), 1);
}

static void test_foreign_needs_force(void **state)
{
	struct ctx *c = *state;
	struct xdp_simple *skel = xdp_simple__open_and_load();
	LIBBPF_OPTS(bpf_xdp_attach_opts, opts);
	struct dp_attachment att;
	char replaced[DP_ERR_MAX], want[64];
	uint32_t foreign;

	assert_non_null(skel);
	assert_int_equal(bpf_xdp_attach(c->fx.ifindex0, bpf_program__fd(skel->progs.xdp_pass), XDP_FLAGS_SKB_MODE,
					NULL), 0);
	foreign = attached_id(c);
	snprintf(want, sizeof(want), "xdp_pass (id %u)", foreign);
	assert_int_equal(attach(c, "drop", DP_MODE_AUTO, false, &att, NULL), -EBUSY);
	assert_non_null(strstr(c->err, want));
	assert_int_equal(attached_id(c), foreign);
	assert_int_equal(dataplane_n_attachments(c->dp), 0);
	/* Detach of a foreign program is refused too. */
	assert_int_equal(dataplane_detach(c->dp, "veth0", false, &att, c->err, sizeof(c->err)), -EBUSY);
	assert_int_equal(attach(c, "drop", DP_MODE_AUTO, true, &att, replaced), 0);
	assert_string_equal(replaced, want);
	assert_int_equal(att.mode, DP_MODE_SKB);
	assert_int_equal(attached_id(c), att.prog_id);
	/* A foreign program again: force detaches it. */
	opts.old_prog_fd = bpf_prog_get_fd_by_id(att.prog_id);
	assert_int_equal(bpf_xdp_attach(c->fx.ifindex0, bpf_program__fd(skel->progs.xdp_drop),
					XDP_FLAGS_SKB_MODE | XDP_FLAGS_REPLACE, &opts), 0);
	close(opts.old_prog_fd);
	assert_int_equal(dataplane_detach(c->dp, "veth0", false, &att, c->err, sizeof(c->err)), -EBUSY);
	assert_non_null(strstr(c->err, "xdp_drop"));
	assert_int_equal(dataplane_detach(c->dp, "veth0", true, &att, c->err, sizeof(c->err)), 0);
	assert_int_equal(attached_id(c), 0);
	assert_int_equal(dataplane_n_attachments(c->dp), 0);
	xdp_simple__destroy(skel);
}

static void test_detach_and_errors(void **state)
{
	struct ctx *c = *state;
	struct dp_attach_req req = { .ifname = "nope0", .builtin = "pass" };
	struct dp_attachment att;
	char replaced[DP_ERR_MAX];

	assert_int_equal(dataplane_attach(c->dp, &req, &att, replaced, sizeof(replaced), c->err, sizeof(c->err)),
			 -ENODEV);
	assert_string_equal(c->err, "ifname: no interface 'nope0'");
	req = (struct dp_attach_req){ .ifname = "veth0" };
	assert_int_equal(dataplane_attach(c->dp, &req, &att, replaced, sizeof(replaced), c->err, sizeof(c->err)),
			 -EINVAL);
	req = (struct dp_attach_req){ .ifname = "veth0", .object_path = "../../etc/passwd" };
	assert_int_equal(dataplane_attach(c->dp, &req, &att, replaced, sizeof(replaced), c->err, sizeof(c->err)),
			 -EINVAL);
	assert_non_null(strstr(c->err, "outside"));
	assert_int_equal(attached_id(c), 0); /* nothing half-applied */
	assert_int_equal(dataplane_detach(c->dp, "veth0", false, &att, c->err, sizeof(c->err)), -ENOENT);
	assert_int_equal(attach(c, "pass", DP_MODE_AUTO, false, &att, NULL), 0);
	assert_int_equal(dataplane_detach(c->dp, "veth0", false, &att, c->err, sizeof(c->err)), 0);
	assert_string_equal(att.program, "pass");
	assert_int_equal(attached_id(c), 0);
	assert_int_equal(dataplane_n_attachments(c->dp), 0);
}

static void test_custom_object_counts(void **state)
{
	struct ctx *c = *state;
	struct dp_attach_req req = { .ifname = "veth0", .object_path = "custom.bpf.o", .prog_name = "xdp_custom_drop" };
	struct dp_attachment att;
	char replaced[DP_ERR_MAX];
	struct dp_if_stats s;

	assert_int_equal(dataplane_attach(c->dp, &req, &att, replaced, sizeof(replaced), c->err, sizeof(c->err)), 0);
	assert_true(att.has_stats);
	assert_non_null(strstr(att.program, "custom.bpf.o:xdp_custom_drop"));
	assert_int_equal(netns_fixture_send(&c->fx, 20, FRAME), 0);
	s = read_veth0(c);
	assert_int_equal(s.actions[XDP_DROP].packets, 20);
}

static void test_exceptions_counted(void **state)
{
	struct ctx *c = *state;
	struct dp_attachment att;
	struct dp_features f;
	struct dp_if_stats s;

	dataplane_get_features(c->dp, &f);
	assert_true(f.tracepoints);
	assert_int_equal(attach(c, "abort", DP_MODE_AUTO, false, &att, NULL), 0);
	assert_int_equal(netns_fixture_send(&c->fx, 7, FRAME), 0);
	s = read_veth0(c);
	assert_int_equal(s.actions[XDP_ABORTED].packets, 7);
	assert_int_equal(s.exceptions[XDP_ABORTED], 7);
	assert_int_equal(s.exceptions[XDP_DROP], 0);
	/* Totals are the interface's: replacing the program keeps them, a new abort adds on. */
	assert_int_equal(attach(c, "pass", DP_MODE_AUTO, false, &att, NULL), 0);
	assert_int_equal(netns_fixture_send(&c->fx, 3, FRAME), 0);
	s = read_veth0(c);
	assert_int_equal(s.exceptions[XDP_ABORTED], 7);
	assert_int_equal(s.actions[XDP_PASS].packets, 3);
	assert_int_equal(attach(c, "abort", DP_MODE_AUTO, false, &att, NULL), 0);
	assert_int_equal(netns_fixture_send(&c->fx, 2, FRAME), 0);
	s = read_veth0(c);
	assert_int_equal(s.exceptions[XDP_ABORTED], 9);
	assert_int_equal(s.actions[XDP_ABORTED].packets, 9);
}

/* The agent dies without cleaning up: the program stays and a new agent continues the counts. */
static void test_kill9_restart(void **state)
{
	struct ctx *c = *state;
	struct dp_attachment *atts;
	struct dp_if_stats s;
	size_t n;
	pid_t pid;
	int status;

	dataplane_close(c->dp);
	c->dp = NULL;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct dp_attach_req req = { .ifname = "veth0", .builtin = "abort" };
		struct dp_attachment att;
		char err[DP_ERR_MAX], replaced[DP_ERR_MAX];
		struct dataplane *dp;

		if (dataplane_open(&dp, &c->opts, err, sizeof(err)) ||
		    dataplane_attach(dp, &req, &att, replaced, sizeof(replaced), err, sizeof(err)) ||
		    netns_fixture_send(&c->fx, 30, FRAME))
			_exit(1);
		raise(SIGKILL);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	assert_true(attached_id(c) != 0);
	assert_int_equal(dataplane_open(&c->dp, &c->opts, c->err, sizeof(c->err)), 0);
	assert_int_equal(dataplane_list(c->dp, &atts, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(atts[0].program, "abort");
	assert_int_equal(atts[0].prog_id, attached_id(c));
	free(atts);
	assert_int_equal(netns_fixture_send(&c->fx, 12, FRAME), 0);
	s = read_veth0(c);
	assert_int_equal(s.actions[XDP_ABORTED].packets, 42);
	assert_int_equal(s.exceptions[XDP_ABORTED], 42);
}

/* The bpffs goes away with the agent (its own mount namespace): counters are found again through
 * the program's maps, and exception totals from the state file. */
static void test_restart_without_pins(void **state)
{
	struct ctx *c = *state;
	struct dp_attachment att;
	struct dp_if_stats s;

	assert_int_equal(attach(c, "abort", DP_MODE_AUTO, false, &att, NULL), 0);
	assert_int_equal(netns_fixture_send(&c->fx, 25, FRAME), 0);
	s = read_veth0(c); /* the read records the exceptions seen */
	assert_int_equal(s.exceptions[XDP_ABORTED], 25);
	dataplane_sample(c->dp);
	dataplane_close(c->dp);
	c->dp = NULL;
	assert_int_equal(netns_fixture_sh("rm -rf '%s/xdpfleet'", c->fx.bpffs), 0);
	assert_int_equal(dataplane_open(&c->dp, &c->opts, c->err, sizeof(c->err)), 0);
	assert_int_equal(dataplane_n_attachments(c->dp), 1);
	assert_int_equal(netns_fixture_send(&c->fx, 5, FRAME), 0);
	s = read_veth0(c);
	assert_int_equal(s.actions[XDP_ABORTED].packets, 30);
	assert_int_equal(s.exceptions[XDP_ABORTED], 30);
}

static struct dp_attachment only_attachment(struct ctx *c)
{
	struct dp_attachment *list = NULL, a;
	size_t n = 0;

	assert_int_equal(dataplane_list(c->dp, &list, &n), 0);
	assert_int_equal(n, 1);
	a = list[0];
	free(list);
	return a;
}

/* Someone else removes our program: the drift check attaches it again and says so; counting
 * goes on in the same map. */
static void test_drift_removed_reattached(void **state)
{
	struct ctx *c = *state;
	struct dp_attachment att, now;
	struct loader_current cur;

	assert_int_equal(attach(c, "pass", DP_MODE_SKB, false, &att, NULL), 0);
	assert_int_equal(netns_fixture_send(&c->fx, 10, FRAME), 0);
	assert_int_equal(bpf_xdp_detach(c->fx.ifindex0, XDP_FLAGS_SKB_MODE, NULL), 0);
	dataplane_check_drift(c->dp);
	now = only_attachment(c);
	assert_int_equal(now.state, DP_STATE_OK);
	assert_int_not_equal(now.prog_id, att.prog_id);
	assert_non_null(strstr(now.last_event, "removed behind the agent's back; attached pass again"));
	assert_int_equal(loader_query(c->fx.ifindex0, &cur), 0);
	assert_int_equal(cur.prog_id, now.prog_id);
	assert_int_equal(netns_fixture_send(&c->fx, 5, FRAME), 0);
	assert_int_equal(read_veth0(c).actions[XDP_PASS].packets, 15);
}

/* A foreign program in our place is replaced by ours; with --no-reattach it is only reported,
 * and detaching then forgets ours and leaves theirs. */
static void test_drift_replaced(void **state)
{
	struct ctx *c = *state;
	struct xdp_simple *foreign = xdp_simple__open_and_load();
	struct dp_attachment att, now;
	struct loader_current cur;
	uint32_t foreign_id;

	assert_non_null(foreign);
	assert_int_equal(attach(c, "pass", DP_MODE_SKB, false, &att, NULL), 0);
	assert_int_equal(bpf_xdp_attach(c->fx.ifindex0, bpf_program__fd(foreign->progs.xdp_drop),
					XDP_FLAGS_SKB_MODE, NULL), 0);
	assert_int_equal(loader_obj_id(bpf_program__fd(foreign->progs.xdp_drop), &foreign_id), 0);
	dataplane_check_drift(c->dp);
	now = only_attachment(c);
	assert_int_equal(now.state, DP_STATE_OK);
	assert_non_null(strstr(now.last_event, "replaced by"));
	assert_int_equal(loader_query(c->fx.ifindex0, &cur), 0);
	assert_int_equal(cur.prog_id, now.prog_id);

	/* the same, reported only */
	dataplane_close(c->dp);
	c->opts.no_reattach = true;
	assert_int_equal(dataplane_open(&c->dp, &c->opts, c->err, sizeof(c->err)), 0);
	assert_int_equal(bpf_xdp_attach(c->fx.ifindex0, bpf_program__fd(foreign->progs.xdp_drop),
					XDP_FLAGS_SKB_MODE, NULL), 0);
	dataplane_check_drift(c->dp);
	now = only_attachment(c);
	assert_int_equal(now.state, DP_STATE_LOST);
	assert_non_null(strstr(now.last_event, "--no-reattach"));
	assert_int_equal(loader_query(c->fx.ifindex0, &cur), 0);
	assert_int_equal(cur.prog_id, foreign_id);
	assert_int_equal(dataplane_detach(c->dp, "veth0", false, &now, c->err, sizeof(c->err)), 0);
	assert_int_equal(dataplane_n_attachments(c->dp), 0);
	assert_int_equal(loader_query(c->fx.ifindex0, &cur), 0);
	assert_int_equal(cur.prog_id, foreign_id); /* theirs stays */
	bpf_xdp_detach(c->fx.ifindex0, XDP_FLAGS_SKB_MODE, NULL);
	xdp_simple__destroy(foreign);
}

/* The interface is deleted (reported missing) and created again under the same name: the
 * program is attached to the new one. */
static void test_drift_interface_recreated(void **state)
{
	struct ctx *c = *state;
	struct dp_attachment att, now;
	struct loader_current cur;
	unsigned int ifindex;

	assert_int_equal(attach(c, "pass", DP_MODE_NATIVE, false, &att, NULL), 0);
	assert_int_equal(netns_fixture_sh("ip link del veth0"), 0);
	dataplane_check_drift(c->dp);
	now = only_attachment(c);
	assert_int_equal(now.state, DP_STATE_MISSING);
	assert_int_equal(netns_fixture_sh("ip link add veth0 type veth peer name veth1 && "
					  "ip link set veth0 up && ip link set veth1 up"), 0);
	ifindex = if_nametoindex("veth0");
	assert_int_not_equal(ifindex, att.ifindex);
	dataplane_check_drift(c->dp);
	now = only_attachment(c);
	assert_int_equal(now.state, DP_STATE_OK);
	assert_int_equal(now.ifindex, ifindex);
	assert_non_null(strstr(now.last_event, "deleted and created again"));
	assert_int_equal(loader_query(ifindex, &cur), 0);
	assert_int_equal(cur.prog_id, now.prog_id);
	c->fx.ifindex0 = ifindex;
	c->fx.ifindex1 = if_nametoindex("veth1");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_attach_counts_exactly, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replace_own_keeps_counters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_foreign_needs_force, setup, teardown),
		cmocka_unit_test_setup_teardown(test_detach_and_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_custom_object_counts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exceptions_counted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kill9_restart, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restart_without_pins, setup, teardown),
		cmocka_unit_test_setup_teardown(test_drift_removed_reattached, setup, teardown),
		cmocka_unit_test_setup_teardown(test_drift_replaced, setup, teardown),
		cmocka_unit_test_setup_teardown(test_drift_interface_recreated, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
