/* SPDX-License-Identifier: GPL-2.0-only */
/* The target list: -H lists, hosts files (with labels) and the environment's, normalised (a
 * TCP target without a port gets 50051) and checked up front so that a typo is a usage error
 * (exit 2) rather than one failed host among many; -l selects targets by label. */
#ifndef XDPFLEET_CLI_HOSTS_H
#define XDPFLEET_CLI_HOSTS_H

#include <stddef.h>

#include "cli.h"

#define HOSTS_TARGET_MAX 320
/* The label whose value is the name expected in the target's TLS certificate. */
#define HOSTS_TLS_NAME_LABEL "tls_name"

/* One target, "unix:/path", "/path", "host[:port]" or "[v6][:port]", into out with the
 * default port added where it has none. On -EINVAL why says what is wrong. */
int hosts_normalise(const char *target, char *out, size_t outlen, char *why, size_t whylen);
/* Appends a comma separated list; a target listed twice is kept once. where names the list
 * in messages ("--hosts", "XDPFLEET_HOSTS"). */
int hosts_add_list(const struct cli_ctx *ctx, struct cli_hosts *h, const char *list,
		   const char *where);
/* Appends a file's targets: one a line, optionally followed by KEY=VALUE labels, '#' starts a
 * comment, blank lines are skipped. Errors name the file and line. */
int hosts_add_file(const struct cli_ctx *ctx, struct cli_hosts *h, const char *path,
		   const char *where);
/* Keeps the targets whose labels match every KEY=VALUE of every selector (each a comma
 * separated list); wheres[i] names selectors[i] in messages. None matching is a usage error. */
int hosts_select(const struct cli_ctx *ctx, struct cli_hosts *h, const char *const *selectors,
		 const char *const *wheres, size_t n);
/* Target i's value of label key, NULL when it has none. */
const char *hosts_label(const struct cli_hosts *h, size_t i, const char *key);
void hosts_free(struct cli_hosts *h);

#endif
