/* SPDX-License-Identifier: GPL-2.0-only */
/* Loading XDP programs for attachment: the embedded built-ins or a custom object below
 * --program-dir, with the interface's stats map shared into them. */
#ifndef XDPFLEET_PROGS_H
#define XDPFLEET_PROGS_H

#include <stdbool.h>
#include <stddef.h>

#include "dataplane.h"

struct bpf_object;
struct rules_maps;
struct capture_maps;

struct progs_spec {
	const char *builtin;     /* "filter", "pass", "drop", "abort"; or NULL with object_path */
	const char *object_path;
	const char *prog_name;   /* NULL or "": the first XDP program of the object */
	const char *program_dir; /* custom objects must resolve inside it */
	int stats_fd;            /* shared into the object's xdp_stats_map when it fits */
	const struct rules_maps *rules; /* shared into the rule engine's maps the object declares */
	const struct capture_maps *capture; /* likewise the capture maps (built-ins only) */
};

struct progs_loaded {
	struct bpf_object *obj;
	int prog_fd;                  /* owned by obj */
	bool has_stats;               /* the program counts into stats_fd */
	char program[DP_PROGRAM_MAX]; /* "filter" or "PATH:PROGRAM" */
};

/* Whether name is one of the built-in programs. */
bool progs_is_builtin(const char *name);
/* realpath of path (relative to dir, or absolute) that must lie inside dir. */
int progs_resolve(const char *dir, const char *path, char *out, size_t len, char *err, size_t errlen);
int progs_load(const struct progs_spec *spec, struct progs_loaded *out, char *err, size_t errlen);
void progs_unload(struct progs_loaded *loaded);

#endif
