#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# e2e: exact accounting. trafgen sends exactly 1,000,000 UDP frames of 100 bytes into a namespace
# whose xf0 runs `pass` (IPv6 off, static ARP: nothing else flows); XDP_PASS must rise by exactly
# 1,000,000 packets and 100,000,000 bytes, and no other action may move.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib/testenv.sh
source "$here/../lib/testenv.sh"

N=1000000 LEN=100

tenv_init
tenv_add_hosts 1
tenv_no_ipv6 1
tenv_start_agent 1
T=$(tenv_sock 1) IF=$(tenv_if 1)

# counters: "ACTION PACKETS BYTES" per line, all five actions.
counters()
{
	xf_stats "$T" "$IF" | jq -r --arg i "$IF" \
		'.[0].interfaces[] | select(.ifname == $i) | .actions[] | "\(.action) \(.packets) \(.bytes)"'
}
field() { awk -v a="$2" -v f="$3" '$1 == a { print $f }' <<< "$1"; }

require "attach pass on $IF" xf -H "$T" attach "$IF" --prog pass
before=$(counters)
require "stats list all five actions" test "$(wc -l <<< "$before")" -eq 5
rx0=$(tenv_ns_rx 1)

TENV_TRAFGEN_TIMEOUT=60
require "trafgen sent $N frames of $LEN bytes" tenv_trafgen 1 $N $LEN

# The last frames may still sit in veth's ring when trafgen exits: wait until the counter stops.
after=$before
for _ in $(seq 50); do
	prev=$after
	after=$(counters)
	[[ $(field "$after" XDP_PASS 2) -ge $(($(field "$before" XDP_PASS 2) + N)) ]] && break
	[[ $after == "$prev" ]] && sleep 0.1
done
rx1=$(tenv_ns_rx 1)

dp=$(($(field "$after" XDP_PASS 2) - $(field "$before" XDP_PASS 2)))
db=$(($(field "$after" XDP_PASS 3) - $(field "$before" XDP_PASS 3)))
check "xf0 received exactly $N frames (link stats: $((rx1 - rx0)))" test $((rx1 - rx0)) -eq $N
check "XDP_PASS packets rose by exactly $N (got $dp)" test "$dp" -eq $N
check "XDP_PASS bytes rose by exactly $N x $LEN = $((N * LEN)) (got $db)" test "$db" -eq $((N * LEN))
for a in XDP_ABORTED XDP_DROP XDP_TX XDP_REDIRECT; do
	d=$(($(field "$after" "$a" 2) - $(field "$before" "$a" 2)))
	check "$a did not move (delta $d)" test "$d" -eq 0
done

tenv_finish
