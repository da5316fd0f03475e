#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The .deb: cpack builds it with the project's version, computed Depends, section net, the unit,
# conffiles and man pages; it installs on this system with apt-get, where the programs, man
# pages and bash completion work; purging removes every trace, also an enabled unit's link.
# Changes the real system, so it runs alone, and skips unless root and dpkg is free.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
[[ $(id -u) == 0 ]] || dt_skip "needs root (installs the package on this system)"
dt_need cpack dpkg-deb dpkg-shlibdeps apt-get man systemctl
if dpkg-query -W -f='${Status}' xdpfleet 2> /dev/null | grep -q installed; then
	dt_skip "xdpfleet is already installed here; this test will not replace it"
fi
export DEBIAN_FRONTEND=noninteractive

cpack -G DEB -B "$DT_TMP/pkg" --config "$XF_BUILD_DIR/CPackConfig.cmake" > "$DT_TMP/cpack.log" 2>&1 ||
	dt_fail "cpack failed: $(tail -20 "$DT_TMP/cpack.log")"
debs=("$DT_TMP"/pkg/xdpfleet_*.deb)
[[ ${#debs[@]} == 1 && -f ${debs[0]} ]] || dt_fail "cpack made ${debs[*]}"
deb=${debs[0]}
field() { dpkg-deb -f "$deb" "$1"; }
dt_same Package "$(field Package)" xdpfleet
dt_same Version "$(field Version)" "$XF_VERSION-1"
dt_same Architecture "$(field Architecture)" "$(dpkg --print-architecture)"
dt_same Section "$(field Section)" net
[[ $(field Maintainer) =~ ^.+\ \<[^@]+@[^@]+\>$ ]] || dt_fail "Maintainer '$(field Maintainer)' is not 'Name <address>'"
# Depends as dpkg-shlibdeps computes them: versioned, for each library the programs link.
depends=$(field Depends)
for lib in libc6 libgrpc libbpf1 libxdp1 libprotobuf-c1; do
	[[ $depends =~ (^|, )${lib}[a-z0-9.-]*\ \(\>=\  ]] || dt_fail "Depends lacks a versioned $lib: $depends"
done
contents=$(dpkg-deb -c "$deb" | awk '{ print $6 }')
for f in ./usr/sbin/xdpfleetd ./usr/bin/xdpfleet ./usr/lib/systemd/system/xdpfleetd.service \
	./etc/xdpfleet/agent.conf ./etc/default/xdpfleetd ./usr/share/man/man8/xdpfleetd.8.gz \
	./usr/share/man/man1/xdpfleet.1.gz ./usr/share/bash-completion/completions/xdpfleet \
	./usr/share/doc/xdpfleet/copyright; do
	grep -qxF "$f" <<< "$contents" || dt_fail "the package lacks $f"
done
grep -q '^\./usr/local' <<< "$contents" && dt_fail "the package installs into /usr/local"
ctrl=$DT_TMP/control
dpkg-deb -e "$deb" "$ctrl"
dt_same conffiles "$(sort "$ctrl/conffiles" | paste -sd ' ')" "/etc/default/xdpfleetd /etc/xdpfleet/agent.conf"
for s in postinst prerm postrm; do
	[[ -x $ctrl/$s ]] || dt_fail "$s is not executable"
	if grep -v '^[[:space:]]*#' "$ctrl/$s" | grep -E 'systemctl .*(start|restart|enable)|deb-systemd-invoke'; then
		dt_fail "$s starts or enables the service"
	fi
done
if ! grep -q '\[ -d /run/systemd/system \]' "$ctrl/postinst" || ! grep -q 'systemctl daemon-reload' "$ctrl/postinst"; then
	dt_fail "postinst does not reload systemd only where it runs"
fi
dt_ok "$(basename "$deb"): control fields, Depends: $depends"

# Install it; from here on the trap puts the system back: purge, and anything apt pulled in.
dpkg-query -W -f='${Package}\n' | sort > "$DT_TMP/before"
dt_on_exit restore
restore()
{
	if dpkg-query -W -f='${Status}' xdpfleet 2> /dev/null | grep -q installed; then
		apt-get purge -y -qq -o DPkg::Lock::Timeout=120 xdpfleet > /dev/null 2>&1 || true
	fi
	if [[ -s $DT_TMP/pulled ]]; then
		# shellcheck disable=SC2046 # one package name per line
		apt-get purge -y -qq -o DPkg::Lock::Timeout=120 $(cat "$DT_TMP/pulled") > /dev/null 2>&1 || true
	fi
}
if ! apt-get install -y -q -o DPkg::Lock::Timeout=60 "$deb" > "$DT_TMP/apt.log" 2>&1; then
	grep -q 'Could not get lock' "$DT_TMP/apt.log" && dt_skip "dpkg is locked by another apt"
	dt_fail "apt-get install failed: $(tail -20 "$DT_TMP/apt.log")"
fi
dpkg-query -W -f='${Package}\n' | sort > "$DT_TMP/after"
comm -13 "$DT_TMP/before" "$DT_TMP/after" | grep -vx xdpfleet > "$DT_TMP/pulled" || true
dt_same "package status" "$(dpkg-query -W -f='${Status} ${Version}' xdpfleet)" "install ok installed $XF_VERSION-1"
dt_has "registered conffiles" "$(dpkg-query -W -f='${Conffiles}' xdpfleet)" "/etc/xdpfleet/agent.conf"

# The installed programs, found as a user would find them.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
dt_same "xdpfleetd --version" "$(xdpfleetd --version)" "xdpfleetd $XF_VERSION"
dt_same "xdpfleet --version" "$(xdpfleet --version)" "xdpfleet $XF_VERSION"
dt_same "man -w xdpfleet" "$(env -u MANPATH man -w xdpfleet)" /usr/share/man/man1/xdpfleet.1.gz
page=$(env -u MANPATH MANPAGER=cat MANWIDTH=100 man xdpfleetd 2> /dev/null)
dt_has "man xdpfleetd" "$page" "--state-dir"
dt_has "man xdpfleetd" "$page" "CONFIGURATION FILE"
dt_has "man xdpfleetd" "$page" "/etc/xdpfleet/agent.conf"
dt_has "man xdpfleet" "$(env -u MANPATH MANPAGER=cat MANWIDTH=100 man xdpfleet 2> /dev/null)" "drop add"
# shellcheck disable=SC2016 # expanded by the inner bash
offered=$(env -i PATH="$PATH" HOME="$DT_TMP" bash --norc --noprofile -c '
	source /usr/share/bash-completion/completions/xdpfleet
	fn=$(complete -p xdpfleet | sed -n "s/.*-F \([^ ]*\) .*/\1/p")
	COMP_LINE="xdpfleet dr" COMP_POINT=11 COMP_WORDS=(xdpfleet dr) COMP_CWORD=1
	"$fn" xdpfleet dr xdpfleet
	echo "${COMPREPLY[*]}"')
dt_same "completion of 'xdpfleet dr'" "$offered" drop
dt_ok "installed: --version of both, man -w, man xdpfleetd, completion"

# Enabled (as an administrator would), then purged: nothing may be left behind.
systemctl enable xdpfleetd.service > /dev/null 2>&1 || dt_fail "systemctl enable of the installed unit failed"
link=/etc/systemd/system/multi-user.target.wants/xdpfleetd.service
[[ -L $link ]] || dt_fail "systemctl enable made no $link"
apt-get purge -y -q -o DPkg::Lock::Timeout=60 xdpfleet > "$DT_TMP/purge.log" 2>&1 || dt_fail "purge failed: $(tail "$DT_TMP/purge.log")"
for f in /usr/sbin/xdpfleetd /usr/bin/xdpfleet /etc/xdpfleet /etc/default/xdpfleetd "$link" \
	/usr/lib/systemd/system/xdpfleetd.service /usr/share/bash-completion/completions/xdpfleet \
	/usr/share/man/man1/xdpfleet.1.gz; do
	[[ -e $f || -L $f ]] && dt_fail "$f is left after purge"
done
dpkg-query -W xdpfleet > /dev/null 2>&1 && dt_fail "dpkg still knows xdpfleet after purge"
dt_ok "purge leaves nothing (pulled in and removed again: $(paste -sd ' ' "$DT_TMP/pulled"))"
