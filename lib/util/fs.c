// SPDX-License-Identifier: GPL-2.0-only
/* Small file system helpers shared by the agent's state, pins and sockets. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs.h"

int fs_mkdir_p(const char *path, unsigned int mode)
{
	char buf[PATH_MAX];
	size_t len = strlen(path);

	if (len == 0 || len >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, len + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, mode) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, mode) && errno != EEXIST)
		return -errno;
	return 0;
}

static long read_pid(int fd)
{
	char buf[24] = "";
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	return n > 0 ? strtol(buf, NULL, 10) : 0;
}

int fs_lock(const char *path, int *fd_out, long *holder)
{
	struct stat st;
	int fd, ret = 0;
	bool dir = !stat(path, &st) && S_ISDIR(st.st_mode);
	char pid[24];

	*fd_out = -1;
	*holder = 0;
	fd = dir ? open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	/* A read-only file system still takes a lock: it only cannot record who holds it. */
	if (fd < 0 && errno == EROFS && !dir) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		dir = fd >= 0;
	}
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		ret = -errno;
		if (!dir)
			*holder = read_pid(fd);
		close(fd);
		return ret;
	}
	if (!dir) {
		int n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());

		if (ftruncate(fd, 0) || pwrite(fd, pid, (size_t)n, 0) != n)
			ret = -errno;
	}
	if (ret) {
		close(fd);
		return ret;
	}
	*fd_out = fd;
	return 0;
}
