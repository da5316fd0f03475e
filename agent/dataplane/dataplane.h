/* SPDX-License-Identifier: GPL-2.0-only */
/* The agent's XDP data plane: programs, attachments, pins and counters. One instance per agent;
 * calls are serialised by an internal lock, so handlers and the sampling timer may share it. */
#ifndef XDPFLEET_DATAPLANE_H
#define XDPFLEET_DATAPLANE_H

#include <limits.h>
#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>


#define DP_ACTIONS 5 /* XDP_ABORTED..XDP_REDIRECT, the proto's XdpAction order */
#define DP_PROGRAM_MAX (PATH_MAX + 64)
#define DP_ERR_MAX 512

struct dataplane;

struct dataplane_opts {
	const char *bpffs;
	const char *state_dir;
	const char *program_dir; /* NULL: custom objects are refused */
	bool no_reattach;        /* report programs removed behind the agent's back, but leave them */
};

enum dp_mode {
	DP_MODE_AUTO = 0, /* native, else skb; replacing keeps the current mode so the swap is atomic */
	DP_MODE_NATIVE,
	DP_MODE_SKB,
	DP_MODE_HW,
};

/* Whether what the agent was asked to attach is in place. */
enum dp_state {
	DP_STATE_OK = 0,
	DP_STATE_LOST,    /* removed or replaced behind the agent's back, not (yet) re-attached */
	DP_STATE_MISSING, /* the interface is gone: re-attached when it comes back */
};

#define DP_EVENT_MAX 160

/* What the agent attached to one interface. */
struct dp_attachment {
	char ifname[IF_NAMESIZE];
	unsigned int ifindex;
	char program[DP_PROGRAM_MAX]; /* "filter", or "PATH:PROGRAM" for objects */
	enum dp_mode mode;            /* the mode in use, never AUTO */
	uint32_t prog_id;
	uint64_t attached_at_unix;
	bool has_stats;
	enum dp_state state;
	char last_event[DP_EVENT_MAX]; /* what last happened to it behind the agent's back, or "" */
	uint64_t last_event_unix;
};

/* Either builtin or object_path is set. */
struct dp_attach_req {
	const char *ifname;
	const char *builtin;     /* "filter", "pass", "drop" or "abort" */
	const char *object_path; /* relative to program_dir, or absolute inside it */
	const char *prog_name;   /* in the object; NULL or "": its first XDP program */
	enum dp_mode mode;
	bool force; /* replace a program this agent did not attach */
};

struct dp_counter {
	uint64_t packets;
	uint64_t bytes;
	double pps;
	double bps;
};

/* Counters of one attachment read at one instant, with rates against an earlier read. */
struct dp_if_stats {
	struct dp_attachment att;
	uint64_t timestamp_ns;      /* CLOCK_MONOTONIC of the read */
	uint64_t timestamp_unix_ns; /* the same instant, CLOCK_REALTIME */
	double period;         /* seconds since the baseline read; 0: no baseline yet */
	struct dp_counter actions[DP_ACTIONS];
	uint64_t exceptions[DP_ACTIONS];
};

struct dp_features {
	bool native_xdp;
	bool skb_xdp;
	bool bpf_link;
	bool dispatcher;
	bool tracepoints;
	bool map_batch_ops;
};

/* All functions returning int return 0 or -errno; err (DP_ERR_MAX) then says what went wrong,
 * naming the request field at fault ("ifname: no interface 'xyz'"). Errnos: EINVAL bad
 * argument, ENODEV/ENOENT not found, EBUSY/EEXIST/EPERM/EOPNOTSUPP refused in the current state. */

/* Mounts bpffs if needed, attaches the exception tracepoint, and adopts the attachments
 * recorded by an earlier run that are still in place. */
int dataplane_open(struct dataplane **out, const struct dataplane_opts *opts, char *err, size_t errlen);
/* Frees the agent's resources; attached programs, pins and state stay for the next run. */
void dataplane_close(struct dataplane *dp);
/* What this kernel supports, probed once at open. */
void dataplane_get_features(const struct dataplane *dp, struct dp_features *features);
size_t dataplane_n_attachments(const struct dataplane *dp);

/* replaced (DP_ERR_MAX) gets "name (id N)" of the program replaced, or "". */
int dataplane_attach(struct dataplane *dp, const struct dp_attach_req *req, struct dp_attachment *out,
		     char *replaced, size_t replaced_len, char *err, size_t errlen);
int dataplane_detach(struct dataplane *dp, const char *ifname, bool force, struct dp_attachment *out,
		     char *err, size_t errlen);
/* A malloc'd copy of the attachments (*out NULL when there are none). */
int dataplane_list(struct dataplane *dp, struct dp_attachment **out, size_t *n);

/* Reads the counters of one interface (ifname) or of all attachments (NULL or ""), into a
 * malloc'd array. Rates are against `baseline` entries matched by ifindex (e.g. a stream's
 * previous read); with baseline NULL, against the agent's periodic sample. */
int dataplane_read_stats(struct dataplane *dp, const char *ifname, const struct dp_if_stats *baseline,
			 size_t n_baseline, struct dp_if_stats **out, size_t *n, char *err, size_t errlen);
/* The latest periodic sample of every attachment (counters, rates between the last two
 * samples, exception totals), copied without reading any map: for metrics. */
int dataplane_sampled_stats(struct dataplane *dp, struct dp_if_stats **out, size_t *n);
/* Takes the periodic sample GetStats rates come from. Run it every DATAPLANE_SAMPLE_MS. */
#define DATAPLANE_SAMPLE_MS 1000
void dataplane_sample(void *dp);
/* Notices programs removed or replaced behind the agent's back and interfaces deleted or
 * recreated, and attaches again what the agent was asked to keep (dataplane_drift.c). Run it
 * every DATAPLANE_DRIFT_MS, so a change is repaired within a second. */
#define DATAPLANE_DRIFT_MS 250
void dataplane_check_drift(void *dp);
/* True when some interface runs the `filter` program, i.e. rules are enforced. */
bool dataplane_enforces_rules(struct dataplane *dp);

const char *dataplane_mode_name(enum dp_mode mode);
const char *dataplane_state_name(enum dp_state state);

struct rules_maps;
/* The rule engine's maps, shared into every filter program loaded from now on. */
void dataplane_set_rules(struct dataplane *dp, const struct rules_maps *maps);
struct capture_maps;
/* The capture maps, shared into every filter program loaded from now on. */
void dataplane_set_capture(struct dataplane *dp, const struct capture_maps *maps);
/* Loads the built-in `name` afresh on every interface running it and swaps it in atomically:
 * after the maps it shares were recreated. */
int dataplane_reload_builtin(struct dataplane *dp, const char *name);
/* Where other agent modules keep their own: <agent's bpffs dir>/<rel>, and
 * <state-dir>/<name>-<network namespace key>. */
int dataplane_pin_path(const struct dataplane *dp, const char *rel, char *buf, size_t len);
int dataplane_state_path(const struct dataplane *dp, const char *name, char *buf, size_t len);

#endif
