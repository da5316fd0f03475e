/* The global options (see globals.h). TLS file names are checked here so a typo fails before
 * any host is contacted. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api_limits.h"
#include "commands.h"
#include "globals.h"
#include "hosts.h"
#include "parse.h"
#include "version.h"

enum {
	OPT_HOSTS_FILE = 256, OPT_TLS_CA, OPT_TLS_CERT, OPT_TLS_KEY, OPT_TLS_SERVER_NAME,
	OPT_INSECURE, OPT_TIMEOUT, OPT_PARALLEL,
};

static const struct option globals_longopts[] = {
	{"hosts", required_argument, NULL, 'H'},
	{"hosts-file", required_argument, NULL, OPT_HOSTS_FILE},
	{"tls-ca", required_argument, NULL, OPT_TLS_CA},
	{"tls-cert", required_argument, NULL, OPT_TLS_CERT},
	{"tls-key", required_argument, NULL, OPT_TLS_KEY},
	{"tls-server-name", required_argument, NULL, OPT_TLS_SERVER_NAME},
	{"insecure", no_argument, NULL, OPT_INSECURE},
	{"timeout", required_argument, NULL, OPT_TIMEOUT},
	{"parallel", required_argument, NULL, OPT_PARALLEL},
	{"output", required_argument, NULL, 'o'},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{NULL, 0, NULL, 0},
};

static int globals_check_file(const struct cli_ctx *ctx, const char *opt, const char *path)
{
	if (!*path)
		return cli_usage_error(ctx, NULL, "%s: empty file name", opt);
	if (access(path, R_OK))
		return cli_usage_error(ctx, NULL, "%s: cannot read '%s': %s", opt, path,
				       strerror(errno));
	return 0;
}

/* Cross-option rules, once every option is known. */
static int globals_check(const struct cli_ctx *ctx, const struct rpc_client_opts *c)
{
	int err = 0;

	if (!!c->tls_cert != !!c->tls_key)
		return cli_usage_error(ctx, NULL, "--tls-cert and --tls-key go together");
	if (c->insecure && (c->tls_ca || c->tls_cert || c->server_name))
		return cli_usage_error(ctx, NULL,
				       "--insecure (plaintext) contradicts --tls-ca/--tls-cert/"
				       "--tls-server-name");
	if (c->tls_ca)
		err = globals_check_file(ctx, "--tls-ca", c->tls_ca);
	if (!err && c->tls_cert)
		err = globals_check_file(ctx, "--tls-cert", c->tls_cert);
	if (!err && c->tls_key)
		err = globals_check_file(ctx, "--tls-key", c->tls_key);
	return err;
}

static int globals_default_hosts(const struct cli_ctx *ctx, struct cli_hosts *h)
{
	const char *env = getenv(CLI_HOSTS_ENV);

	if (env && *env)
		return hosts_add_list(ctx, h, env, CLI_HOSTS_ENV);
	return hosts_add_list(ctx, h, API_DEFAULT_SOCKET, "default target");
}

int globals_parse(struct cli_ctx *ctx, int argc, char **argv, int *cmd_index)
{
	struct cli_globals *g = &ctx->g;
	unsigned int ms = 0;
	uint64_t v = 0;
	int c, err = 0;

	memset(g, 0, sizeof(*g));
	g->timeout_ms = GLOBALS_DEFAULT_TIMEOUT_MS;
	g->parallel = GLOBALS_DEFAULT_PARALLEL;
	optind = 0;
	/* '+': stop at the command word; its options belong to the command. */
	while ((c = parse_getopt(ctx, NULL, argc, argv, "+:H:o:hV", globals_longopts)) != -1) {
		switch (c) {
		case 'H':
			err = hosts_add_list(ctx, &g->hosts, optarg, "--hosts");
			break;
		case OPT_HOSTS_FILE:
			err = hosts_add_file(ctx, &g->hosts, optarg);
			break;
		case OPT_TLS_CA:
			g->client.tls_ca = optarg;
			break;
		case OPT_TLS_CERT:
			g->client.tls_cert = optarg;
			break;
		case OPT_TLS_KEY:
			g->client.tls_key = optarg;
			break;
		case OPT_TLS_SERVER_NAME:
			if (!*optarg)
				err = cli_usage_error(ctx, NULL, "--tls-server-name: empty name");
			g->client.server_name = optarg;
			break;
		case OPT_INSECURE:
			g->client.insecure = true;
			break;
		case OPT_TIMEOUT:
			if (parse_duration_ms(optarg, 1, 86400u * 1000, &ms))
				err = cli_usage_error(ctx, NULL,
						      "--timeout: invalid value '%s' (expected seconds "
						      "from 0.001 to 86400, e.g. 5, 0.5 or 250ms)",
						      optarg);
			g->timeout_ms = ms;
			break;
		case OPT_PARALLEL:
			if (parse_uint(optarg, 1, 100000, &v))
				err = cli_usage_error(ctx, NULL,
						      "--parallel: invalid value '%s' (expected 1 to "
						      "100000)", optarg);
			g->parallel = v;
			break;
		case 'o':
			if (!strcmp(optarg, "table"))
				g->output = CLI_OUTPUT_TABLE;
			else if (!strcmp(optarg, "json"))
				g->output = CLI_OUTPUT_JSON;
			else
				err = cli_usage_error(ctx, NULL,
						      "--output: invalid value '%s' (expected table "
						      "or json)", optarg);
			break;
		case 'h':
			commands_print_overview(ctx->io.out);
			return 1;
		case 'V':
			fprintf(ctx->io.out, CLI_PROG " %s\n", XDPFLEET_VERSION);
			return 1;
		default:
			return -EINVAL;
		}
		if (err)
			return err;
	}
	if (optind >= argc)
		return cli_usage_error(ctx, NULL, "missing command");
	err = globals_check(ctx, &g->client);
	if (!err && !g->hosts.n)
		err = globals_default_hosts(ctx, &g->hosts);
	*cmd_index = optind;
	return err;
}

void globals_free(struct cli_globals *g)
{
	hosts_free(&g->hosts);
}
