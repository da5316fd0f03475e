/* SPDX-License-Identifier: GPL-2.0-only */
/* Small file system helpers: mkdir -p and exclusive locks held for a process's life. */
#ifndef XDPFLEET_UTIL_FS_H
#define XDPFLEET_UTIL_FS_H

/* mkdir -p: creates path and its missing parents with mode; existing ones are fine. */
int fs_mkdir_p(const char *path, unsigned int mode);

/* Takes an exclusive lock (flock) on path, a file created 0600 that then holds our pid, or an
 * existing directory; the lock lives as long as *fd is open. -EWOULDBLOCK when another process
 * holds it: *holder then gets its pid (0 when unknown). On a read-only file system an existing
 * lock file is locked without recording the pid. */
int fs_lock(const char *path, int *fd, long *holder);

#endif
