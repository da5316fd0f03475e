#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# e2e: automatic mitigation on real frames. A trigger --pps 5000 --ttl 3s on a host whose xf0
# runs `filter`; a ~20k pps UDP flood from FLOOD and a ~100 pps source LIGHT:
#   - within 2 s of the flood's start an `auto` rule drops FLOOD (its comment names the trigger
#     and the measured rate), nft sees no more FLOOD frames, LIGHT's keep arriving, no rule on LIGHT;
#   - the rule outlives its TTL while the flood lasts (refreshed), and is gone within TTL + 2 s
#     after the flood stops;
#   - floods from the trigger's client's own address and from a --protect prefix get no rule,
#     only mitigation_refused events; a flood from a source an operator's rule already drops
#     leaves that rule the operator's (no TTL, no tag);
#   - events (WatchEvents via `xdpfleet events`) and `mitigate list` say what happened, the
#     audit log has the events, and the trigger survives an agent restart.
# shellcheck disable=SC2016,SC2317 # jq programs use their own $variables; check runs functions
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib/testenv.sh
source "$here/../lib/testenv.sh"

LEN=100 TTL=3

tenv_init
tenv_add_hosts 1
tenv_no_ipv6 1
FLOOD=$(tenv_spare_ip 221) LIGHT=$(tenv_spare_ip 222) PROT=$(tenv_spare_ip 223) OPER=$(tenv_spare_ip 224)
CLIENT=$(tenv_host_ip 1)
tenv_start_agent 1 --protect "$PROT/32" --metrics-listen 127.0.0.1:19477
T=$(tenv_sock 1) IF=$(tenv_if 1)
tcp() { xf -H "$(tenv_tcp 1)" --insecure --timeout 3 "$@"; }
tenv_stack_count_src 1 "$FLOOD" "$LIGHT" "$PROT" "$CLIENT"
now() { date +%s.%N; }
# auto_rule SRC FIELD: a field of the auto rule on SRC/32, or nothing.
auto_rule()
{
	xf -H "$T" rules list -o json | jq -r --arg s "$1/32" --arg f "$2" \
		'.[0].rules[] | select(.src == $s and .tag == "auto") | .[$f]'
}

require "attach filter on $IF" xf -H "$T" attach "$IF" --prog filter
tenv_bg "$XDPFLEET" -H "$T" events -o jsonl > "$TENV_DIR/events.jsonl" 2>&1
sleep 0.5
require "mitigate add --pps 5000 --ttl ${TTL}s (over TCP, from $CLIENT)" \
	tcp mitigate add --pps 5000 --ttl ${TTL}s
check "mitigate list shows trigger 1 with its client $CLIENT" \
	bash -c 'xf -H "$1" mitigate list -o json | jq -e --arg c "$2" ".[0].triggers[0] | .id == 1 and .pps == 5000 and .client == \$c"' _ "$T" "$CLIENT"

# --- the flood and the light source -------------------------------------------------------------
tenv_trafgen_from_bg 1 "$LIGHT" 2000 $LEN --gap 10ms
t0=$(now)
tenv_trafgen_from_bg 1 "$FLOOD" 200000 $LEN --gap 5us
flood_pid=$TENV_LAST_PID
id=''
for _ in $(seq 60); do
	id=$(auto_rule "$FLOOD" id)
	[[ -n $id ]] && break
	sleep 0.1
done
t1=$(now)
delay=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
tenv_log "auto rule $id on $FLOOD after ${delay}s: $(auto_rule "$FLOOD" comment)"
check "an auto rule drops $FLOOD within 2 s of the flood's start (${delay}s)" \
	awk -v d="$delay" -v id="$id" 'BEGIN { exit !(id != "" && d <= 2.0) }'
check "its comment names trigger 1 and the measured rate" \
	bash -c '[[ $1 =~ ^trigger\ 1:\ [0-9]+\ pps ]]' _ "$(auto_rule "$FLOOD" comment)"
check "it is a drop rule" test "$(auto_rule "$FLOOD" action)" = drop
check "rules list --tag auto lists it, and only auto rules" \
	bash -c 'xf -H "$1" rules list --tag auto -o json |
		jq -e --arg s "$2/32" "(.[0].rules | length) >= 1 and all(.[0].rules[]; .tag == \"auto\") and
			any(.[0].rules[]; .src == \$s)"' _ "$T" "$FLOOD"
sleep 0.5
f1=$(tenv_stack_rx 1 "$FLOOD") l1=$(tenv_stack_rx 1 "$LIGHT")
sleep 1.5
f2=$(tenv_stack_rx 1 "$FLOOD") l2=$(tenv_stack_rx 1 "$LIGHT")
check "no more flood frames reach the stack ($f1 -> $f2)" test "$f2" -eq "$f1"
check "the light source's frames still do ($l1 -> $l2)" test "$l2" -gt $((l1 + 50))
check "no rule on the light source $LIGHT" test -z "$(auto_rule "$LIGHT" id)"
flood_pps=$(xf -H "$T" top -o json --count 1 | jq -r --arg s "$FLOOD/32" '.hosts[0].interfaces[].sources[] | select(.src == $s) | .pps')
tenv_log "the flood runs at $flood_pps pps (top), dropped"
check "top still sees the flood, dropped (>5000 pps: $flood_pps)" awk -v p="$flood_pps" 'BEGIN { exit !(p > 5000) }'

# --- refreshed while the flood lasts, expires after -------------------------------------------
sleep $((TTL + 1))
check "the rule outlives its ${TTL}s TTL while the flood lasts (id $(auto_rule "$FLOOD" id))" \
	test "$(auto_rule "$FLOOD" id)" = "$id"
kill "$flood_pid" 2>/dev/null || true
t2=$(now)
gone=''
for _ in $(seq 80); do
	[[ -z $(auto_rule "$FLOOD" id) ]] && { gone=$(now); break; }
	sleep 0.1
done
after=$(awk -v a="$t2" -v b="${gone:-0}" 'BEGIN { printf "%.2f", b - a }')
# Refreshed every second while the last second's rate is over (up to a second after the end),
# with TTL + 1 s in whole seconds, expired by a 1 s timer: gone TTL - 1.5 .. TTL + 2.5 s after.
check "the rule expires TTL after the flood stops: within TTL - 1.5 s .. TTL + 2.5 s (${after}s)" \
	awk -v g="${gone:-}" -v a="$after" -v t=$TTL 'BEGIN { exit !(g != "" && a >= t - 1.5 && a <= t + 2.5) }'

# --- never the client's own address, never a protected prefix ----------------------------------
require "an operator's drop of $OPER" xf -H "$T" drop add "$OPER" --comment mine
tenv_trafgen_from_bg 1 "$CLIENT" 40000 $LEN --gap 5us
tenv_trafgen_from_bg 1 "$PROT" 40000 $LEN --gap 5us
tenv_trafgen_from_bg 1 "$OPER" 40000 $LEN --gap 5us
sleep 3
oper=$(xf -H "$T" rules list -o json | jq -c --arg s "$OPER/32" '.[0].rules[] | select(.src == $s) | {tag, expires_in, comment}')
check "the operator's rule on $OPER stays theirs under its flood ($oper)" \
	test "$oper" = '{"tag":"","expires_in":null,"comment":"mine"}'
check "no rule covers the client's address $CLIENT" test -z "$(auto_rule "$CLIENT" id)"
check "no rule covers the protected $PROT" test -z "$(auto_rule "$PROT" id)"
check "TCP still reaches the agent from $CLIENT" tcp info
sleep 0.5
ev=$TENV_DIR/events.jsonl
tenv_log "events: $(jq -c '{kind, src, rule_id}' "$ev" | tr '\n' ' ')"
check "events: trigger_added, mitigation_added for $FLOOD/32, mitigation_ended" \
	jq -se --arg f "$FLOOD/32" 'any(.[]; .kind == "trigger_added") and
		any(.[]; .kind == "mitigation_added" and .src == $f and .rule_id > 0) and
		any(.[]; .kind == "mitigation_ended" and .src == $f)' "$ev"
check "events: mitigation_refused for $CLIENT/32 (client) and $PROT/32 (protected)" \
	jq -se --arg c "$CLIENT/32" --arg p "$PROT/32" '
		any(.[]; .kind == "mitigation_refused" and .src == $c and (.detail | contains("client"))) and
		any(.[]; .kind == "mitigation_refused" and .src == $p and (.detail | contains("protect")))' "$ev"
check "events: mitigation_failed for $OPER/32, left to its owner" \
	jq -se --arg o "$OPER/32" 'any(.[]; .kind == "mitigation_failed" and .src == $o and (.detail | contains("owner")))' "$ev"
replayed=$(timeout 10 "$XDPFLEET" -H "$T" events --replay --count 1 -o jsonl 2>&1 || true)
check "events --replay: a watch started afterwards first gets the kept events (trigger_added)" \
	jq -se '.[0].kind == "trigger_added"' <<< "$replayed"
check "mitigate list: fired >= 1, refused 2" \
	bash -c 'xf -H "$1" mitigate list -o json | jq -e ".[0].triggers[0] | .fired >= 1 and .refused == 2"' _ "$T"
metric() { ip netns exec "$(tenv_ns 1)" curl -s http://127.0.0.1:19477/metrics | awk -v k="$1" '$1 == k { print $2 }'; }
check "metrics: mitigation_added 1, refused 2, 1 trigger" bash -c '[[ $1 == 1 && $2 == 2 && $3 == 1 ]]' _ \
	"$(metric 'xdpfleet_mitigation_events_total{kind="mitigation_added"}')" \
	"$(metric 'xdpfleet_mitigation_events_total{kind="mitigation_refused"}')" "$(metric xdpfleet_mitigation_triggers)"
check "the audit log has the events" grep -q "audit: event=mitigation_added trigger=1 src=$FLOOD/32" "$(tenv_hdir 1)/agent.log"

# --- triggers survive a restart, and go --------------------------------------------------------
require "restart the agent" tenv_restart_agent 1
check "trigger 1 is back after the restart" \
	bash -c 'xf -H "$1" mitigate list -o json | jq -e ".[0].triggers | length == 1 and .[0].id == 1 and .[0].ttl_seconds == 3"' _ "$T"
require "mitigate del 1" xf -H "$T" mitigate del 1
check "no trigger left" bash -c 'xf -H "$1" mitigate list -o json | jq -e ".[0].triggers | length == 0"' _ "$T"
rc=0 out=$(xf -H "$T" mitigate del 1 2>&1) || rc=$?
check "mitigate del 1 again: exit 1, an error naming the id (exit $rc: $out)" \
	bash -c '[[ $1 == 1 && $2 == *"no trigger 1"* ]]' _ "$rc" "$out"
tenv_finish
