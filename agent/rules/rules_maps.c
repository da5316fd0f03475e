// SPDX-License-Identifier: GPL-2.0-only
/* Map creation mirrors the declarations in bpf/rules.bpf.h (rules_maps_check_obj() holds every
 * object loaded to them, and a unit test the built ones). The hot maps start small and are
 * replaced by copies of another size as the rules change (rules_maps_replace()); the pins are
 * rules_pins.c's. */
#define _GNU_SOURCE
#include "rules_engine.h"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "xdpfleet_abi.h"

struct rules_maps_hook {
	rules_maps_reload_fn fn;
	void *arg;
};

struct map_def {
	const char *name;
	enum bpf_map_type type;
	uint32_t key_size, value_size, flags, min_cap;
};

static const struct map_def defs[RULES_M_COUNT] = {
	[RULES_M_BNODES] = { RULES_MAP_BNODES, BPF_MAP_TYPE_ARRAY, 4, sizeof(struct rules_bnode),
			     BPF_F_MMAPABLE, RULES_BNODE_FIRST_FREE + 64 },
	[RULES_M_CNODES] = { RULES_MAP_CNODES, BPF_MAP_TYPE_ARRAY, 4, sizeof(struct rules_cnode),
			     BPF_F_MMAPABLE, 256 },
	[RULES_M_LISTS] = { RULES_MAP_LISTS, BPF_MAP_TYPE_ARRAY, 4, sizeof(struct rules_list),
			    BPF_F_MMAPABLE, 256 },
	[RULES_M_INFO] = { RULES_MAP_INFO, BPF_MAP_TYPE_ARRAY, 4, sizeof(struct rules_info),
			   BPF_F_MMAPABLE, 256 },
	[RULES_M_COUNTERS] = { RULES_MAP_COUNTERS, BPF_MAP_TYPE_ARRAY, 4,
			       sizeof(struct rules_counter), BPF_F_MMAPABLE, 256 },
	[RULES_M_LIMITS] = { RULES_MAP_LIMITS, BPF_MAP_TYPE_LRU_HASH, sizeof(struct rules_limit_key),
			     sizeof(struct rules_bucket), 0, 0 },
};

const char *rules_map_name(enum rules_map_id id)
{
	return defs[id].name;
}

uint32_t rules_maps_min_cap(enum rules_map_id id)
{
	return defs[id].min_cap;
}

size_t rules_maps_stride(enum rules_map_id id)
{
	return (defs[id].value_size + 7) & ~(size_t)7;
}

/* Counters hold one region of cap slots per CPU. */
uint64_t rules_maps_entries(enum rules_map_id id, uint32_t cap)
{
	int ncpus = libbpf_num_possible_cpus();

	return id == RULES_M_COUNTERS ? (uint64_t)cap * (uint64_t)(ncpus > 0 ? ncpus : 1) : cap;
}

int rules_maps_create(enum rules_map_id id, uint32_t cap, int *fd_out)
{
	const struct map_def *d = &defs[id];
	LIBBPF_OPTS(bpf_map_create_opts, copts, .map_flags = d->flags);
	uint64_t n = rules_maps_entries(id, cap);
	int fd;

	if (n > UINT32_MAX)
		return -E2BIG;
	fd = bpf_map_create(d->type, d->name, d->key_size, d->value_size, (uint32_t)n, &copts);

	if (fd < 0)
		return -errno;
	*fd_out = fd;
	return 0;
}

/* A map is reused only if it has exactly the layout this build expects; returns its size. */
static int check_layout(int fd, enum rules_map_id id, uint32_t *cap)
{
	const struct map_def *d = &defs[id];
	struct bpf_map_info info = { 0 };
	uint32_t len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	if (info.type != d->type || info.key_size != d->key_size ||
	    info.value_size != d->value_size || (info.map_flags & d->flags) != d->flags)
		return -EBADF;
	*cap = info.max_entries;
	if (id == RULES_M_COUNTERS) {
		uint32_t per = (uint32_t)(rules_maps_entries(id, 1));

		if (info.max_entries % per)
			return -EBADF;
		*cap = info.max_entries / per;
	}
	return 0;
}

static int open_limits(const struct rules_maps_opts *o, struct rules_maps *m)
{
	uint32_t want = o->max_limit_keys ? o->max_limit_keys : 1u << 16, cap;
	char path[PATH_MAX];
	int fd, err;

	if (m->pin_dir) {
		err = rules_pins_path(path, sizeof(path), m->pin_dir, 0, RULES_M_LIMITS);
		if (err)
			return err;
		fd = bpf_obj_get(path);
		if (fd >= 0 && !check_layout(fd, RULES_M_LIMITS, &cap) && cap == want) {
			m->fd[RULES_M_LIMITS] = fd;
			m->cap[RULES_M_LIMITS] = cap;
			return 0;
		}
		/* Another size or layout: buckets only hold budgets, starting afresh is harmless. */
		if (fd >= 0)
			close(fd);
		unlink(path);
	}
	err = rules_maps_create(RULES_M_LIMITS, want, &m->fd[RULES_M_LIMITS]);
	m->cap[RULES_M_LIMITS] = want;
	if (!err && m->pin_dir && bpf_obj_pin(m->fd[RULES_M_LIMITS], path))
		err = -errno;
	return err;
}

/* The maps of the generation the symlink names, if all are there with this layout. */
static bool open_gen(struct rules_maps *m, uint32_t gen)
{
	char path[PATH_MAX];

	for (int i = 0; i < RULES_M_COUNT; i++) {
		if (i == RULES_M_LIMITS)
			continue;
		if (rules_pins_path(path, sizeof(path), m->pin_dir, gen, i) ||
		    (m->fd[i] = bpf_obj_get(path)) < 0 || check_layout(m->fd[i], i, &m->cap[i]) ||
		    m->cap[i] < defs[i].min_cap)
			goto fail;
	}
	m->gen = gen;
	return true;
fail:
	for (int i = 0; i < RULES_M_COUNT; i++) {
		if (i != RULES_M_LIMITS && m->fd[i] >= 0) {
			close(m->fd[i]);
			m->fd[i] = -1;
		}
	}
	return false;
}

static int create_fresh(struct rules_maps *m, int counters_fd, uint32_t counters_cap)
{
	int err = 0;

	for (int i = 0; !err && i < RULES_M_COUNT; i++) {
		if (i == RULES_M_LIMITS)
			continue;
		if (i == RULES_M_COUNTERS && counters_fd >= 0) {
			m->fd[i] = counters_fd;
			m->cap[i] = counters_cap;
			continue;
		}
		m->cap[i] = defs[i].min_cap;
		err = rules_maps_create(i, m->cap[i], &m->fd[i]);
	}
	if (counters_fd >= 0 && m->fd[RULES_M_COUNTERS] != counters_fd)
		close(counters_fd);
	if (!err && m->pin_dir) {
		m->gen = rules_pins_current(m->pin_dir) + 1;
		err = rules_pins_add(m->pin_dir, m->fd, m->gen);
		if (!err && (err = rules_pins_link(m->pin_dir, m->gen)))
			rules_pins_remove(m->pin_dir, m->gen);
	}
	return err;
}

static void set_limits(const struct rules_maps_opts *o, struct rules_maps *m)
{
	uint64_t nodes;

	m->max_rules = o->max_rules ? o->max_rules : 1u << 20;
	m->whole_map_max = o->whole_map_max ? o->whole_map_max : 4u << 20;
	if (m->max_rules > RULES_SLOTS_MAX)
		m->max_rules = RULES_SLOTS_MAX;
	m->max_entries = o->max_entries ? o->max_entries : m->max_rules + 16;
	if (m->max_entries > RULES_W_IDX_MASK)
		m->max_entries = RULES_W_IDX_MASK;
	nodes = o->max_nodes ? o->max_nodes : 4 * (uint64_t)m->max_rules + 1024;
	m->max_nodes = nodes > RULES_W_BNODE_MASK ? RULES_W_BNODE_MASK : (uint32_t)nodes;
}

int rules_maps_open(const struct rules_maps_opts *opts, struct rules_maps *out)
{
	int counters_fd = -1, err = -ENOMEM;
	uint32_t counters_cap = 0, gen;

	memset(out, 0, sizeof(*out));
	for (int i = 0; i < RULES_M_COUNT; i++)
		out->fd[i] = -1;
	set_limits(opts, out);
	out->hook = calloc(1, sizeof(*out->hook));
	if (!out->hook || (opts->pin_dir && !(out->pin_dir = strdup(opts->pin_dir))))
		goto out;
	err = open_limits(opts, out);
	if (err)
		goto out;
	gen = out->pin_dir ? rules_pins_current(out->pin_dir) : 0;
	out->reused = gen && open_gen(out, gen);
	if (!out->reused && out->pin_dir && rules_legacy_present(out->pin_dir)) {
		err = rules_legacy_counters(out->pin_dir, &counters_fd, &counters_cap);
		if (err)
			goto out;
		out->migrated = true;
	}
	if (!out->reused)
		err = create_fresh(out, counters_fd, counters_cap);
	if (!err && out->pin_dir) {
		rules_pins_remove_others(out->pin_dir, out->gen);
		/* Only now: until the new set is pinned, a restart must still find the old one. */
		rules_legacy_unpin(out->pin_dir);
	}
out:
	if (err)
		rules_maps_close(out);
	return err;
}

void rules_maps_close(struct rules_maps *m)
{
	for (int i = 0; i < RULES_M_COUNT; i++) {
		if (m->fd[i] >= 0)
			close(m->fd[i]);
		m->fd[i] = -1;
	}
	free(m->pin_dir);
	m->pin_dir = NULL;
	free(m->hook);
	m->hook = NULL;
}

/* The program's constant rules_cpu_stride, if it has one, in its .rodata before load. */
static int set_stride(struct bpf_object *obj, uint32_t stride)
{
	struct btf *btf = bpf_object__btf(obj);
	const struct btf_var_secinfo *vs;
	const struct btf_type *sec;
	struct bpf_map *map;
	int id;

	if (!btf || (id = btf__find_by_name_kind(btf, ".rodata", BTF_KIND_DATASEC)) < 0)
		return 0;
	sec = btf__type_by_id(btf, id);
	vs = btf_var_secinfos(sec);
	for (int i = 0; i < btf_vlen(sec); i++, vs++) {
		const struct btf_type *var = btf__type_by_id(btf, vs->type);
		size_t size;
		char *data;

		if (strcmp(btf__name_by_offset(btf, var->name_off), RULES_CPU_STRIDE_VAR) ||
		    vs->size != sizeof(stride))
			continue;
		bpf_object__for_each_map(map, obj) {
			const char *name = bpf_map__name(map);
			size_t len = strlen(name);

			if (!bpf_map__is_internal(map) || len < 7 || strcmp(name + len - 7, ".rodata"))
				continue;
			data = (char *)bpf_map__initial_value(map, &size);
			if (!data || vs->offset + sizeof(stride) > size)
				return -EINVAL;
			memcpy(data + vs->offset, &stride, sizeof(stride));
			return 0;
		}
	}
	return 0;
}

int rules_maps_check_obj(const struct bpf_object *obj, char *err, size_t errlen)
{
	for (int i = 0; i < RULES_M_COUNT; i++) {
		const struct map_def *d = &defs[i];
		const struct bpf_map *map = bpf_object__find_map_by_name(obj, d->name);

		if (!map)
			continue;
		if (bpf_map__type(map) != d->type || bpf_map__key_size(map) != d->key_size ||
		    bpf_map__value_size(map) != d->value_size || (bpf_map__map_flags(map) & d->flags) != d->flags) {
			snprintf(err, errlen, "%s: the BPF object declares type %d, key %u, value %u, flags %#x; "
				 "user space creates type %d, key %u, value %u, flags %#x",
				 d->name, bpf_map__type(map), bpf_map__key_size(map), bpf_map__value_size(map),
				 bpf_map__map_flags(map), d->type, d->key_size, d->value_size, d->flags);
			return -EPROTO;
		}
	}
	return 0;
}

int rules_maps_use_in_obj(const struct rules_maps *m, struct bpf_object *obj)
{
	char why[256];
	int err = rules_maps_check_obj(obj, why, sizeof(why));

	if (err) {
		log_err("rules: %s", why);
		return err;
	}
	err = set_stride(obj, m->cap[RULES_M_COUNTERS]);
	if (err)
		return err;
	for (int i = 0; i < RULES_M_COUNT; i++) {
		struct bpf_map *map = bpf_object__find_map_by_name(obj, defs[i].name);
		int err;

		if (!map)
			continue;
		err = bpf_map__reuse_fd(map, m->fd[i]);
		if (err)
			return err;
	}
	return 0;
}

void rules_maps_on_replace(const struct rules_maps *m, rules_maps_reload_fn fn, void *arg)
{
	if (m->hook) {
		m->hook->fn = fn;
		m->hook->arg = arg;
	}
}

static int reload(const struct rules_maps *m)
{
	return m->hook && m->hook->fn ? m->hook->fn(m->hook->arg) : 0;
}

int rules_maps_replace(struct rules_maps *m, const int *nfd, const uint32_t *ncap, int *old_fd)
{
	int merged[RULES_M_COUNT];
	uint32_t gen = m->gen + 1, old_cap[RULES_M_COUNT];
	int err = 0;

	for (int i = 0; i < RULES_M_COUNT; i++)
		merged[i] = nfd[i] >= 0 ? nfd[i] : m->fd[i];
	/* Pinned before the programs switch, linked after: a restart in between finds the old
	 * set, and the agent gives its filters whatever set it opened. */
	if (m->pin_dir)
		err = rules_pins_add(m->pin_dir, merged, gen);
	if (err)
		return err;
	for (int i = 0; i < RULES_M_COUNT; i++) {
		old_fd[i] = -1;
		old_cap[i] = m->cap[i];
		if (nfd[i] >= 0) {
			old_fd[i] = m->fd[i];
			m->fd[i] = nfd[i];
			m->cap[i] = ncap[i];
		}
	}
	err = reload(m);
	if (err) {
		for (int i = 0; i < RULES_M_COUNT; i++) {
			if (old_fd[i] >= 0) {
				m->fd[i] = old_fd[i];
				m->cap[i] = old_cap[i];
				old_fd[i] = -1;
			}
		}
		reload(m);
		if (m->pin_dir)
			rules_pins_remove(m->pin_dir, gen);
		return err;
	}
	if (m->pin_dir) {
		/* The programs already run on the new maps. If the link cannot move, the pins keep
		 * naming the old set: a restart restores the rules from the agent's state file into
		 * it, prunes, and gives the filters that set. */
		if (!rules_pins_link(m->pin_dir, gen)) {
			rules_pins_remove(m->pin_dir, m->gen);
			m->gen = gen;
		} else {
			rules_pins_remove(m->pin_dir, gen);
		}
	}
	return 0;
}
