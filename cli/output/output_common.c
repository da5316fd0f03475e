// SPDX-License-Identifier: GPL-2.0-only
/* Printing helpers every response type shares: host views, error texts, the JSON envelope. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"

void output_host_set_error(struct output_host *h, const char *code, const char *fmt, ...)
{
	va_list ap;

	h->ok = false;
	h->msg = NULL;
	h->code = code;
	va_start(ap, fmt);
	vsnprintf(h->error, sizeof(h->error), fmt, ap);
	va_end(ap);
}

int output_hosts_from_results(const struct cli_hosts *hosts, const struct rpc_host_result *r,
			      struct output_host **out)
{
	struct output_host *h;
	const char *code;

	h = calloc(hosts->n ? hosts->n : 1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	for (size_t i = 0; i < hosts->n; i++) {
		h[i].host = hosts->targets[i];
		h[i].ok = r[i].ok;
		h[i].msg = r[i].resp;
		if (r[i].ok)
			continue;
		code = rpc_status_name(r[i].status.code);
		if (r[i].status.message[0])
			output_host_set_error(&h[i], code, "%s: %s", code, r[i].status.message);
		else
			output_host_set_error(&h[i], code, "%s", code);
	}
	*out = h;
	return 0;
}

const char *output_safe(const char *s, char *buf, size_t len)
{
	size_t i;

	if (!len)
		return "";
	for (i = 0; s && s[i] && i + 1 < len; i++)
		buf[i] = ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) ? '?' : s[i];
	buf[i] = '\0';
	return buf;
}

int output_host_width(const struct output_host *h, size_t n)
{
	size_t w = strlen("HOST");

	for (size_t i = 0; i < n; i++)
		if (strlen(h[i].host) > w)
			w = strlen(h[i].host);
	return w > 200 ? 200 : (int)w;
}

void output_json_doc_begin(struct output_json_doc *d, FILE *f, const struct output_opts *o)
{
	memset(d, 0, sizeof(*d));
	d->f = f;
	d->lines = o && o->jsonl;
}

void output_json_host_begin(struct output_json_doc *d, const struct output_host *h)
{
	if (d->lines || !d->open)
		json_init(&d->w, d->f);
	if (!d->lines && !d->open)
		json_begin_array(&d->w);
	d->open = true;
	json_begin_object(&d->w);
	json_kv_string(&d->w, "host", h->host);
	json_kv_bool(&d->w, "ok", h->ok);
	if (h->ok)
		return;
	json_kv_string(&d->w, "code", h->code);
	json_kv_string(&d->w, "error", h->error);
	if (h->hint[0])
		json_kv_string(&d->w, "hint", h->hint);
}

/* The end of one line: the writer's state checked, the newline written and flushed (a
 * collector reading a pipe gets every line as it is complete). */
static void output_json_line_end(struct output_json_doc *d)
{
	int err = json_finish(&d->w);

	if (!err && (fputc('\n', d->f) == EOF || fflush(d->f) == EOF))
		err = -EIO;
	if (err && !d->err)
		d->err = -EIO;
}

void output_json_host_end(struct output_json_doc *d)
{
	json_end_object(&d->w);
	if (d->lines)
		output_json_line_end(d);
}

int output_json_doc_end(struct output_json_doc *d)
{
	if (!d->lines && d->open) {
		json_end_array(&d->w);
		output_json_line_end(d);
	}
	d->open = false;
	return d->err;
}

int output_json_answer(FILE *f, const struct output_host *h, size_t n, output_json_body_fn body,
		       const struct output_opts *o)
{
	struct output_json_doc d;

	output_json_doc_begin(&d, f, o);
	for (size_t i = 0; i < n; i++) {
		output_json_host_begin(&d, &h[i]);
		if (h[i].ok && h[i].msg)
			body(&d.w, h[i].msg);
		output_json_host_end(&d);
	}
	return output_json_doc_end(&d);
}

bool output_table_failed(FILE *f, const struct output_host *h, int width)
{
	char e[sizeof(h->error)];

	if (h->ok)
		return false;
	fprintf(f, "%-*s  error: %s\n", width, h->host, output_safe(h->error, e, sizeof(e)));
	return true;
}

void output_table_warnings(FILE *f, const char *host, char *const *warnings, size_t n)
{
	char safe[OUTPUT_SAFE_MAX];

	for (size_t i = 0; i < n; i++)
		fprintf(f, "warning: %s: %s\n", host, output_safe(warnings[i], safe, sizeof(safe)));
}

int output_json_warnings(struct json_writer *w, char *const *warnings, size_t n)
{
	json_key(w, "warnings");
	json_begin_array(w);
	for (size_t i = 0; i < n; i++)
		json_string(w, warnings[i]);
	return json_end_array(w);
}
