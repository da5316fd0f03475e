// SPDX-License-Identifier: GPL-2.0-only
/* Line records (see records.h). Escapes keep every byte of a field but tab and newline out of
 * the line, so a field can hold anything and splitting never guesses. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <zlib.h>

#include "records.h"

#define RECORD_CRC_LEN 8

/* A write error as -errno: stdio leaves errno set (ENOSPC, EIO...) when a flush fails. */
static int write_error(void)
{
	return errno ? -errno : -EIO;
}

static bool needs_hex(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

/* The escape of c into esc (its length), or 0 when c stands for itself. */
static size_t escape(unsigned char c, char esc[4])
{
	static const char hex[] = "0123456789abcdef";

	esc[0] = '\\';
	switch (c) {
	case '\\':
		esc[1] = '\\';
		return 2;
	case '\t':
		esc[1] = 't';
		return 2;
	case '\n':
		esc[1] = 'n';
		return 2;
	case '\r':
		esc[1] = 'r';
		return 2;
	default:
		if (!needs_hex(c))
			return 0;
		esc[1] = 'x';
		esc[2] = hex[c >> 4];
		esc[3] = hex[c & 15];
		return 4;
	}
}

/* A record's line in memory: built whole, so it takes one CRC pass and one write. */
struct line_buf {
	char *p;
	size_t len, cap;
	bool heap;
};

static int line_reserve(struct line_buf *b, size_t more)
{
	size_t cap = b->cap;
	char *p;

	if (b->len + more <= b->cap)
		return 0;
	while (cap < b->len + more)
		cap *= 2;
	p = b->heap ? realloc(b->p, cap) : malloc(cap);
	if (!p)
		return -ENOMEM;
	if (!b->heap)
		memcpy(p, b->p, b->len);
	b->p = p;
	b->cap = cap;
	b->heap = true;
	return 0;
}

/* A field escaped (at most four bytes for one): runs of plain bytes are copied whole. */
static int line_put_field(struct line_buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s);

	if (line_reserve(b, 4 * len))
		return -ENOMEM;
	while (*p) {
		const unsigned char *run = p;

		while (*p && !escape(*p, b->p + b->len))
			p++;
		memcpy(b->p + b->len, run, (size_t)(p - run));
		b->len += (size_t)(p - run);
		if (*p)
			b->len += escape(*p++, b->p + b->len);
	}
	return 0;
}

int record_write(FILE *f, const char *const *fields, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	char stack[1024];
	struct line_buf b = { .p = stack, .cap = sizeof(stack) };
	uLong crc;
	int ret = 0;

	if (!n || n > RECORD_MAX_FIELDS - 1)
		return -EINVAL;
	for (size_t i = 0; i < n && !ret; i++) {
		if (i && !(ret = line_reserve(&b, 1)))
			b.p[b.len++] = '\t';
		if (!ret)
			ret = line_put_field(&b, fields[i] ? fields[i] : "");
	}
	if (!ret)
		ret = line_reserve(&b, RECORD_CRC_LEN + 2);
	if (!ret) {
		crc = crc32(crc32(0L, Z_NULL, 0), (const Bytef *)b.p, (uInt)b.len);
		b.p[b.len++] = '\t';
		for (int i = 0; i < RECORD_CRC_LEN; i++)
			b.p[b.len++] = hex[(crc >> (4 * (RECORD_CRC_LEN - 1 - i))) & 15];
		b.p[b.len++] = '\n';
		errno = 0;
		if (fwrite(b.p, 1, b.len, f) != b.len)
			ret = write_error();
	}
	if (b.heap)
		free(b.p);
	return ret;
}

char *record_format_u64(uint64_t v, char *buf)
{
	char tmp[RECORD_U64_MAX];
	size_t n = 0, i = 0;

	do
		tmp[n++] = (char)('0' + v % 10);
	while ((v /= 10));
	while (n)
		buf[i++] = tmp[--n];
	buf[i] = '\0';
	return buf;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* In place; refuses escapes this writer never produces, so a damaged line cannot pass. */
static int unescape(char *s)
{
	char *out = s;

	for (; *s; s++) {
		int hi, lo;

		if (*s != '\\') {
			if (needs_hex((unsigned char)*s))
				return -EINVAL;
			*out++ = *s;
			continue;
		}
		switch (*++s) {
		case '\\': *out++ = '\\'; break;
		case 't': *out++ = '\t'; break;
		case 'n': *out++ = '\n'; break;
		case 'r': *out++ = '\r'; break;
		case 'x':
			hi = hexval(s[1]);
			lo = hi < 0 ? -1 : hexval(s[2]);
			/* Only the bytes put_field() writes as \xHH. */
			if (lo < 0 || !(hi << 4 | lo) || !needs_hex((unsigned char)(hi << 4 | lo)) ||
			    strchr("\t\n\r", hi << 4 | lo))
				return -EINVAL;
			*out++ = (char)(hi << 4 | lo);
			s += 2;
			break;
		default:
			return -EINVAL;
		}
	}
	*out = '\0';
	return 0;
}

int record_parse(char *line, size_t len, struct record *out, const char **why)
{
	char *crc_field, *end, *p;
	unsigned long want;

	out->n = 0;
	if (strlen(line) != len) {
		*why = "has a NUL byte";
		return -EINVAL;
	}
	crc_field = strrchr(line, '\t');
	if (!crc_field || strlen(crc_field + 1) != RECORD_CRC_LEN) {
		*why = "has no checksum (cut short or damaged)";
		return -EINVAL;
	}
	for (p = crc_field + 1; *p; p++) {
		if (hexval(*p) < 0) {
			*why = "has no checksum (cut short or damaged)";
			return -EINVAL;
		}
	}
	want = strtoul(crc_field + 1, &end, 16);
	if ((crc32(crc32(0L, Z_NULL, 0), (const Bytef *)line, (uInt)(crc_field - line)) & 0xffffffffUL) != want) {
		*why = "checksum mismatch (damaged or edited)";
		return -EINVAL;
	}
	*crc_field = '\0';
	for (p = line;; p++) {
		if (out->n == RECORD_MAX_FIELDS) {
			*why = "has too many fields";
			return -EINVAL;
		}
		out->field[out->n++] = p;
		p = strchr(p, '\t');
		if (!p)
			break;
		*p = '\0';
	}
	for (size_t i = 0; i < out->n; i++) {
		if (unescape(out->field[i])) {
			*why = "has a bad escape sequence";
			return -EINVAL;
		}
	}
	return 0;
}

int record_u64(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		if (v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return -ERANGE;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	if (v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

void record_reader_init(struct record_reader *r, FILE *f)
{
	*r = (struct record_reader){ .f = f };
}

int record_reader_next(struct record_reader *r, char **line, size_t *len, bool *complete)
{
	ssize_t got;

	got = getline(&r->buf, &r->cap, r->f);
	if (got < 0)
		return ferror(r->f) ? -EIO : 0;
	r->lineno++;
	*complete = got > 0 && r->buf[got - 1] == '\n';
	if (*complete)
		r->buf[--got] = '\0';
	*line = r->buf;
	*len = (size_t)got;
	return 1;
}

void record_reader_free(struct record_reader *r)
{
	free(r->buf);
	r->buf = NULL;
	r->cap = 0;
}
