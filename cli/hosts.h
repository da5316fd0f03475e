/* The target list: -H lists, --hosts-file files and XDPFLEET_HOSTS, validated up front so a
 * typo is a usage error (exit 2) rather than one failed host among many. */
#ifndef XDPFLEET_CLI_HOSTS_H
#define XDPFLEET_CLI_HOSTS_H

#include <stddef.h>

#include "cli.h"

/* Checks one target: "unix:/path", "/path", "host:port" or "[v6]:port". On -EINVAL, why says
 * what is wrong. */
int hosts_check_target(const char *target, char *why, size_t whylen);
/* Appends a comma separated list; duplicates are kept once. source names it in messages. */
int hosts_add_list(const struct cli_ctx *ctx, struct cli_hosts *h, const char *list,
		   const char *source);
/* Appends a file's targets: one per line, '#' starts a comment, blank lines skipped. */
int hosts_add_file(const struct cli_ctx *ctx, struct cli_hosts *h, const char *path);
void hosts_free(struct cli_hosts *h);

#endif
