/* SPDX-License-Identifier: GPL-2.0-only */
/* A growable array of fixed-size elements: the compiler's plans and undo logs. */
#ifndef XDPFLEET_UTIL_VEC_H
#define XDPFLEET_UTIL_VEC_H

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct vec {
	void *v;
	size_t n, cap, esz;
};

static inline void vec_init(struct vec *a, size_t esz)
{
	a->v = NULL;
	a->n = a->cap = 0;
	a->esz = esz;
}

static inline int vec_reserve(struct vec *a, size_t want)
{
	size_t cap = a->cap ? a->cap : 64;
	void *p;

	if (want <= a->cap)
		return 0;
	while (cap < want)
		cap *= 2;
	p = realloc(a->v, cap * a->esz);
	if (!p)
		return -ENOMEM;
	a->v = p;
	a->cap = cap;
	return 0;
}

static inline int vec_push(struct vec *a, const void *e)
{
	int err = vec_reserve(a, a->n + 1);

	if (err)
		return err;
	memcpy((char *)a->v + a->n * a->esz, e, a->esz);
	a->n++;
	return 0;
}

static inline void *vec_at(const struct vec *a, size_t i)
{
	return (char *)a->v + i * a->esz;
}

static inline void vec_free(struct vec *a)
{
	free(a->v);
	vec_init(a, a->esz);
}

#endif
