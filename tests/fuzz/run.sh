#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# run.sh BUILD_DIR [RUNS]: runs every fuzz target of BUILD_DIR (configured with clang and
# -DXDPFLEET_FUZZ=ON) for RUNS executions (default 100000), starting from the seed corpus in a
# scratch copy so the repository's corpus stays as committed. Fails on the first finding.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$1 runs=${2:-100000}
scratch=$(mktemp -d /tmp/xf-fuzz-run.XXXXXX)
trap 'rm -rf "$scratch"' EXIT

for t in agent cidr blocklist state; do
	mkdir -p "$scratch/$t"
	cp "$here/corpus/$t/"* "$scratch/$t/"
	start=$(date +%s)
	if ! (cd "$scratch" && "$build/tests/fuzz/fuzz_$t" -runs="$runs" -max_len=4096 -print_final_stats=1 \
		"$scratch/$t" > "$scratch/$t.log" 2>&1); then
		tail -n 60 "$scratch/$t.log" >&2
		echo "fuzz: fuzz_$t found a problem (the crashing input is in $scratch, kept)" >&2
		trap - EXIT
		exit 1
	fi
	echo "fuzz: fuzz_$t: $(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$scratch/$t.log" | grep -oE '[0-9]+$') executions, no finding ($(($(date +%s) - start)) s)"
done
