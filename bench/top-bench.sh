#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Top talkers bench on a real agent: one namespace host (tests/lib/testenv.sh) whose xf0 runs
# `filter` gets 3 x SOURCES frames from random IPv4 sources (trafgen drnd, as fast as it goes)
# and, at the same time, frames from one heavy source (trafgen --gap 50us); prints `top`'s first
# rows, whether the heavy source is first, and the agent's RSS before and during the flood. Then runs top_bench (the
# program's cost under BPF_PROG_TEST_RUN). Root; BUILD_DIR (default build) must hold xdpfleetd,
# xdpfleet and top_bench.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$src/build}
SOURCES=${SOURCES:-100000}
export XF_BUILD_DIR=$build
# shellcheck source-path=SCRIPTDIR source=../tests/lib/testenv.sh
source "$src/tests/lib/testenv.sh"

tenv_init
tenv_add_hosts 1
tenv_no_ipv6 1
tenv_start_agent 1
T=$(tenv_sock 1) IF=$(tenv_if 1) HEAVY=$(tenv_spare_ip 250)
xf -H "$T" attach "$IF" --prog filter > /dev/null
rss() { awk '/VmRSS/ { print $2 }' "/proc/${TENV_AGENT_PID[1]}/status"; }
rss0=$(rss)
mac() { tenv_mac "$@" | sed 's/^/0x/; s/:/, 0x/g'; }
# shellcheck disable=SC2086 # the address's four numbers as printf's arguments
ip4() { sed 's/^/0x/; s/\./, 0x/g' <<< "$(printf '%02x.%02x.%02x.%02x' ${1//./ })"; }
conf=$TENV_DIR/random.cfg
# An IPv4/UDP frame of 100 bytes from a random source (XDP does not check the IP checksum).
cat > "$conf" <<CFG
{
  $(mac "$TENV_NS_IF" "$(tenv_ns 1)"), $(mac "$(tenv_hif 1)"), 0x08, 0x00,
  0x45, 0x00, 0x00, 0x56, 0x00, 0x00, 0x00, 0x00, 0x40, 0x11, 0x00, 0x00,
  drnd(4), $(ip4 "$(tenv_ns_ip 1)"),
  0x9c, 0x40, 0x00, 0x09, 0x00, 0x42, 0x00, 0x00,
  fill(0x58, 58)
}
CFG
t0=$(date +%s.%N)
tenv_trafgen_from_bg 1 "$HEAVY" $((SOURCES * 3 / 10)) 100 --gap 50us
tenv_bg trafgen --dev "$(tenv_hif 1)" --conf "$conf" -n $((SOURCES * 3)) --cpus 1 >> "$TENV_DIR/trafgen.log" 2>&1
random_pid=$TENV_LAST_PID
sleep 1
top=$(xf -H "$T" top -o json --count 1 --interval 1s -n 5)
rss1=$(rss)
while kill -0 "$random_pid" 2>/dev/null; do sleep 0.1; done
t1=$(date +%s.%N)
first=$(jq -r '.hosts[0].interfaces[0].sources[0].src' <<< "$top")
printf "top-bench.sh: %d frames from random sources in %.1f s, with %s sending every 50 us\\n" $((SOURCES * 3)) \
	"$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" "$HEAVY"
jq -r '.hosts[0].interfaces[0] | "  \(.active) sources in the last second; first five:",
	(.sources[] | "    \(.src)  \(.pps | floor) pps")' <<< "$top"
echo "  heavy source first: $([[ $first == "$HEAVY/32" ]] && echo yes || echo "NO ($first)")"
echo "  agent RSS: ${rss0} KiB attached, ${rss1} KiB under the flood"
"$build/bench/top_bench" "$SOURCES"
tenv_finish
