/* SPDX-License-Identifier: GPL-2.0-only */
/* A small streaming JSON writer: one value at a time to a FILE, with commas, nesting and
 * string escaping handled here so callers never build JSON by hand. */
#ifndef XDPFLEET_JSON_H
#define XDPFLEET_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 32

struct json_writer {
	FILE *f;
	int depth;
	bool first[JSON_MAX_DEPTH]; /* no value written yet at this level */
	bool in_object[JSON_MAX_DEPTH];
	bool after_key;
	int err; /* first error (-EINVAL misuse, -ENOSPC too deep, -EIO write); sticky */
};

void json_init(struct json_writer *w, FILE *f);
int json_begin_object(struct json_writer *w);
int json_end_object(struct json_writer *w);
int json_begin_array(struct json_writer *w);
int json_end_array(struct json_writer *w);
/* Inside an object: the key of the next value. */
int json_key(struct json_writer *w, const char *key);
int json_string(struct json_writer *w, const char *s);
int json_uint(struct json_writer *w, uint64_t v);
int json_int(struct json_writer *w, int64_t v);
/* NaN and infinities have no JSON form: written as null. */
int json_double(struct json_writer *w, double v);
int json_bool(struct json_writer *w, bool v);
int json_null(struct json_writer *w);

/* key + value in one call, for the common case. */
int json_kv_string(struct json_writer *w, const char *key, const char *s);
int json_kv_uint(struct json_writer *w, const char *key, uint64_t v);
int json_kv_int(struct json_writer *w, const char *key, int64_t v);
int json_kv_double(struct json_writer *w, const char *key, double v);
int json_kv_bool(struct json_writer *w, const char *key, bool v);

/* 0 when everything written so far was well formed and reached the FILE, else the first error. */
int json_finish(struct json_writer *w);

#endif
