// SPDX-License-Identifier: GPL-2.0-only
/* Runs cli_main() with memory streams (see harness.h). */
#include <stdarg.h>
#include <stdio.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cli.h"
#include "harness.h"

bool harness_err_tty;
const char *harness_system_config;

void harness_run(struct harness_run *r, volatile sig_atomic_t *cancel, ...)
{
	char *argv[64] = { "xdpfleet" };
	size_t outlen, errlen;
	struct cli_io io;
	int argc = 1;
	va_list ap;

	va_start(ap, cancel);
	while (argc < 63 && (argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	argv[argc] = NULL;
	memset(&io, 0, sizeof(io));
	io.fanout = harness_fanout;
	io.err_tty = harness_err_tty;
	/* Tests never read this machine's config file; those about it point here. */
	io.system_config = harness_system_config ? harness_system_config : "/nonexistent/cli.conf";
	io.out = open_memstream(&r->out, &outlen);
	io.err = open_memstream(&r->err, &errlen);
	if (!io.out || !io.err)
		abort();
	r->status = cli_main(argc, argv, &io, cancel);
	fclose(io.out);
	fclose(io.err);
}

void harness_free(struct harness_run *r)
{
	free(r->out);
	free(r->err);
	r->out = r->err = NULL;
}

void harness_check_contains(const char *text, const char *want)
{
	if (!strstr(text, want))
		fail_msg("output lacks '%s':\n%s", want, text);
}
