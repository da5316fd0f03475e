// SPDX-License-Identifier: GPL-2.0-only
/* Pins of the rule maps: <pin_dir>/rules_limits, and the other maps of one set in a generation
 * directory <pin_dir>/g<N> that the symlink <pin_dir>/rules_gen names. A new set is pinned beside
 * the old one and the link renamed over (atomic), so a restart finds one consistent set. */
#include "rules_engine.h"

#include <bpf/bpf.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define GEN_LINK "rules_gen"

static int path_of(char *buf, size_t len, const char *dir, const char *sub, const char *name)
{
	int n = sub ? snprintf(buf, len, "%s/%s/%s", dir, sub, name) :
		      snprintf(buf, len, "%s/%s", dir, name);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static void gen_name(char *buf, size_t len, uint32_t gen)
{
	snprintf(buf, len, "g%u", gen);
}

int rules_pins_path(char *buf, size_t len, const char *pin_dir, uint32_t gen, enum rules_map_id id)
{
	char sub[32];

	gen_name(sub, sizeof(sub), gen);
	return path_of(buf, len, pin_dir, gen ? sub : NULL, rules_map_name(id));
}

/* The generation the symlink names, or 0. */
uint32_t rules_pins_current(const char *pin_dir)
{
	char path[PATH_MAX], target[64];
	unsigned int gen;
	char extra;
	ssize_t n;

	if (path_of(path, sizeof(path), pin_dir, NULL, GEN_LINK))
		return 0;
	n = readlink(path, target, sizeof(target) - 1);
	if (n <= 0)
		return 0;
	target[n] = '\0';
	return sscanf(target, "g%u%c", &gen, &extra) == 1 ? gen : 0;
}

void rules_pins_remove(const char *pin_dir, uint32_t gen)
{
	char sub[32], path[PATH_MAX];

	gen_name(sub, sizeof(sub), gen);
	for (int i = 0; i < RULES_M_COUNT; i++) {
		if (i != RULES_M_LIMITS && !rules_pins_path(path, sizeof(path), pin_dir, gen, i))
			unlink(path);
	}
	if (!path_of(path, sizeof(path), pin_dir, NULL, sub))
		rmdir(path);
}

/* Generation directories other than keep (0: all) are leftovers of an interrupted swap. */
void rules_pins_remove_others(const char *pin_dir, uint32_t keep)
{
	DIR *d = opendir(pin_dir);
	struct dirent *de;
	uint32_t gens[64];
	size_t n = 0;
	unsigned int g;
	char extra;

	if (!d)
		return;
	while ((de = readdir(d)) && n < 64) {
		if (sscanf(de->d_name, "g%u%c", &g, &extra) == 1 && g != keep)
			gens[n++] = g;
	}
	closedir(d);
	for (size_t i = 0; i < n; i++)
		rules_pins_remove(pin_dir, gens[i]);
}

int rules_pins_add(const char *pin_dir, const int *fd, uint32_t gen)
{
	char sub[32], path[PATH_MAX];
	int err;

	gen_name(sub, sizeof(sub), gen);
	err = path_of(path, sizeof(path), pin_dir, NULL, sub);
	if (!err && mkdir(path, 0700) && errno != EEXIST)
		err = -errno;
	for (int i = 0; !err && i < RULES_M_COUNT; i++) {
		if (i == RULES_M_LIMITS)
			continue;
		err = rules_pins_path(path, sizeof(path), pin_dir, gen, i);
		if (!err && bpf_obj_pin(fd[i], path))
			err = -errno;
	}
	if (err)
		rules_pins_remove(pin_dir, gen);
	return err;
}

/* rename() over the old link: a restart sees either generation, never a mix. */
int rules_pins_link(const char *pin_dir, uint32_t gen)
{
	char sub[32], tmp[PATH_MAX], link[PATH_MAX];
	int err;

	gen_name(sub, sizeof(sub), gen);
	/* bpffs refuses names with dots. */
	err = path_of(tmp, sizeof(tmp), pin_dir, NULL, GEN_LINK "_new");
	if (!err)
		err = path_of(link, sizeof(link), pin_dir, NULL, GEN_LINK);
	if (err)
		return err;
	unlink(tmp);
	if (symlink(sub, tmp) || rename(tmp, link)) {
		err = -errno;
		unlink(tmp);
	}
	return err;
}

int rules_maps_unpin(const char *pin_dir)
{
	char path[PATH_MAX];
	int err = 0;

	rules_pins_remove_others(pin_dir, 0);
	rules_legacy_unpin(pin_dir);
	if (!path_of(path, sizeof(path), pin_dir, NULL, GEN_LINK) && unlink(path) && errno != ENOENT)
		err = -errno;
	if (!rules_pins_path(path, sizeof(path), pin_dir, 0, RULES_M_LIMITS) && unlink(path) &&
	    errno != ENOENT)
		err = -errno;
	return err;
}
