// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of xdpfleetd's options: the config file, flags over it, listeners and their roles,
 * the refusals that keep a host safe (no bare start, no unauthenticated TCP without --insecure),
 * and errors that name the file, line and option. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "options.h"

struct result {
	int ret;
	char out[8192], err[2048];
};

/* Runs options_parse on the arguments (NULL-terminated) into o. */
static void run(struct options *o, struct result *r, ...)
{
	char *argv[32] = { "xdpfleetd" };
	int argc = 1;
	va_list ap;
	FILE *out = fmemopen(r->out, sizeof(r->out), "w"), *err = fmemopen(r->err, sizeof(r->err), "w");

	va_start(ap, r);
	while ((argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	memset(r->out, 0, sizeof(r->out));
	memset(r->err, 0, sizeof(r->err));
	r->ret = options_parse(o, argc, argv, out, err);
	fclose(out);
	fclose(err);
}

static char *config(const char *text)
{
	static char path[64];
	FILE *f;

	strcpy(path, "/tmp/xf-options.XXXXXX");
	close(mkstemp(path));
	f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
	return path;
}

static void test_bare_start_refused(void **state)
{
	struct options o;
	struct result r;

	(void)state;
	run(&o, &r, NULL);
	assert_int_equal(r.ret, 2);
	assert_non_null(strstr(r.err, "nothing to do"));
	assert_non_null(strstr(r.err, "--config"));
	options_free(&o);
	run(&o, &r, "--help", NULL);
	assert_int_equal(r.ret, 1);
	assert_non_null(strstr(r.out, "--admin-identity ID"));
	assert_non_null(strstr(r.out, "SIGHUP"));
	options_free(&o);
}

static void test_config_and_flags(void **state)
{
	struct options o;
	struct result r;
	char *path = config("# an agent\n"
			    "listen = unix:/run/xf-test/a.sock\n"
			    "listen = unix:/run/xf-test/view.sock,role=viewer\n"
			    "state-dir = /var/lib/xf-test\n"
			    "protect = 198.18.0.0/15\n"
			    "max-rules = 4096\n"
			    "log-level = warning\n");

	(void)state;
	run(&o, &r, "--config", path, NULL);
	assert_int_equal(r.ret, 0);
	assert_int_equal(o.agent.n_listeners, 2);
	assert_string_equal(o.agent.listeners[0].addr, "unix:/run/xf-test/a.sock");
	assert_int_equal(o.agent.listeners[0].unix_role, RPC_ROLE_ADMIN);
	assert_string_equal(o.agent.listeners[1].addr, "unix:/run/xf-test/view.sock");
	assert_int_equal(o.agent.listeners[1].unix_role, RPC_ROLE_VIEWER);
	assert_string_equal(o.agent.state_dir, "/var/lib/xf-test");
	assert_int_equal(o.agent.max_rules, 4096);
	assert_int_equal(o.agent.lockout.n_protect, 1);
	options_free(&o);

	/* Flags win, wherever --config stands; a repeated flag replaces the file's list. */
	run(&o, &r, "--state-dir", "/tmp/elsewhere", "--config", path, "--listen", "unix:/tmp/x.sock", NULL);
	assert_int_equal(r.ret, 0);
	assert_string_equal(o.agent.state_dir, "/tmp/elsewhere");
	assert_int_equal(o.agent.n_listeners, 1);
	assert_string_equal(o.agent.listeners[0].addr, "unix:/tmp/x.sock");
	assert_int_equal(o.agent.lockout.n_protect, 1); /* not given as a flag: the file's */
	options_free(&o);
	unlink(path);
}

static void test_config_errors_name_the_line(void **state)
{
	struct options o;
	struct result r;
	char *path = config("listen = unix:/tmp/a.sock\nmax-rules = lots\n");

	(void)state;
	run(&o, &r, "--config", path, NULL);
	assert_int_equal(r.ret, 2);
	assert_non_null(strstr(r.err, ":2: --max-rules: 'lots'"));
	options_free(&o);
	unlink(path);
	path = config("listen = unix:/tmp/a.sock\n\nstate_dir = /x\n");
	run(&o, &r, "--config", path, NULL);
	assert_int_equal(r.ret, 2);
	assert_non_null(strstr(r.err, ":3: unknown key 'state_dir'"));
	options_free(&o);
	unlink(path);
	path = config("[agent]\nlisten = unix:/tmp/a.sock\n");
	run(&o, &r, "--config", path, NULL);
	assert_int_equal(r.ret, 2);
	assert_non_null(strstr(r.err, "no sections"));
	options_free(&o);
	unlink(path);
	run(&o, &r, "--config", "/nonexistent/agent.conf", NULL);
	assert_int_equal(r.ret, 2);
	assert_non_null(strstr(r.err, "/nonexistent/agent.conf: No such file"));
	options_free(&o);
}

/* TCP callers must be authenticated (mTLS) unless the operator says --insecure. */
static void test_tcp_security(void **state)
{
	struct options o;
	struct result r;

	(void)state;
	run(&o, &r, "--listen", "198.18.0.1:50051", NULL);
	assert_int_equal(r.ret, 2);
	assert_non_null(strstr(r.err, "TCP needs --tls-cert"));
	options_free(&o);
	run(&o, &r, "--listen", "198.18.0.1:50051", "--tls-cert", "c.pem", "--tls-key", "k.pem", NULL);
	assert_int_equal(r.ret, 2);
	assert_non_null(strstr(r.err, "TLS without --tls-client-ca"));
	options_free(&o);
	run(&o, &r, "--listen", "198.18.0.1:50051", "--tls-cert", "c.pem", "--tls-key", "k.pem", "--tls-client-ca",
	    "ca.pem", "--admin-identity", "ops.example", "--viewer-identity", "spiffe://lab/dash", NULL);
	assert_int_equal(r.ret, 0);
	assert_int_equal(o.agent.n_identities, 2);
	assert_int_equal(o.agent.identities[1].role, RPC_ROLE_VIEWER);
	assert_string_equal(o.agent.listeners[0].tls_client_ca, "ca.pem");
	options_free(&o);
	run(&o, &r, "--listen", "unix:/tmp/a.sock", "--admin-identity", "x", NULL);
	assert_int_equal(r.ret, 2);
	assert_non_null(strstr(r.err, "need --tls-client-ca"));
	options_free(&o);
	run(&o, &r, "--listen", "198.18.0.1:50051,role=viewer", "--insecure", NULL);
	assert_int_equal(r.ret, 2);
	assert_non_null(strstr(r.err, "role= applies to unix sockets"));
	options_free(&o);
	run(&o, &r, "--listen", "unix:/tmp/a.sock,role=root", NULL);
	assert_int_equal(r.ret, 2);
	options_free(&o);
	run(&o, &r, "--listen", "198.18.0.1:50051", "--insecure", NULL);
	assert_int_equal(r.ret, 0);
	assert_true(o.agent.listeners[0].insecure);
	options_free(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bare_start_refused),
		cmocka_unit_test(test_config_and_flags),
		cmocka_unit_test(test_config_errors_name_the_line),
		cmocka_unit_test(test_tcp_security),
	};

	return cmocka_run_group_tests_name("options", tests, NULL, NULL);
}
