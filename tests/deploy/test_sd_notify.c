// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of sd_notify_send (lib/util/sd_notify.c): datagrams to path and abstract sockets
 * arrive intact, no $NOTIFY_SOCKET is a quiet no-op, unusable addresses are refused. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "sd_notify.h"

/* A bound datagram socket standing in for systemd; ADDR as $NOTIFY_SOCKET spells it. */
static int bind_listener(const char *addr)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t len = strlen(addr);
	struct timeval tv = { .tv_sec = 2 };
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	memcpy(sa.sun_path, addr, len);
	if (addr[0] == '@')
		sa.sun_path[0] = '\0';
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len)), 0);
	assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), 0);
	return fd;
}

/* Sends STATE through $NOTIFY_SOCKET=ADDR and checks the listener gets exactly STATE. */
static void roundtrip(const char *addr, const char *state)
{
	char buf[64];
	int fd = bind_listener(addr);
	ssize_t n;

	assert_int_equal(setenv("NOTIFY_SOCKET", addr, 1), 0);
	errno = 4242;
	assert_int_equal(sd_notify_send(state), 0);
	assert_int_equal(errno, 4242);
	n = recv(fd, buf, sizeof(buf), 0);
	assert_int_equal(n, (ssize_t)strlen(state));
	assert_memory_equal(buf, state, strlen(state));
	close(fd);
}

static void test_path_socket(void **state)
{
	char dir[] = "/tmp/xf-sdnotify.XXXXXX", path[96];

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/notify", dir);
	roundtrip(path, "READY=1");
	unlink(path);
	rmdir(dir);
}

static void test_abstract_socket(void **state)
{
	char addr[64];

	(void)state;
	snprintf(addr, sizeof(addr), "@xf-sdnotify-test-%d", (int)getpid());
	roundtrip(addr, "STOPPING=1");
}

static void test_unset_is_a_no_op(void **state)
{
	(void)state;
	assert_int_equal(unsetenv("NOTIFY_SOCKET"), 0);
	assert_int_equal(sd_notify_send("READY=1"), 0);
	assert_int_equal(setenv("NOTIFY_SOCKET", "", 1), 0);
	assert_int_equal(sd_notify_send("READY=1"), 0);
}

static void test_bad_addresses(void **state)
{
	char longpath[sizeof(((struct sockaddr_un *)0)->sun_path) + 2];

	(void)state;
	assert_int_equal(setenv("NOTIFY_SOCKET", "relative/path", 1), 0);
	assert_int_equal(sd_notify_send("READY=1"), -EINVAL);
	assert_int_equal(setenv("NOTIFY_SOCKET", "@", 1), 0);
	assert_int_equal(sd_notify_send("READY=1"), -EINVAL);
	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = '\0';
	assert_int_equal(setenv("NOTIFY_SOCKET", longpath, 1), 0);
	assert_int_equal(sd_notify_send("READY=1"), -EINVAL);
	/* A path filling sun_path leaves no room for its NUL. */
	longpath[sizeof(longpath) - 2] = '\0';
	assert_int_equal(setenv("NOTIFY_SOCKET", longpath, 1), 0);
	assert_int_equal(sd_notify_send("READY=1"), -EINVAL);
}

/* An abstract name needs no NUL, so it may fill sun_path. */
static void test_longest_abstract_name(void **state)
{
	char addr[sizeof(((struct sockaddr_un *)0)->sun_path) + 1];
	int n;

	(void)state;
	n = snprintf(addr, sizeof(addr), "@xf-sdnotify-test-%d-", (int)getpid());
	memset(addr + n, 'x', sizeof(addr) - 1 - (size_t)n);
	addr[sizeof(addr) - 1] = '\0';
	roundtrip(addr, "READY=1");
}

static void test_nobody_listening(void **state)
{
	(void)state;
	assert_int_equal(setenv("NOTIFY_SOCKET", "/nonexistent/xf-sdnotify", 1), 0);
	assert_int_equal(sd_notify_send("READY=1"), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_path_socket),
		cmocka_unit_test(test_abstract_socket),
		cmocka_unit_test(test_unset_is_a_no_op),
		cmocka_unit_test(test_bad_addresses),
		cmocka_unit_test(test_longest_abstract_name),
		cmocka_unit_test(test_nobody_listening),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
