/* SPDX-License-Identifier: GPL-2.0-only */
/* The global settings from the command line, the environment (XDPFLEET_*) and a config file
 * (key = value, keys named like the long global options), and which one counts for each:
 * flag > environment > config file > default. */
#ifndef XDPFLEET_CLI_SETTINGS_H
#define XDPFLEET_CLI_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>

#include "cli.h"

enum settings_src { SETTINGS_DEFAULT, SETTINGS_CONFIG, SETTINGS_ENV, SETTINGS_FLAG, SETTINGS_N_SRC };

enum settings_key {
	SETTINGS_HOSTS, SETTINGS_HOSTS_FILE, SETTINGS_SELECTOR, SETTINGS_TLS_CA, SETTINGS_TLS_CERT,
	SETTINGS_TLS_KEY, SETTINGS_TLS_SERVER_NAME, SETTINGS_INSECURE, SETTINGS_TIMEOUT,
	SETTINGS_PARALLEL, SETTINGS_OUTPUT, SETTINGS_NO_HEADERS, SETTINGS_N_KEYS
};

struct settings_def {
	const char *name;    /* the long option and config key */
	int short_opt;       /* 0: none */
	bool has_arg;        /* false: a switch, "true"/"false" in the environment and the file */
	bool repeatable;     /* values add up within one source */
	bool is_path;        /* relative in a config file: relative to the file's directory */
	const char *env;     /* the environment variable */
	const char *dflt;    /* the default, as 'xdpfleet config' shows it */
};

extern const struct settings_def settings_defs[SETTINGS_N_KEYS];

struct settings_value {
	char *text;
	char *where; /* "--timeout", "XDPFLEET_TIMEOUT", "/home/u/.config/xdpfleet/config:3" */
};

struct settings_slot {
	struct settings_value *v;
	size_t n;
};

struct settings {
	struct settings_slot slot[SETTINGS_N_KEYS][SETTINGS_N_SRC];
	/* After settings_resolve(): the source that counts (DEFAULT: unset), and for a value
	 * dropped because a related one came from a stronger source, that one's where. */
	enum settings_src src[SETTINGS_N_KEYS];
	const char *overridden_by[SETTINGS_N_KEYS];
	char *config_path;      /* the file to read, NULL for none */
	const char *config_how; /* "--config", "XDPFLEET_CONFIG", "user", "system" */
	bool config_required;   /* named explicitly: must exist */
	bool no_config;         /* --no-config */
};

/* A value of key k from src; switches from the environment and config files are checked and
 * stored as "true"/"false". where is copied. -EINVAL (after a usage message) or -ENOMEM. */
int settings_add(const struct cli_ctx *ctx, struct settings *s, enum settings_key k,
		 enum settings_src src, const char *text, const char *where);
/* Every XDPFLEET_* variable of a key. */
int settings_read_env(const struct cli_ctx *ctx, struct settings *s);
/* Picks the config file (--config, $XDPFLEET_CONFIG, the user's, the system's) and reads it. */
int settings_read_config(const struct cli_ctx *ctx, struct settings *s);
/* Decides which source counts for every key (see xdpfleet --help, "Defaults"). */
void settings_resolve(struct settings *s);
/* The values that count for k, NULL when it is unset. */
const struct settings_slot *settings_get(const struct settings *s, enum settings_key k);
/* The last value that counts for a single-valued key, NULL when unset. */
const struct settings_value *settings_last(const struct settings *s, enum settings_key k);
/* "true"/"false" (and yes/no/on/off/1/0): 1, 0, or -EINVAL. */
int settings_parse_bool(const char *s);
const char *settings_src_name(enum settings_src src);
void settings_free(struct settings *s);

#endif
