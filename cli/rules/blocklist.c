// SPDX-License-Identifier: GPL-2.0-only
/* Blocklist parsing (see blocklist.h): one pass, a hash set for duplicates, lib/util/cidr for the
 * entries themselves. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "blocklist.h"
#include "prefix_sort.h"

void blocklist_init(struct blocklist *bl, const struct blocklist_opts *opts)
{
	memset(bl, 0, sizeof(*bl));
	if (opts)
		bl->opts = *opts;
}

void blocklist_free(struct blocklist *bl)
{
	free(bl->entries);
	free(bl->entry_line);
	free(bl->slots);
	memset(bl, 0, sizeof(*bl));
}

int blocklist_parse_prefix(const char *s, bool normalise, struct cidr *out, char *why,
			   size_t whylen)
{
	const struct cidr_parse_opts strict = { .normalise = normalise };
	const struct cidr_parse_opts loose = { .normalise = true };
	char net[CIDR_STR_MAX];
	const char *reason = NULL;
	struct cidr c;

	if (!cidr_parse(s, &strict, out, &reason))
		return 0;
	/* Host bits are the one mistake with an obvious fix: name the network meant. */
	if (!normalise && !cidr_parse(s, &loose, &c, NULL) && !cidr_format(&c, net, sizeof(net))) {
		if (why)
			snprintf(why, whylen, "host bits set after the prefix length (the network is "
				 "%s; --normalise clears host bits)", net);
		return -EINVAL;
	}
	if (why)
		snprintf(why, whylen, "%s", reason ? reason : "not an address or CIDR");
	return -EINVAL;
}

static void blocklist_note_text(struct blocklist_note *n, const char *s, size_t len)
{
	if (len < sizeof(n->text)) {
		memcpy(n->text, s, len);
		n->text[len] = '\0';
		return;
	}
	memcpy(n->text, s, sizeof(n->text) - 4);
	strcpy(n->text + sizeof(n->text) - 4, "...");
}

static void blocklist_invalid(struct blocklist *bl, const char *s, size_t len, const char *why)
{
	struct blocklist_note *n;

	if (bl->invalid < BLOCKLIST_NOTES_MAX) {
		n = &bl->bad[bl->invalid];
		n->line = bl->lines;
		blocklist_note_text(n, s, len);
		snprintf(n->why, sizeof(n->why), "%s", why);
	}
	bl->invalid++;
}

/* splitmix64's finaliser: IPv4 entries differ only in a few middle bytes, which a weaker mix
 * would leave clustered in the low bits the table uses. */
static uint64_t blocklist_mix(uint64_t h)
{
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ull;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebull;
	return h ^ (h >> 31);
}

static uint64_t blocklist_hash(const struct cidr *c)
{
	uint64_t a, b;

	memcpy(&a, c->addr, 8);
	memcpy(&b, c->addr + 8, 8);
	return blocklist_mix(a ^ blocklist_mix(b ^ ((uint64_t)c->family << 8 | c->plen)));
}

/* The slot holding c, or the free slot where it would go. */
static size_t *blocklist_slot(const struct blocklist *bl, const struct cidr *c)
{
	size_t mask = bl->n_slots - 1, i = blocklist_hash(c) & mask;

	while (bl->slots[i] && !cidr_equal(&bl->entries[bl->slots[i] - 1], c))
		i = (i + 1) & mask;
	return &bl->slots[i];
}

static int blocklist_grow(struct blocklist *bl)
{
	size_t cap = bl->cap ? bl->cap * 2 : 1024, i, *slots, *lines;
	struct cidr *entries;

	entries = realloc(bl->entries, cap * sizeof(*entries));
	if (!entries)
		return -ENOMEM;
	bl->entries = entries;
	lines = realloc(bl->entry_line, cap * sizeof(*lines));
	if (!lines)
		return -ENOMEM;
	bl->entry_line = lines;
	slots = calloc(cap * 2, sizeof(*slots));
	if (!slots)
		return -ENOMEM;
	free(bl->slots);
	bl->slots = slots;
	bl->n_slots = cap * 2;
	bl->cap = cap;
	for (i = 0; i < bl->n; i++)
		*blocklist_slot(bl, &bl->entries[i]) = i + 1;
	return 0;
}

static int blocklist_add_entry(struct blocklist *bl, const struct cidr *c, const char *s,
			       size_t len)
{
	struct blocklist_note *n;
	size_t *slot;
	int err;

	if (bl->n == bl->cap) {
		err = blocklist_grow(bl);
		if (err)
			return err;
	}
	slot = blocklist_slot(bl, c);
	if (*slot) {
		if (bl->duplicates < BLOCKLIST_NOTES_MAX) {
			n = &bl->dup[bl->duplicates];
			n->line = bl->lines;
			n->first_line = bl->entry_line[*slot - 1];
			blocklist_note_text(n, s, len);
		}
		bl->duplicates++;
		return 0;
	}
	bl->entries[bl->n] = *c;
	bl->entry_line[bl->n] = bl->lines;
	*slot = ++bl->n;
	return 0;
}

static bool blocklist_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

int blocklist_add_line(struct blocklist *bl, const char *line, size_t len)
{
	char buf[CIDR_STR_MAX], why[BLOCKLIST_WHY_MAX];
	const char *s = line, *end, *tok_end;
	struct cidr c;

	bl->lines++;
	/* Lists saved by Windows tools may start with a UTF-8 byte order mark. */
	if (bl->lines == 1 && len >= 3 && !memcmp(line, "\xef\xbb\xbf", 3)) {
		line += 3;
		len -= 3;
		s = line;
	}
	end = memchr(line, '#', len);
	end = end ? end : line + len;
	tok_end = memchr(line, ';', (size_t)(end - line));
	end = tok_end ? tok_end : end;
	while (s < end && blocklist_space(*s))
		s++;
	while (end > s && blocklist_space(end[-1]))
		end--;
	if (s == end)
		return 0;
	for (tok_end = s; tok_end < end && !blocklist_space(*tok_end); tok_end++)
		;
	if (tok_end != end) {
		blocklist_invalid(bl, s, (size_t)(end - s),
				  "more than one word (one address or CIDR per line)");
		return 0;
	}
	if ((size_t)(end - s) >= sizeof(buf) || memchr(s, '\0', (size_t)(end - s))) {
		blocklist_invalid(bl, s, (size_t)(end - s), "not an address or CIDR");
		return 0;
	}
	memcpy(buf, s, (size_t)(end - s));
	buf[end - s] = '\0';
	if (blocklist_parse_prefix(buf, bl->opts.normalise, &c, why, sizeof(why))) {
		blocklist_invalid(bl, s, (size_t)(end - s), why);
		return 0;
	}
	return blocklist_add_entry(bl, &c, s, (size_t)(end - s));
}

int blocklist_read(struct blocklist *bl, FILE *f)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int err = 0;

	while ((len = getline(&line, &cap, f)) >= 0) {
		if (len && line[len - 1] == '\n')
			len--;
		err = blocklist_add_line(bl, line, (size_t)len);
		if (err)
			goto out;
	}
	if (ferror(f))
		err = -EIO;
out:
	free(line);
	return err;
}

int blocklist_count_nested(const struct blocklist *bl, size_t *nested)
{
	struct prefix_key *keys = NULL, *sorted = NULL;
	const struct cidr **stack = NULL, *c;
	size_t depth = 0, count = 0;
	int err = -ENOMEM;

	*nested = 0;
	if (!bl->n)
		return 0;
	keys = malloc(bl->n * sizeof(*keys));
	stack = malloc(bl->n * sizeof(*stack));
	if (!keys || !stack)
		goto out;
	for (size_t i = 0; i < bl->n; i++)
		keys[i] = prefix_key_of(bl->entries[i].addr, bl->entries[i].family == 4 ? 1 : 2,
					bl->entries[i].plen, (uint32_t)i);
	err = prefix_sort(keys, bl->n, &sorted);
	if (err)
		goto out;
	/* Prefixes nest or are disjoint; sorted by address then length, every enclosing prefix
	 * comes before what it holds, so a stack of the open ones finds each one's parent. */
	for (size_t i = 0; i < bl->n; i++) {
		c = &bl->entries[sorted[i].idx];
		while (depth && !cidr_contains(stack[depth - 1], c))
			depth--;
		count += depth > 0;
		stack[depth++] = c;
	}
	*nested = count;
out:
	free(keys);
	free(sorted);
	free(stack);
	return err;
}
