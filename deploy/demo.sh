#!/usr/bin/env bash
# demo.sh: xdpfleet's quick start, as root on a fresh Debian 12 machine: installs dependencies,
# builds into build/, runs 3 test hosts (network namespaces, an agent each), attaches `filter` on
# all with one command, sends traffic, watches the counters rise on all three; then cleans up.
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
# shellcheck source=../tests/lib/testenv.sh
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

say "Traffic: trafgen at 10, 20 and 30 kpps into hosts 1..3, and pings into each"
for i in 1 2 3; do
	tenv_trafgen_bg "$i" $((i * 10000 * (watch_secs + 4))) 100 -b "$((i * 10000))pps"
	tenv_bg ping -n -q -i 0.2 -w $((watch_secs + 4)) "$(tenv_ns_ip "$i")" > /dev/null
done
sleep 1

say "Watch the counters rise on all three hosts (every second, $watch_secs times)"
run xdpfleet -H "$H" --insecure stats "$IF" --watch --interval 1 --count "$watch_secs"

# Prove it, not just show it: every host's XDP_PASS counter must have moved.
final=$(xdpfleet -H "$H" --insecure -o json stats "$IF")
if jq -e --arg i "$IF" 'length == 3 and all(.[]; .ok and any(.interfaces[]; .ifname == $i and
	any(.actions[]; .action == "XDP_PASS" and .packets > 0)))' <<< "$final" > /dev/null; then
	say "demo: ok, all three hosts counted traffic; cleaning up"
else
	say "demo: FAILED, not every host counted traffic:"
	printf '%s\n' "$final"
	exit 1
fi
