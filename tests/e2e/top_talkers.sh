#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# e2e: top talkers on real frames. Three crafted sources send UDP into a namespace whose xf0
# runs `filter`, at clearly different rates; `top -o json` must list them heaviest first with
# pps within 10% of the rates they really arrived at (nft counters per source over the same
# seconds), in the host's and the fleet's view; a second host also receiving S2 makes the fleet
# view sum S2 over both hosts. trafgen paces by --gap: its --rate sends each
# second's frames in one burst.
# shellcheck disable=SC2016,SC2317 # jq programs use their own $variables; check runs functions
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib/testenv.sh
source "$here/../lib/testenv.sh"

LEN=100 SECS=16
R1=8000 R2=3000 R3=800

tenv_init
tenv_add_hosts 2
tenv_no_ipv6 1
tenv_no_ipv6 2
tenv_start_agent 1
tenv_start_agent 2
T=$(tenv_sock 1) T2=$(tenv_sock 2) IF=$(tenv_if 1)
S1=$(tenv_spare_ip 211) S2=$(tenv_spare_ip 212) S3=$(tenv_spare_ip 213)
tenv_stack_count_src 1 "$S1" "$S2" "$S3"

require "attach filter on $IF of both hosts" xf -H "$T,$T2" attach "$IF" --prog filter
tenv_trafgen_from_bg 2 "$S2" $((R2 * SECS)) $LEN --gap "$((1000000 / R2))us"
tenv_trafgen_from_bg 1 "$S2" $((R2 * SECS)) $LEN --gap "$((1000000 / R2))us"
tenv_trafgen_from_bg 1 "$S3" $((R3 * SECS)) $LEN --gap "$((1000000 / R3))us"
tenv_trafgen_from_bg 1 "$S1" $((R1 * SECS)) $LEN --gap "$((1000000 / R1))us"
sleep 3
out=$TENV_DIR/top.json
# The last view's rates are over its 4 s interval; nft counts the same seconds.
c1=$(tenv_stack_rx 1 "$S1") c2=$(tenv_stack_rx 1 "$S2") c3=$(tenv_stack_rx 1 "$S3") t1=$(date +%s.%N)
require "top -o json --count 2 --interval 4s" sh -c "timeout 30 '$XDPFLEET' -H '$T' top -o json --count 2 --interval 4s > '$out'"
d1=$(tenv_stack_rx 1 "$S1") d2=$(tenv_stack_rx 1 "$S2") d3=$(tenv_stack_rx 1 "$S3") t2=$(date +%s.%N)
rate() { awk -v a="$1" -v b="$2" -v s="$t1" -v e="$t2" 'BEGIN { printf "%.0f", (b - a) / (e - s) }'; }
R1=$(rate "$c1" "$d1") R2=$(rate "$c2" "$d2") R3=$(rate "$c3" "$d3")
last=$(tail -n 1 "$out")
[[ -n ${XF_DEBUG:-} ]] && jq -c "[.hosts[0].interfaces[] | {ifname, period, active, s: [.sources[] | {src, pps}]}]" "$out" >&2
tenv_log "top: $(jq -c '[.hosts[0].interfaces[0].sources[] | {src, pps}]' <<< "$last")"
order=$(jq -r '[.hosts[0].interfaces[] | select(.ifname == "xf0") | .sources[].src] | join(" ")' <<< "$last")
check "heaviest first: $S1 $S2 $S3 (got: $order)" test "$order" = "$S1/32 $S2/32 $S3/32"
fleet=$TENV_DIR/fleet.json
require "top of both hosts -o json" sh -c "timeout 30 '$XDPFLEET' -H '$T,$T2' top -o json --count 2 --interval 2s > '$fleet'"
flast=$(tail -n 1 "$fleet")
tenv_log "fleet: $(jq -c '[.fleet[] | {src, pps, hosts}]' <<< "$flast")"
check "the fleet view sums $S2 over both hosts (hosts 2, pps = the hosts' sum)" jq -e --arg s "$S2/32" '
	([.hosts[].interfaces[].sources[] | select(.src == $s) | .pps] | add) as $sum |
	.fleet[] | select(.src == $s) | .hosts == 2 and ((.pps - $sum) | fabs) < 0.01' <<< "$flast"
check "the fleet view ranks heaviest first" jq -e '[.fleet[].pps] as $p | $p == ($p | sort | reverse)' <<< "$flast"
# within SRC RATE: the source's pps in the last view is within 10% of RATE.
within()
{
	local pps
	pps=$(jq -r --arg s "$1/32" '.hosts[0].interfaces[].sources[] | select(.src == $s) | .pps' <<< "$last")
	tenv_log "$1: sent $2 pps, top says $pps"
	awk -v p="$pps" -v r="$2" 'BEGIN { exit !(p >= 0.9 * r && p <= 1.1 * r) }'
}
check "$S1 at ~$R1 pps (within 10%)" within "$S1" "$R1"
check "$S2 at ~$R2 pps (within 10%)" within "$S2" "$R2"
check "$S3 at ~$R3 pps (within 10%)" within "$S3" "$R3"
pass=$(jq -r --arg s "$S1/32" '.hosts[0].interfaces[].sources[] | select(.src == $s) | "\(.passed) \(.udp) \(.top_port)"' <<< "$last")
check "verdict, protocol and port mix of $S1: all passed, all udp, port 9 (got: $pass)" \
	awk -v l="$pass" 'BEGIN { split(l, a, " "); exit !(a[1] > 0 && a[1] == a[2] && a[3] == 9) }'
[[ -n ${XF_DEBUG:-} ]] && cat "$TENV_DIR/trafgen.log" "$TENV_DIR/h1/agent.log" >&2
tenv_finish
