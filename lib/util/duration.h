/* SPDX-License-Identifier: GPL-2.0-only */
/* The one duration grammar of every flag and config key: "500ms", "90s", "10m", "1h30m", "1d",
 * "2w", or plain seconds ("5", "0.5"). */
#ifndef XDPFLEET_UTIL_DURATION_H
#define XDPFLEET_UTIL_DURATION_H

#include <stddef.h>
#include <stdint.h>

/* Milliseconds; -EINVAL when it is not a duration, -ERANGE past a year's worth of weeks. */
int duration_parse_ms(const char *s, uint64_t *ms);
/* ms in the same grammar, largest units first ("1h30m", "250ms", "0s"): what
 * duration_parse_ms() reads back. Returns buf. */
char *duration_format_ms(uint64_t ms, char *buf, size_t len);

#endif
