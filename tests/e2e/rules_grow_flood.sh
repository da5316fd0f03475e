#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# e2e: the rule maps grow and shrink under traffic. A flood from a dropped source runs while a
# 120,000-rule blocklist makes the engine replace its maps (bigger copies, the filter reloaded):
# no frame from the source reaches the namespace's stack, and the drop rule's hits count every
# flood frame across the swaps. A flush then rebuilds the smallest maps: the source's frames
# pass; dropped again, they stop.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib/testenv.sh
source "$here/../lib/testenv.sh"

LEN=100 RATE=20000 FLOOD=100000 N=1000 # FLOOD at RATE pps: 5 s

tenv_init
tenv_add_hosts 1
tenv_no_ipv6 1
tenv_start_agent 1 --max-rules 262144
T=$(tenv_sock 1) IF=$(tenv_if 1)
SRC=$(tenv_spare_ip 221)
tenv_stack_count_src 1 "$SRC"
hits() { xf -H "$T" rules list -o json | jq -er --arg s "$SRC/32" '.[0].rules[] | select(.src == $s) | .hits'; }
reloads() { grep -c "filter reloaded" "$(tenv_hdir 1)/agent.log" || true; }

# 60,000 random IPv4 /24s below 198.0.0.0 (never $SRC or the test hosts; no traffic goes to
# them) and 60,000 IPv6 /116s in 2001:db8::/32.
python3 - > "$TENV_DIR/big.netset" <<'PY'
import ipaddress, random
random.seed(7)
for _ in range(60000):
    print(f"{ipaddress.IPv4Address((random.randrange(1, 198) << 24) | (random.getrandbits(24) & ~0xff))}/24")
    print(f"{ipaddress.IPv6Address((0x20010db8 << 96) | (random.getrandbits(84) << 12))}/116")
PY

require "attach filter on $IF" xf -H "$T" attach "$IF" --prog filter
require "drop add $SRC" xf -H "$T" drop add "$SRC"
r0=$(reloads)
tenv_trafgen_from_bg 1 "$SRC" $FLOOD $LEN -b ${RATE}pps
FLOOD_PID=$TENV_LAST_PID
sleep 0.3
require "drop load of 120,000 prefixes under the flood" xf -H "$T" --timeout 60 drop load "$TENV_DIR/big.netset"
check "the flood still ran when the load was done" kill -0 "$FLOOD_PID"
check "the maps were replaced (the filter reloaded $(($(reloads) - r0)) times)" test $(($(reloads) - r0)) -ge 1
for _ in $(seq 150); do kill -0 "$FLOOD_PID" 2>/dev/null || break; sleep 0.1; done
wait "$FLOOD_PID" || tenv_fail "trafgen flood exit $?"
sleep 0.3
s=$(tenv_stack_rx 1 "$SRC")
check "no frame from $SRC reached the stack while the maps grew ($s)" test "$s" -eq 0
h=$(hits)
check "the drop rule counted every flood frame across the swaps ($h of $FLOOD)" test "$h" -eq $FLOOD

require "rules flush" xf -H "$T" --timeout 60 rules flush
require "trafgen $N frames after the flush" tenv_trafgen_from 1 "$SRC" $N $LEN
sleep 0.3
s=$(tenv_stack_rx 1 "$SRC")
check "after the flush (maps rebuilt small) the $N frames passed ($s)" test "$s" -eq $N
require "drop add $SRC again" xf -H "$T" drop add "$SRC"
require "trafgen $N frames after the re-add" tenv_trafgen_from 1 "$SRC" $N $LEN
sleep 0.3
s=$(tenv_stack_rx 1 "$SRC")
check "dropped again: still $N frames reached the stack ($s)" test "$s" -eq $N
tenv_finish
