// SPDX-License-Identifier: GPL-2.0-only
/* Automatic mitigation: triggers that watch the ranked sources of every sample and, when one
 * source prefix stays over a threshold long enough, add (and keep refreshing) a rule for it
 * through a callback (the agent's: the policy, tag "auto"); an event ring for WatchEvents. */
#ifndef XDPFLEET_MITIGATE_H
#define XDPFLEET_MITIGATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cidr.h"
#include "htab.h"
#include "lockout.h"
#include "rules_spec.h"
#include "top_table.h"

#define MIT_TRIGGERS_MAX 256
#define MIT_SOURCES_MAX 1024  /* sources one trigger follows at once */
#define MIT_EVENTS_MAX 1024   /* kept for WatchEvents replays */
#define MIT_FOR_MAX 3600
#define MIT_BPS_MAX 1000000000000ull
#define MIT_DETAIL_MAX 256
#define MIT_TAG "auto"

struct mit_trigger {
	uint64_t id;
	uint64_t pps, bps;  /* thresholds; 0: not used (one is set) */
	uint8_t proto;      /* 0: any */
	uint16_t port;      /* 0: any */
	uint8_t plen4, plen6;
	enum rules_action action; /* DROP or LIMIT */
	uint64_t limit_pps;
	uint64_t ttl_seconds;
	uint32_t for_seconds;
	uint64_t created_unix;
	bool has_client;
	struct cidr client; /* who added it: never covered */
	/* What it did (not persisted). */
	uint64_t fired, refused;
	uint32_t active;
	uint64_t last_fired_unix;
	struct cidr last_src;
	double last_pps;
};

enum mit_event_kind {
	MIT_EV_TRIGGER_ADDED,
	MIT_EV_TRIGGER_DELETED,
	MIT_EV_ADDED,
	MIT_EV_REFUSED,
	MIT_EV_FAILED,
	MIT_EV_ENDED,
	MIT_EV_KINDS,
};

struct mit_event {
	uint64_t seq;
	uint64_t time_unix_ns;
	enum mit_event_kind kind;
	uint64_t trigger_id;
	bool has_src;
	struct cidr src;
	double pps, bps;
	uint64_t rule_id;
	char detail[MIT_DETAIL_MAX];
};

/* Adds or refreshes the rule for src; *rule_id its id. -errno with err. */
typedef int (*mit_add_fn)(void *ctx, const struct mit_trigger *t, const struct rules_spec *spec,
			  const char *comment, uint64_t *rule_id, char *err, size_t errlen);
/* Each event as it happens (audit log). */
typedef void (*mit_event_fn)(void *ctx, const struct mit_event *ev);

struct mitigate_opts {
	const char *state_file; /* NULL: triggers are not persisted */
	const struct lockout *lockout;
	mit_add_fn add;
	mit_event_fn on_event; /* may be NULL */
	void *ctx;
};

struct mitigate;

/* Loads the saved triggers; a damaged file gives -EBADMSG with err naming the line. */
int mitigate_open(struct mitigate **out, const struct mitigate_opts *opts, char *err, size_t errlen);
void mitigate_close(struct mitigate *m);
/* Checks t (-EINVAL, err naming the field as in the Trigger message), gives it an id and keeps it. */
int mitigate_add(struct mitigate *m, struct mit_trigger *t, char *err, size_t errlen);
/* Deletes the triggers with these ids (all or none: -ENOENT naming an unknown one), or all. */
int mitigate_delete(struct mitigate *m, const uint64_t *ids, size_t n, bool all, size_t *deleted, char *err,
		    size_t errlen);
size_t mitigate_count(const struct mitigate *m);
const struct mit_trigger *mitigate_at(const struct mitigate *m, size_t i);
/* One evaluation: srcs are the sources of the last period of every interface (a source on
 * two interfaces counts twice, summed); period_ns the newest sample's period (a source over
 * the threshold at its first evaluation has been over for that long). */
void mitigate_eval(struct mitigate *m, const struct top_source *srcs, size_t n, uint64_t now_ns,
		   uint64_t period_ns);
/* Events with seq > after, oldest first, at most max; *lost: events past after no longer kept. */
size_t mitigate_events(const struct mitigate *m, uint64_t after, struct mit_event *out, size_t max,
		       uint64_t *lost);
uint64_t mitigate_last_seq(const struct mitigate *m);
/* Events so far by kind, for metrics. */
uint64_t mitigate_event_count(const struct mitigate *m, enum mit_event_kind k);
const char *mitigate_event_name(enum mit_event_kind k);

/* mitigate_store.c: the triggers file, one line per trigger. */
int mitigate_store_save(const char *path, const struct mit_trigger *t, size_t n);
int mitigate_store_load(const char *path, struct mit_trigger *out, size_t max, size_t *n, char *err,
			size_t errlen);

#endif
