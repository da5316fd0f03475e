/* xdpfleetd: the per-host agent. Parses flags, opens the data plane, serves the Agent API in
 * the foreground until SIGTERM/SIGINT, logging to stderr. */
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "dataplane.h"
#include "policy.h"
#include "log.h"
#include "version.h"
#include "xdpfleet/v1/agent.pb-c.h"

#define RULES_EXPIRY_MS 1000
#define DEFAULT_LISTEN "unix:/run/xdpfleet/agent.sock"

/* The signal handler can reach the server only through a static pointer. */
static struct rpc_server *signal_target;

static void on_stop_signal(int sig)
{
	(void)sig;
	if (signal_target)
		rpc_server_stop(signal_target);
}

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: xdpfleetd [OPTIONS]\n"
		"The xdpfleet agent: loads and manages XDP programs on this host, keeps drop rules and\n"
		"serves per-action counters over gRPC. Runs in the foreground and logs to stderr.\n"
		"\n"
		"Listening (repeat --listen for several; default " DEFAULT_LISTEN "):\n"
		"  --listen ADDR          unix:/PATH or HOST:PORT (e.g. 198.18.0.1:50051, [::]:50051)\n"
		"  --tls-cert FILE        server certificate (PEM) for TCP listeners\n"
		"  --tls-key FILE         its private key (PEM)\n"
		"  --tls-client-ca FILE   require client certificates signed by this CA (mTLS)\n"
		"  --insecure             allow plaintext TCP listeners (no TLS): trusted networks only\n"
		"  --socket-mode MODE     unix socket permissions, octal (default 0660)\n"
		"  --socket-group GROUP   unix socket group (default: the agent's)\n"
		"  --max-message BYTES    largest request or response (default %u)\n"
		"\n"
		"Data plane:\n"
		"  --bpffs PATH           bpffs mount point for pins (default /sys/fs/bpf; mounted if missing)\n"
		"  --state-dir DIR        durable state: attachments and rules (default /var/lib/xdpfleet)\n"
		"  --program-dir DIR      directory Attach may load custom BPF objects from (default: none)\n"
		"\n"
		"Drop rules:\n"
		"  --protect PREFIX       refuse drop/limit rules matching this prefix unless forced\n"
		"                         (repeatable; rules matching the caller's own connection always need force)\n"
		"  --max-rules N          rule capacity, sizes the kernel maps (default 1048576)\n"
		"\n"
		"  --log-level LEVEL      error, warning, info (default) or debug\n"
		"  -V, --version          print the version and exit\n"
		"  -h, --help             print this help and exit\n",
		RPC_DEFAULT_MAX_MESSAGE);
}

enum {
	OPT_LISTEN = 256, OPT_TLS_CERT, OPT_TLS_KEY, OPT_TLS_CLIENT_CA, OPT_INSECURE, OPT_SOCKET_MODE,
	OPT_SOCKET_GROUP, OPT_MAX_MESSAGE, OPT_BPFFS, OPT_STATE_DIR, OPT_PROGRAM_DIR, OPT_LOG_LEVEL,
	OPT_PROTECT, OPT_MAX_RULES,
};

struct listen_flags {
	const char *tls_cert, *tls_key, *tls_client_ca;
	bool insecure;
	mode_t mode;
	gid_t gid;
};

/* Returns 0, or 2 (usage error) after saying what is wrong. */
static int parse_args(int argc, char **argv, struct agent_opts *opts, struct lockout *lo)
{
	static const struct option longopts[] = {
		{ "listen", required_argument, NULL, OPT_LISTEN },
		{ "tls-cert", required_argument, NULL, OPT_TLS_CERT },
		{ "tls-key", required_argument, NULL, OPT_TLS_KEY },
		{ "tls-client-ca", required_argument, NULL, OPT_TLS_CLIENT_CA },
		{ "insecure", no_argument, NULL, OPT_INSECURE },
		{ "socket-mode", required_argument, NULL, OPT_SOCKET_MODE },
		{ "socket-group", required_argument, NULL, OPT_SOCKET_GROUP },
		{ "max-message", required_argument, NULL, OPT_MAX_MESSAGE },
		{ "bpffs", required_argument, NULL, OPT_BPFFS },
		{ "state-dir", required_argument, NULL, OPT_STATE_DIR },
		{ "program-dir", required_argument, NULL, OPT_PROGRAM_DIR },
		{ "log-level", required_argument, NULL, OPT_LOG_LEVEL },
		{ "protect", required_argument, NULL, OPT_PROTECT },
		{ "max-rules", required_argument, NULL, OPT_MAX_RULES },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct listen_flags lf = { .mode = 0660, .gid = (gid_t)-1 };
	const char *addrs[AGENT_MAX_LISTENERS];
	size_t n_addrs = 0;
	char *end;
	int c, level;

	opts->bpffs = "/sys/fs/bpf";
	opts->state_dir = "/var/lib/xdpfleet";
	while ((c = getopt_long(argc, argv, "Vh", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_LISTEN:
			if (n_addrs == AGENT_MAX_LISTENERS) {
				fprintf(stderr, "xdpfleetd: at most %d --listen\n", AGENT_MAX_LISTENERS);
				return 2;
			}
			addrs[n_addrs++] = optarg;
			break;
		case OPT_TLS_CERT: lf.tls_cert = optarg; break;
		case OPT_TLS_KEY: lf.tls_key = optarg; break;
		case OPT_TLS_CLIENT_CA: lf.tls_client_ca = optarg; break;
		case OPT_INSECURE: lf.insecure = true; break;
		case OPT_SOCKET_MODE:
			errno = 0;
			lf.mode = strtoul(optarg, &end, 8);
			if (errno || *end || lf.mode > 0777) {
				fprintf(stderr, "xdpfleetd: --socket-mode: '%s' is not an octal mode\n", optarg);
				return 2;
			}
			break;
		case OPT_SOCKET_GROUP: {
			struct group *g = getgrnam(optarg);

			if (!g) {
				fprintf(stderr, "xdpfleetd: --socket-group: no group '%s'\n", optarg);
				return 2;
			}
			lf.gid = g->gr_gid;
			break;
		}
		case OPT_MAX_MESSAGE:
			errno = 0;
			opts->max_message_bytes = strtoul(optarg, &end, 10);
			if (errno || *end || opts->max_message_bytes < 1024 || opts->max_message_bytes > (1u << 30)) {
				fprintf(stderr, "xdpfleetd: --max-message: '%s' is not a size from 1024 to 1073741824\n",
					optarg);
				return 2;
			}
			break;
		case OPT_BPFFS: opts->bpffs = optarg; break;
		case OPT_STATE_DIR: opts->state_dir = optarg; break;
		case OPT_PROGRAM_DIR: opts->program_dir = optarg; break;
		case OPT_PROTECT: {
			const char *why = NULL;

			if (lo->n_protect == LOCKOUT_MAX_PROTECT) {
				fprintf(stderr, "xdpfleetd: at most %d --protect\n", LOCKOUT_MAX_PROTECT);
				return 2;
			}
			if (cidr_parse(optarg, NULL, &lo->protect[lo->n_protect], &why)) {
				fprintf(stderr, "xdpfleetd: --protect: '%s': %s\n", optarg, why ? why : "not a prefix");
				return 2;
			}
			lo->n_protect++;
			break;
		}
		case OPT_MAX_RULES:
			errno = 0;
			opts->max_rules = strtoul(optarg, &end, 10);
			if (errno || *end || opts->max_rules < 16 || opts->max_rules > (1u << 24)) {
				fprintf(stderr, "xdpfleetd: --max-rules: '%s' is not a number from 16 to 16777216\n", optarg);
				return 2;
			}
			break;
		case OPT_LOG_LEVEL:
			level = log_parse_level(optarg);
			if (level < 0) {
				fprintf(stderr, "xdpfleetd: --log-level: '%s' is not error, warning, info or debug\n",
					optarg);
				return 2;
			}
			log_set_level(level);
			break;
		case 'V':
			printf("xdpfleetd %s\n", XDPFLEET_VERSION);
			exit(0);
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "xdpfleetd: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	if ((lf.tls_cert != NULL) != (lf.tls_key != NULL)) {
		fprintf(stderr, "xdpfleetd: --tls-cert and --tls-key go together\n");
		return 2;
	}
	if (!n_addrs)
		addrs[n_addrs++] = DEFAULT_LISTEN;
	for (size_t i = 0; i < n_addrs; i++) {
		bool is_unix = !strncmp(addrs[i], "unix:", 5);

		if (!is_unix && !lf.tls_cert && !lf.insecure) {
			fprintf(stderr,
				"xdpfleetd: --listen %s: TCP needs --tls-cert/--tls-key, or --insecure for plaintext\n",
				addrs[i]);
			return 2;
		}
		opts->listeners[i] = (struct rpc_listener){
			.addr = addrs[i],
			.tls_cert = lf.tls_cert,
			.tls_key = lf.tls_key,
			.tls_client_ca = lf.tls_client_ca,
			.insecure = lf.insecure && !lf.tls_cert,
			.unix_mode = lf.mode,
			.unix_uid = (uid_t)-1,
			.unix_gid = lf.gid,
		};
	}
	opts->n_listeners = n_addrs;
	return 0;
}

/* The rule engine replaced its maps (the rules outgrew them or shrank): filters must use the
 * new ones before the engine lets the old ones go. */
static int reload_filters(void *dp)
{
	return dataplane_reload_builtin(dp, "filter");
}

/* The rules live beside the data plane's pins and state; filter programs share their maps. */
static int open_policy(struct agent *agent, char *err, size_t errlen)
{
	struct policy_opts po = { .max_rules = agent->opts.max_rules };
	char pin_dir[PATH_MAX], state[PATH_MAX];
	int ret;

	if (dataplane_pin_path(agent->dp, "rules", pin_dir, sizeof(pin_dir)) ||
	    dataplane_state_path(agent->dp, "rules", state, sizeof(state)))
		return -ENAMETOOLONG;
	po.pin_dir = pin_dir;
	po.state_path = state;
	ret = policy_open(&agent->policy, &po, err, errlen);
	if (ret)
		return ret;
	dataplane_set_rules(agent->dp, policy_maps(agent->policy));
	rules_maps_on_replace(policy_maps(agent->policy), reload_filters, agent->dp);
	/* Filters still attached from an earlier run may use other maps than the pins name (pins
	 * removed or of an older layout, or a restart between pinning new maps and switching
	 * to them): give them ours. With the same maps this changes nothing for packets. */
	dataplane_reload_builtin(agent->dp, "filter");
	return 0;
}

int main(int argc, char **argv)
{
	struct agent agent = { 0 };
	struct dataplane_opts dp_opts;
	struct rpc_server_opts srv_opts;
	struct rpc_service svc;
	struct sigaction sa = { .sa_handler = on_stop_signal };
	char err[RPC_ERR_MAX] = "";
	int ret;

	ret = parse_args(argc, argv, &agent.opts, &agent.lockout);
	if (ret)
		return ret;
	clock_gettime(CLOCK_MONOTONIC, &agent.started);
	signal(SIGPIPE, SIG_IGN);

	dp_opts = (struct dataplane_opts){
		.bpffs = agent.opts.bpffs,
		.state_dir = agent.opts.state_dir,
		.program_dir = agent.opts.program_dir,
	};
	ret = dataplane_open(&agent.dp, &dp_opts, err, sizeof(err));
	if (ret) {
		log_err("data plane: %s", err[0] ? err : strerror(-ret));
		return 1;
	}
	ret = open_policy(&agent, err, sizeof(err));
	if (ret) {
		log_err("rules: %s", err[0] ? err : strerror(-ret));
		dataplane_close(agent.dp);
		return 1;
	}

	/* gRPC is not fork-safe once used: initialise it only now, in the final process. */
	rpc_global_init();
	svc = (struct rpc_service){
		.desc = &xdpfleet__v1__agent__descriptor,
		.methods = agent_methods,
		.n_methods = agent_n_methods,
		.data = &agent,
	};
	srv_opts = (struct rpc_server_opts){
		.listeners = agent.opts.listeners,
		.n_listeners = agent.opts.n_listeners,
		.max_message_bytes = agent.opts.max_message_bytes,
	};
	ret = rpc_server_create(&agent.srv, &svc, &srv_opts, err, sizeof(err));
	if (ret) {
		log_err("%s", err);
		goto out;
	}
	/* GetStats rates come from this sample, so a single GetStats already has meaningful pps. */
	ret = rpc_server_add_timer(agent.srv, DATAPLANE_SAMPLE_MS, dataplane_sample, agent.dp);
	if (ret) {
		log_err("cannot add the stats sampling timer: %s", strerror(-ret));
		goto out;
	}
	ret = rpc_server_add_timer(agent.srv, RULES_EXPIRY_MS, policy_expire, agent.policy);
	if (ret) {
		log_err("cannot add the rule expiry timer: %s", strerror(-ret));
		goto out;
	}
	signal_target = agent.srv;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	for (size_t i = 0; i < agent.opts.n_listeners; i++)
		log_info("listening on %s", agent.opts.listeners[i].addr);
	log_info("xdpfleetd %s ready", XDPFLEET_VERSION);
	ret = rpc_server_run(agent.srv);
	log_info("stopped");
out:
	signal_target = NULL;
	rpc_server_destroy(agent.srv);
	rpc_global_shutdown();
	dataplane_close(agent.dp);
	policy_close(agent.policy);
	return ret ? 1 : 0;
}
