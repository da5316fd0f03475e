#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# `cmake --install --prefix DIR` installs the programs, the unit (naming DIR's paths), the config,
# the man pages (holding every option the programs' --help lists) and the completion; a second
# install keeps an edited agent.conf.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
dt_need man zcat

p=$DT_TMP/x
dt_install "" "$p"
for f in sbin/xdpfleetd bin/xdpfleet; do
	[[ -x $p/$f ]] || dt_fail "$f is not installed as a program"
done
for f in lib/systemd/system/xdpfleetd.service etc/xdpfleet/agent.conf etc/default/xdpfleetd \
	share/man/man8/xdpfleetd.8.gz share/man/man1/xdpfleet.1.gz \
	share/bash-completion/completions/xdpfleet share/doc/xdpfleet/LICENSE share/doc/xdpfleet/deploy.md; do
	[[ -s $p/$f ]] || dt_fail "$f is not installed"
done
dt_same "installed xdpfleetd --version" "$("$p/sbin/xdpfleetd" --version)" "xdpfleetd $XF_VERSION"
dt_same "installed xdpfleet --version" "$("$p/bin/xdpfleet" --version)" "xdpfleet $XF_VERSION"
cmp -s "$p/etc/xdpfleet/agent.conf" "$XF_SOURCE_DIR/deploy/agent.conf" || dt_fail "agent.conf differs from deploy/"
cmp -s "$p/share/bash-completion/completions/xdpfleet" "$XF_SOURCE_DIR/deploy/completion/xdpfleet.bash" ||
	dt_fail "the completion differs from deploy/completion/"

# The unit runs what this prefix installed, with this prefix's config.
unit=$p/lib/systemd/system/xdpfleetd.service
dt_has "ExecStart" "$(grep '^ExecStart=' "$unit")" "ExecStart=$p/sbin/xdpfleetd --config $p/etc/xdpfleet/agent.conf"
dt_has "EnvironmentFile" "$(grep '^EnvironmentFile=' "$unit")" "EnvironmentFile=-$p/etc/default/xdpfleetd"
if grep -nE '/usr/sbin/|[ =-]/etc/(xdpfleet|default)' "$unit"; then
	dt_fail "the unit still names /usr or /etc paths of another prefix"
fi
dt_ok "files, versions and unit paths under $p"

# man_text PAGE: the page's roff source as plain words (fonts dropped, \- as -).
man_text() { zcat "$1" | sed -e 's/\\f[BIRP]//g' -e 's/\\-/-/g' -e 's/\\(em/-/g'; }
# long_options PROGRAM [ARGS...]: the --long options its help text lists.
long_options() { "$@" | grep -oE -- '--[a-z][a-z0-9-]+' | sort -u; }

d8=$(man_text "$p/share/man/man8/xdpfleetd.8.gz")
for o in $(long_options "$p/sbin/xdpfleetd" --help); do
	dt_has "xdpfleetd(8) option" "$d8" "$o"
done
for s in '.SH NAME' '.SH SYNOPSIS' '.SH "CONFIGURATION FILE"' '.SH FILES' '.SH SIGNALS' \
	'.SH "EXIT STATUS"' '.SH EXAMPLES' '.SH "SEE ALSO"'; do
	dt_has "xdpfleetd(8) section" "$d8" "$s"
done
dt_has "xdpfleetd(8) version" "$d8" "xdpfleetd $XF_VERSION"

c1=$(man_text "$p/share/man/man1/xdpfleet.1.gz")
for o in $(long_options "$p/bin/xdpfleet" --help); do
	dt_has "xdpfleet(1) global option" "$c1" "$o"
done
commands=$("$p/bin/xdpfleet" --help | awk '$0 == "Commands:" { on = 1; next } on && /^  [a-z]/ { print $1; next } on { exit }')
for c in $commands; do
	[[ $c == help ]] && continue
	dt_has "xdpfleet(1) COMMANDS" "$c1" ".SS \"$c\""
	for o in $(long_options "$p/bin/xdpfleet" help "$c"); do
		dt_has "xdpfleet(1) $c option" "$c1" "$o"
	done
done
dt_has "xdpfleet(1) subcommand" "$c1" '.SS "drop add"'
dt_has "xdpfleet(1) subcommand option" "$c1" "--normalise"
# Both pages render without a groff warning.
for page in "$p/share/man/man8/xdpfleetd.8.gz" "$p/share/man/man1/xdpfleet.1.gz"; do
	warn=$(MANWIDTH=80 man --warnings -l "$page" 2>&1 > /dev/null) || dt_fail "man -l $page failed: $warn"
	[[ -z $warn ]] || dt_fail "groff warnings in $page: $warn"
done
dt_ok "man pages list every option of --help and render cleanly"

# Reinstalling over an edited agent.conf keeps the edit and puts the new example beside it.
echo "log-level = debug" >> "$p/etc/xdpfleet/agent.conf"
dt_install "" "$p"
grep -qx "log-level = debug" "$p/etc/xdpfleet/agent.conf" || dt_fail "a reinstall overwrote the edited agent.conf"
cmp -s "$p/etc/xdpfleet/agent.conf.example" "$XF_SOURCE_DIR/deploy/agent.conf" ||
	dt_fail "no agent.conf.example beside the edited agent.conf"
dt_ok "a reinstall keeps the edited agent.conf"
