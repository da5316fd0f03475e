// SPDX-License-Identifier: GPL-2.0-only
/* Option parsing helpers (see parse.h). */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "duration.h"
#include "parse.h"

int parse_getopt(const struct cli_ctx *ctx, const char *cmd, int argc, char **argv,
		 const char *shortopts, const struct option *longopts)
{
	const char *bad;
	int c;

	opterr = 0; /* getopt's own messages do not name the command */
	c = getopt_long(argc, argv, shortopts, longopts, NULL);
	if (c != '?' && c != ':')
		return c;
	bad = argv[optind - 1];
	if (c == ':') {
		cli_usage_error(ctx, cmd, "option '%s' needs a value", bad);
	} else if (optopt && (!bad || strncmp(bad, "--", 2))) {
		cli_usage_error(ctx, cmd, "unknown option '-%c'", optopt);
	} else if (bad && strchr(bad, '=') && !strncmp(bad, "--", 2)) {
		/* getopt_long rejects "--flag=x" for flags that take no value. */
		cli_usage_error(ctx, cmd, "option '%.*s' takes no value or is unknown",
				(int)(strchr(bad, '=') - bad), bad);
	} else {
		cli_usage_error(ctx, cmd, "unknown option '%s'", bad ? bad : "?");
	}
	return PARSE_OPT_ERROR;
}

int parse_duration_ms(const char *s, unsigned int min_ms, unsigned int max_ms, unsigned int *ms)
{
	uint64_t v;
	int ret = duration_parse_ms(s, &v);

	if (ret)
		return ret;
	if (v < min_ms || v > max_ms)
		return -ERANGE;
	*ms = (unsigned int)v;
	return 0;
}

int parse_duration_opt(const struct cli_ctx *ctx, const char *cmd, const char *opt,
		       const char *value, unsigned int min_ms, unsigned int max_ms,
		       unsigned int *ms)
{
	char lo[32], hi[32];

	if (!parse_duration_ms(value, min_ms, max_ms, ms))
		return 0;
	return cli_usage_error(ctx, cmd, "%s: invalid duration '%s' (expected %s to %s, "
			       PARSE_DURATION_GRAMMAR ")", opt, value,
			       duration_format_ms(min_ms, lo, sizeof(lo)),
			       duration_format_ms(max_ms, hi, sizeof(hi)));
}

int parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *v)
{
	unsigned long long x;
	char *end;

	if (!s || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	x = strtoull(s, &end, 10);
	if (errno || *end)
		return errno == ERANGE ? -ERANGE : -EINVAL;
	if (x < min || x > max)
		return -ERANGE;
	*v = x;
	return 0;
}
