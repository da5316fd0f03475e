// SPDX-License-Identifier: GPL-2.0-only
/* Attachment records on disk: one record (lib/util/records.h) per attachment between a header
 * and an end record that counts them, so a cut or damaged file is refused, naming its line.
 *   H xdpfleet-attachments 2 | A ifindex ifname prog_id mode attached_at has_stats exc_base exc_seen program | E n */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomic_file.h"
#include "attachments_file.h"
#include "records.h"

#define MAGIC "xdpfleet-attachments"
#define VERSION "2"
#define LEGACY_HEADER "# xdpfleet attachments v1:"
#define NFIELDS 9

int attachments_file_path(const char *state_dir, const char *key, char *buf, size_t len)
{
	if ((size_t)snprintf(buf, len, "%s/attachments-%s.tsv", state_dir, key) >= len)
		return -ENAMETOOLONG;
	return 0;
}

static void format_counts(const uint64_t *c, char *buf, size_t len)
{
	snprintf(buf, len, "%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64, c[0], c[1], c[2], c[3], c[4]);
}

struct fill_ctx {
	const struct attachment_record *recs;
	size_t n;
};

static int fill(FILE *f, void *arg)
{
	const struct fill_ctx *c = arg;
	const char *hdr[] = { "H", MAGIC, VERSION };
	char count[24];
	const char *end[] = { "E", count };
	int ret = record_write(f, hdr, 3);

	for (size_t i = 0; i < c->n && !ret; i++) {
		const struct dp_attachment *att = &c->recs[i].att;
		char ifindex[16], prog_id[16], at[24], base[128], seen[128];
		const char *fields[] = { "A", ifindex, att->ifname, prog_id, dataplane_mode_name(att->mode), at,
					 att->has_stats ? "1" : "0", base, seen, att->program };

		snprintf(ifindex, sizeof(ifindex), "%u", att->ifindex);
		snprintf(prog_id, sizeof(prog_id), "%" PRIu32, att->prog_id);
		snprintf(at, sizeof(at), "%" PRIu64, att->attached_at_unix);
		format_counts(c->recs[i].exc_base, base, sizeof(base));
		format_counts(c->recs[i].exc_seen, seen, sizeof(seen));
		ret = record_write(f, fields, 1 + NFIELDS);
	}
	snprintf(count, sizeof(count), "%zu", c->n);
	return ret ? ret : record_write(f, end, 2);
}

int attachments_file_save(const char *path, const struct attachment_record *recs, size_t n)
{
	struct fill_ctx ctx = { recs, n };

	return atomic_file_write(path, fill, &ctx);
}

static int parse_mode(const char *s, enum dp_mode *mode)
{
	if (!strcmp(s, "native"))
		*mode = DP_MODE_NATIVE;
	else if (!strcmp(s, "skb"))
		*mode = DP_MODE_SKB;
	else if (!strcmp(s, "hw"))
		*mode = DP_MODE_HW;
	else
		return -EINVAL;
	return 0;
}

static int parse_counts(char *s, uint64_t *c)
{
	char *save = NULL, *tok = strtok_r(s, ",", &save);
	int n = 0;

	for (; tok && n < DP_ACTIONS; tok = strtok_r(NULL, ",", &save))
		if (record_u64(tok, UINT64_MAX, &c[n++]))
			return -EINVAL;
	return n == DP_ACTIONS && !tok ? 0 : -EINVAL;
}

/* The fields after the record type, in either format's order. */
static const char *parse_fields(char **f, struct attachment_record *r)
{
	struct dp_attachment *att = &r->att;
	uint64_t v;

	memset(r, 0, sizeof(*r));
	if (record_u64(f[0], UINT32_MAX, &v) || !v)
		return "bad ifindex";
	att->ifindex = (unsigned int)v;
	if (!*f[1] || strlen(f[1]) >= sizeof(att->ifname))
		return "bad interface name";
	strcpy(att->ifname, f[1]);
	if (record_u64(f[2], UINT32_MAX, &v))
		return "bad program id";
	att->prog_id = (uint32_t)v;
	if (parse_mode(f[3], &att->mode))
		return "unknown mode";
	if (record_u64(f[4], UINT64_MAX, &att->attached_at_unix))
		return "bad time";
	if (strcmp(f[5], "0") && strcmp(f[5], "1"))
		return "bad has_stats";
	att->has_stats = f[5][0] == '1';
	if (parse_counts(f[6], r->exc_base) || parse_counts(f[7], r->exc_seen))
		return "bad exception counts";
	if (!*f[8] || strlen(f[8]) >= sizeof(att->program))
		return "bad program";
	strcpy(att->program, f[8]);
	return NULL;
}

static int push(struct attachment_record **recs, size_t *n, const struct attachment_record *r)
{
	struct attachment_record *grown = realloc(*recs, (*n + 1) * sizeof(**recs));

	if (!grown)
		return -ENOMEM;
	*recs = grown;
	grown[(*n)++] = *r;
	return 0;
}

static int fail(char *err, size_t errlen, const char *path, size_t line, const char *why)
{
	snprintf(err, errlen, "%s:%zu: %s", path, line, why);
	return -EBADMSG;
}

/* The first format: a comment header, then lines of tab-separated fields, no escapes. */
static int load_legacy_line(char *line, struct attachment_record *r, const char **why)
{
	char *f[NFIELDS], *p = line;
	size_t n = 0;

	for (; p && n < NFIELDS; n++) {
		f[n] = p;
		p = strchr(p, '\t');
		if (p && n < NFIELDS - 1)
			*p++ = '\0';
		else
			p = NULL; /* the program, last, may hold tabs in this format */
	}
	*why = n == NFIELDS ? parse_fields(f, r) : "not an attachment line";
	return *why ? -EINVAL : 0;
}

int attachments_file_load(const char *path, struct attachment_record **recs, size_t *n, char *err, size_t errlen)
{
	struct attachment_record r;
	struct record_reader rd;
	struct record rec;
	bool legacy = false, ended = false, complete;
	const char *why = NULL;
	char *line;
	size_t len;
	int ret = 0, got;
	FILE *f = fopen(path, "re");

	*recs = NULL;
	*n = 0;
	if (!f) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -errno;
	}
	record_reader_init(&rd, f);
	while (!ret && (got = record_reader_next(&rd, &line, &len, &complete)) > 0) {
		if (rd.lineno == 1 && !strncmp(line, LEGACY_HEADER, strlen(LEGACY_HEADER))) {
			legacy = true;
			continue;
		}
		if (ended) {
			ret = fail(err, errlen, path, rd.lineno, "a line after the end record");
		} else if (!complete || strlen(line) != len) {
			ret = fail(err, errlen, path, rd.lineno, "cut short or damaged");
		} else if (legacy) {
			if (load_legacy_line(line, &r, &why))
				ret = fail(err, errlen, path, rd.lineno, why);
			else
				ret = push(recs, n, &r);
		} else if (record_parse(line, len, &rec, &why)) {
			ret = fail(err, errlen, path, rd.lineno, why);
		} else if (rd.lineno == 1) {
			if (rec.n != 3 || strcmp(rec.field[0], "H") || strcmp(rec.field[1], MAGIC) ||
			    strcmp(rec.field[2], VERSION))
				ret = fail(err, errlen, path, 1, "not an attachments file of this version");
		} else if (rec.n == 1 + NFIELDS && !strcmp(rec.field[0], "A")) {
			why = parse_fields(rec.field + 1, &r);
			ret = why ? fail(err, errlen, path, rd.lineno, why) : push(recs, n, &r);
		} else if (rec.n == 2 && !strcmp(rec.field[0], "E")) {
			uint64_t count;

			if (record_u64(rec.field[1], UINT64_MAX, &count) || count != *n)
				ret = fail(err, errlen, path, rd.lineno, "the end record counts other attachments than the file holds");
			ended = true;
		} else {
			ret = fail(err, errlen, path, rd.lineno, "not an attachments record");
		}
	}
	if (!ret && got < 0)
		ret = fail(err, errlen, path, rd.lineno, strerror(-got));
	if (!ret && !legacy && !ended)
		ret = fail(err, errlen, path, rd.lineno + 1, "the file ends before its end record (cut short)");
	if (ret == -ENOMEM)
		snprintf(err, errlen, "%s: out of memory", path);
	record_reader_free(&rd);
	fclose(f);
	if (ret) {
		free(*recs);
		*recs = NULL;
		*n = 0;
	}
	return ret;
}
