// SPDX-License-Identifier: GPL-2.0-only
/* Connection errors with a hint: each failure as Debian's gRPC reports it (the messages were
 * taken from real calls against agents set up that way), through the CLI's failure list on
 * stderr and the "hint" of its JSON. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fake_rpc.h"
#include "harness.h"
#include "hints.h"
#include "json_parse.h"

#define RUN(r, ...) harness_run((r), NULL, __VA_ARGS__, NULL)

static char ca[] = "/tmp/test_cli_hints_caXXXXXX";

static int setup(void **state)
{
	int fd = mkstemp(ca);

	assert_true(fd >= 0);
	close(fd);
	return fake_rpc_setup(state);
}

static int teardown(void **state)
{
	unlink(ca);
	strcpy(ca, "/tmp/test_cli_hints_caXXXXXX");
	return fake_rpc_teardown(state);
}

/* One host failing with message, called with the given options: its hint on stderr and in
 * the JSON answer must contain want. */
static void check_hint(const char *target, const char *message, const char *want, ...)
{
	struct fake_host host = { .fail = true, .code = GRPC_STATUS_UNAVAILABLE, .message = message };
	const char *argv[12] = { "-H", target };
	struct harness_run r;
	struct jp_value *doc;
	const char *hint;
	va_list ap;
	int n = 2;

	va_start(ap, want);
	while (n < 9 && (argv[n] = va_arg(ap, const char *)))
		n++;
	va_end(ap);
	argv[n++] = "info";
	for (int json = 0; json < 2; json++) {
		argv[n] = json ? "-o" : NULL;
		argv[n + 1] = json ? "json" : NULL;
		fake_rpc_set(&host, 1);
		harness_run(&r, NULL, argv[0], argv[1], argv[2], argv[3], argv[4], argv[5], argv[6],
			    argv[7], argv[8], argv[9], argv[10], NULL);
		assert_int_equal(r.status, 1);
		harness_check_contains(r.err, "\n    hint: ");
		harness_check_contains(r.err, want);
		if (json) {
			doc = jp_parse(r.out, strlen(r.out));
			assert_non_null(doc);
			hint = jp_str(&doc->items[0], "hint");
			if (!hint || !strstr(hint, want))
				fail_msg("JSON hint '%s' lacks '%s'", hint ? hint : "(none)", want);
			jp_free(doc);
		}
		harness_free(&r);
	}
}

static void test_tls_mismatch(void **state)
{
	(void)state;
	/* TLS client, plaintext agent. */
	check_hint("127.0.0.1:50991",
		   "failed to connect to all addresses; last error: UNKNOWN: ipv4:127.0.0.1:50991: Ssl "
		   "handshake failed: SSL_ERROR_SSL: error:0A00010B:SSL routines::wrong version number",
		   "the agent at 127.0.0.1:50991 speaks plaintext, not TLS", "--tls-ca", ca, NULL);
	check_hint("127.0.0.1:50991", "... Ssl handshake failed ... wrong version number",
		   "use --insecure", "--tls-ca", ca, NULL);
	/* Plaintext client, TLS agent. */
	check_hint("127.0.0.1:50992",
		   "failed to connect to all addresses; last error: UNAVAILABLE: ipv4:127.0.0.1:50992: "
		   "Socket closed",
		   "it may expect TLS: give --tls-ca FILE", "--insecure", NULL);
	/* TLS without a client certificate, mTLS agent. */
	check_hint("127.0.0.1:50992",
		   "failed to connect to all addresses; last error: UNAVAILABLE: ipv4:127.0.0.1:50992: "
		   "Socket closed",
		   "it may require a client certificate: give --tls-cert FILE and --tls-key FILE",
		   "--tls-ca", ca, NULL);
	check_hint("127.0.0.1:50992",
		   "failed to connect to all addresses; last error: UNAVAILABLE: ipv4:127.0.0.1:50992: "
		   "Socket closed",
		   "it may not accept this client certificate", "--tls-ca", ca, "--tls-cert", ca,
		   "--tls-key", ca, NULL);
	/* The certificate names another host. */
	check_hint("127.0.0.1:50992",
		   "failed to connect to all addresses; last error: UNKNOWN: ipv4:127.0.0.1:50992: Peer "
		   "name other.example is not in peer certificate",
		   "does not name 'other.example': give the name it has with --tls-server-name NAME, or "
		   "a tls_name=NAME label", "--tls-ca", ca, NULL);
}

static void test_sockets_and_ports(void **state)
{
	(void)state;
	check_hint("unix:/tmp/hx/nope.sock",
		   "failed to connect to all addresses; last error: UNKNOWN: unix:/tmp/hx/nope.sock: No "
		   "such file or directory",
		   "the socket /tmp/hx/nope.sock does not exist: is xdpfleetd running", NULL);
	check_hint("/run/xdpfleet/agent.sock",
		   "failed to connect to all addresses; last error: UNKNOWN: unix:/run/xdpfleet/agent.sock: "
		   "Permission denied",
		   "permission denied on /run/xdpfleet/agent.sock: only its owner and group may connect "
		   "(the agent's --socket-group", NULL);
	check_hint("unix:/tmp/stale.sock",
		   "failed to connect to all addresses; last error: UNKNOWN: unix:/tmp/stale.sock: "
		   "Connection refused",
		   "nothing listens on /tmp/stale.sock", NULL);
	check_hint("127.0.0.1:50999",
		   "failed to connect to all addresses; last error: UNKNOWN: ipv4:127.0.0.1:50999: Failed "
		   "to connect to remote host: Connection refused",
		   "nothing listens on 127.0.0.1:50999: is xdpfleetd running there", "--insecure", NULL);
	check_hint("nosuchhost.invalid",
		   "DNS resolution failed for nosuchhost.invalid:50051: C-ares status is not ARES_SUCCESS "
		   "qtype=A name=nosuchhost.invalid is_balancer=0: Domain name not found",
		   "the name in nosuchhost.invalid:50051 does not resolve", "--insecure", NULL);
}

/* No hint where the error has no usual cause, or for a deadline: the wording is checked
 * directly. */
static void test_no_hint(void **state)
{
	struct fake_host host = { .fail = true, .code = GRPC_STATUS_INVALID_ARGUMENT,
				  .message = "ifname: no such interface 'eth9'" };
	const struct rpc_client_opts c = { .insecure = true };
	const struct hints_call hc = { "198.18.0.2:50051", &c, 2500 };
	struct harness_run r;
	char buf[256];

	(void)state;
	fake_rpc_set(&host, 1);
	RUN(&r, "-H", "unix:/a.sock", "-o", "json", "info");
	assert_int_equal(r.status, 1);
	assert_null(strstr(r.err, "hint:"));
	assert_null(strstr(r.out, "\"hint\""));
	harness_free(&r);
	hints_for(&hc, GRPC_STATUS_DEADLINE_EXCEEDED, "Deadline Exceeded", buf, sizeof(buf));
	harness_check_contains(buf, "no answer from 198.18.0.2:50051 within --timeout 2s500ms");
	hints_for(&hc, GRPC_STATUS_CANCELLED, "Socket closed", buf, sizeof(buf));
	assert_string_equal(buf, "");
	hints_for(&hc, GRPC_STATUS_PERMISSION_DENIED,
		  "FlushRules needs the admin role; client 'dash.example' has viewer", buf, sizeof(buf));
	harness_check_contains(buf, "--admin-identity");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_tls_mismatch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sockets_and_ports, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_hint, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
