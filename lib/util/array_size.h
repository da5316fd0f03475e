/* SPDX-License-Identifier: GPL-2.0-only */
/* ARRAY_SIZE: the one element count of a fixed array, for agent, CLI and tests alike. */
#ifndef XDPFLEET_UTIL_ARRAY_SIZE_H
#define XDPFLEET_UTIL_ARRAY_SIZE_H

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
