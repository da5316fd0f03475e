// SPDX-License-Identifier: GPL-2.0-only
/* Drift: what others change under the agent. A program removed or replaced behind its back,
 * an interface deleted and created again: noticed at the next check (every 250 ms), reported
 * in the attachment's state and last event and in the log, and attached again (unless the
 * agent runs with --no-reattach). */
#include <errno.h>
#include <stdarg.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "dataplane_internal.h"
#include "loader.h"
#include "log.h"

/* Events are short by design: a long program path is cut, never the sentence's sense. */
static void __attribute__((format(printf, 3, 4))) event_printf(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

static void note(struct dp_iface *iface, enum dp_state state, const char *event)
{
	bool news = strcmp(iface->att.last_event, event) || iface->att.state != state;

	iface->att.state = state;
	if (!news)
		return;
	snprintf(iface->att.last_event, sizeof(iface->att.last_event), "%s", event);
	iface->att.last_event_unix = (uint64_t)time(NULL);
	if (state == DP_STATE_OK)
		log_info("%s: %s", iface->att.ifname, event);
	else
		log_warn("%s: %s", iface->att.ifname, event);
}

/* "filter", or "PATH:PROGRAM" split back into the object and the program it names. */
static void request_for(const struct dp_attachment *att, struct dp_attach_req *req, char *path, size_t len)
{
	const char *colon = strrchr(att->program, ':');

	*req = (struct dp_attach_req){ .ifname = att->ifname, .mode = att->mode, .force = true };
	if (att->program[0] != '/' || !colon) {
		req->builtin = att->program;
		return;
	}
	snprintf(path, len, "%.*s", (int)(colon - att->program), att->program);
	req->object_path = path;
	req->prog_name = colon + 1;
}

/* Attaches att's program again (on the interface that now has its name). */
static void reattach(struct dataplane *dp, size_t i, const char *why)
{
	struct dp_attachment was = dp->ifs[i].att, now;
	char path[DP_PROGRAM_MAX], replaced[DP_ERR_MAX], err[DP_ERR_MAX], event[DP_EVENT_MAX];
	struct dp_attach_req req;
	unsigned int ifindex = if_nametoindex(was.ifname);
	struct dp_iface *iface;
	int ret;

	request_for(&was, &req, path, sizeof(path));
	ret = dp_attach_locked(dp, &req, &now, replaced, sizeof(replaced), err, sizeof(err));
	if (ret) {
		iface = dp_find(dp, was.ifindex);
		event_printf(event, sizeof(event), "%s; attaching %s again failed: %s", why, was.program, err);
		if (iface)
			note(iface, DP_STATE_LOST, event);
		return;
	}
	/* A recreated interface has a new index: the old record goes, its pins with it. */
	if (ifindex != was.ifindex && (iface = dp_find(dp, was.ifindex)))
		dp_drop(dp, iface);
	iface = dp_find(dp, now.ifindex);
	event_printf(event, sizeof(event), "%s; attached %s again (id %u)", why, was.program, now.prog_id);
	note(iface, DP_STATE_OK, event);
	dp_save(dp);
}

void dataplane_check_drift(void *arg)
{
	struct dataplane *dp = arg;

	dp_lock(dp);
	for (size_t i = 0; i < dp->n_ifs; i++) {
		struct dp_iface *iface = &dp->ifs[i];
		unsigned int ifindex = if_nametoindex(iface->att.ifname);
		struct loader_current cur;
		char why[DP_EVENT_MAX], desc[DP_EVENT_MAX];

		if (!ifindex) {
			note(iface, DP_STATE_MISSING, "the interface is gone; its program is attached again when it returns");
			continue;
		}
		if (ifindex != iface->att.ifindex) {
			snprintf(why, sizeof(why), "the interface was deleted and created again (index %u, was %u)", ifindex,
				 iface->att.ifindex);
		} else {
			if (loader_query(ifindex, &cur))
				continue; /* cannot tell now: look again next time */
			if (cur.prog_id == iface->att.prog_id) {
				if (iface->att.state != DP_STATE_OK)
					note(iface, DP_STATE_OK, "attached again by someone else");
				continue;
			}
			if (cur.prog_id) {
				loader_describe(ifindex, &cur, desc, sizeof(desc));
				event_printf(why, sizeof(why), "program %u was replaced by %s behind the agent's back",
					     iface->att.prog_id, desc);
			} else {
				snprintf(why, sizeof(why), "program %u was removed behind the agent's back", iface->att.prog_id);
			}
		}
		if (dp->no_reattach) {
			event_printf(desc, sizeof(desc), "%s; left so (--no-reattach)", why);
			note(iface, DP_STATE_LOST, desc);
			continue;
		}
		/* dp->ifs may move: nothing of it is used after this */
		reattach(dp, i, why);
	}
	dp_unlock(dp);
}
