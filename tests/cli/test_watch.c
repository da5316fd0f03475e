/* stats --watch: snapshots from several hosts combined into ticks, lagging and failing hosts,
 * Ctrl-C, and the request's interval/count/deadline. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "canned.h"
#include "fake_rpc.h"
#include "harness.h"

#define RUN(r, ...) harness_run((r), NULL, __VA_ARGS__, NULL)

struct fleet {
	struct canned_stats a[5], b[5];
	const ProtobufCMessage *sa[5], *sb[5];
	struct fake_host hosts[2];
};

/* Host a streams na snapshots (packets base 100, 200, ...), host b nb (base 1000, 2000, ...). */
static void fleet_init(struct fleet *f, size_t na, size_t nb)
{
	size_t i;

	memset(f, 0, sizeof(*f));
	for (i = 0; i < 5; i++) {
		canned_stats_init(&f->a[i], 100 * (i + 1));
		canned_stats_init(&f->b[i], 1000 * (i + 1));
		f->sa[i] = &f->a[i].resp.base;
		f->sb[i] = &f->b[i].resp.base;
	}
	f->hosts[0].stream = f->sa;
	f->hosts[0].n_stream = na;
	f->hosts[1].stream = f->sb;
	f->hosts[1].n_stream = nb;
	fake_rpc_set(f->hosts, 2);
}

static int count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static int count_of(const char *s, const char *what)
{
	int n = 0;

	while ((s = strstr(s, what))) {
		n++;
		s += strlen(what);
	}
	return n;
}

static void test_request(void **state)
{
	Xdpfleet__V1__WatchStatsRequest *req;
	struct harness_run r;
	struct fleet f;

	(void)state;
	fleet_init(&f, 1, 1);
	RUN(&r, "-H", "unix:/a,unix:/b", "--parallel", "1", "--timeout", "2", "stats", "eth0",
	    "--interval", "0.2", "--count", "5");
	assert_int_equal(r.status, 0);
	assert_string_equal(fake_rpc_last.method, "WatchStats");
	assert_true(fake_rpc_last.opts.stream);
	/* Streams hold their slot: every host must be in flight at once. */
	assert_int_equal(fake_rpc_last.opts.max_inflight, 2);
	assert_int_equal(fake_rpc_last.opts.timeout_ms, 2000 + 200 * 5);
	req = (Xdpfleet__V1__WatchStatsRequest *)fake_rpc_last.req;
	assert_string_equal(req->ifname, "eth0");
	assert_int_equal(req->interval_ms, 200);
	assert_int_equal(req->count, 5);
	harness_free(&r);

	fleet_init(&f, 1, 1);
	RUN(&r, "-H", "unix:/a,unix:/b", "stats", "--watch");
	req = (Xdpfleet__V1__WatchStatsRequest *)fake_rpc_last.req;
	assert_string_equal(req->ifname, "");
	assert_int_equal(req->interval_ms, 1000);
	assert_int_equal(req->count, 0);
	assert_int_equal(fake_rpc_last.opts.timeout_ms, 0);
	harness_free(&r);
}

static void test_json_ticks(void **state)
{
	struct harness_run r;
	struct fleet f;

	(void)state;
	fleet_init(&f, 3, 3);
	RUN(&r, "-H", "unix:/a,unix:/b", "-o", "json", "stats", "--count", "3");
	assert_int_equal(r.status, 0);
	assert_int_equal(count_lines(r.out), 3);
	assert_int_equal(count_of(r.out, "[{\"host\":\"unix:/a\",\"ok\":true"), 3);
	assert_int_equal(count_of(r.out, "{\"host\":\"unix:/b\",\"ok\":true"), 3);
	/* Tick k pairs the k-th snapshot of each host. */
	assert_non_null(strstr(r.out, "\"packets\":100,"));
	assert_true(strstr(r.out, "\"packets\":300,") > strstr(r.out, "\"packets\":2000,"));
	assert_true(strstr(r.out, "\"packets\":3000,") > strstr(r.out, "\"packets\":200,"));
	assert_string_equal(r.err, "");
	harness_free(&r);
}

static void test_failed_host(void **state)
{
	struct harness_run r;
	struct fleet f;
	char *line3;

	(void)state;
	fleet_init(&f, 3, 1);
	f.hosts[1].fail = true;
	f.hosts[1].code = GRPC_STATUS_UNAVAILABLE;
	f.hosts[1].message = "agent went away";
	RUN(&r, "-H", "unix:/a,unix:/b", "-o", "json", "stats", "--count", "3");
	assert_int_equal(r.status, 1);
	/* 3 ticks, then one array of only the failed host. */
	assert_int_equal(count_lines(r.out), 4);
	assert_int_equal(count_of(r.out, "{\"host\":\"unix:/b\",\"ok\":false,\"code\":\"UNAVAILABLE\","
					 "\"error\":\"UNAVAILABLE: agent went away\"}"), 3);
	line3 = strrchr(r.out, '[');
	assert_string_equal(line3, "[{\"host\":\"unix:/b\",\"ok\":false,\"code\":\"UNAVAILABLE\","
				   "\"error\":\"UNAVAILABLE: agent went away\"}]\n");
	assert_non_null(strstr(r.err, "1 of 2 hosts failed:\n  unix:/b: UNAVAILABLE: agent went away"));
	harness_free(&r);
}

static void test_lagging_host(void **state)
{
	/* a delivers 1..3 before b has anything; b then catches up late. */
	static const size_t order[] = { 0, 0, 0, 1, 1, 1, 0, 1 };
	struct harness_run r;
	struct fleet f;

	(void)state;
	fleet_init(&f, 4, 4);
	fake_rpc_set_order(order, sizeof(order) / sizeof(order[0]), 0);
	RUN(&r, "-H", "unix:/a,unix:/b", "-o", "json", "stats", "--count", "4");
	assert_int_equal(r.status, 0);
	/* Tick 1 went out without b once a was 2 ticks ahead; b's late tick 1 was dropped,
	 * its snapshots 2..4 joined ticks 2..4. */
	assert_int_equal(count_lines(r.out), 4);
	assert_int_equal(count_of(r.out, "no snapshot for this tick (host lagging)"), 1);
	assert_null(strstr(r.out, "\"packets\":1000,"));
	assert_non_null(strstr(r.out, "\"packets\":2000,"));
	assert_non_null(strstr(r.out, "\"packets\":4000,"));
	harness_free(&r);
}

static void test_table_append(void **state)
{
	struct harness_run r;
	struct fleet f;

	(void)state;
	fleet_init(&f, 2, 2);
	RUN(&r, "-H", "unix:/a,unix:/bb", "stats", "--count", "2");
	assert_int_equal(r.status, 0);
	/* One header; per tick 2 hosts x 5 actions, a blank line between ticks. */
	assert_int_equal(count_of(r.out, "EXCEPTIONS"), 1);
	assert_int_equal(count_lines(r.out), 1 + 10 + 1 + 10);
	assert_non_null(strstr(r.out, "  unix:/bb  eth0             XDP_PASS                1002"));
	assert_int_equal(strncmp(r.out, "TIME      HOST      IFACE            ACTION", 43), 0);
	harness_free(&r);

	fleet_init(&f, 2, 2);
	RUN(&r, "-H", "unix:/a,unix:/bb", "stats", "--count", "2", "--redraw");
	assert_int_equal(count_of(r.out, "\033[H\033[2J"), 2);
	assert_int_equal(count_of(r.out, "unix:/bb  eth0 (ifindex 2)  program filter"), 2);
	harness_free(&r);
}

static void test_ctrl_c(void **state)
{
	volatile sig_atomic_t cancel = 0;
	struct harness_run r;
	struct fleet f;

	(void)state;
	/* Ctrl-C after tick 2 and a's third snapshot: the partial tick 3 is dropped, exit 0. */
	fleet_init(&f, 5, 5);
	fake_rpc_set_order(NULL, 0, 5);
	harness_run(&r, &cancel, "-H", "unix:/a,unix:/b", "-o", "json", "stats", "--watch", NULL);
	assert_int_equal(r.status, 0);
	assert_int_equal(count_lines(r.out), 2);
	assert_string_equal(r.err, "");
	harness_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_request, fake_rpc_setup,
						fake_rpc_teardown),
		cmocka_unit_test_setup_teardown(test_json_ticks, fake_rpc_setup,
						fake_rpc_teardown),
		cmocka_unit_test_setup_teardown(test_failed_host, fake_rpc_setup,
						fake_rpc_teardown),
		cmocka_unit_test_setup_teardown(test_lagging_host, fake_rpc_setup,
						fake_rpc_teardown),
		cmocka_unit_test_setup_teardown(test_table_append, fake_rpc_setup,
						fake_rpc_teardown),
		cmocka_unit_test_setup_teardown(test_ctrl_c, fake_rpc_setup,
						fake_rpc_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
