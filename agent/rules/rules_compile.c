// SPDX-License-Identifier: GPL-2.0-only
/* The rule compiler's life cycle (a new engine adopts pinned maps, or replaces ones it cannot make
 * sense of), the error texts batches share, and the rule records the data plane reads. */
#define _GNU_SOURCE
#include "rules_engine.h"

#include <bpf/libbpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int rules_set_err(struct rules_error *err, size_t index, enum rules_field field, const char *msg)
{
	if (err) {
		err->index = index;
		err->field = field;
		snprintf(err->msg, sizeof(err->msg), "%s", msg);
	}
	return -EINVAL;
}

/* Too many rules on one address or a full engine already say why; the rest is the kernel's. */
void rules_kernel_err(struct rules_error *err, int ret)
{
	if (!err || ret == -E2BIG || ret == -EINVAL || (ret == -ENOSPC && err->msg[0]))
		return;
	err->field = RULES_FIELD_RULE;
	snprintf(err->msg, sizeof(err->msg), "kernel map update failed (%s); nothing was applied",
		 strerror(-ret));
}

int rules_engine_new(struct rules_maps *maps, struct rules_engine **out)
{
	struct rules_engine *e = calloc(1, sizeof(*e));
	int err;

	if (!e)
		return -ENOMEM;
	e->maps = maps;
	e->max_rules = maps->max_rules;
	e->ncpus = libbpf_num_possible_cpus();
	vec_init(&e->free_slots, sizeof(uint32_t));
	err = e->ncpus > 0 ? rules_store_init(&e->st) : (e->ncpus ? e->ncpus : -EINVAL);
	if (!err)
		err = rules_clock_init(&e->clock);
	if (!err) {
		e->unverified = calloc(2 * RULES_ROOT_SLOTS / 64, sizeof(uint64_t));
		err = e->unverified ? 0 : -ENOMEM;
	}
	if (!err && maps->reused) {
		err = rules_adopt(e);
		/* Pins this build cannot make sense of: start from fresh maps (the rules come back
		 * from the agent's state file, and it gives its filters the new maps). */
		if (err == -EUCLEAN) {
			rules_store_free(&e->st);
			memset(e->unverified, 0, 2 * RULES_ROOT_SLOTS / 8);
			err = rules_store_init(&e->st);
			if (!err)
				err = rules_rebuild(e, true);
			if (!err)
				maps->reused = false;
		}
	}
	if (err) {
		rules_engine_free(e);
		return err;
	}
	*out = e;
	return 0;
}

void rules_engine_free(struct rules_engine *e)
{
	if (!e)
		return;
	free(e->rules);
	vec_free(&e->free_slots);
	free(e->dirty_slots);
	for (int f = 0; f < 3; f++)
		free(e->sorted[f].v);
	rules_store_free(&e->st);
	free(e->unverified);
	free(e);
}

/* rules_info[slot] for the data plane. */
int rules_write_info(struct rules_txn *t, uint32_t slot)
{
	const struct rules_rule *r = &t->e->rules[slot];
	struct rules_info v = {
		.action = r->action,
		.proto = r->proto,
		.flags = r->flags & RULES_R_PORTS ? RULES_F_PORTS : 0,
		.plen = r->plen,
		.port_min = r->port_min,
		.port_max = r->port_max,
		.limit_pps = r->limit_pps,
	};
	int err = rules_txn_ensure(t, RULES_M_INFO, slot);
	void *p;

	if (err)
		return err;
	if (rules_txn_is_live(t, RULES_M_INFO))
		return rules_txn_put_record(t, RULES_M_INFO, slot, &v, sizeof(v));
	p = rules_txn_elem(t, RULES_M_INFO, slot);
	if (!p)
		return -ENOMEM;
	memcpy(p, &v, sizeof(v));
	return 0;
}
