#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# e2e: `xdpfleet -H h1,h2,h3 drop load blocklist.netset` over TCP puts
# the same rules on three agents. The file is FireHOL-style: a '#' header, IPv4 addresses and
# CIDRs, IPv6, a ';' comment after an entry, blank lines, CRLF endings and a duplicate. Checked:
# the load's summary, each host's `rules list -o json` equals the file's set (and so each other),
# loading again adds nothing, and every host drops frames from a listed /24 (none reach its
# stack; the rule's hits equal the frames sent).
# shellcheck disable=SC2016 # jq programs use their own $variables
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib/testenv.sh
source "$here/../lib/testenv.sh"

N=2000 LEN=100

tenv_init
tenv_add_hosts 3
for i in 1 2 3; do
	tenv_no_ipv6 "$i"
	tenv_start_agent "$i" --max-rules 65536
done
H="$(tenv_tcp 1),$(tenv_tcp 2),$(tenv_tcp 3)"
cli() { xf -H "$H" --insecure --timeout 10 "$@"; }

# Documentation and benchmark ranges only: nothing here covers the CLI's own address.
file=$TENV_DIR/blocklist.netset
{
	printf '#\n# firehol_test\n#\n# ipv4 hash:net ipset\n#\n# Source: e2e test of xdpfleet\n#\n'
	printf '192.0.2.7\n'
	printf '198.51.100.0/24\n'
	printf '203.0.113.0/24\r\n'
	printf '100.64.0.0/10 ; CGNAT, a comment after the entry\n'
	printf '\n'
	printf '192.0.2.128/25\n'
	printf '2001:db8:bad::/48\n'
	printf '2001:db8::dead\n'
	printf '198.51.100.0/24\n' # the duplicate
	printf '# trailing comment\n'
} > "$file"
want='["100.64.0.0/10","192.0.2.128/25","192.0.2.7/32","198.51.100.0/24","2001:db8::dead/128","2001:db8:bad::/48","203.0.113.0/24"]'

rc=0
out=$(cli -o json drop load "$file") || rc=$?
check "drop load on 3 hosts: exit 0 (got $rc)" test "$rc" -eq 0
check "3 answers, all ok, each added 7 rules" \
	jq -e 'length == 3 and all(.[]; .ok and .added == 7 and .already_present == 0 and (.ids | length) == 7)' <<< "$out"
check "the load summary: 7 entries, 1 duplicate, 0 invalid" \
	jq -e 'all(.[]; .load.entries == 7 and .load.duplicates == 1 and .load.invalid == 0)' <<< "$out"

list=$(cli rules list -o json) || tenv_fail "rules list exit $?"
for i in 1 2 3; do
	got=$(jq -c --arg h "$(tenv_tcp "$i")" \
		'[.[] | select(.host == $h) | .rules[] | select(.action == "drop" and .proto == "any" and .port == null) | .src] | sort' \
		<<< "$list")
	n=$(jq --arg h "$(tenv_tcp "$i")" '[.[] | select(.host == $h) | .rules[]] | length' <<< "$list")
	check "host $i lists exactly the file's 7 prefixes as drop rules ($n rules: $got)" \
		test "$got" == "$want" -a "$n" -eq 7
done
check "the three hosts list the same rule set" jq -e \
	'map([.rules[] | [.action, .src, .proto, .port]] | sort) | unique | length == 1' <<< "$list"

out=$(cli -o json drop load "$file") || tenv_fail "second load exit $?"
check "loading again: 0 added, 7 already present on each host" \
	jq -e 'length == 3 and all(.[]; .ok and .added == 0 and .already_present == 7)' <<< "$out"
list=$(cli rules list -o json)
check "still 7 rules on each host" jq -e 'length == 3 and all(.[]; (.rules | length) == 7)' <<< "$list"

# The rules are enforced on every host: frames from 203.0.113.9 (in a listed /24) never reach
# the stacks; 192.0.2.1 (not listed; only .7 and .128/25 are) passes.
require "attach filter on the 3 hosts" cli attach xf0 --prog filter
BAD=203.0.113.9 GOOD=192.0.2.1
for i in 1 2 3; do
	tenv_stack_count_src "$i" "$BAD" "$GOOD"
	require "host $i: trafgen $N frames from $BAD" tenv_trafgen_from "$i" "$BAD" $N $LEN
	require "host $i: trafgen $N frames from $GOOD" tenv_trafgen_from "$i" "$GOOD" $N $LEN
done
sleep 0.3
list=$(cli rules list -o json)
for i in 1 2 3; do
	sb=$(tenv_stack_rx "$i" "$BAD") sg=$(tenv_stack_rx "$i" "$GOOD")
	hits=$(jq --arg h "$(tenv_tcp "$i")" \
		'.[] | select(.host == $h) | .rules[] | select(.src == "203.0.113.0/24") | .hits' <<< "$list")
	check "host $i: none of $BAD's frames reached the stack ($sb), all of $GOOD's did ($sg)" \
		test "$sb" -eq 0 -a "$sg" -eq $N
	check "host $i: the 203.0.113.0/24 rule counted the $N frames (hits $hits)" test "$hits" -eq $N
done

tenv_finish
