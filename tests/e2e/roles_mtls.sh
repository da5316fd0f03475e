#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# e2e: who may do what. An agent over mTLS with an admin identity (SAN DNS) and a viewer
# identity (SAN URI), and a viewer unix socket beside its admin one (PKI from deploy/pki):
#   the admin certificate adds rules; the viewer streams stats and lists rules but AddRules,
#   FlushRules and Attach are PERMISSION_DENIED naming the admin role; a certificate of the CA
#   with no role may not even read; certificates of another CA, expired ones and no certificate
#   cannot connect at all; the viewer unix socket reads and cannot change anything. The audit
#   log names the peer (address, certificate identity, role) of every add and flush, and of the
#   refused attempts.
# shellcheck disable=SC2016 # jq programs use their own $variables
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib/testenv.sh
source "$here/../lib/testenv.sh"

tenv_init
tenv_add_hosts 1
TENV_TLS=1
pki=$TENV_DIR/pki
tenv_tls_args 1 > /dev/null # the CA and the agent's certificate
tenv_pki "$pki" client ops ops.lab.example
tenv_pki "$pki" client dash spiffe://lab.example/dashboard
tenv_pki "$pki" client stranger stranger.lab.example
tenv_pki --expired "$pki" client old ops.lab.example
tenv_pki --ca-name other "$pki" client foreign ops.lab.example
D=$(tenv_hdir 1)
tenv_start_agent 1 --admin-identity ops.lab.example --viewer-identity spiffe://lab.example/dashboard \
	--listen "unix:$D/view.sock,role=viewer"
H=$(tenv_tcp 1) IF=$(tenv_if 1) T=$(tenv_sock 1)
as() { local who=$1; shift; xf -H "$H" --tls-ca "$pki/ca.pem" --tls-cert "$pki/$who.pem" --tls-key "$pki/$who.key" --timeout 3 "$@"; }
count_rules() { xf -H "$T" -o json rules list | jq '.[0].rules | length'; }

out=$(as ops -o json drop add 198.18.222.0/24 --comment "by ops") || tenv_fail "ops drop add exit $?"
check "the admin certificate adds a rule" jq -e '.[0].ok and .[0].added == 1' <<< "$out"
require "the admin attaches filter" as ops attach "$IF" --prog filter

out=$(as dash -o json stats --watch --interval 200ms --count 3) || tenv_fail "dash watch exit $?"
check "the viewer streams stats: 3 snapshots" jq -se '[.[] | .[]] | length == 3 and all(.ok)' <<< "$out"
out=$(as dash -o json rules list) || tenv_fail "dash rules list exit $?"
check "the viewer lists the rule" jq -e '.[0].rules | length == 1' <<< "$out"
rc=0
out=$(as dash -o json drop add 198.18.223.0/24 2>&1) || rc=$?
check "the viewer's AddRules: exit 1 (got $rc), PERMISSION_DENIED naming the admin role" \
	jq -e --argjson rc "$rc" '$rc == 1 and .[0].code == "PERMISSION_DENIED" and
		(.[0].error | test("AddRules needs the admin role; client .spiffe://lab.example/dashboard. has viewer"))' \
	<<< "$(grep '^\[' <<< "$out")"
rc=0
as dash rules flush > /dev/null 2>&1 || rc=$?
check "the viewer cannot flush (exit $rc)" test "$rc" -eq 1
rc=0
as dash attach "$IF" --prog pass --force > /dev/null 2>&1 || rc=$?
check "the viewer cannot attach (exit $rc)" test "$rc" -eq 1
check "the viewer changed nothing: 1 rule" test "$(count_rules)" -eq 1

rc=0
out=$(as stranger -o json info 2> /dev/null) || rc=$?
check "a certificate with no role may not read (exit $rc)" \
	jq -e --argjson rc "$rc" '$rc == 1 and .[0].code == "PERMISSION_DENIED"' <<< "$out"
for who in foreign old; do
	rc=0
	out=$(as "$who" -o json info 2> /dev/null) || rc=$?
	check "the $who certificate cannot connect (exit $rc, $(jq -r '.[0].code' <<< "$out"))" \
		jq -e --argjson rc "$rc" '$rc == 1 and .[0].ok == false and .[0].code != "PERMISSION_DENIED"' <<< "$out"
done
rc=0
out=$(xf -H "$H" --tls-ca "$pki/ca.pem" --timeout 3 -o json info 2> /dev/null) || rc=$?
check "no client certificate cannot connect (exit $rc)" jq -e --argjson rc "$rc" '$rc == 1 and .[0].ok == false' <<< "$out"

V="unix:$D/view.sock"
out=$(xf -H "$V" -o json info) || tenv_fail "info on the viewer socket exit $?"
check "the viewer socket reads" jq -e '.[0].ok and .[0].rules == 1' <<< "$out"
for cmd in "rules flush" "drop add 198.18.224.0/24" "detach $IF"; do
	rc=0
	# shellcheck disable=SC2086 # the command's words
	out=$(xf -H "$V" -o json $cmd 2> /dev/null) || rc=$?
	check "the viewer socket refuses '$cmd' (exit $rc)" \
		jq -e --argjson rc "$rc" '$rc == 1 and .[0].code == "PERMISSION_DENIED"' <<< "$out"
done
check "the rule is still there" test "$(count_rules)" -eq 1
check "the filter is still attached" test -n "$(tenv_xdp_id "$IF" "$(tenv_ns 1)")"

out=$(as ops -o json rules flush) || tenv_fail "ops flush exit $?"
check "the admin flushes" jq -e '.[0].deleted == 1' <<< "$out"
log=$D/agent.log
sleep 0.2
grep 'audit:' "$log" | sed 's/^/    /'
check "the audit log names the admin's add: address, identity, role, what changed" \
	grep -qE "audit: method=AddRules result=ok peer=ipv4:$(tenv_host_ip 1):[0-9]+ identity=ops.lab.example role=admin .*rules=1 added=1" "$log"
check "... and the admin's flush" \
	grep -qE "audit: method=FlushRules result=ok peer=ipv4:[0-9.:]+ identity=ops.lab.example role=admin .*deleted=1" "$log"
check "... and the viewer's refused add" \
	grep -qE "audit: method=AddRules result=PERMISSION_DENIED peer=ipv4:[0-9.:]+ identity=spiffe://lab.example/dashboard role=viewer" "$log"
check "... and the viewer socket's refused flush" \
	grep -qE "audit: method=FlushRules result=PERMISSION_DENIED peer=unix: identity=- role=viewer listener=unix:$D/view.sock" "$log"

tenv_finish
