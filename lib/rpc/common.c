// SPDX-License-Identifier: GPL-2.0-only
/* RPC layer helpers used on both sides: message codec, method paths, status text, files. */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <grpc/byte_buffer_reader.h>
#include <grpc/slice.h>

#include "rpc_internal.h"
#include "array_size.h"

const char *rpc_status_name(grpc_status_code code)
{
	static const char *const names[] = {
		"OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
		"ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
		"ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
		"UNAUTHENTICATED",
	};

	if ((unsigned int)code < ARRAY_SIZE(names))
		return names[code];
	return "UNKNOWN";
}

const char *rpc_role_name(enum rpc_role role)
{
	switch (role) {
	case RPC_ROLE_ADMIN: return "admin";
	case RPC_ROLE_VIEWER: return "viewer";
	default: return "none";
	}
}

grpc_status_code rpc_status_from_errno(int err)
{
	switch (err < 0 ? -err : err) {
	case 0: return GRPC_STATUS_OK;
	case EINVAL: return GRPC_STATUS_INVALID_ARGUMENT;
	case ENODEV:
	case ENOENT: return GRPC_STATUS_NOT_FOUND;
	/* Refused in the current state: a foreign program, a busy interface, no engine. */
	case EBUSY:
	case EEXIST:
	case EPERM:
	case EACCES:
	case EOPNOTSUPP: return GRPC_STATUS_FAILED_PRECONDITION;
	case ENOSPC:
	case E2BIG:
	case EMFILE:
	case ENOMEM: return GRPC_STATUS_RESOURCE_EXHAUSTED;
	case EAGAIN: return GRPC_STATUS_ABORTED;
	case ETIMEDOUT: return GRPC_STATUS_DEADLINE_EXCEEDED;
	case EBADMSG: return GRPC_STATUS_DATA_LOSS;
	default: return GRPC_STATUS_INTERNAL;
	}
}

void rpc_global_init(void)
{
	grpc_init();
}

void rpc_global_shutdown(void)
{
	grpc_shutdown();
}

grpc_byte_buffer *rpc_codec_pack(const ProtobufCMessage *msg)
{
	size_t len = protobuf_c_message_get_packed_size(msg);
	grpc_byte_buffer *bb;
	grpc_slice slice;

	slice = grpc_slice_malloc(len);
	protobuf_c_message_pack(msg, GRPC_SLICE_START_PTR(slice));
	bb = grpc_raw_byte_buffer_create(&slice, 1);
	grpc_slice_unref(slice);
	return bb;
}

ProtobufCMessage *rpc_codec_unpack(grpc_byte_buffer *bb, const ProtobufCMessageDescriptor *desc)
{
	grpc_byte_buffer_reader reader;
	ProtobufCMessage *msg;
	grpc_slice slice;

	if (!bb || !grpc_byte_buffer_reader_init(&reader, bb))
		return NULL;
	slice = grpc_byte_buffer_reader_readall(&reader);
	msg = protobuf_c_message_unpack(desc, NULL, GRPC_SLICE_LENGTH(slice), GRPC_SLICE_START_PTR(slice));
	grpc_slice_unref(slice);
	grpc_byte_buffer_reader_destroy(&reader);
	return msg;
}

ProtobufCMessage *rpc_codec_unpack_request(const void *data, size_t len, const ProtobufCMessageDescriptor *desc,
					   struct rpc_arena *arena, char *err, size_t errlen)
{
	ProtobufCAllocator alloc = rpc_arena_allocator(arena);
	ProtobufCMessage *msg = protobuf_c_message_unpack(desc, &alloc, len, data);

	err[0] = '\0';
	if (msg && rpc_wire_check_strings(desc, data, len, err, errlen))
		msg = NULL;
	return msg;
}

#define ARENA_BLOCK_MIN (64u << 10)
#define ARENA_BLOCK_MAX (4u << 20)

void *rpc_arena_alloc(struct rpc_arena *a, size_t size)
{
	struct rpc_arena_block *b = a->blocks;
	size_t want = (size + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
	void *p;

	if (!b || a->used + want > b->size) {
		size_t bs = b ? b->size * 2 : ARENA_BLOCK_MIN;

		if (bs > ARENA_BLOCK_MAX)
			bs = ARENA_BLOCK_MAX;
		if (bs < want)
			bs = want;
		b = malloc(sizeof(*b) + bs);
		if (!b)
			return NULL;
		b->size = bs;
		b->next = a->blocks;
		a->blocks = b;
		a->used = 0;
	}
	p = (char *)b->data + a->used;
	a->used += want;
	return memset(p, 0, size);
}

/* Past this much, freeing an arena also hands the heap's free tail back to the system: a
 * million-rule request would otherwise stay in the agent's RSS long after it was answered. */
#define ARENA_TRIM_BYTES (8u << 20)

void rpc_arena_free(struct rpc_arena *a)
{
	size_t total = 0;

	while (a->blocks) {
		struct rpc_arena_block *b = a->blocks;

		a->blocks = b->next;
		total += b->size;
		free(b);
	}
	a->used = 0;
	if (total >= ARENA_TRIM_BYTES)
		malloc_trim(0);
}

static void *arena_pb_alloc(void *data, size_t size)
{
	return rpc_arena_alloc(data, size);
}

static void arena_pb_free(void *data, void *p)
{
	(void)data;
	(void)p;
}

ProtobufCAllocator rpc_arena_allocator(struct rpc_arena *a)
{
	return (ProtobufCAllocator){ .alloc = arena_pb_alloc, .free = arena_pb_free, .allocator_data = a };
}

int rpc_method_path(const ProtobufCServiceDescriptor *svc, const char *method, char *buf, size_t len)
{
	int n = snprintf(buf, len, "/%s/%s", svc->name, method);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int rpc_read_file(const char *path, char **out)
{
	struct stat st;
	char *buf = NULL;
	size_t done = 0;
	int fd, ret = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		ret = -errno;
		goto out;
	}
	/* PEM files are small; anything huge is a mistake, not a certificate. */
	if (st.st_size > (1 << 20)) {
		ret = -EFBIG;
		goto out;
	}
	buf = malloc(st.st_size + 1);
	if (!buf) {
		ret = -ENOMEM;
		goto out;
	}
	while (done < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + done, st.st_size - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			ret = n ? -errno : -EIO;
			goto out;
		}
		done += n;
	}
	buf[done] = '\0';
	*out = buf;
	buf = NULL;
out:
	free(buf);
	close(fd);
	return ret;
}

void rpc_status_setf(struct rpc_status *st, grpc_status_code code, const char *fmt, ...)
{
	va_list ap;

	st->code = code;
	va_start(ap, fmt);
	vsnprintf(st->message, sizeof(st->message), fmt, ap);
	va_end(ap);
}

void rpc_status_set_slice(struct rpc_status *st, grpc_status_code code, grpc_slice details)
{
	size_t len = GRPC_SLICE_LENGTH(details);

	if (len >= sizeof(st->message))
		len = sizeof(st->message) - 1;
	st->code = code;
	memcpy(st->message, GRPC_SLICE_START_PTR(details), len);
	st->message[len] = '\0';
}

void rpc_cq_destroy(grpc_completion_queue *cq)
{
	grpc_event ev;

	grpc_completion_queue_shutdown(cq);
	do
		ev = grpc_completion_queue_next(cq, gpr_inf_future(GPR_CLOCK_MONOTONIC), NULL);
	while (ev.type != GRPC_QUEUE_SHUTDOWN);
	grpc_completion_queue_destroy(cq);
}

gpr_timespec rpc_deadline_after(unsigned int timeout_ms)
{
	if (!timeout_ms)
		return gpr_inf_future(GPR_CLOCK_MONOTONIC);
	return gpr_time_add(gpr_now(GPR_CLOCK_MONOTONIC), gpr_time_from_millis(timeout_ms, GPR_TIMESPAN));
}

int64_t rpc_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int rpc_pems_read(struct rpc_pems *out, const char *ca, const char *cert, const char *key, char *err,
		  size_t errlen)
{
	const char *paths[] = { ca, cert, key };
	char **dst[] = { &out->ca, &out->cert, &out->key };
	int ret = 0;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < 3 && !ret; i++) {
		if (paths[i] && (ret = rpc_read_file(paths[i], dst[i])))
			snprintf(err, errlen, "cannot read %s: %s", paths[i], strerror(-ret));
	}
	if (ret)
		rpc_pems_free(out);
	return ret;
}

void rpc_pems_free(struct rpc_pems *p)
{
	free(p->ca);
	free(p->cert);
	free(p->key);
	memset(p, 0, sizeof(*p));
}
