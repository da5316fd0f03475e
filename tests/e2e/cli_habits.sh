#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# e2e: the CLI as operators and scripts use it, against real agents (one plaintext, one mTLS
# whose certificate names only agent2.test): global options after the command word; a hosts
# file with labels, -l and a tls_name label; a config file and XDPFLEET_* variables, and
# 'xdpfleet config' naming their sources; --no-headers; hints for the usual connection errors
# (TLS against plaintext and back, no client certificate, a name the certificate lacks, a
# missing or forbidden socket, a refused port); progress on a terminal for 20 targets.
# shellcheck disable=SC2016 # jq programs use their own $variables
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib/testenv.sh
source "$here/../lib/testenv.sh"

tenv_init
tenv_add_hosts 2
tenv_start_agent 1
read -ra tls <<< "$(tenv_cli_tls_args)"
pki=$TENV_DIR/pki
# Host 2's certificate names agent2.test only, not the address it is reached at.
tenv_pki "$pki" agent h2 agent2.test > /dev/null
TENV_TLS=1 tenv_start_agent 2
S1=$(tenv_sock 1) T1=$(tenv_tcp 1) T2=$(tenv_tcp 2)
ERR=$TENV_DIR/err

# --- options anywhere ------------------------------------------------------------------------
out=$(xf status -H "$S1" -o json) || tenv_fail "status -H .. -o json exit $?"
check "status -o json after the command word: one JSON answer" \
	jq -e --arg h "$S1" 'length == 1 and .[0].host == $h and .[0].ok' <<< "$out"
out=$(xf drop add 192.0.2.1 -H "$S1" --comment habits -o json) || tenv_fail "drop add exit $?"
check "drop add PREFIX -H .. -o json: the rule is added" jq -e '.[0].ok and .[0].added == 1' <<< "$out"
out=$(xf rules list -H "$S1" --no-headers)
check "rules list --no-headers: one line per rule, starting with its host" \
	bash -c '[[ $(wc -l <<< "$1") == 1 && $1 == "$2 "*192.0.2.1/32*habits ]]' _ "$out" "$S1"
out=$(xf drop add 192.0.2.1 -H "$S1" --comment habits2)
check "re-adding: the totals say updated" grep -q '^0 added, 1 updated, 0 already present on 1 host$' <<< "$out"

# --- inventory: labels, -l, default port, tls_name ---------------------------------------------
fleet=$TENV_DIR/fleet.txt
cat > "$fleet" << EOF
# the test fleet
$S1 role=local
$(tenv_ns_ip 1) role=web dc=a   # port 50051 by default
$T2 role=db dc=a tls_name=agent2.test
EOF
out=$(xf --hosts-file "$fleet" -l role=db "${tls[@]}" -o json info) || tenv_fail "-l role=db exit $?"
check "-l role=db over mTLS, the certificate's name from the tls_name label" \
	jq -e --arg h "$T2" 'length == 1 and .[0].host == $h and .[0].ok' <<< "$out"
out=$(xf --hosts-file "$fleet" -l role=web,dc=a --insecure -o json info) || tenv_fail "-l role=web exit $?"
check "-l role=web,dc=a: the line without a port got 50051" \
	jq -e --arg h "$T1" 'length == 1 and .[0].host == $h and .[0].ok' <<< "$out"

# --- config file and environment -------------------------------------------------------------
home=$TENV_DIR/home
mkdir -p "$home/.config/xdpfleet"
cp "$pki/ca.pem" "$pki/client.pem" "$pki/client.key" "$fleet" "$home/.config/xdpfleet/"
cat > "$home/.config/xdpfleet/config" << 'EOF'
# defaults for this operator
hosts-file = fleet.txt
tls-ca = ca.pem
tls-cert = client.pem
tls-key = client.key
timeout = 4s
EOF
out=$(HOME=$home xf info -l role=db -o json) || tenv_fail "info from the config file exit $?"
check "TLS files and hosts from ~/.config/xdpfleet/config" \
	jq -e --arg h "$T2" 'length == 1 and .[0].host == $h and .[0].ok' <<< "$out"
out=$(HOME=$home XDPFLEET_TIMEOUT=2s xf config -l role=db --timeout 3s -o json)
check "config: flag > environment > file, each named" jq -e --arg h "$home" '
	(.settings | map({(.key): .}) | add) as $s
	| $s.timeout.value == "3s" and $s.timeout.source == "flag"
	and $s["tls-ca"].source == "config" and ($s["tls-ca"].where | startswith($h))
	and $s["hosts-file"].value == ($h + "/.config/xdpfleet/fleet.txt")
	and $s.selector.where == "--selector" and (.targets | length == 1)' <<< "$out"
out=$(HOME=$home XDPFLEET_HOSTS_FILE=$fleet XDPFLEET_SELECTOR=role=local xf -o json status) ||
	tenv_fail "status from XDPFLEET_HOSTS_FILE exit $?"
check "XDPFLEET_HOSTS_FILE and XDPFLEET_SELECTOR" \
	jq -e --arg h "$S1" 'length == 1 and .[0].host == $h' <<< "$out"

# --- hints -------------------------------------------------------------------------------------
# hint DESCRIPTION WANT ARGS...: the command fails (exit 1) and its hint on stderr says WANT.
hint()
{
	local d=$1 want=$2 rc=0; shift 2
	xf --timeout 3 "$@" info > /dev/null 2> "$ERR" || rc=$?
	check "$d: exit 1 (got $rc) and a hint" \
		bash -c '[[ $1 == 1 ]] && grep -F -- "$2" "$3" || { cat "$3"; false; }' _ "$rc" "$want" "$ERR"
}
hint "TLS to a plaintext agent" "speaks plaintext, not TLS" -H "$T1" --tls-ca "$pki/ca.pem"
hint "plaintext to a TLS agent" "it may expect TLS: give --tls-ca FILE" -H "$T2" --insecure
hint "TLS without a client certificate to an mTLS agent" "it may require a client certificate" \
	-H "$T2" --tls-ca "$pki/ca.pem" --tls-server-name agent2.test
hint "a certificate without the address" "does not name '$(tenv_ns_ip 2)'" -H "$T2" "${tls[@]}"
hint "a socket that does not exist" "does not exist: is xdpfleetd running" -H "unix:$TENV_DIR/nope.sock"
hint "a refused port" "nothing listens on $(tenv_ns_ip 1):1" -H "$(tenv_ns_ip 1):1" --insecure
chmod 0711 "$TENV_DIR" "$(tenv_hdir 1)"
chmod 0600 "$(tenv_hdir 1)/agent.sock"
rc=0
setpriv --reuid=65534 --regid=65534 --clear-groups env HOME=/nonexistent \
	"$XDPFLEET" -H "$S1" info > /dev/null 2> "$ERR" || rc=$?
check "a socket this user may not open: exit 1 (got $rc), the socket group named" \
	bash -c '[[ $1 == 1 ]] && grep -F "permission denied on" "$2" && grep -F -- "--socket-group" "$2"' _ "$rc" "$ERR"
chmod 0660 "$(tenv_hdir 1)/agent.sock"
chmod 0700 "$TENV_DIR" "$(tenv_hdir 1)"

# --- progress on a terminal ------------------------------------------------------------------
# 20 spellings of host 1's socket ("./" segments): 20 targets, one agent.
many=""
for k in $(seq 20); do many+="${many:+,}$(tenv_hdir 1)/$(printf './%.0s' $(seq "$k"))agent.sock"; done
script -qec "$XDPFLEET -H $many status > /dev/null" "$TENV_DIR/typescript" > /dev/null
check "20 targets on a terminal: answered/total on stderr" grep -aq '/20 hosts answered' "$TENV_DIR/typescript"
xf -H "$many" status > /dev/null 2> "$ERR"
check "and nothing when stderr is no terminal" test ! -s "$ERR"

tenv_finish
