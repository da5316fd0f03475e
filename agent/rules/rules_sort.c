// SPDX-License-Identifier: GPL-2.0-only
/* Sorting an AddRules batch by (family, address, length, position) with prefix_sort(). */
#include "rules_engine.h"

#include <errno.h>
#include <stdlib.h>

int rules_sort_batch(const struct rules_rule *recs, size_t n, struct prefix_key **sorted)
{
	struct prefix_key *k = malloc((n + 1) * sizeof(*k));
	int err;

	if (!k)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		k[i] = prefix_key_of(recs[i].addr, recs[i].fam, recs[i].plen, (uint32_t)i);
	err = prefix_sort(k, n, sorted);
	free(k);
	return err;
}
