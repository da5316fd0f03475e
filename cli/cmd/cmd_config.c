// SPDX-License-Identifier: GPL-2.0-only
/* "xdpfleet config": every global setting's value and where it came from (a flag, the
 * environment, the config file or the default), and the targets they make. Contacts nobody. */
#include <errno.h>
#include <string.h>

#include "commands.h"
#include "json.h"
#include "output.h"
#include "parse.h"
#include "settings.h"

/* A config file value's where is "FILE:LINE: key" (for error messages): FILE:LINE here. */
static int cmd_config_where_len(const struct settings_value *v, enum settings_src src)
{
	const char *colon = src == SETTINGS_CONFIG ? strrchr(v->where, ':') : NULL;

	return colon ? (int)(colon - v->where) : (int)strlen(v->where);
}

/* The value that counts, comma separated; the default when unset. */
static void cmd_config_value(const struct settings *s, int k, char *buf, size_t len)
{
	const struct settings_slot *slot = settings_get(s, k);
	size_t used = 0;

	snprintf(buf, len, "%s", *settings_defs[k].dflt ? settings_defs[k].dflt : "-");
	for (size_t i = 0; slot && i < slot->n && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? "," : "",
					 slot->v[i].text);
}

static void cmd_config_table(FILE *f, const struct cli_globals *g)
{
	const struct settings *s = g->settings;
	const struct settings_slot *slot;
	char value[1024], safe[OUTPUT_SAFE_MAX];
	const struct cli_labels *l;

	if (!g->no_headers)
		fprintf(f, "%-16s  %-32s  %s\n", "KEY", "VALUE", "SOURCE");
	for (int k = 0; k < SETTINGS_N_KEYS; k++) {
		slot = settings_get(s, k);
		cmd_config_value(s, k, value, sizeof(value));
		fprintf(f, "%-16s  %-32s  %s", settings_defs[k].name,
			output_safe(value, safe, sizeof(safe)), settings_src_name(s->src[k]));
		if (slot)
			fprintf(f, " %.*s", cmd_config_where_len(&slot->v[0], s->src[k]),
				slot->v[0].where);
		if (s->overridden_by[k])
			fprintf(f, " (a weaker value was overridden by %s)", s->overridden_by[k]);
		fputc('\n', f);
	}
	if (g->no_headers)
		return;
	fprintf(f, "\nconfig file: %s%s%s%s\n", s->config_path ? s->config_path : "none",
		s->config_path ? " (" : "", s->config_path ? s->config_how : "",
		s->config_path ? ")" : "");
	fprintf(f, "targets: %zu\n", g->hosts.n);
	for (size_t i = 0; i < g->hosts.n; i++) {
		l = &g->hosts.labels[i];
		fprintf(f, "  %s", g->hosts.targets[i]);
		for (size_t j = 0; j < l->n; j++)
			fprintf(f, " %s=%s", l->keys[j], output_safe(l->values[j], safe, sizeof(safe)));
		fprintf(f, "  (%s)\n", g->hosts.origin[i]);
	}
}

static int cmd_config_json(FILE *f, const struct cli_globals *g)
{
	const struct settings *s = g->settings;
	const struct settings_slot *slot;
	struct json_writer w;
	char value[1024], where[512];

	json_init(&w, f);
	json_begin_object(&w);
	json_key(&w, "config_file");
	s->config_path ? json_string(&w, s->config_path) : json_null(&w);
	json_key(&w, "settings");
	json_begin_array(&w);
	for (int k = 0; k < SETTINGS_N_KEYS; k++) {
		slot = settings_get(s, k);
		cmd_config_value(s, k, value, sizeof(value));
		json_begin_object(&w);
		json_kv_string(&w, "key", settings_defs[k].name);
		json_kv_string(&w, "value", value);
		json_kv_string(&w, "source", settings_src_name(s->src[k]));
		json_key(&w, "where");
		if (slot) {
			snprintf(where, sizeof(where), "%.*s",
				 cmd_config_where_len(&slot->v[0], s->src[k]), slot->v[0].where);
			json_string(&w, where);
		} else {
			json_null(&w);
		}
		json_key(&w, "overridden_by");
		s->overridden_by[k] ? json_string(&w, s->overridden_by[k]) : json_null(&w);
		json_end_object(&w);
	}
	json_end_array(&w);
	json_key(&w, "targets");
	json_begin_array(&w);
	for (size_t i = 0; i < g->hosts.n; i++) {
		json_begin_object(&w);
		json_kv_string(&w, "host", g->hosts.targets[i]);
		json_key(&w, "labels");
		json_begin_object(&w);
		for (size_t j = 0; j < g->hosts.labels[i].n; j++)
			json_kv_string(&w, g->hosts.labels[i].keys[j], g->hosts.labels[i].values[j]);
		json_end_object(&w);
		json_kv_string(&w, "from", g->hosts.origin[i]);
		json_end_object(&w);
	}
	json_end_array(&w);
	json_end_object(&w);
	if (!w.err && fputc('\n', f) == EOF)
		return -EIO;
	return json_finish(&w);
}

static int cmd_config_run(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option none[] = { {NULL, 0, NULL, 0} };

	optind = 0;
	if (parse_getopt(ctx, "config", argc, argv, ":", none) != -1)
		return -EINVAL;
	if (optind < argc)
		return cli_usage_error(ctx, "config", "unexpected argument '%s'", argv[optind]);
	if (ctx->g.output != CLI_OUTPUT_TABLE)
		return cmd_config_json(ctx->io.out, &ctx->g) ? -EIO : 0;
	cmd_config_table(ctx->io.out, &ctx->g);
	return ferror(ctx->io.out) ? -EIO : 0;
}

const struct cli_command cmd_config = {
	.name = "config",
	.summary = "the global settings in effect and where each came from; contacts nobody",
	.usage = "config",
	.help =
		"Shows the value of every global option as this command line, the environment and\n"
		"the config file make it, where it came from, and the targets (with their labels)\n"
		"a command would contact. Nothing is sent to any host. Give the options you would\n"
		"give another command: 'xdpfleet config -l role=web' lists the targets -l selects.\n"
		"\n"
		"Precedence: a flag wins over the environment (XDPFLEET_*), which wins over the config\n"
		"file, which wins over the default. -H/--hosts-file/-l form one setting: the targets\n"
		"of the strongest source are used, never a mix. --insecure and the TLS options: the\n"
		"stronger source decides. The config file is --config FILE, else $XDPFLEET_CONFIG,\n"
		"else ~/.config/xdpfleet/config ($XDG_CONFIG_HOME/xdpfleet/config when set), else\n"
		"/etc/xdpfleet/cli.conf; --no-config reads none.\n"
		"\n"
		"Config file: 'key = value' lines, keys named like the long global options; '#'\n"
		"starts a comment line; repeatable keys (hosts, hosts-file, selector) may be given\n"
		"several times; switches (insecure, no-headers) take true or false; relative file\n"
		"names are relative to the config file's directory. For example:\n"
		"  hosts-file = fleet.txt\n"
		"  tls-ca = /etc/xdpfleet/ca.pem\n"
		"  tls-cert = me.pem\n"
		"  tls-key = me.key\n"
		"  timeout = 10s\n"
		"\n"
		"Output: KEY, VALUE (the default when unset), SOURCE: default, flag --NAME,\n"
		"env XDPFLEET_NAME or config FILE:LINE, and when a weaker source's value was dropped\n"
		"for a related stronger one, which one; then the config file read and the targets:\n"
		"HOST, its labels and where it was listed. --no-headers prints the settings only.\n"
		"JSON (-o json or jsonl): {\"config_file\":..|null,\"settings\":[{\"key\":\"timeout\",\n"
		"\"value\":\"10s\",\"source\":\"config\",\"where\":\"FILE:LINE\",\"overridden_by\":null},..],\n"
		"\"targets\":[{\"host\":\"web1:50051\",\"labels\":{\"role\":\"web\"},\"from\":\"fleet.txt:1\"}]}\n"
		"\n"
		"Examples:\n"
		"  xdpfleet config\n"
		"  XDPFLEET_TIMEOUT=30s xdpfleet config -o json | jq '.settings[] | select(.key == \"timeout\")'\n"
		"  xdpfleet config --hosts-file fleet.txt -l role=web,dc=fra\n"
		"\n"
		"Exit status: 0, or 2 when a setting is invalid (the message names its source).\n",
	.run = cmd_config_run,
};
