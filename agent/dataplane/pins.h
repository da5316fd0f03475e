/* SPDX-License-Identifier: GPL-2.0-only */
/* The agent's bpffs directory: <bpffs>/xdpfleet/netns-<inode>/, keyed by the network namespace
 * so agents of several namespaces sharing one bpffs never touch each other's pins. */
#ifndef XDPFLEET_PINS_H
#define XDPFLEET_PINS_H

#include <limits.h>
#include <stddef.h>

struct pins {
	char root[PATH_MAX];  /* <bpffs>/xdpfleet/netns-<inode> */
	char key[64];         /* "netns-<inode>": also names this agent's state file */
};

/* Mounts bpffs at `bpffs` when it is not one yet, and creates the agent's directory. */
int pins_open(struct pins *pins, const char *bpffs, char *err, size_t errlen);
/* "netns-<inode of /proc/self/ns/net>" */
int pins_netns_key(char *buf, size_t len);
/* <root>/<rel> into buf; -ENAMETOOLONG if it does not fit. */
int pins_path(const struct pins *pins, const char *rel, char *buf, size_t len);
/* Creates <root>/<rel> (one level). */
int pins_mkdir(const struct pins *pins, const char *rel);
/* Unlinks the pins in <root>/<rel> and the directory itself; missing is fine. */
int pins_remove_dir(const struct pins *pins, const char *rel);

#endif
