#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# e2e ecosystem_python: standard Python gRPC clients against two agents. The health stub gets
# SERVING on every listener, including the plaintext --health-listen, which serves nothing
# else; a health Watch sees the agent stop. The collector example (docs/examples/collector.py)
# streams snapshots from both agents with the exact counts trafgen sent, and keeps streaming
# across a restart of one of them, saying so.
# shellcheck disable=SC2016 # jq programs use their own $variables
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib/testenv.sh
source "$here/../lib/testenv.sh"

N1=3000 N2=5000 HPORT=50052
py() { PYTHONPATH=$XF_PYTHONPATH /usr/bin/python3 "$@"; }
health() { py "$here/health_check.py" "$@"; }
COLLECTOR="$here/../../docs/examples/collector.py"
# shellcheck disable=SC2317 # called through require
collect_to() { local f=$1; shift; timeout 30 env PYTHONPATH="$XF_PYTHONPATH" /usr/bin/python3 "$COLLECTOR" "$@" > "$f"; }

tenv_init
tenv_add_hosts 2
for i in 1 2; do
	tenv_no_ipv6 "$i"
	tenv_start_agent "$i" --health-listen "$(tenv_ns_ip "$i"):$HPORT"
	require "attach pass on host $i" xf -H "$(tenv_sock "$i")" attach "$(tenv_if "$i")" --prog pass
done
T1=$(tenv_sock 1) T2=$(tenv_sock 2)
H1="$(tenv_ns_ip 1):$HPORT"

check "health on the unix socket: SERVING" test "$(health "$T1")" = SERVING
check "health on the TCP listener: SERVING" test "$(health "$(tenv_tcp 1)")" = SERVING
check "health on --health-listen: SERVING" test "$(health "$H1")" = SERVING
check "health of xdpfleet.v1.Agent: SERVING" test "$(health "$H1" xdpfleet.v1.Agent)" = SERVING
check "health of an unknown service: NOT_FOUND" test "$(health "$H1" no.such.Service)" = NOT_FOUND
out=$(py - "$H1" <<-'PY' 2>&1 || true
	import sys, grpc
	from xfapi import Agent
	from xdpfleet.v1 import agent_pb2 as pb
	try:
	    Agent(sys.argv[1]).GetInfo(pb.GetInfoRequest(), timeout=5)
	    print("answered")
	except grpc.RpcError as e:
	    print(e.code().name, e.details())
	PY
)
check "--health-listen refuses the API ($out)" grep -q "^PERMISSION_DENIED GetInfo: .* serves health checks only" <<< "$out"

# From here only unix sockets: TCP calls would cross the xf0s and add to their counts.
pass() { xf_counter "$1" "$(tenv_if 1)" XDP_PASS packets; }
B1=$(pass "$T1") B2=$(pass "$T2")
require "trafgen sent $N1 frames to host 1" tenv_trafgen 1 $N1 100
require "trafgen sent $N2 frames to host 2" tenv_trafgen 2 $N2 100
lines="$TENV_DIR/collector.jsonl"
t0=$(date +%s%N)
require "the collector took 3 snapshots from each agent" \
	collect_to "$lines" --target "$T1" --target "$T2" --interval-ms 200 --count 3
# The objects of FILE about host H (a line cut short by a kill is skipped).
about() { jq -cR --arg h "$2" 'fromjson? | select(.host == $h)' "$1"; }
snaps() { about "$lines" "$1" | jq -c 'select(.ifname != null)'; }
events() { about "$live" "$1" | jq -c --arg e "$2" 'select(.event == $e)'; }
check "3 snapshot lines from host 1" test "$(snaps "$T1" | wc -l)" -eq 3
check "3 snapshot lines from host 2" test "$(snaps "$T2" | wc -l)" -eq 3
check "host 1 passed exactly $N1 more" test "$(snaps "$T1" | tail -1 | jq '.actions.XDP_PASS.packets')" -eq $((B1 + N1))
check "host 2 passed exactly $N2 more" test "$(snaps "$T2" | tail -1 | jq '.actions.XDP_PASS.packets')" -eq $((B2 + N2))
check "timestamps are wall-clock nanoseconds of now" \
	jq -e --argjson t0 "$t0" 'select(.ifname != null) | (.timestamp_unix_ns - $t0 | fabs) < 10e9' "$lines"

# A restart: the stream ends, the collector says so, reconnects, and counts carry on.
live="$TENV_DIR/collector-live.jsonl"
tenv_bg env PYTHONPATH="$XF_PYTHONPATH" /usr/bin/python3 "$COLLECTOR" --target "$T1" --target "$T2" --interval-ms 200 > "$live"
cpid=$TENV_LAST_PID
watch_out="$TENV_DIR/watch.txt"
tenv_bg env PYTHONPATH="$XF_PYTHONPATH" /usr/bin/python3 "$here/health_check.py" --watch "$T1" > "$watch_out"
wpid=$TENV_LAST_PID
sleep 1
tenv_restart_agent 1
require "trafgen sent $N1 more frames to host 1" tenv_trafgen 1 $N1 100
want=$((B1 + 2 * N1)) ok=0
for _ in $(seq 100); do
	if about "$live" "$T1" | jq -e --argjson n $want 'select(.actions.XDP_PASS.packets == $n)' > /dev/null; then
		ok=1
		break
	fi
	sleep 0.1
done
kill "$cpid" 2> /dev/null || true
check "the collector said host 1 disconnected" test "$(events "$T1" disconnected | wc -l)" -ge 1
check "and connected again" test "$(events "$T1" connected | wc -l)" -eq 2
check "and streamed its counts after the restart (exactly $N1 more)" test $ok -eq 1
check "host 2's stream went on without a break" \
	test "$(events "$T2" connected | wc -l)/$(events "$T2" disconnected | wc -l)" = 1/0
for _ in $(seq 50); do kill -0 "$wpid" 2> /dev/null || break; sleep 0.1; done
check "the health Watch saw SERVING, then the stream ended with the agent ($(tr '\n' ' ' < "$watch_out"))" \
	bash -c "head -1 '$watch_out' | grep -qx SERVING && tail -1 '$watch_out' | grep -qE '^END (UNAVAILABLE|OK)$'"

tenv_finish
