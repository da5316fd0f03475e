#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# demo.sh: xdpfleet's quick start, as root on a fresh Debian 12 machine: installs dependencies,
# builds into build/, runs 3 test hosts (network namespaces, an agent each), attaches `filter` on
# all with one command, sends traffic, watches the counters rise on all three, drops a flood with
# a rule; then cleans up.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${XDPFLEET_BUILD_DIR:-$root/build}
watch_secs=${XDPFLEET_DEMO_SECONDS:-6}

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
# run CMD...: shows the command as a user would type it, then runs it.
run() { printf '\033[36m$ %s\033[0m\n' "$*"; "$@"; }

[[ $(id -u) == 0 ]] || { echo "demo: run as root (it creates network namespaces and loads XDP programs)" >&2; exit 1; }

say "Installing dependencies (.ci/setup) and building into $build"
[[ -n ${XDPFLEET_SKIP_SETUP:-} ]] || bash "$root/.ci/setup"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo > /dev/null
cmake --build "$build" -j"$(nproc)" --target xdpfleetd xdpfleet

export XF_BUILD_DIR=$build
# shellcheck source-path=SCRIPTDIR source=../tests/lib/testenv.sh
source "$root/tests/lib/testenv.sh"
# `xdpfleet` in the commands shown below is this build's CLI.
xdpfleet() { "$XDPFLEET" "$@"; }

say "Three hosts: network namespaces with a veth to this one, an xdpfleetd in each"
tenv_init # from here on, everything is torn down on exit, error or Ctrl-C
tenv_add_hosts 3
for i in 1 2 3; do
	tenv_start_agent "$i"
	echo "host $i: namespace $(tenv_ns "$i"), agent on $(tenv_tcp "$i") and $(tenv_sock "$i")"
done
H="$(tenv_tcp 1),$(tenv_tcp 2),$(tenv_tcp 3)"
IF=$(tenv_if 1)

say "Ask every agent who it is"
run xdpfleet -H "$H" --insecure info

say "Attach the filter program on $IF of all three hosts, with one command"
run xdpfleet -H "$H" --insecure attach "$IF" --prog filter
run xdpfleet -H "$H" --insecure status

say "Traffic: trafgen at three different rates into hosts 1..3, and pings into each"
# Gaps of 100, 50 and 25 us between frames (trafgen's -b rate would send a burst per second).
for i in 1 2 3; do
	tenv_trafgen_bg "$i" $((40000 * i * (watch_secs + 4))) 100 -t "$((200 / (1 << i)))us"
	tenv_bg ping -n -q -i 0.2 -w $((watch_secs + 4)) "$(tenv_ns_ip "$i")" > /dev/null
done
sleep 1

# pass_counts: "HOST PACKETS" of XDP_PASS on $IF, one line per host that answered, sorted.
pass_counts()
{
	{ xdpfleet -H "$H" --insecure -o json stats "$IF" || true; } | jq -r --arg i "$IF" '.[] | select(.ok) |
		"\(.host) \(.interfaces[] | select(.ifname == $i) | .actions[] |
			select(.action == "XDP_PASS") | .packets)"' | sort
}

say "Watch the counters rise on all three hosts (every second, $watch_secs times)"
before=$(pass_counts)
run xdpfleet -H "$H" --insecure stats "$IF" --watch --interval 1 --count "$watch_secs"
after=$(pass_counts)

# Prove it, not just show it: on every host XDP_PASS grew during the watch.
rising=$(join <(echo "$before") <(echo "$after") | awk '$3 > $2' | wc -l)
if ((rising != 3)); then
	say "demo: FAILED, counters rose on $rising of 3 hosts (host before after):"
	join <(echo "$before") <(echo "$after")
	exit 1
fi

say "Drop rules: stop the UDP flood from $(tenv_host_ip 1) at host 1's driver"
H1=$(tenv_tcp 1)
run xdpfleet -H "$H1" --insecure drop add "$(tenv_host_ip 1)" --proto udp --comment "demo flood"
tenv_trafgen 1 20000 100
run xdpfleet -H "$H1" --insecure rules list
run xdpfleet -H "$H1" --insecure stats "$IF"
hits=$(xdpfleet -H "$H1" --insecure -o json rules list | jq '[.[0].rules[].hits] | add')
if ((hits >= 20000)); then
	say "demo: ok, the counters rose on all three hosts and the rule dropped $hits packets; cleaning up"
else
	say "demo: FAILED, the drop rule counted $hits of the 20000 packets sent"
	exit 1
fi
