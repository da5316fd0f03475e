// SPDX-License-Identifier: GPL-2.0-only
/* The namespace/veth fixture of the data plane tests (see netns_fixture.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/if_packet.h>

#include "netns_fixture.h"

int netns_fixture_sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

int netns_fixture_setup(struct netns_fixture *fx)
{
	static unsigned int seq;
	char path[PATH_MAX];
	int fd;

	memset(fx, 0, sizeof(*fx));
	snprintf(fx->name, sizeof(fx->name), "xdpfleet-dp-%d-%u", getpid(), seq++);
	fx->orig_ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (fx->orig_ns < 0 || netns_fixture_sh("ip netns add %s", fx->name))
		return -1;
	snprintf(path, sizeof(path), "/run/netns/%s", fx->name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWNET)) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	/* IPv6 off before the links come up: no router solicitations to spoil exact counts. */
	if (netns_fixture_sh("ip link add veth0 type veth peer name veth1 && "
			     "sysctl -qw net.ipv6.conf.veth0.disable_ipv6=1 net.ipv6.conf.veth1.disable_ipv6=1 && "
			     "ip link set veth0 up && ip link set veth1 up && "
			     "ip addr add 198.18.0.1/30 dev veth0 && ip addr add 198.18.0.2/30 dev veth1"))
		return -1;
	fx->ifindex0 = if_nametoindex("veth0");
	fx->ifindex1 = if_nametoindex("veth1");
	snprintf(fx->tmp, sizeof(fx->tmp), "/tmp/%s-XXXXXX", fx->name);
	if (!mkdtemp(fx->tmp))
		return -1;
	snprintf(fx->bpffs, sizeof(fx->bpffs), "%s/bpffs", fx->tmp);
	snprintf(fx->state_dir, sizeof(fx->state_dir), "%s/state", fx->tmp);
	return fx->ifindex0 && fx->ifindex1 ? 0 : -1;
}

void netns_fixture_teardown(struct netns_fixture *fx)
{
	if (fx->orig_ns >= 0) {
		if (setns(fx->orig_ns, CLONE_NEWNET))
			perror("setns back");
		close(fx->orig_ns);
		fx->orig_ns = -1;
	}
	if (fx->name[0])
		netns_fixture_sh("ip netns del %s 2>/dev/null", fx->name);
	if (fx->bpffs[0])
		umount2(fx->bpffs, MNT_DETACH);
	if (fx->tmp[0])
		netns_fixture_sh("rm -rf '%s'", fx->tmp);
}

int netns_fixture_send(const struct netns_fixture *fx, unsigned int n, size_t len)
{
	struct sockaddr_ll to = { .sll_family = AF_PACKET, .sll_ifindex = fx->ifindex1, .sll_halen = 6 };
	unsigned char frame[1514] = { 0 };
	int fd, ret = 0;

	if (len < 60 || len > sizeof(frame))
		return -EINVAL;
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	memset(frame, 0xff, 6);               /* broadcast */
	memcpy(frame + 6, "\x02\0\0\0\0\x01", 6);
	frame[12] = 0x88, frame[13] = 0xb5;   /* IEEE local experimental ethertype */
	memset(to.sll_addr, 0xff, 6);
	for (unsigned int i = 0; i < n && !ret; i++)
		if (sendto(fd, frame, len, 0, (struct sockaddr *)&to, sizeof(to)) != (ssize_t)len)
			ret = -errno;
	close(fd);
	/* veth delivers through NAPI: give it a moment to run the program. */
	usleep(50000);
	return ret;
}
