/* Rule engine behaviour through the loaded test program: precedence, refusals that leave no
 * trace, rollback of a kernel failure midway, duplicates, limit budgets, non-IP, pinned maps. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rules_fixture.h"
#include "rules_pkt.h"

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
	assert_string_equal(err.field, "port");
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

/* A copy of what the kernel holds, to compare across a restart. */
struct snap {
	void *m[RULES_M_COUNT];
	size_t len[RULES_M_COUNT];
};

static const enum rules_map_id snap_maps[] = { RULES_M_BNODES, RULES_M_CNODES, RULES_M_LISTS,
					       RULES_M_INFO };

static void snapshot(const struct rules_fixture *f, struct snap *s)
{
	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < sizeof(snap_maps) / sizeof(snap_maps[0]); i++) {
		enum rules_map_id id = snap_maps[i];
		struct bpf_map_info info = { 0 };
		uint32_t len = sizeof(info);
		void *p;

		assert_int_equal(bpf_obj_get_info_by_fd(f->maps.fd[id], &info, &len), 0);
		s->len[id] = (size_t)info.max_entries * ((info.value_size + 7) & ~7u);
		p = mmap(NULL, s->len[id], PROT_READ, MAP_SHARED, f->maps.fd[id], 0);
		assert_true(p != MAP_FAILED);
		s->m[id] = malloc(s->len[id]);
		assert_non_null(s->m[id]);
		memcpy(s->m[id], p, s->len[id]);
		munmap(p, s->len[id]);
	}
}

static void snap_free(struct snap *s)
{
	for (int i = 0; i < RULES_M_COUNT; i++)
		free(s->m[i]);
}

static void assert_same(const struct snap *a, const struct snap *b)
{
	for (size_t i = 0; i < sizeof(snap_maps) / sizeof(snap_maps[0]); i++) {
		enum rules_map_id id = snap_maps[i];

		assert_int_equal(a->len[id], b->len[id]);
		assert_int_equal(memcmp(a->m[id], b->m[id], a->len[id]), 0);
	}
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
	struct snap before, after;
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
	snap_free(&after);
	snapshot(&f, &after);
	assert_same(&before, &after);
	assert_int_equal(rules_compile_stats(f.eng, slots[0], &st), 0);
	assert_int_equal(st.packets, 2);
	rules_fixture_close(&f);
	snap_free(&after);

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
	snap_free(&before);
	assert_int_equal(rules_maps_unpin(dir), 0);
	rmdir(dir);
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
