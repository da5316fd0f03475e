#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Capture bench: ns per frame of the filter program (BPF_PROG_TEST_RUN via bpftool, a 60-byte
# UDP frame, no rules) with capture off (gate 0), on for another interface (gate 1, a hash miss),
# on and over its cap (the flood case), and copying every frame into the ring. Uses the
# build's object ($BUILD_DIR, default build/); needs root. Prints the median of 5 runs each.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
obj=${BUILD_DIR:-$src/build}/gen/bpf/xdp_filter.bpf.o
[[ -r $obj ]] || { echo "no $obj: build first" >&2; exit 1; }
d=$(mktemp -d /tmp/capbenchXXXXXX) # no dots: libbpf rewrites them in pin paths
pkt=$d/pkt.bin
cleanup() { umount "$d/fs" 2> /dev/null || true; rm -rf "$d"; }
trap cleanup EXIT
mkdir -p "$d/fs" && mount -t bpf bpf "$d/fs" && mkdir "$d/fs/maps"
# Ethernet, IPv4 198.18.0.1 -> 198.18.0.2, UDP 40000 -> 9, 18 bytes of payload.
printf '%s' ffffffffffff020000000001 0800 4500002e000040004011 0000 c6120001 c6120002 \
	9c400009001a0000 585858585858585858585858585858585858 | tr -d '\n' | sed 's/../\\x&/g' | xargs -0 printf '%b' > "$pkt"
bpftool prog load "$obj" "$d/fs/f" type xdp pinmaps "$d/fs/maps" 2> /dev/null
m=$d/fs/maps
ns() { for _ in 1 2 3 4 5; do bpftool prog run pinned "$d/fs/f" data_in "$pkt" repeat 2000000 |
	sed -n 's/.*average): \([0-9]*\)ns/\1/p'; done | sort -n | sed -n 3p; }
# capture_cfg for ifindex 0 (what BPF_PROG_TEST_RUN frames carry): session 0, verdict any,
# sample 1, snaplen 256, RATE and BURST (little-endian u64, hex bytes).
# shellcheck disable=SC2086 # $1 is eight hex bytes, one word each
cfg() { bpftool map update pinned "$m/capture_cfg" key 0 0 0 0 value hex 00 00 00 00 ff ff ff ff \
	00 00 00 00 00 00 00 00 01 00 00 00 00 01 00 00 $1 $1; }
echo "capture off (gate 0):                 $(ns) ns/frame"
bpftool map update pinned "$m/capture_gate" key 0 0 0 0 value 1 0 0 0
echo "capture on elsewhere (gate 1, miss):  $(ns) ns/frame"
cfg "01 00 00 00 00 00 00 00"
echo "capturing, over the cap (flood):      $(ns) ns/frame"
cfg "00 ca 9a 3b 00 00 00 00"
echo "capturing every frame (copy + ring):  $(ns) ns/frame (the ring fills: later frames count ring_full)"
