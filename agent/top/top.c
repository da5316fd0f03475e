// SPDX-License-Identifier: GPL-2.0-only
/* The agent's top talkers sampler (see top.h): finds each filter program's table by the
 * program's map ids (no pins: a reloaded program brings a fresh table), reads all CPUs, and
 * turns the change since the previous read into ranked sources. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "dataplane.h"
#include "log.h"
#include "rules_clock.h"
#include "top.h"

struct top_iface {
	char ifname[IF_NAMESIZE];
	unsigned int ifindex;
	uint32_t prog_id;
	int map_fd, cfg_fd;
	struct top_entry *prev; /* ncpus * TOP_SETS * TOP_WAYS, NULL: no read yet */
	uint64_t prev_ns;
	struct top_if_view view;
	bool seen; /* in the current sample */
};

struct top {
	struct top_opts opts;
	int ncpus;
	uint64_t window_jiffies;
	struct top_set *buf; /* one set per CPU */
	struct top_entry *cur;
	struct top_iface *ifs;
	size_t n_ifs;
};

static uint64_t now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

size_t top_table_bytes(void)
{
	int ncpus = libbpf_num_possible_cpus();

	return (size_t)(ncpus > 0 ? ncpus : 1) * TOP_SETS * sizeof(struct top_set);
}

int top_open(struct top **out, const struct top_opts *opts)
{
	struct top *t = calloc(1, sizeof(*t));
	struct rules_clock clk;
	size_t entries;

	*out = NULL;
	if (!t)
		return -ENOMEM;
	t->opts = *opts;
	t->ncpus = libbpf_num_possible_cpus();
	if (t->ncpus <= 0) {
		free(t);
		return -EINVAL;
	}
	/* Entries compete within one-second windows: the kernel's HZ makes jiffies seconds. */
	t->window_jiffies = rules_clock_init(&clk) == 0 && clk.tick_ns ? 1000000000ull / clk.tick_ns
									: TOP_WINDOW_JIFFIES_DEFAULT;
	entries = (size_t)t->ncpus * TOP_SETS * TOP_WAYS;
	t->buf = calloc((size_t)t->ncpus, sizeof(*t->buf));
	t->cur = calloc(entries, sizeof(*t->cur));
	if (!t->buf || !t->cur) {
		top_close(t);
		return -ENOMEM;
	}
	*out = t;
	return 0;
}

static void iface_free(struct top_iface *f)
{
	if (f->map_fd >= 0)
		close(f->map_fd);
	if (f->cfg_fd >= 0)
		close(f->cfg_fd);
	free(f->prev);
	free(f->view.src);
}

void top_close(struct top *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n_ifs; i++)
		iface_free(&t->ifs[i]);
	free(t->ifs);
	free(t->buf);
	free(t->cur);
	free(t);
}

/* The program's maps named TOP_MAP_NAME and TOP_CONFIG_MAP_NAME. */
static int find_maps(uint32_t prog_id, int *map_fd, int *cfg_fd)
{
	struct bpf_prog_info info = { 0 };
	__u32 len = sizeof(info), ids[64], n;
	int prog_fd = bpf_prog_get_fd_by_id(prog_id), ret = -ENOENT;

	*map_fd = *cfg_fd = -1;
	if (prog_fd < 0)
		return -errno;
	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len)) {
		ret = -errno;
		goto out;
	}
	n = info.nr_map_ids < 64 ? info.nr_map_ids : 64;
	memset(&info, 0, sizeof(info));
	info.nr_map_ids = n;
	info.map_ids = (__u64)(unsigned long)ids;
	len = sizeof(info);
	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len)) {
		ret = -errno;
		goto out;
	}
	for (__u32 i = 0; i < n; i++) {
		struct bpf_map_info mi = { 0 };
		__u32 mlen = sizeof(mi);
		int fd = bpf_map_get_fd_by_id(ids[i]);

		if (fd < 0)
			continue;
		if (!bpf_obj_get_info_by_fd(fd, &mi, &mlen) && !strcmp(mi.name, TOP_MAP_NAME) && *map_fd < 0 &&
		    mi.value_size == sizeof(struct top_set) && mi.max_entries == TOP_SETS) {
			*map_fd = fd;
			continue;
		}
		if (!strcmp(mi.name, TOP_CONFIG_MAP_NAME) && *cfg_fd < 0 &&
		    mi.value_size == sizeof(struct top_config)) {
			*cfg_fd = fd;
			continue;
		}
		close(fd);
	}
	ret = *map_fd >= 0 ? 0 : -ENOENT;
out:
	close(prog_fd);
	return ret;
}

static void write_config(const struct top *t, int cfg_fd)
{
	struct top_config cfg = {
		.v4_plen = t->opts.v4_plen,
		.v6_plen = t->opts.v6_plen,
		.window_jiffies = t->window_jiffies,
	};
	__u32 zero = 0;

	if (cfg_fd >= 0 && bpf_map_update_elem(cfg_fd, &zero, &cfg, BPF_ANY))
		log_warn("top: cannot configure a top talkers table: %s", strerror(errno));
}

static int read_table(struct top *t, int fd)
{
	for (__u32 s = 0; s < TOP_SETS; s++) {
		if (bpf_map_lookup_elem(fd, &s, t->buf))
			return -errno;
		for (int c = 0; c < t->ncpus; c++)
			memcpy(&t->cur[((size_t)c * TOP_SETS + s) * TOP_WAYS], t->buf[c].e, sizeof(t->buf[c].e));
	}
	return 0;
}

/* The change since the previous read, summed per source, ranked. */
static int build_view(struct top *t, struct top_iface *f, uint64_t ts)
{
	size_t entries = (size_t)t->ncpus * TOP_SETS * TOP_WAYS;
	struct top_acc acc;
	int ret = top_acc_init(&acc);

	if (ret)
		return ret;
	for (size_t i = 0; i < entries; i++) {
		struct top_entry d;

		if (top_entry_delta(f->prev ? &f->prev[i] : NULL, &t->cur[i], &d) &&
		    (ret = top_acc_add_entry(&acc, &d)))
			goto out;
	}
	free(f->view.src);
	f->view.period = f->prev_ns ? (double)(ts - f->prev_ns) / 1e9 : 0.0;
	top_rates(acc.srcs.v, acc.srcs.n, f->view.period);
	top_rank(acc.srcs.v, acc.srcs.n);
	f->view.src = acc.srcs.v;
	f->view.n = f->view.active = acc.srcs.n;
	vec_init(&acc.srcs, sizeof(struct top_source));
out:
	top_acc_free(&acc);
	return ret;
}

static struct top_iface *iface_for(struct top *t, const struct dp_attachment *att)
{
	struct top_iface *grown, *f;

	for (size_t i = 0; i < t->n_ifs; i++)
		if (t->ifs[i].ifindex == att->ifindex)
			return &t->ifs[i];
	grown = realloc(t->ifs, (t->n_ifs + 1) * sizeof(*grown));
	if (!grown)
		return NULL;
	t->ifs = grown;
	f = &t->ifs[t->n_ifs++];
	memset(f, 0, sizeof(*f));
	f->map_fd = f->cfg_fd = -1;
	f->ifindex = att->ifindex;
	return f;
}

static int sample_one(struct top *t, const struct dp_attachment *att)
{
	size_t entries = (size_t)t->ncpus * TOP_SETS * TOP_WAYS;
	struct top_iface *f = iface_for(t, att);
	uint64_t ts;
	int ret;

	if (!f)
		return -ENOMEM;
	f->seen = true;
	snprintf(f->ifname, sizeof(f->ifname), "%s", att->ifname);
	snprintf(f->view.ifname, sizeof(f->view.ifname), "%s", att->ifname);
	f->view.ifindex = att->ifindex;
	if (f->prog_id != att->prog_id || f->map_fd < 0) {
		bool known = f->prog_id != 0;

		if (f->map_fd >= 0)
			close(f->map_fd);
		if (f->cfg_fd >= 0)
			close(f->cfg_fd);
		ret = find_maps(att->prog_id, &f->map_fd, &f->cfg_fd);
		if (ret)
			return ret;
		f->prog_id = att->prog_id;
		write_config(t, f->cfg_fd);
		/* A program replaced under a known interface (a reload) starts from an empty table,
		 * so all it counted is new; one found at start counted since who knows when. */
		if (known && f->prev)
			memset(f->prev, 0, entries * sizeof(*f->prev));
		else {
			free(f->prev);
			f->prev = NULL;
			f->prev_ns = 0;
		}
	}
	ts = now_ns(CLOCK_MONOTONIC);
	ret = read_table(t, f->map_fd);
	if (ret)
		return ret;
	if (f->prev) {
		ret = build_view(t, f, ts);
		if (ret)
			return ret;
		f->view.ts_unix_ns = now_ns(CLOCK_REALTIME);
	} else {
		f->prev = malloc(entries * sizeof(*f->prev));
		if (!f->prev)
			return -ENOMEM;
	}
	memcpy(f->prev, t->cur, entries * sizeof(*f->prev));
	f->prev_ns = ts;
	return 0;
}

int top_sample(struct top *t, struct dataplane *dp)
{
	struct dp_attachment *atts = NULL;
	size_t n = 0, kept = 0;
	int ret = dataplane_list(dp, &atts, &n), first = 0;

	if (ret)
		return ret;
	for (size_t i = 0; i < t->n_ifs; i++)
		t->ifs[i].seen = false;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(atts[i].program, "filter") || !atts[i].prog_id || atts[i].state != DP_STATE_OK)
			continue;
		ret = sample_one(t, &atts[i]);
		if (ret && !first)
			first = ret;
	}
	for (size_t i = 0; i < t->n_ifs; i++) {
		if (t->ifs[i].seen)
			t->ifs[kept++] = t->ifs[i];
		else
			iface_free(&t->ifs[i]);
	}
	t->n_ifs = kept;
	free(atts);
	return first;
}

int top_views(const struct top *t, const char *ifname, size_t limit, struct top_if_view **out, size_t *n)
{
	struct top_if_view *v = calloc(t->n_ifs ? t->n_ifs : 1, sizeof(*v));
	size_t k = 0;

	*out = NULL;
	*n = 0;
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < t->n_ifs; i++) {
		const struct top_if_view *s = &t->ifs[i].view;
		size_t m = s->n < limit ? s->n : limit;

		if (ifname && *ifname && strcmp(ifname, s->ifname))
			continue;
		v[k] = *s;
		v[k].n = m;
		v[k].src = m ? malloc(m * sizeof(*s->src)) : NULL;
		if (m && !v[k].src) {
			top_views_free(v, k);
			return -ENOMEM;
		}
		if (m)
			memcpy(v[k].src, s->src, m * sizeof(*s->src));
		k++;
	}
	*out = v;
	*n = k;
	return 0;
}

void top_views_free(struct top_if_view *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i].src);
	free(v);
}
