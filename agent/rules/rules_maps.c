/* Map creation mirrors the declarations in bpf/rules.bpf.h; the agent owns the sizes so one
 * binary can run small on a test VM and with millions of rules on an edge box. */
#include "rules_maps.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "xdpfleet_abi.h"

struct map_def {
	const char *name;
	enum bpf_map_type type;
	uint32_t key_size, value_size, flags;
};

static const struct map_def defs[RULES_M_COUNT] = {
	[RULES_M_V4_L1] = { RULES_MAP_V4_L1, BPF_MAP_TYPE_ARRAY, 4, 4, BPF_F_MMAPABLE },
	[RULES_M_V4_L2] = { RULES_MAP_V4_L2, BPF_MAP_TYPE_HASH, 4, 4, BPF_F_NO_PREALLOC },
	[RULES_M_V6] = { RULES_MAP_V6, BPF_MAP_TYPE_HASH, sizeof(struct rules_v6_key), 4,
			 BPF_F_NO_PREALLOC },
	[RULES_M_ENTRIES] = { RULES_MAP_ENTRIES, BPF_MAP_TYPE_ARRAY, 4,
			      sizeof(struct rules_entry), BPF_F_MMAPABLE },
	[RULES_M_INFO] = { RULES_MAP_INFO, BPF_MAP_TYPE_ARRAY, 4, sizeof(struct rules_info),
			   BPF_F_MMAPABLE },
	[RULES_M_COUNTERS] = { RULES_MAP_COUNTERS, BPF_MAP_TYPE_PERCPU_ARRAY, 4,
			       sizeof(struct rules_counter), 0 },
	[RULES_M_LIMITS] = { RULES_MAP_LIMITS, BPF_MAP_TYPE_LRU_HASH,
			     sizeof(struct rules_limit_key), sizeof(struct rules_bucket), 0 },
};

const char *rules_map_name(enum rules_map_id id)
{
	return defs[id].name;
}

static uint32_t or_default(uint32_t v, uint32_t def)
{
	return v ? v : def;
}

static void sizes(const struct rules_maps_opts *o, uint32_t max[RULES_M_COUNT])
{
	uint32_t rules = or_default(o->max_rules, 1u << 20);

	max[RULES_M_V4_L1] = 1u << 24;
	max[RULES_M_V4_L2] = or_default(o->max_v4_long, 1u << 21);
	max[RULES_M_V6] = or_default(o->max_v6_blocks, 1u << 21);
	max[RULES_M_ENTRIES] = or_default(o->max_entries, rules + RULES_ENTRY_FIRST_FREE + 13);
	max[RULES_M_INFO] = rules;
	max[RULES_M_COUNTERS] = rules;
	max[RULES_M_LIMITS] = or_default(o->max_limit_keys, 1u << 16);
}

/* A pinned map is reused only if it has exactly the layout this build expects. */
static int check_pinned(int fd, const struct map_def *d)
{
	struct bpf_map_info info = { 0 };
	uint32_t len = sizeof(info);
	int err = bpf_obj_get_info_by_fd(fd, &info, &len);

	if (err)
		return err;
	if (info.type != d->type || info.key_size != d->key_size ||
	    info.value_size != d->value_size || (info.map_flags & d->flags) != d->flags)
		return -EBADF;
	return (int)info.max_entries;
}

static int open_one(const struct rules_maps_opts *o, enum rules_map_id id, uint32_t max,
		    int *fd_out, bool *reused)
{
	const struct map_def *d = &defs[id];
	LIBBPF_OPTS(bpf_map_create_opts, copts, .map_flags = d->flags);
	char path[PATH_MAX];
	int fd, err;

	if (o->pin_dir) {
		snprintf(path, sizeof(path), "%s/%s", o->pin_dir, d->name);
		fd = bpf_obj_get(path);
		if (fd >= 0) {
			err = check_pinned(fd, d);
			if (err < 0) {
				close(fd);
				return err;
			}
			*fd_out = fd;
			*reused = true;
			return 0;
		}
	}
	fd = bpf_map_create(d->type, d->name, d->key_size, d->value_size, max, &copts);
	if (fd < 0)
		return -errno;
	if (o->pin_dir && bpf_obj_pin(fd, path)) {
		err = -errno;
		close(fd);
		return err;
	}
	*fd_out = fd;
	return 0;
}

/* Arrays store elements 8-byte aligned; the mapping covers all of them. */
static int map_array(struct rules_maps *m, enum rules_map_id id)
{
	struct bpf_map_info info = { 0 };
	uint32_t len = sizeof(info);
	long page = sysconf(_SC_PAGESIZE);
	int err = bpf_obj_get_info_by_fd(m->fd[id], &info, &len);
	void *p;

	if (err)
		return err;
	m->stride[id] = (info.value_size + 7) & ~(size_t)7;
	m->mm_len[id] = ((size_t)info.max_entries * m->stride[id] + (size_t)page - 1) &
			~((size_t)page - 1);
	p = mmap(NULL, m->mm_len[id], PROT_READ | PROT_WRITE, MAP_SHARED, m->fd[id], 0);
	if (p == MAP_FAILED)
		return -errno;
	m->mm[id] = p;
	return 0;
}

int rules_maps_open(const struct rules_maps_opts *opts, struct rules_maps *out)
{
	uint32_t max[RULES_M_COUNT];
	bool reused[RULES_M_COUNT] = { 0 };
	int err = 0;

	sizes(opts, max);
	memset(out, 0, sizeof(*out));
	for (int i = 0; i < RULES_M_COUNT; i++)
		out->fd[i] = -1;
	for (int i = 0; i < RULES_M_COUNT; i++) {
		err = open_one(opts, i, max[i], &out->fd[i], &reused[i]);
		if (!err && (defs[i].flags & BPF_F_MMAPABLE))
			err = map_array(out, i);
		if (err)
			goto out;
	}
	out->reused = reused[RULES_M_ENTRIES];
	/* Pinned sizes win over the options: the live rules were compiled against them. */
	out->max_rules = max[RULES_M_INFO];
	out->max_entries = max[RULES_M_ENTRIES];
	if (out->reused) {
		struct bpf_map_info info = { 0 };
		uint32_t len = sizeof(info);

		if (!bpf_obj_get_info_by_fd(out->fd[RULES_M_INFO], &info, &len))
			out->max_rules = info.max_entries;
		len = sizeof(info);
		if (!bpf_obj_get_info_by_fd(out->fd[RULES_M_ENTRIES], &info, &len))
			out->max_entries = info.max_entries;
	}
out:
	if (err)
		rules_maps_close(out);
	return err;
}

void rules_maps_close(struct rules_maps *m)
{
	for (int i = 0; i < RULES_M_COUNT; i++) {
		if (m->mm[i])
			munmap(m->mm[i], m->mm_len[i]);
		m->mm[i] = NULL;
		if (m->fd[i] >= 0)
			close(m->fd[i]);
		m->fd[i] = -1;
	}
}

int rules_maps_use_in_obj(const struct rules_maps *m, struct bpf_object *obj)
{
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

int rules_maps_unpin(const char *pin_dir)
{
	char path[PATH_MAX];
	int err = 0;

	for (int i = 0; i < RULES_M_COUNT; i++) {
		snprintf(path, sizeof(path), "%s/%s", pin_dir, defs[i].name);
		if (unlink(path) && errno != ENOENT)
			err = -errno;
	}
	return err;
}
