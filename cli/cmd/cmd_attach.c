// SPDX-License-Identifier: GPL-2.0-only
/* "xdpfleet attach" and "xdpfleet detach": put an XDP program on an interface of every host,
 * or take it off (Attach, Detach). */
#include <ctype.h>
#include <errno.h>
#include <net/if.h>
#include <string.h>

#include "call.h"
#include "commands.h"
#include "names.h"
#include "parse.h"

enum { OPT_PROG = 256, OPT_OBJECT, OPT_SECTION, OPT_MODE, OPT_FORCE };

/* The kernel's rules for interface names, so typos fail here and not on 100 hosts. */
static int cmd_attach_check_ifname(const struct cli_ctx *ctx, const char *cmd, const char *name)
{
	const char *p;

	if (!*name || strlen(name) >= IFNAMSIZ)
		return cli_usage_error(ctx, cmd, "invalid interface name '%s' (1 to %d characters)",
				       name, IFNAMSIZ - 1);
	for (p = name; *p; p++)
		if (*p == '/' || *p == ':' || isspace((unsigned char)*p) ||
		    !isprint((unsigned char)*p))
			return cli_usage_error(ctx, cmd, "invalid interface name '%s'", name);
	return 0;
}

/* The one IFACE operand; the options may come before or after it. */
static int cmd_attach_ifname(const struct cli_ctx *ctx, const char *cmd, int argc, char **argv,
			     const char **ifname)
{
	if (optind >= argc)
		return cli_usage_error(ctx, cmd, "missing interface name (IFACE)");
	if (optind + 1 < argc)
		return cli_usage_error(ctx, cmd, "unexpected argument '%s'", argv[optind + 1]);
	*ifname = argv[optind];
	return cmd_attach_check_ifname(ctx, cmd, *ifname);
}

static const struct option cmd_attach_options[] = {
	{"prog", required_argument, NULL, OPT_PROG},
	{"object", required_argument, NULL, OPT_OBJECT},
	{"section", required_argument, NULL, OPT_SECTION},
	{"mode", required_argument, NULL, OPT_MODE},
	{"force", no_argument, NULL, OPT_FORCE},
	{NULL, 0, NULL, 0},
};

static const struct option cmd_detach_options[] = {
	{"force", no_argument, NULL, OPT_FORCE},
	{NULL, 0, NULL, 0},
};

static int cmd_attach_run(struct cli_ctx *ctx, int argc, char **argv)
{
	Xdpfleet__V1__AttachRequest req = XDPFLEET__V1__ATTACH_REQUEST__INIT;
	Xdpfleet__V1__ObjectProgram obj = XDPFLEET__V1__OBJECT_PROGRAM__INIT;
	const struct call_unary call = {
		.method = "Attach",
		.req = &req.base,
		.table = output_table_attach,
		.json = output_json_attach,
	};
	const char *prog = NULL, *object = NULL, *section = NULL, *ifname;
	Xdpfleet__V1__BuiltinProgram builtin = XDPFLEET__V1__BUILTIN_PROGRAM__BUILTIN_PROGRAM_FILTER;
	int c, err;

	req.mode = XDPFLEET__V1__ATTACH_MODE__ATTACH_MODE_AUTO;
	optind = 0;
	while ((c = parse_getopt(ctx, "attach", argc, argv, ":", cmd_attach_options)) != -1) {
		switch (c) {
		case OPT_PROG:
			prog = optarg;
			if (names_parse_builtin(optarg, &builtin))
				return cli_usage_error(ctx, "attach",
						       "--prog: unknown program '%s' (expected filter, "
						       "pass, drop or abort)", optarg);
			break;
		case OPT_OBJECT:
			if (!*optarg)
				return cli_usage_error(ctx, "attach", "--object: empty path");
			object = optarg;
			break;
		case OPT_SECTION:
			if (!*optarg)
				return cli_usage_error(ctx, "attach", "--section: empty name");
			section = optarg;
			break;
		case OPT_MODE:
			if (names_parse_mode(optarg, &req.mode))
				return cli_usage_error(ctx, "attach",
						       "--mode: invalid value '%s' (expected native, "
						       "skb, auto or hw)", optarg);
			break;
		case OPT_FORCE:
			req.force = true;
			break;
		default:
			return -EINVAL;
		}
	}
	err = cmd_attach_ifname(ctx, "attach", argc, argv, &ifname);
	if (err)
		return err;
	if (prog && object)
		return cli_usage_error(ctx, "attach", "--prog and --object exclude each other");
	if (section && !object)
		return cli_usage_error(ctx, "attach", "--section needs --object");
	req.ifname = (char *)ifname;
	if (object) {
		obj.path = (char *)object;
		obj.program_name = (char *)(section ? section : "");
		req.program_case = XDPFLEET__V1__ATTACH_REQUEST__PROGRAM_OBJECT;
		req.object = &obj;
	} else {
		req.program_case = XDPFLEET__V1__ATTACH_REQUEST__PROGRAM_BUILTIN;
		req.builtin = builtin;
	}
	return call_unary_run(ctx, &call);
}

static int cmd_detach_run(struct cli_ctx *ctx, int argc, char **argv)
{
	Xdpfleet__V1__DetachRequest req = XDPFLEET__V1__DETACH_REQUEST__INIT;
	const struct call_unary call = {
		.method = "Detach",
		.req = &req.base,
		.table = output_table_detach,
		.json = output_json_detach,
	};
	const char *ifname;
	int c, err;

	optind = 0;
	while ((c = parse_getopt(ctx, "detach", argc, argv, ":", cmd_detach_options)) != -1) {
		if (c != OPT_FORCE)
			return -EINVAL;
		req.force = true;
	}
	err = cmd_attach_ifname(ctx, "detach", argc, argv, &ifname);
	if (err)
		return err;
	req.ifname = (char *)ifname;
	return call_unary_run(ctx, &call);
}

const struct cli_command cmd_attach = {
	.name = "attach",
	.options = cmd_attach_options,
	.summary = "attach an XDP program to an interface on every host",
	.usage = "attach IFACE [--prog filter|pass|drop|abort] [--object PATH [--section NAME]]\n"
		 "                                        [--mode native|skb|auto|hw] [--force]",
	.help =
		"Attaches an XDP program to IFACE on every target (Attach). The program counts\n"
		"packets and bytes per XDP action; see 'xdpfleet stats'.\n"
		"\n"
		"Options:\n"
		"  --prog NAME      a program built into the agent (default filter):\n"
		"                     filter  the rule engine (passes everything without rules)\n"
		"                     pass    XDP_PASS for every packet\n"
		"                     drop    XDP_DROP for every packet: cuts the host off that link\n"
		"                     abort   XDP_ABORTED for every packet (raises xdp_exception)\n"
		"  --object PATH    a BPF object file on each agent's host, inside the agent's\n"
		"                   --program-dir (relative paths are relative to it); excludes --prog\n"
		"  --section NAME   the program (function name or ELF section) inside --object;\n"
		"                   default: its first XDP program. A map named xdp_stats_map of the\n"
		"                   agent's layout gets counters shared into it.\n"
		"  --mode MODE      native (driver), skb (generic), hw (offload) or auto (default:\n"
		"                   native, falling back to skb; the answer says which one is used)\n"
		"  --force          replace a program this agent did not attach (the refusal without\n"
		"                   it names that program). Replacing the agent's own needs no force.\n"
		"\n"
		"Output: per host IFACE, IFINDEX, MODE in use, PROG_ID, PROGRAM and REPLACED (what\n"
		"was attached before, or -). JSON: {\"host\":..,\"ok\":true,\"attachment\":{\"ifname\":..,\n"
		"\"ifindex\":..,\"program\":..,\"mode\":..,\"prog_id\":..,\"attached_at_unix\":..,\n"
		"\"has_stats\":..},\"replaced\":\"\"}\n"
		"\n"
		"Examples:\n"
		"  xdpfleet attach eth0                        # filter, best mode available\n"
		"  xdpfleet -H web1:50051,web2:50051 --tls-ca ca.pem attach eth0 --mode native\n"
		"  xdpfleet attach eth0 --prog pass --force    # take over from another loader\n"
		"  xdpfleet attach eth0 --object counters.o --section xdp_count --mode skb\n"
		"\n"
		"Exit status: 0 attached on every host, 1 at least one host failed (the others keep\n"
		"their new program; failures are named on stderr), 2 usage error (nothing sent).\n",
	.run = cmd_attach_run,
};

const struct cli_command cmd_detach = {
	.name = "detach",
	.options = cmd_detach_options,
	.summary = "detach the XDP program from an interface on every host",
	.usage = "detach IFACE [--force]",
	.help =
		"Detaches the XDP program from IFACE on every target (Detach); its counters go too.\n"
		"\n"
		"Options:\n"
		"  --force   also detach a program this agent did not attach\n"
		"\n"
		"Output: per host the attachment that was removed (IFACE, IFINDEX, MODE, PROG_ID,\n"
		"PROGRAM). JSON: {\"host\":..,\"ok\":true,\"detached\":{\"ifname\":..,\"ifindex\":..,\n"
		"\"program\":..,\"mode\":..,\"prog_id\":..,...}}\n"
		"\n"
		"Examples:\n"
		"  xdpfleet detach eth0\n"
		"  xdpfleet --hosts-file fleet.txt detach eth0 --force\n"
		"\n"
		"Exit status: 0 detached on every host, 1 at least one host failed (named on\n"
		"stderr), 2 usage error (nothing sent).\n",
	.run = cmd_detach_run,
};
