// SPDX-License-Identifier: GPL-2.0-only
/* Loading the rules store: the snapshot, then each journal after it, checked line by line. A
 * first pass over each journal finds where its last complete batch ends, so the second pass
 * applies whole batches only and a cut-short tail is told apart from damage. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "htab.h"
#include "log.h"
#include "rules_store_internal.h"
#include "vec.h"

struct loader {
	struct rules_store *s;
	struct rules_store_image *img;
	/* id -> index in img->rules, built only once ids stop arriving in ascending order: a
	 * snapshot and the journals after it usually append ever larger ids, which a binary
	 * search of img->rules finds without a million-entry hash table. */
	struct htab by_id;
	bool indexed;
	size_t cap; /* of img->rules */
	char *err;
	size_t errlen;
};

static int fail_at(struct loader *l, const char *path, size_t lineno, const char *why)
{
	if (lineno)
		snprintf(l->err, l->errlen, "%s:%zu: %s", path, lineno, why);
	else
		snprintf(l->err, l->errlen, "%s: %s", path, why);
	return -EBADMSG;
}

static const char *arena_copy(struct rules_store_image *img, const char *s)
{
	size_t n = strlen(s) + 1;
	char *at = img->text + img->text_len;

	/* Sized from the files read: text never outgrows the escaped fields it came from. */
	if (img->text_len + n > img->text_cap)
		return NULL;
	memcpy(at, s, n);
	img->text_len += n;
	return at;
}

/* A deleted rule keeps its id, so img->rules stays sorted; the load drops it at the end. */
static bool image_gone(const struct rules_store_rule *r)
{
	return !r->tag;
}

/* Only while !l->indexed, when img->rules is in ascending id order. */
static struct rules_store_rule *image_find_sorted(struct rules_store_image *img, uint64_t id)
{
	size_t lo = 0, hi = img->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (img->rules[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < img->n && img->rules[lo].id == id && !image_gone(&img->rules[lo]) ?
		       &img->rules[lo] : NULL;
}

static int image_index(struct loader *l)
{
	const struct rules_store_image *img = l->img;
	int ret = htab_reserve(&l->by_id, img->n + 1024);

	for (size_t i = 0; i < img->n && !ret; i++)
		if (!image_gone(&img->rules[i]))
			ret = htab_put(&l->by_id, &img->rules[i].id, i);
	l->indexed = !ret;
	return ret;
}

static int image_append(struct loader *l, const struct rules_store_rule *r, uint64_t *at)
{
	struct rules_store_image *img = l->img;

	if (img->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 1024;
		struct rules_store_rule *grown = realloc(img->rules, cap * sizeof(*grown));

		if (!grown)
			return -ENOMEM;
		img->rules = grown;
		l->cap = cap;
	}
	if (at)
		*at = img->n;
	img->rules[img->n++] = *r;
	if (r->id >= img->next_id)
		img->next_id = r->id + 1;
	return 0;
}

static int image_put(struct loader *l, const struct rules_store_rule *r, bool may_replace)
{
	struct rules_store_image *img = l->img;
	struct rules_store_rule copy = *r, *had;
	bool found;
	uint64_t *at;
	int ret;

	copy.tag = arena_copy(img, r->tag);
	copy.comment = arena_copy(img, r->comment);
	if (!copy.tag || !copy.comment)
		return -ENOMEM;
	if (!l->indexed) {
		if (!img->n || r->id > img->rules[img->n - 1].id)
			return image_append(l, &copy, NULL);
		had = image_find_sorted(img, r->id);
		if (had && !may_replace)
			return -EEXIST;
		if (had) {
			*had = copy;
			return 0;
		}
		ret = image_index(l);
		if (ret)
			return ret;
	}
	at = htab_upsert(&l->by_id, &r->id, &found);
	if (!at)
		return -ENOMEM;
	if (found && !may_replace)
		return -EEXIST;
	if (found) {
		img->rules[*at] = copy;
		return 0;
	}
	ret = image_append(l, &copy, at);
	if (ret)
		htab_del(&l->by_id, &r->id);
	return ret;
}

static int image_del(struct loader *l, uint64_t id)
{
	struct rules_store_rule *r;
	uint64_t *at;

	if (!l->indexed) {
		r = image_find_sorted(l->img, id);
	} else {
		at = htab_get(&l->by_id, &id);
		r = at ? &l->img->rules[*at] : NULL;
		if (at)
			htab_del(&l->by_id, &id);
	}
	if (!r)
		return -ENOENT;
	r->tag = NULL;
	return 0;
}

static bool is(const struct record *r, const char *type, size_t nfields)
{
	return r->n == nfields && !strcmp(r->field[0], type);
}

static bool header_ok(const struct record *r, const char *kind)
{
	return r->n >= 4 && !strcmp(r->field[0], "H") && !strcmp(r->field[1], RULES_STORE_MAGIC) &&
	       !strcmp(r->field[2], RULES_STORE_VERSION) && !strcmp(r->field[3], kind);
}

static FILE *open_read(struct loader *l, const char *path, int *ret)
{
	int fd = openat(l->s->dir_fd, path, O_RDONLY | O_CLOEXEC);
	FILE *f = fd < 0 ? NULL : fdopen(fd, "r");

	if (!f) {
		*ret = -errno;
		if (fd >= 0)
			close(fd);
		snprintf(l->err, l->errlen, "%s/%s: %s", l->s->dir, path, strerror(errno));
	}
	return f;
}

/* The snapshot: H, then R lines, then E with their count; nothing may follow. */
/* A rule record of a snapshot or of the legacy file: each id once. */
static int load_rule(struct loader *l, const char *path, size_t lineno, char *const *fields)
{
	struct rules_store_rule rule;
	const char *why;
	int ret;

	if (rules_record_parse(fields, &rule, &why))
		return fail_at(l, path, lineno, why);
	ret = image_put(l, &rule, false);
	return ret == -EEXIST ? fail_at(l, path, lineno, "a rule id seen before") : ret;
}

static int load_snapshot(struct loader *l, uint64_t *seq)
{
	char path[PATH_MAX];
	struct record_reader rd;
	struct record rec;
	const char *why;
	size_t count = 0;
	bool ended = false, complete;
	char *line;
	size_t len;
	int ret = 0, got;
	FILE *f;

	snprintf(path, sizeof(path), "%s/" RULES_STORE_SNAPSHOT, l->s->dir);
	f = open_read(l, RULES_STORE_SNAPSHOT, &ret);
	if (!f)
		return ret;
	record_reader_init(&rd, f);
	while ((got = record_reader_next(&rd, &line, &len, &complete)) > 0) {
		if (ended) {
			ret = fail_at(l, path, rd.lineno, "a line after the end record");
			break;
		}
		if (record_parse(line, len, &rec, &why)) {
			ret = fail_at(l, path, rd.lineno, complete ? why : "cut short (the file ends mid-line)");
			break;
		}
		if (rd.lineno == 1) {
			if (!header_ok(&rec, "snapshot") || rec.n != 6 || record_u64(rec.field[4], UINT64_MAX, seq) ||
			    record_u64(rec.field[5], UINT64_MAX, &l->img->next_id)) {
				ret = fail_at(l, path, 1, "not a rules snapshot of this version");
				break;
			}
		} else if (is(&rec, "R", 1 + RULES_RECORD_FIELDS)) {
			ret = load_rule(l, path, rd.lineno, rec.field + 1);
			if (ret)
				break;
			count++;
		} else if (is(&rec, "E", 2)) {
			uint64_t want;

			if (record_u64(rec.field[1], UINT64_MAX, &want) || want != count) {
				ret = fail_at(l, path, rd.lineno, "the end record counts other rules than the file holds");
				break;
			}
			ended = true;
		} else {
			ret = fail_at(l, path, rd.lineno, "not a snapshot record");
			break;
		}
	}
	if (!ret && got < 0)
		ret = fail_at(l, path, 0, strerror(-got));
	if (!ret && !ended)
		ret = fail_at(l, path, rd.lineno + 1, "the file ends before its end record (cut short)");
	record_reader_free(&rd);
	fclose(f);
	return ret;
}

/* True for the tail of a write cut short: no newline, or only NUL bytes (some file systems
 * show a crashed append as zeroes). */
static bool torn_line(const char *line, size_t len, bool complete)
{
	if (!complete)
		return true;
	for (size_t i = 0; i < len; i++)
		if (line[i])
			return false;
	return true;
}

struct journal_scan {
	off_t valid_end;   /* after the last complete batch (or the header) */
	size_t valid_lines;
	bool torn;         /* bytes after valid_end: a batch cut short */
	size_t torn_line;  /* where it starts */
};

/* Pass one over a journal: checksums and batch framing only. Damage is an error; in the last
 * journal, a final batch that never got its C record is a torn write. */
static int journal_scan(struct loader *l, const char *name, const char *path, bool last, uint64_t seq,
			struct journal_scan *js)
{
	struct record_reader rd;
	struct record rec;
	const char *why;
	uint64_t ops = 0, want = 0, hseq;
	bool in_batch = false, complete;
	off_t pos = 0;
	char *line;
	size_t len;
	int ret = 0, got;
	FILE *f = open_read(l, name, &ret);

	if (!f)
		return ret;
	memset(js, 0, sizeof(*js));
	record_reader_init(&rd, f);
	while ((got = record_reader_next(&rd, &line, &len, &complete)) > 0) {
		off_t next = pos + (off_t)len + complete;

		if (record_parse(line, len, &rec, &why)) {
			if (last && torn_line(line, len, complete)) {
				/* only the file's end may be torn: anything after it is damage */
				if (record_reader_next(&rd, &line, &len, &complete) > 0) {
					ret = fail_at(l, path, rd.lineno - 1, why);
					break;
				}
				js->torn = true;
				if (!js->torn_line)
					js->torn_line = rd.lineno;
				break;
			}
			ret = fail_at(l, path, rd.lineno, complete ? why : "cut short (the file ends mid-line)");
			break;
		}
		if (rd.lineno == 1) {
			if (!header_ok(&rec, "journal") || rec.n != 5 || record_u64(rec.field[4], UINT64_MAX, &hseq) ||
			    hseq != seq) {
				ret = fail_at(l, path, 1, "not a rules journal of this version and sequence");
				break;
			}
			js->valid_end = next;
			js->valid_lines = 1;
		} else if (!in_batch && is(&rec, "B", 3)) {
			if (record_u64(rec.field[2], UINT64_MAX, &want)) {
				ret = fail_at(l, path, rd.lineno, "bad batch header");
				break;
			}
			in_batch = true;
			ops = 0;
			js->torn_line = rd.lineno;
		} else if (in_batch && (is(&rec, "P", 1 + RULES_RECORD_FIELDS) || is(&rec, "D", 2))) {
			ops++;
		} else if (in_batch && is(&rec, "C", 2)) {
			uint64_t n;

			if (record_u64(rec.field[1], UINT64_MAX, &n) || n != ops || n != want) {
				ret = fail_at(l, path, rd.lineno, "the batch's end record counts other changes than it holds");
				break;
			}
			in_batch = false;
			js->valid_end = next;
			js->valid_lines = rd.lineno;
			js->torn_line = 0;
		} else {
			ret = fail_at(l, path, rd.lineno, "not a journal record here");
			break;
		}
		pos = next;
	}
	if (!ret && got < 0)
		ret = fail_at(l, path, 0, strerror(-got));
	if (!ret && rd.lineno == 0 && !last)
		ret = fail_at(l, path, 0, "empty");
	if (!ret && in_batch) {
		if (last)
			js->torn = true;
		else
			ret = fail_at(l, path, js->torn_line, "a batch without its end record, and later journals follow");
	}
	record_reader_free(&rd);
	fclose(f);
	return ret;
}

/* Pass two: applies the batches up to js->valid_end. */
static int journal_apply(struct loader *l, const char *name, const char *path, const struct journal_scan *js)
{
	struct record_reader rd;
	struct record rec;
	struct rules_store_rule rule;
	uint64_t id, next_id = 0;
	const char *why;
	bool complete;
	char *line;
	size_t len;
	int ret = 0;
	FILE *f = open_read(l, name, &ret);

	if (!f)
		return ret;
	record_reader_init(&rd, f);
	while (rd.lineno < js->valid_lines && record_reader_next(&rd, &line, &len, &complete) > 0) {
		if (record_parse(line, len, &rec, &why)) {
			ret = fail_at(l, path, rd.lineno, why); /* changed between the passes */
			break;
		}
		if (is(&rec, "B", 3)) {
			record_u64(rec.field[1], UINT64_MAX, &next_id);
		} else if (is(&rec, "P", 1 + RULES_RECORD_FIELDS)) {
			if (rules_record_parse(rec.field + 1, &rule, &why)) {
				ret = fail_at(l, path, rd.lineno, why);
				break;
			}
			if ((ret = image_put(l, &rule, true)))
				break;
		} else if (is(&rec, "D", 2)) {
			if (record_u64(rec.field[1], UINT64_MAX, &id) || image_del(l, id)) {
				ret = fail_at(l, path, rd.lineno, "deletes a rule that does not exist");
				break;
			}
		} else if (is(&rec, "C", 2) && next_id > l->img->next_id) {
			l->img->next_id = next_id;
		}
	}
	record_reader_free(&rd);
	fclose(f);
	return ret;
}

/* Journals numbered from seq on, contiguous; older ones are left for removal. */
static int load_journals(struct loader *l, const uint64_t *seqs, size_t n, uint64_t from)
{
	struct rules_store *s = l->s;
	struct journal_scan js = { 0 };
	uint64_t expect = from;
	size_t first = 0;
	int ret = 0;

	while (first < n && seqs[first] < from)
		first++;
	s->journal_seq = from;
	s->journal_bytes = 0;
	for (size_t i = first; i < n && !ret; i++) {
		char name[64], path[PATH_MAX];
		bool last = i == n - 1;

		snprintf(name, sizeof(name), RULES_STORE_JOURNAL_FMT, seqs[i]);
		snprintf(path, sizeof(path), "%s/%s", s->dir, name);
		if (seqs[i] != expect) {
			snprintf(l->err, l->errlen, "%s/" RULES_STORE_JOURNAL_FMT ": missing (the journals jump to %s)",
				 s->dir, expect, name);
			return -EBADMSG;
		}
		expect++;
		ret = journal_scan(l, name, path, last, seqs[i], &js);
		if (!ret)
			ret = journal_apply(l, name, path, &js);
		if (ret || !last)
			continue;
		s->journal_seq = seqs[i];
		s->journal_bytes = (size_t)js.valid_end;
		if (js.torn) {
			log_warn("rules: %s:%zu: the last batch was cut short by a crash while it was written (it "
				 "was never acknowledged): dropped", path, js.torn_line);
			if (truncate(path, js.valid_end))
				ret = -errno;
		}
	}
	return ret;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Lists the store's files; removes half-written snapshots; sums sizes for the text arena. */
static int scan_dir(struct loader *l, bool *has_snapshot, struct vec *seqs, size_t *bytes)
{
	struct rules_store *s = l->s;
	int fd = dup(s->dir_fd);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	struct dirent *de;
	struct stat st;
	int ret = 0;

	if (!d) {
		if (fd >= 0)
			close(fd);
		snprintf(l->err, l->errlen, "%s: %s", s->dir, strerror(errno));
		return -errno;
	}
	rewinddir(d);
	*has_snapshot = false;
	*bytes = 0;
	while ((de = readdir(d))) {
		uint64_t seq;
		char tail;

		if (de->d_name[0] == '.')
			continue;
		if (strstr(de->d_name, ".tmp")) {
			unlinkat(s->dir_fd, de->d_name, 0);
			continue;
		}
		if (!strcmp(de->d_name, RULES_STORE_SNAPSHOT))
			*has_snapshot = true;
		else if (sscanf(de->d_name, "journal-%16" SCNx64 "%c", &seq, &tail) == 1 && strlen(de->d_name) == 24)
			ret = vec_push(seqs, &seq);
		else
			continue;
		if (ret)
			break;
		if (!fstatat(s->dir_fd, de->d_name, &st, 0))
			*bytes += (size_t)st.st_size;
	}
	closedir(d);
	if (seqs->n)
		qsort(seqs->v, seqs->n, sizeof(uint64_t), cmp_u64);
	return ret;
}

/* The first format: a header comment, "next_id N", then one rule per line with ten fields
 * (no tag) and \t \n \\ escapes in the comment. */
#define LEGACY_FIELDS 10

static int load_legacy(struct loader *l, const char *path)
{
	static char no_tag[1];
	struct record_reader rd;
	char *f[RULES_RECORD_FIELDS];
	bool complete;
	char *line;
	size_t len;
	int ret = 0, got;
	FILE *file = fopen(path, "re");

	if (!file)
		return errno == ENOENT ? 0 : -errno;
	record_reader_init(&rd, file);
	while ((got = record_reader_next(&rd, &line, &len, &complete)) > 0) {
		char *v1[LEGACY_FIELDS], *p = line, *out;
		size_t n = 0;

		if (!complete || strlen(line) != len) {
			ret = fail_at(l, path, rd.lineno, "cut short or damaged");
			break;
		}
		if (!len || line[0] == '#')
			continue;
		if (!strncmp(line, "next_id\t", 8)) {
			if (record_u64(line + 8, UINT64_MAX, &l->img->next_id)) {
				ret = fail_at(l, path, rd.lineno, "bad next_id");
				break;
			}
			continue;
		}
		for (; p && n < LEGACY_FIELDS; n++) {
			v1[n] = p;
			p = strchr(p, '\t');
			if (p)
				*p++ = '\0';
		}
		if (n != LEGACY_FIELDS || p) {
			ret = fail_at(l, path, rd.lineno, "not a rule line (wrong number of fields)");
			break;
		}
		for (p = out = v1[9]; *p; p++) {
			if (*p == '\\' && (p[1] == 't' || p[1] == 'n' || p[1] == '\\'))
				*out++ = *++p == 't' ? '\t' : *p == 'n' ? '\n' : '\\';
			else
				*out++ = *p;
		}
		*out = '\0';
		memcpy(f, v1, 9 * sizeof(*f));
		f[9] = no_tag;
		f[10] = v1[9];
		ret = load_rule(l, path, rd.lineno, f);
		if (ret)
			break;
	}
	if (!ret && got < 0)
		ret = fail_at(l, path, 0, strerror(-got));
	record_reader_free(&rd);
	fclose(file);
	return ret;
}

static void image_squeeze(struct rules_store_image *img)
{
	size_t k = 0;

	for (size_t i = 0; i < img->n; i++)
		if (!image_gone(&img->rules[i]))
			img->rules[k++] = img->rules[i];
	img->n = k;
}

int rules_store_read(struct rules_store *s, struct rules_store_image *img, char *err, size_t errlen,
		     bool *legacy)
{
	struct loader l = { .s = s, .img = img, .err = err, .errlen = errlen };
	struct vec seqs;
	struct stat st;
	bool has_snapshot = false;
	size_t bytes = 0;
	uint64_t seq = 1;
	int ret;

	memset(img, 0, sizeof(*img));
	img->next_id = 1;
	vec_init(&seqs, sizeof(uint64_t));
	ret = scan_dir(&l, &has_snapshot, &seqs, &bytes);
	if (ret)
		goto out;
	if (!has_snapshot && !seqs.n && s->legacy_file && !stat(s->legacy_file, &st))
		bytes += (size_t)st.st_size;
	else if (s->legacy_file && !access(s->legacy_file, F_OK) && unlink(s->legacy_file) == 0)
		log_info("rules: removed %s, already moved to %s", s->legacy_file, s->dir);
	img->text_cap = bytes + 1;
	img->text = malloc(img->text_cap);
	/* Records take some 70 bytes: sizing the array from the files spares copying a million
	 * rules as it grows. */
	l.cap = bytes / 64 + 1024;
	img->rules = malloc(l.cap * sizeof(*img->rules));
	ret = img->text && img->rules ? htab_init(&l.by_id, sizeof(uint64_t), 0) : -ENOMEM;
	if (ret)
		goto out;
	if (has_snapshot) {
		ret = load_snapshot(&l, &seq);
		if (!ret && !fstatat(s->dir_fd, RULES_STORE_SNAPSHOT, &st, 0))
			s->snapshot_bytes = (size_t)st.st_size;
	} else if (seqs.n) {
		seq = *(uint64_t *)vec_at(&seqs, 0);
	} else if (s->legacy_file && !access(s->legacy_file, F_OK)) {
		ret = load_legacy(&l, s->legacy_file);
		*legacy = !ret;
	}
	if (!ret)
		ret = load_journals(&l, seqs.v, seqs.n, seq);
	if (!ret)
		image_squeeze(img);
out:
	if (ret == -ENOMEM)
		snprintf(err, errlen, "%s: out of memory", s->dir);
	if (ret)
		rules_store_image_free(img);
	htab_free(&l.by_id);
	vec_free(&seqs);
	return ret;
}

void rules_store_image_free(struct rules_store_image *img)
{
	free(img->rules);
	free(img->text);
	memset(img, 0, sizeof(*img));
}
