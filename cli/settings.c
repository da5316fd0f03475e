// SPDX-License-Identifier: GPL-2.0-only
/* The global settings and their sources (see settings.h). The config file is read with inih,
 * like the agent's, through a reader that counts lines so every value can say where it was. */
#define _GNU_SOURCE /* asprintf */
#include <errno.h>
#include <ini.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "api_limits.h"
#include "settings.h"
#include "array_size.h"

const struct settings_def settings_defs[SETTINGS_N_KEYS] = {
	[SETTINGS_HOSTS] = { "hosts", 'H', true, true, false, "XDPFLEET_HOSTS", API_DEFAULT_SOCKET },
	[SETTINGS_HOSTS_FILE] = { "hosts-file", 0, true, true, true, "XDPFLEET_HOSTS_FILE", "" },
	[SETTINGS_SELECTOR] = { "selector", 'l', true, true, false, "XDPFLEET_SELECTOR", "" },
	[SETTINGS_TLS_CA] = { "tls-ca", 0, true, false, true, "XDPFLEET_TLS_CA", "" },
	[SETTINGS_TLS_CERT] = { "tls-cert", 0, true, false, true, "XDPFLEET_TLS_CERT", "" },
	[SETTINGS_TLS_KEY] = { "tls-key", 0, true, false, true, "XDPFLEET_TLS_KEY", "" },
	[SETTINGS_TLS_SERVER_NAME] = { "tls-server-name", 0, true, false, false,
				       "XDPFLEET_TLS_SERVER_NAME", "" },
	[SETTINGS_INSECURE] = { "insecure", 0, false, false, false, "XDPFLEET_INSECURE", "false" },
	[SETTINGS_TIMEOUT] = { "timeout", 0, true, false, false, "XDPFLEET_TIMEOUT", "5s" },
	[SETTINGS_PARALLEL] = { "parallel", 0, true, false, false, "XDPFLEET_PARALLEL", "64" },
	[SETTINGS_OUTPUT] = { "output", 'o', true, false, false, "XDPFLEET_OUTPUT", "table" },
	[SETTINGS_NO_HEADERS] = { "no-headers", 0, false, false, false, "XDPFLEET_NO_HEADERS",
				  "false" },
};

#define SETTINGS_CONFIG_ENV "XDPFLEET_CONFIG"
#define SETTINGS_USER_CONFIG "xdpfleet/config"

int settings_parse_bool(const char *s)
{
	static const char *const yes[] = { "true", "yes", "on", "1" }, *const no[] = { "false", "no", "off", "0" };

	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		if (!strcasecmp(s, yes[i]))
			return 1;
		if (!strcasecmp(s, no[i]))
			return 0;
	}
	return -EINVAL;
}

const char *settings_src_name(enum settings_src src)
{
	static const char *const names[] = { "default", "config", "env", "flag" };

	return src < SETTINGS_N_SRC ? names[src] : "?";
}

int settings_add(const struct cli_ctx *ctx, struct settings *s, enum settings_key k,
		 enum settings_src src, const char *text, const char *where)
{
	struct settings_slot *slot = &s->slot[k][src];
	struct settings_value *grown;
	int b = 1;

	if (!settings_defs[k].has_arg && src != SETTINGS_FLAG) {
		b = settings_parse_bool(text);
		if (b < 0)
			return cli_usage_error(ctx, NULL, "%s: invalid value '%s' (expected true or "
					       "false)", where, text);
	}
	/* A single value is replaced, as a flag given twice is: the last one counts. */
	if (!settings_defs[k].repeatable && slot->n) {
		free(slot->v[0].text);
		free(slot->v[0].where);
		slot->n = 0;
	}
	grown = realloc(slot->v, (slot->n + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	slot->v = grown;
	grown[slot->n].text = strdup(settings_defs[k].has_arg ? text : b ? "true" : "false");
	grown[slot->n].where = strdup(where);
	if (!grown[slot->n].text || !grown[slot->n].where) {
		free(grown[slot->n].text);
		free(grown[slot->n].where);
		return -ENOMEM;
	}
	slot->n++;
	return 0;
}

int settings_read_env(const struct cli_ctx *ctx, struct settings *s)
{
	const char *v;
	int err;

	for (int k = 0; k < SETTINGS_N_KEYS; k++) {
		v = getenv(settings_defs[k].env);
		/* Set but empty is unset: "XDPFLEET_HOSTS= xdpfleet ..." clears it for a call. */
		if (!v || !*v)
			continue;
		err = settings_add(ctx, s, k, SETTINGS_ENV, v, settings_defs[k].env);
		if (err)
			return err;
	}
	return 0;
}

/* ---- the config file ----------------------------------------------------------------- */

struct settings_file {
	const struct cli_ctx *ctx;
	struct settings *s;
	const char *path;
	size_t dirlen;   /* of path's directory, for relative paths */
	FILE *f;
	int line;        /* of the text inih is parsing */
	bool at_start;   /* the next piece read starts a line */
	char err[256];   /* the first error, reported once parsing stopped */
	int err_line;
	int add_err;     /* settings_add's error, already reported */
};

/* inih's reader: fgets that counts lines and stops at a line too long for inih's buffer, which
 * inih would otherwise parse in pieces. */
static char *settings_file_read(char *str, int num, void *stream)
{
	struct settings_file *sf = stream;
	size_t len;

	if (sf->err[0] || sf->add_err || !fgets(str, num, sf->f))
		return NULL;
	if (sf->at_start)
		sf->line++;
	len = strlen(str);
	sf->at_start = len && str[len - 1] == '\n';
	if (!sf->at_start && !feof(sf->f)) {
		snprintf(sf->err, sizeof(sf->err), "line longer than %d characters (long target "
			 "lists belong in a hosts-file)", num - 2);
		sf->err_line = sf->line;
		return NULL;
	}
	return str;
}

static int settings_file_fail(struct settings_file *sf, const char *fmt, const char *a)
{
	if (!sf->err[0]) {
		snprintf(sf->err, sizeof(sf->err), fmt, a);
		sf->err_line = sf->line;
	}
	return 0;
}

static int settings_file_value(struct settings_file *sf, int k, const char *value)
{
	char where[512], *joined = NULL;
	int err;

	snprintf(where, sizeof(where), "%s:%d: %s", sf->path, sf->line, settings_defs[k].name);
	/* "tls-ca = ca.pem" next to the config file means that file, wherever xdpfleet runs. */
	if (settings_defs[k].is_path && value[0] != '/' && sf->dirlen) {
		if (asprintf(&joined, "%.*s/%s", (int)sf->dirlen, sf->path, value) < 0)
			return -ENOMEM;
		value = joined;
	}
	err = settings_add(sf->ctx, sf->s, k, SETTINGS_CONFIG, value, where);
	free(joined);
	return err;
}

static int settings_file_on_key(void *user, const char *section, const char *name,
				const char *value)
{
	struct settings_file *sf = user;
	int k;

	if (section && *section)
		return settings_file_fail(sf, "a key in section [%s]: the config file has no "
					  "sections", section);
	for (k = 0; k < SETTINGS_N_KEYS; k++)
		if (!strcmp(name, settings_defs[k].name))
			break;
	if (k == SETTINGS_N_KEYS)
		return settings_file_fail(sf, "unknown key '%s' (the keys are the long global "
					  "options: see xdpfleet --help)", name);
	if (settings_defs[k].has_arg && !*value)
		return settings_file_fail(sf, "%s: empty value", name);
	sf->add_err = settings_file_value(sf, k, *value ? value : "true");
	return !sf->add_err;
}

static int settings_file_parse(const struct cli_ctx *ctx, struct settings *s, const char *path)
{
	const char *slash = strrchr(path, '/');
	struct settings_file sf = {
		.ctx = ctx, .s = s, .path = path, .at_start = true,
		.dirlen = slash ? (size_t)(slash - path) + (slash == path) : 0,
	};
	int line;

	sf.f = fopen(path, "r");
	if (!sf.f)
		return cli_usage_error(ctx, NULL, "config file '%s' (%s): %s", path, s->config_how,
				       strerror(errno));
	line = ini_parse_stream(settings_file_read, &sf, settings_file_on_key, &sf);
	fclose(sf.f);
	if (sf.add_err)
		return sf.add_err;
	if (sf.err[0])
		return cli_usage_error(ctx, NULL, "%s:%d: %s", path, sf.err_line, sf.err);
	if (line)
		return cli_usage_error(ctx, NULL, "%s:%d: not a 'key = value' line", path, line);
	return 0;
}

/* The user's file, under $XDG_CONFIG_HOME or ~/.config. */
static char *settings_user_config(void)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	char *p = NULL;

	if (xdg && xdg[0] == '/')
		return asprintf(&p, "%s/" SETTINGS_USER_CONFIG, xdg) < 0 ? NULL : p;
	if (home && *home)
		return asprintf(&p, "%s/.config/" SETTINGS_USER_CONFIG, home) < 0 ? NULL : p;
	return NULL;
}

int settings_read_config(const struct cli_ctx *ctx, struct settings *s)
{
	const char *env = getenv(SETTINGS_CONFIG_ENV);
	const char *sys = ctx->io.system_config ? ctx->io.system_config : CLI_SYSTEM_CONFIG;

	if (s->no_config)
		return 0;
	if (!s->config_path && env && *env) {
		s->config_path = strdup(env);
		s->config_how = SETTINGS_CONFIG_ENV;
		s->config_required = true;
		if (!s->config_path)
			return -ENOMEM;
	}
	if (!s->config_path) {
		s->config_path = settings_user_config();
		s->config_how = "user";
		if (s->config_path && access(s->config_path, F_OK)) {
			free(s->config_path);
			s->config_path = NULL;
		}
	}
	if (!s->config_path && !access(sys, F_OK)) {
		s->config_path = strdup(sys);
		s->config_how = "system";
		if (!s->config_path)
			return -ENOMEM;
	}
	return s->config_path ? settings_file_parse(ctx, s, s->config_path) : 0;
}

/* ---- which source counts --------------------------------------------------------------- */

static enum settings_src settings_top(const struct settings *s, enum settings_key k)
{
	for (int src = SETTINGS_N_SRC - 1; src > SETTINGS_DEFAULT; src--)
		if (s->slot[k][src].n)
			return src;
	return SETTINGS_DEFAULT;
}

static const char *settings_where(const struct settings *s, enum settings_key k)
{
	const struct settings_slot *slot = &s->slot[k][s->src[k]];

	return slot->n ? slot->v[0].where : "";
}

/* Drops k when a stronger source set by, so a config file's value never mixes with a flag's. */
static void settings_drop_weaker(struct settings *s, enum settings_key k, enum settings_key by)
{
	if (s->src[k] != SETTINGS_DEFAULT && s->src[k] < s->src[by]) {
		s->overridden_by[k] = settings_where(s, by);
		s->src[k] = SETTINGS_DEFAULT;
	}
}

void settings_resolve(struct settings *s)
{
	static const enum settings_key tls[] = { SETTINGS_TLS_CA, SETTINGS_TLS_CERT, SETTINGS_TLS_KEY,
						 SETTINGS_TLS_SERVER_NAME };
	enum settings_key strongest = tls[0];
	const struct settings_value *insecure;

	for (int k = 0; k < SETTINGS_N_KEYS; k++) {
		s->src[k] = settings_top(s, k);
		s->overridden_by[k] = NULL;
	}
	/* Targets come from one source: -H and --hosts-file replace the environment's and the
	 * file's; a selector from a weaker source than the targets does not apply to them. */
	settings_drop_weaker(s, SETTINGS_HOSTS, SETTINGS_HOSTS_FILE);
	settings_drop_weaker(s, SETTINGS_HOSTS_FILE, SETTINGS_HOSTS);
	settings_drop_weaker(s, SETTINGS_SELECTOR, SETTINGS_HOSTS);
	settings_drop_weaker(s, SETTINGS_SELECTOR, SETTINGS_HOSTS_FILE);
	/* Plaintext and TLS: the stronger source decides (the same source giving both is
	 * refused later as a contradiction). */
	insecure = settings_last(s, SETTINGS_INSECURE);
	if (!insecure || strcmp(insecure->text, "true"))
		return;
	for (size_t i = 0; i < ARRAY_SIZE(tls); i++)
		if (s->src[tls[i]] > s->src[strongest])
			strongest = tls[i];
	if (s->src[strongest] > s->src[SETTINGS_INSECURE])
		settings_drop_weaker(s, SETTINGS_INSECURE, strongest);
	else
		for (size_t i = 0; i < ARRAY_SIZE(tls); i++)
			settings_drop_weaker(s, tls[i], SETTINGS_INSECURE);
}

const struct settings_slot *settings_get(const struct settings *s, enum settings_key k)
{
	const struct settings_slot *slot = &s->slot[k][s->src[k]];

	return s->src[k] == SETTINGS_DEFAULT || !slot->n ? NULL : slot;
}

const struct settings_value *settings_last(const struct settings *s, enum settings_key k)
{
	const struct settings_slot *slot = settings_get(s, k);

	return slot ? &slot->v[slot->n - 1] : NULL;
}

void settings_free(struct settings *s)
{
	for (int k = 0; k < SETTINGS_N_KEYS; k++) {
		for (int src = 0; src < SETTINGS_N_SRC; src++) {
			for (size_t i = 0; i < s->slot[k][src].n; i++) {
				free(s->slot[k][src].v[i].text);
				free(s->slot[k][src].v[i].where);
			}
			free(s->slot[k][src].v);
		}
	}
	free(s->config_path);
	memset(s, 0, sizeof(*s));
}
