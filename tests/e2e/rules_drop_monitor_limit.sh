#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# e2e: drop, monitor and limit rules judged on real frames. trafgen
# sends UDP frames with crafted source addresses (spare addresses of the run's /24) into a
# namespace whose xf0 runs `filter`; an nft counter per source at prerouting says what reached the
# namespace's IP stack.
#   drop SRC1:    none of SRC1's frames reach the stack, all of SRC2's do; the rule's hits and
#                 bytes equal what SRC1 sent; XDP_DROP rises by exactly that, XDP_PASS by SRC2's.
#   monitor SRC2: counts SRC2's frames exactly and drops none.
#   limit SRC3 --pps 1000 under a ~50k pps flood: ~1000 pps reach the stack (700..1300 measured
#                 over a 3 s window inside the flood); every other frame is dropped (XDP_DROP).
# shellcheck disable=SC2016 # jq programs use their own $variables
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib/testenv.sh
source "$here/../lib/testenv.sh"

LEN=100 N1=20000 N2=15000

tenv_init
tenv_add_hosts 1
tenv_no_ipv6 1 # static ARP and no IPv6: only trafgen's frames cross xf0, so counts are exact
tenv_start_agent 1 --max-rules 65536
T=$(tenv_sock 1) IF=$(tenv_if 1)
SRC1=$(tenv_spare_ip 201) SRC2=$(tenv_spare_ip 202) SRC3=$(tenv_spare_ip 203)
tenv_stack_count_src 1 "$SRC1" "$SRC2" "$SRC3"

# counters: "ACTION PACKETS" per line; field COUNTERS ACTION.
counters()
{
	xf_stats "$T" "$IF" | jq -r --arg i "$IF" \
		'.[0].interfaces[] | select(.ifname == $i) | .actions[] | "\(.action) \(.packets)"'
}
field() { awk -v a="$2" '$1 == a { print $2 }' <<< "$1"; }
# rule SRC FIELD: a field of the rule on SRC/32 in `rules list -o json`.
rule()
{
	xf -H "$T" rules list -o json | jq -er --arg s "$1/32" --arg f "$2" \
		'.[0].rules[] | select(.src == $s) | .[$f]'
}
# settle: until XDP_PASS + XDP_DROP reach WANT (frames may still sit in veth's ring when
# trafgen exits); at most 5 s.
settle()
{
	local want=$1 c
	for _ in $(seq 50); do
		c=$(counters)
		(($(field "$c" XDP_PASS) + $(field "$c" XDP_DROP) >= want)) && return 0
		sleep 0.1
	done
}

require "attach filter on $IF" xf -H "$T" attach "$IF" --prog filter
require "drop add $SRC1" xf -H "$T" drop add "$SRC1" --comment e2e-drop

# --- drop --------------------------------------------------------------------------------------
c0=$(counters)
base=$(($(field "$c0" XDP_PASS) + $(field "$c0" XDP_DROP)))
require "trafgen $N1 frames from $SRC1" tenv_trafgen_from 1 "$SRC1" $N1 $LEN
require "trafgen $N2 frames from $SRC2" tenv_trafgen_from 1 "$SRC2" $N2 $LEN
settle $((base + N1 + N2))
c1=$(counters)
s1=$(tenv_stack_rx 1 "$SRC1") s2=$(tenv_stack_rx 1 "$SRC2")
check "no frame from dropped $SRC1 reached the stack (nft: $s1)" test "$s1" -eq 0
check "all $N2 frames from $SRC2 reached the stack (nft: $s2)" test "$s2" -eq $N2
hits=$(rule "$SRC1" hits) bytes=$(rule "$SRC1" bytes)
check "drop rule hits = $N1 frames sent from $SRC1 (got $hits)" test "$hits" -eq $N1
check "drop rule bytes = $N1 x $LEN (got $bytes)" test "$bytes" -eq $((N1 * LEN))
check "drop rule has a last_hit time" test "$(rule "$SRC1" last_hit)" -gt 0
dd=$(($(field "$c1" XDP_DROP) - $(field "$c0" XDP_DROP)))
dp=$(($(field "$c1" XDP_PASS) - $(field "$c0" XDP_PASS)))
check "XDP_DROP rose by exactly $N1 (got $dd)" test "$dd" -eq $N1
check "XDP_PASS rose by exactly $N2 (got $dp)" test "$dp" -eq $N2

# --- monitor -----------------------------------------------------------------------------------
require "monitor add $SRC2" xf -H "$T" monitor add "$SRC2"
check "the monitor rule starts at 0 hits" test "$(rule "$SRC2" hits)" -eq 0
require "trafgen $N2 frames from $SRC2" tenv_trafgen_from 1 "$SRC2" $N2 $LEN
settle $((base + N1 + 2 * N2))
c2=$(counters)
s2b=$(tenv_stack_rx 1 "$SRC2")
mh=$(rule "$SRC2" hits)
check "monitor rule hits = $N2 (got $mh)" test "$mh" -eq $N2
check "monitor dropped nothing: all $N2 more frames reached the stack ($s2 -> $s2b)" \
	test $((s2b - s2)) -eq $N2
dd=$(($(field "$c2" XDP_DROP) - $(field "$c1" XDP_DROP)))
check "XDP_DROP did not move under monitor (delta $dd)" test "$dd" -eq 0
check "the drop rule's hits did not move ($(rule "$SRC1" hits))" test "$(rule "$SRC1" hits)" -eq $N1

# --- limit -------------------------------------------------------------------------------------
# 250,000 frames at 50k pps: a 5 s flood. The pass rate is measured inside it, from 1 s in (the
# bucket starts full: a burst of up to 1000 passes first) to 4 s in.
FLOOD=250000
require "limit add $SRC3 --pps 1000" xf -H "$T" limit add "$SRC3" --pps 1000
c3=$(counters)
tenv_trafgen_from_bg 1 "$SRC3" $FLOOD $LEN -b 50000pps
flood_pid=$TENV_LAST_PID
t_start=$(date +%s.%N)
sleep 1
ta=$(date +%s.%N) a=$(tenv_stack_rx 1 "$SRC3") la=$(tenv_ns_rx 1)
sleep 3
tb=$(date +%s.%N) b=$(tenv_stack_rx 1 "$SRC3") lb=$(tenv_ns_rx 1)
for _ in $(seq 150); do kill -0 "$flood_pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$flood_pid" 2>/dev/null; then
	tenv_fail "the flood did not end within 20 s"
	tenv__kill_group "$flood_pid"
fi
wait "$flood_pid" || tenv_fail "trafgen flood exit $?"
t_end=$(date +%s.%N)
settle $((base + N1 + 2 * N2 + FLOOD))
c4=$(counters)
s3=$(tenv_stack_rx 1 "$SRC3")
offered=$(awk -v n=$((lb - la)) -v a="$ta" -v b="$tb" 'BEGIN { printf "%d", n / (b - a) }')
passed=$(awk -v n=$((b - a)) -v a="$ta" -v b="$tb" 'BEGIN { printf "%d", n / (b - a) }')
echo "flood: $FLOOD frames in $(awk -v a="$t_start" -v b="$t_end" 'BEGIN { printf "%.1f", b - a }') s;" \
	"in the window: offered $offered pps, reached the stack $passed pps"
check "the flood offered at least 30k pps in the window (got $offered)" test "$offered" -ge 30000
check "limit 1000 pps: 700..1300 pps reached the stack (got $passed)" \
	test "$passed" -ge 700 -a "$passed" -le 1300
dd=$(($(field "$c4" XDP_DROP) - $(field "$c3" XDP_DROP)))
dp=$(($(field "$c4" XDP_PASS) - $(field "$c3" XDP_PASS)))
check "every flood frame was passed or dropped: $dp + $dd = $FLOOD" test $((dp + dd)) -eq $FLOOD
check "the frames passed are those that reached the stack ($dp = $s3)" test "$dp" -eq "$s3"
dur=$(awk -v a="$t_start" -v b="$t_end" 'BEGIN { printf "%.2f", b - a }')
check "over the whole flood ($dur s) at most a 1000-frame burst + 1300 pps passed ($dp)" \
	awk -v p="$dp" -v d="$dur" 'BEGIN { exit !(p <= 1000 + 1300 * d) }'
check "the rest was dropped: XDP_DROP +$dd >= $((FLOOD * 9 / 10))" test "$dd" -ge $((FLOOD * 9 / 10))
lh=$(rule "$SRC3" hits)
check "the limit rule counted every flood frame (hits $lh = $FLOOD)" test "$lh" -eq $FLOOD
check "the limit rule shows its budget (limit_pps 1000)" test "$(rule "$SRC3" limit_pps)" -eq 1000

tenv_finish
