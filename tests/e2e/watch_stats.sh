#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# e2e: WatchStats. While trafgen sends at a steady ~16 kpps, a 3-second `stats --watch` at 200 ms
# must print >= 12 snapshots, counters must never decrease, and pps must agree within 10% with
# the rate the root-side veth really sent (measured from its link counters over the same window).
# shellcheck disable=SC2016 # jq programs use their own $variables
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib/testenv.sh
source "$here/../lib/testenv.sh"

# trafgen's -b RATE sends a burst once a second (no use for 200 ms ticks); a gap is smooth:
# -t 50us gives about 16 kpps here. The test measures what was really sent anyway.
GAP=50us COUNT=150000

tenv_init
tenv_add_hosts 1
tenv_no_ipv6 1
tenv_start_agent 1
T=$(tenv_sock 1) IF=$(tenv_if 1) OUT=$TENV_DIR/watch.jsonl

require "attach pass on $IF" xf -H "$T" attach "$IF" --prog pass
tenv_trafgen_bg 1 $COUNT 100 -t $GAP
sleep 1.5 # past trafgen's start-up, into the steady rate

tx0=$(tenv_host_tx 1) t0=$(date +%s%N)
rc=0
timeout -s INT 3 "$XDPFLEET" -H "$T" -o json stats "$IF" --watch --interval 0.2 > "$OUT" || rc=$?
tx1=$(tenv_host_tx 1) t1=$(date +%s%N)
sent_pps=$(jq -n "($tx1 - $tx0) / (($t1 - $t0) / 1e9)")
tenv_log "watch exit $rc; sent $((tx1 - tx0)) frames in $(((t1 - t0) / 1000000)) ms = $sent_pps pps"

# One row per snapshot: XDP_PASS packets, pps, period; and all packet+byte counters.
rows=$(jq -c --arg i "$IF" '.[0].interfaces[] | select(.ifname == $i) |
	{p: (.actions[] | select(.action == "XDP_PASS")), period, all: [.actions[] | .packets, .bytes]}' "$OUT")
n=$(grep -c . <<< "$rows" || true)
check "3 s watch at 200 ms gave >= 12 snapshots (got $n)" test "$n" -ge 12
check "every snapshot is a JSON array with the host ok" \
	jq -e -s 'length > 0 and all(.[]; type == "array" and .[0].ok == true)' "$OUT"
check "counters never decrease between snapshots" jq -e -s \
	'[.[] | .all] as $s | [range(1; $s | length) as $k | [$s[$k], $s[$k - 1]] | transpose[] | .[0] >= .[1]] | all' \
	<<< "$rows"

# pps of the snapshots after the first (whose period may be from before the watch).
stats=$(jq -s '.[1:] | [.[].p.pps] | sort | {mean: (add / length), median: .[length / 2 | floor], min: min, max: max}' <<< "$rows")
mean=$(jq .mean <<< "$stats")
tenv_log "pps over snapshots 2..$n: $(jq -c . <<< "$stats"), periods $(jq -s -c '[.[].period]' <<< "$rows")"
check "mean pps $mean within 10% of sent $sent_pps" \
	jq -e -n "($mean - $sent_pps | fabs) <= 0.10 * $sent_pps"
median=$(jq .median <<< "$stats")
check "median pps $median within 10% of sent $sent_pps" \
	jq -e -n "($median - $sent_pps | fabs) <= 0.10 * $sent_pps"
# The same from the counters: packets over the summed periods.
cnt_pps=$(jq -s '(.[-1].p.packets - .[0].p.packets) / ([.[1:][].period] | add)' <<< "$rows")
check "counter rate $cnt_pps pps within 10% of sent $sent_pps" \
	jq -e -n "($cnt_pps - $sent_pps | fabs) <= 0.10 * $sent_pps"

tenv_finish
