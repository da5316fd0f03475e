// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of the agent's rule bookkeeping (policy.c, policy_file.c) and lockout protection
 * (lockout.c), on unpinned rule maps (root: the maps are real kernel maps). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <netinet/in.h>

#include <cmocka.h>

#include "lockout.h"
#include "policy.h"

struct fixture {
	char dir[64];
	char state[128];
	struct policy *p;
};

static struct policy *open_policy(const char *state)
{
	struct policy_opts o = { .store_dir = state, .max_rules = 4096, .compact_in_foreground = true };
	struct policy *p = NULL;
	char err[256] = "";

	if (policy_open(&p, &o, err, sizeof(err)))
		fail_msg("policy_open: %s", err);
	return p;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	strcpy(f->dir, "/tmp/xf-policy.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->state, sizeof(f->state), "%s/rules", f->dir);
	f->p = open_policy(f->state);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	policy_close(f->p);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static struct policy_add_item item(enum rules_action action, const char *src, uint64_t ttl, const char *comment)
{
	struct policy_add_item it = { .spec = { .action = action }, .ttl_seconds = ttl, .comment = comment };

	if (src) {
		assert_int_equal(cidr_parse(src, NULL, &it.spec.src, NULL), 0);
		it.spec.has_src = true;
	}
	if (action == RULES_ACT_LIMIT)
		it.spec.limit_pps = 100;
	return it;
}

static void test_ids_and_duplicates(void **state)
{
	struct fixture *f = *state;
	struct policy_add_item items[3] = {
		item(RULES_ACT_DROP, "198.51.100.0/24", 0, "a"),
		item(RULES_ACT_DROP, "2001:db8:1::/48", 0, "b"),
		item(RULES_ACT_DROP, "198.51.100.0/24", 0, "a again"),
	};
	struct rules_error err = { 0 };
	uint64_t ids[3];
	struct policy_add_result res;

	assert_int_equal(policy_add(f->p, items, 3, ids, &res, &err), 0);
	assert_int_equal(res.added, 2);
	assert_int_equal(res.unchanged, 1);
	assert_int_equal(ids[0], 1);
	assert_int_equal(ids[1], 2);
	assert_int_equal(ids[2], 1);
	assert_int_equal(policy_add(f->p, items + 1, 1, ids, &res, &err), 0);
	assert_int_equal(res.added, 0);
	assert_int_equal(ids[0], 2);
	assert_int_equal(policy_count(f->p), 2);
}

static int journal_exists(const struct fixture *f)
{
	char path[192];

	snprintf(path, sizeof(path), "%s/journal-0000000000000001", f->state);
	return access(path, F_OK) == 0;
}

/* Re-adding a rule is how its TTL is refreshed: TTL, comment and tag become the new request's,
 * it keeps its id, and a restart finds the new values. */
static void test_readd_updates(void **state)
{
	struct fixture *f = *state;
	struct policy_add_item it = item(RULES_ACT_DROP, "198.51.100.0/24", 60, "first");
	struct policy_add_result res;
	struct rules_error err = { 0 };
	struct policy_rule r;
	uint32_t cursor = 0;
	uint64_t id, again;

	it.tag = "feed-a";
	assert_int_equal(policy_add(f->p, &it, 1, &id, &res, &err), 0);
	assert_int_equal(res.added, 1);
	assert_int_equal(policy_add(f->p, &it, 1, &again, &res, &err), 0);
	assert_int_equal(again, id);
	/* the same TTL from a later second is a new expiry: only a same-second re-add is unchanged */
	assert_int_equal(res.added, 0);
	assert_int_equal(res.updated + res.unchanged, 1);
	it.ttl_seconds = 86400;
	it.comment = "refreshed";
	it.tag = "feed-b";
	assert_int_equal(policy_add(f->p, &it, 1, &again, &res, &err), 0);
	assert_int_equal(res.updated, 1);
	assert_int_equal(again, id);
	assert_true(policy_next(f->p, &cursor, &r));
	assert_string_equal(r.comment, "refreshed");
	assert_string_equal(r.tag, "feed-b");
	assert_true(r.expires_unix >= (uint64_t)time(NULL) + 86000);
	/* A restart finds the new values. */
	policy_close(f->p);
	f->p = open_policy(f->state);
	cursor = 0;
	assert_true(policy_next(f->p, &cursor, &r));
	assert_int_equal(r.id, id);
	assert_string_equal(r.comment, "refreshed");
	assert_string_equal(r.tag, "feed-b");
	assert_true(r.expires_unix >= (uint64_t)time(NULL) + 86000);
}

static void test_invalid_batch_changes_nothing(void **state)
{
	struct fixture *f = *state;
	struct policy_add_item items[2] = {
		item(RULES_ACT_DROP, "198.51.100.0/24", 0, ""),
		item(RULES_ACT_DROP, "198.51.101.0/24", 0, ""),
	};
	struct rules_error err = { 0 };
	uint64_t ids[2];
	struct policy_add_result res;

	items[1].spec.has_ports = true; /* ports need tcp or udp */
	items[1].spec.port_min = items[1].spec.port_max = 80;
	assert_int_equal(policy_add(f->p, items, 2, ids, &res, &err), -EINVAL);
	assert_int_equal(err.index, 1);
	assert_int_equal(policy_count(f->p), 0);
	assert_int_equal(journal_exists(f), 0); /* nothing was saved either */
}

static void test_delete_and_flush(void **state)
{
	struct fixture *f = *state;
	struct policy_add_item items[4] = {
		item(RULES_ACT_DROP, "198.51.100.0/24", 0, ""),
		item(RULES_ACT_MONITOR, "198.51.100.0/24", 0, ""),
		item(RULES_ACT_ALLOW, "198.51.100.7", 0, ""),
		item(RULES_ACT_LIMIT, "2001:db8::/32", 0, ""),
	};
	struct rules_error err = { 0 };
	uint64_t ids[4], unknown = 99;
	struct policy_add_result res;
	size_t deleted;
	struct rules_spec match = items[0].spec;

	assert_int_equal(policy_add(f->p, items, 4, ids, &res, &err), 0);
	/* An unknown id refuses the whole request. */
	assert_int_equal(policy_delete(f->p, &unknown, 1, &match, 1, &deleted, &err), -ENOENT);
	assert_int_equal(policy_count(f->p), 4);
	/* A match selects both actions on that prefix. */
	assert_int_equal(policy_delete(f->p, NULL, 0, &match, 1, &deleted, &err), 0);
	assert_int_equal(deleted, 2);
	assert_int_equal(policy_delete(f->p, NULL, 0, &match, 1, &deleted, &err), -ENOENT);
	assert_int_equal(policy_flush(f->p, RULES_ACT_LIMIT, &deleted), 0);
	assert_int_equal(deleted, 1);
	assert_int_equal(policy_delete(f->p, &ids[2], 1, NULL, 0, &deleted, &err), 0);
	assert_int_equal(policy_count(f->p), 0);
}

static void test_ttl_expiry(void **state)
{
	struct fixture *f = *state;
	struct policy_add_item items[2] = {
		item(RULES_ACT_DROP, "198.51.100.0/24", 1, "short"),
		item(RULES_ACT_DROP, "198.51.101.0/24", 0, "forever"),
	};
	struct rules_error err = { 0 };
	struct policy_rule r;
	uint32_t cursor = 0;
	uint64_t ids[2];
	struct policy_add_result res;

	assert_int_equal(policy_add(f->p, items, 2, ids, &res, &err), 0);
	policy_expire(f->p);
	assert_int_equal(policy_count(f->p), 2);
	sleep(2);
	policy_expire(f->p);
	assert_int_equal(policy_count(f->p), 1);
	assert_true(policy_next(f->p, &cursor, &r));
	assert_string_equal(r.comment, "forever");
}

static void test_persistence(void **state)
{
	struct fixture *f = *state;
	struct policy_add_item items[2] = {
		item(RULES_ACT_DROP, "198.51.100.0/24", 3600, "tab\there"),
		item(RULES_ACT_LIMIT, "2001:db8:7::/48", 0, ""),
	};
	struct rules_error err = { 0 };
	struct policy_rule r;
	uint32_t cursor = 0;
	uint64_t ids[2], more[1];
	struct policy_add_result res;
	size_t seen = 0;

	assert_int_equal(policy_add(f->p, items, 2, ids, &res, &err), 0);
	policy_close(f->p);
	f->p = open_policy(f->state);
	assert_int_equal(policy_count(f->p), 2);
	while (policy_next(f->p, &cursor, &r)) {
		seen++;
		if (r.id == ids[0]) {
			assert_string_equal(r.comment, "tab\there");
			assert_true(r.expires_unix > 0);
		} else {
			assert_int_equal(r.id, ids[1]);
			assert_int_equal(r.spec.action, RULES_ACT_LIMIT);
			assert_int_equal(r.spec.limit_pps, 100);
			assert_string_equal(r.comment, "");
		}
	}
	assert_int_equal(seen, 2);
	/* Ids are never reused, even after a restart. */
	items[0] = item(RULES_ACT_ALLOW, "192.0.2.1", 0, "");
	assert_int_equal(policy_add(f->p, items, 1, more, &res, &err), 0);
	assert_int_equal(more[0], 3);
}

static void test_failed_save_rolls_back(void **state)
{
	struct fixture *f = *state;
	struct policy_add_item it = item(RULES_ACT_DROP, "198.51.100.0/24", 0, "");
	struct rules_error err = { 0 };
	char journal[192];
	uint64_t id;
	struct policy_add_result res;

	/* A directory where the journal should go: every write fails, as on a read-only disk. */
	snprintf(journal, sizeof(journal), "%s/journal-0000000000000001", f->state);
	assert_int_equal(mkdir(journal, 0700), 0);
	assert_int_not_equal(policy_add(f->p, &it, 1, &id, &res, &err), 0);
	assert_int_equal(err.field, RULES_FIELD_STATE);
	assert_non_null(strstr(err.msg, "cannot save"));
	assert_int_equal(policy_count(f->p), 0);
	/* Once it can be written again, the same add works; a failed delete keeps the rule. */
	assert_int_equal(rmdir(journal), 0);
	assert_int_equal(policy_add(f->p, &it, 1, &id, &res, &err), 0);
	assert_int_equal(res.added, 1);
}

/* Fills the file system dir is on; returns the filler's path in buf. */
static void fill_fs(const char *dir, char *buf, size_t len)
{
	static char block[4096];
	FILE *f;

	snprintf(buf, len, "%s/filler", dir);
	f = fopen(buf, "w");
	assert_non_null(f);
	setvbuf(f, NULL, _IONBF, 0);
	while (fwrite(block, 1, sizeof(block), f) == sizeof(block))
		;
	fclose(f);
}

/* n /32 drop rules from 198.18.<base>.0 on, each with a comment. */
static struct policy_add_item *many_items(size_t n, unsigned int base)
{
	struct policy_add_item *items = calloc(n, sizeof(*items));
	char src[32];

	for (size_t i = 0; i < n; i++) {
		snprintf(src, sizeof(src), "198.18.%u.%zu", base + (unsigned int)(i / 250), i % 250);
		items[i] = item(RULES_ACT_DROP, src, 0, "");
		items[i].comment = "a comment long enough to need room";
	}
	return items;
}

/* A full state directory: adds and deletes fail with the reason, nothing changes, and once
 * there is room again everything works. Batches are larger than a page, since appends within
 * the journal's last page would still fit. */
static void test_state_dir_full(void **state)
{
	enum { N = 400 };
	struct fixture *f = *state;
	struct policy_add_item *kept = many_items(N, 0), *refused = many_items(N, 10);
	struct rules_error err = { 0 };
	char mnt[128], store[160], filler[192], cmd[256];
	uint64_t ids[N];
	struct policy *p;
	struct policy_add_result res;
	size_t deleted;

	snprintf(mnt, sizeof(mnt), "%s/small", f->dir);
	snprintf(store, sizeof(store), "%s/rules", mnt);
	assert_int_equal(mkdir(mnt, 0700), 0);
	snprintf(cmd, sizeof(cmd), "mount -t tmpfs -o size=512k xf-test '%s'", mnt);
	assert_int_equal(system(cmd), 0);
	p = open_policy(store);
	assert_int_equal(policy_add(p, kept, N, ids, &res, &err), 0);
	fill_fs(mnt, filler, sizeof(filler));
	assert_int_equal(policy_add(p, refused, N, ids, &res, &err), -ENOSPC);
	assert_int_equal(err.field, RULES_FIELD_STATE);
	assert_non_null(strstr(err.msg, "No space left"));
	assert_int_equal(policy_flush(p, RULES_ACT_NONE, &deleted), -ENOSPC);
	assert_int_equal(policy_count(p), N);
	assert_int_equal(unlink(filler), 0);
	assert_int_equal(policy_add(p, refused, N, ids, &res, &err), 0);
	policy_close(p);
	/* What was acknowledged is what a restart finds. */
	p = open_policy(store);
	assert_int_equal(policy_count(p), 2 * N);
	policy_close(p);
	snprintf(cmd, sizeof(cmd), "umount '%s'", mnt);
	assert_int_equal(system(cmd), 0);
	free(kept);
	free(refused);
}

static void test_lockout(void **state)
{
	struct lockout lo = { .n_protect = 1 };
	struct policy_add_item drop = item(RULES_ACT_DROP, "198.18.0.0/15", 0, "");
	struct policy_add_item mon = item(RULES_ACT_MONITOR, "198.18.0.0/15", 0, "");
	struct policy_add_item any = item(RULES_ACT_LIMIT, NULL, 0, "");
	struct policy_add_item other = item(RULES_ACT_DROP, "203.0.113.0/24", 0, "");
	struct policy_add_item wide = item(RULES_ACT_DROP, "10.0.0.0/8", 0, "");
	struct cidr peer;
	char why[256];

	(void)state;
	assert_int_equal(cidr_parse("10.1.0.0/16", NULL, &lo.protect[0], NULL), 0);
	assert_int_equal(lockout_peer_addr("ipv4:198.18.0.1:41234", &peer), 0);
	assert_int_equal(peer.family, 4);
	assert_true(lockout_hits(&lo, &peer, &drop.spec, why, sizeof(why)));
	assert_non_null(strstr(why, "198.18.0.1/32"));
	assert_false(lockout_hits(&lo, &peer, &mon.spec, why, sizeof(why)));
	assert_true(lockout_hits(&lo, &peer, &any.spec, why, sizeof(why)));
	assert_false(lockout_hits(&lo, &peer, &other.spec, why, sizeof(why)));
	/* UDP from the caller's address cannot touch its gRPC session, so it needs no force. */
	drop.spec.proto = IPPROTO_UDP;
	assert_false(lockout_hits(&lo, &peer, &drop.spec, why, sizeof(why)));
	drop.spec.proto = 0;
	assert_true(lockout_hits(&lo, NULL, &wide.spec, why, sizeof(why)));
	assert_non_null(strstr(why, "--protect"));

	assert_int_equal(lockout_peer_addr("ipv6:[2001:db8::1]:5", &peer), 0);
	assert_int_equal(peer.family, 6);
	assert_int_equal(lockout_peer_addr("ipv6:%5B::ffff:198.18.0.9%5D:5", &peer), 0);
	assert_int_equal(peer.family, 4);
	assert_true(lockout_hits(&lo, &peer, &drop.spec, why, sizeof(why)));
	assert_int_equal(lockout_peer_addr("unix:", &peer), -EINVAL);
	assert_int_equal(lockout_peer_addr("ipv4:garbage", &peer), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ids_and_duplicates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_readd_updates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_invalid_batch_changes_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delete_and_flush, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ttl_expiry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_persistence, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_save_rolls_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_state_dir_full, setup, teardown),
		cmocka_unit_test(test_lockout),
	};

	return cmocka_run_group_tests_name("policy", tests, NULL, NULL);
}
