/* SPDX-License-Identifier: GPL-2.0-only */
/* Names of the API's enums as the CLI prints and parses them. */
#ifndef XDPFLEET_API_NAMES_H
#define XDPFLEET_API_NAMES_H

#include <stdbool.h>

#include "xdpfleet/v1/agent.pb-c.h"

/* "XDP_PASS"...; "XDP_UNKNOWN" for numbers this CLI does not know. */
const char *names_action(Xdpfleet__V1__XdpAction a);
/* "native", "skb", "auto", "hw"; "unspecified" for 0 and unknown numbers. */
const char *names_mode(Xdpfleet__V1__AttachMode m);
/* Parses native|skb|auto|hw; -EINVAL otherwise. */
int names_parse_mode(const char *s, Xdpfleet__V1__AttachMode *m);
/* Parses filter|pass|drop|abort; -EINVAL otherwise. */
int names_parse_builtin(const char *s, Xdpfleet__V1__BuiltinProgram *p);

/* A rule tag as the API allows it: at most API_TAG_MAX bytes of letters, digits and . _ - :
 * ("" is the operator's own, untagged). */
bool names_tag_valid(const char *tag);

#endif
