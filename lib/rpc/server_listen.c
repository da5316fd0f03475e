// SPDX-License-Identifier: GPL-2.0-only
/* Server listeners: unix sockets with owner/group/mode, TCP with TLS, mTLS or (if asked) plaintext. */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <grpc/grpc_security.h>

#include "fs.h"
#include "server_internal.h"

/* The socket's directory, searchable by all so that --socket-group members reach the socket
 * (which its own mode protects). */
static int mkdir_parents(const char *path)
{
	char buf[sizeof(((struct sockaddr_un *)0)->sun_path)];

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return -ENAMETOOLONG;
	return fs_mkdir_p(dirname(buf), 0755);
}

/* gRPC silently unlinks whatever sits at the path, so refuse to steal a live agent's socket. */
static int unix_socket_in_use(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, in_use;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	in_use = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	close(fd);
	return in_use;
}

int rpc_listener_check(const struct rpc_listener *l, char *err, size_t errlen)
{
	int ret;

	if (strncmp(l->addr, "unix:", 5))
		return 0;
	ret = unix_socket_in_use(l->addr + 5);
	if (ret)
		snprintf(err, errlen, "listen %s: %s", l->addr,
			 ret > 0 ? "another server is already listening there" : strerror(-ret));
	return ret > 0 ? -EADDRINUSE : ret;
}

static int add_unix(grpc_server *server, const struct rpc_listener *l, char *err, size_t errlen)
{
	const char *path = l->addr + strlen("unix:");
	mode_t mode = l->unix_mode ? l->unix_mode : 0660;
	grpc_server_credentials *creds;
	mode_t old_umask;
	int ret, port;

	ret = mkdir_parents(path);
	if (ret) {
		snprintf(err, errlen, "listen %s: cannot create its directory: %s", l->addr, strerror(-ret));
		return ret;
	}
	ret = rpc_listener_check(l, err, errlen);
	if (ret)
		return ret;
	/* Bind with the final mode so the socket is never reachable with looser permissions. */
	creds = grpc_insecure_server_credentials_create();
	old_umask = umask(0777 & ~mode);
	port = grpc_server_add_http2_port(server, l->addr, creds);
	umask(old_umask);
	grpc_server_credentials_release(creds);
	if (!port) {
		snprintf(err, errlen, "listen %s: cannot bind (bad path or no permission?)", l->addr);
		return -EADDRNOTAVAIL;
	}
	if (chmod(path, mode) ||
	    ((l->unix_uid != (uid_t)-1 || l->unix_gid != (gid_t)-1) && chown(path, l->unix_uid, l->unix_gid))) {
		ret = -errno;
		snprintf(err, errlen, "listen %s: cannot set owner or mode: %s", l->addr, strerror(errno));
		return ret;
	}
	return 0;
}

static grpc_server_credentials *tls_creds(const struct rpc_listener *l, char *err, size_t errlen)
{
	grpc_ssl_pem_key_cert_pair pair = { 0 };
	grpc_server_credentials *creds;
	struct rpc_pems pem;
	char why[RPC_ERR_MAX];

	if (!l->tls_cert || !l->tls_key) {
		snprintf(err, errlen, "listen %s: TCP needs a TLS certificate and key, or insecure mode",
			 l->addr);
		return NULL;
	}
	if (rpc_pems_read(&pem, l->tls_client_ca, l->tls_cert, l->tls_key, why, sizeof(why))) {
		snprintf(err, errlen, "listen %s: %s", l->addr, why);
		return NULL;
	}
	pair.private_key = pem.key;
	pair.cert_chain = pem.cert;
	creds = grpc_ssl_server_credentials_create_ex(
		pem.ca, &pair, 1,
		pem.ca ? GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY : GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE,
		NULL);
	if (!creds)
		snprintf(err, errlen, "listen %s: bad TLS certificate, key or client CA", l->addr);
	rpc_pems_free(&pem);
	return creds;
}

int rpc_listener_add(grpc_server *server, const struct rpc_listener *l, int *port, char *err, size_t errlen)
{
	grpc_server_credentials *creds;

	*port = 0;
	if (!strncmp(l->addr, "unix:", 5))
		return add_unix(server, l, err, errlen);
	creds = l->insecure || l->health_only ? grpc_insecure_server_credentials_create() : tls_creds(l, err, errlen);
	if (!creds)
		return -EINVAL;
	*port = grpc_server_add_http2_port(server, l->addr, creds);
	grpc_server_credentials_release(creds);
	if (!*port) {
		snprintf(err, errlen, "listen %s: cannot bind (address in use, not local, or not HOST:PORT?)",
			 l->addr);
		return -EADDRNOTAVAIL;
	}
	return 0;
}
