#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The systemd unit as installed (DESTDIR staging root, prefix /usr): systemd-analyze verify passes
# inside that root, so the ExecStart binary and the man pages it names are the staged ones; the
# unit keeps readiness, the config, the runtime directory, its capabilities and its hardening.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
dt_need systemd-analyze man

root=$DT_TMP/root
dt_install "$root" /usr
unit=$root/usr/lib/systemd/system/xdpfleetd.service
[[ -f $unit ]] || dt_fail "no unit at /usr/lib/systemd/system in the staging root"

# key UNIT KEY: the values of KEY= lines in UNIT, one a line.
key() { sed -n "s/^$2=//p" "$1"; }

exec_start=$(key "$unit" ExecStart)
read -r bin opt conf _ <<< "$exec_start"
dt_same "ExecStart binary" "$bin" /usr/sbin/xdpfleetd
dt_same "ExecStart option" "$opt" --config
dt_same "ExecStart config" "$conf" /etc/xdpfleet/agent.conf
[[ -x $root$bin ]] || dt_fail "ExecStart names $bin, which the staging root lacks"
[[ -f $root$conf ]] || dt_fail "--config names $conf, which the staging root lacks"
envfile=$(key "$unit" EnvironmentFile)
[[ -f $root${envfile#-} ]] || dt_fail "EnvironmentFile $envfile is not installed"
dt_same Type "$(key "$unit" Type)" notify
dt_same RuntimeDirectory "$(key "$unit" RuntimeDirectory)" xdpfleet
dt_same RuntimeDirectoryMode "$(key "$unit" RuntimeDirectoryMode)" 0755
dt_same StateDirectory "$(key "$unit" StateDirectory)" xdpfleet
dt_same Restart "$(key "$unit" Restart)" on-failure
pre=$(key "$unit" ExecStartPre)
dt_has "ExecStartPre (bpffs, outside the sandbox)" "$pre" "+/bin/sh -c 'mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf'"
dt_has "ExecStartPre (tracefs)" "$pre" "mount -t tracefs tracefs /sys/kernel/tracing"
caps=$(key "$unit" CapabilityBoundingSet)
for c in CAP_BPF CAP_NET_ADMIN CAP_SYS_ADMIN CAP_PERFMON CAP_CHOWN; do
	dt_has CapabilityBoundingSet "$caps" "$c"
	dt_has AmbientCapabilities "$(key "$unit" AmbientCapabilities)" "$c"
done
dt_has SystemCallFilter "$(key "$unit" SystemCallFilter)" "bpf perf_event_open"
dt_has RestrictAddressFamilies "$(key "$unit" RestrictAddressFamilies)" AF_NETLINK
dt_has ReadWritePaths "$(key "$unit" ReadWritePaths)" /sys/fs/bpf

# What the unit needs from the system rather than from the package: the shell of ExecStartPre
# and the targets it orders itself against. The rest must come from the staging root.
mkdir -p "$root/bin"
cp -L /bin/sh "$root/bin/sh"
for t in /lib/systemd/system/*.target; do
	cp -n "$t" "$root/usr/lib/systemd/system/"
done
export MANPATH=$root/usr/share/man
out=$(systemd-analyze verify --root="$root" xdpfleetd.service 2>&1) ||
	dt_fail "systemd-analyze verify: $out"
[[ -z $out ]] || dt_fail "systemd-analyze verify warned: $out"
dt_ok "systemd-analyze verify --root passes"

# The check is real: without the staged binary, or the staged man pages, it fails.
mv "$root/usr/sbin/xdpfleetd" "$DT_TMP/xdpfleetd.moved"
if out=$(systemd-analyze verify --root="$root" xdpfleetd.service 2>&1); then
	dt_fail "verify passed with /usr/sbin/xdpfleetd missing from the staging root"
fi
dt_has "verify without the binary" "$out" /usr/sbin/xdpfleetd
mv "$DT_TMP/xdpfleetd.moved" "$root/usr/sbin/xdpfleetd"
# (Unless this system has the pages installed itself, where man finds them anyway.)
if ! env -u MANPATH man -w xdpfleetd > /dev/null 2>&1; then
	if out=$(MANPATH=$DT_TMP/no-man systemd-analyze verify --root="$root" xdpfleetd.service 2>&1); then
		dt_fail "verify passed without the man pages of Documentation="
	fi
	dt_has "verify without man pages" "$out" "xdpfleetd(8)"
fi

# Hardening does not silently erode: systemd's own exposure score stays where it is (3.3 now).
score=$(systemd-analyze security --offline=yes --root="$root" xdpfleetd.service 2>&1 | sed -n 's/.*exposure level for xdpfleetd.service: \([0-9.]*\).*/\1/p')
[[ -n $score ]] || dt_fail "systemd-analyze security printed no exposure level"
awk -v s="$score" 'BEGIN { exit !(s <= 3.5) }' || dt_fail "exposure level $score is above 3.5"
dt_ok "unit fields, negative controls and exposure level $score"
