// SPDX-License-Identifier: GPL-2.0-only
/* Exception counting: the xdp:xdp_exception tracepoint program, its pinned link and map. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <inttypes.h>
#include <sys/mount.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/xdp_exception.skel.h"
#include "exceptions.h"
#include "log.h"

#define EXC_DIR "exceptions"
#define EXC_MAP_PIN EXC_DIR "/counts"
/* The link pin is named after the program's build ("link-<hash of its ELF>"): a link pinned by
 * an older agent runs an older program, and is replaced rather than adopted. */
#define EXC_LINK_PREFIX "link-"
#define TRACEFS "/sys/kernel/tracing"

/* libbpf resolves tracepoint ids through tracefs, which is not mounted at boot here. */
static void ensure_tracefs(void)
{
	if (!access(TRACEFS "/events/xdp/xdp_exception/id", F_OK) ||
	    !access("/sys/kernel/debug/tracing/events/xdp/xdp_exception/id", F_OK))
		return;
	if (mount("tracefs", TRACEFS, "tracefs", 0, NULL))
		log_warn("cannot mount tracefs at %s: %s", TRACEFS, strerror(errno));
	else
		log_info("mounted tracefs at %s", TRACEFS);
}

/* A link pinned by an earlier run still feeds the pinned map: reuse both rather than attach
 * a second program, which would count every exception twice. */
static int adopt_pins(struct exceptions *exc, const char *link_path, const char *map_path)
{
	exc->link_fd = bpf_obj_get(link_path);
	if (exc->link_fd < 0)
		return -errno;
	exc->map_fd = bpf_obj_get(map_path);
	if (exc->map_fd < 0) {
		int ret = -errno;

		/* A link without its map counts into nothing we can read: start over. */
		close(exc->link_fd);
		exc->link_fd = -1;
		unlink(link_path);
		return ret;
	}
	return 0;
}

static int load_and_attach(struct exceptions *exc, const char *link_path, const char *map_path,
			   char *err, size_t errlen)
{
	struct xdp_exception *skel;
	struct bpf_link *link = NULL;
	int map_fd, ret;

	skel = xdp_exception__open();
	if (!skel) {
		ret = -errno;
		snprintf(err, errlen, "exceptions: cannot open the tracepoint object: %s", strerror(-ret));
		return ret;
	}
	map_fd = bpf_obj_get(map_path);
	if (map_fd >= 0) {
		ret = bpf_map__reuse_fd(skel->maps.xdp_exc_counts, map_fd);
		close(map_fd);
		exc->adopted = !ret;
		if (ret)
			log_warn("exceptions: pinned map %s does not fit, counting anew", map_path);
	}
	ret = xdp_exception__load(skel);
	if (ret) {
		snprintf(err, errlen, "exceptions: cannot load the tracepoint program: %s", strerror(-ret));
		goto out;
	}
	ensure_tracefs();
	link = bpf_program__attach(skel->progs.xdp_exception);
	if (!link) {
		ret = -errno;
		snprintf(err, errlen, "exceptions: cannot attach to xdp:xdp_exception: %s (is tracefs mounted "
			 "at " TRACEFS "?)", strerror(-ret));
		goto out;
	}
	unlink(map_path);
	ret = bpf_map__pin(skel->maps.xdp_exc_counts, map_path);
	if (!ret)
		ret = bpf_link__pin(link, link_path);
	if (ret) {
		snprintf(err, errlen, "exceptions: cannot pin under %s: %s", link_path, strerror(-ret));
		unlink(map_path);
		goto out;
	}
	exc->map_fd = dup(bpf_map__fd(skel->maps.xdp_exc_counts));
	exc->link_fd = dup(bpf_link__fd(link));
	if (exc->map_fd < 0 || exc->link_fd < 0)
		ret = -errno;
out:
	bpf_link__destroy(link);
	xdp_exception__destroy(skel);
	return ret;
}

/* FNV-1a of the embedded object: changes whenever the tracepoint program does. */
static uint64_t program_build_hash(void)
{
	const unsigned char *p;
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t sz;

	p = xdp_exception__elf_bytes(&sz);
	for (size_t i = 0; i < sz; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h;
}

/* Unpins links of other builds (and the unversioned pin of the first releases). */
static void remove_stale_links(const char *dir, const char *keep)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((de = readdir(d))) {
		if ((strncmp(de->d_name, EXC_LINK_PREFIX, strlen(EXC_LINK_PREFIX)) && strcmp(de->d_name, "link")) ||
		    !strcmp(de->d_name, keep))
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%.*s", dir, NAME_MAX, de->d_name) >= sizeof(path))
			continue;
		if (!unlink(path))
			log_info("exceptions: replaced the tracepoint program of an older build (%s)", de->d_name);
	}
	closedir(d);
}

int exceptions_open(struct exceptions *exc, const struct pins *pins, char *err, size_t errlen)
{
	char link_path[PATH_MAX], map_path[PATH_MAX], dir[PATH_MAX], link_name[64];
	int ret;

	exc->map_fd = exc->link_fd = -1;
	snprintf(link_name, sizeof(link_name), EXC_LINK_PREFIX "%016" PRIx64, program_build_hash());
	ret = pins_mkdir(pins, EXC_DIR);
	if (!ret)
		ret = pins_path(pins, EXC_DIR, dir, sizeof(dir));
	if (!ret && (size_t)snprintf(link_path, sizeof(link_path), "%s/%s", dir, link_name) >= sizeof(link_path))
		ret = -ENAMETOOLONG;
	if (!ret)
		ret = pins_path(pins, EXC_MAP_PIN, map_path, sizeof(map_path));
	if (ret) {
		snprintf(err, errlen, "exceptions: cannot create the pin directory: %s", strerror(-ret));
		return ret;
	}
	remove_stale_links(dir, link_name);
	if (!adopt_pins(exc, link_path, map_path)) {
		exc->adopted = true;
		return 0;
	}
	ret = load_and_attach(exc, link_path, map_path, err, errlen);
	if (ret)
		exceptions_close(exc);
	return ret;
}

void exceptions_close(struct exceptions *exc)
{
	if (exc->map_fd >= 0)
		close(exc->map_fd);
	if (exc->link_fd >= 0)
		close(exc->link_fd);
	exc->map_fd = exc->link_fd = -1;
}

int exceptions_read(const struct exceptions *exc, uint32_t prog_id, uint64_t counts[XDP_ACTION_MAX])
{
	int ncpus = libbpf_num_possible_cpus();
	__u64 *values;

	memset(counts, 0, sizeof(*counts) * XDP_ACTION_MAX);
	if (exc->map_fd < 0 || !prog_id)
		return 0;
	if (ncpus < 0)
		return ncpus;
	values = calloc(ncpus, sizeof(*values));
	if (!values)
		return -ENOMEM;
	for (__u32 a = 0; a < XDP_ACTION_MAX; a++) {
		struct exc_key key = { .prog_id = prog_id, .action = a };

		if (bpf_map_lookup_elem(exc->map_fd, &key, values))
			continue; /* no exception of this kind yet */
		for (int cpu = 0; cpu < ncpus; cpu++)
			counts[a] += values[cpu];
	}
	free(values);
	return 0;
}

void exceptions_forget(const struct exceptions *exc, uint32_t prog_id)
{
	if (exc->map_fd < 0 || !prog_id)
		return;
	for (__u32 a = 0; a < XDP_ACTION_MAX; a++) {
		struct exc_key key = { .prog_id = prog_id, .action = a };

		bpf_map_delete_elem(exc->map_fd, &key);
	}
}
