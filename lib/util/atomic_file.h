/* SPDX-License-Identifier: GPL-2.0-only */
/* Durable file replacement for the agent's state: a crash leaves the old or the new contents,
 * never half of them (temp file, fsync, rename, fsync of the directory). */
#ifndef XDPFLEET_ATOMIC_FILE_H
#define XDPFLEET_ATOMIC_FILE_H

#include <stdio.h>

/* Writes the new contents; returns 0 or -errno. */
typedef int (*atomic_file_fill_fn)(FILE *f, void *ctx);

/* Replaces path with what fill writes, creating its directory (0700) if needed. */
int atomic_file_write(const char *path, atomic_file_fill_fn fill, void *ctx);

#endif
