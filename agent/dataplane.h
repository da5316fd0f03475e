/* The agent's XDP data plane: programs, attachments, pins and counters. */
#ifndef XDPFLEET_DATAPLANE_H
#define XDPFLEET_DATAPLANE_H

#include <stddef.h>

#include "xdpfleet/v1/agent.pb-c.h"

struct dataplane;

struct dataplane_opts {
	const char *bpffs;
	const char *state_dir;
	const char *program_dir;
};

int dataplane_open(struct dataplane **out, const struct dataplane_opts *opts, char *err, size_t errlen);
void dataplane_close(struct dataplane *dp);
/* What this kernel supports, probed once at open. */
void dataplane_features(const struct dataplane *dp, Xdpfleet__V1__Features *features);
size_t dataplane_n_attachments(const struct dataplane *dp);

#endif
