#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# e2e: rules outlive their agent.
#   kill -9 under a flood from a dropped source: no frame from it reaches the namespace's stack
#   while the agent is dead, nor after its restart; the restarted agent lists the same rules (ids,
#   actions, comments) with hit counts that were not reset: the drop rule's hits equal every frame
#   sent from its source (before, during and after the death), the monitor rule's the frames sent
#   while the agent was dead; XDP_DROP counted the same frames.
#   Then the agent is stopped, its rule map pins (<bpffs>/xdpfleet/netns-*/rules) are removed (a
#   reboot's empty bpffs, for the rules) and it starts again under the flood: every rule comes
#   back from --state-dir, and the dropped source stays dropped throughout (hits count afresh).
# shellcheck disable=SC2016 # jq programs use their own $variables
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib/testenv.sh
source "$here/../lib/testenv.sh"

LEN=100 N0=5000 NDEAD=2000 RATE=20000 FLOOD=80000 # FLOOD at RATE pps: 4 s

tenv_init
tenv_add_hosts 1
tenv_no_ipv6 1
tenv_start_agent 1 --max-rules 65536
T=$(tenv_sock 1) IF=$(tenv_if 1) NS=$(tenv_ns 1)
SRC1=$(tenv_spare_ip 221) SRC2=$(tenv_spare_ip 222)
tenv_stack_count_src 1 "$SRC1" "$SRC2"
drops() { xf_counter "$T" "$IF" XDP_DROP packets; }
list() { xf -H "$T" rules list -o json; }
# hits JSON SRC: hits of the rule on SRC.
hits() { jq -er --arg s "$2" '.[0].rules[] | select(.src == $s) | .hits' <<< "$1"; }
# ruleset JSON: the rules without their counters, for comparison across restarts.
ruleset() { jq -c '[.[0].rules[] | {id, action, src, proto, port, comment, expires_in}] | sort_by(.id)' <<< "$1"; }
# flood_wait: until the background flood (FLOOD_PID) ends, at most 15 s.
flood_wait()
{
	for _ in $(seq 150); do kill -0 "$FLOOD_PID" 2>/dev/null || break; sleep 0.1; done
	if kill -0 "$FLOOD_PID" 2>/dev/null; then
		tenv_fail "the flood did not end within 15 s"
		tenv__kill_group "$FLOOD_PID"
	fi
	wait "$FLOOD_PID" || tenv_fail "trafgen flood exit $?"
	sleep 0.2
}

require "attach filter on $IF" xf -H "$T" attach "$IF" --prog filter
id0=$(tenv_xdp_id "$IF" "$NS")
require "drop add $SRC1" xf -H "$T" drop add "$SRC1" --comment "e2e drop"
require "monitor add $SRC2" xf -H "$T" monitor add "$SRC2" --comment "e2e monitor"
require "drop add 2001:db8:bad::/48 192.0.2.0/24 --proto udp --port 53" \
	xf -H "$T" drop add 2001:db8:bad::/48 192.0.2.0/24 --proto udp --port 53 --comment "e2e v6+port"
d0=$(drops)
require "trafgen $N0 frames from $SRC1" tenv_trafgen_from 1 "$SRC1" $N0 $LEN
sleep 0.1
before=$(list)
check "4 rules listed before the kill" jq -e '.[0].rules | length == 4' <<< "$before"
check "the drop rule counted $N0 frames" test "$(hits "$before" "$SRC1/32")" -eq $N0

# --- kill -9 under the flood ---------------------------------------------------------------------
tenv_trafgen_from_bg 1 "$SRC1" $FLOOD $LEN -b ${RATE}pps
FLOOD_PID=$TENV_LAST_PID
sleep 0.5
tenv_kill9_agent 1
rx_a=$(tenv_ns_rx 1)
check "after kill -9 the filter is still attached (prog id $id0)" test "$(tenv_xdp_id "$IF" "$NS")" == "$id0"
require "trafgen $NDEAD frames from $SRC2 while the agent is dead" tenv_trafgen_from 1 "$SRC2" $NDEAD $LEN
sleep 1
rx_b=$(tenv_ns_rx 1)
s1=$(tenv_stack_rx 1 "$SRC1") s2=$(tenv_stack_rx 1 "$SRC2")
check "the flood went on while the agent was dead (xf0 received $((rx_b - rx_a)) frames in ~1.2 s)" \
	test $((rx_b - rx_a)) -ge $((RATE / 2))
check "with the agent dead, no frame from $SRC1 reached the stack ($s1)" test "$s1" -eq 0
check "with the agent dead, $SRC2's $NDEAD frames passed (monitor: $s2)" test "$s2" -eq $NDEAD
tenv_restart_agent 1
flood_wait
s1=$(tenv_stack_rx 1 "$SRC1")
check "no frame from $SRC1 reached the stack through the kill and the restart ($s1)" test "$s1" -eq 0
after=$(list)
check "after the restart the same rules are listed (ids, actions, comments)" \
	test "$(ruleset "$after")" == "$(ruleset "$before")"
h1=$(hits "$after" "$SRC1/32") h2=$(hits "$after" "$SRC2/32")
check "drop hits kept and counted on: $N0 + $FLOOD = $((N0 + FLOOD)) (got $h1)" test "$h1" -eq $((N0 + FLOOD))
check "monitor hits kept: the $NDEAD frames sent while the agent was dead (got $h2)" test "$h2" -eq $NDEAD
d1=$(drops)
check "XDP_DROP counted the same $((N0 + FLOOD)) frames ($d0 -> $d1)" test $((d1 - d0)) -eq $((N0 + FLOOD))

# --- pins removed: restored from the state dir ---------------------------------------------------
tenv_stop_agent 1
pins=$(find "$(tenv_hdir 1)/bpffs/xdpfleet" -maxdepth 2 -path '*/netns-*/rules' -type d)
require "the rule map pins exist ($pins)" test -n "$pins" -a "$(wc -l <<< "$pins")" -eq 1
rm -rf "$pins"
check "the rule map pins are gone" test ! -e "$pins"
tenv_trafgen_from_bg 1 "$SRC1" $FLOOD $LEN -b ${RATE}pps
FLOOD_PID=$TENV_LAST_PID
sleep 0.5
tenv_restart_agent 1
flood_wait
check "the rule maps are pinned again" test -d "$pins"
restored=$(list)
check "all 4 rules came back from the state dir (ids, actions, comments)" \
	test "$(ruleset "$restored")" == "$(ruleset "$before")"
s1=$(tenv_stack_rx 1 "$SRC1")
check "no frame from $SRC1 reached the stack through the restore ($s1)" test "$s1" -eq 0
check "filter is still attached on $IF" test -n "$(tenv_xdp_id "$IF" "$NS")"
h1a=$(hits "$restored" "$SRC1/32")
require "trafgen $N0 frames from $SRC1 after the restore" tenv_trafgen_from 1 "$SRC1" $N0 $LEN
require "trafgen $N0 frames from $SRC2 after the restore" tenv_trafgen_from 1 "$SRC2" $N0 $LEN
sleep 0.1
final=$(list)
h1b=$(hits "$final" "$SRC1/32") h2b=$(hits "$final" "$SRC2/32")
s1=$(tenv_stack_rx 1 "$SRC1") s2=$(tenv_stack_rx 1 "$SRC2")
check "the restored drop rule is enforced: no frame from $SRC1 reached the stack ($s1)" test "$s1" -eq 0
check "the restored drop rule counts: +$N0 hits ($h1a -> $h1b)" test $((h1b - h1a)) -eq $N0
check "the restored monitor rule passes and counts $SRC2: stack +$N0 ($s2), hits $h2b" \
	test "$s2" -eq $((NDEAD + N0)) -a "$h2b" -ge $N0
echo "after the pins were removed the drop rule's hits restarted: $h1a (the flood during the restore), $h1b now"

tenv_finish
