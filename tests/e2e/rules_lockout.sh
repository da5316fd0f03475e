#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# e2e: lockout protection over TCP. The CLI in the root namespace reaches
# the agent (in host 1's namespace, started with --protect 203.0.113.0/24) from the root-side
# address of the veth (CLIENT). Without --force the agent refuses, with FAILED_PRECONDITION, exit
# 1, a message naming the client's address (or the protected prefix) and nothing applied: a drop
# of CLIENT, of a prefix covering it, of any source, a limit of CLIENT, and a drop of the
# protected prefix, of a prefix inside it and of one containing it. Monitor and allow rules on
# CLIENT, a UDP-only drop of CLIENT (it cannot cut off the client's TCP session) and a drop next
# to the protected prefix are accepted. With --force the refused rules are
# accepted, and the forced drop of CLIENT really locks the TCP client out (the unix socket, which
# has no address, still works and removes it).
# shellcheck disable=SC2016 # jq programs use their own $variables
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib/testenv.sh
source "$here/../lib/testenv.sh"

PROT=203.0.113.0/24

tenv_init
tenv_add_hosts 1
tenv_start_agent 1 --max-rules 65536 --protect "$PROT"
U=$(tenv_sock 1) IF=$(tenv_if 1)
CLIENT=$(tenv_host_ip 1) NET="$(tenv__v4net).0/24"
tcp() { xf -H "$(tenv_tcp 1)" --insecure --timeout 3 "$@"; }
nrules() { xf -H "$U" rules list -o json | jq '.[0].rules | length'; }

require "attach filter on $IF (unix socket)" xf -H "$U" attach "$IF" --prog filter
require "TCP reaches the agent from $CLIENT" tcp info

# refused WHAT ARGS...: the rule is refused over TCP, exit 1, FAILED_PRECONDITION, the message
# contains WHAT, and no rule was added.
refused()
{
	local what=$1 rc=0 out err n0 n1; shift
	n0=$(nrules)
	out=$(tcp -o json "$@" 2> "$TENV_DIR/err") || rc=$?
	err=$(cat "$TENV_DIR/err")
	n1=$(nrules)
	check "refused without --force: $* (exit $rc)" test "$rc" -eq 1
	check "  FAILED_PRECONDITION, naming '$what': $(jq -c '.[0] | {code, error}' <<< "$out")" \
		jq -e --arg w "$what" '.[0].ok == false and .[0].code == "FAILED_PRECONDITION" and
			(.[0].error | contains($w))' <<< "$out"
	check "  stderr names the host $(tenv_tcp 1) and the reason" \
		bash -c 'grep -qF "$1" <<< "$3" && grep -qF "$2" <<< "$3"' _ "$(tenv_tcp 1)" "$what" "$err"
	check "  nothing applied ($n0 -> $n1 rules)" test "$n0" -eq "$n1"
}
# accepted ARGS...: exit 0 over TCP and one rule more.
accepted()
{
	local rc=0 out n0 n1
	n0=$(nrules)
	out=$(tcp -o json "$@" 2>&1) || rc=$?
	n1=$(nrules)
	check "accepted: $* (exit $rc, $n0 -> $n1 rules) $([[ $rc == 0 ]] || echo "$out")" \
		test "$rc" -eq 0 -a "$n1" -eq $((n0 + 1))
}

own="this client's own address $CLIENT"
refused "$own" drop add "$CLIENT"
refused "$own" drop add "$NET"
refused "$own" drop add 0.0.0.0/0
refused "$own" drop add any --proto tcp --port "$TENV_AGENT_PORT"
refused "$own" limit add "$CLIENT" --pps 10
refused "$own" drop load <(printf '# feed\n192.0.2.1\n%s\n' "$CLIENT")
refused "protected prefix $PROT (--protect)" drop add "$PROT"
refused "protected prefix $PROT (--protect)" drop add 203.0.113.7
refused "protected prefix $PROT (--protect)" drop add 203.0.0.0/16
refused "protected prefix $PROT (--protect)" limit add 203.0.113.0/25 --pps 100
check "the CLI's message says how to override (--force)" grep -q -- "--force" "$TENV_DIR/err"

accepted monitor add "$CLIENT"
accepted drop add "$CLIENT" --proto udp # cannot cut off the client's TCP session
accepted allow add "$CLIENT"
accepted drop add 203.0.114.0/24
accepted drop add 203.0.113.7 --force
accepted drop add "$PROT" --force
check "TCP still works (the allow rule on $CLIENT wins, and no drop covers it)" tcp info

# Forced: a drop of the client's own address. With the allow rule deleted, the agent is
# unreachable over TCP from CLIENT: what the refusal protects against.
aid=$(xf -H "$U" rules list -o json | jq -r --arg s "$CLIENT/32" '.[0].rules[] | select(.action == "allow" and .src == $s) | .id')
require "delete the allow rule $aid (unix socket)" xf -H "$U" rules del "$aid"
accepted drop add "$CLIENT" --force
list=$(xf -H "$U" rules list -o json)
check "the forced drop of $CLIENT is listed" jq -e --arg s "$CLIENT/32" \
	'any(.[0].rules[]; .action == "drop" and .src == $s and .proto == "any")' <<< "$list"
rc=0
tcp info > /dev/null 2>&1 || rc=$?
check "locked out: TCP from $CLIENT no longer reaches the agent (exit $rc)" test "$rc" -eq 1
did=$(jq -r --arg s "$CLIENT/32" '.[0].rules[] | select(.action == "drop" and .src == $s and .proto == "any") | .id' <<< "$list")
require "the unix socket still works: delete the drop rule $did" xf -H "$U" rules del "$did"
check "TCP works again" tcp info

tenv_finish
