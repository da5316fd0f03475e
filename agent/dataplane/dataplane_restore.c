// SPDX-License-Identifier: GPL-2.0-only
/* Restart: adopts the attachments of an earlier run (state file) whose programs are still on
 * their interfaces, with their counters, and clears pins nobody owns any more. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "dataplane_internal.h"
#include "loader.h"
#include "log.h"
#include "attachments_file.h"

/* Ids of the maps prog_id uses; returns how many (at most max) or -errno. */
static int prog_map_ids(uint32_t prog_id, __u32 *ids, __u32 max)
{
	struct bpf_prog_info info = { 0 };
	__u32 len = sizeof(info);
	int fd = bpf_prog_get_fd_by_id(prog_id), ret;

	if (fd < 0)
		return -errno;
	info.nr_map_ids = max;
	info.map_ids = (__u64)(unsigned long)ids;
	ret = bpf_obj_get_info_by_fd(fd, &info, &len) ? -errno : (int)(info.nr_map_ids < max ? info.nr_map_ids : max);
	close(fd);
	return ret;
}

static bool is_stats_map(int fd)
{
	struct bpf_map_info info = { 0 };
	__u32 len = sizeof(info);

	return !bpf_obj_get_info_by_fd(fd, &info, &len) && !strcmp(info.name, XDPFLEET_STATS_MAP_NAME) &&
	       stats_map_compatible(fd);
}

/* The program's stats map: the pinned one if the program really uses it, else the program's own
 * map of that name and layout (the pin was lost, e.g. with its bpffs mount), pinned again. */
static int find_stats_map(struct dataplane *dp, const struct dp_attachment *att)
{
	__u32 ids[64], pinned_id = 0;
	char path[PATH_MAX];
	int n, fd;

	n = prog_map_ids(att->prog_id, ids, 64);
	if (n < 0)
		return n;
	if (!dp_stats_pin_path(dp, att->ifindex, path, sizeof(path)) && (fd = bpf_obj_get(path)) >= 0) {
		if (!loader_obj_id(fd, &pinned_id))
			for (int i = 0; i < n; i++)
				if (ids[i] == pinned_id)
					return fd;
		close(fd);
	}
	for (int i = 0; i < n; i++) {
		fd = bpf_map_get_fd_by_id(ids[i]);
		if (fd < 0)
			continue;
		if (is_stats_map(fd)) {
			dp_pin_stats(dp, att->ifindex, fd);
			return fd;
		}
		close(fd);
	}
	return -ENOENT;
}

static void adopt(struct dataplane *dp, const struct attachment_record *rec)
{
	const struct dp_attachment *att = &rec->att;
	struct dp_iface iface = { .att = *att, .stats_fd = -1 };
	struct loader_current cur;
	char name[IF_NAMESIZE];

	/* Gone while the agent was down (a reboot, someone's cleanup): kept, so the drift check
	 * attaches it again once the agent serves. */
	if (!if_indextoname(att->ifindex, name) || loader_query(att->ifindex, &cur) || cur.prog_id != att->prog_id) {
		log_warn("%s: %s is no longer attached; attaching it again once the agent serves", att->ifname,
			 att->program);
		iface.att.state = DP_STATE_LOST;
		memcpy(iface.exc_base, rec->exc_base, sizeof(iface.exc_base));
		for (int a = 0; a < DP_ACTIONS; a++)
			iface.exc_base[a] += rec->exc_seen[a];
		dp_put(dp, &iface);
		return;
	}
	memcpy(iface.att.ifname, name, sizeof(name));
	iface.att.mode = cur.mode;
	/* A new tracepoint map starts from 0: what the old one had seen becomes base. */
	for (int a = 0; a < DP_ACTIONS; a++) {
		iface.exc_base[a] = rec->exc_base[a] + (dp->exc.adopted ? 0 : rec->exc_seen[a]);
		iface.exc_seen[a] = dp->exc.adopted ? rec->exc_seen[a] : 0;
	}
	if (att->has_stats) {
		iface.stats_fd = find_stats_map(dp, att);
		if (iface.stats_fd < 0) {
			log_warn("%s: the counters of program %u are lost; it runs without", name, att->prog_id);
			iface.att.has_stats = false;
		}
	}
	if (dp_put(dp, &iface)) {
		if (iface.stats_fd >= 0)
			close(iface.stats_fd);
		return;
	}
	dp_sample_iface(dp_find(dp, att->ifindex));
	log_info("%s: found %s (id %u, %s mode) from the last run", name, att->program, att->prog_id,
		 dataplane_mode_name(cur.mode));
}

/* Pin directories "if-N" of interfaces without an attachment belong to nobody. */
static void remove_orphans(struct dataplane *dp)
{
	struct dirent *de;
	unsigned int ifindex;
	char extra;
	DIR *d = opendir(dp->pins.root);

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (sscanf(de->d_name, "if-%u%c", &ifindex, &extra) == 1 && !dp_find(dp, ifindex))
			pins_remove_dir(&dp->pins, de->d_name);
	}
	closedir(d);
}

int dp_restore(struct dataplane *dp, char *err, size_t errlen)
{
	struct attachment_record *atts;
	size_t n;
	int ret = attachments_file_load(dp->state_file, &atts, &n, err, errlen);

	if (ret)
		return ret;
	for (size_t i = 0; i < n; i++)
		adopt(dp, &atts[i]);
	free(atts);
	remove_orphans(dp);
	/* Rewrite only when something was forgotten: a read-only state dir must not stop the agent. */
	if ((dp->n_ifs != n || !dp->exc.adopted) && dp_save(dp))
		log_warn("state: %s still lists forgotten attachments", dp->state_file);
	return 0;
}
