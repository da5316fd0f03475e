// SPDX-License-Identifier: GPL-2.0-only
/* The target list (see hosts.h). */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hosts.h"
#include "parse.h"

#define HOSTS_LABEL_KEY_MAX 63
#define HOSTS_LABEL_VALUE_MAX 255

static int hosts_why(char *why, size_t whylen, const char *text)
{
	snprintf(why, whylen, "%s", text);
	return -EINVAL;
}

static int hosts_check_port(const char *port, char *why, size_t whylen)
{
	uint64_t v;

	if (!*port)
		return hosts_why(why, whylen, "missing port after ':'");
	if (parse_uint(port, 1, 65535, &v)) {
		snprintf(why, whylen, "port '%s' is not a number from 1 to 65535", port);
		return -EINVAL;
	}
	return 0;
}

/* A DNS name or IPv4 address: what gRPC's resolver takes, without spaces or URL parts. */
static int hosts_check_name(const char *s, size_t len, char *why, size_t whylen)
{
	for (size_t i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr(".-_", s[i]))
			return hosts_why(why, whylen, "a host name has letters, digits, '.', '-' and "
					 "'_' only");
	return 0;
}

static int hosts_put(char *out, size_t outlen, const char *t, const char *port, char *why,
		     size_t whylen)
{
	if ((size_t)snprintf(out, outlen, "%s%s", t, port) >= outlen)
		return hosts_why(why, whylen, "too long");
	return 0;
}

int hosts_normalise(const char *t, char *out, size_t outlen, char *why, size_t whylen)
{
	const char *p, *colon;
	int err;

	for (p = t; *p; p++)
		if (isspace((unsigned char)*p) || *p == ',' || !isprint((unsigned char)*p))
			return hosts_why(why, whylen, "contains a space, comma or control character");
	if (!*t)
		return hosts_why(why, whylen, "empty target");
	if (!strncmp(t, "unix:", 5) && !t[5])
		return hosts_why(why, whylen, "missing socket path after 'unix:'");
	if (!strncmp(t, "unix:", 5) || t[0] == '/')
		return hosts_put(out, outlen, t, "", why, whylen);
	if (t[0] == '[') {
		p = strchr(t, ']');
		if (!p || p == t + 1)
			return hosts_why(why, whylen, "an IPv6 address needs the form [ADDRESS] or "
					 "[ADDRESS]:PORT");
		if (p[1] && p[1] != ':')
			return hosts_why(why, whylen, "expected ':PORT' after ']'");
		if (!p[1])
			return hosts_put(out, outlen, t, ":" CLI_DEFAULT_PORT, why, whylen);
		err = hosts_check_port(p + 2, why, whylen);
		return err ?: hosts_put(out, outlen, t, "", why, whylen);
	}
	colon = strrchr(t, ':');
	if (colon == t)
		return hosts_why(why, whylen, "missing host before ':'");
	if (colon && memchr(t, ':', (size_t)(colon - t)))
		return hosts_why(why, whylen, "an IPv6 address needs brackets: [ADDRESS]:PORT");
	err = hosts_check_name(t, colon ? (size_t)(colon - t) : strlen(t), why, whylen);
	if (!err && colon)
		err = hosts_check_port(colon + 1, why, whylen);
	return err ?: hosts_put(out, outlen, t, colon ? "" : ":" CLI_DEFAULT_PORT, why, whylen);
}

/* ---- the list and its labels ------------------------------------------------------------ */

static void hosts_labels_free(struct cli_labels *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->keys[i]);
		free(l->values[i]);
	}
	free(l->keys);
	free(l->values);
	memset(l, 0, sizeof(*l));
}

static const char *hosts_labels_get(const struct cli_labels *l, const char *key, size_t len)
{
	for (size_t i = 0; i < l->n; i++)
		if (strlen(l->keys[i]) == len && !strncmp(l->keys[i], key, len))
			return l->values[i];
	return NULL;
}

const char *hosts_label(const struct cli_hosts *h, size_t i, const char *key)
{
	return i < h->n ? hosts_labels_get(&h->labels[i], key, strlen(key)) : NULL;
}

static int hosts_labels_put(struct cli_labels *l, const char *key, size_t klen, const char *value,
			    size_t vlen)
{
	char **keys = realloc(l->keys, (l->n + 1) * sizeof(*keys)), **values;

	if (!keys)
		return -ENOMEM;
	l->keys = keys;
	values = realloc(l->values, (l->n + 1) * sizeof(*values));
	if (!values)
		return -ENOMEM;
	l->values = values;
	keys[l->n] = strndup(key, klen);
	values[l->n] = strndup(value, vlen);
	if (!keys[l->n] || !values[l->n]) {
		free(keys[l->n]);
		free(values[l->n]);
		return -ENOMEM;
	}
	l->n++;
	return 0;
}

/* The index of target t, appended (with origin) if new. */
static int hosts_add_one(struct cli_hosts *h, const char *t, const char *origin, size_t *idx)
{
	size_t n = h->n + 1;
	void *p;

	for (size_t i = 0; i < h->n; i++) {
		if (!strcmp(h->targets[i], t)) {
			*idx = i;
			return 0;
		}
	}
	if (!(p = realloc(h->targets, n * sizeof(*h->targets))))
		return -ENOMEM;
	h->targets = p;
	if (!(p = realloc(h->labels, n * sizeof(*h->labels))))
		return -ENOMEM;
	h->labels = p;
	if (!(p = realloc(h->origin, n * sizeof(*h->origin))))
		return -ENOMEM;
	h->origin = p;
	memset(&h->labels[h->n], 0, sizeof(h->labels[h->n]));
	h->targets[h->n] = strdup(t);
	h->origin[h->n] = strdup(origin);
	if (!h->targets[h->n] || !h->origin[h->n]) {
		free(h->targets[h->n]);
		free(h->origin[h->n]);
		return -ENOMEM;
	}
	*idx = h->n++;
	return 0;
}

/* Normalises and appends one target of len bytes; *idx: its index. */
static int hosts_add_checked(const struct cli_ctx *ctx, struct cli_hosts *h, const char *t,
			     size_t len, const char *where, size_t *idx)
{
	char why[128], norm[HOSTS_TARGET_MAX], *copy;
	int err;

	copy = strndup(t, len);
	if (!copy)
		return -ENOMEM;
	err = hosts_normalise(copy, norm, sizeof(norm), why, sizeof(why));
	if (err)
		cli_usage_error(ctx, NULL, "%s: invalid target '%s': %s", where, copy, why);
	else
		err = hosts_add_one(h, norm, where, idx);
	free(copy);
	return err;
}

int hosts_add_list(const struct cli_ctx *ctx, struct cli_hosts *h, const char *list,
		   const char *where)
{
	const char *p = list, *comma;
	size_t idx;
	int err;

	if (!*list)
		return cli_usage_error(ctx, NULL, "%s: empty target list", where);
	for (;;) {
		comma = strchr(p, ',');
		err = hosts_add_checked(ctx, h, p, comma ? (size_t)(comma - p) : strlen(p), where,
					&idx);
		if (err || !comma)
			return err;
		p = comma + 1;
	}
}

/* "KEY=VALUE" of len bytes: a key of letters, digits, '_', '.', '-' (starting with a letter)
 * and a value without spaces or commas (so a selector can list several). */
static int hosts_check_label(const char *s, size_t len, size_t *klen, char *why, size_t whylen)
{
	const char *eq = memchr(s, '=', len);

	if (!eq || eq == s || eq + 1 == s + len)
		return hosts_why(why, whylen, "expected KEY=VALUE");
	*klen = (size_t)(eq - s);
	if (*klen > HOSTS_LABEL_KEY_MAX || len - *klen - 1 > HOSTS_LABEL_VALUE_MAX)
		return hosts_why(why, whylen, "key or value too long");
	if (!isalpha((unsigned char)s[0]))
		return hosts_why(why, whylen, "a key starts with a letter");
	for (size_t i = 0; i < *klen; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("_.-", s[i]))
			return hosts_why(why, whylen, "a key has letters, digits, '_', '.' and '-' only");
	for (size_t i = *klen + 1; i < len; i++)
		if (s[i] == ',' || s[i] == '=' || !isgraph((unsigned char)s[i]))
			return hosts_why(why, whylen, "a value has no spaces, commas, '=' or control "
					 "characters");
	if (*klen == strlen(HOSTS_TLS_NAME_LABEL) && !strncmp(s, HOSTS_TLS_NAME_LABEL, *klen))
		return hosts_check_name(eq + 1, len - *klen - 1, why, whylen);
	return 0;
}

/* One label of target idx from where; a target listed again may add labels, not change them. */
static int hosts_add_label(const struct cli_ctx *ctx, struct cli_hosts *h, size_t idx,
			   const char *s, size_t len, const char *where)
{
	char why[128];
	const char *old;
	size_t klen;

	if (hosts_check_label(s, len, &klen, why, sizeof(why)))
		return cli_usage_error(ctx, NULL, "%s: invalid label '%.*s': %s", where, (int)len, s,
				       why);
	old = hosts_labels_get(&h->labels[idx], s, klen);
	if (old && (strlen(old) != len - klen - 1 || strncmp(old, s + klen + 1, len - klen - 1)))
		return cli_usage_error(ctx, NULL, "%s: label '%.*s' contradicts %.*s=%s given for %s "
				       "at %s", where, (int)len, s, (int)klen, s, old,
				       h->targets[idx], h->origin[idx]);
	if (old)
		return 0;
	return hosts_labels_put(&h->labels[idx], s, klen, s + klen + 1, len - klen - 1);
}

/* One hosts-file line (comment already cut): the target, then its labels. */
static int hosts_add_line(const struct cli_ctx *ctx, struct cli_hosts *h, char *s,
			  const char *where)
{
	size_t idx, len;
	int err;

	len = strcspn(s, " \t\r\v\f");
	err = hosts_add_checked(ctx, h, s, len, where, &idx);
	for (s += len; !err; s += len) {
		s += strspn(s, " \t\r\v\f");
		len = strcspn(s, " \t\r\v\f");
		if (!len)
			break;
		err = hosts_add_label(ctx, h, idx, s, len, where);
	}
	return err;
}

int hosts_add_file(const struct cli_ctx *ctx, struct cli_hosts *h, const char *path,
		   const char *where)
{
	char at[512], *line = NULL, *s;
	size_t cap = 0, lineno = 0, found = 0;
	FILE *f;
	int err = 0;

	f = fopen(path, "r");
	if (!f)
		return cli_usage_error(ctx, NULL, "%s: cannot open '%s': %s", where, path,
				       strerror(errno));
	while (getline(&line, &cap, f) >= 0) {
		lineno++;
		s = strchr(line, '#');
		if (s)
			*s = '\0';
		s = line + strspn(line, " \t\r\n\v\f");
		s[strcspn(s, "\n")] = '\0';
		if (!*s || !s[strspn(s, " \t\r\v\f")])
			continue;
		snprintf(at, sizeof(at), "%s:%zu", path, lineno);
		err = hosts_add_line(ctx, h, s, at);
		if (err)
			goto out;
		found++;
	}
	if (ferror(f)) {
		err = cli_usage_error(ctx, NULL, "%s: cannot read '%s'", where, path);
		goto out;
	}
	if (!found)
		err = cli_usage_error(ctx, NULL, "%s: '%s' lists no targets", where, path);
out:
	free(line);
	fclose(f);
	return err;
}

/* ---- selection -------------------------------------------------------------------------- */

/* Whether target i has every KEY=VALUE of selector sel; -EINVAL when sel is not a selector. */
static int hosts_match(const struct cli_hosts *h, size_t i, const char *sel, char *why,
		       size_t whylen)
{
	const char *p = sel, *v;
	size_t len, klen;
	int match = 1;

	for (;; p += len + 1) {
		len = strcspn(p, ",");
		if (hosts_check_label(p, len, &klen, why, whylen))
			return -EINVAL;
		v = i < h->n ? hosts_labels_get(&h->labels[i], p, klen) : NULL;
		if (!v || strlen(v) != len - klen - 1 || strncmp(v, p + klen + 1, len - klen - 1))
			match = 0;
		if (!p[len])
			return match;
	}
}

static void hosts_drop(struct cli_hosts *h, size_t i)
{
	free(h->targets[i]);
	free(h->origin[i]);
	hosts_labels_free(&h->labels[i]);
}

int hosts_select(const struct cli_ctx *ctx, struct cli_hosts *h, const char *const *selectors,
		 const char *const *wheres, size_t n)
{
	size_t k, kept = 0, total = h->n;
	char why[128];
	int m;

	if (!n)
		return 0;
	/* Check every selector first: a typo is an error even when no target has labels. */
	for (k = 0; k < n; k++)
		if (hosts_match(h, SIZE_MAX, selectors[k], why, sizeof(why)) < 0)
			return cli_usage_error(ctx, NULL, "%s: invalid selector '%s': %s (a selector "
					       "is KEY=VALUE[,KEY=VALUE...])", wheres[k],
					       selectors[k], why);
	for (size_t i = 0; i < h->n; i++) {
		for (k = 0, m = 1; k < n && m; k++)
			m = hosts_match(h, i, selectors[k], why, sizeof(why));
		if (!m) {
			hosts_drop(h, i);
			continue;
		}
		h->targets[kept] = h->targets[i];
		h->origin[kept] = h->origin[i];
		h->labels[kept++] = h->labels[i];
	}
	h->n = kept;
	if (kept)
		return 0;
	for (k = 0, why[0] = '\0'; k < n; k++)
		snprintf(why + strlen(why), sizeof(why) - strlen(why), "%s%s", k ? "," : "",
			 selectors[k]);
	return cli_usage_error(ctx, NULL, "%s: no target has the labels '%s' (of %zu target%s; "
			       "labels come from hosts-file lines)", wheres[0], why, total,
			       total == 1 ? "" : "s");
}

void hosts_free(struct cli_hosts *h)
{
	for (size_t i = 0; i < h->n; i++)
		hosts_drop(h, i);
	free(h->targets);
	free(h->labels);
	free(h->origin);
	memset(h, 0, sizeof(*h));
}
