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
#include "state.h"

#define STATE_HEADER "# xdpfleet attachments v1: ifindex ifname prog_id mode attached_at has_stats program\n"

int state_path(const char *state_dir, const char *key, char *buf, size_t len)
{
	if ((size_t)snprintf(buf, len, "%s/attachments-%s.tsv", state_dir, key) >= len)
		return -ENAMETOOLONG;
	return 0;
}

static int fsync_dir(const char *path)
{
	char copy[PATH_MAX];
	int fd, ret = 0;

	snprintf(copy, sizeof(copy), "%s", path);
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return -errno;
	if (fsync(fd))
		ret = -errno;
	close(fd);
	return ret;
}

int state_save(const char *path, const struct dp_attachment *atts, size_t n)
{
	char tmp[PATH_MAX], dir[PATH_MAX];
	FILE *f = NULL;
	int fd, ret = 0;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp))
		return -ENAMETOOLONG;
	snprintf(dir, sizeof(dir), "%s", path);
	ret = pins_mkdir_p(dirname(dir), 0700);
	if (ret)
		return ret;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	f = fdopen(fd, "w");
	if (!f) {
		ret = -errno;
		close(fd);
		goto out;
	}
	fputs(STATE_HEADER, f);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%u\t%s\t%" PRIu32 "\t%s\t%" PRIu64 "\t%d\t%s\n", atts[i].ifindex, atts[i].ifname,
			atts[i].prog_id, dataplane_mode_name(atts[i].mode), atts[i].attached_at_unix,
			atts[i].has_stats, atts[i].program);
	if (fflush(f) || fsync(fileno(f)))
		ret = -errno;
	if (fclose(f) && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path))
		ret = -errno;
	if (!ret)
		ret = fsync_dir(path);
out:
	if (ret)
		unlink(tmp);
	return ret;
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

static int parse_line(char *line, struct dp_attachment *att)
{
	char *fields[7], *save = NULL, *tok = strtok_r(line, "\t\n", &save);
	int has_stats, nf = 0;

	while (tok && nf < 7) {
		fields[nf++] = tok;
		/* The program (last) may contain anything but tab and newline. */
		tok = strtok_r(NULL, nf == 6 ? "\n" : "\t\n", &save);
	}
	if (nf != 7 || strlen(fields[1]) >= sizeof(att->ifname) || strlen(fields[6]) >= sizeof(att->program))
		return -EINVAL;
	memset(att, 0, sizeof(*att));
	if (sscanf(fields[0], "%u", &att->ifindex) != 1 || sscanf(fields[2], "%" SCNu32, &att->prog_id) != 1 ||
	    parse_mode(fields[3], &att->mode) || sscanf(fields[4], "%" SCNu64, &att->attached_at_unix) != 1 ||
	    sscanf(fields[5], "%d", &has_stats) != 1)
		return -EINVAL;
	strcpy(att->ifname, fields[1]);
	strcpy(att->program, fields[6]);
	att->has_stats = has_stats;
	return 0;
}

int state_load(const char *path, struct dp_attachment **atts, size_t *n)
{
	char line[DP_PROGRAM_MAX + 256];
	struct dp_attachment att, *grown;
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
