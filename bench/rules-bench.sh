#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Rule engine bench: builds rules_bench in build-bench (or $BUILD_DIR) and prints, in one run,
# ns per frame of the filter program at 1, 1k, 100k and 1M mixed prefixes beside the drop/pass
# built-ins and a plain LPM trie holding the same prefixes, the targets met or not, kernel map
# memory (0 rules, 100k, 1M, after a flush), the engine's user-space bytes per rule, load times
# and the restore of 1M rules into reused pins. Needs root (BPF_PROG_TEST_RUN, bpffs at
# /sys/fs/bpf), ~1.5 GB of memory and about a minute. Extra arguments go to rules_bench
# (--rules N, --mid N, --repeat N, --rounds N).
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$src/build-bench}
cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" --target rules_bench -j2 >/dev/null
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
exec "$build/bench/rules_bench" "$@"
