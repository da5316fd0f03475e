#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# e2e: the agent always comes back with its rules, and never starts on damaged state.
#   Rules with and without comments (backslashes, quotes, "\t" as text, UTF-8), TTLs, ports and
#   every action survive kill -9, SIGTERM and a restart with the rule pins removed: listed again
#   with their ids, TTLs and comments. A garbage line in the rules journal or the attachments
#   file, or a cut snapshot: the agent refuses to start naming the file and line, the pinned
#   filter keeps dropping meanwhile, and it starts again once the file is put back. A journal cut
#   mid-batch (a crash during a write) drops only that batch, with a warning. A second agent on
#   the live socket, or on the same state or pins, refuses to start and the first keeps serving.
#   Strings with NUL bytes (or bad UTF-8) in a request are refused naming the field.
# shellcheck disable=SC2016 # jq programs use their own $variables
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib/testenv.sh
source "$here/../lib/testenv.sh"

tenv_init
tenv_add_hosts 1
tenv_no_ipv6 1
tenv_start_agent 1 --max-rules 65536
T=$(tenv_sock 1) IF=$(tenv_if 1) NS=$(tenv_ns 1) D=$(tenv_hdir 1)
SRC=$(tenv_spare_ip 230)
tenv_stack_count_src 1 "$SRC"
PY=/usr/bin/python3
COMMENT='back\slash, "quotes", a \t that is text, é and ünïcödé; # not a comment'

# list: the rules as JSON, each with "expires_at" (unix seconds) from its TTL left.
list()
{
	xf -H "$T" rules list -o json |
		jq --argjson now "$(date +%s)" '.[0].rules |= map(. + {expires_at: (if .expires_in == null then null
			else $now + .expires_in end)})'
}
# The rules without counters; expiry times to within 3 s (a listing takes a moment).
ruleset() { jq -c '[.[0].rules[] | {id, action, src, proto, port, comment, limit_pps, ttl: (.expires_at != null)}] | sort_by(.id)' <<< "$1"; }
expiries() { jq -c '[.[0].rules[] | select(.expires_at) | [.id, .expires_at]] | sort' <<< "$1"; }
same_rules()
{
	local now
	now=$(list)
	if [[ $(ruleset "$now") != "$(ruleset "$before")" ]]; then
		echo "    now:    $(ruleset "$now")"
		echo "    before: $(ruleset "$before")"
		return 1
	fi
	jq -e --argjson a "$(expiries "$now")" --argjson b "$(expiries "$before")" -n \
		'[range($a | length)] | all(. as $i | ($a[$i][1] - $b[$i][1]) | fabs <= 3)' >/dev/null
}
# agent_once ARGS...: a second xdpfleetd in host 1's namespace, expected to refuse; its output.
agent_once()
{
	timeout 20 ip netns exec "$NS" "$XDPFLEETD" --log-level info "$@" 2>&1 || true
}
agent_args=(--listen "unix:$D/agent.sock" --bpffs "$D/bpffs" --state-dir "$D/state" --max-rules 65536)

require "attach filter on $IF" xf -H "$T" attach "$IF" --prog filter
require "drop $SRC without a comment" xf -H "$T" drop add "$SRC"
require "drop with a comment of escapable characters" xf -H "$T" drop add 198.18.86.0/24 --comment "$COMMENT"
require "limit with a TTL" xf -H "$T" limit add 2001:db8:77::/48 --proto udp --port 53 --pps 100 --ttl 1h \
	--comment "dns flood"
require "monitor on a port range, no comment" xf -H "$T" monitor add 203.0.113.0/24 --proto tcp --port 8000-8100
require "allow any source tcp/22 with a TTL" xf -H "$T" allow add any --proto tcp --port 22 --ttl 2d --comment x
before=$(list)
check "5 rules listed" jq -e '.[0].rules | length == 5' <<< "$before"
check "the comment came back as written" \
	test "$(jq -r --arg s 198.18.86.0/24 '.[0].rules[] | select(.src == $s) | .comment' <<< "$before")" == "$COMMENT"

tenv_kill9_agent 1
tenv_restart_agent 1
check "after kill -9: the same rules, ids, TTLs and comments" same_rules
tenv_stop_agent 1
tenv_restart_agent 1
check "after SIGTERM: the same rules, ids, TTLs and comments" same_rules
tenv_stop_agent 1
rm -rf "$D/bpffs/xdpfleet/"netns-*/rules
tenv_restart_agent 1
check "with the rule pins removed: the same rules from the state dir" same_rules

# --- damaged state: refuse to start, keep filtering ------------------------------------------------
store=$(echo "$D/state/"rules-netns-*)
journal=$(find "$store" -name 'journal-*' | sort | tail -n 1)
tenv_stop_agent 1
cp -a "$store" "$TENV_DIR/store.bak"
lines=$(wc -l < "$journal")
sed -i '2i garbage' "$journal"
out=$(agent_once "${agent_args[@]}")
echo "$out" | sed 's/^/    agent: /'
check "a garbage line in the journal: refused, naming $(basename "$journal"):2" \
	grep -q "$(basename "$journal"):2: " <<< "$out"
check "... and saying nothing was changed" grep -q "did not start" <<< "$out"
check "the filter is still attached while the agent is down" test -n "$(tenv_xdp_id "$IF" "$NS")"
require "trafgen 1000 frames from $SRC while the agent refuses to start" tenv_trafgen_from 1 "$SRC" 1000 100
check "the pinned filter still drops $SRC (stack saw $(tenv_stack_rx 1 "$SRC"))" test "$(tenv_stack_rx 1 "$SRC")" -eq 0
rm -rf "$store" && cp -a "$TENV_DIR/store.bak" "$store"
check "the journal had $lines lines before the damage" test "$(wc -l < "$journal")" -eq "$lines"
tenv_restart_agent 1
check "with the journal put back: the same rules" same_rules

tenv_stop_agent 1
att=$(echo "$D/state/"attachments-netns-*.tsv)
cp "$att" "$TENV_DIR/att.bak"
echo garbage >> "$att"
out=$(agent_once "${agent_args[@]}")
check "a garbage line in the attachments file: refused, naming it and the line" \
	grep -q "$(basename "$att"):$(wc -l < "$att"): " <<< "$out"
cp "$TENV_DIR/att.bak" "$att"

# A damaged snapshot is refused too (the unit tests cut real ones at every byte).
printf 'H\txdpfleet-rules\t2\tsnapshot\t1\t1\t00000000\n' > "$store/snapshot"
out=$(agent_once "${agent_args[@]}")
check "a damaged snapshot: refused, naming it and the line" grep -q "snapshot:1: checksum mismatch" <<< "$out"
rm -f "$store/snapshot"

# A journal cut inside its last batch: a crash while writing it, never acknowledged: dropped.
tenv_restart_agent 1
check "the store works again" same_rules
require "one more rule, the last batch" xf -H "$T" drop add 192.0.2.99 --comment "last batch"
tenv_kill9_agent 1
journal=$(find "$store" -name 'journal-*' | sort | tail -n 1)
truncate -s -5 "$journal"
tenv_restart_agent 1
check "a cut last batch is dropped alone: the earlier rules are all there" same_rules
check "... and the log says which batch was dropped" grep -q "cut short by a crash" "$D/agent.log"

# --- a second agent -----------------------------------------------------------------------------
out=$(agent_once "${agent_args[@]}")
check "a second agent on the live socket and state refuses: $(tail -n 1 <<< "$out")" \
	grep -q "another" <<< "$out"
out=$(agent_once --listen "unix:$D/agent.sock" --bpffs "$D/bpffs2" --state-dir "$D/state2")
check "a second agent on the live socket alone refuses: $(tail -n 1 <<< "$out")" \
	grep -q "already listening" <<< "$out"
out=$(agent_once --listen "unix:$D/other.sock" --bpffs "$D/bpffs" --state-dir "$D/state")
check "a second agent on the same pins and state refuses: $(tail -n 1 <<< "$out")" \
	grep -q "another xdpfleetd" <<< "$out"
check "the first agent keeps serving" same_rules
check "its socket is still there" test -S "$D/agent.sock"

# --- NUL bytes and bad UTF-8 in requests ----------------------------------------------------------
n_before=$(list | jq '.[0].rules | length')
# shellcheck disable=SC2034 # read by python
nul_out=$("$PY" - "$D/agent.sock" <<'PY'
import sys, grpc
sock = sys.argv[1]
def s(field, b): return bytes([field << 3 | 2, len(b)]) + b
def v(field, n): return bytes([field << 3, n])
ch = grpc.insecure_channel("unix:" + sock)
def call(method, payload):
    f = ch.unary_unary("/xdpfleet.v1.Agent/" + method)
    try:
        f(payload, timeout=5)
        return "OK"
    except grpc.RpcError as e:
        return "%s %s" % (e.code().name, e.details())
rule = v(2, 1) + s(3, s(1, b"198.18.200.7\x00/8"))
print(call("AddRules", s(1, rule)))
print(call("AddRules", s(1, v(2, 1) + s(3, s(1, b"198.18.200.8")) + s(6, b"bad\x00comment"))))
print(call("Attach", s(1, b"xf0\x00junk") + v(2, 1)))
print(call("AddRules", s(1, v(2, 1) + s(3, s(1, b"198.18.200.9")) + s(6, b"\xff\xfe"))))
PY
)
echo "$nul_out" | sed 's/^/    /'
check "a NUL in match.src is refused naming it" grep -qx 'INVALID_ARGUMENT rules\[0\].match.src: contains a NUL byte' <<< "$nul_out"
check "a NUL in a comment is refused naming it" grep -qx 'INVALID_ARGUMENT rules\[0\].comment: contains a NUL byte' <<< "$nul_out"
check "a NUL in ifname is refused naming it" grep -qx 'INVALID_ARGUMENT ifname: contains a NUL byte' <<< "$nul_out"
check "bad UTF-8 in a comment is refused naming it" grep -qx 'INVALID_ARGUMENT rules\[0\].comment: is not valid UTF-8' <<< "$nul_out"
check "nothing was added ($n_before rules)" test "$(list | jq '.[0].rules | length')" -eq "$n_before"
check "the filter is still attached" test -n "$(tenv_xdp_id "$IF" "$NS")"

tenv_finish
