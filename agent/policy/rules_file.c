/* The rules file in --state-dir: a versioned, tab-separated text file, one rule per line,
 * replaced atomically after every change so a reboot (empty bpffs) restores the same rules. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomic_file.h"
#include "log.h"
#include "policy_internal.h"

#define POLICY_FILE_HEADER "# xdpfleet rules v1: id slot action src proto ports limit_pps created expires comment\n"
#define POLICY_FILE_FIELDS 10

/* Comments are free text: tabs, newlines and backslashes are escaped. */
static void put_escaped(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\t')
			fputs("\\t", f);
		else if (*s == '\n')
			fputs("\\n", f);
		else if (*s == '\\')
			fputs("\\\\", f);
		else
			fputc(*s, f);
	}
}

static void unescape(char *s)
{
	char *out = s;

	for (; *s; s++) {
		if (*s == '\\' && s[1]) {
			s++;
			*out++ = *s == 't' ? '\t' : *s == 'n' ? '\n' : *s;
		} else {
			*out++ = *s;
		}
	}
	*out = '\0';
}

static int fill(FILE *f, void *ctx)
{
	const struct policy *p = ctx;
	struct policy_rule r;
	uint32_t cursor = 0;

	fputs(POLICY_FILE_HEADER, f);
	fprintf(f, "next_id\t%" PRIu64 "\n", p->next_id);
	while (policy_next(p, &cursor, &r)) {
		char src[CIDR_STR_MAX] = "any";

		if (r.spec.has_src)
			cidr_format(&r.spec.src, src, sizeof(src));
		fprintf(f, "%" PRIu64 "\t%" PRIu32 "\t%s\t%s\t%s\t", r.id, r.slot, rules_action_name(r.spec.action),
			src, rules_proto_name(r.spec.proto));
		if (r.spec.has_ports)
			fprintf(f, "%u-%u\t", r.spec.port_min, r.spec.port_max);
		else
			fputs("-\t", f);
		fprintf(f, "%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\t", r.spec.limit_pps, r.created_unix, r.expires_unix);
		put_escaped(f, r.comment);
		fputc('\n', f);
	}
	return ferror(f) ? -EIO : 0;
}

int policy_file_save(const struct policy *p)
{
	return atomic_file_write(p->state_path, fill, (void *)p);
}

struct loaded_rule {
	uint64_t id, created, expires;
	uint32_t slot;
	char *comment;
};

static int parse_line(char *line, struct rules_spec *spec, struct loaded_rule *lr)
{
	/* A rule without a comment ends in a tab, which strtok_r swallows: give it a writable empty
	 * comment, since unescape() writes to it. */
	static char no_comment[1];
	char *field[POLICY_FILE_FIELDS], *save = NULL;
	struct rules_error err;
	int n = 0;

	for (char *t = strtok_r(line, "\t", &save); t && n < POLICY_FILE_FIELDS; t = strtok_r(NULL, "\t", &save))
		field[n++] = t;
	if (n == POLICY_FILE_FIELDS - 1)
		field[n++] = no_comment;
	if (n != POLICY_FILE_FIELDS)
		return -EINVAL;
	memset(spec, 0, sizeof(*spec));
	lr->id = strtoull(field[0], NULL, 10);
	lr->slot = strtoul(field[1], NULL, 10);
	if (!lr->id || rules_parse_action(field[2], &spec->action) || rules_parse_proto(field[4], &spec->proto))
		return -EINVAL;
	if (strcmp(field[3], "any")) {
		if (cidr_parse(field[3], NULL, &spec->src, NULL))
			return -EINVAL;
		spec->has_src = true;
	}
	if (strcmp(field[5], "-")) {
		if (rules_parse_ports(field[5], &spec->port_min, &spec->port_max))
			return -EINVAL;
		spec->has_ports = true;
	}
	spec->limit_pps = strtoull(field[6], NULL, 10);
	lr->created = strtoull(field[7], NULL, 10);
	lr->expires = strtoull(field[8], NULL, 10);
	unescape(field[9]);
	lr->comment = field[9];
	return rules_spec_validate(spec, &err);
}

/* Reads the file into parallel arrays; expired and unreadable lines are skipped and said. */
static int read_file(struct policy *p, FILE *f, struct rules_spec **specs, struct loaded_rule **lrs, char ***lines,
		     size_t *n)
{
	size_t cap = 0, lineno = 0, skipped = 0;
	uint64_t now = policy_now_unix();
	char *line = NULL;
	size_t len = 0;
	ssize_t got;
	int ret = 0;

	*n = 0;
	while ((got = getline(&line, &len, f)) > 0) {
		lineno++;
		if (line[got - 1] == '\n')
			line[--got] = '\0';
		if (!got || line[0] == '#')
			continue;
		if (!strncmp(line, "next_id\t", 8)) {
			p->next_id = strtoull(line + 8, NULL, 10);
			continue;
		}
		if (*n == cap) {
			cap = cap ? cap * 2 : 1024;
			*specs = realloc(*specs, cap * sizeof(**specs));
			*lrs = realloc(*lrs, cap * sizeof(**lrs));
			*lines = realloc(*lines, cap * sizeof(**lines));
			if (!*specs || !*lrs || !*lines) {
				ret = -ENOMEM;
				break;
			}
		}
		(*lines)[*n] = strdup(line);
		if (!(*lines)[*n]) {
			ret = -ENOMEM;
			break;
		}
		if (parse_line((*lines)[*n], &(*specs)[*n], &(*lrs)[*n])) {
			log_warn("rules file %s:%zu: unreadable, skipped", p->state_path, lineno);
			free((*lines)[*n]);
			skipped++;
			continue;
		}
		if ((*lrs)[*n].expires && (*lrs)[*n].expires <= now) {
			free((*lines)[*n]);
			continue;
		}
		(*n)++;
	}
	free(line);
	if (skipped)
		log_warn("rules file %s: %zu lines skipped", p->state_path, skipped);
	return ret;
}

int policy_file_load(struct policy *p, char *err, size_t errlen)
{
	struct rules_spec *specs = NULL;
	struct loaded_rule *lrs = NULL;
	struct rules_add_opts ao = { 0 };
	struct rules_error rerr = { 0 };
	uint32_t *slots = NULL, *got = NULL;
	char **lines = NULL;
	size_t n = 0;
	FILE *f;
	int ret;

	f = fopen(p->state_path, "re");
	if (!f && errno != ENOENT) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", p->state_path, strerror(-ret));
		return ret;
	}
	ret = f ? read_file(p, f, &specs, &lrs, &lines, &n) : 0;
	if (f)
		fclose(f);
	if (ret || !n)
		goto out;
	slots = malloc(n * sizeof(*slots));
	got = malloc(n * sizeof(*got));
	if (!slots || !got) {
		ret = -ENOMEM;
		goto out;
	}
	/* The saved slots keep the pinned counters with their rules; a file from an agent with more
	 * slots than this one falls back to fresh slots. */
	ao.slots = slots;
	for (size_t i = 0; i < n; i++) {
		slots[i] = lrs[i].slot;
		if (slots[i] >= p->maps.max_rules)
			ao.slots = NULL;
	}
	ret = rules_compile_add(p->engine, specs, n, &ao, got, NULL, &rerr);
	if (ret) {
		snprintf(err, errlen, "restoring rules from %s: rule %zu: %s: %s", p->state_path, rerr.index,
			 rerr.field ? rerr.field : "?", rerr.msg);
		goto out;
	}
	for (size_t i = 0; i < n && !ret; i++)
		if (!p->meta[got[i]].id)
			ret = policy_meta_set(p, got[i], lrs[i].id, lrs[i].created, lrs[i].expires, lrs[i].comment);
	if (!ret)
		log_info("rules: %zu restored from %s", n, p->state_path);
out:
	/* Pinned maps may still hold rules deleted after the last save (or all of them, when the
	 * file is gone): what the file says is what stays enforced. */
	if (!ret && p->maps.reused) {
		ret = rules_compile_prune(p->engine, &rerr);
		if (ret)
			snprintf(err, errlen, "pruning the pinned rule maps: %s", rerr.msg[0] ? rerr.msg : strerror(-ret));
	}
	if (ret == -ENOMEM)
		snprintf(err, errlen, "restoring rules from %s: out of memory", p->state_path);
	for (size_t i = 0; lines && i < n; i++)
		free(lines[i]);
	free(lines);
	free(specs);
	free(lrs);
	free(slots);
	free(got);
	return ret;
}
