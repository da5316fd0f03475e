#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# e2e: the seed's scenario through the agent. abort on a root-side veth: pings die, XDP_ABORTED
# and the exception count rise with each ping, perf sees xdp:xdp_exception; then pass, then drop.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib/testenv.sh
source "$here/../lib/testenv.sh"

tenv_init
tenv_add_hosts 1
# Only the test's pings cross the link: no IPv6 (MLD, RS) and static ARP entries.
tenv_no_ipv6 1
tenv_start_root_agent
mountpoint -q /sys/kernel/tracing || mount -t tracefs tracefs /sys/kernel/tracing
T=$(tenv_sock 0) IF=$(tenv_hif 1) NS=$(tenv_ns 1) PEER=$(tenv_host_ip 1)
ifindex=$(ip -j link show dev "$IF" | jq '.[0].ifindex')

pkts() { xf_counter "$T" "$IF" "$1" packets; }
received() { sed -n 's/.* \([0-9]\+\) received.*/\1/p'; }
# One ping from the namespace to the root side; its exit status (1: no answer) is ignored.
ping1() { ip netns exec "$NS" ping -n -q -c 1 -W 1 "$PEER" > /dev/null || true; }

# 1. abort: each ping is one more XDP_ABORTED packet and one more exception.
require "attach abort on $IF" xf -H "$T" attach "$IF" --prog abort
for k in 1 2 3; do
	a0=$(pkts XDP_ABORTED) e0=$(xf_exceptions "$T" "$IF" XDP_ABORTED)
	ping1
	a1=$(pkts XDP_ABORTED) e1=$(xf_exceptions "$T" "$IF" XDP_ABORTED)
	check "ping $k: XDP_ABORTED +1 ($a0 -> $a1)" test $((a1 - a0)) -eq 1
	check "ping $k: exceptions(XDP_ABORTED) +1 ($e0 -> $e1)" test $((e1 - e0)) -eq 1
done

# perf sees the same events on this interface.
perf record -q -a -e xdp:xdp_exception -o "$TENV_DIR/perf.data" -- \
	ip netns exec "$NS" ping -n -q -c 5 -i 0.2 -W 1 "$PEER" > "$TENV_DIR/perf.out" 2>&1 || true
events=$(perf script -i "$TENV_DIR/perf.data" 2> /dev/null | grep -c "xdp_exception:.*ifindex=$ifindex\$" || true)
check "perf record -e xdp:xdp_exception saw the 5 aborted pings on ifindex $ifindex ($events events)" \
	test "$events" -ge 5
if ((events < 5)); then
	# A BPF program on this tracepoint that returns 0 hides its events from perf, machine-wide.
	tenv_log "BPF programs on xdp:xdp_exception now (perf_event links, with pins):"
	bpftool -f link list 2>&1 | grep -A1 perf_event >&2 || true
fi

# 2. pass (--force): N pings answered, XDP_PASS rises by at least N.
require "replace with pass (--force)" xf -H "$T" attach "$IF" --prog pass --force
p0=$(pkts XDP_PASS)
got=$(ip netns exec "$NS" ping -n -q -c 10 -i 0.1 -W 1 "$PEER" | received || true)
p1=$(pkts XDP_PASS)
check "10 pings answered with pass attached (got ${got:-0})" test "${got:-0}" -eq 10
check "XDP_PASS rose by at least 10 ($p0 -> $p1)" test $((p1 - p0)) -ge 10

# 3. drop (--force): pings fail, XDP_DROP rises.
require "replace with drop (--force)" xf -H "$T" attach "$IF" --prog drop --force
d0=$(pkts XDP_DROP)
rc=0
got=$(ip netns exec "$NS" ping -n -q -c 3 -i 0.2 -W 1 "$PEER" | received) || rc=$?
d1=$(pkts XDP_DROP)
check "ping fails with drop attached (exit $rc, ${got:-0} received)" test "$rc" -ne 0 -a "${got:-0}" -eq 0
check "XDP_DROP rose by at least 3 ($d0 -> $d1)" test $((d1 - d0)) -ge 3

tenv_finish
