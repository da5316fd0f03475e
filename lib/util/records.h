/* SPDX-License-Identifier: GPL-2.0-only */
/* Line records for the agent's state files: tab-separated escaped fields ending in a CRC32 of
 * the line, so damage anywhere in a file is found, and named, at its line. */
#ifndef XDPFLEET_UTIL_RECORDS_H
#define XDPFLEET_UTIL_RECORDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define RECORD_MAX_FIELDS 16

/* A parsed line: fields point into the line buffer, unescaped in place. */
struct record {
	char *field[RECORD_MAX_FIELDS];
	size_t n;
};

/* Appends one record (fields escaped, tab separated, then the CRC and a newline) to f. */
int record_write(FILE *f, const char *const *fields, size_t n);

/* Parses line (len bytes, no newline; modified in place). Returns 0, or -EINVAL with *why set
 * to a static sentence ("checksum mismatch", "bad escape", "too many fields", ...). */
int record_parse(char *line, size_t len, struct record *out, const char **why);

/* Strict unsigned decimal: digits only, no sign, no overflow, at most max. */
int record_u64(const char *s, uint64_t max, uint64_t *out);
/* v in decimal into buf (RECORD_U64_MAX bytes); returns buf. printf's cost shows in snapshots
 * of a million rules. */
#define RECORD_U64_MAX 21
char *record_format_u64(uint64_t v, char *buf);

/* Reads a file line by line with line numbers; the last line may lack its newline (then
 * *complete is false: a write that was cut short). */
struct record_reader {
	FILE *f;
	char *buf;
	size_t cap;
	size_t lineno;
};

void record_reader_init(struct record_reader *r, FILE *f);
/* 1: *line and *len set (newline stripped); 0: end of file; -errno on a read error. A NUL byte in
 * a line is reported through *len not matching strlen(*line). */
int record_reader_next(struct record_reader *r, char **line, size_t *len, bool *complete);
void record_reader_free(struct record_reader *r);

#endif
