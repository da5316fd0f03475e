/* SPDX-License-Identifier: GPL-2.0-only */
/* A small strict JSON parser for the tests: every line the CLI prints as JSON is parsed here,
 * so a test fails on malformed output, and its fields can be looked at. */
#ifndef XDPFLEET_TESTS_CLI_JSON_PARSE_H
#define XDPFLEET_TESTS_CLI_JSON_PARSE_H

#include <stdbool.h>
#include <stddef.h>

enum jp_type { JP_NULL, JP_BOOL, JP_NUM, JP_STR, JP_ARR, JP_OBJ };

struct jp_value {
	enum jp_type type;
	bool b;
	double num;
	char *str;               /* JP_STR (escapes decoded; \u as '?' beyond ASCII) */
	struct jp_value *items;  /* JP_ARR, JP_OBJ: n values */
	char **keys;             /* JP_OBJ: their keys */
	size_t n;
};

/* One JSON text of len bytes (whitespace around it allowed); NULL when it is not JSON. */
struct jp_value *jp_parse(const char *s, size_t len);
void jp_free(struct jp_value *v);
/* obj's member key, NULL when obj is no object or has none. */
const struct jp_value *jp_get(const struct jp_value *obj, const char *key);
/* The string member key, NULL when absent or not a string. */
const char *jp_str(const struct jp_value *obj, const char *key);

#endif
