#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# e2e: malformed payloads, oversized messages, 32 concurrent clients and 200 stats subscribers
# with one stalled, against one agent (hardening_load.py says what each part asserts).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib/testenv.sh
source "$here/../lib/testenv.sh"

tenv_init
tenv_add_hosts 1
tenv_no_ipv6 1
tenv_start_agent 1 --max-rules 16384
T=$(tenv_sock 1) IF=$(tenv_if 1)
require "attach filter" xf -H "$T" attach "$IF" --prog filter
require "a rule with a comment" xf -H "$T" drop add 198.18.99.0/24 --comment "kept"
require "a rule without one" xf -H "$T" monitor add 198.18.98.1
pid=${TENV_AGENT_PID[1]}
# The python runs in the root namespace and reaches the agent on its unix socket. The storm
# uses the pure-Python protobuf (the C++ one logs every refused parse of its payloads).
py() { PYTHONPATH=$XF_PYTHONPATH /usr/bin/python3 "$here/hardening_load.py" "$T" "$pid" "$IF" "$@"; }
for part in ${XF_LOAD_PARTS:-storm concurrency watchers}; do
	if [[ $part == storm ]]; then
		PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION=python py storm || tenv_fail "the storm part failed (above)"
	else
		py "$part" || tenv_fail "the $part part failed (above)"
	fi
done
check "the agent is still running" kill -0 "$pid"
check "its rules are the two it had" test "$(xf -H "$T" -o json rules list | jq '.[0].rules | length')" -eq 2
tenv_finish
