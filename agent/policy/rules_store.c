// SPDX-License-Identifier: GPL-2.0-only
/* The rules store's writer: journal batches made durable before they are acknowledged, and
 * snapshots written by a child process from a copy-on-write image of the rule set, so folding a
 * million rules never stalls the agent (see rules_store_internal.h for the formats). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fs.h"
#include "log.h"
#include "rules_store_internal.h"

#define COMPACT_MIN_BYTES (4u << 20)

int rules_store_open(struct rules_store **out, const struct rules_store_opts *opts, char *err, size_t errlen)
{
	struct rules_store *s = calloc(1, sizeof(*s));
	int ret;

	*out = NULL;
	if (!s)
		return -ENOMEM;
	s->dir_fd = -1;
	s->compact_min_bytes = opts->compact_min_bytes ? opts->compact_min_bytes : COMPACT_MIN_BYTES;
	s->compact_in_foreground = opts->compact_in_foreground;
	s->dir = strdup(opts->dir);
	s->legacy_file = opts->legacy_file ? strdup(opts->legacy_file) : NULL;
	if (!s->dir || (opts->legacy_file && !s->legacy_file)) {
		ret = -ENOMEM;
		goto out;
	}
	ret = fs_mkdir_p(s->dir, 0700);
	if (!ret && (s->dir_fd = open(s->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		ret = -errno;
	if (ret) {
		snprintf(err, errlen, "%s: %s", s->dir, strerror(-ret));
		goto out;
	}
	*out = s;
	s = NULL;
out:
	rules_store_close(s);
	return ret;
}

static void note_snapshot_size(struct rules_store *s)
{
	struct stat st;

	if (!fstatat(s->dir_fd, RULES_STORE_SNAPSHOT, &st, 0))
		s->snapshot_bytes = (size_t)st.st_size;
}

static void reap(struct rules_store *s, bool wait)
{
	int status;
	pid_t got;

	if (!s->child)
		return;
	do
		got = waitpid(s->child, &status, wait ? 0 : WNOHANG);
	while (got < 0 && errno == EINTR);
	if (got == 0)
		return;
	s->child = 0;
	if (got < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
		log_err("rules: writing the snapshot in %s failed; the journal is kept and it is tried again later",
			s->dir);
		return;
	}
	note_snapshot_size(s);
	rules_store_remove_journals_before(s, s->child_seq);
}

void rules_store_close(struct rules_store *s)
{
	if (!s)
		return;
	reap(s, true);
	if (s->journal)
		fclose(s->journal);
	if (s->dir_fd >= 0)
		close(s->dir_fd);
	free(s->dir);
	free(s->legacy_file);
	free(s);
}

void rules_store_poll(struct rules_store *s)
{
	reap(s, false);
}

size_t rules_store_journal_bytes(const struct rules_store *s)
{
	return s->journal_bytes;
}

static int sync_dir(struct rules_store *s)
{
	return fsync(s->dir_fd) ? -errno : 0;
}

int rules_store_remove_journals_before(struct rules_store *s, uint64_t seq)
{
	for (uint64_t q = seq; q-- > 0;) {
		char name[64];

		snprintf(name, sizeof(name), RULES_STORE_JOURNAL_FMT, q);
		if (unlinkat(s->dir_fd, name, 0)) {
			if (errno == ENOENT)
				break; /* older ones went with an earlier snapshot */
			return -errno;
		}
	}
	return sync_dir(s);
}

/* Opens journal-<seq> for appending, writing its header when it is new or was cut to nothing. */
static int journal_open(struct rules_store *s, uint64_t seq)
{
	char name[64], seqs[24];
	const char *hdr[] = { "H", RULES_STORE_MAGIC, RULES_STORE_VERSION, "journal", seqs };
	int fd, ret = 0;
	struct stat st;
	FILE *f;

	snprintf(name, sizeof(name), RULES_STORE_JOURNAL_FMT, seq);
	snprintf(seqs, sizeof(seqs), "%" PRIu64, seq);
	fd = openat(s->dir_fd, name, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	f = fdopen(fd, "a");
	if (!f) {
		ret = -errno;
		close(fd);
		return ret;
	}
	if (fstat(fd, &st))
		ret = -errno;
	else if (st.st_size == 0 && (record_write(f, hdr, 5) || fflush(f) || fdatasync(fd)))
		ret = -EIO;
	if (!ret && st.st_size == 0)
		ret = sync_dir(s);
	if (ret) {
		fclose(f);
		return ret;
	}
	if (s->journal)
		fclose(s->journal);
	s->journal = f;
	s->journal_seq = seq;
	s->journal_bytes = (size_t)(st.st_size ? st.st_size : ftell(f));
	return 0;
}

static int put_u64_record(FILE *f, const char *type, uint64_t a, const uint64_t *b)
{
	char x[RECORD_U64_MAX], y[RECORD_U64_MAX];
	const char *fields[] = { type, record_format_u64(a, x), b ? record_format_u64(*b, y) : "" };

	return record_write(f, fields, b ? 3 : 2);
}

static int put_rule(FILE *f, const char *type, const struct rules_store_rule *r)
{
	struct rules_record_text t;
	const char *fields[1 + RULES_RECORD_FIELDS];

	rules_record_format(r, &t);
	fields[0] = type;
	memcpy(fields + 1, t.fields, sizeof(t.fields));
	return record_write(f, fields, 1 + RULES_RECORD_FIELDS);
}

int rules_store_commit(struct rules_store *s, const struct rules_store_rule *puts, size_t n_puts,
		       const uint64_t *dels, size_t n_dels, uint64_t next_id)
{
	uint64_t ops = n_puts + n_dels;
	off_t start;
	int ret;

	if (!s->loaded)
		return -EINVAL; /* appending to journals never read could follow damage */
	if (!s->journal && (ret = journal_open(s, s->journal_seq)))
		return ret;
	start = (off_t)s->journal_bytes;
	ret = put_u64_record(s->journal, "B", next_id, &ops);
	for (size_t i = 0; i < n_puts && !ret; i++)
		ret = put_rule(s->journal, "P", &puts[i]);
	for (size_t i = 0; i < n_dels && !ret; i++)
		ret = put_u64_record(s->journal, "D", dels[i], NULL);
	if (!ret)
		ret = put_u64_record(s->journal, "C", ops, NULL);
	if (!ret && fflush(s->journal))
		ret = -errno;
	if (!ret && fdatasync(fileno(s->journal)))
		ret = -errno;
	if (ret) {
		/* Nothing half-written may stay: the next batch would follow damage. */
		clearerr(s->journal);
		if (ftruncate(fileno(s->journal), start) || fdatasync(fileno(s->journal))) {
			log_err("rules: %s: cannot cut a failed batch off the journal: %s", s->dir, strerror(errno));
			fclose(s->journal);
			s->journal = NULL; /* reopened, and the tail dropped, by the next load */
		}
		return ret;
	}
	s->journal_bytes = (size_t)ftell(s->journal);
	return 0;
}

int rules_store_write_snapshot(struct rules_store *s, uint64_t seq, rules_store_iter_fn iter, void *ctx,
			       uint64_t next_id)
{
	const char *tmp = RULES_STORE_SNAPSHOT ".tmp";
	char seqs[24], ids[24];
	const char *hdr[] = { "H", RULES_STORE_MAGIC, RULES_STORE_VERSION, "snapshot", seqs, ids };
	struct rules_store_rule r;
	uint64_t cursor = 0, count = 0;
	int fd, ret = 0;
	FILE *f;

	snprintf(seqs, sizeof(seqs), "%" PRIu64, seq);
	snprintf(ids, sizeof(ids), "%" PRIu64, next_id);
	fd = openat(s->dir_fd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		return -errno;
	}
	ret = record_write(f, hdr, 6);
	while (!ret && iter(ctx, &cursor, &r)) {
		ret = put_rule(f, "R", &r);
		count++;
	}
	if (!ret)
		ret = put_u64_record(f, "E", count, NULL);
	if (!ret && (fflush(f) || fsync(fileno(f))))
		ret = -errno;
	if (fclose(f) && !ret)
		ret = -errno;
	if (!ret && renameat(s->dir_fd, tmp, s->dir_fd, RULES_STORE_SNAPSHOT))
		ret = -errno;
	if (!ret)
		ret = sync_dir(s);
	if (ret)
		unlinkat(s->dir_fd, tmp, 0);
	return ret;
}

static bool worth_compacting(const struct rules_store *s)
{
	return s->journal_bytes > s->compact_min_bytes && s->journal_bytes > s->snapshot_bytes;
}

int rules_store_compact(struct rules_store *s, rules_store_iter_fn iter, void *ctx, uint64_t next_id, bool force)
{
	uint64_t seq = s->journal_seq + 1;
	size_t bound = s->snapshot_bytes + s->journal_bytes;
	pid_t pid, parent;
	int ret;

	reap(s, false);
	if (!s->loaded || s->child || !(force || worth_compacting(s)))
		return 0;
	/* From here on commits go to the next journal; the snapshot holds everything before it. */
	ret = journal_open(s, seq);
	if (ret) {
		log_err("rules: %s: cannot start journal %" PRIu64 ": %s", s->dir, seq, strerror(-ret));
		return ret;
	}
	parent = getpid();
	pid = s->compact_in_foreground ? -1 : fork();
	if (pid == 0) {
		/* The child sees the rule set frozen as it was: no locks, no gRPC, just the file. It
		 * dies with the agent, so a restarted agent never meets a half-finished writer. */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent)
			_exit(1);
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		if (rules_store_write_snapshot(s, seq, iter, ctx, next_id))
			_exit(1);
		/* Here, not in the agent: freeing a journal of a million rules takes the kernel
		 * most of a second, which the serving loop must not wait for. What is left the
		 * agent removes when it reaps this process. */
		rules_store_remove_journals_before(s, seq);
		_exit(0);
	}
	if (pid > 0) {
		s->child = pid;
		s->child_seq = seq;
		s->snapshot_bytes = bound; /* until it is written; only paces compaction */
		return 0;
	}
	ret = rules_store_write_snapshot(s, seq, iter, ctx, next_id);
	if (ret) {
		log_err("rules: %s: cannot write the snapshot: %s", s->dir, strerror(-ret));
		return ret;
	}
	note_snapshot_size(s);
	return rules_store_remove_journals_before(s, seq);
}

static bool image_next(void *ctx, uint64_t *cursor, struct rules_store_rule *out)
{
	const struct rules_store_image *img = ctx;

	if (*cursor >= img->n)
		return false;
	*out = img->rules[(*cursor)++];
	return true;
}

/* A store still in the first format becomes a snapshot before anything is appended to it. */
static int migrate_legacy(struct rules_store *s, struct rules_store_image *img, char *err, size_t errlen)
{
	int ret = rules_store_write_snapshot(s, s->journal_seq, image_next, img, img->next_id);

	if (!ret && unlink(s->legacy_file) && errno != ENOENT)
		ret = -errno;
	if (ret) {
		snprintf(err, errlen, "%s: cannot move the rules of %s here: %s", s->dir, s->legacy_file, strerror(-ret));
		return ret;
	}
	note_snapshot_size(s);
	log_info("rules: %zu rules moved from %s to %s", img->n, s->legacy_file, s->dir);
	return 0;
}

int rules_store_load(struct rules_store *s, struct rules_store_image *img, char *err, size_t errlen)
{
	bool legacy = false;
	int ret = rules_store_read(s, img, err, errlen, &legacy);

	if (!ret && legacy)
		ret = migrate_legacy(s, img, err, errlen);
	if (ret)
		rules_store_image_free(img);
	s->loaded = !ret;
	return ret;
}
