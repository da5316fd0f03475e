#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# e2e rules_sync_test: a feed kept with `drop sync`, a TTL refreshed by re-adding, and `rules
# test`, judged on real frames. The namespace's xf0 runs `filter`; trafgen sends UDP frames
# with crafted sources (spare addresses of the run's /24); an nft counter per source says what
# reached the stack.
#   sync FILE (3 entries, one of them an operator's rule): 2 added, 1 left to its owner; the
#     feed's sources are dropped. The feed changes: one entry gone (its source passes again),
#     one new (dropped), the operator's rule untouched, all in one step.
#   re-adding a rule with a longer --ttl: "updated", and it outlives its first TTL.
#   rules test: the deciding rule and verdict for a dropped, an allowed and an unmatched
#     source, as table and JSON, and the verdicts agree with what the frames met.
# shellcheck disable=SC2016 # jq programs use their own $variables
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib/testenv.sh
source "$here/../lib/testenv.sh"

LEN=100 N=2000

tenv_init
tenv_add_hosts 1
tenv_no_ipv6 1
tenv_start_agent 1
T=$(tenv_sock 1) IF=$(tenv_if 1)
A=$(tenv_spare_ip 211) B=$(tenv_spare_ip 212) C=$(tenv_spare_ip 213) D=$(tenv_spare_ip 214)
OP=$(tenv_spare_ip 215) ALLOWED=$(tenv_spare_ip 216)
tenv_stack_count_src 1 "$A" "$B" "$C" "$D" "$OP" "$ALLOWED"
feed="$TENV_DIR/feed.netset"

# sent SRC: sends N frames from SRC and prints how many reached the stack.
sent()
{
	local before after
	before=$(tenv_stack_rx 1 "$1")
	tenv_trafgen_from 1 "$1" $N $LEN || tenv_die "trafgen from $1"
	for _ in $(seq 20); do
		after=$(tenv_stack_rx 1 "$1")
		((after - before == N)) && break
		sleep 0.1
	done
	echo $((after - before))
}
rules_json() { xf -H "$T" -o json rules list; }
tag_of() { rules_json | jq -r --arg s "$1/32" '.[0].rules[] | select(.src == $s) | .tag // ""'; }

require "attach filter on $IF" xf -H "$T" attach "$IF" --prog filter
require "an operator's drop rule on $OP" xf -H "$T" drop add "$OP" --comment "by hand"
require "an allow rule on $ALLOWED" xf -H "$T" allow add "$ALLOWED"

# --- sync -------------------------------------------------------------------------------------
printf '# feed v1\n%s\n%s ; SBL1\n%s\n' "$A" "$B" "$OP" > "$feed"
out=$(xf -H "$T" -o json drop sync "$feed" --tag spamfeed --ttl 1d)
check "sync: 2 added, 1 left to its owner ($out)" \
	jq -e '.[0] | .added == 2 and .other_owner == 1 and .deleted == 0 and .enforced' <<< "$out"
check "the feed's rules carry its tag" test "$(tag_of "$A")/$(tag_of "$B")" = spamfeed/spamfeed
check "the operator's rule stays untagged" test "$(tag_of "$OP")" = ""
check "no frame from $A reaches the stack" test "$(sent "$A")" -eq 0
check "no frame from $B reaches the stack" test "$(sent "$B")" -eq 0
check "all $N from $C do (not in the feed yet)" test "$(sent "$C")" -eq $N

printf '%s\n%s\n%s\n' "$B" "$C" "$OP" > "$feed"
out=$(xf -H "$T" -o json drop sync "$feed" --tag spamfeed --ttl 1d)
check "sync again: 1 added, 1 updated (TTL restarted), 1 deleted ($out)" \
	jq -e '.[0] | .added == 1 and .updated == 1 and .deleted == 1 and .other_owner == 1' <<< "$out"
check "$A dropped from the feed: all $N pass again" test "$(sent "$A")" -eq $N
check "$C added: none pass" test "$(sent "$C")" -eq 0
check "$B still dropped" test "$(sent "$B")" -eq 0
check "the operator's rule is still there and still drops" test "$(sent "$OP")" -eq 0
check "4 rules: 2 of the feed, the operator's two" test "$(rules_json | jq '.[0].rules | length')" -eq 4
: > "$feed"
check "an empty feed is refused without --allow-empty" bash -c "! xf -H '$T' drop sync '$feed' --tag spamfeed"
check "and changed nothing" test "$(rules_json | jq '.[0].rules | length')" -eq 4

# --- TTL refresh ------------------------------------------------------------------------------
require "drop add $D --ttl 2s" xf -H "$T" drop add "$D" --ttl 2s
out=$(xf -H "$T" drop add "$D" --ttl 1h)
check "re-adding it with --ttl 1h says updated ($out)" grep -q '0 added, 1 updated' <<< "$out"
exp=$(rules_json | jq --arg s "$D/32" '.[0].rules[] | select(.src == $s) | .expires_in')
check "its expiry is an hour away now ($exp s)" test "$exp" -gt 3500
sleep 3.5
check "it outlived its first TTL: none of $D's frames pass" test "$(sent "$D")" -eq 0

# --- rules test -------------------------------------------------------------------------------
out=$(xf -H "$T" rules test "$B")
check "rules test $B: dropped by the feed's rule ($out)" \
	bash -c "grep -E '^unix:.* +drop +[0-9]+ +drop +$B/32 .*spamfeed' <<< '$out'"
js=$(xf -H "$T" -o json rules test "$ALLOWED" --proto tcp --port 443)
check "rules test $ALLOWED --proto tcp --port 443: the allow rule, pass ($js)" \
	jq -e --arg s "$ALLOWED/32" '.[0] | .matched and .verdict == "pass" and .rule.action == "allow" and .rule.src == $s' <<< "$js"
js=$(xf -H "$T" -o json rules test "$A")
check "rules test $A: no rule, passes ($js)" jq -e '.[0] | (.matched | not) and .verdict == "pass"' <<< "$js"
check "the allowed source's frames all pass" test "$(sent "$ALLOWED")" -eq $N
out=$(xf -H "$T" rules test 198.18.0.0/16 2>&1) && rc=0 || rc=$?
check "rules test refuses a prefix as a usage error (exit $rc), saying why" test "$rc" -eq 2
check "the message says it is not an address ($out)" grep -q 'not a prefix' <<< "$out"

tenv_finish
