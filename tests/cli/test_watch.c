// SPDX-License-Identifier: GPL-2.0-only
/* stats --watch: snapshots from several hosts combined into ticks, lagging and failing hosts,
 * Ctrl-C, the request's interval/count/deadline, JSON lines with wall-clock times, and
 * reconnecting to an agent whose stream broke. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "canned.h"
#include "fake_rpc.h"
#include "harness.h"
#include "json_parse.h"
#include "array_size.h"

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

/* Host b's agent goes away (UNAVAILABLE "Socket closed") after `after` snapshots, for its
 * first `calls` connections. */
static void fleet_break(struct fleet *f, int calls, size_t after)
{
	f->hosts[1].fail = true;
	f->hosts[1].code = GRPC_STATUS_UNAVAILABLE;
	f->hosts[1].message = "Socket closed";
	f->hosts[1].fail_calls = calls;
	f->hosts[1].break_after = after;
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
	/* A failure that is no agent restart: not retried. */
	fleet_init(&f, 3, 1);
	f.hosts[1].fail = true;
	f.hosts[1].code = GRPC_STATUS_INTERNAL;
	f.hosts[1].message = "counters unreadable";
	RUN(&r, "-H", "unix:/a,unix:/b", "-o", "json", "stats", "--count", "3");
	assert_int_equal(r.status, 1);
	/* 3 ticks, then one array of only the failed host. */
	assert_int_equal(count_lines(r.out), 4);
	assert_int_equal(count_of(r.out, "{\"host\":\"unix:/b\",\"ok\":false,\"code\":\"INTERNAL\","
					 "\"error\":\"INTERNAL: counters unreadable\"}"), 3);
	line3 = strrchr(r.out, '[');
	assert_string_equal(line3, "[{\"host\":\"unix:/b\",\"ok\":false,\"code\":\"INTERNAL\","
				   "\"error\":\"INTERNAL: counters unreadable\"}]\n");
	assert_non_null(strstr(r.err, "1 of 2 hosts failed:\n  unix:/b: INTERNAL: counters unreadable"));
	assert_null(strstr(r.err, "reconnecting"));
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
	fake_rpc_set_order(order, ARRAY_SIZE(order), 0);
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

/* Every line of text as parsed JSON, checked to be one object each. */
static size_t parse_lines(const char *text, struct jp_value **lines, size_t max)
{
	const char *end;
	size_t n = 0;

	for (; *text && n < max; text = end + 1) {
		end = strchr(text, '\n');
		assert_non_null(end);
		lines[n] = jp_parse(text, (size_t)(end - text));
		if (!lines[n] || lines[n]->type != JP_OBJ)
			fail_msg("line %zu is no JSON object: %.*s", n + 1, (int)(end - text), text);
		n++;
	}
	assert_string_equal(text, "");
	return n;
}

static void free_lines(struct jp_value **lines, size_t n)
{
	for (size_t i = 0; i < n; i++)
		jp_free(lines[i]);
}

/* A "2025-11-26T09:40:00.123Z": RFC 3339, UTC, milliseconds. */
static void check_rfc3339(const char *s)
{
	assert_non_null(s);
	assert_int_equal(strlen(s), 24);
	assert_true(s[4] == '-' && s[7] == '-' && s[10] == 'T' && s[13] == ':' && s[16] == ':' &&
		    s[19] == '.' && s[23] == 'Z');
}

static void test_jsonl(void **state)
{
	struct jp_value *lines[16];
	const struct jp_value *ifs;
	struct harness_run r;
	struct fleet f;
	size_t n, i;

	(void)state;
	fleet_init(&f, 2, 2);
	RUN(&r, "-H", "unix:/a,unix:/b", "stats", "--count", "2", "-o", "jsonl");
	assert_int_equal(r.status, 0);
	/* One line per host and snapshot, as they come (no tick arrays). */
	n = parse_lines(r.out, lines, 16);
	assert_int_equal(n, 4);
	for (i = 0; i < n; i++) {
		assert_true(jp_get(lines[i], "ok")->b);
		check_rfc3339(jp_str(lines[i], "time"));
		assert_int_equal(jp_get(lines[i], "seq")->num, i / 2 + 1);
		ifs = &jp_get(lines[i], "interfaces")->items[0];
		assert_string_equal(jp_str(ifs, "ifname"), "eth0");
		/* The agent's wall clock: the read time, as a number and as RFC 3339. */
		assert_null(jp_get(ifs, "timestamp_ns"));
		assert_true(jp_get(ifs, "timestamp_unix_ns")->num > 1.7e18);
	}
	assert_string_equal(jp_str(lines[0], "host"), "unix:/a");
	assert_string_equal(jp_str(lines[1], "host"), "unix:/b");
	assert_string_equal(jp_str(&jp_get(lines[0], "interfaces")->items[0], "time"),
			    "2025-11-26T09:40:00.223Z");
	assert_string_equal(jp_str(&jp_get(lines[3], "interfaces")->items[0], "time"),
			    "2025-11-26T09:40:02.123Z");
	free_lines(lines, n);
	harness_free(&r);
}

/* An agent restarting mid-watch: its stream breaks with UNAVAILABLE after two snapshots,
 * the next connection streams the rest. */
static void test_reconnect(void **state)
{
	Xdpfleet__V1__WatchStatsRequest *req;
	struct jp_value *lines[16];
	const struct fake_rpc_record *again;
	struct harness_run r;
	struct fleet f;
	size_t n, i, events = 0;

	(void)state;
	fleet_init(&f, 4, 4);
	fleet_break(&f, 1, 2);
	RUN(&r, "-H", "unix:/a,unix:/b", "-o", "json", "stats", "--count", "4");
	assert_int_equal(r.status, 0);
	/* Four whole ticks: b's snapshots 3 and 4 came over the second connection. */
	assert_int_equal(count_lines(r.out), 4);
	assert_int_equal(count_of(r.out, "{\"host\":\"unix:/b\",\"ok\":true"), 4);
	assert_non_null(strstr(r.out, "\"packets\":4000,"));
	assert_null(strstr(r.out, "\"ok\":false"));
	harness_check_contains(r.err, "xdpfleet stats: unix:/b: the stream broke (UNAVAILABLE: "
			       "Socket closed); reconnecting\n");
	harness_check_contains(r.err, "xdpfleet stats: unix:/b: reconnected after 0.");
	harness_check_contains(r.err, "s (1 attempt)\n");
	/* The second call went to b alone, asking for the snapshots still missing. */
	assert_int_equal(fake_rpc_last.calls, 2);
	again = &fake_rpc_calls[1];
	assert_int_equal(again->n_targets, 1);
	assert_string_equal(again->targets[0], "unix:/b");
	req = (Xdpfleet__V1__WatchStatsRequest *)again->req;
	assert_int_equal(req->count, 2);
	harness_free(&r);

	/* jsonl: the same, with an event object on each side of the outage. */
	fleet_init(&f, 4, 4);
	fleet_break(&f, 1, 2);
	RUN(&r, "-H", "unix:/a,unix:/b", "-o", "jsonl", "stats", "--watch");
	assert_int_equal(r.status, 0);
	n = parse_lines(r.out, lines, 16);
	assert_int_equal(n, 8 + 2);
	for (i = 0; i < n; i++) {
		const char *ev = jp_str(lines[i], "event");

		check_rfc3339(jp_str(lines[i], "time"));
		if (!ev)
			continue;
		assert_string_equal(jp_str(lines[i], "host"), "unix:/b");
		assert_null(jp_get(lines[i], "ok"));
		if (!events++) {
			assert_string_equal(ev, "disconnected");
			assert_string_equal(jp_str(lines[i], "code"), "UNAVAILABLE");
			assert_string_equal(jp_str(lines[i], "error"), "UNAVAILABLE: Socket closed");
			assert_int_equal(jp_get(lines[i], "retry_in_ms")->num, 200);
			/* b's lines before it: its first two snapshots. */
			for (size_t k = 0, seen = 0; k < i; k++)
				if (!strcmp(jp_str(lines[k], "host"), "unix:/b"))
					assert_int_equal(jp_get(lines[k], "seq")->num, ++seen);
		} else {
			assert_string_equal(ev, "reconnected");
			assert_int_equal(jp_get(lines[i], "attempts")->num, 1);
			assert_true(jp_get(lines[i], "down_ms")->num >= 190);
			/* b's next snapshot follows: its third. */
			assert_string_equal(jp_str(lines[i + 1], "host"), "unix:/b");
			assert_int_equal(jp_get(lines[i + 1], "seq")->num, 3);
		}
	}
	assert_int_equal(events, 2);
	free_lines(lines, n);
	harness_free(&r);
}

/* A --count watch gives up on a host that does not come back by its deadline; a host that
 * never answered is not retried at all. */
static void test_reconnect_gives_up(void **state)
{
	struct jp_value *lines[32];
	struct harness_run r;
	struct fleet f;
	size_t n;

	(void)state;
	fleet_init(&f, 3, 1);
	fleet_break(&f, 100, 1);
	RUN(&r, "-H", "unix:/a,unix:/b", "--timeout", "0.3", "-o", "jsonl", "stats", "--count", "3",
	    "--interval", "0.1");
	assert_int_equal(r.status, 1);
	harness_check_contains(r.err, "unix:/b: the stream broke (UNAVAILABLE: Socket closed); "
			       "reconnecting\n");
	assert_null(strstr(r.err, "reconnected"));
	harness_check_contains(r.err, "1 of 2 hosts failed:\n  unix:/b: UNAVAILABLE: Socket closed");
	/* Tried again (more than once) within the 0.6 s a --count 3 watch has. */
	assert_true(fake_rpc_last.calls >= 2 && fake_rpc_last.calls <= 4);
	n = parse_lines(r.out, lines, 32);
	/* a's 3, b's 1, the event, and b's end. */
	assert_int_equal(n, 6);
	assert_string_equal(jp_str(lines[n - 1], "host"), "unix:/b");
	assert_false(jp_get(lines[n - 1], "ok")->b);
	assert_string_equal(jp_str(lines[n - 1], "code"), "UNAVAILABLE");
	free_lines(lines, n);
	harness_free(&r);

	fleet_init(&f, 2, 0);
	f.hosts[1] = fake_rpc_dead;
	fake_rpc_set(f.hosts, 2);
	RUN(&r, "-H", "unix:/a,unix:/b", "-o", "json", "stats", "--count", "2");
	assert_int_equal(r.status, 1);
	assert_int_equal(fake_rpc_last.calls, 1);
	assert_null(strstr(r.err, "reconnecting"));
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
		cmocka_unit_test_setup_teardown(test_jsonl, fake_rpc_setup, fake_rpc_teardown),
		cmocka_unit_test_setup_teardown(test_reconnect, fake_rpc_setup, fake_rpc_teardown),
		cmocka_unit_test_setup_teardown(test_reconnect_gives_up, fake_rpc_setup,
						fake_rpc_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
