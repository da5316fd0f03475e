// SPDX-License-Identifier: GPL-2.0-only
/* A small streaming JSON writer (see json.h): RFC 8259 output, strings escaped and made valid
 * UTF-8 so that any byte string an agent sends (interface names, errors) stays parseable. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

void json_init(struct json_writer *w, FILE *f)
{
	memset(w, 0, sizeof(*w));
	w->f = f;
	w->first[0] = true;
}

static int json_fail(struct json_writer *w, int err)
{
	if (!w->err)
		w->err = err;
	return w->err;
}

/* Writes the separator a new value needs; refuses values where only a key may go. */
static int json_before_value(struct json_writer *w)
{
	if (w->err)
		return w->err;
	if (w->in_object[w->depth] && !w->after_key)
		return json_fail(w, -EINVAL);
	if (w->depth == 0 && !w->first[0])
		return json_fail(w, -EINVAL); /* one top-level value per writer */
	if (!w->after_key && !w->first[w->depth] && fputc(',', w->f) == EOF)
		return json_fail(w, -EIO);
	w->first[w->depth] = false;
	w->after_key = false;
	return 0;
}

static int json_put(struct json_writer *w, const char *s)
{
	if (fputs(s, w->f) == EOF)
		return json_fail(w, -EIO);
	return 0;
}

static int json_open(struct json_writer *w, char c, bool object)
{
	int err = json_before_value(w);

	if (err)
		return err;
	if (w->depth + 1 >= JSON_MAX_DEPTH)
		return json_fail(w, -ENOSPC);
	if (fputc(c, w->f) == EOF)
		return json_fail(w, -EIO);
	w->depth++;
	w->first[w->depth] = true;
	w->in_object[w->depth] = object;
	return 0;
}

static int json_close(struct json_writer *w, char c, bool object)
{
	if (w->err)
		return w->err;
	if (w->depth == 0 || w->in_object[w->depth] != object || w->after_key)
		return json_fail(w, -EINVAL);
	w->depth--;
	if (fputc(c, w->f) == EOF)
		return json_fail(w, -EIO);
	return 0;
}

int json_begin_object(struct json_writer *w)
{
	return json_open(w, '{', true);
}

int json_end_object(struct json_writer *w)
{
	return json_close(w, '}', true);
}

int json_begin_array(struct json_writer *w)
{
	return json_open(w, '[', false);
}

int json_end_array(struct json_writer *w)
{
	return json_close(w, ']', false);
}

/* Length of the valid UTF-8 sequence at s, or 0 when it is not one (overlongs, surrogates and
 * code points above U+10FFFF included). */
static size_t json_utf8_len(const unsigned char *s)
{
	size_t len;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		len = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

static int json_write_escaped(struct json_writer *w, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t len;

	if (fputc('"', w->f) == EOF)
		return json_fail(w, -EIO);
	while (*s) {
		const char *esc = NULL;
		char buf[8];

		switch (*s) {
		case '"': esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		case '\b': esc = "\\b"; break;
		case '\f': esc = "\\f"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		case '\t': esc = "\\t"; break;
		default:
			if (*s < 0x20) {
				snprintf(buf, sizeof(buf), "\\u%04x", *s);
				esc = buf;
			}
		}
		if (esc) {
			if (fputs(esc, w->f) == EOF)
				return json_fail(w, -EIO);
			s++;
			continue;
		}
		len = json_utf8_len(s);
		if (!len) {
			/* Not UTF-8: one replacement character per bad byte keeps the output valid. */
			if (fputs("\\ufffd", w->f) == EOF)
				return json_fail(w, -EIO);
			s++;
			continue;
		}
		if (fwrite(s, 1, len, w->f) != len)
			return json_fail(w, -EIO);
		s += len;
	}
	if (fputc('"', w->f) == EOF)
		return json_fail(w, -EIO);
	return 0;
}

int json_key(struct json_writer *w, const char *key)
{
	if (w->err)
		return w->err;
	if (!w->in_object[w->depth] || w->after_key || !key)
		return json_fail(w, -EINVAL);
	if (!w->first[w->depth] && fputc(',', w->f) == EOF)
		return json_fail(w, -EIO);
	w->first[w->depth] = false;
	if (json_write_escaped(w, key) || fputc(':', w->f) == EOF)
		return json_fail(w, -EIO);
	w->after_key = true;
	return 0;
}

int json_string(struct json_writer *w, const char *s)
{
	int err = json_before_value(w);

	if (err)
		return err;
	if (!s)
		return json_put(w, "null");
	return json_write_escaped(w, s);
}

int json_uint(struct json_writer *w, uint64_t v)
{
	int err = json_before_value(w);

	if (err)
		return err;
	if (fprintf(w->f, "%" PRIu64, v) < 0)
		return json_fail(w, -EIO);
	return 0;
}

int json_int(struct json_writer *w, int64_t v)
{
	int err = json_before_value(w);

	if (err)
		return err;
	if (fprintf(w->f, "%" PRId64, v) < 0)
		return json_fail(w, -EIO);
	return 0;
}

int json_double(struct json_writer *w, double v)
{
	char buf[32];
	int err = json_before_value(w);

	if (err)
		return err;
	if (!isfinite(v))
		return json_put(w, "null");
	/* The shortest of %.15g/%.17g that reads back exactly: 0.1 stays 0.1, nothing is lost. */
	snprintf(buf, sizeof(buf), "%.15g", v);
	if (strtod(buf, NULL) != v)
		snprintf(buf, sizeof(buf), "%.17g", v);
	return json_put(w, buf);
}

int json_bool(struct json_writer *w, bool v)
{
	int err = json_before_value(w);

	return err ? err : json_put(w, v ? "true" : "false");
}

int json_null(struct json_writer *w)
{
	int err = json_before_value(w);

	return err ? err : json_put(w, "null");
}

int json_kv_string(struct json_writer *w, const char *key, const char *s)
{
	return json_key(w, key) ?: json_string(w, s);
}

int json_kv_uint(struct json_writer *w, const char *key, uint64_t v)
{
	return json_key(w, key) ?: json_uint(w, v);
}

int json_kv_int(struct json_writer *w, const char *key, int64_t v)
{
	return json_key(w, key) ?: json_int(w, v);
}

int json_kv_double(struct json_writer *w, const char *key, double v)
{
	return json_key(w, key) ?: json_double(w, v);
}

int json_kv_bool(struct json_writer *w, const char *key, bool v)
{
	return json_key(w, key) ?: json_bool(w, v);
}

int json_finish(struct json_writer *w)
{
	if (w->err)
		return w->err;
	if (w->depth != 0 || w->after_key || w->first[0])
		return json_fail(w, -EINVAL);
	if (fflush(w->f) == EOF)
		return json_fail(w, -EIO);
	return 0;
}
