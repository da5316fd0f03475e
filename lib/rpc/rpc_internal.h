/* SPDX-License-Identifier: GPL-2.0-only */
/* Pieces of the RPC layer shared by its server, client and fan-out halves. */
#ifndef XDPFLEET_RPC_INTERNAL_H
#define XDPFLEET_RPC_INTERNAL_H

#include <grpc/grpc.h>
#include <grpc/support/time.h>

#include "rpc.h"

/* Serialises a message into a byte buffer for a SEND_MESSAGE op; NULL when out of memory. */
grpc_byte_buffer *rpc_codec_pack(const ProtobufCMessage *msg);
/* Parses a received byte buffer; NULL when it is not a valid message of that type. */
ProtobufCMessage *rpc_codec_unpack(grpc_byte_buffer *bb, const ProtobufCMessageDescriptor *desc);
/* A bump allocator: many small allocations freed at once (a request of a million rules unpacks
 * into some three million pieces; freeing them one by one took longer than using them). */
struct rpc_arena_block {
	struct rpc_arena_block *next;
	size_t size;
	max_align_t data[];
};

struct rpc_arena {
	struct rpc_arena_block *blocks;
	size_t used; /* bytes taken from the newest block */
};

/* size bytes, zeroed, aligned for anything; NULL when out of memory. */
void *rpc_arena_alloc(struct rpc_arena *a, size_t size);
void rpc_arena_free(struct rpc_arena *a);
/* protobuf-c allocating from a (its free does nothing: the arena goes whole). */
ProtobufCAllocator rpc_arena_allocator(struct rpc_arena *a);

/* The same for requests, unpacked into arena, whose strings must also hold no NUL byte and be
 * UTF-8: NULL with err naming the field ("rules[2].match.src: contains a NUL byte"), or err ""
 * when malformed. */
ProtobufCMessage *rpc_codec_unpack_request(const void *data, size_t len, const ProtobufCMessageDescriptor *desc,
					   struct rpc_arena *arena, char *err, size_t errlen);
/* wire_check.c: the string check on the encoded bytes. */
int rpc_wire_check_strings(const ProtobufCMessageDescriptor *desc, const uint8_t *data, size_t len, char *err,
			   size_t errlen);

/* "/package.Service/Method" into buf; -ENAMETOOLONG if it does not fit. */
int rpc_method_path(const ProtobufCServiceDescriptor *svc, const char *method, char *buf, size_t len);

/* Reads a whole (PEM) file into a NUL-terminated heap string; -errno on failure. */
int rpc_read_file(const char *path, char **out);

/* The PEM files of a TLS setup, any of them NULL (not wanted). */
struct rpc_pems {
	char *ca, *cert, *key;
};

/* Reads the files named (NULL: skipped); on failure frees what was read and says in err which
 * file and why. */
int rpc_pems_read(struct rpc_pems *out, const char *ca, const char *cert, const char *key, char *err,
		  size_t errlen);
void rpc_pems_free(struct rpc_pems *p);

void rpc_status_setf(struct rpc_status *st, grpc_status_code code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Copies a status-details slice into st->message. */
void rpc_status_set_slice(struct rpc_status *st, grpc_status_code code, grpc_slice details);

/* Shuts cq down, drains it and destroys it. */
void rpc_cq_destroy(grpc_completion_queue *cq);

gpr_timespec rpc_deadline_after(unsigned int timeout_ms);
int64_t rpc_now_ms(void);

#endif
