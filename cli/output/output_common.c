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
	size_t i;

	h = calloc(hosts->n ? hosts->n : 1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	for (i = 0; i < hosts->n; i++) {
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
	size_t i, w = strlen("HOST");

	for (i = 0; i < n; i++)
		if (strlen(h[i].host) > w)
			w = strlen(h[i].host);
	return w > 200 ? 200 : (int)w;
}

int output_json_answer(FILE *f, const struct output_host *h, size_t n, output_json_body_fn body)
{
	struct json_writer w;
	size_t i;

	json_init(&w, f);
	json_begin_array(&w);
	for (i = 0; i < n; i++) {
		json_begin_object(&w);
		json_kv_string(&w, "host", h[i].host);
		json_kv_bool(&w, "ok", h[i].ok);
		if (h[i].ok) {
			if (h[i].msg)
				body(&w, h[i].msg);
		} else {
			json_kv_string(&w, "code", h[i].code);
			json_kv_string(&w, "error", h[i].error);
		}
		json_end_object(&w);
	}
	json_end_array(&w);
	if (!w.err && fputc('\n', f) == EOF)
		return -EIO;
	return json_finish(&w);
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
