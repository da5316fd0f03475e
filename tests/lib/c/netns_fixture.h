/* SPDX-License-Identifier: GPL-2.0-only */
/* Test fixture: a uniquely named network namespace the test process enters, with a veth pair
 * (veth0 under test, veth1 to send from), a private bpffs and state dir; always torn down. */
#ifndef XDPFLEET_TEST_NETNS_FIXTURE_H
#define XDPFLEET_TEST_NETNS_FIXTURE_H

#include <limits.h>
#include <stddef.h>

struct netns_fixture {
	char name[64];
	int orig_ns;
	char tmp[256];            /* holds bpffs/ and state/ */
	char bpffs[PATH_MAX];
	char state_dir[PATH_MAX];
	unsigned int ifindex0, ifindex1;
};

int netns_fixture_setup(struct netns_fixture *fx);
void netns_fixture_teardown(struct netns_fixture *fx);
/* Sends n frames of len bytes (>= 60) out of veth1, so they arrive on veth0. */
int netns_fixture_send(const struct netns_fixture *fx, unsigned int n, size_t len);
/* Runs a shell command inside the namespace; returns its exit status. */
int netns_fixture_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
