/* SPDX-License-Identifier: GPL-2.0-only */
/* Logging to stderr in the style systemd expects: one line per event, no timestamps of our own,
 * with <N> priority prefixes when stderr is the journal. */
#ifndef XDPFLEET_LOG_H
#define XDPFLEET_LOG_H

#include <syslog.h>

/* Messages above this priority (LOG_ERR..LOG_DEBUG) are dropped; default LOG_INFO. */
void log_set_level(int level);
/* Parses "error", "warning", "info" or "debug"; -EINVAL otherwise. */
int log_parse_level(const char *name);
void log_msg(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_err(...) log_msg(LOG_ERR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARNING, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
