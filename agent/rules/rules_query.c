// SPDX-License-Identifier: GPL-2.0-only
/* Reading the rule set back: by match (DeleteRules by match), by slot, in slot order
 * (ListRules), and the hit counters the kernel keeps per rule and CPU. */
#include "rules_engine.h"

#include <bpf/bpf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

int rules_compile_find(const struct rules_engine *e, const struct rules_spec *spec,
		       uint32_t *slot)
{
	struct rules_rule r;
	struct rules_pfx k;
	long at;

	rules_spec_to_rule(spec, &r);
	rules_pfx_of(&r, &k);
	at = rules_pfx_find(e, &k, NULL);
	for (uint32_t s = at >= 0 ? e->sorted[k.fam].v[at].head : RULES_SLOT_NONE;
	     s != RULES_SLOT_NONE; s = e->rules[s].next) {
		if (rules_rule_same(&e->rules[s], &r)) {
			*slot = s;
			return 0;
		}
	}
	return -ENOENT;
}

size_t rules_compile_find_match(const struct rules_engine *e, const struct rules_spec *match, uint32_t *slots,
				size_t max)
{
	struct rules_rule r;
	struct rules_pfx k;
	size_t n = 0;
	long at;

	rules_spec_to_rule(match, &r);
	rules_pfx_of(&r, &k);
	at = rules_pfx_find(e, &k, NULL);
	/* The rules of one prefix are chained: those of every action with this protocol and ports. */
	for (uint32_t s = at >= 0 ? e->sorted[k.fam].v[at].head : RULES_SLOT_NONE; s != RULES_SLOT_NONE && n < max;
	     s = e->rules[s].next) {
		const struct rules_rule *x = &e->rules[s];

		if (x->proto == r.proto && (x->flags & RULES_R_PORTS) == (r.flags & RULES_R_PORTS) &&
		    (!(r.flags & RULES_R_PORTS) || (x->port_min == r.port_min && x->port_max == r.port_max)))
			slots[n++] = s;
	}
	return n;
}

int rules_compile_get(const struct rules_engine *e, uint32_t slot, struct rules_spec *out)
{
	if (slot >= e->rules_cap || !(e->rules[slot].flags & RULES_R_USED))
		return -ENOENT;
	rules_rule_to_spec(&e->rules[slot], out);
	return 0;
}

bool rules_compile_next(const struct rules_engine *e, uint32_t *cursor, uint32_t *slot,
			struct rules_spec *out)
{
	for (; *cursor < e->slot_hw && *cursor < e->rules_cap; (*cursor)++) {
		if (e->rules[*cursor].flags & RULES_R_USED) {
			*slot = *cursor;
			rules_rule_to_spec(&e->rules[*cursor], out);
			(*cursor)++;
			return true;
		}
	}
	return false;
}

size_t rules_compile_count(const struct rules_engine *e)
{
	return e->nrules;
}

int rules_compile_stats(const struct rules_engine *e, uint32_t slot, struct rules_stats *out)
{
	struct rules_counter *per = calloc((size_t)e->ncpus, sizeof(*per));
	uint64_t last = 0;
	int err;

	if (!per)
		return -ENOMEM;
	memset(out, 0, sizeof(*out));
	err = slot < e->rules_cap && e->rules[slot].flags & RULES_R_USED ? 0 : -ENOENT;
	/* Beyond the counters map: the rule was never hit since the map was sized. */
	for (int c = 0; !err && slot < e->maps->cap[RULES_M_COUNTERS] && c < e->ncpus; c++) {
		uint32_t idx = (uint32_t)c * e->maps->cap[RULES_M_COUNTERS] + slot;

		err = bpf_map_lookup_elem(e->maps->fd[RULES_M_COUNTERS], &idx, &per[c]);
	}
	for (int c = 0; !err && c < e->ncpus; c++) {
		out->packets += per[c].packets;
		out->bytes += per[c].bytes;
		out->dropped += per[c].dropped;
		if (per[c].last_hit > last)
			last = per[c].last_hit;
	}
	out->last_hit_ns = err ? 0 : rules_clock_to_ns(&e->clock, last);
	free(per);
	return err;
}
