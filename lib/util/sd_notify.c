// SPDX-License-Identifier: GPL-2.0-only
/* sd_notify: one datagram to $NOTIFY_SOCKET, written here instead of linking libsystemd for it. */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "sd_notify.h"

int sd_notify_send(const char *state)
{
	const char *addr = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int saved_errno = errno, fd, ret = 0;
	size_t len;

	if (!addr || !addr[0])
		return 0;
	len = strlen(addr);
	if ((addr[0] != '/' && addr[0] != '@') || len < 2 || len > sizeof(sa.sun_path))
		return -EINVAL;
	memcpy(sa.sun_path, addr, len);
	if (sa.sun_path[0] == '@')
		sa.sun_path[0] = '\0'; /* abstract: the name is the bytes after the NUL, unterminated */
	else if (len == sizeof(sa.sun_path))
		return -EINVAL; /* a path needs its terminating NUL */

	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		ret = -errno;
		goto out;
	}
	if (sendto(fd, state, strlen(state), MSG_NOSIGNAL, (const struct sockaddr *)&sa,
		   (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len)) < 0)
		ret = -errno;
	close(fd);
out:
	errno = saved_errno;
	return ret;
}
