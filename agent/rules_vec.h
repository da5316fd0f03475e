/* A growable array of fixed-size elements: the compiler's plans and undo logs. */
#ifndef XDPFLEET_RULES_VEC_H
#define XDPFLEET_RULES_VEC_H

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct rules_vec {
	void *v;
	size_t n, cap, esz;
};

static inline void rules_vec_init(struct rules_vec *a, size_t esz)
{
	a->v = NULL;
	a->n = a->cap = 0;
	a->esz = esz;
}

static inline int rules_vec_reserve(struct rules_vec *a, size_t want)
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

static inline int rules_vec_push(struct rules_vec *a, const void *e)
{
	int err = rules_vec_reserve(a, a->n + 1);

	if (err)
		return err;
	memcpy((char *)a->v + a->n * a->esz, e, a->esz);
	a->n++;
	return 0;
}

static inline void *rules_vec_at(const struct rules_vec *a, size_t i)
{
	return (char *)a->v + i * a->esz;
}

static inline void rules_vec_free(struct rules_vec *a)
{
	free(a->v);
	rules_vec_init(a, a->esz);
}

#endif
