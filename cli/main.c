// SPDX-License-Identifier: GPL-2.0-only
/* xdpfleet: the fan-out CLI's entry point: SIGINT handling and the gRPC library lifetime around
 * cli_main(). */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

/* The one global: a signal handler has no other way to reach the running command. */
static volatile sig_atomic_t main_cancel;

static void main_on_sigint(int sig)
{
	(void)sig;
	main_cancel = 1;
}

int main(int argc, char **argv)
{
	const struct cli_io io = {
		.out = stdout,
		.err = stderr,
		.fanout = rpc_fanout,
		.err_tty = isatty(STDERR_FILENO),
	};
	struct sigaction sa;
	int ret;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = main_on_sigint;
	/* A second Ctrl-C kills the old way, should a host not let go. */
	sa.sa_flags = SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* A closed pipe (| head) should end us quietly through EPIPE, not a signal mid-write. */
	signal(SIGPIPE, SIG_IGN);
	/* Every host's error is printed by us, with its host: gRPC's own log lines would only
	 * repeat them without saying which host. GRPC_VERBOSITY=DEBUG still works. */
	setenv("GRPC_VERBOSITY", "NONE", 0);
	rpc_global_init();
	ret = cli_main(argc, argv, &io, &main_cancel);
	rpc_global_shutdown();
	return ret;
}
