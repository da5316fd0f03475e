/* The target list (see hosts.h). */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hosts.h"
#include "parse.h"

static int hosts_check_port(const char *port, char *why, size_t whylen)
{
	uint64_t v;

	if (!*port) {
		snprintf(why, whylen, "missing port after ':'");
		return -EINVAL;
	}
	if (parse_uint(port, 1, 65535, &v)) {
		snprintf(why, whylen, "port '%s' is not a number from 1 to 65535", port);
		return -EINVAL;
	}
	return 0;
}

int hosts_check_target(const char *t, char *why, size_t whylen)
{
	const char *p, *colon;

	for (p = t; *p; p++) {
		if (isspace((unsigned char)*p) || *p == ',' || !isprint((unsigned char)*p)) {
			snprintf(why, whylen, "contains a space, comma or control character");
			return -EINVAL;
		}
	}
	if (!*t) {
		snprintf(why, whylen, "empty target");
		return -EINVAL;
	}
	if (!strncmp(t, "unix:", 5)) {
		if (!t[5]) {
			snprintf(why, whylen, "missing socket path after 'unix:'");
			return -EINVAL;
		}
		return 0;
	}
	if (t[0] == '/')
		return 0;
	if (t[0] == '[') {
		p = strchr(t, ']');
		if (!p || p == t + 1) {
			snprintf(why, whylen, "IPv6 address needs the form [ADDRESS]:PORT");
			return -EINVAL;
		}
		if (p[1] != ':') {
			snprintf(why, whylen, "missing ':PORT' after ']'");
			return -EINVAL;
		}
		return hosts_check_port(p + 2, why, whylen);
	}
	colon = strrchr(t, ':');
	if (!colon) {
		snprintf(why, whylen, "missing ':PORT' (or 'unix:' for a socket path)");
		return -EINVAL;
	}
	if (colon == t) {
		snprintf(why, whylen, "missing host before ':'");
		return -EINVAL;
	}
	if (memchr(t, ':', colon - t)) {
		snprintf(why, whylen, "an IPv6 address needs brackets: [ADDRESS]:PORT");
		return -EINVAL;
	}
	return hosts_check_port(colon + 1, why, whylen);
}

static int hosts_add_one(struct cli_hosts *h, const char *t, size_t len)
{
	char **grown;
	size_t i;

	for (i = 0; i < h->n; i++)
		if (strlen(h->targets[i]) == len && !strncmp(h->targets[i], t, len))
			return 0;
	grown = realloc(h->targets, (h->n + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	h->targets = grown;
	h->targets[h->n] = strndup(t, len);
	if (!h->targets[h->n])
		return -ENOMEM;
	h->n++;
	return 0;
}

/* Validates and appends one target; where says where it came from in the message. */
static int hosts_add_checked(const struct cli_ctx *ctx, struct cli_hosts *h, const char *t,
			     size_t len, const char *where)
{
	char why[128], *copy;
	int err;

	copy = strndup(t, len);
	if (!copy)
		return -ENOMEM;
	err = hosts_check_target(copy, why, sizeof(why));
	if (err) {
		cli_usage_error(ctx, NULL, "%s: invalid target '%s': %s", where, copy, why);
		goto out;
	}
	err = hosts_add_one(h, t, len);
out:
	free(copy);
	return err;
}

int hosts_add_list(const struct cli_ctx *ctx, struct cli_hosts *h, const char *list,
		   const char *source)
{
	const char *p = list, *comma;
	int err;

	if (!*list)
		return cli_usage_error(ctx, NULL, "%s: empty target list", source);
	for (;;) {
		comma = strchr(p, ',');
		err = hosts_add_checked(ctx, h, p, comma ? (size_t)(comma - p) : strlen(p), source);
		if (err || !comma)
			return err;
		p = comma + 1;
	}
}

int hosts_add_file(const struct cli_ctx *ctx, struct cli_hosts *h, const char *path)
{
	char where[512], *line = NULL, *s, *e;
	size_t cap = 0, lineno = 0, found = 0;
	FILE *f;
	int err = 0;

	f = fopen(path, "r");
	if (!f)
		return cli_usage_error(ctx, NULL, "--hosts-file: cannot open '%s': %s", path,
				       strerror(errno));
	while (getline(&line, &cap, f) >= 0) {
		lineno++;
		s = strchr(line, '#');
		if (s)
			*s = '\0';
		for (s = line; isspace((unsigned char)*s); s++)
			;
		for (e = s + strlen(s); e > s && isspace((unsigned char)e[-1]); e--)
			;
		if (e == s)
			continue;
		snprintf(where, sizeof(where), "%s:%zu", path, lineno);
		err = hosts_add_checked(ctx, h, s, e - s, where);
		if (err)
			goto out;
		found++;
	}
	if (ferror(f)) {
		err = cli_usage_error(ctx, NULL, "--hosts-file: cannot read '%s'", path);
		goto out;
	}
	if (!found)
		err = cli_usage_error(ctx, NULL, "--hosts-file: '%s' lists no targets", path);
out:
	free(line);
	fclose(f);
	return err;
}

void hosts_free(struct cli_hosts *h)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		free(h->targets[i]);
	free(h->targets);
	h->targets = NULL;
	h->n = 0;
}
