/* SPDX-License-Identifier: GPL-2.0-only */
/* "rules list": every host's ListRules stream collected page by page and printed host by host
 * (in target order) as soon as that host's stream has ended, so a fleet of large rule sets
 * is not all held in memory at once. */
#ifndef XDPFLEET_CLI_RULES_LIST_H
#define XDPFLEET_CLI_RULES_LIST_H

#include "cli.h"
#include "xdpfleet/v1/agent.pb-c.h"

/* 0 when every host listed its rules, -EIO when any failed or Ctrl-C cut the listing short. */
int rules_list_run(struct cli_ctx *ctx, const Xdpfleet__V1__ListRulesRequest *req);

#endif
