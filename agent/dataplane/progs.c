// SPDX-License-Identifier: GPL-2.0-only
/* Opening and loading XDP programs: built-ins from the ELF bytes embedded in the agent, or
 * custom objects under --program-dir; shares the interface's stats map into each. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "bpf/xdp_filter.skel.h"
#include "rules_maps.h"
#include "capture_maps.h"
#include "bpf/xdp_simple.skel.h"
#include "progs.h"
#include "stats.h"
#include "array_size.h"

struct builtin {
	const char *name;
	const char *prog; /* function name in the object */
	const void *(*elf)(size_t *sz);
};

static const struct builtin builtins[] = {
	{ "filter", "xdp_filter", xdp_filter__elf_bytes },
	{ "pass", "xdp_pass", xdp_simple__elf_bytes },
	{ "drop", "xdp_drop", xdp_simple__elf_bytes },
	{ "abort", "xdp_abort", xdp_simple__elf_bytes },
};

static const struct builtin *find_builtin(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(builtins); i++)
		if (!strcmp(builtins[i].name, name))
			return &builtins[i];
	return NULL;
}

bool progs_is_builtin(const char *name)
{
	return name && find_builtin(name);
}

/* Collapses "//", "." and ".." without touching the file system (path is absolute). */
static void normalize(char *path)
{
	char *out = path, *in = path;

	while (*in) {
		while (*in == '/')
			in++;
		if (!*in)
			break;
		if (in[0] == '.' && (in[1] == '/' || !in[1])) {
			in++;
		} else if (in[0] == '.' && in[1] == '.' && (in[2] == '/' || !in[2])) {
			in += 2;
			while (out > path && *--out != '/')
				;
		} else {
			*out++ = '/';
			while (*in && *in != '/')
				*out++ = *in++;
		}
	}
	if (out == path)
		*out++ = '/';
	*out = '\0';
}

static bool inside(const char *dir, const char *path)
{
	size_t dlen = strlen(dir);

	if (!strcmp(dir, "/"))
		return true;
	return !strncmp(path, dir, dlen) && (path[dlen] == '/' || !path[dlen]);
}

int progs_resolve(const char *dir, const char *path, char *out, size_t len, char *err, size_t errlen)
{
	char rdir[PATH_MAX], joined[PATH_MAX * 2], rpath[PATH_MAX];

	if (!dir || !*dir) {
		snprintf(err, errlen, "object: this agent has no --program-dir, so it loads built-in programs only");
		return -EPERM;
	}
	if (!path || !*path) {
		snprintf(err, errlen, "object.path: empty");
		return -EINVAL;
	}
	if (!realpath(dir, rdir)) {
		snprintf(err, errlen, "object: --program-dir '%s': %s", dir, strerror(errno));
		return -EPERM;
	}
	snprintf(joined, sizeof(joined), "%s%s%s", path[0] == '/' ? "" : rdir, path[0] == '/' ? "" : "/", path);
	normalize(joined);
	/* Checked before realpath too, so that paths outside never say whether a file exists there. */
	if (!inside(rdir, joined) || !realpath(joined, rpath)) {
		int ret = inside(rdir, joined) ? -errno : -EINVAL;

		if (ret == -EINVAL)
			snprintf(err, errlen, "object.path: '%s' is outside the agent's --program-dir '%s'", path, rdir);
		else
			snprintf(err, errlen, "object.path: '%s': %s", path, strerror(-ret));
		return ret == -ENOENT ? -ENOENT : -EINVAL;
	}
	/* And after realpath, so that symlinks cannot escape either. */
	if (!inside(rdir, rpath) || !strcmp(rpath, rdir)) {
		snprintf(err, errlen, "object.path: '%s' is outside the agent's --program-dir '%s'", path, rdir);
		return -EINVAL;
	}
	if (strlen(rpath) >= len)
		return -ENAMETOOLONG;
	strcpy(out, rpath);
	return 0;
}

/* The program to attach: by function name, else by section name, else the first XDP one. */
static struct bpf_program *select_prog(struct bpf_object *obj, const char *name)
{
	struct bpf_program *prog;

	if (name && *name) {
		prog = bpf_object__find_program_by_name(obj, name);
		if (prog)
			return prog;
		bpf_object__for_each_program(prog, obj)
			if (!strcmp(bpf_program__section_name(prog), name))
				return prog;
		return NULL;
	}
	bpf_object__for_each_program(prog, obj)
		if (bpf_program__type(prog) == BPF_PROG_TYPE_XDP)
			return prog;
	return NULL;
}

/* Shares stats_fd when the object's xdp_stats_map has our layout; other maps stay private. */
static int share_stats(struct bpf_object *obj, int stats_fd, bool *shared, char *err, size_t errlen)
{
	struct bpf_map *map = bpf_object__find_map_by_name(obj, XDPFLEET_STATS_MAP_NAME);
	int ret;

	*shared = false;
	if (!map || stats_fd < 0)
		return 0;
	if (bpf_map__type(map) != BPF_MAP_TYPE_PERCPU_ARRAY || bpf_map__key_size(map) != sizeof(__u32) ||
	    bpf_map__value_size(map) != sizeof(struct datarec) || bpf_map__max_entries(map) != XDP_ACTION_MAX)
		return 0;
	ret = bpf_map__reuse_fd(map, stats_fd);
	if (ret) {
		snprintf(err, errlen, "cannot share the stats map: %s", strerror(-ret));
		return ret;
	}
	*shared = true;
	return 0;
}

static int open_object(const struct progs_spec *spec, struct progs_loaded *out, const char **prog_name,
		       char *err, size_t errlen)
{
	char path[PATH_MAX];
	int ret;

	if (spec->builtin) {
		const struct builtin *b = find_builtin(spec->builtin);
		const void *bytes;
		size_t sz;

		if (!b) {
			snprintf(err, errlen, "builtin: no built-in program '%s' (filter, pass, drop, abort)",
				 spec->builtin);
			return -EINVAL;
		}
		bytes = b->elf(&sz);
		out->obj = bpf_object__open_mem(bytes, sz, NULL);
		*prog_name = b->prog;
		snprintf(out->program, sizeof(out->program), "%s", b->name);
	} else {
		ret = progs_resolve(spec->program_dir, spec->object_path, path, sizeof(path), err, errlen);
		if (ret)
			return ret;
		out->obj = bpf_object__open_file(path, NULL);
		*prog_name = spec->prog_name;
		snprintf(out->program, sizeof(out->program), "%s:", path);
	}
	if (!out->obj) {
		ret = -errno;
		snprintf(err, errlen, "%s: cannot open the BPF object: %s",
			 spec->builtin ? "builtin" : "object.path", strerror(-ret));
		return ret == -ENOENT ? -ENOENT : -EINVAL;
	}
	return 0;
}

int progs_load(const struct progs_spec *spec, struct progs_loaded *out, char *err, size_t errlen)
{
	struct bpf_program *prog, *p;
	const char *prog_name = NULL;
	int ret;

	memset(out, 0, sizeof(*out));
	out->prog_fd = -1;
	ret = open_object(spec, out, &prog_name, err, errlen);
	if (ret)
		return ret;
	prog = select_prog(out->obj, prog_name);
	if (!prog || bpf_program__type(prog) != BPF_PROG_TYPE_XDP) {
		snprintf(err, errlen, "object.program_name: %s '%s' in %s",
			 prog ? "not an XDP program:" : "no XDP program",
			 prog_name && *prog_name ? prog_name : "(first)", out->program);
		ret = -ENOENT;
		goto out;
	}
	/* Load only the program attached: a built-in object holds several. */
	bpf_object__for_each_program(p, out->obj)
		bpf_program__set_autoload(p, p == prog);
	if (!spec->builtin) {
		size_t len = strlen(out->program);

		snprintf(out->program + len, sizeof(out->program) - len, "%s", bpf_program__name(prog));
	}
	ret = share_stats(out->obj, spec->stats_fd, &out->has_stats, err, errlen);
	if (ret)
		goto out;
	/* Built-ins only: a custom object's maps of the same names are its own business. */
	if (spec->builtin && spec->rules) {
		ret = rules_maps_use_in_obj(spec->rules, out->obj);
		if (ret) {
			snprintf(err, errlen, "cannot share the rule maps: %s", strerror(-ret));
			goto out;
		}
	}
	if (spec->builtin && spec->capture) {
		ret = capture_maps_use_in_obj(spec->capture, out->obj);
		if (ret) {
			snprintf(err, errlen, "cannot share the capture maps: %s", strerror(-ret));
			goto out;
		}
	}
	ret = bpf_object__load(out->obj);
	if (ret) {
		snprintf(err, errlen, "%s: the kernel refused to load %s: %s (the agent log has the verifier's words)",
			 spec->builtin ? "builtin" : "object", out->program, strerror(-ret));
		ret = -EINVAL;
		goto out;
	}
	out->prog_fd = bpf_program__fd(prog);
out:
	if (ret)
		progs_unload(out);
	return ret;
}

void progs_unload(struct progs_loaded *loaded)
{
	bpf_object__close(loaded->obj);
	loaded->obj = NULL;
	loaded->prog_fd = -1;
}
