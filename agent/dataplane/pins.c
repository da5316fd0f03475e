// SPDX-License-Identifier: GPL-2.0-only
/* bpffs handling: checks and mounts bpffs, keys the agent's pin directory by network namespace. */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <linux/magic.h>

#include "log.h"
#include "fs.h"
#include "pins.h"

/* Only when both namespaces can be seen: PID 1 may be out of reach in a container. */
static bool private_mount_ns(void)
{
	struct stat self, init;

	return !stat("/proc/self/ns/mnt", &self) && !stat("/proc/1/ns/mnt", &init) &&
	       (self.st_ino != init.st_ino || self.st_dev != init.st_dev);
}

static int is_bpffs(const char *path)
{
	struct statfs st;

	if (statfs(path, &st))
		return -errno;
	return st.f_type == BPF_FS_MAGIC;
}

/* Mounts only when the path is not bpffs already: a second mount would hide existing pins. */
static int ensure_bpffs(const char *bpffs, char *err, size_t errlen)
{
	int ret = is_bpffs(bpffs);

	if (ret == 1)
		return 0;
	if (ret == -ENOENT)
		ret = fs_mkdir_p(bpffs, 0700);
	else
		ret = 0;
	if (!ret && mount("bpf", bpffs, "bpf", 0, "mode=0700"))
		ret = -errno;
	if (ret) {
		snprintf(err, errlen,
			 "bpffs: '%s' is not a bpffs mount and mounting one failed (%s); mount it with "
			 "'mount -t bpf bpf %s' or pass --bpffs PATH of a bpffs mount",
			 bpffs, strerror(-ret), bpffs);
		return ret;
	}
	log_info("mounted bpffs at %s", bpffs);
	/* e.g. under `ip netns exec`: the mount, and every pin in it, ends with this namespace. */
	if (private_mount_ns())
		log_warn("bpffs: %s was mounted in a private mount namespace, so pins vanish when the agent "
			 "exits (programs and counters are still found again); mount bpffs there beforehand to "
			 "keep them", bpffs);
	return 0;
}

int pins_netns_key(char *buf, size_t len)
{
	struct stat st;

	if (stat("/proc/self/ns/net", &st))
		return -errno;
	if ((size_t)snprintf(buf, len, "netns-%lu", (unsigned long)st.st_ino) >= len)
		return -ENAMETOOLONG;
	return 0;
}

int pins_open(struct pins *pins, const char *bpffs, char *err, size_t errlen)
{
	int ret;

	memset(pins, 0, sizeof(*pins));
	ret = ensure_bpffs(bpffs, err, errlen);
	if (ret)
		return ret;
	ret = pins_netns_key(pins->key, sizeof(pins->key));
	if (ret) {
		snprintf(err, errlen, "cannot identify the network namespace: %s", strerror(-ret));
		return ret;
	}
	if ((size_t)snprintf(pins->root, sizeof(pins->root), "%s/xdpfleet/%s", bpffs, pins->key) >=
	    sizeof(pins->root)) {
		snprintf(err, errlen, "bpffs: path '%s' is too long", bpffs);
		return -ENAMETOOLONG;
	}
	ret = fs_mkdir_p(pins->root, 0700);
	if (ret)
		snprintf(err, errlen, "bpffs: cannot create %s: %s", pins->root, strerror(-ret));
	return ret;
}

int pins_path(const struct pins *pins, const char *rel, char *buf, size_t len)
{
	if ((size_t)snprintf(buf, len, "%s/%s", pins->root, rel) >= len)
		return -ENAMETOOLONG;
	return 0;
}

int pins_mkdir(const struct pins *pins, const char *rel)
{
	char path[PATH_MAX];
	int ret = pins_path(pins, rel, path, sizeof(path));

	if (!ret && mkdir(path, 0700) && errno != EEXIST)
		ret = -errno;
	return ret;
}

int pins_remove_dir(const struct pins *pins, const char *rel)
{
	char dir[PATH_MAX], path[PATH_MAX + NAME_MAX + 2];
	struct dirent *de;
	DIR *d;
	int ret = pins_path(pins, rel, dir, sizeof(dir));

	if (ret)
		return ret;
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (unlink(path) && errno != ENOENT)
			ret = -errno;
	}
	closedir(d);
	if (rmdir(dir) && errno != ENOENT && !ret)
		ret = -errno;
	return ret;
}
