// SPDX-License-Identifier: GPL-2.0-only
/* lib/json: escaping, UTF-8 repair, numbers, nesting and refusal of malformed sequences. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

#include <cmocka.h>

#include "json.h"

struct buf {
	char *data;
	size_t len;
	FILE *f;
	struct json_writer w;
};

static void buf_open(struct buf *b)
{
	b->f = open_memstream(&b->data, &b->len);
	assert_non_null(b->f);
	json_init(&b->w, b->f);
}

static void buf_close(struct buf *b)
{
	fclose(b->f);
}

/* The JSON form of one string value. */
static void check_string(const char *in, const char *want)
{
	struct buf b;

	buf_open(&b);
	assert_int_equal(json_string(&b.w, in), 0);
	assert_int_equal(json_finish(&b.w), 0);
	buf_close(&b);
	assert_string_equal(b.data, want);
	free(b.data);
}

static void test_escapes(void **state)
{
	(void)state;
	check_string("plain", "\"plain\"");
	check_string("", "\"\"");
	check_string("q\"b\\s/", "\"q\\\"b\\\\s/\"");
	check_string("\b\f\n\r\t", "\"\\b\\f\\n\\r\\t\"");
	check_string("\x01\x1f\x7f", "\"\\u0001\\u001f\x7f\"");
	check_string("eth0\x1b[31m", "\"eth0\\u001b[31m\"");
}

static void test_utf8(void **state)
{
	(void)state;
	check_string("h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80", "\"h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80\"");
	/* Bad bytes become U+FFFD, one each: a lone continuation, a truncated sequence,
	 * an overlong '/', a UTF-16 surrogate, a code point above U+10FFFF. */
	check_string("a\x80z", "\"a\\ufffdz\"");
	check_string("a\xc3", "\"a\\ufffd\"");
	check_string("\xc0\xaf", "\"\\ufffd\\ufffd\"");
	check_string("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"");
	check_string("\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
	check_string(NULL, "null");
}

static void test_numbers(void **state)
{
	struct buf b;

	(void)state;
	buf_open(&b);
	json_begin_array(&b.w);
	json_uint(&b.w, UINT64_MAX);
	json_int(&b.w, INT64_MIN);
	json_double(&b.w, 0.1);
	json_double(&b.w, 1e21);
	json_double(&b.w, 2.0);
	json_double(&b.w, 1.0 / 3.0);
	json_double(&b.w, NAN);
	json_double(&b.w, -INFINITY);
	json_bool(&b.w, true);
	json_null(&b.w);
	json_end_array(&b.w);
	assert_int_equal(json_finish(&b.w), 0);
	buf_close(&b);
	assert_string_equal(b.data, "[18446744073709551615,-9223372036854775808,0.1,1e+21,2,"
				    "0.33333333333333331,null,null,true,null]");
	free(b.data);
}

static void test_nesting(void **state)
{
	struct buf b;

	(void)state;
	buf_open(&b);
	json_begin_array(&b.w);
	json_begin_object(&b.w);
	json_kv_string(&b.w, "host", "a\"b");
	json_kv_bool(&b.w, "ok", true);
	json_key(&b.w, "list");
	json_begin_array(&b.w);
	json_begin_object(&b.w);
	json_end_object(&b.w);
	json_begin_array(&b.w);
	json_end_array(&b.w);
	json_end_array(&b.w);
	json_key(&b.w, "k\n");
	json_uint(&b.w, 1);
	json_end_object(&b.w);
	json_begin_object(&b.w);
	json_end_object(&b.w);
	json_end_array(&b.w);
	assert_int_equal(json_finish(&b.w), 0);
	buf_close(&b);
	assert_string_equal(b.data, "[{\"host\":\"a\\\"b\",\"ok\":true,\"list\":[{},[]],\"k\\n\":1},{}]");
	free(b.data);
}

static void test_misuse(void **state)
{
	struct buf b;
	int i;

	(void)state;
	/* A value where a key must go. */
	buf_open(&b);
	json_begin_object(&b.w);
	assert_int_equal(json_uint(&b.w, 1), -EINVAL);
	assert_int_equal(json_finish(&b.w), -EINVAL);
	buf_close(&b);
	free(b.data);
	/* A key in an array, mismatched closers, unclosed containers, two top-level values. */
	buf_open(&b);
	json_begin_array(&b.w);
	assert_int_equal(json_key(&b.w, "x"), -EINVAL);
	buf_close(&b);
	free(b.data);
	buf_open(&b);
	json_begin_array(&b.w);
	assert_int_equal(json_end_object(&b.w), -EINVAL);
	buf_close(&b);
	free(b.data);
	buf_open(&b);
	json_begin_array(&b.w);
	assert_int_equal(json_finish(&b.w), -EINVAL);
	buf_close(&b);
	free(b.data);
	buf_open(&b);
	json_uint(&b.w, 1);
	assert_int_equal(json_uint(&b.w, 2), -EINVAL);
	buf_close(&b);
	free(b.data);
	/* A key without its value. */
	buf_open(&b);
	json_begin_object(&b.w);
	json_key(&b.w, "a");
	assert_int_equal(json_end_object(&b.w), -EINVAL);
	buf_close(&b);
	free(b.data);
	/* Too deep. */
	buf_open(&b);
	for (i = 0; i < JSON_MAX_DEPTH - 1; i++)
		assert_int_equal(json_begin_array(&b.w), 0);
	assert_int_equal(json_begin_array(&b.w), -ENOSPC);
	buf_close(&b);
	free(b.data);
	/* Nothing written is not a document. */
	buf_open(&b);
	assert_int_equal(json_finish(&b.w), -EINVAL);
	buf_close(&b);
	free(b.data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_nesting),
		cmocka_unit_test(test_misuse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
