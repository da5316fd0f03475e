// SPDX-License-Identifier: GPL-2.0-only
/* Property tests of the rules store (no kernel): random batches against a model, then random
 * cuts, garbage lines and flipped bytes in its files, the first format's migration, and kill -9
 * at random points of a writer. A load either returns exactly an acknowledged state or refuses
 * with the file and line; it never crashes and never returns fewer rules silently. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "rules_store.h"

#define MODEL_MAX 512
#define TEXT_LEN 48

struct model_rule {
	bool live;
	struct rules_store_rule r;
	char tag[TEXT_LEN], comment[TEXT_LEN];
};

/* The rule set as the test expects it: indexed by id (ids stay below MODEL_MAX). */
struct model {
	struct model_rule rules[MODEL_MAX];
	uint64_t next_id;
};

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Text with every byte the store escapes (\\, tab, newline, CR, controls, DEL) and UTF-8. */
static void rand_text(uint64_t *s, char *buf)
{
	static const char pick[] = "ab \\\t\n\r\x01\x1f\x7f\xc3\xa9#;/";
	size_t n = rnd(s) % (TEXT_LEN - 1);

	if (rnd(s) % 4 == 0)
		n = 0; /* many rules have no comment */
	for (size_t i = 0; i < n; i++)
		buf[i] = pick[rnd(s) % (sizeof(pick) - 1)];
	buf[n] = '\0';
}

static void rand_spec(uint64_t *s, struct rules_spec *sp)
{
	memset(sp, 0, sizeof(*sp));
	sp->action = (enum rules_action)(1 + rnd(s) % 4);
	if (sp->action == RULES_ACT_LIMIT)
		sp->limit_pps = 1 + rnd(s) % 1000000;
	if (rnd(s) % 5) {
		sp->has_src = true;
		sp->src.family = rnd(s) % 2 ? 4 : 6;
		sp->src.plen = (uint8_t)(rnd(s) % (sp->src.family == 4 ? 33 : 129));
		for (int i = 0; i < 16; i++)
			sp->src.addr[i] = (uint8_t)rnd(s);
		if (sp->src.family == 4)
			memset(sp->src.addr + 4, 0, 12);
		cidr_mask(sp->src.addr, sp->src.plen);
	}
	if (rnd(s) % 2) {
		sp->proto = rnd(s) % 2 ? 6 : 17;
		if (rnd(s) % 2) {
			sp->has_ports = true;
			sp->port_min = (uint16_t)(rnd(s) % 1000);
			sp->port_max = (uint16_t)(sp->port_min + rnd(s) % 1000);
		}
	}
}

static void model_put(struct model *m, uint64_t *s, uint64_t id)
{
	struct model_rule *mr = &m->rules[id];

	mr->live = true;
	rand_text(s, mr->tag);
	rand_text(s, mr->comment);
	mr->r = (struct rules_store_rule){
		.id = id,
		.slot = (uint32_t)(rnd(s) % 100000),
		.created_unix = 1700000000 + rnd(s) % 1000,
		.expires_unix = rnd(s) % 2 ? 0 : 1800000000 + rnd(s) % 1000,
		.tag = mr->tag,
		.comment = mr->comment,
	};
	rand_spec(s, &mr->r.spec);
}

/* One random batch planned on the model (new rules, replacements, deletes), deterministic in
 * the seed, so a test can replay what a writer did. */
struct batch {
	struct rules_store_rule puts[16];
	uint64_t dels[16];
	size_t np, nd;
};

static void plan_batch(struct model *m, uint64_t *s, struct batch *b)
{
	size_t n = 1 + rnd(s) % 16;
	bool touched[MODEL_MAX] = { false };

	b->np = b->nd = 0;
	for (size_t i = 0; i < n; i++) {
		uint64_t id = 1 + rnd(s) % m->next_id;

		if (id >= m->next_id && m->next_id < MODEL_MAX - 1)
			id = m->next_id++;
		if (id >= m->next_id || touched[id])
			continue;
		touched[id] = true;
		if (m->rules[id].live && rnd(s) % 2) {
			b->dels[b->nd++] = id;
		} else {
			model_put(m, s, id);
			b->puts[b->np++] = m->rules[id].r;
		}
	}
	for (size_t i = 0; i < b->nd; i++)
		m->rules[b->dels[i]].live = false;
}

static int random_batch(struct rules_store *st, struct model *m, uint64_t *s)
{
	struct batch b;

	plan_batch(m, s, &b);
	return rules_store_commit(st, b.puts, b.np, b.dels, b.nd, m->next_id);
}

static bool spec_equal(const struct rules_spec *a, const struct rules_spec *b)
{
	return a->action == b->action && a->has_src == b->has_src && (!a->has_src || cidr_equal(&a->src, &b->src)) &&
	       a->proto == b->proto && a->has_ports == b->has_ports &&
	       (!a->has_ports || (a->port_min == b->port_min && a->port_max == b->port_max)) &&
	       a->limit_pps == b->limit_pps;
}

/* True if the image holds exactly the model's live rules, field for field. */
static bool image_matches(const struct rules_store_image *img, const struct model *m)
{
	size_t live = 0;

	for (size_t i = 0; i < MODEL_MAX; i++)
		live += m->rules[i].live;
	if (img->n != live || img->next_id < m->next_id)
		return false;
	for (size_t i = 0; i < img->n; i++) {
		const struct rules_store_rule *r = &img->rules[i];
		const struct model_rule *mr = r->id < MODEL_MAX ? &m->rules[r->id] : NULL;

		if (!mr || !mr->live || r->slot != mr->r.slot || r->created_unix != mr->r.created_unix ||
		    r->expires_unix != mr->r.expires_unix || strcmp(r->tag, mr->tag) ||
		    strcmp(r->comment, mr->comment) || !spec_equal(&r->spec, &mr->r.spec))
			return false;
	}
	return true;
}

/* The same, failing at the first difference. */
static void assert_image_is(const struct rules_store_image *img, const struct model *m)
{
	size_t live = 0;

	for (size_t i = 0; i < MODEL_MAX; i++)
		live += m->rules[i].live;
	assert_int_equal(img->n, live);
	for (size_t i = 0; i < img->n; i++) {
		const struct rules_store_rule *r = &img->rules[i];
		const struct model_rule *mr;

		assert_true(r->id < MODEL_MAX);
		mr = &m->rules[r->id];
		assert_true(mr->live);
		assert_int_equal(r->slot, mr->r.slot);
		assert_int_equal(r->created_unix, mr->r.created_unix);
		assert_int_equal(r->expires_unix, mr->r.expires_unix);
		assert_string_equal(r->tag, mr->tag);
		assert_string_equal(r->comment, mr->comment);
		assert_true(spec_equal(&r->spec, &mr->r.spec));
	}
	assert_true(img->next_id >= m->next_id);
}

struct fixture {
	char dir[64];
	char store[96];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	strcpy(f->dir, "/tmp/xf-store.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->store, sizeof(f->store), "%s/rules", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static struct rules_store *open_store(const char *dir, size_t compact_min, bool foreground)
{
	struct rules_store_opts o = { .dir = dir, .compact_min_bytes = compact_min, .compact_in_foreground = foreground };
	struct rules_store *s = NULL;
	char err[256] = "";

	if (rules_store_open(&s, &o, err, sizeof(err)))
		fail_msg("rules_store_open: %s", err);
	return s;
}

/* Opens and loads dir; returns the load's result with the error text in err. */
static int load_dir(const char *dir, const char *legacy, struct rules_store_image *img, char *err, size_t errlen)
{
	struct rules_store_opts o = { .dir = dir, .legacy_file = legacy, .compact_in_foreground = true };
	struct rules_store *s = NULL;
	int ret;

	err[0] = '\0';
	assert_int_equal(rules_store_open(&s, &o, err, errlen), 0);
	ret = rules_store_load(s, img, err, errlen);
	rules_store_close(s);
	return ret;
}

static bool model_next(void *ctx, uint64_t *cursor, struct rules_store_rule *out)
{
	const struct model *m = ctx;

	while (*cursor < MODEL_MAX && !m->rules[*cursor].live)
		(*cursor)++;
	if (*cursor >= MODEL_MAX)
		return false;
	*out = m->rules[(*cursor)++].r;
	return true;
}

/* Random batches, reopening and compacting now and then: every load is the model. */
static void test_roundtrip_and_compaction(void **state)
{
	struct fixture *f = *state;
	struct model *m = calloc(1, sizeof(*m));
	struct rules_store_image img;
	uint64_t seed = 0x9e3779b97f4a7c15ULL;
	char err[256];
	struct rules_store *st = open_store(f->store, 1024, false);

	m->next_id = 1;
	assert_int_equal(rules_store_load(st, &img, err, sizeof(err)), 0);
	assert_int_equal(img.n, 0);
	rules_store_image_free(&img);
	for (int round = 0; round < 300; round++) {
		assert_int_equal(random_batch(st, m, &seed), 0);
		/* from 1 KiB of journal on, compaction runs in a child from the model's state */
		assert_int_equal(rules_store_compact(st, model_next, m, m->next_id, false), 0);
		if (round % 37 == 36) {
			rules_store_close(st);
			assert_int_equal(load_dir(f->store, NULL, &img, err, sizeof(err)), 0);
			assert_image_is(&img, m);
			rules_store_image_free(&img);
			st = open_store(f->store, 1024, round % 2);
			assert_int_equal(rules_store_load(st, &img, err, sizeof(err)), 0);
			rules_store_image_free(&img);
		}
	}
	rules_store_close(st);
	assert_int_equal(load_dir(f->store, NULL, &img, err, sizeof(err)), 0);
	assert_image_is(&img, m);
	rules_store_image_free(&img);
	free(m);
}

static size_t file_size(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return (size_t)st.st_size;
}

static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *buf;

	assert_non_null(f);
	*len = file_size(path);
	buf = malloc(*len + 1);
	assert_int_equal(fread(buf, 1, *len, f), *len);
	fclose(f);
	return buf;
}

static void write_all(const char *path, const char *buf, size_t len)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, len, f), len);
	fclose(f);
}

static void copy_dir(const char *from, const char *to)
{
	char cmd[640];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s' && cp -a '%s' '%s'", to, from, to);
	assert_int_equal(system(cmd), 0);
}

#define BATCHES 40

/* A journal of BATCHES batches; models[k] is the state after k batches, ends[k] the journal's
 * size then. The store has no snapshot, so all of it is in journal-1. */
static void build_journal(const char *dir, struct model *models, size_t *ends, uint64_t seed)
{
	struct rules_store_image img;
	struct rules_store *st = open_store(dir, SIZE_MAX, true);
	char err[256], path[160];

	assert_int_equal(rules_store_load(st, &img, err, sizeof(err)), 0);
	rules_store_image_free(&img);
	memset(&models[0], 0, sizeof(models[0]));
	models[0].next_id = 1;
	ends[0] = 0;
	snprintf(path, sizeof(path), "%s/journal-0000000000000001", dir);
	for (int k = 1; k <= BATCHES; k++) {
		models[k] = models[k - 1];
		assert_int_equal(random_batch(st, &models[k], &seed), 0);
		ends[k] = file_size(path);
	}
	rules_store_close(st);
}

/* A cut anywhere in the journal gives the state of the last whole batch before the cut, and
 * appending after the load works (the torn tail was cut off). */
static void test_journal_cut_anywhere(void **state)
{
	struct fixture *f = *state;
	struct model *models = calloc(BATCHES + 1, sizeof(*models));
	size_t ends[BATCHES + 1], len;
	struct rules_store_image img;
	char err[256], copy[128], journal[192], orig[160];
	uint64_t seed = 42;
	char *bytes;

	build_journal(f->store, models, ends, 7);
	snprintf(orig, sizeof(orig), "%s/journal-0000000000000001", f->store);
	bytes = read_all(orig, &len);
	snprintf(copy, sizeof(copy), "%s/cut", f->dir);
	snprintf(journal, sizeof(journal), "%s/journal-0000000000000001", copy);
	for (int trial = 0; trial < 200; trial++) {
		size_t cut = trial < 2 ? (trial ? len : 0) : rnd(&seed) % (len + 1);
		int whole = 0;
		struct model after;

		for (int k = 1; k <= BATCHES; k++)
			if (ends[k] <= cut)
				whole = k;
		copy_dir(f->store, copy);
		write_all(journal, bytes, cut);
		assert_int_equal(load_dir(copy, NULL, &img, err, sizeof(err)), 0);
		assert_image_is(&img, &models[whole]);
		rules_store_image_free(&img);
		/* The next batch lands after the last whole one. */
		after = models[whole];
		{
			struct rules_store *st = open_store(copy, SIZE_MAX, true);

			assert_int_equal(rules_store_load(st, &img, err, sizeof(err)), 0);
			rules_store_image_free(&img);
			assert_int_equal(random_batch(st, &after, &seed), 0);
			rules_store_close(st);
		}
		assert_int_equal(load_dir(copy, NULL, &img, err, sizeof(err)), 0);
		assert_image_is(&img, &after);
		rules_store_image_free(&img);
	}
	free(bytes);
	free(models);
}

/* Offset of the start of line `line` (1-based) in buf, or len past the last. */
static size_t line_start(const char *buf, size_t len, size_t line)
{
	size_t off = 0;

	for (size_t l = 1; l < line && off < len; off++)
		if (buf[off] == '\n')
			l++;
	return off;
}

static size_t count_lines(const char *buf, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++)
		n += buf[i] == '\n';
	return n;
}

/* A damaged line anywhere (a garbage line inserted, a byte changed) refuses the load, naming
 * the file and the line; a line without newline at the very end is a torn write instead. */
static void test_damage_named(void **state)
{
	static const char *const garbage[] = { "garbage", "", "P\t1\t2", "C\t1\t00000000", "\t\t\t" };
	struct fixture *f = *state;
	struct model *models = calloc(BATCHES + 1, sizeof(*models));
	size_t ends[BATCHES + 1], len, lines;
	struct rules_store_image img;
	char err[256], copy[128], journal[192], orig[160], want[64];
	uint64_t seed = 99;
	char *bytes, *buf;

	build_journal(f->store, models, ends, 11);
	snprintf(orig, sizeof(orig), "%s/journal-0000000000000001", f->store);
	bytes = read_all(orig, &len);
	lines = count_lines(bytes, len);
	buf = malloc(len + 128);
	snprintf(copy, sizeof(copy), "%s/bad", f->dir);
	snprintf(journal, sizeof(journal), "%s/journal-0000000000000001", copy);
	for (int trial = 0; trial < 150; trial++) {
		size_t line = 1 + rnd(&seed) % lines, at = line_start(bytes, len, line), n;
		bool flip = trial % 2;

		copy_dir(f->store, copy);
		if (flip) {
			/* change one byte of line `line` (not its newline) */
			size_t end = line_start(bytes, len, line + 1) - 1, pos = at + rnd(&seed) % (end - at);

			memcpy(buf, bytes, len);
			buf[pos] = buf[pos] == 'x' ? 'y' : 'x';
			n = len;
		} else {
			const char *g = garbage[rnd(&seed) % 5];

			memcpy(buf, bytes, at);
			n = at + (size_t)sprintf(buf + at, "%s\n", g);
			memcpy(buf + n, bytes + at, len - at);
			n += len - at;
		}
		write_all(journal, buf, n);
		assert_int_not_equal(load_dir(copy, NULL, &img, err, sizeof(err)), 0);
		snprintf(want, sizeof(want), "journal-0000000000000001:%zu: ", line);
		if (!strstr(err, want))
			fail_msg("trial %d (%s at line %zu): error \"%s\" does not name the line", trial,
				 flip ? "flipped byte" : "garbage", line, err);
	}
	/* Garbage appended as a whole line is damage too; without its newline it is a torn tail. */
	copy_dir(f->store, copy);
	memcpy(buf, bytes, len);
	write_all(journal, buf, len + (size_t)sprintf(buf + len, "garbage\n"));
	assert_int_not_equal(load_dir(copy, NULL, &img, err, sizeof(err)), 0);
	snprintf(want, sizeof(want), ":%zu: ", lines + 1);
	assert_non_null(strstr(err, want));
	copy_dir(f->store, copy);
	write_all(journal, buf, len + 7);
	assert_int_equal(load_dir(copy, NULL, &img, err, sizeof(err)), 0);
	assert_image_is(&img, &models[BATCHES]);
	rules_store_image_free(&img);
	free(buf);
	free(bytes);
	free(models);
}

/* A snapshot is whole or refused: cut anywhere or damaged, the load names its file and line. */
static void test_snapshot_cut_or_damaged(void **state)
{
	struct fixture *f = *state;
	struct model *m = calloc(1, sizeof(*m));
	struct rules_store_image img;
	char err[256], copy[128], snap[192], orig[160];
	uint64_t seed = 5;
	size_t len;
	char *bytes;
	struct rules_store *st = open_store(f->store, SIZE_MAX, true);

	m->next_id = 1;
	assert_int_equal(rules_store_load(st, &img, err, sizeof(err)), 0);
	rules_store_image_free(&img);
	for (int i = 0; i < 30; i++)
		assert_int_equal(random_batch(st, m, &seed), 0);
	assert_int_equal(rules_store_compact(st, model_next, m, m->next_id, true), 0);
	rules_store_close(st);
	snprintf(orig, sizeof(orig), "%s/snapshot", f->store);
	bytes = read_all(orig, &len);
	snprintf(copy, sizeof(copy), "%s/snap", f->dir);
	snprintf(snap, sizeof(snap), "%s/snapshot", copy);
	assert_int_equal(load_dir(f->store, NULL, &img, err, sizeof(err)), 0);
	assert_image_is(&img, m);
	rules_store_image_free(&img);
	for (int trial = 0; trial < 150; trial++) {
		size_t cut = rnd(&seed) % len;

		copy_dir(f->store, copy);
		if (trial % 3 == 2) {
			bytes[cut] ^= 0x20;
			write_all(snap, bytes, len);
			bytes[cut] ^= 0x20;
		} else {
			write_all(snap, bytes, cut);
		}
		assert_int_not_equal(load_dir(copy, NULL, &img, err, sizeof(err)), 0);
		if (!strstr(err, "/snapshot:"))
			fail_msg("trial %d: error \"%s\" does not name the snapshot and line", trial, err);
	}
	free(bytes);
	free(m);
}

/* The first format: rules with and without comments move into the store, once. */
static void test_legacy_migration(void **state)
{
	static const char legacy_text[] =
		"# xdpfleet rules v1: id slot action src proto ports limit_pps created expires comment\n"
		"next_id\t9\n"
		"3\t0\tdrop\t198.18.86.0/24\tany\t-\t0\t1700000000\t0\t\n"
		"5\t7\tlimit\t2001:db8:7::/48\tudp\t53-53\t100\t1700000001\t1900000000\tdns \\\\ tab\\there\n"
		"8\t2\tallow\tany\ttcp\t22-22\t0\t1700000002\t0\tssh\n";
	struct fixture *f = *state;
	struct rules_store_image img;
	char err[256], legacy[128], bad[128];

	snprintf(legacy, sizeof(legacy), "%s/rules.tsv", f->dir);
	write_all(legacy, legacy_text, sizeof(legacy_text) - 1);
	assert_int_equal(load_dir(f->store, legacy, &img, err, sizeof(err)), 0);
	assert_int_equal(img.n, 3);
	assert_int_equal(img.next_id, 9);
	assert_string_equal(img.rules[0].comment, "");
	assert_int_equal(img.rules[1].spec.limit_pps, 100);
	assert_int_equal(img.rules[1].slot, 7);
	assert_int_equal(img.rules[1].expires_unix, 1900000000);
	assert_string_equal(img.rules[1].comment, "dns \\ tab\there");
	assert_false(img.rules[2].spec.has_src);
	rules_store_image_free(&img);
	assert_int_equal(access(legacy, F_OK), -1); /* moved */
	assert_int_equal(load_dir(f->store, legacy, &img, err, sizeof(err)), 0);
	assert_int_equal(img.n, 3);
	assert_string_equal(img.rules[1].comment, "dns \\ tab\there");
	rules_store_image_free(&img);

	/* A garbage line in the old file refuses the start and names it. */
	snprintf(bad, sizeof(bad), "%s/other", f->dir);
	write_all(legacy, legacy_text, sizeof(legacy_text) - 1);
	{
		FILE *fp = fopen(legacy, "a");

		fputs("this is not a rule\n", fp);
		fclose(fp);
	}
	assert_int_not_equal(load_dir(bad, legacy, &img, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "rules.tsv:6: "));
	assert_int_equal(access(legacy, F_OK), 0); /* left for the operator */
}

/* kill -9 of a writer at random points: the store holds every acknowledged batch and maybe the
 * one in flight, never a part of one. Compaction runs in the background meanwhile. */
#define KILL_BATCHES 1000

static void test_kill9_random(void **state)
{
	struct fixture *f = *state;
	struct model *models = calloc(KILL_BATCHES + 1, sizeof(*models));
	uint64_t seed = 1234;

	models[0].next_id = 1;
	for (int trial = 0; trial < 25; trial++) {
		struct rules_store_image img;
		char err[256], dir[128];
		int pipefd[2], status;
		uint64_t wseed = 77 + (uint64_t)trial, acked = 0, k, s;
		struct batch b;
		pid_t pid;

		snprintf(dir, sizeof(dir), "%s/k%d", f->dir, trial);
		assert_int_equal(pipe(pipefd), 0);
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			struct model *m = calloc(1, sizeof(*m));
			struct rules_store *st;

			close(pipefd[0]);
			m->next_id = 1;
			s = wseed;
			st = open_store(dir, 4096, false);
			if (rules_store_load(st, &img, err, sizeof(err)))
				_exit(2);
			rules_store_image_free(&img);
			for (uint64_t n = 1; n <= KILL_BATCHES; n++) {
				if (random_batch(st, m, &s))
					_exit(3);
				if (write(pipefd[1], &n, sizeof(n)) != sizeof(n))
					_exit(4);
				rules_store_compact(st, model_next, m, m->next_id, false);
			}
			_exit(0);
		}
		close(pipefd[1]);
		usleep((useconds_t)(1000 + rnd(&seed) % 40000));
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		while (read(pipefd[0], &k, sizeof(k)) == sizeof(k))
			acked = k;
		close(pipefd[0]);
		/* The writer's batches follow from its seed: replay them into the models. */
		s = wseed;
		for (uint64_t n = 1; n <= KILL_BATCHES; n++) {
			models[n] = models[n - 1];
			plan_batch(&models[n], &s, &b);
		}
		usleep(20000); /* a compaction child dies with its parent */
		assert_int_equal(load_dir(dir, NULL, &img, err, sizeof(err)), 0);
		/* the acknowledged state, or the batch in flight, whole */
		if (!image_matches(&img, &models[acked]) &&
		    (acked == KILL_BATCHES || !image_matches(&img, &models[acked + 1])))
			fail_msg("trial %d: after %" PRIu64 " acknowledged batches the store holds %zu rules, neither that "
				 "state nor the next", trial, acked, img.n);
		printf("trial %d: killed after %" PRIu64 " acknowledged batches: %zu rules, as acknowledged%s\n", trial,
		       acked, img.n, image_matches(&img, &models[acked]) ? "" : " plus the one in flight");
		rules_store_image_free(&img);
	}
	free(models);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_roundtrip_and_compaction, setup, teardown),
		cmocka_unit_test_setup_teardown(test_journal_cut_anywhere, setup, teardown),
		cmocka_unit_test_setup_teardown(test_damage_named, setup, teardown),
		cmocka_unit_test_setup_teardown(test_snapshot_cut_or_damaged, setup, teardown),
		cmocka_unit_test_setup_teardown(test_legacy_migration, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kill9_random, setup, teardown),
	};

	return cmocka_run_group_tests_name("rules_store", tests, NULL, NULL);
}
