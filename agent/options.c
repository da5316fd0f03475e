// SPDX-License-Identifier: GPL-2.0-only
/* xdpfleetd's options (see options.h): the table, the command line, the config file, --help. */
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <ini.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api_limits.h"
#include "duration.h"
#include "log.h"
#include "options.h"
#include "version.h"
#include "array_size.h"

#define LIST_MAX 64 /* entries of a repeatable option */

enum list_id { LIST_LISTEN, LIST_PROTECT, LIST_ADMIN, LIST_VIEWER, LIST_COUNT };

struct parse {
	struct options *o;
	const char *list[LIST_COUNT][LIST_MAX];
	size_t n_list[LIST_COUNT];
	bool cli_list_seen[LIST_COUNT]; /* the command line replaces the file's list */
	bool from_config;
	const char *tls_cert, *tls_key, *tls_client_ca;
	bool insecure;
	mode_t socket_mode;
	gid_t socket_gid;
	char err[512];
};

struct option_def {
	const char *name;
	const char *arg; /* NULL: a flag */
	const char *help;
	int (*set)(struct parse *p, const char *value);
	int list; /* repeatable: its list_id, else -1 */
};

static int bad(struct parse *p, const char *fmt, const char *name, const char *value)
{
	snprintf(p->err, sizeof(p->err), fmt, name, value);
	return -EINVAL;
}

/* Values from a config file are copied: inih reuses its buffers. */
static const char *keep(struct parse *p, const char *value)
{
	char **grown;
	char *copy;

	if (!p->from_config)
		return value;
	copy = strdup(value);
	grown = copy ? realloc(p->o->strings, (p->o->n_strings + 1) * sizeof(*grown)) : NULL;
	if (!grown) {
		free(copy);
		return NULL;
	}
	p->o->strings = grown;
	grown[p->o->n_strings++] = copy;
	return copy;
}

static int parse_uint(const char *s, unsigned long long min, unsigned long long max, unsigned long long *out,
		      int base)
{
	char *end;

	errno = 0;
	*out = strtoull(s, &end, base);
	return errno || end == s || *end || *s == '-' || *out < min || *out > max ? -EINVAL : 0;
}

/* "true/false", "yes/no", "on/off", "1/0" in the file; a flag on the command line is "1". */
static int parse_bool(const char *s, bool *out)
{
	if (!strcasecmp(s, "1") || !strcasecmp(s, "true") || !strcasecmp(s, "yes") || !strcasecmp(s, "on"))
		*out = true;
	else if (!strcasecmp(s, "0") || !strcasecmp(s, "false") || !strcasecmp(s, "no") || !strcasecmp(s, "off"))
		*out = false;
	else
		return -EINVAL;
	return 0;
}

#define STR_SETTER(fn, field)                                          \
	static int fn(struct parse *p, const char *v)                  \
	{                                                              \
		return (p->field = keep(p, v)) ? 0 : -ENOMEM;          \
	}
STR_SETTER(set_tls_cert, tls_cert)
STR_SETTER(set_tls_key, tls_key)
STR_SETTER(set_tls_client_ca, tls_client_ca)
STR_SETTER(set_bpffs, o->agent.bpffs)
STR_SETTER(set_state_dir, o->agent.state_dir)
STR_SETTER(set_program_dir, o->agent.program_dir)
STR_SETTER(set_metrics_listen, o->agent.metrics_listen)

static int set_health_listen(struct parse *p, const char *v)
{
	if (!strncmp(v, "unix:", 5) || !strchr(v, ':'))
		return bad(p, "--%s: '%s' is not HOST:PORT (a unix socket's callers can use the API's own health "
			      "service)", "health-listen", v);
	p->o->agent.health_listen = keep(p, v);
	return p->o->agent.health_listen ? 0 : -ENOMEM;
}

static int set_metrics_rules(struct parse *p, const char *v)
{
	unsigned long long n;

	if (parse_uint(v, 0, 100000, &n, 10))
		return bad(p, "--%s: '%s' is not a number from 0 to 100000", "metrics-rules", v);
	p->o->agent.metrics_rule_series = n;
	return 0;
}

static int set_insecure(struct parse *p, const char *v)
{
	return parse_bool(v, &p->insecure) ? bad(p, "--%s: '%s' is not true or false", "insecure", v) : 0;
}

static int set_socket_mode(struct parse *p, const char *v)
{
	unsigned long long m;

	if (parse_uint(v, 0, 0777, &m, 8))
		return bad(p, "--%s: '%s' is not an octal mode such as 0660", "socket-mode", v);
	p->socket_mode = (mode_t)m;
	return 0;
}

static int set_socket_group(struct parse *p, const char *v)
{
	struct group *g = getgrnam(v);

	if (!g)
		return bad(p, "--%s: no group '%s'", "socket-group", v);
	p->socket_gid = g->gr_gid;
	return 0;
}

static int set_max_message(struct parse *p, const char *v)
{
	unsigned long long n;

	if (parse_uint(v, 1024, 1u << 30, &n, 10))
		return bad(p, "--%s: '%s' is not a size from 1024 to 1073741824", "max-message", v);
	p->o->agent.max_message_bytes = n;
	return 0;
}

static int set_max_rules(struct parse *p, const char *v)
{
	unsigned long long n;

	if (parse_uint(v, 16, 1u << 24, &n, 10))
		return bad(p, "--%s: '%s' is not a number from 16 to 16777216", "max-rules", v);
	p->o->agent.max_rules = (uint32_t)n;
	return 0;
}

static int set_log_level(struct parse *p, const char *v)
{
	int level = log_parse_level(v);

	if (level < 0)
		return bad(p, "--%s: '%s' is not error, warning, info or debug", "log-level", v);
	log_set_level(level);
	return 0;
}

static int set_max_streams(struct parse *p, const char *v)
{
	unsigned long long n;

	if (parse_uint(v, 1, 1000000, &n, 10))
		return bad(p, "--%s: '%s' is not a number from 1 to 1000000", "max-streams", v);
	p->o->agent.max_streams = n;
	return 0;
}

static int set_max_streams_per_peer(struct parse *p, const char *v)
{
	unsigned long long n;

	if (parse_uint(v, 1, 1000000, &n, 10))
		return bad(p, "--%s: '%s' is not a number from 1 to 1000000", "max-streams-per-peer", v);
	p->o->agent.max_streams_per_peer = n;
	return 0;
}

static int set_min_watch_interval(struct parse *p, const char *v)
{
	uint64_t ms;

	if (duration_parse_ms(v, &ms) || ms < API_WATCH_INTERVAL_MIN_MS || ms > API_WATCH_INTERVAL_MAX_MS)
		return bad(p, "--%s: '%s' is not a duration from 100ms to 1h (e.g. 250ms, 1s)", "min-watch-interval", v);
	p->o->agent.min_watch_interval_ms = (unsigned int)ms;
	return 0;
}

static int set_max_rules_per_request(struct parse *p, const char *v)
{
	unsigned long long n;

	if (parse_uint(v, 1, API_RULES_PER_REQUEST_MAX, &n, 10))
		return bad(p, "--%s: '%s' is not a number from 1 to 1000000", "max-rules-per-request", v);
	p->o->agent.max_rules_per_request = n;
	return 0;
}

static int set_no_reattach(struct parse *p, const char *v)
{
	return parse_bool(v, &p->o->agent.no_reattach) ? bad(p, "--%s: '%s' is not true or false", "no-reattach", v)
							: 0;
}

static int set_top_prefix(struct parse *p, const char *v, const char *name, unsigned max, unsigned int *out)
{
	unsigned long long n;

	if (parse_uint(v, 1, max, &n, 10))
		return bad(p, max == 32 ? "--%s: '%s' is not a prefix length from 1 to 32"
					: "--%s: '%s' is not a prefix length from 1 to 128", name, v);
	*out = (unsigned int)n;
	return 0;
}

static int set_top_prefix_v4(struct parse *p, const char *v)
{
	return set_top_prefix(p, v, "top-prefix-v4", 32, &p->o->agent.top_plen4);
}

static int set_top_prefix_v6(struct parse *p, const char *v)
{
	return set_top_prefix(p, v, "top-prefix-v6", 128, &p->o->agent.top_plen6);
}

static int set_config(struct parse *p, const char *v)
{
	(void)v;
	(void)p;
	return 0; /* read before everything else */
}

static const struct option_def defs[] = {
	{ "config", "FILE", "read options from FILE first (key = value lines, keys are the long\n"
			    "options below; flags given here win)", set_config, -1 },
	{ "listen", "ADDR", "unix:/PATH[,role=viewer] or HOST:PORT, e.g. 198.18.0.1:50051, [::]:50051;\n"
			    "repeatable (default " API_DEFAULT_SOCKET "). A unix socket gives\n"
			    "everyone who may open it its role (admin unless role=viewer)", NULL, LIST_LISTEN },
	{ "tls-cert", "FILE", "server certificate (PEM) for TCP listeners", set_tls_cert, -1 },
	{ "tls-key", "FILE", "its private key (PEM)", set_tls_key, -1 },
	{ "tls-client-ca", "FILE", "require client certificates signed by this CA (mTLS)", set_tls_client_ca, -1 },
	{ "admin-identity", "ID", "an mTLS client identity (certificate SAN DNS/URI or CN) that may do\n"
				  "everything; repeatable. With no identities given, every certificate\n"
				  "the CA signed is an admin", NULL, LIST_ADMIN },
	{ "viewer-identity", "ID", "an identity that may only read (info, status, stats, watch, rules\n"
				   "list); repeatable. Others get PERMISSION_DENIED", NULL, LIST_VIEWER },
	{ "insecure", NULL, "allow TCP without client certificates (plaintext, or TLS without\n"
			    "--tls-client-ca): every caller is an admin. Trusted networks only", set_insecure, -1 },
	{ "health-listen", "ADDR", "HOST:PORT where grpc.health.v1 is also served, in plaintext, to\n"
				   "anyone, and nothing else: for probes that cannot present a certificate\n"
				   "(Kubernetes' gRPC probes). Every --listen serves health checks too",
	  set_health_listen, -1 },
	{ "metrics-listen", "ADDR", "HOST:PORT to serve Prometheus metrics on, at /metrics, e.g.\n"
				    "127.0.0.1:9477 (default: none). Plain HTTP, read-only, to anyone who\n"
				    "can connect: bind it to a management address", set_metrics_listen, -1 },
	{ "metrics-rules", "N", "rules with a comment exported one by one as xdpfleet_rule_hits_total,\n"
				"the N most hit (default 100; 0: none)", set_metrics_rules, -1 },
	{ "socket-mode", "MODE", "unix socket permissions, octal (default 0660)", set_socket_mode, -1 },
	{ "socket-group", "GROUP", "unix socket group (default: the agent's)", set_socket_group, -1 },
	{ "max-message", "BYTES", "largest request or response (default 67108864)", set_max_message, -1 },
	{ "bpffs", "PATH", "bpffs mount point for pins (default /sys/fs/bpf; mounted if missing)", set_bpffs, -1 },
	{ "state-dir", "DIR", "durable state: attachments and rules (default /var/lib/xdpfleet)", set_state_dir, -1 },
	{ "program-dir", "DIR", "directory Attach may load custom BPF objects from (default: none)",
	  set_program_dir, -1 },
	{ "no-reattach", NULL, "when a program the agent attached is removed or replaced by someone\n"
			       "else, or its interface is recreated, only report it (default: attach\n"
			       "it again within a second)", set_no_reattach, -1 },
	{ "protect", "PREFIX", "refuse drop/limit rules matching this prefix unless forced; repeatable\n"
			       "(rules matching the caller's own connection always need force)", NULL, LIST_PROTECT },
	{ "max-rules", "N", "rule capacity (default 1048576)", set_max_rules, -1 },
	{ "max-rules-per-request", "N", "rules one AddRules may carry (default and most 1000000)",
	  set_max_rules_per_request, -1 },
	{ "max-streams", "N", "server streams (stats watches, listings) open at once (default 1024)",
	  set_max_streams, -1 },
	{ "max-streams-per-peer", "N", "of those, from one client address or unix socket (default 256)",
	  set_max_streams_per_peer, -1 },
	{ "min-watch-interval", "DURATION", "the shortest WatchStats interval allowed (default 100ms)",
	  set_min_watch_interval, -1 },
	{ "top-prefix-v4", "LEN", "top talkers count IPv4 sources by prefixes of LEN bits (default 32)",
	  set_top_prefix_v4, -1 },
	{ "top-prefix-v6", "LEN", "and IPv6 sources by prefixes of LEN bits (default 64)", set_top_prefix_v6, -1 },
	{ "log-level", "LEVEL", "error, warning, info (default) or debug", set_log_level, -1 },
};

#define N_DEFS (ARRAY_SIZE(defs))

static const struct option_def *find_def(const char *name)
{
	for (size_t i = 0; i < N_DEFS; i++)
		if (!strcmp(defs[i].name, name))
			return &defs[i];
	return NULL;
}

void options_usage(FILE *f)
{
	fprintf(f, "Usage: xdpfleetd --config FILE [OPTIONS]\n"
		   "       xdpfleetd --listen ADDR [OPTIONS]\n"
		   "The xdpfleet agent: loads and manages XDP programs on this host, keeps drop rules and\n"
		   "serves per-action counters over gRPC. Runs in the foreground and logs to stderr.\n"
		   "Started with no options it does nothing: a bare command never takes over a host.\n\n"
		   "Options (each also a config file key, e.g. 'state-dir = /var/lib/xdpfleet'):\n");
	for (size_t i = 0; i < N_DEFS; i++) {
		const char *h = defs[i].help, *nl;
		char left[40];

		snprintf(left, sizeof(left), "--%s%s%s", defs[i].name, defs[i].arg ? " " : "",
			 defs[i].arg ? defs[i].arg : "");
		do {
			nl = strchr(h, '\n');
			fprintf(f, "  %-24s %.*s\n", left, nl ? (int)(nl - h) : (int)strlen(h), h);
			left[0] = '\0';
			h = nl + 1;
		} while (nl);
	}
	fprintf(f, "  %-24s %s\n  %-24s %s\n\n", "-V, --version", "print the version and exit", "-h, --help",
		"print this help and exit");
	fprintf(f, "Signals: SIGTERM and SIGINT stop serving (attached programs and rules stay in the\n"
		   "kernel and keep filtering); SIGHUP is logged and otherwise ignored.\n"
		   "Exit status: 0 after a clean stop, 1 when it cannot start or serve, 2 on bad options.\n");
}

static int apply(struct parse *p, const struct option_def *d, const char *value)
{
	if (d->list >= 0) {
		if (!p->from_config && !p->cli_list_seen[d->list]) {
			p->cli_list_seen[d->list] = true;
			p->n_list[d->list] = 0;
		}
		if (p->n_list[d->list] == LIST_MAX)
			return bad(p, "--%s: more than %s values", d->name, "64");
		if (!(p->list[d->list][p->n_list[d->list]] = keep(p, value)))
			return -ENOMEM;
		p->n_list[d->list]++;
		return 0;
	}
	return d->set(p, value);
}

static int on_ini(void *user, const char *section, const char *name, const char *value)
{
	struct parse *p = user;
	const struct option_def *d = find_def(name);

	if (section && *section) {
		snprintf(p->err, sizeof(p->err), "[%s]: the config file has no sections", section);
		return 0;
	}
	if (!d || !strcmp(name, "config")) {
		snprintf(p->err, sizeof(p->err), "unknown key '%s' (the keys are xdpfleetd's long options)", name);
		return 0;
	}
	if (!d->arg && !*value)
		value = "true";
	return apply(p, d, value) ? 0 : 1;
}

static int read_config(struct parse *p, const char *path, FILE *err)
{
	int line;

	p->from_config = true;
	line = ini_parse(path, on_ini, p);
	p->from_config = false;
	if (line == -1) {
		fprintf(err, "xdpfleetd: --config %s: %s\n", path, strerror(errno));
		return 2;
	}
	if (line) {
		fprintf(err, "xdpfleetd: %s:%d: %s\n", path, line, p->err[0] ? p->err : "not a key = value line");
		return 2;
	}
	return 0;
}

/* "unix:/path,role=viewer": the address, and the role a unix socket gives. */
static int split_listen(struct parse *p, const char *spec, struct rpc_listener *l)
{
	const char *comma = strchr(spec, ',');
	char *addr;

	l->unix_role = RPC_ROLE_ADMIN;
	if (!comma) {
		l->addr = spec;
		return 0;
	}
	if (strncmp(spec, "unix:", 5))
		return bad(p, "--listen %s: role= applies to unix sockets (%s TCP callers' roles come from "
			      "--admin-identity and --viewer-identity)", spec, "");
	if (!strcmp(comma + 1, "role=viewer"))
		l->unix_role = RPC_ROLE_VIEWER;
	else if (strcmp(comma + 1, "role=admin"))
		return bad(p, "--listen %s: after the path only ',role=admin' or ',role=viewer' may follow%s",
			   spec, "");
	addr = strndup(spec, (size_t)(comma - spec));
	p->from_config = true; /* keep() takes ownership */
	l->addr = addr ? keep(p, addr) : NULL;
	p->from_config = false;
	free(addr);
	return l->addr ? 0 : -ENOMEM;
}

static int build_listeners(struct parse *p)
{
	struct agent_opts *a = &p->o->agent;
	size_t n = p->n_list[LIST_LISTEN];

	if (n > AGENT_MAX_LISTENERS)
		return bad(p, "--%s: at most %s", "listen", "16");
	if ((p->tls_cert != NULL) != (p->tls_key != NULL))
		return bad(p, "--%s and --%s go together", "tls-cert", "tls-key");
	if (!n)
		p->list[LIST_LISTEN][n++] = API_DEFAULT_SOCKET;
	for (size_t i = 0; i < n; i++) {
		struct rpc_listener *l = &a->listeners[i];
		int ret = split_listen(p, p->list[LIST_LISTEN][i], l);
		bool is_unix;

		if (ret)
			return ret;
		is_unix = !strncmp(l->addr, "unix:", 5);
		if (!is_unix && !p->tls_cert && !p->insecure)
			return bad(p, "--listen %s: TCP needs --tls-cert/--tls-key (and --tls-client-ca), or "
				      "--insecure for plaintext%s", l->addr, "");
		if (!is_unix && p->tls_cert && !p->tls_client_ca && !p->insecure)
			return bad(p, "--listen %s: TLS without --tls-client-ca lets anyone who connects change "
				      "rules; add --tls-client-ca (mTLS), or --insecure to accept that%s", l->addr, "");
		l->tls_cert = p->tls_cert;
		l->tls_key = p->tls_key;
		l->tls_client_ca = p->tls_client_ca;
		l->insecure = p->insecure && !p->tls_cert;
		l->unix_mode = p->socket_mode;
		l->unix_uid = (uid_t)-1;
		l->unix_gid = p->socket_gid;
	}
	a->n_listeners = n;
	return 0;
}

static int build_lists(struct parse *p)
{
	struct agent_opts *a = &p->o->agent;
	const char *why = NULL;

	if (p->n_list[LIST_PROTECT] > LOCKOUT_MAX_PROTECT)
		return bad(p, "--%s: at most %s", "protect", "64");
	for (size_t i = 0; i < p->n_list[LIST_PROTECT]; i++) {
		if (cidr_parse(p->list[LIST_PROTECT][i], NULL, &a->lockout.protect[i], &why))
			return bad(p, "--protect %s: %s", p->list[LIST_PROTECT][i], why ? why : "not a prefix");
	}
	a->lockout.n_protect = p->n_list[LIST_PROTECT];
	if ((p->n_list[LIST_ADMIN] || p->n_list[LIST_VIEWER]) && !p->tls_client_ca)
		return bad(p, "--%s and --%s need --tls-client-ca: identities come from client certificates",
			   "admin-identity", "viewer-identity");
	for (int l = LIST_ADMIN; l <= LIST_VIEWER; l++) {
		for (size_t i = 0; i < p->n_list[l]; i++) {
			if (a->n_identities == AGENT_MAX_IDENTITIES)
				return bad(p, "--%s: at most %s identities in all", "admin-identity", "64");
			a->identities[a->n_identities++] = (struct rpc_identity_role){
				.identity = p->list[l][i],
				.role = l == LIST_ADMIN ? RPC_ROLE_ADMIN : RPC_ROLE_VIEWER,
			};
		}
	}
	return 0;
}

int options_parse(struct options *o, int argc, char **argv, FILE *out, FILE *err)
{
	struct option longopts[N_DEFS + 3];
	struct parse *p = calloc(1, sizeof(*p));
	int c, idx, ret = 0;

	if (!p)
		return 2;
	memset(o, 0, sizeof(*o));
	o->agent.bpffs = "/sys/fs/bpf";
	o->agent.state_dir = "/var/lib/xdpfleet";
	o->agent.metrics_rule_series = 100;
	p->o = o;
	p->socket_mode = 0660;
	p->socket_gid = (gid_t)-1;
	for (size_t i = 0; i < N_DEFS; i++)
		longopts[i] = (struct option){ defs[i].name, defs[i].arg ? required_argument : no_argument, NULL,
					       256 + (int)i };
	longopts[N_DEFS] = (struct option){ "version", no_argument, NULL, 'V' };
	longopts[N_DEFS + 1] = (struct option){ "help", no_argument, NULL, 'h' };
	longopts[N_DEFS + 2] = (struct option){ 0 };
	if (argc < 2) {
		fprintf(err, "xdpfleetd: nothing to do: give --config FILE (e.g. /etc/xdpfleet/agent.conf) or "
			     "--listen ADDR and the options you want; see xdpfleetd --help\n");
		ret = 2;
		goto out;
	}
	/* The file first, so that flags override it wherever --config stands. */
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "Vh", longopts, &idx)) != -1) {
		if (c == 256 && !o->config)
			o->config = optarg;
	}
	if (o->config && (ret = read_config(p, o->config, err)))
		goto out;
	opterr = 1;
	optind = 1;
	while ((c = getopt_long(argc, argv, "Vh", longopts, &idx)) != -1) {
		if (c == 'V') {
			fprintf(out, "xdpfleetd %s\n", XDPFLEET_VERSION);
			ret = 1;
			goto out;
		}
		if (c == 'h') {
			options_usage(out);
			ret = 1;
			goto out;
		}
		if (c < 256 || c >= 256 + (int)N_DEFS) {
			fprintf(err, "Try 'xdpfleetd --help' for the options.\n");
			ret = 2;
			goto out;
		}
		if (apply(p, &defs[c - 256], defs[c - 256].arg ? optarg : "1")) {
			fprintf(err, "xdpfleetd: %s\n", p->err[0] ? p->err : "out of memory");
			ret = 2;
			goto out;
		}
	}
	if (optind < argc) {
		fprintf(err, "xdpfleetd: unexpected argument '%s'\n", argv[optind]);
		ret = 2;
		goto out;
	}
	if (build_listeners(p) || build_lists(p)) {
		fprintf(err, "xdpfleetd: %s\n", p->err[0] ? p->err : "out of memory");
		ret = 2;
	}
out:
	free(p);
	return ret;
}

void options_free(struct options *o)
{
	for (size_t i = 0; i < o->n_strings; i++)
		free(o->strings[i]);
	free(o->strings);
	o->strings = NULL;
	o->n_strings = 0;
}
