#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# e2e: a custom object from --program-dir with its own `xdp_stats_map` (tests/e2e/bpf/
# custom_stats.bpf.c: drops UDP to port 9, passes the rest) reports counters through the agent.
# shellcheck disable=SC2016 # jq programs use their own $variables
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib/testenv.sh
source "$here/../lib/testenv.sh"

OBJ=${XF_E2E_OBJDIR:?set XF_E2E_OBJDIR to the build dir of tests/e2e}/custom_stats.bpf.o

tenv_init
tenv_add_hosts 1
tenv_no_ipv6 1
cp "$OBJ" "$(tenv_hdir 1)/programs/" # the agent's --program-dir
tenv_start_agent 1
T=$(tenv_sock 1) IF=$(tenv_if 1) NS=$(tenv_ns 1)
count() { xf_counter "$T" "$IF" "$1" packets; }

require "attach custom_stats.bpf.o from --program-dir" \
	xf -H "$T" attach "$IF" --object custom_stats.bpf.o --section xdp
check "the kernel runs the custom program" \
	test "$(ip -n "$NS" -j -d link show "$IF" | jq -r '.[0].xdp.prog.name')" == custom_stats
out=$(xf -H "$T" -o json status)
printf '%s\n' "$out"
check "status lists the object on $IF" jq -e --arg i "$IF" \
	'any(.[0].attachments[]; .ifname == $i and (.program | test("custom_stats")))' <<< "$out"

d0=$(count XDP_DROP) p0=$(count XDP_PASS) b0=$(xf_counter "$T" "$IF" XDP_DROP bytes)
require "trafgen 3000 UDP frames to port 9" tenv_trafgen 1 3000 100
got=$(tenv_ping_to_ns 1 -c 4 -i 0.1 -W 1 | sed -n 's/.* \([0-9]\+\) received.*/\1/p' || true)
sleep 0.2
d1=$(count XDP_DROP) p1=$(count XDP_PASS)
check "pings pass the custom program (${got:-0}/4 answered)" test "${got:-0}" -eq 4
check "XDP_DROP rose by exactly 3000 (the UDP frames: $d0 -> $d1)" test $((d1 - d0)) -eq 3000
check "XDP_PASS rose by exactly 4 (the pings: $p0 -> $p1)" test $((p1 - p0)) -eq 4
b1=$(xf_counter "$T" "$IF" XDP_DROP bytes)
check "XDP_DROP bytes rose by 3000 x 100 ($b0 -> $b1)" test $((b1 - b0)) -eq 300000

rc=0
out=$(xf -H "$T" attach "$IF" --object /etc/passwd --section xdp --force 2>&1) || rc=$?
check "an object outside --program-dir is refused (exit $rc)" test "$rc" -ne 0

tenv_finish
