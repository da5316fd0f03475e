// SPDX-License-Identifier: GPL-2.0-only
/* libFuzzer target: the state loaders. The input is split at "\n--\n" into a rules snapshot,
 * rules journals and an attachments file, written to a directory and loaded: a load either
 * succeeds or says which file and line are wrong; nothing crashes or leaks. With the first
 * byte odd, every line's checksum is made right before writing, so mutations reach the field
 * parsers behind it instead of stopping at the CRC. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "attachments_file.h"
#include "log.h"
#include "rules_store.h"

static char fuzz_dir[64];

/* Writes one line with its last tab-separated field replaced by the CRC32 of the rest. */
static void put_fixed_line(FILE *f, const uint8_t *line, size_t len)
{
	const uint8_t *tab = len ? memrchr(line, '\t', len) : NULL;
	size_t body = tab ? (size_t)(tab - line) : len;

	fwrite(line, 1, body, f);
	fprintf(f, "\t%08lx", crc32(crc32(0L, Z_NULL, 0), line, (uInt)body) & 0xffffffffUL);
}

static void put(const char *name, const uint8_t *data, size_t len, bool fix_crc)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", fuzz_dir, name);
	f = fopen(path, "w");
	if (!f)
		abort();
	while (fix_crc && len) {
		const uint8_t *nl = memchr(data, '\n', len);
		size_t n = nl ? (size_t)(nl - data) : len;

		put_fixed_line(f, data, n);
		if (nl)
			fputc('\n', f);
		data += nl ? n + 1 : n;
		len -= nl ? n + 1 : n;
	}
	fwrite(data, 1, len, f);
	fclose(f);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_set_level(LOG_ERR); /* torn journals are warned about: expected here, thousands of times */
	strcpy(fuzz_dir, "/tmp/xf-fuzz-state.XXXXXX");
	if (!mkdtemp(fuzz_dir))
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "snapshot", "journal-0000000000000001", "journal-0000000000000002",
					     "attachments.tsv" };
	struct rules_store_opts so = { .dir = fuzz_dir, .compact_in_foreground = true };
	struct rules_store_image img;
	struct attachment_record *recs;
	struct rules_store *st;
	char err[512], path[128];
	size_t part = 0, n;
	bool fix_crc;

	for (size_t i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "%s/%s", fuzz_dir, names[i]);
		unlink(path);
	}
	if (!size)
		return 0;
	fix_crc = data[0] & 1;
	data++;
	size--;
	while (size && part < 4) {
		const uint8_t *sep = memmem(data, size, "\n--\n", 4);
		size_t len = sep ? (size_t)(sep - data) + 1 : size;

		put(names[part++], data, len, fix_crc);
		data += sep ? len + 3 : len;
		size -= sep ? len + 3 : len;
	}
	if (rules_store_open(&st, &so, err, sizeof(err)))
		abort();
	if (!rules_store_load(st, &img, err, sizeof(err)))
		rules_store_image_free(&img);
	else if (!strstr(err, fuzz_dir))
		abort(); /* an error must name the file */
	rules_store_close(st);
	if (part == 4) {
		snprintf(path, sizeof(path), "%s/attachments.tsv", fuzz_dir);
		if (!attachments_file_load(path, &recs, &n, err, sizeof(err)))
			free(recs);
	}
	return 0;
}
