/* The policy module's private state, shared by policy.c and policy_file.c. */
#ifndef XDPFLEET_POLICY_INTERNAL_H
#define XDPFLEET_POLICY_INTERNAL_H

#include "policy.h"
#include "htab.h"

/* What the agent keeps per engine slot; id 0 marks a free slot. */
struct policy_meta {
	uint64_t id;
	uint64_t created_unix;
	uint64_t expires_unix;
	char *comment;
};

struct policy {
	char *state_path;
	struct rules_maps maps;
	struct rules_engine *engine;
	struct policy_meta *meta; /* [maps.max_rules] */
	struct htab by_id;  /* id -> slot */
	uint64_t next_id;
	size_t n_expiring;        /* rules with a TTL: the expiry timer skips work without any */
};

/* policy_file.c: the rules file in --state-dir. */
int policy_file_save(const struct policy *p);
/* Loads the file into the engine (restoring saved slots, so pinned counters continue). */
int policy_file_load(struct policy *p, char *err, size_t errlen);

/* policy.c: bookkeeping shared with the loader. */
int policy_meta_set(struct policy *p, uint32_t slot, uint64_t id, uint64_t created, uint64_t expires,
		    const char *comment);
void policy_meta_clear(struct policy *p, uint32_t slot);
uint64_t policy_now_unix(void);

#endif
