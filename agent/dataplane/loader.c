// SPDX-License-Identifier: GPL-2.0-only
/* XDP attachment through netlink (bpf_xdp_attach). Netlink attachments outlive the agent
 * without pins, and XDP_FLAGS_REPLACE swaps programs atomically, ours or foreign. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>
#include <xdp/libxdp.h>

#include "loader.h"

static __u32 mode_flag(enum dp_mode mode)
{
	switch (mode) {
	case DP_MODE_NATIVE: return XDP_FLAGS_DRV_MODE;
	case DP_MODE_SKB: return XDP_FLAGS_SKB_MODE;
	case DP_MODE_HW: return XDP_FLAGS_HW_MODE;
	default: return 0;
	}
}

int loader_query(unsigned int ifindex, struct loader_current *cur)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	int ret;

	memset(cur, 0, sizeof(*cur));
	ret = bpf_xdp_query(ifindex, 0, &q);
	if (ret)
		return ret;
	if (q.drv_prog_id) {
		cur->prog_id = q.drv_prog_id;
		cur->mode = DP_MODE_NATIVE;
	} else if (q.skb_prog_id) {
		cur->prog_id = q.skb_prog_id;
		cur->mode = DP_MODE_SKB;
	} else if (q.hw_prog_id) {
		cur->prog_id = q.hw_prog_id;
		cur->mode = DP_MODE_HW;
	}
	return 0;
}

int loader_obj_id(int fd, uint32_t *id)
{
	/* Program, map and link infos all begin with their type and id: asking for these two
	 * fields alone serves every kind. */
	struct {
		__u32 type, id;
	} head = { 0 };
	__u32 len = sizeof(head);

	if (bpf_obj_get_info_by_fd(fd, &head, &len))
		return -errno;
	*id = head.id;
	return 0;
}

static void prog_name(uint32_t id, char *buf, size_t len)
{
	struct bpf_prog_info info = { 0 };
	__u32 info_len = sizeof(info);
	int fd = bpf_prog_get_fd_by_id(id);

	snprintf(buf, len, "?");
	if (fd < 0)
		return;
	if (!bpf_obj_get_info_by_fd(fd, &info, &info_len))
		snprintf(buf, len, "%s", info.name[0] ? info.name : "(unnamed)");
	close(fd);
}

/* libxdp knows whether the program is its dispatcher and which programs run behind it. */
static void describe_dispatched(unsigned int ifindex, char *buf, size_t len)
{
	struct xdp_multiprog *mp = xdp_multiprog__get_from_ifindex(ifindex);
	struct xdp_program *p = NULL;
	size_t used = strlen(buf);
	const char *sep = " running ";

	if (libxdp_get_error(mp) || !mp)
		return;
	if (!xdp_multiprog__is_legacy(mp)) {
		while ((p = xdp_multiprog__next_prog(p, mp)) && used < len) {
			used += snprintf(buf + used, len - used, "%s%s (id %u)", sep, xdp_program__name(p),
					 xdp_program__id(p));
			sep = ", ";
		}
	}
	xdp_multiprog__close(mp);
}

void loader_describe(unsigned int ifindex, const struct loader_current *cur, char *buf, size_t len)
{
	char name[BPF_OBJ_NAME_LEN + 8];

	buf[0] = '\0';
	if (!cur->prog_id)
		return;
	prog_name(cur->prog_id, name, sizeof(name));
	snprintf(buf, len, "%s (id %u)", name, cur->prog_id);
	describe_dispatched(ifindex, buf, len);
}

/* old_id 0: attach only if nothing is there; else replace exactly old_id. */
static int attach_one(unsigned int ifindex, int prog_fd, enum dp_mode mode, uint32_t old_id)
{
	LIBBPF_OPTS(bpf_xdp_attach_opts, opts);
	__u32 flags = mode_flag(mode);
	int old_fd = -1, ret;

	if (old_id) {
		old_fd = bpf_prog_get_fd_by_id(old_id);
		if (old_fd < 0)
			return -EAGAIN; /* it went away under us: the caller looks again */
		opts.old_prog_fd = old_fd;
		flags |= XDP_FLAGS_REPLACE;
	} else {
		flags |= XDP_FLAGS_UPDATE_IF_NOEXIST;
	}
	ret = bpf_xdp_attach(ifindex, prog_fd, flags, &opts);
	if (old_fd >= 0)
		close(old_fd);
	return ret;
}

static const char *attach_errstr(int ret)
{
	switch (ret) {
	case -EBUSY: return "another program is attached meanwhile, or it is held by a bpf_link of another process";
	case -EEXIST: return "the attached program changed meanwhile, or one runs in the other mode";
	case -EOPNOTSUPP: return "the driver does not support this mode";
	default: return strerror(-ret);
	}
}

/* Swaps in a different mode: the kernel allows only one of native/skb at a time, so this is
 * detach + attach, with the old program put back when the new one does not go on. */
static int attach_switching_mode(unsigned int ifindex, int prog_fd, enum dp_mode mode,
				 const struct loader_current *cur)
{
	int ret = loader_detach(ifindex, cur, NULL, 0);
	int old_fd;

	if (ret)
		return ret;
	ret = attach_one(ifindex, prog_fd, mode, 0);
	if (!ret)
		return 0;
	old_fd = bpf_prog_get_fd_by_id(cur->prog_id);
	if (old_fd >= 0) {
		bpf_xdp_attach(ifindex, old_fd, mode_flag(cur->mode) | XDP_FLAGS_UPDATE_IF_NOEXIST, NULL);
		close(old_fd);
	}
	return ret;
}

static int attach_in(unsigned int ifindex, int prog_fd, enum dp_mode mode, const struct loader_current *cur)
{
	if (!cur->prog_id)
		return attach_one(ifindex, prog_fd, mode, 0);
	if (cur->mode == mode)
		return attach_one(ifindex, prog_fd, mode, cur->prog_id);
	return attach_switching_mode(ifindex, prog_fd, mode, cur);
}

int loader_attach(unsigned int ifindex, int prog_fd, enum dp_mode mode, const struct loader_current *cur,
		  enum dp_mode *used, char *err, size_t errlen)
{
	int ret, native_ret;

	if (mode == DP_MODE_AUTO && cur->prog_id && cur->mode != DP_MODE_HW)
		mode = cur->mode;
	if (mode != DP_MODE_AUTO) {
		ret = attach_in(ifindex, prog_fd, mode, cur);
		if (ret) {
			snprintf(err, errlen, "mode: cannot attach in %s mode: %s", dataplane_mode_name(mode),
				 attach_errstr(ret));
			return ret;
		}
		*used = mode;
		return 0;
	}
	native_ret = attach_in(ifindex, prog_fd, DP_MODE_NATIVE, cur);
	if (!native_ret) {
		*used = DP_MODE_NATIVE;
		return 0;
	}
	if (native_ret == -EBUSY || native_ret == -EEXIST || native_ret == -EAGAIN) {
		snprintf(err, errlen, "cannot attach: %s", attach_errstr(native_ret));
		return native_ret;
	}
	ret = attach_in(ifindex, prog_fd, DP_MODE_SKB, cur);
	if (ret) {
		snprintf(err, errlen, "mode: auto: native failed (%s), skb failed (%s)", attach_errstr(native_ret),
			 attach_errstr(ret));
		return ret;
	}
	*used = DP_MODE_SKB;
	return 0;
}

int loader_detach(unsigned int ifindex, const struct loader_current *cur, char *err, size_t errlen)
{
	LIBBPF_OPTS(bpf_xdp_attach_opts, opts);
	int ret;

	if (!cur->prog_id)
		return 0;
	opts.old_prog_fd = bpf_prog_get_fd_by_id(cur->prog_id);
	if (opts.old_prog_fd < 0)
		return 0; /* gone already */
	ret = bpf_xdp_detach(ifindex, mode_flag(cur->mode) | XDP_FLAGS_REPLACE, &opts);
	close(opts.old_prog_fd);
	if (ret && err)
		snprintf(err, errlen, "cannot detach: %s", attach_errstr(ret));
	return ret;
}
