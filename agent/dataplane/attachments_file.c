/* Attachment records on disk: a tab-separated text file, one attachment per line. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pins.h"
#include "atomic_file.h"
#include "attachments_file.h"

#define STATE_HEADER \
	"# xdpfleet attachments v1: ifindex ifname prog_id mode attached_at has_stats exc_base exc_seen program\n"
#define NFIELDS 9

int attachments_file_path(const char *state_dir, const char *key, char *buf, size_t len)
{
	if ((size_t)snprintf(buf, len, "%s/attachments-%s.tsv", state_dir, key) >= len)
		return -ENAMETOOLONG;
	return 0;
}

static void put_counts(FILE *f, const uint64_t *c)
{
	for (int a = 0; a < DP_ACTIONS; a++)
		fprintf(f, "%s%" PRIu64, a ? "," : "", c[a]);
	fputc('\t', f);
}

static void put_record(FILE *f, const struct attachment_record *r)
{
	const struct dp_attachment *att = &r->att;

	fprintf(f, "%u\t%s\t%" PRIu32 "\t%s\t%" PRIu64 "\t%d\t", att->ifindex, att->ifname, att->prog_id,
		dataplane_mode_name(att->mode), att->attached_at_unix, att->has_stats);
	put_counts(f, r->exc_base);
	put_counts(f, r->exc_seen);
	fprintf(f, "%s\n", att->program);
}

struct attachments_fill_ctx {
	const struct attachment_record *recs;
	size_t n;
};

static int attachments_fill(FILE *f, void *ctx)
{
	const struct attachments_fill_ctx *c = ctx;

	fputs(STATE_HEADER, f);
	for (size_t i = 0; i < c->n; i++)
		put_record(f, &c->recs[i]);
	return ferror(f) ? -EIO : 0;
}

int attachments_file_save(const char *path, const struct attachment_record *recs, size_t n)
{
	struct attachments_fill_ctx ctx = { recs, n };

	return atomic_file_write(path, attachments_fill, &ctx);
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

static int parse_counts(const char *s, uint64_t *c)
{
	return sscanf(s, "%" SCNu64 ",%" SCNu64 ",%" SCNu64 ",%" SCNu64 ",%" SCNu64, &c[0], &c[1], &c[2], &c[3],
		      &c[4]) == DP_ACTIONS ? 0 : -EINVAL;
}

static int parse_line(char *line, struct attachment_record *r)
{
	char *fields[NFIELDS], *save = NULL, *tok = strtok_r(line, "\t\n", &save);
	struct dp_attachment *att = &r->att;
	int has_stats, nf = 0;

	while (tok && nf < NFIELDS) {
		fields[nf++] = tok;
		/* The program (last) may contain anything but tab and newline. */
		tok = strtok_r(NULL, nf == NFIELDS - 1 ? "\n" : "\t\n", &save);
	}
	if (nf != NFIELDS || strlen(fields[1]) >= sizeof(att->ifname) ||
	    strlen(fields[NFIELDS - 1]) >= sizeof(att->program))
		return -EINVAL;
	memset(r, 0, sizeof(*r));
	if (parse_counts(fields[6], r->exc_base) || parse_counts(fields[7], r->exc_seen))
		return -EINVAL;
	if (sscanf(fields[0], "%u", &att->ifindex) != 1 || sscanf(fields[2], "%" SCNu32, &att->prog_id) != 1 ||
	    parse_mode(fields[3], &att->mode) || sscanf(fields[4], "%" SCNu64, &att->attached_at_unix) != 1 ||
	    sscanf(fields[5], "%d", &has_stats) != 1)
		return -EINVAL;
	strcpy(att->ifname, fields[1]);
	strcpy(att->program, fields[NFIELDS - 1]);
	att->has_stats = has_stats;
	return 0;
}

int attachments_file_load(const char *path, struct attachment_record **atts, size_t *n)
{
	char line[DP_PROGRAM_MAX + 512];
	struct attachment_record att, *grown;
	FILE *f = fopen(path, "re");
	int ret = 0;

	*atts = NULL;
	*n = 0;
	if (!f)
		return errno == ENOENT ? 0 : -errno;
	while (fgets(line, sizeof(line), f)) {
		if (line[0] == '#' || parse_line(line, &att))
			continue;
		grown = realloc(*atts, (*n + 1) * sizeof(**atts));
		if (!grown) {
			ret = -ENOMEM;
			break;
		}
		*atts = grown;
		(*atts)[(*n)++] = att;
	}
	fclose(f);
	if (ret) {
		free(*atts);
		*atts = NULL;
		*n = 0;
	}
	return ret;
}
