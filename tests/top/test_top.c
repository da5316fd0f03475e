// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of top talkers and mitigation without a kernel: entry deltas, sums per prefix and
 * ranking, coarser prefixes and protocols, the fleet merge of the CLI, and triggers (thresholds,
 * how long, refresh, protection, the end of a flood, events, the triggers file). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "api_limits.h"
#include "mitigate.h"
#include "output_top.h"
#include "top_table.h"

static struct top_entry entry(const char *v4, uint64_t packets, uint64_t since)
{
	struct top_entry e = { .family = 4, .plen = 32, .since = since, .packets = packets, .bytes = packets * 100 };
	struct cidr c;

	assert_int_equal(cidr_parse(v4, NULL, &c, NULL), 0);
	memcpy(e.key, c.addr, 4);
	e.verdict[TOP_V_PASS] = packets;
	e.proto[TOP_P_UDP] = packets;
	return e;
}

static void test_delta(void **state)
{
	struct top_entry a = entry("198.18.0.1", 100, 5), b = entry("198.18.0.1", 250, 5), d;

	(void)state;
	assert_true(top_entry_delta(&a, &b, &d));
	assert_int_equal(d.packets, 150);
	assert_int_equal(d.bytes, 15000);
	assert_int_equal(d.verdict[TOP_V_PASS], 150);
	/* Nothing new: no delta. */
	assert_false(top_entry_delta(&b, &b, &d));
	/* Taken by another source, or again by the same one later: counts from zero. */
	b = entry("198.18.0.2", 30, 5);
	assert_true(top_entry_delta(&a, &b, &d));
	assert_int_equal(d.packets, 30);
	b = entry("198.18.0.1", 30, 9);
	assert_true(top_entry_delta(&a, &b, &d));
	assert_int_equal(d.packets, 30);
	/* No earlier read, an empty entry. */
	assert_true(top_entry_delta(NULL, &a, &d));
	assert_int_equal(d.packets, 100);
	memset(&b, 0, sizeof(b));
	assert_false(top_entry_delta(&a, &b, &d));
}

static void test_sum_and_rank(void **state)
{
	struct top_entry es[] = {
		entry("198.18.0.1", 100, 1), entry("198.18.0.2", 5000, 1), entry("198.18.0.1", 300, 1), /* 2nd CPU */
		entry("198.18.0.3", 2000, 1),
	};
	struct top_source *s;
	struct top_acc acc;
	char a[CIDR_STR_MAX];

	(void)state;
	assert_int_equal(top_acc_init(&acc), 0);
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(top_acc_add_entry(&acc, &es[i]), 0);
	assert_int_equal(acc.srcs.n, 3);
	s = acc.srcs.v;
	top_rates(s, acc.srcs.n, 0.5);
	top_rank(s, acc.srcs.n);
	cidr_format(&s[0].src, a, sizeof(a));
	assert_string_equal(a, "198.18.0.2/32");
	assert_true(s[0].pps == 10000.0);
	cidr_format(&s[1].src, a, sizeof(a));
	assert_string_equal(a, "198.18.0.3/32");
	cidr_format(&s[2].src, a, sizeof(a));
	assert_string_equal(a, "198.18.0.1/32");
	assert_int_equal(s[2].packets, 400);
	assert_true(s[2].bps == 400 * 100 * 8 / 0.5);
	/* A bad entry is refused, not counted. */
	es[0].family = 5;
	assert_int_equal(top_acc_add_entry(&acc, &es[0]), -EINVAL);
	top_acc_free(&acc);
}

static void test_aggregate(void **state)
{
	struct top_source in[3] = { 0 }, *out;
	size_t n;
	char a[CIDR_STR_MAX];

	(void)state;
	cidr_parse("198.18.0.1/32", NULL, &in[0].src, NULL);
	cidr_parse("198.18.0.2/32", NULL, &in[1].src, NULL);
	cidr_parse("198.18.1.2/32", NULL, &in[2].src, NULL);
	in[0].packets = 100, in[0].pps = 100, in[0].proto[TOP_P_UDP] = 100;
	in[1].packets = 200, in[1].pps = 200, in[1].proto[TOP_P_TCP] = 200;
	in[2].packets = 250, in[2].pps = 250, in[2].proto[TOP_P_UDP] = 50, in[2].proto[TOP_P_TCP] = 200;
	assert_int_equal(top_aggregate(in, 3, 24, 64, 0, &out, &n), 0);
	assert_int_equal(n, 2);
	cidr_format(&out[0].src, a, sizeof(a));
	assert_string_equal(a, "198.18.0.0/24");
	assert_true(out[0].pps == 300);
	free(out);
	/* Only UDP counts: 198.18.0.1 (100) beats 198.18.1.2 (50 of 250). */
	assert_int_equal(top_aggregate(in, 3, 32, 64, 17, &out, &n), 0);
	assert_int_equal(n, 2);
	cidr_format(&out[0].src, a, sizeof(a));
	assert_string_equal(a, "198.18.0.1/32");
	assert_true(out[1].pps == 50);
	free(out);
}

static void test_fleet_merge(void **state)
{
	Xdpfleet__V1__TopSource s[4];
	Xdpfleet__V1__TopSource *l1[] = { &s[0], &s[1] }, *l2[] = { &s[2] }, *l3[] = { &s[3] };
	Xdpfleet__V1__InterfaceTop i1 = XDPFLEET__V1__INTERFACE_TOP__INIT, i2 = XDPFLEET__V1__INTERFACE_TOP__INIT,
				   i3 = XDPFLEET__V1__INTERFACE_TOP__INIT;
	Xdpfleet__V1__InterfaceTop *h1[] = { &i1, &i3 }, *h2[] = { &i2 };
	Xdpfleet__V1__WatchTopResponse r1 = XDPFLEET__V1__WATCH_TOP_RESPONSE__INIT,
				       r2 = XDPFLEET__V1__WATCH_TOP_RESPONSE__INIT;
	const Xdpfleet__V1__WatchTopResponse *msgs[] = { &r1, NULL, &r2 };
	struct top_merged *m;
	size_t n;

	(void)state;
	for (int i = 0; i < 4; i++)
		xdpfleet__v1__top_source__init(&s[i]);
	s[0].src = "198.18.0.1/32", s[0].pps = 100;
	s[1].src = "198.18.0.2/32", s[1].pps = 300;
	s[2].src = "198.18.0.1/32", s[2].pps = 250;
	s[3].src = "198.18.0.1/32", s[3].pps = 1; /* host 1's second interface */
	i1.sources = l1, i1.n_sources = 2;
	i2.sources = l2, i2.n_sources = 1;
	i3.sources = l3, i3.n_sources = 1;
	r1.interfaces = h1, r1.n_interfaces = 2;
	r2.interfaces = h2, r2.n_interfaces = 1;
	assert_int_equal(output_top_merge(msgs, 3, &m, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(m[0].src, "198.18.0.1/32");
	assert_true(m[0].pps == 351);
	assert_int_equal(m[0].hosts, 2);
	assert_string_equal(m[1].src, "198.18.0.2/32");
	assert_int_equal(m[1].hosts, 1);
	free(m);
}

/* The fake policy: rules added, by source. */
struct fake {
	int adds;
	struct rules_spec last;
	char comment[API_COMMENT_MAX];
	int fail;
};

static int fake_add(void *ctx, const struct mit_trigger *t, const struct rules_spec *spec, const char *comment,
		    uint64_t *rule_id, char *err, size_t errlen)
{
	struct fake *f = ctx;

	(void)t;
	if (f->fail)
		return snprintf(err, errlen, "engine full"), -ENOSPC;
	f->adds++;
	f->last = *spec;
	snprintf(f->comment, sizeof(f->comment), "%s", comment);
	*rule_id = 40 + (uint64_t)f->adds;
	return 0;
}

static struct top_source src(const char *c, double pps)
{
	struct top_source s = { .pps = pps, .bps = pps * 800, .packets = (uint64_t)pps / 2 };

	assert_int_equal(cidr_parse(c, NULL, &s.src, NULL), 0);
	s.proto[TOP_P_UDP] = s.packets;
	return s;
}

#define SEC 1000000000ull
#define HALF (SEC / 2)

static size_t events_of(struct mitigate *m, enum mit_event_kind k)
{
	struct mit_event ev[64];
	uint64_t lost;
	size_t n = mitigate_events(m, 0, ev, 64, &lost), c = 0;

	for (size_t i = 0; i < n; i++)
		c += ev[i].kind == k;
	return c;
}

static void test_trigger(void **state)
{
	struct lockout lo = { .n_protect = 1 };
	struct fake fk = { 0 };
	struct mitigate_opts o = { .lockout = &lo, .add = fake_add, .ctx = &fk };
	struct mit_trigger t = { .pps = 5000, .ttl_seconds = 60, .for_seconds = 2 };
	struct top_source s[3];
	struct mitigate *m;
	char err[256];
	uint64_t now = 100 * SEC;

	(void)state;
	cidr_parse("198.18.9.0/24", NULL, &lo.protect[0], NULL);
	assert_int_equal(mitigate_open(&m, &o, err, sizeof(err)), 0);
	assert_int_equal(mitigate_add(m, &t, err, sizeof(err)), 0);
	assert_int_equal(t.id, 1);
	s[0] = src("198.18.0.7/32", 20000);
	s[1] = src("198.18.0.8/32", 100);
	s[2] = src("198.18.9.1/32", 50000);
	/* Over for 0.5 s, 1 s, 1.5 s: nothing yet; at 2 s the flood gets its rule, the light
	 * source never, the protected one is refused once. */
	for (int i = 0; i < 3; i++, now += HALF)
		mitigate_eval(m, s, 3, now, HALF);
	assert_int_equal(fk.adds, 0);
	mitigate_eval(m, s, 3, now, HALF);
	assert_int_equal(fk.adds, 1);
	assert_true(fk.last.has_src && fk.last.action == RULES_ACT_DROP);
	assert_int_equal(fk.last.src.addr[3], 7);
	assert_non_null(strstr(fk.comment, "trigger 1: 20000 pps"));
	assert_int_equal(events_of(m, MIT_EV_ADDED), 1);
	assert_int_equal(events_of(m, MIT_EV_REFUSED), 1);
	assert_int_equal(mitigate_at(m, 0)->refused, 1);
	/* Refreshed every second while it lasts, one event only. */
	for (int i = 0; i < 4; i++) {
		now += HALF;
		mitigate_eval(m, s, 3, now, HALF);
	}
	assert_int_equal(fk.adds, 3);
	assert_int_equal(events_of(m, MIT_EV_ADDED), 1);
	assert_int_equal(events_of(m, MIT_EV_REFUSED), 1);
	assert_int_equal(mitigate_at(m, 0)->active, 1);
	/* The flood ends: an event, no more refreshes; it must be over for 2 s again. */
	now += HALF;
	mitigate_eval(m, s + 1, 1, now, HALF);
	assert_int_equal(events_of(m, MIT_EV_ENDED), 1);
	assert_int_equal(mitigate_at(m, 0)->active, 0);
	now += HALF;
	mitigate_eval(m, s, 1, now, HALF);
	assert_int_equal(fk.adds, 3);
	/* A policy error is an event, not a crash. */
	fk.fail = 1;
	for (int i = 0; i < 4; i++, now += HALF)
		mitigate_eval(m, s, 1, now, HALF);
	assert_int_equal(events_of(m, MIT_EV_FAILED), 1);
	mitigate_close(m);
}

static void test_trigger_client_prefix_proto(void **state)
{
	struct fake fk = { 0 };
	struct mitigate_opts o = { .add = fake_add, .ctx = &fk };
	struct mit_trigger t = { .pps = 1000, .ttl_seconds = 10, .plen4 = 24, .proto = 17, .port = 53, .has_client = true };
	struct top_source s[2];
	struct mitigate *m;
	char err[256];

	(void)state;
	cidr_parse("198.18.5.9", NULL, &t.client, NULL);
	assert_int_equal(mitigate_open(&m, &o, err, sizeof(err)), 0);
	assert_int_equal(mitigate_add(m, &t, err, sizeof(err)), 0);
	/* Two sources of one /24 under the threshold each, over it together. */
	s[0] = src("198.18.7.1/32", 600);
	s[1] = src("198.18.7.2/32", 600);
	mitigate_eval(m, s, 2, 10 * SEC, SEC);
	assert_int_equal(fk.adds, 1);
	assert_int_equal(fk.last.src.plen, 24);
	assert_int_equal(fk.last.proto, 17);
	assert_true(fk.last.has_ports && fk.last.port_min == 53 && fk.last.port_max == 53);
	/* The client's /24: refused, whatever the protocol. */
	s[0] = src("198.18.5.1/32", 5000);
	mitigate_eval(m, s, 1, 11 * SEC, SEC);
	assert_int_equal(fk.adds, 1);
	assert_int_equal(events_of(m, MIT_EV_REFUSED), 1);
	/* A bps threshold: the source with fewer but bigger packets is the one over it. */
	{
		struct mit_trigger tb = { .bps = 8000000, .ttl_seconds = 10 };
		struct top_source b[2] = { src("198.18.6.1/32", 20000), src("198.18.6.2/32", 2000) };

		b[0].bps = 1000000;
		b[1].bps = 12000000;
		for (int k = 0; k < 2; k++) /* TCP: the UDP trigger above stays out of it */
			b[k].proto[TOP_P_TCP] = b[k].packets, b[k].proto[TOP_P_UDP] = 0;
		assert_int_equal(mitigate_add(m, &tb, err, sizeof(err)), 0);
		mitigate_eval(m, b, 2, 11 * SEC + HALF, SEC);
		assert_int_equal(fk.adds, 2);
		assert_int_equal(fk.last.src.addr[3], 2);
		assert_int_equal(mitigate_delete(m, &tb.id, 1, false, &(size_t){ 0 }, err, sizeof(err)), 0);
	}
	/* TCP traffic does not count for a UDP trigger. */
	s[0] = src("198.18.8.1/32", 5000);
	s[0].proto[TOP_P_UDP] = 0;
	s[0].proto[TOP_P_TCP] = s[0].packets;
	mitigate_eval(m, s, 1, 12 * SEC, SEC);
	assert_int_equal(fk.adds, 2); /* the bps trigger's only */
	mitigate_close(m);
}

static void test_trigger_checks_and_store(void **state)
{
	char dir[] = "/tmp/xf-top-test-XXXXXX", path[256], err[256];
	struct fake fk = { 0 };
	struct mitigate_opts o = { .add = fake_add, .ctx = &fk };
	struct mit_trigger t = { .pps = 10, .ttl_seconds = 60 }, bad;
	struct mitigate *m;
	uint64_t ids[] = { 1, 99 };
	size_t deleted;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/triggers", dir);
	o.state_file = path;
	assert_int_equal(mitigate_open(&m, &o, err, sizeof(err)), 0);
	bad = t, bad.pps = 0;
	assert_int_equal(mitigate_add(m, &bad, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "pps"));
	bad = t, bad.ttl_seconds = 0;
	assert_int_equal(mitigate_add(m, &bad, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "ttl_seconds"));
	bad = t, bad.action = RULES_ACT_LIMIT;
	assert_int_equal(mitigate_add(m, &bad, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "limit_pps"));
	assert_int_equal(mitigate_count(m), 0);
	/* With and without the optional fields. */
	assert_int_equal(mitigate_add(m, &t, err, sizeof(err)), 0);
	t = (struct mit_trigger){ .pps = 9, .bps = 1000000, .proto = 6, .port = 443, .plen4 = 16, .plen6 = 48,
				  .action = RULES_ACT_LIMIT, .limit_pps = 5, .ttl_seconds = 7, .for_seconds = 3,
				  .has_client = true };
	cidr_parse("2001:db8::5", NULL, &t.client, NULL);
	assert_int_equal(mitigate_add(m, &t, err, sizeof(err)), 0);
	mitigate_close(m);
	assert_int_equal(mitigate_open(&m, &o, err, sizeof(err)), 0);
	assert_int_equal(mitigate_count(m), 2);
	assert_int_equal(mitigate_at(m, 0)->plen4, 32);
	assert_false(mitigate_at(m, 0)->has_client);
	assert_int_equal(mitigate_at(m, 1)->port, 443);
	assert_int_equal(mitigate_at(m, 1)->limit_pps, 5);
	assert_int_equal(mitigate_at(m, 1)->plen6, 48);
	assert_true(mitigate_at(m, 1)->has_client && mitigate_at(m, 1)->client.family == 6);
	/* Ids go on after a restart; a delete with an unknown id deletes nothing. */
	t = (struct mit_trigger){ .pps = 1, .ttl_seconds = 1 };
	assert_int_equal(mitigate_add(m, &t, err, sizeof(err)), 0);
	assert_int_equal(t.id, 3);
	assert_int_equal(mitigate_delete(m, ids, 2, false, &deleted, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "ids[1]: no trigger 99"));
	assert_int_equal(mitigate_count(m), 3);
	assert_int_equal(mitigate_delete(m, ids, 1, false, &deleted, err, sizeof(err)), 0);
	assert_int_equal(deleted, 1);
	mitigate_close(m);
	/* A damaged file is refused naming its line. */
	f = fopen(path, "a");
	fputs("T 9 x\n", f);
	fclose(f);
	assert_int_equal(mitigate_open(&m, &o, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, ":4:"));
	unlink(path);
	rmdir(dir);
}

static void test_events_ring(void **state)
{
	struct mitigate_opts o = { 0 };
	struct mit_trigger t = { .pps = 1, .ttl_seconds = 1 };
	struct mit_event ev[8];
	struct mitigate *m;
	uint64_t lost;
	char err[256];
	size_t n;

	(void)state;
	assert_int_equal(mitigate_open(&m, &o, err, sizeof(err)), 0);
	for (int i = 0; i < MIT_EVENTS_MAX + 10 && mitigate_count(m) < MIT_TRIGGERS_MAX; i++) {
		size_t deleted;

		assert_int_equal(mitigate_add(m, &t, err, sizeof(err)), 0);
		assert_int_equal(mitigate_delete(m, &t.id, 1, false, &deleted, err, sizeof(err)), 0);
	}
	assert_int_equal(mitigate_last_seq(m), 2 * (MIT_EVENTS_MAX + 10));
	n = mitigate_events(m, 0, ev, 8, &lost);
	assert_int_equal(n, 8);
	assert_int_equal(lost, mitigate_last_seq(m) - MIT_EVENTS_MAX);
	assert_int_equal(ev[0].seq, lost + 1);
	n = mitigate_events(m, mitigate_last_seq(m) - 1, ev, 8, &lost);
	assert_int_equal(n, 1);
	assert_int_equal(lost, 0);
	assert_int_equal(ev[0].kind, MIT_EV_TRIGGER_DELETED);
	assert_int_equal(mitigate_event_count(m, MIT_EV_TRIGGER_ADDED), MIT_EVENTS_MAX + 10);
	mitigate_close(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_delta),
		cmocka_unit_test(test_sum_and_rank),
		cmocka_unit_test(test_aggregate),
		cmocka_unit_test(test_fleet_merge),
		cmocka_unit_test(test_trigger),
		cmocka_unit_test(test_trigger_client_prefix_proto),
		cmocka_unit_test(test_trigger_checks_and_store),
		cmocka_unit_test(test_events_ring),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
