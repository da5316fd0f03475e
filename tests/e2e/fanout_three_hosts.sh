#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# e2e: one CLI command against 3 agents in 3 namespaces (over TCP) attaches on all and reports
# all; with one agent stopped, the other two still report, the exit code is 1 and the dead host
# is named.
# shellcheck disable=SC2016 # jq programs use their own $variables
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib/testenv.sh
source "$here/../lib/testenv.sh"

tenv_init
tenv_add_hosts 3
for i in 1 2 3; do tenv_start_agent "$i"; done
H="$(tenv_tcp 1),$(tenv_tcp 2),$(tenv_tcp 3)" DEAD=$(tenv_tcp 2) IF=$(tenv_if 1)
cli() { xf -H "$H" --insecure --timeout 5 "$@"; }
# ok_hosts JSON: the hosts answering ok, sorted, comma separated.
ok_hosts() { jq -r '[.[] | select(.ok) | .host] | sort | join(",")' <<< "$1"; }
all3=$(tr , '\n' <<< "$H" | sort | paste -sd,)

out=$(cli -o json attach "$IF" --prog filter) || tenv_fail "attach exit $?: $out"
check "attach filter: 3 answers, all ok" jq -e 'length == 3 and all(.[]; .ok)' <<< "$out"
check "attach answers name the 3 hosts" test "$(ok_hosts "$out")" == "$all3"

out=$(cli -o json status) || tenv_fail "status exit $?: $out"
check "status: each host lists filter on $IF" jq -e --arg i "$IF" 'length == 3 and all(.[];
	.ok and any(.attachments[]; .ifname == $i and .program == "filter" and .prog_id > 0))' <<< "$out"

for i in 1 2 3; do tenv_ping_to_ns "$i" -c 3 -i 0.1 -W 1 > /dev/null; done
out=$(cli -o json stats) || tenv_fail "stats exit $?: $out"
check "stats: 3 hosts report $IF with XDP_PASS >= 3" jq -e --arg i "$IF" 'length == 3 and all(.[];
	.ok and any(.interfaces[]; .ifname == $i and
		any(.actions[]; .action == "XDP_PASS" and .packets >= 3)))' <<< "$out"

# One agent down: the other two still answer, exit 1, the dead one named.
tenv_stop_agent 2
rc=0
out=$(cli -o json stats 2> "$TENV_DIR/stats.err") || rc=$?
check "stats with a dead host exits 1 (got $rc)" test "$rc" -eq 1
check "the 2 live hosts still report $IF" jq -e --arg i "$IF" \
	'[.[] | select(.ok and any(.interfaces[]; .ifname == $i))] | length == 2' <<< "$out"
check "the dead host $DEAD is not ok and has an error" jq -e --arg d "$DEAD" \
	'any(.[]; .host == $d and .ok == false and (.error | length) > 0)' <<< "$out"
rc=0
table=$(cli stats 2>&1) || rc=$?
check "table output with a dead host exits 1 (got $rc)" test "$rc" -eq 1
check "table output names the dead host $DEAD" grep -qF "$DEAD" <<< "$table"
check "table output still shows both live hosts" \
	bash -c 'grep -qF "$1" <<< "$3" && grep -qF "$2" <<< "$3"' _ "$(tenv_tcp 1)" "$(tenv_tcp 3)" "$table"
printf '%s\n' "$table"

tenv_finish
