/* SPDX-License-Identifier: GPL-2.0-only */
/* The API's bounds, defined once for the agent (which enforces them) and the CLI (which checks
 * them before contacting any host); proto/xdpfleet/v1/agent.proto states them too. */
#ifndef XDPFLEET_API_LIMITS_H
#define XDPFLEET_API_LIMITS_H

#define API_DEFAULT_SOCKET "unix:/run/xdpfleet/agent.sock"

#define API_COMMENT_MAX 256                     /* bytes of a rule's comment */
#define API_TAG_MAX 64                          /* bytes of a rule's tag: [A-Za-z0-9._:-] */
#define API_TTL_MAX_SECONDS (3650ull * 86400)   /* ten years: past that, a typo */
#define API_LIMIT_PPS_MAX 1000000000ull         /* a limit rule's budget per source */
#define API_RULES_PER_REQUEST_MAX 1000000       /* rules in one AddRules */
#define API_LIST_PAGE_DEFAULT 1000              /* rules per ListRules message */
#define API_LIST_PAGE_MAX 10000
#define API_WATCH_INTERVAL_MIN_MS 100
#define API_WATCH_INTERVAL_DEFAULT_MS 1000
#define API_WATCH_INTERVAL_MAX_MS 3600000

/* Capture (the Capture stream). The snaplen bound is the data plane's CAPTURE_SNAPLEN_MAX. */
#define API_CAPTURE_SNAPLEN_DEFAULT 256
#define API_CAPTURE_SNAPLEN_MAX 4096
#define API_CAPTURE_SAMPLE_MAX 1000000   /* keep 1 in N */
#define API_CAPTURE_COUNT_MAX 1000000    /* packets in one capture; 0: until cancelled */
#define API_CAPTURE_PPS_DEFAULT 1000     /* packets a second a capture may take */
#define API_CAPTURE_PPS_MAX 20000
#define API_CAPTURE_BATCH_MAX 256        /* packets per CaptureResponse */

#endif
