#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# e2e: `drop add SRC --ttl 2s` drops at first (no frame reaches the
# namespace's stack, the rule counts them, expires_in is 2..3 s); it lives its TTL (still listed,
# with time left, until 2 s after the add returned) and is gone from `rules list` within 2 s + the
# agent's whole-second expiry times (up to 1 s late), its 1 s expiry tick and slack; then SRC's
# frames pass again and XDP_DROP stays still.
# shellcheck disable=SC2016 # jq programs use their own $variables
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib/testenv.sh
source "$here/../lib/testenv.sh"

N=1000 LEN=100 TTL=2

tenv_init
tenv_add_hosts 1
tenv_no_ipv6 1
tenv_start_agent 1 --max-rules 65536
T=$(tenv_sock 1) IF=$(tenv_if 1)
SRC=$(tenv_spare_ip 211)
tenv_stack_count_src 1 "$SRC"
drops() { xf_counter "$T" "$IF" XDP_DROP packets; }
# rules: the rules on SRC/32 (a JSON array).
rules() { xf -H "$T" rules list -o json | jq -c --arg s "$SRC/32" '[.[0].rules[] | select(.src == $s)]'; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }

require "attach filter on $IF" xf -H "$T" attach "$IF" --prog filter
require "drop add $SRC --ttl ${TTL}s" xf -H "$T" drop add "$SRC" --ttl ${TTL}s
t_add=$(now)
r=$(rules)
# expires_in is rounded up, and the agent counts a TTL from the next whole second: TTL..TTL+1.
check "listed at once, expires_in $TTL..$((TTL + 1)) s ($r)" jq -e --argjson t $TTL \
	'length == 1 and .[0].action == "drop" and .[0].expires_in >= $t and .[0].expires_in <= $t + 1' <<< "$r"
d0=$(drops)
require "trafgen $N frames from $SRC" tenv_trafgen_from 1 "$SRC" $N $LEN
sent_at=$(elapsed "$t_add")
sleep 0.1
s=$(tenv_stack_rx 1 "$SRC") d1=$(drops) r=$(rules)
check "while the rule lives ($sent_at s in): no frame reached the stack ($s)" test "$s" -eq 0
check "the rule counted the $N frames ($r)" jq -e --argjson n $N '.[0].hits == $n' <<< "$r"
check "XDP_DROP rose by $N ($d0 -> $d1)" test $((d1 - d0)) -eq $N

# Poll until the rule is gone (at most 6 s after the add). Until then it must show time left,
# not null ("never"), even past its expiry second while it waits for the agent's tick.
gone='' last_seen=0 never=''
while :; do
	e=$(elapsed "$t_add")
	r=$(rules)
	if [[ $r == '[]' ]]; then
		gone=$e
		break
	fi
	last_seen=$e
	jq -e '.[0].expires_in >= 1' <<< "$r" > /dev/null || never+=" $e s: $r"
	awk -v e="$e" 'BEGIN { exit !(e > 6) }' && break
	sleep 0.1
done
echo "rule last listed at $last_seen s, gone at ${gone:-never} s after the add"
require "the ${TTL}s rule is gone from rules list within 6 s" test -n "$gone"
check "listed with time left (expires_in >= 1) until gone${never:+; not at$never}" test -z "$never"
check "gone within $TTL s + 1 s (whole-second expiry times) + 1 s expiry tick + 0.5 s slack (at $gone s)" \
	awk -v g="$gone" -v t=$TTL 'BEGIN { exit !(g <= t + 2.5) }'
check "not removed before its TTL: still listed until $TTL s (last listed at $last_seen s)" \
	awk -v l="$last_seen" -v t=$TTL 'BEGIN { exit !(l >= t - 0.1) }'

d2=$(drops)
require "trafgen $N frames from $SRC after expiry" tenv_trafgen_from 1 "$SRC" $N $LEN
sleep 0.1
s=$(tenv_stack_rx 1 "$SRC") d3=$(drops)
check "after expiry all $N frames reached the stack ($s)" test "$s" -eq $N
check "and XDP_DROP did not move ($d2 -> $d3)" test "$d3" -eq "$d2"
check "the agent logged the expiry" grep -q "rules: 1 expired" "$(tenv_hdir 1)/agent.log"

tenv_finish
