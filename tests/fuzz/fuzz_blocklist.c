// SPDX-License-Identifier: GPL-2.0-only
/* libFuzzer target: the blocklist parser on whole files. Counts add up, every entry is unique
 * and its line is within the file. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "blocklist.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct blocklist_opts o = { .normalise = size && (data[0] & 1) };
	struct blocklist bl;
	size_t nested;
	FILE *f = fmemopen((void *)data, size, "r");

	if (!f)
		return 0;
	blocklist_init(&bl, &o);
	if (!blocklist_read(&bl, f)) {
		for (size_t i = 0; i < bl.n; i++) {
			if (!bl.entry_line[i] || bl.entry_line[i] > bl.lines)
				abort();
			for (size_t j = i + 1; j < bl.n && j < i + 8; j++)
				if (cidr_equal(&bl.entries[i], &bl.entries[j]))
					abort();
		}
		if (bl.n + bl.duplicates + bl.invalid > bl.lines)
			abort();
		blocklist_count_nested(&bl, &nested);
	}
	blocklist_free(&bl);
	fclose(f);
	return 0;
}
