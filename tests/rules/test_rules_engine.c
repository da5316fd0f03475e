// SPDX-License-Identifier: GPL-2.0-only
/* Rule engine behaviour through the loaded test program: precedence, refusals that leave no
 * trace, rollback of a kernel failure midway, duplicates, limit budgets, non-IP, pinned maps. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "rules_fixture.h"
#include "rules_pkt.h"
#include "bpf/xdp_filter.skel.h"
#include "bpf/xdp_rules_test.skel.h"

static struct rules_spec mk(const char *action, const char *src, const char *proto,
			    const char *ports, uint64_t pps)
{
	struct rules_spec s = { 0 };

	assert_int_equal(rules_parse_action(action, &s.action), 0);
	if (src) {
		assert_int_equal(cidr_parse(src, NULL, &s.src, NULL), 0);
		s.has_src = true;
	}
	assert_int_equal(rules_parse_proto(proto ? proto : "any", &s.proto), 0);
	if (ports) {
		assert_int_equal(rules_parse_ports(ports, &s.port_min, &s.port_max), 0);
		s.has_ports = true;
	}
	s.limit_pps = pps;
	return s;
}

static uint32_t add(struct rules_fixture *f, struct rules_spec s)
{
	struct rules_error err = { 0 };
	uint32_t slot;
	int ret = rules_compile_add(f->eng, &s, 1, NULL, &slot, NULL, &err);

	if (ret)
		fail_msg("add: %d %s", ret, err.msg);
	return slot;
}

/* Sends one tcp/udp/icmp frame from src; returns the verdict, *slot the winner. */
static uint32_t send_pkt(struct rules_fixture *f, const char *src, uint8_t proto, uint16_t dport,
			 uint32_t *slot)
{
	struct rules_pkt_spec s = { .proto = proto, .dport = dport };
	uint8_t buf[RULES_PKT_MAX];
	struct rules_pkt_meta m;
	uint32_t verdict, sl;
	size_t len;

	s.family = strchr(src, ':') ? 6 : 4;
	assert_int_equal(inet_pton(s.family == 4 ? AF_INET : AF_INET6, src, s.src), 1);
	len = rules_pkt_build(&s, buf, &m);
	assert_int_equal(rules_fixture_run(f, buf, len, &verdict, &sl), 0);
	if (slot)
		*slot = sl;
	return verdict;
}

static int setup(void **state)
{
	struct rules_maps_opts o = { .max_rules = 1024 };
	struct rules_fixture *f = calloc(1, sizeof(*f));

	if (!f || rules_fixture_open(f, &o))
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	rules_fixture_close(*state);
	free(*state);
	return 0;
}

static void test_precedence(void **state)
{
	struct rules_fixture *f = *state;
	uint32_t drop8, drop24, allow, lim, mon, port, slot;

	mon = add(f, mk("monitor", "10.0.0.0/8", NULL, NULL, 0));
	assert_int_equal(send_pkt(f, "10.1.2.3", 6, 80, &slot), XDP_PASS);
	assert_int_equal(slot, mon);
	lim = add(f, mk("limit", "10.1.0.0/16", NULL, NULL, 1000000));
	assert_int_equal(send_pkt(f, "10.1.2.3", 6, 80, &slot), XDP_PASS);
	assert_int_equal(slot, lim); /* limit beats monitor */
	drop8 = add(f, mk("drop", "10.0.0.0/8", NULL, NULL, 0));
	assert_int_equal(send_pkt(f, "10.1.2.3", 6, 80, &slot), XDP_DROP);
	assert_int_equal(slot, drop8); /* drop beats a more specific limit */
	drop24 = add(f, mk("drop", "10.1.2.0/24", NULL, NULL, 0));
	assert_int_equal(send_pkt(f, "10.1.2.3", 6, 80, &slot), XDP_DROP);
	assert_int_equal(slot, drop24); /* most specific drop gets the hit */
	port = add(f, mk("drop", "10.1.2.0/24", "tcp", "80", 0));
	assert_int_equal(send_pkt(f, "10.1.2.3", 6, 80, &slot), XDP_DROP);
	assert_int_equal(slot, port); /* same prefix: the narrower match */
	assert_int_equal(send_pkt(f, "10.1.2.3", 17, 80, &slot), XDP_DROP);
	assert_int_equal(slot, drop24);
	allow = add(f, mk("allow", NULL, "tcp", "80", 0));
	assert_int_equal(send_pkt(f, "10.1.2.3", 6, 80, &slot), XDP_PASS);
	assert_int_equal(slot, allow); /* allow exempts from everything */
	assert_int_equal(send_pkt(f, "10.1.2.3", 6, 81, &slot), XDP_DROP);
	assert_int_equal(send_pkt(f, "11.1.2.3", 6, 81, &slot), XDP_PASS);
	assert_int_equal(slot, RULES_SLOT_NONE);
	assert_int_equal(rules_compile_flush(f->eng, RULES_ACT_DROP, NULL), 0);
	assert_int_equal(send_pkt(f, "10.1.2.3", 6, 81, &slot), XDP_PASS);
	assert_int_equal(slot, lim);
}

static void test_v6_nesting(void **state)
{
	struct rules_fixture *f = *state;
	uint32_t a, b, c, slot;

	a = add(f, mk("drop", "2001:db8::/32", NULL, NULL, 0));
	b = add(f, mk("drop", "2001:db8:1:2::/64", NULL, NULL, 0));
	c = add(f, mk("drop", "2001:db8:1:2::7", NULL, NULL, 0));
	send_pkt(f, "2001:db8:1:2::7", 17, 53, &slot);
	assert_int_equal(slot, c);
	send_pkt(f, "2001:db8:1:2::8", 17, 53, &slot);
	assert_int_equal(slot, b);
	send_pkt(f, "2001:db8:1:3::7", 17, 53, &slot);
	assert_int_equal(slot, a);
	assert_int_equal(send_pkt(f, "2001:db9::1", 17, 53, &slot), XDP_PASS);
	assert_int_equal(rules_compile_delete(f->eng, &b, 1, NULL), 0);
	send_pkt(f, "2001:db8:1:2::8", 17, 53, &slot);
	assert_int_equal(slot, a);
	send_pkt(f, "2001:db8:1:2::7", 17, 53, &slot);
	assert_int_equal(slot, c);
}

static void test_refusals_leave_no_trace(void **state)
{
	struct rules_fixture *f = *state;
	struct rules_spec specs[20];
	struct rules_error err = { 0 };
	uint32_t slots[20], slot;
	char ports[16];

	for (int i = 0; i < 20; i++) {
		snprintf(ports, sizeof(ports), "%d", 1000 + i);
		specs[i] = mk("drop", "192.0.2.0/24", "udp", ports, 0);
	}
	/* An invalid entry anywhere: nothing applied, its index and field named. */
	specs[3].has_ports = true, specs[3].proto = 0;
	assert_int_equal(rules_compile_add(f->eng, specs, 5, NULL, slots, NULL, &err), -EINVAL);
	assert_int_equal(err.index, 3);
	assert_int_equal(err.field, RULES_FIELD_PORTS);
	assert_int_equal(rules_compile_count(f->eng), 0);
	specs[3].proto = 17;
	/* More rules on one address than an entry holds: refused, nothing applied. */
	assert_int_equal(rules_compile_add(f->eng, specs, 20, NULL, slots, NULL, &err), -E2BIG);
	assert_non_null(strstr(err.msg, "192.0.2"));
	assert_int_equal(rules_compile_count(f->eng), 0);
	assert_int_equal(send_pkt(f, "192.0.2.1", 17, 1000, &slot), XDP_PASS);
	assert_int_equal(slot, RULES_SLOT_NONE);
	assert_int_equal(rules_compile_add(f->eng, specs, RULES_MAX_PER_ENTRY, NULL, slots, NULL, &err), 0);
	assert_int_equal(send_pkt(f, "192.0.2.1", 17, 1000, &slot), XDP_DROP);
	assert_int_equal(slot, slots[0]);
	assert_int_equal(rules_compile_delete(f->eng, (uint32_t[]){ 999 }, 1, &err), -ENOENT);
}

static void test_duplicates(void **state)
{
	struct rules_fixture *f = *state;
	struct rules_spec s[3] = { mk("drop", "198.51.100.0/24", NULL, NULL, 0),
				   mk("drop", "198.51.100.0/24", NULL, NULL, 0),
				   mk("monitor", "198.51.100.0/24", NULL, NULL, 0) };
	uint32_t slots[3], again;
	bool dup[3];

	assert_int_equal(rules_compile_add(f->eng, s, 3, NULL, slots, dup, NULL), 0);
	assert_false(dup[0]);
	assert_true(dup[1]);
	assert_false(dup[2]);
	assert_int_equal(slots[0], slots[1]);
	assert_int_equal(rules_compile_count(f->eng), 2);
	assert_int_equal(rules_compile_find(f->eng, &s[2], &again), 0);
	assert_int_equal(again, slots[2]);
}

/* A failure midway (no trie node left for the IPv6 part after the IPv4 part was written) is
 * undone. */
static void test_rollback_on_kernel_failure(void **state)
{
	struct rules_maps_opts o = { .max_rules = 1024, .max_nodes = 4 };
	struct rules_spec specs[12];
	struct rules_fixture f;
	uint32_t slots[12], slot, before;
	char src[64];
	int ret;

	(void)state;
	assert_int_equal(rules_fixture_open(&f, &o), 0);
	before = add(&f, mk("monitor", "203.0.113.0/24", NULL, NULL, 0));
	specs[0] = mk("drop", "203.0.113.128/25", NULL, NULL, 0);
	specs[1] = mk("drop", "198.18.0.0/15", NULL, NULL, 0);
	for (int i = 2; i < 12; i++) {
		snprintf(src, sizeof(src), "2001:db8:%x::1", i);
		specs[i] = mk("drop", src, NULL, NULL, 0);
	}
	ret = rules_compile_add(f.eng, specs, 12, NULL, slots, NULL, NULL);
	assert_int_equal(ret, -ENOSPC);
	assert_int_equal(rules_compile_count(f.eng), 1);
	assert_int_equal(send_pkt(&f, "203.0.113.200", 6, 1, &slot), XDP_PASS);
	assert_int_equal(slot, before);
	assert_int_equal(send_pkt(&f, "198.18.5.5", 6, 1, &slot), XDP_PASS);
	assert_int_equal(slot, RULES_SLOT_NONE);
	assert_int_equal(send_pkt(&f, "2001:db8:2::1", 6, 1, &slot), XDP_PASS);
	assert_int_equal(slot, RULES_SLOT_NONE);
	/* And the engine still works: the IPv4 part alone goes in. */
	assert_int_equal(rules_compile_add(f.eng, specs, 2, NULL, slots, NULL, NULL), 0);
	assert_int_equal(send_pkt(&f, "203.0.113.200", 6, 1, &slot), XDP_DROP);
	assert_int_equal(slot, slots[0]);
	assert_int_equal(send_pkt(&f, "203.0.113.1", 6, 1, &slot), XDP_PASS);
	assert_int_equal(slot, before);
	rules_fixture_close(&f);
}

static void test_limit_and_counters(void **state)
{
	struct rules_fixture *f = *state;
	uint32_t lim = add(f, mk("limit", "100.64.0.0/10", "udp", NULL, 5));
	uint32_t passed = 0, dropped = 0, slot;
	struct rules_stats st;

	for (int i = 0; i < 50; i++) {
		if (send_pkt(f, "100.64.1.1", 17, 53, &slot) == XDP_PASS)
			passed++;
		else
			dropped++;
		assert_int_equal(slot, lim);
	}
	/* Burst of 5, plus whatever refilled while the loop ran (well under a second). */
	assert_in_range(passed, 5, 7);
	/* Budgets are per source: another address has its own. */
	assert_int_equal(send_pkt(f, "100.64.1.2", 17, 53, &slot), XDP_PASS);
	assert_int_equal(rules_compile_stats(f->eng, lim, &st), 0);
	assert_int_equal(st.packets, 51);
	assert_int_equal(st.dropped, dropped);
	assert_true(st.last_hit_ns > 0);
	/* A new limit rule in the same slot starts with a full budget, not the old bucket. */
	assert_int_equal(rules_compile_delete(f->eng, &lim, 1, NULL), 0);
	assert_int_equal(add(f, mk("limit", "100.64.0.0/10", "udp", NULL, 5)), lim);
	for (int i = 0; i < 5; i++)
		assert_int_equal(send_pkt(f, "100.64.1.1", 17, 53, &slot), XDP_PASS);
}

static void test_non_ip_passes(void **state)
{
	struct rules_fixture *f = *state;
	struct rules_pkt_spec s = { .l2 = RULES_PKT_ARP };
	uint8_t buf[RULES_PKT_MAX];
	struct rules_pkt_meta m;
	uint32_t verdict, slot;
	size_t len;

	add(f, mk("drop", NULL, NULL, NULL, 0));
	assert_int_equal(send_pkt(f, "192.0.2.1", 1, 0, &slot), XDP_DROP);
	len = rules_pkt_build(&s, buf, &m);
	assert_int_equal(rules_fixture_run(f, buf, len, &verdict, &slot), 0);
	assert_int_equal(verdict, XDP_PASS);
	assert_int_equal(slot, RULES_SLOT_NONE);
	s.l2 = RULES_PKT_LLDP;
	len = rules_pkt_build(&s, buf, &m);
	assert_int_equal(rules_fixture_run(f, buf, len, &verdict, &slot), 0);
	assert_int_equal(verdict, XDP_PASS);
}

static void snapshot(const struct rules_fixture *f, struct rules_snap *s)
{
	assert_int_equal(rules_fixture_snapshot(f, s), 0);
}

static void assert_same(const struct rules_snap *a, const struct rules_snap *b)
{
	assert_true(rules_snap_equal(a, b));
}

/* Pinned maps outlive the agent: a program loaded later still drops; restoring the saved rules
 * into their slots rewrites nothing (no window where a dropped source passes); pruning removes
 * what was not restored; counters survive. */
static void test_pins_restart(void **state)
{
	char dir[] = "/sys/fs/bpf/xdpfleet-rules-test-XXXXXX";
	struct rules_maps_opts o = { .max_rules = 1024 };
	struct rules_spec specs[6] = {
		mk("drop", "192.0.2.0/24", NULL, NULL, 0),
		mk("monitor", "198.51.100.16/28", NULL, NULL, 0),
		mk("drop", "2001:db8:1::/48", NULL, NULL, 0),
		mk("allow", "2001:db8:1::9", NULL, NULL, 0),
		mk("monitor", NULL, "tcp", "22", 0),
		mk("limit", "203.0.113.0/24", "udp", NULL, 100),
	};
	struct rules_add_opts ao;
	struct rules_fixture f;
	struct rules_snap before, after;
	struct rules_stats st;
	uint32_t slots[6], back[6], s2;

	(void)state;
	if (!mkdtemp(dir))
		skip();
	o.pin_dir = dir;
	assert_int_equal(rules_fixture_open(&f, &o), 0);
	assert_false(f.maps.reused);
	assert_int_equal(rules_compile_add(f.eng, specs, 6, NULL, slots, NULL, NULL), 0);
	assert_int_equal(send_pkt(&f, "192.0.2.9", 6, 1, &s2), XDP_DROP);
	snapshot(&f, &before);
	rules_fixture_close(&f);

	assert_int_equal(rules_fixture_open(&f, &o), 0);
	assert_true(f.maps.reused);
	assert_int_equal(send_pkt(&f, "192.0.2.9", 6, 1, &s2), XDP_DROP);
	assert_int_equal(s2, slots[0]);
	ao.slots = slots;
	assert_int_equal(rules_compile_add(f.eng, specs, 6, &ao, back, NULL, NULL), 0);
	assert_memory_equal(back, slots, sizeof(slots));
	snapshot(&f, &after);
	assert_same(&before, &after);
	assert_int_equal(rules_compile_prune(f.eng, NULL), 0);
	rules_snap_free(&after);
	snapshot(&f, &after);
	assert_same(&before, &after);
	assert_int_equal(rules_compile_stats(f.eng, slots[0], &st), 0);
	assert_int_equal(st.packets, 2);
	rules_fixture_close(&f);
	rules_snap_free(&after);

	/* The /24 drop was deleted but never saved: restore the others, prune, it is gone. */
	assert_int_equal(rules_fixture_open(&f, &o), 0);
	ao.slots = slots + 1;
	assert_int_equal(rules_compile_add(f.eng, specs + 1, 5, &ao, back, NULL, NULL), 0);
	assert_int_equal(rules_compile_prune(f.eng, NULL), 0);
	assert_int_equal(send_pkt(&f, "192.0.2.9", 6, 1, &s2), XDP_PASS);
	assert_int_equal(s2, RULES_SLOT_NONE);
	assert_int_equal(send_pkt(&f, "198.51.100.20", 6, 1, &s2), XDP_PASS);
	assert_int_equal(s2, slots[1]);
	assert_int_equal(send_pkt(&f, "2001:db8:1::8", 6, 1, &s2), XDP_DROP);
	assert_int_equal(send_pkt(&f, "2001:db8:1::9", 6, 1, &s2), XDP_PASS);
	assert_int_equal(s2, slots[3]);
	assert_int_equal(send_pkt(&f, "10.9.9.9", 6, 22, &s2), XDP_PASS);
	assert_int_equal(s2, slots[4]);
	rules_fixture_close(&f);
	rules_snap_free(&before);
	assert_int_equal(rules_maps_unpin(dir), 0);
	rmdir(dir);
}


static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* Hits are stamped with jiffies in the kernel and reported on CLOCK_MONOTONIC. */
static void test_last_hit_clock(void **state)
{
	struct rules_fixture *f = *state;
	uint32_t slot = add(f, mk("drop", "198.18.7.0/24", NULL, NULL, 0)), s;
	struct rules_stats st;
	uint64_t before = mono_ns(), after;

	assert_int_equal(send_pkt(f, "198.18.7.1", 6, 1, &s), XDP_DROP);
	after = mono_ns();
	assert_int_equal(rules_compile_stats(f->eng, slot, &st), 0);
	assert_int_equal(st.packets, 1);
	/* Tick resolution (at most 10 ms at HZ=100) on either side. */
	assert_true(st.last_hit_ns + 20000000ULL >= before && st.last_hit_ns <= after + 20000000ULL);
}

static int make_pin_dir(char *dir)
{
	return mkdtemp(dir) ? 0 : -errno;
}

static void pin_legacy(const char *dir, const char *name, enum bpf_map_type type, uint32_t ksz,
		       uint32_t vsz, uint32_t n, int *fd_out)
{
	char path[256];
	int fd = bpf_map_create(type, name, ksz, vsz, n, NULL);

	assert_true(fd >= 0);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_int_equal(bpf_obj_pin(fd, path), 0);
	if (fd_out)
		*fd_out = fd;
	else
		close(fd);
}

static bool exists(const char *dir, const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return !access(path, F_OK);
}

/* Pins of the earlier fixed-size layout: the counters come over (with their last hit), the old
 * pins go once the new set is pinned, and the rules come back into their slots. */
static void test_migrate_legacy_pins(void **state)
{
	char dir[] = "/sys/fs/bpf/xdpfleet-rules-legacy-XXXXXX";
	struct rules_maps_opts o = { .max_rules = 1024 };
	int ncpus = libbpf_num_possible_cpus(), cfd;
	struct rules_counter *per = calloc((size_t)ncpus, sizeof(*per));
	struct rules_spec specs[2] = { mk("drop", "198.18.8.0/24", NULL, NULL, 0),
				       mk("monitor", "2001:db8:8::/48", NULL, NULL, 0) };
	uint32_t want[2] = { 3, 7 }, got[2], slot, key = 3;
	struct rules_add_opts ao = { .slots = want };
	uint64_t hit = mono_ns() - 1000000000ULL;
	struct rules_fixture f;
	struct rules_stats st;

	(void)state;
	assert_non_null(per);
	if (make_pin_dir(dir))
		skip();
	o.pin_dir = dir;
	pin_legacy(dir, "rules_v4_l1", BPF_MAP_TYPE_ARRAY, 4, 4, 16, NULL);
	pin_legacy(dir, "rules_entries", BPF_MAP_TYPE_ARRAY, 4, 68, 16, NULL);
	pin_legacy(dir, "rules_info", BPF_MAP_TYPE_ARRAY, 4, 16, 16, NULL);
	pin_legacy(dir, "rules_counters", BPF_MAP_TYPE_PERCPU_ARRAY, 4, 32, 16, &cfd);
	per[0] = (struct rules_counter){ .packets = 5, .bytes = 500, .last_hit = hit };
	assert_int_equal(bpf_map_update_elem(cfd, &key, per, BPF_ANY), 0);
	key = 7;
	per[0] = (struct rules_counter){ .packets = 2, .bytes = 200, .last_hit = hit };
	assert_int_equal(bpf_map_update_elem(cfd, &key, per, BPF_ANY), 0);
	close(cfd);

	assert_int_equal(rules_fixture_open(&f, &o), 0);
	assert_true(f.maps.migrated);
	assert_false(f.maps.reused);
	assert_false(exists(dir, "rules_v4_l1"));
	assert_false(exists(dir, "rules_entries"));
	assert_false(exists(dir, "rules_counters"));
	assert_true(exists(dir, "rules_gen"));
	assert_true(exists(dir, "rules_limits"));
	assert_int_equal(rules_compile_add(f.eng, specs, 2, &ao, got, NULL, NULL), 0);
	assert_int_equal(rules_compile_stats(f.eng, 3, &st), 0);
	assert_int_equal(st.packets, 5);
	assert_int_equal(st.bytes, 500);
	assert_true(st.last_hit_ns + 20000000ULL >= hit && st.last_hit_ns <= hit + 20000000ULL);
	assert_int_equal(send_pkt(&f, "198.18.8.9", 6, 1, &slot), XDP_DROP);
	assert_int_equal(slot, 3);
	assert_int_equal(rules_compile_stats(f.eng, 3, &st), 0);
	assert_int_equal(st.packets, 6);
	assert_int_equal(rules_compile_stats(f.eng, 7, &st), 0);
	assert_int_equal(st.packets, 2);
	rules_fixture_close(&f);
	/* The next start finds the new layout. */
	assert_int_equal(rules_fixture_open(&f, &o), 0);
	assert_true(f.maps.reused);
	assert_false(f.maps.migrated);
	rules_fixture_close(&f);
	assert_int_equal(rules_maps_unpin(dir), 0);
	assert_int_equal(rmdir(dir), 0);
	free(per);
}

/* --max-rules below what the pins hold: the saved slots are refused (nothing changes); rules
 * restored into fresh slots work, the old ones are pruned, the slot maps shrink, and the cap
 * holds with a message that says so. */
static void test_max_rules_over_pins(void **state)
{
	char dir[] = "/sys/fs/bpf/xdpfleet-rules-max-XXXXXX";
	struct rules_maps_opts o = { .max_rules = 4096 };
	size_t n = 3000;
	struct rules_spec *specs = calloc(n, sizeof(*specs));
	uint32_t *slots = calloc(n, sizeof(*slots)), *got = calloc(n, sizeof(*got)), s;
	struct rules_add_opts ao = { .slots = slots };
	struct rules_error err = { 0 };
	struct rules_snap before, after;
	struct rules_fixture f;
	uint32_t info_cap;

	(void)state;
	assert_true(specs && slots && got);
	if (make_pin_dir(dir))
		skip();
	o.pin_dir = dir;
	for (size_t i = 0; i < n; i++) {
		char src[32];

		snprintf(src, sizeof(src), "198.18.%zu.%zu", i / 200, i % 200);
		specs[i] = mk("drop", src, NULL, NULL, 0);
	}
	assert_int_equal(rules_fixture_open(&f, &o), 0);
	assert_int_equal(rules_compile_add(f.eng, specs, n, NULL, slots, NULL, NULL), 0);
	info_cap = f.maps.cap[RULES_M_INFO];
	rules_fixture_close(&f);

	o.max_rules = 1024;
	assert_int_equal(rules_fixture_open(&f, &o), 0);
	assert_true(f.maps.reused);
	assert_int_equal(f.maps.max_rules, 1024);
	snapshot(&f, &before);
	assert_int_equal(rules_compile_add(f.eng, specs, n, &ao, got, NULL, &err), -EINVAL);
	assert_int_equal(err.field, RULES_FIELD_SLOT);
	snapshot(&f, &after);
	assert_same(&before, &after);
	rules_snap_free(&after);
	/* What the agent does then: fresh slots for what fits. */
	assert_int_equal(rules_compile_add(f.eng, specs, 1000, NULL, got, NULL, NULL), 0);
	assert_int_equal(rules_compile_prune(f.eng, NULL), 0);
	assert_int_equal(send_pkt(&f, "198.18.2.10", 6, 1, &s), XDP_DROP);
	assert_int_equal(s, got[410]);
	assert_int_equal(send_pkt(&f, "198.18.14.10", 6, 1, &s), XDP_PASS);
	assert_int_equal(s, RULES_SLOT_NONE);
	assert_true(f.maps.cap[RULES_M_INFO] < info_cap);
	assert_int_equal(rules_compile_add(f.eng, specs + 1000, 100, NULL, got, NULL, &err), -ENOSPC);
	assert_non_null(strstr(err.msg, "max-rules"));
	rules_fixture_close(&f);
	rules_snap_free(&before);
	assert_int_equal(rules_maps_unpin(dir), 0);
	assert_int_equal(rmdir(dir), 0);
	free(specs);
	free(slots);
	free(got);
}

/* Pins whose tries make no sense (here a root slot pointing past the node map) are replaced
 * by fresh maps; the rules come back from the agent's state. */
static void test_corrupt_pins_replaced(void **state)
{
	char dir[] = "/sys/fs/bpf/xdpfleet-rules-bad-XXXXXX";
	struct rules_maps_opts o = { .max_rules = 1024 };
	struct rules_spec spec = mk("drop", "198.18.9.0/24", NULL, NULL, 0);
	uint32_t slot, s, bad = RULES_W_BNODE_MAKE(2, 0x3ffffff), key = 0;
	struct rules_bnode *root = calloc(1, sizeof(*root));
	struct rules_fixture f;

	(void)state;
	assert_non_null(root);
	if (make_pin_dir(dir))
		skip();
	o.pin_dir = dir;
	assert_int_equal(rules_fixture_open(&f, &o), 0);
	assert_int_equal(rules_compile_add(f.eng, &spec, 1, NULL, &slot, NULL, NULL), 0);
	root->slot[7] = bad;
	assert_int_equal(bpf_map_update_elem(f.maps.fd[RULES_M_BNODES], &key, root, BPF_ANY), 0);
	rules_fixture_close(&f);
	assert_int_equal(rules_fixture_open(&f, &o), 0);
	assert_false(f.maps.reused);
	assert_int_equal(send_pkt(&f, "198.18.9.1", 6, 1, &s), XDP_PASS);
	assert_int_equal(rules_compile_add(f.eng, &spec, 1, NULL, &slot, NULL, NULL), 0);
	assert_int_equal(send_pkt(&f, "198.18.9.1", 6, 1, &s), XDP_DROP);
	assert_int_equal(send_pkt(&f, "7.1.2.3", 6, 1, &s), XDP_PASS);
	rules_fixture_close(&f);
	assert_int_equal(rules_maps_unpin(dir), 0);
	assert_int_equal(rmdir(dir), 0);
	free(root);
}

/* User space creates the rule maps from its own table: every built object that uses them must
 * declare the same layouts, and a different one is refused naming the map. */
static void test_map_layouts_match_objects(void **state)
{
	struct xdp_filter *filter = xdp_filter__open();
	struct xdp_rules_test *test = xdp_rules_test__open();
	struct bpf_map *map;
	char err[256] = "";

	(void)state;
	assert_non_null(filter);
	assert_non_null(test);
	assert_int_equal(rules_maps_check_obj(filter->obj, err, sizeof(err)), 0);
	assert_int_equal(rules_maps_check_obj(test->obj, err, sizeof(err)), 0);
	map = bpf_object__find_map_by_name(filter->obj, RULES_MAP_CNODES);
	assert_non_null(map);
	assert_int_equal(bpf_map__set_value_size(map, bpf_map__value_size(map) + 8), 0);
	assert_int_equal(rules_maps_check_obj(filter->obj, err, sizeof(err)), -EPROTO);
	assert_non_null(strstr(err, RULES_MAP_CNODES));
	xdp_filter__destroy(filter);
	xdp_rules_test__destroy(test);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_precedence, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v6_nesting, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refusals_leave_no_trace, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicates, setup, teardown),
		cmocka_unit_test(test_rollback_on_kernel_failure),
		cmocka_unit_test_setup_teardown(test_limit_and_counters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_non_ip_passes, setup, teardown),
		cmocka_unit_test(test_pins_restart),
		cmocka_unit_test_setup_teardown(test_last_hit_clock, setup, teardown),
		cmocka_unit_test(test_migrate_legacy_pins),
		cmocka_unit_test(test_max_rules_over_pins),
		cmocka_unit_test(test_corrupt_pins_replaced),
		cmocka_unit_test(test_map_layouts_match_objects),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
