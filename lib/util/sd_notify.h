/* SPDX-License-Identifier: GPL-2.0-only */
/* Readiness notification for service managers speaking systemd's sd_notify protocol. */
#ifndef XDPFLEET_SD_NOTIFY_H
#define XDPFLEET_SD_NOTIFY_H

/* Sends STATE (e.g. "READY=1", "STOPPING=1") as one datagram to the unix socket named by
 * $NOTIFY_SOCKET: a path, or '@' and an abstract name. Returns 0 when sent or when the variable
 * is unset or empty (no supervisor listening), -EINVAL for an unusable address, else -errno.
 * Async-signal-safe: no allocation, only getenv, socket, sendto and close; errno is preserved. */
int sd_notify_send(const char *state);

#endif
