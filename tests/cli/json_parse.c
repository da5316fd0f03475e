// SPDX-License-Identifier: GPL-2.0-only
/* A small strict JSON parser (see json_parse.h): recursive descent over RFC 8259. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "json_parse.h"

struct jp {
	const char *s, *end;
	int depth;
};

static void jp_ws(struct jp *p)
{
	while (p->s < p->end && strchr(" \t\r\n", *p->s))
		p->s++;
}

static bool jp_lit(struct jp *p, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(p->end - p->s) < n || memcmp(p->s, lit, n))
		return false;
	p->s += n;
	return true;
}

static bool jp_string(struct jp *p, char **out)
{
	size_t cap = 16, len = 0;
	char *buf, c;

	if (p->s >= p->end || *p->s != '"')
		return false;
	p->s++;
	buf = malloc(cap);
	while (buf && p->s < p->end && *p->s != '"') {
		c = *p->s++;
		if ((unsigned char)c < 0x20)
			goto fail;
		if (c == '\\') {
			if (p->s >= p->end)
				goto fail;
			c = *p->s++;
			if (c == 'u') {
				for (int i = 0; i < 4; i++)
					if (p->s >= p->end || !isxdigit((unsigned char)*p->s++))
						goto fail;
				c = '?';
			} else if (strchr("\"\\/", c)) {
				/* itself */
			} else if (strchr("bfnrt", c)) {
				c = c == 'n' ? '\n' : c == 't' ? '\t' : c == 'r' ? '\r' : c == 'b' ? '\b' : '\f';
			} else {
				goto fail;
			}
		}
		if (len + 1 >= cap) {
			char *grown = realloc(buf, cap *= 2);

			if (!grown)
				goto fail;
			buf = grown;
		}
		buf[len++] = c;
	}
	if (!buf || p->s >= p->end)
		goto fail;
	p->s++;
	buf[len] = '\0';
	*out = buf;
	return true;
fail:
	free(buf);
	return false;
}

static bool jp_number(struct jp *p, double *out)
{
	const char *start = p->s;
	char *end;

	if (p->s < p->end && *p->s == '-')
		p->s++;
	if (p->s >= p->end || !isdigit((unsigned char)*p->s))
		return false;
	if (*p->s == '0' && p->s + 1 < p->end && isdigit((unsigned char)p->s[1]))
		return false;
	while (p->s < p->end && isdigit((unsigned char)*p->s))
		p->s++;
	if (p->s < p->end && *p->s == '.') {
		p->s++;
		if (p->s >= p->end || !isdigit((unsigned char)*p->s))
			return false;
		while (p->s < p->end && isdigit((unsigned char)*p->s))
			p->s++;
	}
	if (p->s < p->end && (*p->s == 'e' || *p->s == 'E')) {
		p->s++;
		if (p->s < p->end && (*p->s == '+' || *p->s == '-'))
			p->s++;
		if (p->s >= p->end || !isdigit((unsigned char)*p->s))
			return false;
		while (p->s < p->end && isdigit((unsigned char)*p->s))
			p->s++;
	}
	*out = strtod(start, &end);
	return end == p->s;
}

static bool jp_value(struct jp *p, struct jp_value *v);

static bool jp_push(struct jp_value *v, char *key)
{
	struct jp_value *items = realloc(v->items, (v->n + 1) * sizeof(*items));
	char **keys;

	if (!items)
		return false;
	v->items = items;
	memset(&v->items[v->n], 0, sizeof(v->items[v->n]));
	if (v->type == JP_OBJ) {
		keys = realloc(v->keys, (v->n + 1) * sizeof(*keys));
		if (!keys)
			return false;
		v->keys = keys;
		v->keys[v->n] = key;
	}
	v->n++;
	return true;
}

static bool jp_container(struct jp *p, struct jp_value *v, char close)
{
	char *key = NULL;

	p->s++;
	jp_ws(p);
	if (p->s < p->end && *p->s == close) {
		p->s++;
		return true;
	}
	for (;;) {
		jp_ws(p);
		if (v->type == JP_OBJ) {
			if (!jp_string(p, &key))
				return false;
			jp_ws(p);
			if (p->s >= p->end || *p->s++ != ':') {
				free(key);
				return false;
			}
		}
		if (!jp_push(v, key)) {
			free(key);
			return false;
		}
		if (!jp_value(p, &v->items[v->n - 1]))
			return false;
		jp_ws(p);
		if (p->s < p->end && *p->s == ',') {
			p->s++;
			continue;
		}
		if (p->s < p->end && *p->s == close) {
			p->s++;
			return true;
		}
		return false;
	}
}

static bool jp_value(struct jp *p, struct jp_value *v)
{
	bool ok;

	jp_ws(p);
	if (p->s >= p->end || ++p->depth > 64)
		return false;
	if (*p->s == '{') {
		v->type = JP_OBJ;
		ok = jp_container(p, v, '}');
	} else if (*p->s == '[') {
		v->type = JP_ARR;
		ok = jp_container(p, v, ']');
	} else if (*p->s == '"') {
		v->type = JP_STR;
		ok = jp_string(p, &v->str);
	} else if (jp_lit(p, "true") || jp_lit(p, "false")) {
		v->type = JP_BOOL;
		v->b = p->s[-1] == 'e' && p->s[-2] == 'u';
		ok = true;
	} else if (jp_lit(p, "null")) {
		v->type = JP_NULL;
		ok = true;
	} else {
		v->type = JP_NUM;
		ok = jp_number(p, &v->num);
	}
	p->depth--;
	return ok;
}

static void jp_clear(struct jp_value *v)
{
	for (size_t i = 0; i < v->n; i++) {
		jp_clear(&v->items[i]);
		if (v->keys)
			free(v->keys[i]);
	}
	free(v->items);
	free(v->keys);
	free(v->str);
}

struct jp_value *jp_parse(const char *s, size_t len)
{
	struct jp p = { s, s + len, 0 };
	struct jp_value *v = calloc(1, sizeof(*v));

	if (v && jp_value(&p, v)) {
		jp_ws(&p);
		if (p.s == p.end)
			return v;
	}
	jp_free(v);
	return NULL;
}

void jp_free(struct jp_value *v)
{
	if (!v)
		return;
	jp_clear(v);
	free(v);
}

const struct jp_value *jp_get(const struct jp_value *obj, const char *key)
{
	for (size_t i = 0; obj && obj->type == JP_OBJ && i < obj->n; i++)
		if (!strcmp(obj->keys[i], key))
			return &obj->items[i];
	return NULL;
}

const char *jp_str(const struct jp_value *obj, const char *key)
{
	const struct jp_value *v = jp_get(obj, key);

	return v && v->type == JP_STR ? v->str : NULL;
}
