#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# e2e: a program loaded behind the agent's back (`ip link set ... xdp obj`) is not replaced by
# attach without --force: the refusal names it (name and id) and leaves it in place; with
# --force the agent's program replaces it.
# shellcheck disable=SC2016 # jq programs use their own $variables
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib/testenv.sh
source "$here/../lib/testenv.sh"

OBJ=${XF_E2E_OBJDIR:?set XF_E2E_OBJDIR to the build dir of tests/e2e}/foreign_xdp.bpf.o

tenv_init
tenv_add_hosts 1
tenv_start_agent 1
T=$(tenv_sock 1) IF=$(tenv_if 1) NS=$(tenv_ns 1)

require "foreign program loaded with ip link" ip -n "$NS" link set dev "$IF" xdpdrv obj "$OBJ" sec xdp
fid=$(tenv_xdp_id "$IF" "$NS")
require "foreign program has an id ($fid)" test -n "$fid"

rc=0
out=$(xf -H "$T" attach "$IF" --prog filter 2>&1) || rc=$?
printf '%s\n' "$out"
check "attach without --force is refused (exit $rc)" test "$rc" -eq 1
check "the refusal names the program (foreign_xdp)" grep -q foreign_xdp <<< "$out"
check "the refusal gives its id ($fid)" grep -qw "$fid" <<< "$out"
check "the foreign program is still attached" test "$(tenv_xdp_id "$IF" "$NS")" == "$fid"
rc=0
out=$(xf -H "$T" -o json attach "$IF" --prog filter) || rc=$?
check "JSON: the refusal is a host with ok false naming foreign_xdp" \
	jq -e '.[0].ok == false and (.[0].error | test("foreign_xdp"))' <<< "$out"

out=$(xf -H "$T" attach "$IF" --prog filter --force 2>&1) || tenv_fail "attach --force exit $?: $out"
nid=$(tenv_xdp_id "$IF" "$NS")
check "with --force the program was replaced (id $fid -> ${nid:-none})" \
	test -n "$nid" -a "$nid" != "$fid"
out=$(xf -H "$T" -o json status)
check "status lists filter on $IF with the new id" jq -e --arg i "$IF" --argjson id "${nid:-0}" \
	'any(.[0].attachments[]; .ifname == $i and .program == "filter" and .prog_id == $id)' <<< "$out"
tenv_ping_to_ns 1 -c 3 -i 0.1 -W 1 > /dev/null || true
check "the agent's program counts: XDP_PASS >= 3" \
	test "$(xf_counter "$T" "$IF" XDP_PASS packets)" -ge 3

tenv_finish
