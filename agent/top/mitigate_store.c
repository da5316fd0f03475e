// SPDX-License-Identifier: GPL-2.0-only
/* The triggers file: a header line, then one line per trigger of space separated fields:
 *   T id pps bps proto port plen4 plen6 action limit_pps ttl for created client|-
 * written whole through atomic_file_write, so a crash leaves the old or the new set. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomic_file.h"
#include "mitigate.h"

#define STORE_HEADER "xdpfleet-triggers 1"

struct store_ctx {
	const struct mit_trigger *t;
	size_t n;
};

static int fill(FILE *f, void *arg)
{
	const struct store_ctx *c = arg;
	char client[CIDR_STR_MAX];

	fprintf(f, "%s\n", STORE_HEADER);
	for (size_t i = 0; i < c->n; i++) {
		const struct mit_trigger *t = &c->t[i];

		if (!t->has_client || cidr_format(&t->client, client, sizeof(client)))
			snprintf(client, sizeof(client), "-");
		fprintf(f, "T %" PRIu64 " %" PRIu64 " %" PRIu64 " %u %u %u %u %d %" PRIu64 " %" PRIu64 " %u %" PRIu64 " %s\n",
			t->id, t->pps, t->bps, t->proto, t->port, t->plen4, t->plen6, (int)t->action, t->limit_pps,
			t->ttl_seconds, t->for_seconds, t->created_unix, client);
	}
	return ferror(f) ? -EIO : 0;
}

int mitigate_store_save(const char *path, const struct mit_trigger *t, size_t n)
{
	struct store_ctx c = { .t = t, .n = n };

	return atomic_file_write(path, fill, &c);
}

static int parse_line(const char *line, struct mit_trigger *t)
{
	unsigned proto, port, plen4, plen6, fors;
	char client[CIDR_STR_MAX + 1];
	int action, used = 0;

	memset(t, 0, sizeof(*t));
	if (sscanf(line,
		   "T %" SCNu64 " %" SCNu64 " %" SCNu64 " %u %u %u %u %d %" SCNu64 " %" SCNu64 " %u %" SCNu64
		   " %64s%n",
		   &t->id, &t->pps, &t->bps, &proto, &port, &plen4, &plen6, &action, &t->limit_pps, &t->ttl_seconds,
		   &fors, &t->created_unix, client, &used) != 13)
		return -EBADMSG;
	if (line[used] != '\n' && line[used] != '\0')
		return -EBADMSG;
	if (proto > 255 || port > 65535 || plen4 > 255 || plen6 > 255 || !t->id)
		return -EBADMSG;
	t->proto = (uint8_t)proto;
	t->port = (uint16_t)port;
	t->plen4 = (uint8_t)plen4;
	t->plen6 = (uint8_t)plen6;
	t->action = (enum rules_action)action;
	t->for_seconds = fors;
	if (strcmp(client, "-")) {
		if (cidr_parse(client, NULL, &t->client, NULL))
			return -EBADMSG;
		t->has_client = true;
	}
	return 0;
}

int mitigate_store_load(const char *path, struct mit_trigger *out, size_t max, size_t *n, char *err,
			size_t errlen)
{
	FILE *f = fopen(path, "r");
	char line[512];
	int ret = 0, lineno = 0;

	*n = 0;
	if (!f)
		return errno == ENOENT ? 0 : -errno;
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		if (lineno == 1) {
			if (strncmp(line, STORE_HEADER "\n", sizeof(STORE_HEADER))) {
				ret = -EBADMSG;
				break;
			}
			continue;
		}
		if (*n >= max || parse_line(line, &out[*n])) {
			ret = -EBADMSG;
			break;
		}
		(*n)++;
	}
	if (ret)
		snprintf(err, errlen, "%s:%d: not a trigger line", path, lineno);
	fclose(f);
	return ret;
}
