// SPDX-License-Identifier: GPL-2.0-only
/* One rule as the fields of a state file record, and back (see rules_store_internal.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "rules_store_internal.h"

void rules_record_format(const struct rules_store_rule *r, struct rules_record_text *t)
{
	const struct rules_spec *s = &r->spec;

	record_format_u64(r->id, t->id);
	record_format_u64(r->slot, t->slot);
	if (!s->has_src || cidr_format(&s->src, t->src, sizeof(t->src)))
		strcpy(t->src, "any");
	if (s->has_ports)
		snprintf(t->ports, sizeof(t->ports), "%u-%u", s->port_min, s->port_max);
	else
		strcpy(t->ports, "-");
	record_format_u64(s->limit_pps, t->pps);
	record_format_u64(r->created_unix, t->created);
	record_format_u64(r->expires_unix, t->expires);
	t->fields[0] = t->id;
	t->fields[1] = t->slot;
	t->fields[2] = rules_action_name(s->action);
	t->fields[3] = t->src;
	t->fields[4] = rules_proto_name(s->proto);
	t->fields[5] = t->ports;
	t->fields[6] = t->pps;
	t->fields[7] = t->created;
	t->fields[8] = t->expires;
	t->fields[9] = r->tag ? r->tag : "";
	t->fields[10] = r->comment ? r->comment : "";
}

static int bad(const char **why, const char *what)
{
	*why = what;
	return -EINVAL;
}

/* Fields as rules_record_format() writes them; tag and comment point into f. */
int rules_record_parse(char *const *f, struct rules_store_rule *out, const char **why)
{
	struct rules_spec *s = &out->spec;
	struct rules_error err;
	uint64_t v;

	memset(out, 0, sizeof(*out));
	if (record_u64(f[0], UINT64_MAX, &out->id) || !out->id)
		return bad(why, "bad rule id");
	if (record_u64(f[1], UINT32_MAX - 1, &v))
		return bad(why, "bad slot");
	out->slot = (uint32_t)v;
	if (rules_parse_action(f[2], &s->action))
		return bad(why, "unknown action");
	if (strcmp(f[3], "any")) {
		if (cidr_parse(f[3], NULL, &s->src, NULL))
			return bad(why, "bad source prefix");
		s->has_src = true;
	}
	if (rules_parse_proto(f[4], &s->proto))
		return bad(why, "unknown protocol");
	if (strcmp(f[5], "-")) {
		if (rules_parse_ports(f[5], &s->port_min, &s->port_max))
			return bad(why, "bad port range");
		s->has_ports = true;
	}
	if (record_u64(f[6], RULES_LIMIT_PPS_MAX, &s->limit_pps))
		return bad(why, "bad limit_pps");
	if (record_u64(f[7], UINT64_MAX, &out->created_unix) || record_u64(f[8], UINT64_MAX, &out->expires_unix))
		return bad(why, "bad time");
	if (strlen(f[9]) > RULES_STORE_TEXT_MAX || strlen(f[10]) > RULES_STORE_TEXT_MAX)
		return bad(why, "tag or comment too long");
	out->tag = f[9];
	out->comment = f[10];
	if (rules_spec_validate(s, &err))
		return bad(why, "not a valid rule");
	return 0;
}
