/* SPDX-License-Identifier: GPL-2.0-only */
/* Probing what this kernel supports, once at agent start; each probe loads and frees what it
 * needs and touches no interface. */
#ifndef XDPFLEET_FEATURE_PROBES_H
#define XDPFLEET_FEATURE_PROBES_H

#include "dataplane.h"

/* Fills everything but tracepoints, which the exceptions module reports from real use. */
void features_probe(struct dp_features *f);

#endif
