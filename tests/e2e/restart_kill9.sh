#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# e2e: kill -9 of the agent leaves its program attached and counting; the restarted agent (same
# --state-dir and bpffs) lists the attachment and its counters continue, not from zero.
# shellcheck disable=SC2016 # jq programs use their own $variables
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib/testenv.sh
source "$here/../lib/testenv.sh"

tenv_init
tenv_add_hosts 1
tenv_no_ipv6 1 # with static ARP, only trafgen's frames arrive: counts are exact
tenv_start_agent 1
T=$(tenv_sock 1) IF=$(tenv_if 1) NS=$(tenv_ns 1)
pass() { xf_counter "$T" "$IF" XDP_PASS packets; }

require "attach pass on $IF" xf -H "$T" attach "$IF" --prog pass
id0=$(tenv_xdp_id "$IF" "$NS")
p0=$(pass)
require "trafgen 10000 frames" tenv_trafgen 1 10000 100
sleep 0.2
p1=$(pass)
check "XDP_PASS counted the 10000 frames ($p0 -> $p1)" test $((p1 - p0)) -eq 10000

tenv_kill9_agent 1
check "after kill -9 the program is still attached (id $id0)" test "$(tenv_xdp_id "$IF" "$NS")" == "$id0"
require "trafgen 5000 frames while the agent is dead" tenv_trafgen 1 5000 100
check "the frames still passed (program alive)" tenv_ping_to_ns 1 -c 1 -W 1 -q
sleep 0.2

tenv_restart_agent 1
out=$(xf -H "$T" -o json status)
check "the restarted agent lists pass on $IF with prog id $id0" jq -e --arg i "$IF" --argjson id "$id0" \
	'any(.[0].attachments[]; .ifname == $i and .program == "pass" and .prog_id == $id)' <<< "$out"
p2=$(pass)
# +1: the ping above.
check "counters continued across the restart: $p1 + 5000 + 1 ping = $((p1 + 5001)) (got $p2)" \
	test "$p2" -eq $((p1 + 5001))
require "trafgen 2000 frames after the restart" tenv_trafgen 1 2000 100
sleep 0.2
p3=$(pass)
check "and keep counting: +2000 ($p2 -> $p3)" test $((p3 - p2)) -eq 2000

tenv_finish
