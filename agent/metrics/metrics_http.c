// SPDX-License-Identifier: GPL-2.0-only
/* The /metrics endpoint: libmicrohttpd on its own thread. A scrape asks the serving loop for a
 * fresh page and waits briefly for it; a loop busy with a long call gets the previous page. */
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "metrics.h"

/* How long a scrape waits for the serving loop before it takes the page it has. */
#define METRICS_FRESH_WAIT_MS 1500
#define METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

struct metrics_http {
	struct MHD_Daemon *daemon;
	int fd; /* until the daemon takes it */
	int port;
	pthread_mutex_t lock;
	pthread_cond_t published;
	bool wanted;
	uint64_t generation; /* pages published so far */
	char *page;
	size_t len;
};

/* "HOST:PORT" or "[V6]:PORT" into a bound, listening socket. */
static int listen_on(const char *addr, int *fd_out, int *port_out, char *err, size_t errlen)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE | AI_NUMERICSERV };
	struct addrinfo *res = NULL;
	const char *colon = strrchr(addr, ':');
	char host[256];
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	int fd = -1, one = 1, ret;
	size_t hl;

	if (!colon || !colon[1] || (size_t)(colon - addr) >= sizeof(host)) {
		snprintf(err, errlen, "--metrics-listen %s: not HOST:PORT (e.g. 127.0.0.1:9477, [::]:9477)", addr);
		return -EINVAL;
	}
	hl = (size_t)(colon - addr);
	memcpy(host, addr, hl);
	host[hl] = '\0';
	if (hl >= 2 && host[0] == '[' && host[hl - 1] == ']') {
		memmove(host, host + 1, hl - 2);
		host[hl - 2] = '\0';
	}
	ret = getaddrinfo(host[0] ? host : NULL, colon + 1, &hints, &res);
	if (ret) {
		snprintf(err, errlen, "--metrics-listen %s: %s", addr, gai_strerror(ret));
		return -EINVAL;
	}
	fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, res->ai_addr, res->ai_addrlen) || listen(fd, 64) ||
	    getsockname(fd, (struct sockaddr *)&ss, &sl)) {
		ret = -errno;
		snprintf(err, errlen, "--metrics-listen %s: %s", addr, strerror(errno));
		goto out;
	}
	*port_out = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
						   : ((struct sockaddr_in *)&ss)->sin_port);
	*fd_out = fd;
	fd = -1;
	ret = 0;
out:
	if (fd >= 0)
		close(fd);
	freeaddrinfo(res);
	return ret;
}

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned int code, const char *type, const char *body,
			     size_t len)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ok;

	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (code == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	ok = MHD_queue_response(conn, code, r);
	MHD_destroy_response(r);
	return ok;
}

static void deadline_after(struct timespec *ts, unsigned int ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

static enum MHD_Result serve_metrics(struct metrics_http *m, struct MHD_Connection *conn)
{
	struct timespec until;
	enum MHD_Result ok;
	uint64_t want;

	deadline_after(&until, METRICS_FRESH_WAIT_MS);
	pthread_mutex_lock(&m->lock);
	want = m->generation + 1;
	m->wanted = true;
	while (m->generation < want && pthread_cond_timedwait(&m->published, &m->lock, &until) != ETIMEDOUT)
		;
	if (m->page)
		ok = reply(conn, MHD_HTTP_OK, METRICS_CONTENT_TYPE, m->page, m->len);
	else
		ok = reply(conn, MHD_HTTP_SERVICE_UNAVAILABLE, "text/plain", "agent busy: no metrics yet\n", 27);
	pthread_mutex_unlock(&m->lock);
	return ok;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
				  const char *version, const char *upload_data, size_t *upload_data_size,
				  void **req_cls)
{
	static const char not_found[] = "xdpfleetd serves its metrics at /metrics\n";
	static const char bad_method[] = "only GET and HEAD\n";

	(void)version;
	(void)upload_data;
	/* The first call for a request only announces its headers. */
	if (!*req_cls) {
		*req_cls = conn;
		return MHD_YES;
	}
	if (*upload_data_size) {
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return reply(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain", bad_method, sizeof(bad_method) - 1);
	if (strcmp(url, "/metrics"))
		return reply(conn, MHD_HTTP_NOT_FOUND, "text/plain", not_found, sizeof(not_found) - 1);
	return serve_metrics(cls, conn);
}

int metrics_http_start(struct metrics_http **out, const char *addr, char *err, size_t errlen)
{
	struct metrics_http *m = calloc(1, sizeof(*m));
	pthread_condattr_t ca;
	int ret;

	*out = NULL;
	if (!m)
		return -ENOMEM;
	m->fd = -1;
	pthread_mutex_init(&m->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&m->published, &ca);
	pthread_condattr_destroy(&ca);
	ret = listen_on(addr, &m->fd, &m->port, err, errlen);
	if (ret)
		goto out;
	/* Scrapers are few; a slow or idle one is dropped rather than holding a thread. */
	m->daemon = MHD_start_daemon(MHD_USE_AUTO_INTERNAL_THREAD, 0, NULL, NULL, on_request, m,
				     MHD_OPTION_LISTEN_SOCKET, m->fd, MHD_OPTION_CONNECTION_LIMIT, 32u,
				     MHD_OPTION_CONNECTION_TIMEOUT, 10u, MHD_OPTION_END);
	if (!m->daemon) {
		snprintf(err, errlen, "--metrics-listen %s: cannot start the HTTP server", addr);
		ret = -EIO;
		goto out;
	}
	m->fd = -1; /* the daemon's now: it closes it when it stops */
	*out = m;
	m = NULL;
out:
	metrics_http_stop(m);
	return ret;
}

void metrics_http_stop(struct metrics_http *m)
{
	if (!m)
		return;
	if (m->daemon)
		MHD_stop_daemon(m->daemon);
	if (m->fd >= 0)
		close(m->fd);
	pthread_cond_destroy(&m->published);
	pthread_mutex_destroy(&m->lock);
	free(m->page);
	free(m);
}

int metrics_http_port(const struct metrics_http *m)
{
	return m->port;
}

bool metrics_http_wanted(struct metrics_http *m)
{
	bool wanted;

	pthread_mutex_lock(&m->lock);
	wanted = m->wanted;
	pthread_mutex_unlock(&m->lock);
	return wanted;
}

void metrics_http_publish(struct metrics_http *m, char *page, size_t len)
{
	pthread_mutex_lock(&m->lock);
	free(m->page);
	m->page = page;
	m->len = len;
	m->wanted = false;
	m->generation++;
	pthread_cond_broadcast(&m->published);
	pthread_mutex_unlock(&m->lock);
}
