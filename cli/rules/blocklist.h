/* SPDX-License-Identifier: GPL-2.0-only */
/* Blocklist files (FireHOL .netset/.ipset, Spamhaus DROP/EDROP v4 and v6, plain lists) read line
 * by line into unique prefixes, with duplicates and invalid lines counted and located. */
#ifndef XDPFLEET_CLI_BLOCKLIST_H
#define XDPFLEET_CLI_BLOCKLIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "cidr.h"

/* Invalid and duplicate lines kept with their details; the counts are always exact. */
#define BLOCKLIST_NOTES_MAX 20
#define BLOCKLIST_WHY_MAX 160
#define BLOCKLIST_TEXT_MAX 48

struct blocklist_opts {
	bool normalise; /* clear host bits ("10.1.2.3/8" -> 10.0.0.0/8) instead of refusing */
};

/* One invalid or duplicate line. */
struct blocklist_note {
	size_t line;
	size_t first_line; /* duplicates: the line the entry first appeared on */
	char text[BLOCKLIST_TEXT_MAX]; /* the entry as written, shortened with "..." */
	char why[BLOCKLIST_WHY_MAX];   /* invalid: what is wrong */
};

struct blocklist {
	struct blocklist_opts opts;
	struct cidr *entries; /* unique, in file order */
	size_t *entry_line;   /* line of each entry */
	size_t n, cap;
	size_t lines;      /* lines read, comments and blanks included */
	size_t duplicates; /* entries folded into an earlier equal one */
	size_t invalid;
	struct blocklist_note bad[BLOCKLIST_NOTES_MAX];
	struct blocklist_note dup[BLOCKLIST_NOTES_MAX];
	/* Open addressing set of entry indices + 1 (0: free), for duplicate folding. */
	size_t *slots;
	size_t n_slots; /* a power of two, at least twice n */
};

void blocklist_init(struct blocklist *bl, const struct blocklist_opts *opts);
void blocklist_free(struct blocklist *bl);
/* One line without its '\n' (a '\r' before it is fine). Comments start at '#' or ';'. Blank
 * and comment-only lines count as lines and nothing else. Returns 0 or -ENOMEM; a bad entry is
 * not an error here: it is counted and noted. */
int blocklist_add_line(struct blocklist *bl, const char *line, size_t len);
/* Every line of f. Returns 0, -ENOMEM, or -EIO on a read error. */
int blocklist_read(struct blocklist *bl, FILE *f);
/* How many entries lie inside another entry of the list (overlaps are legal rules: the most
 * specific one gets the hit; this is for the operator's information). O(n log n). */
int blocklist_count_nested(const struct blocklist *bl, size_t *nested);

/* One address or CIDR as an operator wrote it. On -EINVAL, why (if not NULL) says what is
 * wrong, naming the value and, for host bits, the network it probably meant. */
int blocklist_parse_prefix(const char *s, bool normalise, struct cidr *out, char *why,
			   size_t whylen);

#endif
