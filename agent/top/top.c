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
	/* The latest TOP_HISTORY periods, hist[(head - 1) % TOP_HISTORY] newest: views over longer
	 * windows sum them (senders that burst, e.g. once a second, average out). */
	struct top_if_view hist[TOP_HISTORY];
	size_t head, n_hist;
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
	for (size_t i = 0; i < TOP_HISTORY; i++)
		free(f->hist[i].src);
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
	struct top_if_view *v;
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
	v = &f->hist[f->head];
	free(v->src);
	memset(v, 0, sizeof(*v));
	memcpy(v->ifname, f->ifname, sizeof(v->ifname));
	v->ifindex = f->ifindex;
	v->ts_unix_ns = now_ns(CLOCK_REALTIME);
	v->period = f->prev_ns ? (double)(ts - f->prev_ns) / 1e9 : 0.0;
	top_rates(acc.srcs.v, acc.srcs.n, v->period);
	top_rank(acc.srcs.v, acc.srcs.n);
	v->src = acc.srcs.v;
	v->n = v->active = acc.srcs.n;
	vec_init(&acc.srcs, sizeof(struct top_source));
	f->head = (f->head + 1) % TOP_HISTORY;
	if (f->n_hist < TOP_HISTORY)
		f->n_hist++;
	/* Older periods only feed the views of long intervals: their heaviest sources will do. */
	if (f->n_hist >= 3) {
		struct top_if_view *old = &f->hist[(f->head + TOP_HISTORY - 3) % TOP_HISTORY];

		if (old->n > TOP_KEEP_OLD) {
			struct top_source *shrunk = realloc(old->src, TOP_KEEP_OLD * sizeof(*shrunk));

			old->src = shrunk ? shrunk : old->src;
			old->n = TOP_KEEP_OLD;
		}
	}
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

/* The newest periods of f summing to window_ms (at least the newest), merged into out. */
static int window_view(const struct top_iface *f, unsigned int window_ms, size_t limit, struct top_if_view *out)
{
	const struct top_if_view *newest = &f->hist[(f->head + TOP_HISTORY - 1) % TOP_HISTORY];
	double period = 0;
	struct top_acc acc;
	int ret;

	memset(out, 0, sizeof(*out));
	snprintf(out->ifname, sizeof(out->ifname), "%s", f->ifname);
	out->ifindex = f->ifindex;
	if (!f->n_hist)
		return 0;
	out->ts_unix_ns = newest->ts_unix_ns;
	ret = top_acc_init(&acc);
	if (ret)
		return ret;
	for (size_t k = 0; k < f->n_hist; k++) {
		const struct top_if_view *v = &f->hist[(f->head + TOP_HISTORY - 1 - k) % TOP_HISTORY];

		/* Periods are ~TOP_SAMPLE_MS: stop at the one that fills the window. */
		if (k && period * 1000.0 + TOP_SAMPLE_MS / 2.0 > window_ms)
			break;
		for (size_t i = 0; i < v->n && !ret; i++)
			ret = top_acc_add(&acc, &v->src[i].src, &v->src[i]);
		period += v->period;
	}
	if (!ret) {
		struct top_source *s = acc.srcs.v;

		top_rates(s, acc.srcs.n, period);
		top_rank(s, acc.srcs.n);
		out->period = period;
		out->active = acc.srcs.n;
		out->n = acc.srcs.n < limit ? acc.srcs.n : limit;
		if (out->n) {
			out->src = malloc(out->n * sizeof(*s));
			if (out->src)
				memcpy(out->src, s, out->n * sizeof(*s));
			else
				ret = -ENOMEM;
		}
	}
	top_acc_free(&acc);
	return ret;
}

int top_views(const struct top *t, const char *ifname, size_t limit, unsigned int window_ms,
	      struct top_if_view **out, size_t *n)
{
	struct top_if_view *v = calloc(t->n_ifs ? t->n_ifs : 1, sizeof(*v));
	size_t k = 0;
	int ret;

	*out = NULL;
	*n = 0;
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < t->n_ifs; i++) {
		if (ifname && *ifname && strcmp(ifname, t->ifs[i].ifname))
			continue;
		ret = window_view(&t->ifs[i], window_ms, limit, &v[k]);
		if (ret) {
			top_views_free(v, k + 1);
			return ret;
		}
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
