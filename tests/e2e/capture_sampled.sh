#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# e2e: sampled capture on real frames. A host whose xf0 runs `filter` drops SRC1 and passes SRC2.
#   capture --verdict drop --count 100 -w x.pcap: tcpdump reads exactly 100 packets, all from SRC1,
#     while SRC1 and SRC2 both send; a second capture on the interface is refused meanwhile.
#   --rule ID -w - | tcpdump -r -: a pipe, only that rule's packets; --sample 1/10 keeps ~1 in 10.
#   two hosts: one pcap each (FILE-HOST.pcap), 10 packets in each.
#   bad requests name their field and change nothing; a killed CLI frees the interface.
#   a flood as fast as trafgen goes: info answers within 1 s throughout, and the pcap holds no
#     more than the --max-pps cap allows (burst + cap x duration).
# shellcheck disable=SC2016,SC2317 # jq programs use their own $variables; functions run through check
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib/testenv.sh
source "$here/../lib/testenv.sh"

command -v tcpdump > /dev/null || { echo "SKIP: tcpdump missing (bash .ci/setup)" >&2; exit 77; }
LEN=120

tenv_init
tenv_add_hosts 2
tenv_no_ipv6 1
tenv_no_ipv6 2
tenv_start_agent 1
tenv_start_agent 2
T=$(tenv_sock 1) T2=$(tenv_sock 2) IF=$(tenv_if 1)
SRC1=$(tenv_spare_ip 211) SRC2=$(tenv_spare_ip 212)
D=$TENV_DIR

require "attach filter on $IF" xf -H "$T" attach "$IF" --prog filter
require "drop add $SRC1" xf -H "$T" drop add "$SRC1" --comment capture-e2e
RID=$(xf -H "$T" rules list -o json | jq -er --arg s "$SRC1/32" '.[0].rules[] | select(.src == $s) | .id')

# gate [I]: host I's (default 1) data plane's count of capturing interfaces, read from the capture_gate map of the
# program on IF (0: capture is off, the filter pays one array lookup).
gate()
{
	local id m b0 b1 b2 b3
	id=$(tenv_xdp_id "$IF" "$(tenv_ns "${1:-1}")")
	for m in $(bpftool prog show id "$id" -j | jq '.map_ids[]'); do
		if bpftool map show id "$m" -j | jq -e '.name == "capture_gate"' > /dev/null; then
			read -r b0 b1 b2 b3 < <(bpftool map lookup id "$m" key 0 0 0 0 | sed -n 's/.*value: *//p')
			echo $((16#$b3$b2$b1$b0))
			return 0
		fi
	done
	echo "no capture_gate map on program $id"
	return 1
}
gate_is() { for _ in $(seq 50); do [[ $(gate "${2:-1}") == "$1" ]] && return 0; sleep 0.1; done; gate "${2:-1}"; return 1; }
# busy: a second capture on IF is refused while one runs.
busy() { ! xf -H "$T" capture "$IF" --count 1 --duration 300ms -w "$D/probe.pcap" 2> "$D/busy.err" &&
	grep -q "being captured already" "$D/busy.err"; }
# srcs FILE: the distinct source addresses tcpdump reads, "ADDR COUNT" per line.
srcs() { tcpdump -nr "$1" 2> /dev/null | awk '{ split($3, a, "."); print a[1] "." a[2] "." a[3] "." a[4] }' |
	sort | uniq -c | awk '{ print $2, $1 }'; }
npkts() { tcpdump -nr "$1" 2> /dev/null | wc -l; }

# --- verdict drop, count 100 -------------------------------------------------------------------
check "no capture: the data plane's gate is 0" gate_is 0
tenv_bg "$XDPFLEET" -H "$T" capture "$IF" --verdict drop --count 100 -w "$D/x.pcap"
cap=$TENV_LAST_PID
require "the capture is on in the data plane (gate 1)" gate_is 1
check "a second capture on $IF is refused" busy
grep -q "ifname: '$IF'" "$D/busy.err" || tenv_fail "the refusal does not name ifname: $(cat "$D/busy.err")"
require "trafgen 300 frames from $SRC2 (passed)" tenv_trafgen_from 1 "$SRC2" 300 $LEN
require "trafgen 500 frames from $SRC1 (dropped)" tenv_trafgen_from 1 "$SRC1" 500 $LEN
for _ in $(seq 100); do kill -0 "$cap" 2> /dev/null || break; sleep 0.1; done
check "the capture ended by itself after --count 100" bash -c "! kill -0 $cap 2>/dev/null"
wait "$cap" || tenv_fail "capture exit $?"
n=$(npkts "$D/x.pcap")
echo "x.pcap: $n packets; sources: $(srcs "$D/x.pcap" | tr '\n' ' ')"
check "tcpdump -r x.pcap reads exactly 100 packets (got $n)" test "$n" -eq 100
check "all 100 are from the dropped $SRC1" test "$(srcs "$D/x.pcap")" = "$SRC1 100"
check "frames are whole (snaplen 256 > $LEN): tcpdump sees UDP length $((LEN - 42))" \
	bash -c "tcpdump -nr '$D/x.pcap' 2>/dev/null | head -1 | grep -q 'length $((LEN - 42))'"
check "the capture ended: the data plane's gate is back to 0" gate_is 0

# --- rule, pipe, sampling ----------------------------------------------------------------------
tenv_bg bash -c "'$XDPFLEET' -H '$T' capture '$IF' --rule $RID --sample 1/10 --count 20 -w - 2> '$D/pipe.err' |
	tcpdump -nr - > '$D/pipe.txt' 2> /dev/null"
cap=$TENV_LAST_PID
require "the rule capture is on" gate_is 1
require "trafgen 300 frames from $SRC2" tenv_trafgen_from 1 "$SRC2" 300 $LEN
require "trafgen 1000 frames from $SRC1" tenv_trafgen_from 1 "$SRC1" 1000 $LEN
for _ in $(seq 100); do kill -0 "$cap" 2> /dev/null || break; sleep 0.1; done
wait "$cap" || tenv_fail "capture | tcpdump exit $?"
n=$(wc -l < "$D/pipe.txt")
cat "$D/pipe.err"
check "capture --rule $RID -w - | tcpdump -r -: 20 packets (got $n)" test "$n" -eq 20
check "all from $SRC1, the rule's source" bash -c "! grep -v ' $SRC1\.' '$D/pipe.txt'"
matched=$(sed -n 's/.*(matched \([0-9]*\),.*/\1/p' "$D/pipe.err")
sampled=$(sed -n 's/.*, sampled \([0-9]*\),.*/\1/p' "$D/pipe.err")
check "--sample 1/10: sampled $sampled of matched $matched, 1 in 10 (per CPU: +-2)" \
	awk -v s="${sampled:-0}" -v m="${matched:-0}" 'BEGIN { exit !(m >= 190 && s >= 20 && s * 10 <= m && s * 10 >= m - 20) }'

# --- merged pcapng: the verdict and rule the filter applied, in each packet's comment ----------
tenv_bg "$XDPFLEET" -H "$T" capture "$IF" --verdict any --count 10 --merge -w "$D/m.pcapng"
cap=$TENV_LAST_PID
require "the merged capture is on" gate_is 1
require "trafgen 5 frames from $SRC2" tenv_trafgen_from 1 "$SRC2" 5 $LEN
require "trafgen 5 frames from $SRC1" tenv_trafgen_from 1 "$SRC1" 5 $LEN
for _ in $(seq 100); do kill -0 "$cap" 2> /dev/null || break; sleep 0.1; done
wait "$cap" || tenv_fail "merged capture exit $?"
verdicts=$(grep -ao "verdict [a-z]* rule [0-9]*" "$D/m.pcapng" | sort | uniq -c | awk '{ print $1, $3, $5 }' | tr '\n' ',')
echo "m.pcapng comments: $verdicts"
check "5 passed frames without a rule and 5 dropped by rule $RID ($verdicts)" \
	test "$verdicts" = "5 drop $RID,5 pass 0,"
check "tcpdump reads the pcapng: 10 packets" test "$(npkts "$D/m.pcapng")" -eq 10
echo "tcpdump -r x.pcap, first lines:"
tcpdump -nr "$D/x.pcap" 2> /dev/null | head -3

# --- two hosts: one pcap each ------------------------------------------------------------------
require "attach filter on host 2's $IF" xf -H "$T2" attach "$IF" --prog filter
tenv_bg "$XDPFLEET" -H "$T,$T2" capture "$IF" --count 10 -w "$D/y.pcap"
cap=$TENV_LAST_PID
require "host 1 captures" gate_is 1 1
require "host 2 captures" gate_is 1 2
require "trafgen 10 frames into host 1" tenv_trafgen_from 1 "$SRC2" 10 $LEN
require "trafgen 10 frames into host 2" tenv_trafgen_from 2 "$SRC2" 10 $LEN
for _ in $(seq 100); do kill -0 "$cap" 2> /dev/null || break; sleep 0.1; done
wait "$cap" || tenv_fail "two-host capture exit $?"
y1=$D/y-${T//[^A-Za-z0-9._-]/_}.pcap y2=$D/y-${T2//[^A-Za-z0-9._-]/_}.pcap
check "host 1's pcap $(basename "$y1"): 10 packets" test "$(npkts "$y1")" -eq 10
check "host 2's pcap $(basename "$y2"): 10 packets" test "$(npkts "$y2")" -eq 10
both_off() { gate_is 0 1 && gate_is 0 2; }
check "both hosts' captures are off again" both_off

# --- bad requests ------------------------------------------------------------------------------
out=$(xf -H "$T" capture nosuch0 -w "$D/bad.pcap" --count 1 2>&1) && tenv_fail "capture on nosuch0 succeeded"
check "an interface without the filter is refused naming ifname" grep -q "ifname: 'nosuch0'" <<< "$out"
out=$(xf -H "$T" capture "$IF" --rule 999999 -w "$D/bad.pcap" --count 1 2>&1) && tenv_fail "--rule 999999 succeeded"
check "an unknown rule is refused naming rule_id" grep -q "rule_id: no rule 999999" <<< "$out"
out=$(xf -H "$T" capture "$IF" --snaplen 5000 -w "$D/bad.pcap" 2>&1) && tenv_fail "--snaplen 5000 accepted"
check "--snaplen 5000 is a usage error" grep -q -- "--snaplen: invalid value '5000'" <<< "$out"
out=$(xf -H "$T" capture "$IF" --verdict maybe -w "$D/bad.pcap" 2>&1) && tenv_fail "--verdict maybe accepted"
check "--verdict maybe is a usage error" grep -q -- "--verdict: 'maybe'" <<< "$out"
check "after the refusals capture is still off (gate 0)" gate_is 0

# --- a killed client frees the interface -------------------------------------------------------
tenv_bg "$XDPFLEET" -H "$T" capture "$IF" -w "$D/killed.pcap"
cap=$TENV_LAST_PID
require "an endless capture is on" gate_is 1
kill -KILL "$cap"; wait "$cap" 2> /dev/null || true
check "kill -9 of the CLI turns the data plane's capture off (gate 0 within 5 s)" gate_is 0

# --- flood: the agent stays responsive and the cap holds ---------------------------------------
CAP=2000 DUR=4 FLOOD=4000000
tenv_trafgen_from_bg 1 "$SRC1" $FLOOD $LEN
flood=$TENV_LAST_PID
sleep 0.5
rx0=$(tenv_ns_rx 1) t0=$(date +%s.%N)
tenv_bg "$XDPFLEET" -H "$T" capture "$IF" --verdict drop --max-pps $CAP --duration ${DUR}s -w "$D/flood.pcap"
cap=$TENV_LAST_PID
worst=0
while kill -0 "$cap" 2> /dev/null; do
	a=$(date +%s%N)
	xf -H "$T" --timeout 1s info > /dev/null || tenv_fail "info failed during the flood"
	ms=$((($(date +%s%N) - a) / 1000000))
	((ms > worst)) && worst=$ms
	sleep 0.2
done
wait "$cap" || tenv_fail "flood capture exit $?"
check "after the flood capture the gate is 0 again" gate_is 0
rx1=$(tenv_ns_rx 1) t1=$(date +%s.%N)
kill "$flood" 2> /dev/null || true
wait "$flood" 2> /dev/null || true
pps=$(awk -v n=$((rx1 - rx0)) -v a="$t0" -v b="$t1" 'BEGIN { printf "%d", n / (b - a) }')
n=$(npkts "$D/flood.pcap")
span=$(tcpdump -tt -nr "$D/flood.pcap" 2> /dev/null | awk 'NR == 1 { f = $1 } { l = $1 } END { printf "%.2f", l - f }')
echo "flood: $pps pps offered; info answered within ${worst} ms at worst; captured $n packets over ${span} s"
check "the flood offered at least 100k pps (got $pps; 2 shared cores)" test "$pps" -ge 100000
check "info answered within 1 s during the flood (worst ${worst} ms)" test "$worst" -lt 1000
check "the capture got packets under the flood ($n >= $CAP)" test "$n" -ge $CAP
check "the cap held: $n <= burst $CAP + $CAP x ${DUR} s" test "$n" -le $((CAP + CAP * DUR))
# The steady rate, after the first second (the buckets start full), from the pcap's timestamps.
steady=$(tcpdump -tt -nr "$D/flood.pcap" 2> /dev/null | awk 'NR == 1 { f = $1 } $1 >= f + 1 { n++; l = $1 }
	END { printf "%d", (l > f + 1) ? n / (l - f - 1) : 0 }')
echo "steady capture rate after the first second: $steady pps (cap $CAP)"
check "the captured rate stays within --max-pps $CAP after the burst (got $steady pps)" \
	test "$steady" -gt 0 -a "$steady" -le $((CAP * 105 / 100))
check "every captured packet is from $SRC1" test "$(srcs "$D/flood.pcap" | awk '{ print $1 }')" = "$SRC1"

tenv_finish
