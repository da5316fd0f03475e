// SPDX-License-Identifier: GPL-2.0-only
/* The audit trail: one log line per change or refused attempt, key=value pairs that journald
 * and log shippers index, naming who (peer, certificate identity, role, listener) did what. */
#include <stdio.h>
#include <string.h>

#include "agent.h"
#include "log.h"

/* Values with spaces or quotes are quoted, so a line always splits into the same pairs. */
static void put_value(char *buf, size_t len, const char *v)
{
	size_t n = 0;

	if (!strpbrk(v, " \"=") && *v) {
		snprintf(buf, len, "%s", v);
		return;
	}
	if (n < len - 1)
		buf[n++] = '"';
	for (; *v && n < len - 3; v++) {
		if (*v == '"' || *v == '\\')
			buf[n++] = '\\';
		buf[n++] = *v;
	}
	buf[n++] = '"';
	buf[n] = '\0';
}

void agent_audit(void *data, const struct rpc_audit_record *r)
{
	char peer[160], id[300], listener[300], msg[600];

	(void)data;
	put_value(peer, sizeof(peer), r->peer);
	put_value(id, sizeof(id), r->identity ? r->identity : "-");
	put_value(listener, sizeof(listener), r->listener);
	put_value(msg, sizeof(msg), r->message);
	if (r->code == GRPC_STATUS_OK)
		log_info("audit: method=%s result=ok peer=%s identity=%s role=%s listener=%s %s", r->method, peer,
			 id, rpc_role_name(r->role), listener, r->detail);
	else
		log_warn("audit: method=%s result=%s peer=%s identity=%s role=%s listener=%s error=%s", r->method,
			 rpc_status_name(r->code), peer, id, rpc_role_name(r->role), listener, msg);
}
