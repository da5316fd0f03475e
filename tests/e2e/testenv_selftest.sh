#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Self-test of tests/lib/testenv.sh, needing no agent: namespaces, veths, addresses, bpffs, exact
# trafgen counts (checked by an nft counter and link stats), and teardown on failure, Ctrl-C, kill -9.
# shellcheck disable=SC2317 # left_behind and no_leftovers are run through check.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib/testenv.sh
source "$here/../lib/testenv.sh"

# Child scripts: set up one host plus a background process, then end in the way given by $1.
child()
{
	cat > "$TENV_DIR/child.sh" <<-EOF
	set -euo pipefail
	source "$here/../lib/testenv.sh"
	tenv_init
	tenv_add_hosts 1
	tenv_bg sleep 300
	tenv_trafgen_bg 1 100000000 100 -t 100us # its sender is a forked child
	echo "\$TENV_RID \$TENV_DIR \$TENV_LAST_PID" > "$TENV_DIR/child.out"
	case "$1" in
	fail) false ;;
	wait) sleep 300 & wait ;;
	esac
	EOF
}

# left_behind RID DIR PID: true if anything of that run still exists.
left_behind()
{
	ip netns list | grep -q "^xf$1-" && return 0
	ip -br link | grep -q "^xf$1" && return 0
	pgrep -f "trafgen --dev xf${1}h" > /dev/null && return 0
	[[ -e $2 || -e $TENV_REG/run-$1 ]] && return 0
	tenv__alive "$3"
}

no_leftovers()
{
	local rid dir pid
	read -r rid dir pid < "$TENV_DIR/child.out"
	! left_behind "$rid" "$dir" "$pid"
}

tenv_init
tenv_add_hosts 2

# Names and addresses.
for i in 1 2; do
	hif=$(tenv_hif "$i")
	check "root-side veth $hif has a name of at most 15 chars" test "${#hif}" -le 15
	check "namespace $(tenv_ns "$i") has xf0" ip -n "$(tenv_ns "$i")" link show xf0
	check "host $i addresses in 198.18.0.0/15" \
		bash -c "[[ $(tenv_ns_ip "$i") == 198.1[89].* && $(tenv_host_ip "$i") == 198.1[89].* ]]"
	check "host $i IPv6 in 2001:db8::/32" bash -c "[[ $(tenv_ns_ip6 "$i") == 2001:db8:* ]]"
	check "ping root -> ns $i (IPv4)" tenv_ping_to_ns "$i" -c 2 -i 0.2 -W 1
	check "ping ns $i -> root (IPv4)" tenv_ping_from_ns "$i" -c 2 -i 0.2 -W 1
	check "ping root -> ns $i (IPv6)" ping -n -q -c 1 -W 1 "$(tenv_ns_ip6 "$i")"
done
check "no eth0 touched: it is not in any test namespace" \
	bash -c "! ip -n $(tenv_ns 1) link show eth0 2>/dev/null"

# bpffs: the per-host instance is mounted in the root mount namespace and seen from inside.
tenv__mount_bpffs 1
check "bpffs mounted for host 1" mountpoint -q "$(tenv_hdir 1)/bpffs"
check "host 1's bpffs visible inside ip netns exec" \
	ip netns exec "$(tenv_ns 1)" stat -f -c %T "$(tenv_hdir 1)/bpffs"
check "bpffs can also be mounted inside the namespace's own /sys" \
	ip netns exec "$(tenv_ns 1)" sh -c 'mount -t bpf bpf /sys/fs/bpf && mountpoint -q /sys/fs/bpf'

# Exact counts: trafgen sends exactly N frames, counted by an nft counter in the namespace.
tenv_no_ipv6 1
ip netns exec "$(tenv_ns 1)" nft -f - <<'NFT'
table netdev xftest {
	chain in {
		type filter hook ingress device xf0 priority 0;
		udp dport 9 counter
	}
}
NFT
rx0=$(tenv_ns_rx 1)
tenv_trafgen 1 200000 128
rx1=$(tenv_ns_rx 1)
nft_json=$(ip netns exec "$(tenv_ns 1)" nft -j list table netdev xftest)
nft_pkts=$(jq '[.nftables[] | .rule? // empty | .expr[] | .counter? // empty | .packets] | add' <<< "$nft_json")
nft_bytes=$(jq '[.nftables[] | .rule? // empty | .expr[] | .counter? // empty | .bytes] | add' <<< "$nft_json")
check "nft counted exactly 200000 trafgen frames (got $nft_pkts)" test "$nft_pkts" -eq 200000
check "nft bytes = 200000 x (128 or 114 without Ethernet header) (got $nft_bytes)" \
	bash -c "(( $nft_bytes == 200000 * 128 || $nft_bytes == 200000 * 114 ))"
check "xf0 received exactly 200000 frames, nothing else (got $((rx1 - rx0)))" test $((rx1 - rx0)) -eq 200000

# Paced trafgen: 20 kpps for 2 s.
t0=$(date +%s%N)
tenv_trafgen 1 40000 100 -b 20000pps
t1=$(date +%s%N)
ms=$(((t1 - t0) / 1000000))
check "trafgen -b 20000pps sends 40000 frames in about 2 s (${ms} ms)" test "$ms" -ge 1800 -a "$ms" -le 2600

# Teardown: after a failing command, after Ctrl-C, and (by the next run's GC) after kill -9.
child fail
bash "$TENV_DIR/child.sh" > "$TENV_DIR/child.log" 2>&1 || true
check "a failing test leaves nothing behind" no_leftovers
child wait
timeout -s INT 5 bash "$TENV_DIR/child.sh" > "$TENV_DIR/child.log" 2>&1 || true
check "Ctrl-C (SIGINT) leaves nothing behind" no_leftovers
child wait
timeout -s KILL 5 bash "$TENV_DIR/child.sh" > "$TENV_DIR/child.log" 2>&1 || true
read -r rid dir pid < "$TENV_DIR/child.out"
check "kill -9 leaves the run behind (until GC)" left_behind "$rid" "$dir" "$pid"
# The background sleep of the killed child is orphaned; GC ends it by its recorded pid.
tenv_gc
check "tenv_gc removes what a killed run left" no_leftovers

tenv_finish
