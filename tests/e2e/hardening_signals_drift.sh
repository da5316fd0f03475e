#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# e2e: the agent under a flood from a dropped source, through everything that happens to a host
# agent: kill -9 and restart, SIGTERM and restart, SIGHUP, its rule pins deleted, a state
# directory that turns read-only or full, its program removed behind its back
# (`ip link set dev X xdp off`), its interface deleted and created again. Throughout, no frame
# of the dropped source reaches the namespace's stack; the agent keeps or restores its rules,
# refuses changes it cannot save with the reason, and attaches its program again within a
# second, saying so in `status`.
# shellcheck disable=SC2016 # jq programs use their own $variables
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib/testenv.sh
source "$here/../lib/testenv.sh"

LEN=100 RATE=20000

tenv_init
tenv_add_hosts 1
tenv_no_ipv6 1
D=$(tenv_hdir 1)
# The state directory on a small file system of its own, so that it can be filled.
mkdir -p "$D/state"
mount -t tmpfs -o size=1m xf-state "$D/state"
tenv_on_cleanup "umount -l '$D/state'"
tenv_start_agent 1 --max-rules 4096
T=$(tenv_sock 1) IF=$(tenv_if 1) NS=$(tenv_ns 1)
BAD=$(tenv_spare_ip 240) GOOD=$(tenv_spare_ip 241)
tenv_stack_count_src 1 "$BAD" "$GOOD"

list() { xf -H "$T" rules list -o json | jq -c '[.[0].rules[] | {id, src, comment}] | sort_by(.id)'; }
banned_seen() { tenv_stack_rx 1 "$BAD"; }
# flood N: BAD sends N frames at RATE pps in the background (TENV_LAST_PID).
flood() { tenv_trafgen_from_bg 1 "$BAD" "$1" $LEN -b ${RATE}pps; FLOOD_PID=$TENV_LAST_PID; }
flood_wait()
{
	for _ in $(seq 300); do kill -0 "$FLOOD_PID" 2>/dev/null || break; sleep 0.1; done
	wait "$FLOOD_PID" || tenv_fail "trafgen flood exit $?"
}
# reattached_within_1s: polls the kernel until xf0 runs a program of the agent's again.
reattached_within_1s()
{
	local t0 now id
	t0=$(date +%s%N)
	while :; do
		id=$(tenv_xdp_id "$IF" "$NS")
		now=$(date +%s%N)
		[[ -n $id ]] && { echo $(((now - t0) / 1000000)); return 0; }
		((now - t0 > 3000000000)) && { echo never; return 1; }
		sleep 0.02
	done
}

require "attach filter" xf -H "$T" attach "$IF" --prog filter
require "drop $BAD" xf -H "$T" drop add "$BAD" --comment "banned"
require "monitor $GOOD (no comment)" xf -H "$T" monitor add "$GOOD"
before=$(list)

flood 400000 # 20 s at 20 kpps, while the agent goes through its signals
sleep 0.5
tenv_kill9_agent 1
sleep 0.5
tenv_restart_agent 1
check "after kill -9 and a restart: the same rules" test "$(list)" == "$before"
tenv_stop_agent 1
tenv_restart_agent 1
check "after SIGTERM and a restart: the same rules" test "$(list)" == "$before"
pid=${TENV_AGENT_PID[1]}
kill -HUP "$pid"
sleep 1
check "SIGHUP does not end the agent" kill -0 "$pid"
check "... it says so in its log" grep -q "SIGHUP: nothing to reload" "$D/agent.log"
check "... and it keeps serving" test "$(list)" == "$before"
tenv_stop_agent 1
rm -rf "$D/bpffs/xdpfleet/"netns-*/rules
tenv_restart_agent 1
check "with the rule pins deleted: the rules are restored" test "$(list)" == "$before"

# --- the state directory read-only, then full: clear errors, nothing changed, still serving -----
# (a file system with files open for writing cannot turn read-only: restart on it)
tenv_stop_agent 1
mount -o remount,ro "$D/state"
tenv_restart_agent 1
check "on a read-only state dir the agent starts with its rules" test "$(list)" == "$before"
rc=0
out=$(xf -H "$T" drop add 198.18.250.0/24 2>&1) || rc=$?
check "a read-only state dir: the add is refused (exit $rc) saying why" grep -q "Read-only file system" <<< "$out"
check "... the rules are as before" test "$(list)" == "$before"
tenv_stop_agent 1
mount -o remount,rw "$D/state"
tenv_restart_agent 1
dd if=/dev/zero of="$D/state/filler" bs=64k 2> /dev/null || true
rc=0
# (more than the last page of the journal holds, which may still have room)
mapfile -t many < <(for i in $(seq 1 250); do echo "198.18.251.$i"; done)
out=$(xf -H "$T" drop add "${many[@]}" --comment "$(printf 'x%.0s' {1..200})" 2>&1) || rc=$?
check "a full state dir: the add is refused (exit $rc) saying why" grep -q "No space left on device" <<< "$out"
check "... the rules are as before" test "$(list)" == "$before"
rm -f "$D/state/filler"
require "with room again, adds work" xf -H "$T" drop add 198.18.254.0/24
require "... and deletes" xf -H "$T" rules del 198.18.254.0/24
check "... back to the rules before" test "$(list)" == "$before"

# The flood covered the signals, restarts and state-dir failures; it must be over before the
# drift below, where frames pass by design until the agent attaches the program again.
flood_wait
check "through all of that, no frame from $BAD reached the stack ($(banned_seen))" test "$(banned_seen)" -eq 0

# --- drift: program removed, interface recreated -----------------------------------------------
ip -n "$NS" link set dev "$IF" xdp off
ms=$(reattached_within_1s) || true
check "the program removed with 'ip link set dev $IF xdp off' is attached again within 1 s ($ms ms)" \
	test "$ms" != never -a "${ms/never/9999}" -le 1000
sleep 0.3
st=$(xf -H "$T" -o json status)
check "status reports it: state ok, the event named" \
	jq -e '.[0].attachments[0].state == "ok" and (.[0].attachments[0].last_event | test("removed behind the agent.s back; attached filter again"))' <<< "$st"
check "the agent's log says what happened" grep -q "removed behind the agent's back; attached filter again" "$D/agent.log"

tenv_relink 1
ms=$(reattached_within_1s) || true
check "the interface deleted and created again: attached again within 1 s ($ms ms)" \
	test "$ms" != never -a "${ms/never/9999}" -le 1000
sleep 0.3
st=$(xf -H "$T" -o json status)
check "status reports the new interface" \
	jq -e --argjson idx "$(ip -n "$NS" -j link show dev "$IF" | jq '.[0].ifindex')" \
	'.[0].attachments[0].ifindex == $idx and .[0].attachments[0].state == "ok"' <<< "$st"
require "trafgen 5000 frames from $BAD on the new interface" tenv_trafgen_from 1 "$BAD" 5000 $LEN
require "trafgen 5000 frames from $GOOD" tenv_trafgen_from 1 "$GOOD" 5000 $LEN
sleep 0.2
check "the new interface drops $BAD ($(banned_seen) reached the stack)" test "$(banned_seen)" -eq 0
check "and passes $GOOD ($(tenv_stack_rx 1 "$GOOD"))" test "$(tenv_stack_rx 1 "$GOOD")" -eq 5000

tenv_finish
