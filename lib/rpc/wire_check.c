// SPDX-License-Identifier: GPL-2.0-only
/* Checks the strings of a request on the wire, where protobuf-c cannot: it hands C strings to
 * handlers, so a NUL inside one would silently cut it ("198.18.200.7\0/8" read as a /32).
 * Strings must also be UTF-8, as proto3 says. The error names the field's path. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "rpc_internal.h"

#define WIRE_MAX_DEPTH 32

static int read_varint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
	*v = 0;
	for (int shift = 0; shift < 64 && *p < end; shift += 7) {
		uint8_t b = *(*p)++;

		*v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return 0;
	}
	return -EINVAL;
}

static bool utf8_valid(const uint8_t *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		uint8_t c = s[i];
		size_t len;
		uint32_t cp;

		if (c < 0x80) {
			i++;
			continue;
		}
		if ((c & 0xe0) == 0xc0) {
			len = 2;
			cp = c & 0x1f;
		} else if ((c & 0xf0) == 0xe0) {
			len = 3;
			cp = c & 0x0f;
		} else if ((c & 0xf8) == 0xf0) {
			len = 4;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (i + len > n)
			return false;
		for (size_t k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		/* overlong forms, UTF-16 surrogates and beyond Unicode */
		if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
			return false;
		i += len;
	}
	return true;
}

/* Where the walk is: the field and its position, and the message it sits in. Paths are named
 * only when something is wrong, not for each of a million rules' strings. */
struct wire_at {
	const struct wire_at *parent;
	const ProtobufCFieldDescriptor *fd;
	unsigned int index;
};

static size_t name_path(char *buf, size_t len, const struct wire_at *at)
{
	size_t n = at->parent ? name_path(buf, len, at->parent) : 0;
	int w;

	if (n >= len)
		return n;
	if (at->fd->label == PROTOBUF_C_LABEL_REPEATED)
		w = snprintf(buf + n, len - n, "%s%s[%u]", n ? "." : "", at->fd->name, at->index);
	else
		w = snprintf(buf + n, len - n, "%s%s", n ? "." : "", at->fd->name);
	return w < 0 ? n : n + (size_t)w;
}

static void fail_at(char *err, size_t errlen, const struct wire_at *at, const char *why)
{
	char path[256];

	name_path(path, sizeof(path), at);
	snprintf(err, errlen, "%s: %s", path, why);
}

static int walk(const ProtobufCMessageDescriptor *desc, const uint8_t *p, const uint8_t *end,
		const struct wire_at *parent, char *err, size_t errlen, int depth)
{
	unsigned int seen[64] = { 0 }; /* occurrences per field index: repeated fields' positions */

	if (depth > WIRE_MAX_DEPTH) {
		if (parent)
			fail_at(err, errlen, parent, "nested too deep");
		else
			snprintf(err, errlen, "request: nested too deep");
		return -EINVAL;
	}
	while (p < end) {
		const ProtobufCFieldDescriptor *fd;
		uint64_t tag, len;

		if (read_varint(&p, end, &tag))
			return -EINVAL;
		switch (tag & 7) {
		case 0:
			if (read_varint(&p, end, &len))
				return -EINVAL;
			continue;
		case 1:
			p += 8;
			continue;
		case 5:
			p += 4;
			continue;
		case 2:
			break;
		default:
			return -EINVAL; /* groups: protobuf-c refuses them before we get here */
		}
		if (read_varint(&p, end, &len) || len > (uint64_t)(end - p))
			return -EINVAL;
		fd = protobuf_c_message_descriptor_get_field(desc, (unsigned int)(tag >> 3));
		if (fd && (fd->type == PROTOBUF_C_TYPE_STRING || fd->type == PROTOBUF_C_TYPE_MESSAGE)) {
			size_t idx = (size_t)(fd - desc->fields);
			struct wire_at at = { parent, fd, idx < 64 ? seen[idx]++ : 0 };

			if (fd->type == PROTOBUF_C_TYPE_MESSAGE) {
				if (walk(fd->descriptor, p, p + len, &at, err, errlen, depth + 1))
					return -EINVAL;
			} else if (memchr(p, '\0', len)) {
				fail_at(err, errlen, &at, "contains a NUL byte");
				return -EINVAL;
			} else if (!utf8_valid(p, len)) {
				fail_at(err, errlen, &at, "is not valid UTF-8");
				return -EINVAL;
			}
		}
		p += len;
	}
	return 0;
}

int rpc_wire_check_strings(const ProtobufCMessageDescriptor *desc, const uint8_t *data, size_t len, char *err,
			   size_t errlen)
{
	err[0] = '\0';
	if (walk(desc, data, data + len, NULL, err, errlen, 0)) {
		if (!err[0])
			snprintf(err, errlen, "request is not a valid %s", desc->name);
		return -EINVAL;
	}
	return 0;
}
