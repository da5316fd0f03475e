#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# e2e: agents in namespaces listening on their addresses with mTLS (openssl-made CA and
# certificates, TENV_TLS=1): the CLI with a client certificate reaches all; without one, or in
# plaintext, it is refused. The test environment's TLS mode, checked end to end.
# shellcheck disable=SC2016 # jq programs use their own $variables
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib/testenv.sh
source "$here/../lib/testenv.sh"

tenv_init
tenv_add_hosts 2
TENV_TLS=1
for i in 1 2; do tenv_start_agent "$i"; done
H="$(tenv_tcp 1),$(tenv_tcp 2)"
read -ra tls <<< "$(tenv_cli_tls_args)"
pki=$TENV_DIR/pki

out=$(xf -H "$H" "${tls[@]}" -o json info) || tenv_fail "info over mTLS exit $?"
check "info over mTLS: both hosts answer" jq -e 'length == 2 and all(.[]; .ok)' <<< "$out"
out=$(xf -H "$H" "${tls[@]}" -o json attach xf0 --prog pass) || tenv_fail "attach over mTLS exit $?"
check "attach over mTLS on both hosts" jq -e 'length == 2 and all(.[]; .ok)' <<< "$out"

rc=0
out=$(xf -H "$H" --tls-ca "$pki/ca.pem" -o json --timeout 3 info 2> /dev/null) || rc=$?
check "without a client certificate: exit 1 (got $rc), no host ok" \
	jq -e --argjson rc "$rc" '$rc == 1 and length == 2 and all(.[]; .ok == false)' <<< "$out"
rc=0
out=$(xf -H "$H" --insecure -o json --timeout 3 info 2> /dev/null) || rc=$?
check "plaintext to a TLS listener: exit 1 (got $rc), no host ok" \
	jq -e --argjson rc "$rc" '$rc == 1 and length == 2 and all(.[]; .ok == false)' <<< "$out"

tenv_finish
