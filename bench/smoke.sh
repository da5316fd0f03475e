#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# ctest bench_smoke (label bench): bench/run --quick into a temp dir, then checks that every
# section produced sane output: the report with its target table, every program setup measured,
# the veth frames dropped where each setup drops them, loads, changes, restart, RPC, fan-out,
# memory and the plots. It asserts what was measured, never how fast (timings live in bench/).
set -euo pipefail
[[ $(id -u) == 0 ]] || { echo "SKIP: needs root" >&2; exit 77; }
src=$(cd "$(dirname "$0")/.." && pwd)
out=$(mktemp -d /tmp/xfbench-smoke.XXXXXX)
trap 'rm -rf "$out"' EXIT
"$src/bench/run" --quick --build "${XF_BUILD_DIR:?}" --out "$out"
fails=0
export out
ok() { echo "ok: $1"; }
check() { local d=$1; shift; if "$@" > /dev/null 2>&1; then ok "$d"; else echo "FAIL: $d"; fails=$((fails + 1)); fi; }
raw=$out/raw
check "latest.md has the target table" grep -q '^| target | measured | limit' "$out/latest.md"
targets() { sed -n '/^| target |/,/^$/p' "$out/latest.md" | tail -n +3 | grep '^|'; }
export -f targets
check "the target table has all 11 targets, each measured and judged" \
	bash -c "[[ \$(targets | grep -Ec 'held') == 11 ]] && ! targets | grep -q 'n/a'"
for fam in mixed v4 v6; do
	f=$raw/prog-${fam/v/}.tsv
	check "program cost, $fam set: 11 setups for every frame, all nonzero" \
		bash -c "awk -F'\t' '\$1 == \"ns\" {n[\$3]++; if (\$5 <= 0) bad++} END {for (k in n) if (n[k] != 11) bad++; exit bad || !length(n)}' '$f'"
done
check "veth: every setup sampled with its frames sent" \
	bash -c "[[ \$(cut -f2 '$raw/veth.tsv' | sort -u | wc -l) == 5 ]]"
check "veth: XDP and nft ingress setups let no frame reach IP" \
	bash -c "awk -F'\t' '\$2 != \"iptables-raw-1k\" && \$4 > \$5 / 100 {bad++} END {exit bad}' '$raw/veth.tsv'"
check "veth: iptables raw saw every frame at IP (it drops after it)" \
	bash -c "awk -F'\t' '\$2 == \"iptables-raw-1k\" && \$4 < \$5 {bad++} END {exit bad}' '$raw/veth.tsv'"
check "veth: CPU per packet measured for the XDP drop" \
	bash -c "awk -F'\t' '\$2 == \"xdp-drop\" && \$3 > 0 {n++} END {exit !n}' '$raw/veth.tsv'"
check "loads: three tools at two sizes" bash -c "[[ \$(awk -F'\t' '\$1 == \"load\" {print \$2 \$3}' '$raw/load.tsv' | sort -u | wc -l) == 6 ]]"
check "changes: adds and deletes timed" bash -c "grep -q '	add	' '$raw/change.tsv' && grep -q '	del	' '$raw/change.tsv'"
check "restart timed with every rule back" test -s "$raw/restart.tsv"
check "memory: agent maps listed at 0 rules, rules counted after the load" \
	bash -c "grep -q '^map	0 rules	rules_' '$raw/mem.tsv' && awk -F'\t' '\$1 == \"rules\" && \$3 > 1000 {n++} END {exit !n}' '$raw/mem.tsv'"
check "memory: the flush gave the rules back" bash -c "grep -q '^rules	after flush	0$' '$raw/mem.tsv'"
check "RPC: 1 and 16 clients, two methods" bash -c "[[ \$(cut -f2,3 '$raw/rpc.tsv' | sort -u | wc -l) == 4 ]]"
check "fan-out: every agent answered" bash -c "awk -F'\t' '\$2 != \$4 {bad++} END {exit bad}' '$raw/fanout.tsv'"
for p in prog_cost veth_cpu load_time; do
	check "plot $p.png is a PNG" bash -c "file '$out/$p.png' | grep -q 'PNG image'"
done
((fails)) && { echo "RESULT: $fails check(s) failed"; exit 1; }
echo "RESULT: all checks passed"
