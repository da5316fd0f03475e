// SPDX-License-Identifier: GPL-2.0-only
/* The global options (see globals.h): every source is collected first, then the one that
 * counts is applied, so a value is checked once and its error names where it came from
 * ("--timeout", "XDPFLEET_TIMEOUT", "FILE:LINE: timeout"). TLS file names are checked here so
 * that a typo fails before any host is contacted. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api_limits.h"
#include "commands.h"
#include "globals.h"
#include "hosts.h"
#include "parse.h"
#include "settings.h"
#include "version.h"
#include "array_size.h"

enum { OPT_KEY = 256, OPT_CONFIG = OPT_KEY + SETTINGS_N_KEYS, OPT_NO_CONFIG };

#define GLOBALS_SHORTOPTS "H:l:o:hV"
#define GLOBALS_N_OPTS (SETTINGS_N_KEYS + 5)

/* The getopt table, made from the settings' table so the two cannot disagree. */
static void globals_options(struct option *o)
{
	int k;

	for (k = 0; k < SETTINGS_N_KEYS; k++)
		o[k] = (struct option){ settings_defs[k].name,
					settings_defs[k].has_arg ? required_argument : no_argument,
					NULL, OPT_KEY + k };
	o[k++] = (struct option){ "config", required_argument, NULL, OPT_CONFIG };
	o[k++] = (struct option){ "no-config", no_argument, NULL, OPT_NO_CONFIG };
	o[k++] = (struct option){ "help", no_argument, NULL, 'h' };
	o[k++] = (struct option){ "version", no_argument, NULL, 'V' };
	o[k] = (struct option){ NULL, 0, NULL, 0 };
}

static int globals_key_of(int c)
{
	for (int k = 0; k < SETTINGS_N_KEYS; k++)
		if (c == settings_defs[k].short_opt || c == OPT_KEY + k)
			return k;
	return -1;
}

/* One getopt pass over argv, recording flags; stops at the first operand (the command word). */
static int globals_getopt(struct cli_ctx *ctx, int argc, char **argv, const struct option *opts,
			  int *end)
{
	struct settings *s = ctx->g.settings;
	char where[64];
	int c, k, err = 0;

	optind = 0;
	while ((c = parse_getopt(ctx, NULL, argc, argv, "+:" GLOBALS_SHORTOPTS, opts)) != -1) {
		k = globals_key_of(c);
		if (k >= 0) {
			snprintf(where, sizeof(where), "--%s", settings_defs[k].name);
			err = settings_add(ctx, s, k, SETTINGS_FLAG, optarg ? optarg : "true", where);
		} else if (c == OPT_CONFIG) {
			if (!*optarg)
				return cli_usage_error(ctx, NULL, "--config: empty file name");
			free(s->config_path);
			s->config_path = strdup(optarg);
			s->config_how = "--config";
			s->config_required = true;
			err = s->config_path ? 0 : -ENOMEM;
		} else if (c == OPT_NO_CONFIG) {
			s->no_config = true;
		} else if (c == 'h') {
			commands_print_overview(ctx->io.out);
			return 1;
		} else if (c == 'V') {
			fprintf(ctx->io.out, CLI_PROG " %s\n", XDPFLEET_VERSION);
			return 1;
		} else {
			return -EINVAL;
		}
		if (err)
			return err;
	}
	*end = optind;
	return 0;
}

static int globals_check_file(const struct cli_ctx *ctx, const struct settings_value *v)
{
	if (!*v->text)
		return cli_usage_error(ctx, NULL, "%s: empty file name", v->where);
	if (access(v->text, R_OK))
		return cli_usage_error(ctx, NULL, "%s: cannot read '%s': %s", v->where, v->text,
				       strerror(errno));
	return 0;
}

/* TLS: the files and how the options combine. */
static int globals_tls(const struct cli_ctx *ctx, const struct settings *s,
		       struct rpc_client_opts *c)
{
	static const enum settings_key files[] = { SETTINGS_TLS_CA, SETTINGS_TLS_CERT,
						   SETTINGS_TLS_KEY };
	const struct settings_value *v, *insecure = settings_last(s, SETTINGS_INSECURE);
	const char **fields[] = { &c->tls_ca, &c->tls_cert, &c->tls_key };
	int err;

	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		v = settings_last(s, files[i]);
		if (!v)
			continue;
		err = globals_check_file(ctx, v);
		if (err)
			return err;
		*fields[i] = v->text;
	}
	v = settings_last(s, SETTINGS_TLS_SERVER_NAME);
	if (v && !*v->text)
		return cli_usage_error(ctx, NULL, "%s: empty name", v->where);
	c->server_name = v ? v->text : NULL;
	c->insecure = insecure && !strcmp(insecure->text, "true");
	if (!!c->tls_cert != !!c->tls_key)
		return cli_usage_error(ctx, NULL, "--tls-cert and --tls-key go together (%s is "
				       "given without the other)",
				       settings_last(s, c->tls_cert ? SETTINGS_TLS_CERT :
						     SETTINGS_TLS_KEY)->where);
	if (c->insecure && (c->tls_ca || c->tls_cert || c->server_name))
		return cli_usage_error(ctx, NULL, "%s (plaintext) contradicts --tls-ca/--tls-cert/"
				       "--tls-server-name (TLS)", insecure->where);
	return 0;
}

static int globals_targets(const struct cli_ctx *ctx, const struct settings *s,
			   struct cli_hosts *h)
{
	const struct settings_slot *hosts = settings_get(s, SETTINGS_HOSTS);
	const struct settings_slot *files = settings_get(s, SETTINGS_HOSTS_FILE);
	const struct settings_slot *sel = settings_get(s, SETTINGS_SELECTOR);
	const char **texts = NULL, **wheres = NULL;
	int err = 0;

	for (size_t i = 0; hosts && !err && i < hosts->n; i++)
		err = hosts_add_list(ctx, h, hosts->v[i].text, hosts->v[i].where);
	for (size_t i = 0; files && !err && i < files->n; i++)
		err = hosts_add_file(ctx, h, files->v[i].text, files->v[i].where);
	if (!err && !h->n)
		err = hosts_add_list(ctx, h, API_DEFAULT_SOCKET, "default target");
	if (err || !sel)
		return err;
	texts = calloc(sel->n, sizeof(*texts));
	wheres = calloc(sel->n, sizeof(*wheres));
	err = -ENOMEM;
	if (texts && wheres) {
		for (size_t i = 0; i < sel->n; i++) {
			texts[i] = sel->v[i].text;
			wheres[i] = sel->v[i].where;
		}
		err = hosts_select(ctx, h, texts, wheres, sel->n);
	}
	free(texts);
	free(wheres);
	return err;
}

static int globals_output(const struct cli_ctx *ctx, const struct settings_value *v,
			  enum cli_output *out)
{
	static const char *const names[] = { [CLI_OUTPUT_TABLE] = "table",
					     [CLI_OUTPUT_JSON] = "json",
					     [CLI_OUTPUT_JSONL] = "jsonl" };

	for (size_t i = 0; v && i < ARRAY_SIZE(names); i++) {
		if (!strcmp(v->text, names[i])) {
			*out = (enum cli_output)i;
			return 0;
		}
	}
	if (!v)
		return 0;
	return cli_usage_error(ctx, NULL, "%s: invalid value '%s' (expected table, json or jsonl)",
			       v->where, v->text);
}

/* The values that count, into g. */
static int globals_apply(const struct cli_ctx *ctx, struct cli_globals *g)
{
	const struct settings *s = g->settings;
	const struct settings_value *v;
	uint64_t n;
	int err;

	v = settings_last(s, SETTINGS_TIMEOUT);
	if (v && (err = parse_duration_opt(ctx, NULL, v->where, v->text, 1, 86400u * 1000,
					   &g->timeout_ms)))
		return err;
	v = settings_last(s, SETTINGS_PARALLEL);
	if (v && parse_uint(v->text, 1, 100000, &n))
		return cli_usage_error(ctx, NULL, "%s: invalid value '%s' (expected 1 to 100000)",
				       v->where, v->text);
	if (v)
		g->parallel = n;
	err = globals_output(ctx, settings_last(s, SETTINGS_OUTPUT), &g->output);
	if (err)
		return err;
	v = settings_last(s, SETTINGS_NO_HEADERS);
	g->no_headers = v && !strcmp(v->text, "true");
	return globals_tls(ctx, s, &g->client) ?: globals_targets(ctx, s, &g->hosts);
}

int globals_parse(struct cli_ctx *ctx, int argc, char **argv, struct args_split *split)
{
	struct option opts[GLOBALS_N_OPTS];
	const struct args_globals ag = { .longopts = opts, .shortopts = GLOBALS_SHORTOPTS };
	struct cli_globals *g = &ctx->g;
	int err, first = 0, end = 0;

	memset(g, 0, sizeof(*g));
	memset(split, 0, sizeof(*split));
	g->timeout_ms = GLOBALS_DEFAULT_TIMEOUT_MS;
	g->parallel = GLOBALS_DEFAULT_PARALLEL;
	g->settings = calloc(1, sizeof(*g->settings));
	if (!g->settings)
		return -ENOMEM;
	globals_options(opts);
	/* The options before the command word, then those after it (args.h). */
	err = globals_getopt(ctx, argc, argv, opts, &first);
	if (err)
		return err;
	if (first >= argc)
		return cli_usage_error(ctx, NULL, "missing command");
	err = args_split(&ag, commands_table, argc, argv, first, split);
	if (!err)
		err = globals_getopt(ctx, split->n_globals, split->globals, opts, &end);
	if (!err && end < split->n_globals)
		err = cli_usage_error(ctx, NULL, "unexpected argument '%s'", split->globals[end]);
	/* Help needs no settings: a broken config file must not hide how to fix it. */
	if (!err && !strcmp(split->cmd[0], "help"))
		return 0;
	if (!err)
		err = settings_read_env(ctx, g->settings);
	if (!err)
		err = settings_read_config(ctx, g->settings);
	if (err)
		return err;
	settings_resolve(g->settings);
	return globals_apply(ctx, g);
}

void globals_free(struct cli_globals *g)
{
	hosts_free(&g->hosts);
	if (g->settings)
		settings_free(g->settings);
	free(g->settings);
	g->settings = NULL;
}
