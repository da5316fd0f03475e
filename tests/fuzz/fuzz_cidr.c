// SPDX-License-Identifier: GPL-2.0-only
/* libFuzzer target: the CIDR parser. Whatever it accepts formats back to text it parses to the
 * same prefix, with no host bits. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cidr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cidr_parse_opts norm = { .normalise = true };
	struct cidr c, again;
	char in[128], out[CIDR_STR_MAX];
	const char *why;

	if (size >= sizeof(in))
		return 0;
	memcpy(in, data, size);
	in[size] = '\0';
	for (int pass = 0; pass < 2; pass++) {
		if (cidr_parse(in, pass ? &norm : NULL, &c, &why))
			continue;
		if (cidr_format(&c, out, sizeof(out)) || cidr_parse(out, NULL, &again, &why) || !cidr_equal(&c, &again))
			abort();
	}
	return 0;
}
