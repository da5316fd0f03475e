#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# e2e: `stats --watch -o jsonl` as a collector runs it: one JSON object per host and snapshot
# with wall-clock times (RFC 3339 "time", the agent's "timestamp_unix_ns"), flushed line by
# line; an agent restarted mid-watch (SIGTERM, then kill -9) is reconnected, with a
# "disconnected" and a "reconnected" event line and a line on stderr each time, while the
# other host streams on; Ctrl-C ends the watch with exit 0.
# shellcheck disable=SC2016 # jq programs use their own $variables
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib/testenv.sh
source "$here/../lib/testenv.sh"

tenv_init
tenv_add_hosts 2
for i in 1 2; do tenv_start_agent "$i"; done
S1=$(tenv_sock 1) S2=$(tenv_sock 2) IF=$(tenv_if 1)
OUT=$TENV_DIR/watch.jsonl ERR=$TENV_DIR/watch.err
require "attach pass on both hosts" xf -H "$S1,$S2" attach "$IF" --prog pass

"$XDPFLEET" -H "$S1,$S2" -o jsonl stats "$IF" --watch --interval 0.2 > "$OUT" 2> "$ERR" &
watch=$!
tenv_on_cleanup "kill -9 $watch 2> /dev/null || true"
sleep 1.5
# Lines arrive as they are written, not when the watch ends.
check "snapshots are on disk while the watch runs" test "$(grep -c . "$OUT")" -ge 8
tenv_restart_agent 1
sleep 1.5
tenv_kill9_agent 1
sleep 0.5
tenv_start_agent 1
sleep 1.5
kill -INT "$watch"
rc=0
wait "$watch" || rc=$?
check "Ctrl-C ends the watch: exit 0 (got $rc)" test "$rc" -eq 0

check "every line is one JSON object with an RFC 3339 time and a host" \
	jq -e -s 'length > 20 and all(.[]; type == "object" and (.time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z$")) and (.host | type == "string"))' "$OUT"
if jq -e -s 'any(.[] | select(.ok == true) | .interfaces[]; .timestamp_unix_ns > 0)' "$OUT" > /dev/null; then
	check "snapshots carry the agent's wall clock per interface" jq -e -s --arg i "$IF" '
		[.[] | select(.ok == true) | .interfaces[] | select(.ifname == $i)] as $s
		| ($s | length) > 20 and all($s[]; .timestamp_unix_ns > 1.7e18 and (.time | type == "string"))' "$OUT"
else
	# The agent fills InterfaceStats.timestamp_unix_ns in; until it does, the CLI says null.
	tenv_log "this agent sends no timestamp_unix_ns: only the CLI's time is checked"
	check "interfaces without the agent's wall clock say so (time null)" jq -e -s '
		all(.[] | select(.ok == true) | .interfaces[]; .time == null and .timestamp_unix_ns == 0)' "$OUT"
fi
check "host 1: two outages, each a disconnected then a reconnected event" jq -e -s --arg h "$S1" '
	[.[] | select(.host == $h and .event) | .event] == ["disconnected", "reconnected", "disconnected", "reconnected"]' "$OUT"
check "host 1 streams again after each reconnection, its seq going on" jq -e -s --arg h "$S1" '
	[.[] | select(.host == $h)] as $l
	| ($l | map(.event) | rindex("reconnected")) as $r
	| ($l[$r + 1:] | map(select(.ok)) | length) >= 3
	and ([$l[] | select(.ok) | .seq] | . == (sort | unique))' "$OUT"
check "host 2 never stopped: no event, snapshots all along" jq -e -s --arg h "$S2" '
	[.[] | select(.host == $h)] as $l | ($l | all(.ok == true)) and ($l | length) > 20' "$OUT"
check "stderr says so each time" bash -c '
	[[ $(grep -c "stream broke" "$1") == 2 && $(grep -c "reconnected after" "$1") == 2 ]]' _ "$ERR"
check "the events name the error and the outage" jq -e -s --arg h "$S1" '
	[.[] | select(.host == $h and .event)] as $e
	| $e[0].code == "UNAVAILABLE" and $e[0].retry_in_ms == 200
	and ($e[1].down_ms | type == "number") and $e[1].attempts >= 1' "$OUT"

tenv_finish
