// SPDX-License-Identifier: GPL-2.0-only
/* xdpfleetd: the per-host agent. Reads its options, opens the agent, serves the Agent API in
 * the foreground until SIGTERM/SIGINT, logging to stderr. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "agent.h"
#include "log.h"
#include "metrics.h"
#include "options.h"
#include "sd_notify.h"
#include "version.h"

#define SIGNAL_CHECK_MS 500

/* Signal handlers can reach the agent only through statics. */
static struct agent *signal_target;
static volatile sig_atomic_t hup_seen;

static void on_stop_signal(int sig)
{
	(void)sig;
	sd_notify_send("STOPPING=1");
	agent_stop(signal_target);
}

/* SIGHUP must never end a host agent (a closed terminal, a careless reload script). */
static void on_hup(int sig)
{
	(void)sig;
	hup_seen = 1;
}

static void log_hup(void *unused)
{
	(void)unused;
	if (!hup_seen)
		return;
	hup_seen = 0;
	log_info("SIGHUP: nothing to reload; the agent keeps running (restart it to apply changed options)");
}

/* Starting with less state than was saved would silently drop rules or programs: say what to do. */
static void explain_damaged_state(int ret)
{
	if (ret != -EBADMSG)
		return;
	log_err("the state directory is damaged, so the agent did not start (it changed nothing; programs and "
		"rules already in the kernel keep filtering). Restore the named file from a backup, or move it "
		"aside to start without what it held");
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_stop_signal };
	struct options o;
	struct agent_opts *opts = &o.agent;
	struct agent *agent = NULL;
	char err[RPC_ERR_MAX] = "";
	int ret;

	ret = options_parse(&o, argc, argv, stdout, stderr);
	if (ret) {
		options_free(&o);
		return ret == 1 ? 0 : ret;
	}
	signal(SIGPIPE, SIG_IGN);
	/* A live agent's socket: refuse before touching its data plane. */
	for (size_t i = 0; i < opts->n_listeners; i++) {
		if (rpc_listener_check(&opts->listeners[i], err, sizeof(err))) {
			log_err("%s", err);
			return 1;
		}
	}
	ret = agent_open(&agent, opts, err, sizeof(err));
	if (ret) {
		log_err("%s", err);
		explain_damaged_state(ret);
		options_free(&o);
		return 1;
	}
	/* gRPC is not fork-safe once used: initialise it only now, in the final process. */
	rpc_global_init();
	ret = agent_listen(agent, err, sizeof(err));
	if (ret) {
		log_err("%s", err);
		goto out;
	}
	ret = rpc_server_add_timer(agent->srv, SIGNAL_CHECK_MS, log_hup, NULL);
	if (ret) {
		log_err("cannot add the signal timer: %s", strerror(-ret));
		goto out;
	}
	signal_target = agent;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = on_hup;
	sigaction(SIGHUP, &sa, NULL);

	for (size_t i = 0; i < opts->n_listeners; i++) {
		const struct rpc_listener *l = &opts->listeners[i];

		log_info("listening on %s", l->addr);
		if (strncmp(l->addr, "unix:", 5) && !l->tls_client_ca)
			log_warn("%s accepts callers without client certificates: every caller is an admin (--insecure)",
				 l->addr);
	}
	if (opts->health_listen)
		log_info("health checks only, plaintext, on %s", opts->health_listen);
	if (agent->metrics)
		log_info("metrics on %s (port %d), at /metrics", opts->metrics_listen, metrics_http_port(agent->metrics));
	log_info("xdpfleetd %s ready", XDPFLEET_VERSION);
	sd_notify_send("READY=1"); /* every listener is bound and serving: Type=notify units start now */
	ret = agent_run(agent);
	log_info("stopped");
out:
	signal_target = NULL;
	agent_close(agent);
	rpc_global_shutdown();
	options_free(&o);
	return ret ? 1 : 0;
}
