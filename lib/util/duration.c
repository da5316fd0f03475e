// SPDX-License-Identifier: GPL-2.0-only
/* Durations (see duration.h): units in any order of size, each at most once, no spaces. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "duration.h"
#include "array_size.h"

#define DURATION_MAX_MS (100ull * 365 * 86400 * 1000)

static const struct {
	const char *name;
	uint64_t ms;
} units[] = { { "ms", 1 }, { "s", 1000 }, { "m", 60000 }, { "h", 3600000 }, { "d", 86400000 },
	      { "w", 7 * 86400000ull } };

#define N_UNITS (ARRAY_SIZE(units))

static int unit_ms(const char **p, uint64_t *ms)
{
	for (size_t i = 0; i < N_UNITS; i++) {
		size_t n = strlen(units[i].name);

		if (!strncmp(*p, units[i].name, n) && !isalpha((unsigned char)(*p)[n])) {
			*p += n;
			*ms = units[i].ms;
			return 0;
		}
	}
	return -EINVAL;
}

int duration_parse_ms(const char *s, uint64_t *ms)
{
	uint64_t total = 0, last_unit = UINT64_MAX;
	const char *p = s;
	double v;
	char *end;

	if (!s || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (!*end) { /* plain seconds */
		if (errno || !isfinite(v) || v * 1000 > (double)DURATION_MAX_MS)
			return -ERANGE;
		*ms = (uint64_t)llround(v * 1000);
		return 0;
	}
	while (*p) {
		uint64_t n = 0, unit;

		if (!isdigit((unsigned char)*p))
			return -EINVAL;
		for (; isdigit((unsigned char)*p); p++) {
			n = n * 10 + (uint64_t)(*p - '0');
			if (n > DURATION_MAX_MS)
				return -ERANGE;
		}
		/* "1h30m", not "30m1h" or "1h1h": each unit once, largest first */
		if (unit_ms(&p, &unit) || unit >= last_unit)
			return -EINVAL;
		last_unit = unit;
		if (n > (DURATION_MAX_MS - total) / unit)
			return -ERANGE;
		total += n * unit;
	}
	*ms = total;
	return 0;
}

char *duration_format_ms(uint64_t ms, char *buf, size_t len)
{
	size_t used = 0;

	if (!len)
		return buf;
	buf[0] = '\0';
	/* Days, not weeks: "14d" reads better than "2w" in messages. */
	for (size_t i = N_UNITS - 1; i-- > 0 && used < len;) {
		if (ms < units[i].ms)
			continue;
		used += (size_t)snprintf(buf + used, len - used, "%llu%s",
					 (unsigned long long)(ms / units[i].ms), units[i].name);
		ms %= units[i].ms;
	}
	if (!used)
		snprintf(buf, len, "0s");
	return buf;
}
