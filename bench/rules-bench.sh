#!/bin/sh
# Rule engine bench: builds rules_bench in build-bench (or $BUILD_DIR) and prints ns per packet
# with 1 rule and with 1,000,000 prefixes, the ratio (target <= 1.5), and the 100k load time.
# Needs root (BPF_PROG_TEST_RUN) and ~2 GB of memory. Extra arguments go to rules_bench
# (--rules N, --load N, --repeat N).
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$src/build-bench}
cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" --target rules_bench -j"$(nproc)" >/dev/null
exec "$build/bench/rules_bench" "$@"
