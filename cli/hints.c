// SPDX-License-Identifier: GPL-2.0-only
/* Connection hints (see hints.h). gRPC only says what failed ("Socket closed", "Ssl handshake
 * failed: ... wrong version number"); what it means depends on how the target was dialled,
 * which only the CLI knows. The texts matched are those of Debian's gRPC (1.51). */
#include <stdio.h>
#include <string.h>

#include "duration.h"
#include "hints.h"

static bool hints_has(const char *msg, const char *what)
{
	return strstr(msg, what) != NULL;
}

static bool hints_unix(const char *target)
{
	return target[0] == '/' || !strncmp(target, "unix:", 5);
}

static const char *hints_path(const char *target)
{
	return target[0] == '/' ? target : target + 5;
}

/* The peer closed the connection while TLS was being set up. */
static void hints_closed(const struct rpc_client_opts *c, const char *target, char *buf,
			 size_t len)
{
	if (c->insecure)
		snprintf(buf, len, "the agent at %s closed the plaintext connection: it may expect "
			 "TLS: give --tls-ca FILE (and --tls-cert/--tls-key if it wants client "
			 "certificates) instead of --insecure", target);
	else if (!c->tls_cert)
		snprintf(buf, len, "the agent at %s closed the connection during the TLS handshake: "
			 "it may require a client certificate: give --tls-cert FILE and --tls-key "
			 "FILE", target);
	else
		snprintf(buf, len, "the agent at %s closed the connection during the TLS handshake: "
			 "it may not accept this client certificate (signed by another CA than its "
			 "--tls-client-ca, or expired)", target);
}

/* The name after "Peer name " in gRPC's message, or "this name". */
static void hints_peer_name(const char *msg, char *name, size_t len)
{
	const char *p = strstr(msg, "Peer name ") + strlen("Peer name ");
	size_t n = strcspn(p, " ");

	snprintf(name, len, "%.*s", (int)(n < len ? n : len - 1), p);
}

static bool hints_tcp(const struct hints_call *c, grpc_status_code code, const char *msg,
		      char *buf, size_t len)
{
	const struct rpc_client_opts *o = c->client;
	char name[128], t[32];

	if (hints_has(msg, "Ssl handshake failed") &&
	    (hints_has(msg, "wrong version number") || hints_has(msg, "WRONG_VERSION_NUMBER") ||
	     hints_has(msg, "packet length too long") || hints_has(msg, "http request")))
		snprintf(buf, len, "the agent at %s speaks plaintext, not TLS: it has no --tls-cert; "
			 "use --insecure (trusted networks only), or give the agent a certificate",
			 c->target);
	else if (hints_has(msg, "Peer name ") && hints_has(msg, "is not in peer certificate")) {
		hints_peer_name(msg, name, sizeof(name));
		snprintf(buf, len, "the certificate of the agent at %s does not name '%s': give the "
			 "name it has with --tls-server-name NAME, or a tls_name=NAME label on this "
			 "target in the hosts file", c->target, name);
	} else if (hints_has(msg, "CERTIFICATE_VERIFY_FAILED") ||
		   hints_has(msg, "certificate verify failed"))
		snprintf(buf, len, "the certificate of the agent at %s is not signed by the CA of "
			 "--tls-ca (or has expired)", c->target);
	else if (hints_has(msg, "Socket closed") || hints_has(msg, "Connection reset by peer"))
		hints_closed(o, c->target, buf, len);
	else if (hints_has(msg, "Connection refused"))
		snprintf(buf, len, "nothing listens on %s: is xdpfleetd running there, listening "
			 "(--listen) on this address and port (the default port is 50051)?",
			 c->target);
	else if (hints_has(msg, "DNS resolution failed"))
		snprintf(buf, len, "the name in %s does not resolve: check its spelling, DNS and "
			 "/etc/hosts on this machine", c->target);
	else if (hints_has(msg, "No route to host") || hints_has(msg, "Network is unreachable"))
		snprintf(buf, len, "no route to %s from this machine: check the address and the "
			 "network", c->target);
	else if (code == GRPC_STATUS_DEADLINE_EXCEEDED)
		snprintf(buf, len, "no answer from %s within --timeout %s: packets may be dropped on "
			 "the way (a firewall?) or the agent is busy: check the path, or raise "
			 "--timeout", c->target, duration_format_ms(c->timeout_ms, t, sizeof(t)));
	else
		return false;
	return true;
}

static bool hints_socket(const struct hints_call *c, const char *msg, char *buf, size_t len)
{
	const char *path = hints_path(c->target);

	if (hints_has(msg, "No such file or directory"))
		snprintf(buf, len, "the socket %s does not exist: is xdpfleetd running on this "
			 "machine, listening (--listen) on unix:%s?", path, path);
	else if (hints_has(msg, "Permission denied"))
		snprintf(buf, len, "permission denied on %s: only its owner and group may connect "
			 "(the agent's --socket-group, see ls -l %s): join that group and log in "
			 "again, or run as root", path, path);
	else if (hints_has(msg, "Connection refused"))
		snprintf(buf, len, "nothing listens on %s (a socket file left by an agent that is "
			 "gone, or not a socket): is xdpfleetd running?", path);
	else
		return false;
	return true;
}

const char *hints_for(const struct hints_call *c, grpc_status_code code, const char *message,
		      char *buf, size_t len)
{
	const char *msg = message ? message : "";

	if (!len)
		return buf;
	buf[0] = '\0';
	if (code == GRPC_STATUS_OK || code == GRPC_STATUS_CANCELLED)
		return buf;
	if (code == GRPC_STATUS_PERMISSION_DENIED && hints_has(msg, "role"))
		snprintf(buf, len, "the agent gives this client too small a role for this: changes "
			 "need an identity the agent lists with --admin-identity, or a unix socket "
			 "without role=viewer");
	else if (hints_unix(c->target))
		hints_socket(c, msg, buf, len);
	else
		hints_tcp(c, code, msg, buf, len);
	return buf;
}
