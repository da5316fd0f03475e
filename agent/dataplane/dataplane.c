// SPDX-License-Identifier: GPL-2.0-only
/* The data plane's lifetime and bookkeeping: open (bpffs, exceptions, restore), close, the
 * attachment records, features. Attach/detach and stats live in dataplane_{attach,stats}.c. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

#include "dataplane_internal.h"
#include "feature_probes.h"
#include "fs.h"
#include "log.h"
#include "attachments_file.h"

const char *dataplane_mode_name(enum dp_mode mode)
{
	switch (mode) {
	case DP_MODE_AUTO: return "auto";
	case DP_MODE_NATIVE: return "native";
	case DP_MODE_SKB: return "skb";
	case DP_MODE_HW: return "hw";
	}
	return "?";
}

const char *dataplane_state_name(enum dp_state state)
{
	switch (state) {
	case DP_STATE_OK: return "ok";
	case DP_STATE_LOST: return "lost";
	case DP_STATE_MISSING: return "missing";
	}
	return "?";
}

bool dataplane_enforces_rules(struct dataplane *dp)
{
	bool yes = false;

	dp_lock(dp);
	for (size_t i = 0; i < dp->n_ifs && !yes; i++)
		yes = dp->ifs[i].att.state == DP_STATE_OK && !strcmp(dp->ifs[i].att.program, "filter");
	dp_unlock(dp);
	return yes;
}

void dp_lock(const struct dataplane *dp)
{
	pthread_mutex_lock((pthread_mutex_t *)&dp->lock);
}

void dp_unlock(const struct dataplane *dp)
{
	pthread_mutex_unlock((pthread_mutex_t *)&dp->lock);
}

/* libbpf and libxdp talk through process-wide callbacks: route them to the agent log, with
 * libbpf warnings kept (verifier output) and the rest at debug level. */
static void vlog_lib(int prio, const char *fmt, va_list ap)
{
	char buf[1024];
	size_t len;

	vsnprintf(buf, sizeof(buf), fmt, ap);
	len = strlen(buf);
	if (len && buf[len - 1] == '\n')
		buf[len - 1] = '\0';
	log_msg(prio, "%s", buf);
}

static int libbpf_log(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	vlog_lib(level == LIBBPF_WARN ? LOG_WARNING : LOG_DEBUG, fmt, ap);
	return 0;
}

static int libxdp_log(enum libxdp_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	vlog_lib(LOG_DEBUG, fmt, ap);
	return 0;
}

struct dp_iface *dp_find(struct dataplane *dp, unsigned int ifindex)
{
	for (size_t i = 0; i < dp->n_ifs; i++)
		if (dp->ifs[i].att.ifindex == ifindex)
			return &dp->ifs[i];
	return NULL;
}

struct dp_iface *dp_find_name(struct dataplane *dp, const char *ifname)
{
	for (size_t i = 0; i < dp->n_ifs; i++)
		if (!strcmp(dp->ifs[i].att.ifname, ifname))
			return &dp->ifs[i];
	return NULL;
}

int dp_put(struct dataplane *dp, const struct dp_iface *iface)
{
	struct dp_iface *slot = dp_find(dp, iface->att.ifindex), *grown;

	if (!slot) {
		grown = realloc(dp->ifs, (dp->n_ifs + 1) * sizeof(*dp->ifs));
		if (!grown)
			return -ENOMEM;
		dp->ifs = grown;
		slot = &dp->ifs[dp->n_ifs++];
		slot->stats_fd = -1;
	}
	if (slot->stats_fd >= 0 && slot->stats_fd != iface->stats_fd)
		close(slot->stats_fd);
	*slot = *iface;
	return 0;
}

void dp_if_dir(unsigned int ifindex, char *buf, size_t len)
{
	snprintf(buf, len, "if-%u", ifindex);
}

int dp_stats_pin_path(struct dataplane *dp, unsigned int ifindex, char *buf, size_t len)
{
	char rel[64];

	snprintf(rel, sizeof(rel), "if-%u/" XDPFLEET_STATS_MAP_NAME, ifindex);
	return pins_path(&dp->pins, rel, buf, len);
}

int dp_pin_stats(struct dataplane *dp, unsigned int ifindex, int stats_fd)
{
	char dir[32], path[PATH_MAX];
	int ret;

	dp_if_dir(ifindex, dir, sizeof(dir));
	ret = pins_mkdir(&dp->pins, dir);
	if (!ret)
		ret = dp_stats_pin_path(dp, ifindex, path, sizeof(path));
	if (ret)
		return ret;
	unlink(path);
	return bpf_obj_pin(stats_fd, path) ? -errno : 0;
}

void dp_drop(struct dataplane *dp, struct dp_iface *iface)
{
	char dir[32];
	size_t i = iface - dp->ifs;

	dp_if_dir(iface->att.ifindex, dir, sizeof(dir));
	pins_remove_dir(&dp->pins, dir);
	exceptions_forget(&dp->exc, iface->att.prog_id);
	if (iface->stats_fd >= 0)
		close(iface->stats_fd);
	memmove(&dp->ifs[i], &dp->ifs[i + 1], (dp->n_ifs - i - 1) * sizeof(*dp->ifs));
	dp->n_ifs--;
}

static void to_state(const struct dp_iface *iface, struct attachment_record *r)
{
	r->att = iface->att;
	memcpy(r->exc_base, iface->exc_base, sizeof(r->exc_base));
	memcpy(r->exc_seen, iface->exc_seen, sizeof(r->exc_seen));
}

int dp_save_with(struct dataplane *dp, const struct dp_iface *iface)
{
	struct attachment_record *recs = calloc(dp->n_ifs + 1, sizeof(*recs));
	size_t n = 0;
	bool placed = false;
	int ret;

	if (!recs)
		return -ENOMEM;
	for (size_t i = 0; i < dp->n_ifs; i++) {
		placed |= iface && dp->ifs[i].att.ifindex == iface->att.ifindex;
		to_state(iface && dp->ifs[i].att.ifindex == iface->att.ifindex ? iface : &dp->ifs[i], &recs[n++]);
	}
	if (iface && !placed)
		to_state(iface, &recs[n++]);
	ret = attachments_file_save(dp->state_file, recs, n);
	free(recs);
	if (ret)
		log_err("state: cannot write %s: %s", dp->state_file, strerror(-ret));
	else
		dp->saved_ns = stats_now_ns();
	return ret;
}

bool dp_read_exceptions(struct dataplane *dp, struct dp_iface *iface, uint64_t out[DP_ACTIONS])
{
	uint64_t now[DP_ACTIONS];
	bool changed;

	if (exceptions_read(&dp->exc, iface->att.prog_id, now))
		memcpy(now, iface->exc_seen, sizeof(now));
	changed = memcmp(now, iface->exc_seen, sizeof(now)) != 0;
	memcpy(iface->exc_seen, now, sizeof(now));
	for (int a = 0; out && a < DP_ACTIONS; a++)
		out[a] = iface->exc_base[a] + now[a];
	return changed;
}

int dp_save(struct dataplane *dp)
{
	return dp_save_with(dp, NULL);
}

static int copy_opts(struct dataplane *dp, const struct dataplane_opts *opts)
{
	dp->bpffs = strdup(opts->bpffs ? opts->bpffs : "/sys/fs/bpf");
	dp->state_dir = strdup(opts->state_dir ? opts->state_dir : "/var/lib/xdpfleet");
	dp->program_dir = opts->program_dir ? strdup(opts->program_dir) : NULL;
	dp->no_reattach = opts->no_reattach;
	if (!dp->bpffs || !dp->state_dir || (opts->program_dir && !dp->program_dir))
		return -ENOMEM;
	return 0;
}

/* A second agent on the same pins or state would fight the first over both: refuse it, before
 * it has touched anything. */
static int lock_out_others(struct dataplane *dp, char *err, size_t errlen)
{
	char path[PATH_MAX];
	long holder;
	int ret;

	ret = fs_lock(dp->pins.root, &dp->lock_fd[0], &holder);
	if (ret) {
		snprintf(err, errlen, "bpffs: %s: %s", dp->pins.root,
			 ret == -EWOULDBLOCK ? "another xdpfleetd of this network namespace uses these pins; stop it "
					      "first (or give this one another --bpffs)"
					    : strerror(-ret));
		return ret;
	}
	if ((size_t)snprintf(path, sizeof(path), "%s/%s.lock", dp->state_dir, dp->pins.key) >= sizeof(path))
		return -ENAMETOOLONG;
	ret = fs_mkdir_p(dp->state_dir, 0700);
	if (!ret)
		ret = fs_lock(path, &dp->lock_fd[1], &holder);
	if (ret == -EWOULDBLOCK)
		snprintf(err, errlen, "state-dir: %s: another xdpfleetd (pid %ld) of this network namespace keeps its "
			 "state here; stop it first (or give this one another --state-dir)", dp->state_dir, holder);
	else if (ret)
		snprintf(err, errlen, "state-dir: %s: %s", path, strerror(-ret));
	return ret;
}

int dataplane_open(struct dataplane **out, const struct dataplane_opts *opts, char *err, size_t errlen)
{
	struct dataplane *dp = calloc(1, sizeof(*dp));
	char exc_err[DP_ERR_MAX] = "";
	int ret;

	*out = NULL;
	if (!dp)
		return -ENOMEM;
	dp->exc.map_fd = dp->exc.link_fd = -1;
	dp->lock_fd[0] = dp->lock_fd[1] = -1;
	pthread_mutex_init(&dp->lock, NULL);
	libbpf_set_print(libbpf_log);
	libxdp_set_print(libxdp_log);
	ret = copy_opts(dp, opts);
	if (ret)
		goto out;
	ret = pins_open(&dp->pins, dp->bpffs, err, errlen);
	if (!ret)
		ret = lock_out_others(dp, err, errlen);
	if (ret)
		goto out;
	ret = attachments_file_path(dp->state_dir, dp->pins.key, dp->state_file, sizeof(dp->state_file));
	if (ret) {
		snprintf(err, errlen, "state-dir: path '%s' is too long", dp->state_dir);
		goto out;
	}
	features_probe(&dp->features);
	/* Counters without exception counts are still worth serving: warn, do not fail. */
	if (exceptions_open(&dp->exc, &dp->pins, exc_err, sizeof(exc_err)))
		log_warn("%s; exception counts stay 0", exc_err);
	dp->features.tracepoints = dp->exc.map_fd >= 0;
	ret = dp_restore(dp, err, errlen);
out:
	if (ret) {
		dataplane_close(dp);
		return ret;
	}
	dp->restored = true;
	*out = dp;
	return 0;
}

void dataplane_close(struct dataplane *dp)
{
	if (!dp)
		return;
	/* Latest exception totals for the next run, in case the tracepoint pins do not survive. */
	if (dp->restored) {
		for (size_t i = 0; i < dp->n_ifs; i++)
			dp_read_exceptions(dp, &dp->ifs[i], NULL);
		dp_save(dp);
	}
	for (size_t i = 0; i < dp->n_ifs; i++)
		if (dp->ifs[i].stats_fd >= 0)
			close(dp->ifs[i].stats_fd);
	free(dp->ifs);
	exceptions_close(&dp->exc);
	for (int i = 0; i < 2; i++)
		if (dp->lock_fd[i] >= 0)
			close(dp->lock_fd[i]);
	pthread_mutex_destroy(&dp->lock);
	free(dp->bpffs);
	free(dp->state_dir);
	free(dp->program_dir);
	free(dp);
}

void dataplane_get_features(const struct dataplane *dp, struct dp_features *features)
{
	*features = dp->features;
}

size_t dataplane_n_attachments(const struct dataplane *dp)
{
	size_t n;

	dp_lock(dp);
	n = dp->n_ifs;
	dp_unlock(dp);
	return n;
}

int dataplane_list(struct dataplane *dp, struct dp_attachment **out, size_t *n)
{
	int ret = 0;

	dp_lock(dp);
	*out = NULL;
	*n = dp->n_ifs;
	if (dp->n_ifs) {
		*out = calloc(dp->n_ifs, sizeof(**out));
		if (!*out) {
			*n = 0;
			ret = -ENOMEM;
			goto out;
		}
	}
	for (size_t i = 0; i < dp->n_ifs; i++)
		(*out)[i] = dp->ifs[i].att;
out:
	dp_unlock(dp);
	return ret;
}

int dataplane_pin_path(const struct dataplane *dp, const char *rel, char *buf, size_t len)
{
	return pins_path(&dp->pins, rel, buf, len);
}

int dataplane_state_path(const struct dataplane *dp, const char *name, char *buf, size_t len)
{
	if ((size_t)snprintf(buf, len, "%s/%s-%s", dp->state_dir, name, dp->pins.key) >= len)
		return -ENAMETOOLONG;
	return 0;
}
