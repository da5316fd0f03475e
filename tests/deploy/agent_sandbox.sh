#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The agent under the limits of its systemd unit, as far as they apply without systemd as PID 1:
# only the unit's capabilities (bounding set), no new privileges, its umask and runtime directory
# mode. It must announce READY=1 with its socket already listening, give the socket its group,
# attach the filter over netlink, pin under bpffs, open the tracepoint and answer STOPPING=1 on
# SIGTERM; every system call and socket family it used must be allowed by the unit's
# SystemCallFilter and RestrictAddressFamilies, and it must never map memory writable and
# executable (MemoryDenyWriteExecute).
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
: "${XDPFLEETD:?set XDPFLEETD to the built xdpfleetd}" "${XDPFLEET:?set XDPFLEET to the built xdpfleet}"
[[ $(id -u) == 0 ]] || dt_skip "needs root (network namespaces, bpffs, XDP)"
dt_need ip setpriv strace python3 systemd-analyze
unit=$XF_SOURCE_DIR/deploy/xdpfleetd.service
key() { sed -n "s/^$1=//p" "$unit"; }

# Readable by the unprivileged clients below; the runtime directory gets the unit's mode.
chmod 0755 "$DT_TMP"
run=$DT_TMP/run
install -d -m "$(key RuntimeDirectoryMode)" "$run"
mkdir -p "$DT_TMP/bpffs" "$DT_TMP/state" "$DT_TMP/bin"
install -m 0755 "$XDPFLEET" "$DT_TMP/bin/xdpfleet"
cli=$DT_TMP/bin/xdpfleet
sock=$run/agent.sock

ns=xfdeploy-$$
ip netns add "$ns"
dt_on_exit ip netns del "$ns"
ip -n "$ns" link add xfd0 type veth peer name xfd1
ip -n "$ns" link set xfd0 up
ip -n "$ns" link set xfd1 up
mount -t bpf bpf "$DT_TMP/bpffs"
dt_on_exit umount -l "$DT_TMP/bpffs"

# A path, not an abstract name: abstract names are per network namespace.
notify=$DT_TMP/notify
python3 "$XF_SOURCE_DIR/tests/deploy/notify_listener.py" "$notify" "$sock" "$DT_TMP/notify.log" "$DT_TMP/listening" &
listener=$!
dt_on_exit dt_kill "$listener"
for _ in $(seq 50); do [[ -e $DT_TMP/listening ]] && break; sleep 0.1; done
[[ -e $DT_TMP/listening ]] || dt_fail "the notification listener did not start"

# CAP_BPF CAP_NET_ADMIN ... as setpriv's -all,+bpf,+net_admin,...
bounding=-all
for c in $(key CapabilityBoundingSet); do
	c=${c#CAP_}
	bounding+=,+${c,,}
done
# The unit's ExecStartPre mount tracefs outside the sandbox; ip netns exec gives the agent a fresh
# /sys, so mount it there first: the agent itself must not need to mount anything.
# shellcheck disable=SC2016 # expanded by the inner shell
ip netns exec "$ns" sh -c 'mount -t tracefs tracefs /sys/kernel/tracing && umask "$0" && exec "$@"' "$(key UMask)" \
	env NOTIFY_SOCKET="$notify" \
	setpriv --no-new-privs --bounding-set="$bounding" --inh-caps=-all -- \
	strace -f -qq -o "$DT_TMP/trace" -- \
	"$XDPFLEETD" --listen "unix:$sock" --socket-group nogroup --socket-mode 0660 \
	--bpffs "$DT_TMP/bpffs" --state-dir "$DT_TMP/state" --log-level debug > "$DT_TMP/agent.log" 2>&1 &
tracer=$!
dt_on_exit dt_kill "$tracer"
for _ in $(seq 200); do grep -q '^READY=1' "$DT_TMP/notify.log" 2> /dev/null && break; sleep 0.1; done
grep -q '^READY=1' "$DT_TMP/notify.log" || dt_fail "no READY=1 within 20 s; agent log: $(cat "$DT_TMP/agent.log")"
dt_same "socket present at READY=1" "$(grep '^READY=1' "$DT_TMP/notify.log")" "READY=1 socket=yes"
dt_same "socket mode and group" "$(stat -c '%a %G' "$sock")" "660 nogroup"
dt_ok "READY=1 after the socket was listening; socket 0660 group nogroup"

# A member of the socket's group reaches it through the runtime directory; others do not.
info=$(setpriv --reuid=nobody --regid=nogroup --clear-groups "$cli" -H "unix:$sock" -o json info) ||
	dt_fail "a member of the socket group could not call the agent"
dt_has "info as a group member" "$info" '"ok":true'
dt_has "tracepoint feature" "$info" '"tracepoints":true'
if setpriv --reuid=nobody --regid=daemon --clear-groups "$cli" -H "unix:$sock" info > /dev/null 2>&1; then
	dt_fail "a user outside the socket group could call the agent"
fi
"$cli" -H "unix:$sock" attach xfd0 --prog filter > /dev/null || dt_fail "attach under the unit's limits failed: $(tail -3 "$DT_TMP/agent.log")"
"$cli" -H "unix:$sock" drop add 198.51.100.7 --comment deploy-test > /dev/null || dt_fail "drop add failed"
status=$("$cli" -H "unix:$sock" -o json status)
dt_has "status" "$status" '"program":"filter"'
[[ -n $(find "$DT_TMP/bpffs/xdpfleet" -path '*/rules/*' -print -quit) ]] || dt_fail "no rule pins under bpffs"
dt_ok "group access, attach over netlink, rules pinned"

agent=$(ps -o pid= --ppid "$tracer" | tr -d ' ')
[[ -n $agent ]] || dt_fail "cannot find the agent under strace"
kill -TERM "$agent"
rc=0
wait "$tracer" || rc=$?
dt_same "agent exit status after SIGTERM" "$rc" 0
wait "$listener" || dt_fail "the listener did not see STOPPING=1: $(cat "$DT_TMP/notify.log")"
dt_same "notifications" "$(cut -d' ' -f1 "$DT_TMP/notify.log" | paste -sd ' ')" "READY=1 STOPPING=1"
dt_ok "STOPPING=1 on SIGTERM, exit 0"

# syscall_set FILTER...: the system calls a SystemCallFilter= allow-list permits, groups expanded.
syscall_set()
{
	local item
	for item in "$@"; do
		if [[ $item == @* ]]; then
			# shellcheck disable=SC2046 # one word per name
			syscall_set $(systemd-analyze syscall-filter "$item" | sed -n 's/^ \{4\}\([@a-z0-9_-]\+\)$/\1/p')
		else
			echo "$item"
		fi
	done
}
# shellcheck disable=SC2046 # one word per filter item
allowed=$(syscall_set $(key SystemCallFilter) | sort -u)
used=$(sed -nE 's/^[0-9]+ +([a-z0-9_]+)\(.*/\1/p; s/^[0-9]+ +<\.\.\. ([a-z0-9_]+) resumed>.*/\1/p' "$DT_TMP/trace" | sort -u)
[[ $(wc -l <<< "$used") -gt 20 ]] || dt_fail "the trace holds too few system calls to mean anything"
denied=$(comm -23 <(echo "$used") <(echo "$allowed") | paste -sd ' ')
[[ -z $denied ]] || dt_fail "system calls outside SystemCallFilter: $denied"
for s in bpf perf_event_open; do
	grep -qE "^[0-9]+ +$s\(" "$DT_TMP/trace" || dt_fail "the trace shows no $s call"
done
families=$(grep -oE '^[0-9]+ +socket\(AF_[A-Z0-9]+' "$DT_TMP/trace" | sed 's/.*(//' | sort -u | paste -sd ' ')
for f in $families; do
	dt_has RestrictAddressFamilies "$(key RestrictAddressFamilies)" "$f"
done
if grep -E '^[0-9]+ +(mmap|mprotect|pkey_mprotect)\(' "$DT_TMP/trace" | grep 'PROT_WRITE' | grep -q 'PROT_EXEC'; then
	dt_fail "a writable and executable mapping (MemoryDenyWriteExecute would refuse it)"
fi
dt_ok "$(wc -l <<< "$used") distinct system calls, all allowed; socket families $families"
