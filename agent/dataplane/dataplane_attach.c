// SPDX-License-Identifier: GPL-2.0-only
/* Attach and Detach: validating the request, deciding whether a replacement is allowed, and
 * keeping records, pins and the kernel in step (undoing the kernel change when recording fails). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "dataplane_internal.h"
#include "loader.h"
#include "log.h"
#include "progs.h"

static int validate(const struct dp_attach_req *req, char *err, size_t errlen)
{
	if (!req->ifname || !*req->ifname) {
		snprintf(err, errlen, "ifname: empty");
		return -EINVAL;
	}
	if (strlen(req->ifname) >= IF_NAMESIZE) {
		snprintf(err, errlen, "ifname: '%s' is longer than %d characters", req->ifname, IF_NAMESIZE - 1);
		return -EINVAL;
	}
	if ((req->builtin && *req->builtin) == (req->object_path && *req->object_path)) {
		snprintf(err, errlen, "program: give exactly one of builtin and object");
		return -EINVAL;
	}
	if (req->mode > DP_MODE_HW) {
		snprintf(err, errlen, "mode: unknown mode %d", (int)req->mode);
		return -EINVAL;
	}
	return 0;
}

static int resolve_ifindex(const char *ifname, unsigned int *ifindex, char *err, size_t errlen)
{
	*ifindex = if_nametoindex(ifname);
	if (!*ifindex) {
		snprintf(err, errlen, "ifname: no interface '%s'", ifname);
		return -ENODEV;
	}
	return 0;
}

/* The interface's counters: kept across program replacements, so they continue. */
static int stats_fd_for(struct dataplane *dp, unsigned int ifindex, bool *created)
{
	struct dp_iface *iface = dp_find(dp, ifindex);
	char path[PATH_MAX];
	int fd;

	*created = false;
	if (iface && iface->stats_fd >= 0)
		return dup(iface->stats_fd);
	if (!dp_stats_pin_path(dp, ifindex, path, sizeof(path))) {
		fd = bpf_obj_get(path);
		if (fd >= 0 && stats_map_compatible(fd))
			return fd;
		if (fd >= 0)
			close(fd);
	}
	*created = true;
	return stats_map_create();
}

static int put_back(unsigned int ifindex, const struct loader_current *old, uint32_t new_id, enum dp_mode used)
{
	struct loader_current now = { .prog_id = new_id, .mode = used };
	char err[DP_ERR_MAX];
	enum dp_mode mode;
	int old_fd, ret;

	if (!old->prog_id)
		return loader_detach(ifindex, &now, err, sizeof(err));
	old_fd = bpf_prog_get_fd_by_id(old->prog_id);
	if (old_fd < 0)
		return -errno;
	ret = loader_attach(ifindex, old_fd, old->mode, &now, &mode, err, sizeof(err));
	close(old_fd);
	return ret;
}

int dp_attach_locked(struct dataplane *dp, const struct dp_attach_req *req, struct dp_attachment *out,
		     char *replaced, size_t replaced_len, char *err, size_t errlen)
{
	struct progs_spec spec = { .builtin = req->builtin && *req->builtin ? req->builtin : NULL,
				   .object_path = req->object_path, .prog_name = req->prog_name,
				   .program_dir = dp->program_dir, .rules = dp->rules,
				   .capture = dp->capture };
	struct progs_loaded loaded = { .prog_fd = -1 };
	struct dp_iface *ours, iface = { .stats_fd = -1 };
	struct loader_current cur;
	unsigned int ifindex;
	enum dp_mode used;
	bool created = false;
	uint32_t ours_id;
	int ret;

	ret = resolve_ifindex(req->ifname, &ifindex, err, errlen);
	if (ret)
		return ret;
	ret = loader_query(ifindex, &cur);
	if (ret) {
		snprintf(err, errlen, "ifname: cannot query XDP on '%s': %s", req->ifname, strerror(-ret));
		return ret;
	}
	loader_describe(ifindex, &cur, replaced, replaced_len);
	ours = dp_find(dp, ifindex);
	ours_id = ours ? ours->att.prog_id : 0;
	if (cur.prog_id && (!ours || ours->att.prog_id != cur.prog_id) && !req->force) {
		snprintf(err, errlen, "ifname: '%s' runs XDP program %s that this agent did not attach; "
			 "set force to replace it", req->ifname, replaced);
		return -EBUSY;
	}
	spec.stats_fd = stats_fd_for(dp, ifindex, &created);
	if (spec.stats_fd < 0) {
		ret = spec.stats_fd;
		snprintf(err, errlen, "cannot create the stats map: %s", strerror(-ret));
		return ret;
	}
	iface.stats_fd = spec.stats_fd;
	ret = progs_load(&spec, &loaded, err, errlen);
	if (ret)
		goto out;
	ret = loader_attach(ifindex, loaded.prog_fd, req->mode, &cur, &used, err, errlen);
	if (ret)
		goto out;
	iface.att = (struct dp_attachment){ .ifindex = ifindex, .mode = used, .has_stats = loaded.has_stats,
					    .attached_at_unix = (uint64_t)time(NULL) };
	snprintf(iface.att.ifname, sizeof(iface.att.ifname), "%s", req->ifname);
	snprintf(iface.att.program, sizeof(iface.att.program), "%s", loaded.program);
	loader_obj_id(loaded.prog_fd, &iface.att.prog_id);
	if (ours) {
		uint64_t total[DP_ACTIONS];

		/* The interface's counters go on: samples stay valid (same map), and the old program's
		 * exceptions move into the base. */
		if (ours->stats_fd >= 0) {
			memcpy(iface.samples, ours->samples, sizeof(iface.samples));
			iface.n_samples = ours->n_samples;
		}
		dp_read_exceptions(dp, ours, total);
		memcpy(iface.exc_base, total, sizeof(total));
	}
	/* Without the pin, counters still survive a restart through the program's own map ids. */
	if (created && (ret = dp_pin_stats(dp, ifindex, iface.stats_fd)))
		log_warn("%s: cannot pin the stats map: %s", req->ifname, strerror(-ret));
	/* Record first, then commit in memory: a failure leaves the old record and program. */
	ret = dp_save_with(dp, &iface);
	if (!ret)
		ret = dp_put(dp, &iface);
	if (ret) {
		snprintf(err, errlen, "state-dir: cannot record the attachment, undone: %s", strerror(-ret));
		put_back(ifindex, &cur, iface.att.prog_id, used);
		dp_save(dp);
		goto out;
	}
	iface.stats_fd = -1; /* owned by the record now */
	if (cur.prog_id)
		exceptions_forget(&dp->exc, cur.prog_id);
	if (ours_id && ours_id != cur.prog_id)
		exceptions_forget(&dp->exc, ours_id);
	dp_sample_iface(dp_find(dp, ifindex));
	*out = dp_find(dp, ifindex)->att;
	log_info("attached %s to %s (%s mode, id %u)%s%s", out->program, out->ifname, dataplane_mode_name(used),
		 out->prog_id, replaced[0] ? ", replacing " : "", replaced);
out:
	progs_unload(&loaded);
	if (iface.stats_fd >= 0)
		close(iface.stats_fd);
	return ret;
}

int dataplane_attach(struct dataplane *dp, const struct dp_attach_req *req, struct dp_attachment *out,
		     char *replaced, size_t replaced_len, char *err, size_t errlen)
{
	int ret = validate(req, err, errlen);

	replaced[0] = '\0';
	if (ret)
		return ret;
	dp_lock(dp);
	ret = dp_attach_locked(dp, req, out, replaced, replaced_len, err, errlen);
	dp_unlock(dp);
	if (ret)
		replaced[0] = '\0';
	return ret;
}

static int detach_locked(struct dataplane *dp, const char *ifname, bool force, struct dp_attachment *out,
			 char *err, size_t errlen)
{
	char found[DP_ERR_MAX];
	struct loader_current cur;
	struct dp_iface *ours = dp_find_name(dp, ifname);
	unsigned int ifindex;
	int ret;

	/* What the agent keeps but cannot find in place: detaching means forgetting it, and
	 * leaving alone whatever others attached meanwhile. */
	if (ours && ours->att.state != DP_STATE_OK && !force) {
		*out = ours->att;
		dp_drop(dp, ours);
		dp_save(dp);
		log_info("%s: no longer kept (%s)", ifname, out->last_event);
		return 0;
	}
	ret = resolve_ifindex(ifname, &ifindex, err, errlen);
	if (ret)
		return ret;
	ret = loader_query(ifindex, &cur);
	if (ret) {
		snprintf(err, errlen, "ifname: cannot query XDP on '%s': %s", ifname, strerror(-ret));
		return ret;
	}
	ours = dp_find(dp, ifindex);
	if (!cur.prog_id) {
		if (ours) {
			dp_drop(dp, ours);
			dp_save(dp);
		}
		snprintf(err, errlen, "ifname: no XDP program is attached to '%s'", ifname);
		return -ENOENT;
	}
	loader_describe(ifindex, &cur, found, sizeof(found));
	if ((!ours || ours->att.prog_id != cur.prog_id) && !force) {
		snprintf(err, errlen, "ifname: '%s' runs XDP program %s that this agent did not attach; "
			 "set force to detach it", ifname, found);
		return -EBUSY;
	}
	ret = loader_detach(ifindex, &cur, err, errlen);
	if (ret)
		return ret;
	if (ours && ours->att.prog_id == cur.prog_id) {
		*out = ours->att;
	} else {
		*out = (struct dp_attachment){ .ifindex = ifindex, .mode = cur.mode, .prog_id = cur.prog_id };
		snprintf(out->ifname, sizeof(out->ifname), "%s", ifname);
		snprintf(out->program, sizeof(out->program), "%s", found);
	}
	if (ours) {
		dp_drop(dp, ours);
		ret = dp_save(dp);
		if (ret)
			log_warn("%s: detached, but the state file still lists it; the next start forgets it", ifname);
	}
	exceptions_forget(&dp->exc, cur.prog_id);
	log_info("detached %s from %s", found, ifname);
	return 0;
}

int dataplane_detach(struct dataplane *dp, const char *ifname, bool force, struct dp_attachment *out,
		     char *err, size_t errlen)
{
	int ret;

	if (!ifname || !*ifname) {
		snprintf(err, errlen, "ifname: empty");
		return -EINVAL;
	}
	dp_lock(dp);
	ret = detach_locked(dp, ifname, force, out, err, errlen);
	dp_unlock(dp);
	return ret;
}

void dataplane_set_rules(struct dataplane *dp, const struct rules_maps *maps)
{
	dp_lock(dp);
	dp->rules = maps;
	dp_unlock(dp);
}

void dataplane_set_capture(struct dataplane *dp, const struct capture_maps *maps)
{
	dp_lock(dp);
	dp->capture = maps;
	dp_unlock(dp);
}

int dataplane_reload_builtin(struct dataplane *dp, const char *name)
{
	char replaced[DP_ERR_MAX], err[DP_ERR_MAX];
	struct dp_attachment out;
	int ret = 0, r;

	dp_lock(dp);
	for (size_t i = 0; i < dp->n_ifs; i++) {
		struct dp_attachment att = dp->ifs[i].att;
		struct dp_attach_req req = { .ifname = att.ifname, .builtin = name, .mode = att.mode };

		if (strcmp(att.program, name))
			continue;
		r = dp_attach_locked(dp, &req, &out, replaced, sizeof(replaced), err, sizeof(err));
		if (r) {
			log_err("%s: cannot reload %s: %s", att.ifname, name, err);
			ret = ret ?: r;
		} else {
			log_info("%s: %s reloaded (%s)", att.ifname, name, replaced);
		}
	}
	dp_unlock(dp);
	return ret;
}
