#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The bash completion of xdpfleet, sourced in a clean bash and driven like readline drives it:
# commands, subcommands, options and their values come from the CLI it completes, including a
# stand-in CLI whose help lists a command the real one does not have.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
: "${XDPFLEET:?set XDPFLEET to the built xdpfleet}"
script=$XF_SOURCE_DIR/deploy/completion/xdpfleet.bash

# complete_line COMPLETION_FILE BINDIR LINE: what TAB at the end of LINE offers, space separated,
# in a bash with only BINDIR (and the system) on PATH.
complete_line()
{
	# shellcheck disable=SC2016 # expanded by the inner bash
	env -i HOME="$DT_TMP" PATH="$2:/usr/bin:/bin" LINE="$3" bash --norc --noprofile -c '
		set -u
		source "$0"
		fn=$(complete -p xdpfleet | sed -n "s/.*-F \([^ ]*\) .*/\1/p")
		COMP_LINE=$LINE COMP_POINT=${#LINE}
		read -ra COMP_WORDS <<< "$LINE"
		[[ $LINE == *" " ]] && COMP_WORDS+=("")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		"$fn" "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
		echo "${COMPREPLY[*]}"' "$1"
}

bindir=$DT_TMP/bin
mkdir -p "$bindir"
ln -s "$XDPFLEET" "$bindir/xdpfleet"
# check LINE WANT: TAB after LINE offers exactly WANT.
check() { dt_same "completion of '$1'" "$(complete_line "$script" "$bindir" "$1")" "$2"; }

check "xdpfleet dr" "drop"
check "xdpfleet d" "detach drop"
check "xdpfleet drop " "add load sync"
check "xdpfleet rules " "list del flush test"
check "xdpfleet help dr" "drop"
check "xdpfleet help rules " "list del flush test"
check "xdpfleet --hosts-f" "--hosts-file"
check "xdpfleet -H unix:/run/xdpfleet/agent.sock --insecure st" "status stats"
check "xdpfleet -o " "table json jsonl"
check "xdpfleet attach eth0 --mo" "--mode"
check "xdpfleet attach eth0 --mode " "native skb auto hw"
check "xdpfleet attach eth0 --prog " "filter pass drop abort"
check "xdpfleet drop add 203.0.113.0/24 --pr" "--proto"
check "xdpfleet drop add 203.0.113.0/24 --proto u" "udp"
check "xdpfleet rules list --action " "drop allow limit monitor"
check "xdpfleet stats --w" "--watch"
# Every command the CLI lists, in its order.
all=$("$XDPFLEET" --help | awk '$0 == "Commands:" { on = 1; next } on && NF { print $1; next } on { exit }' | paste -sd ' ')
check "xdpfleet " "$all"
# Files where the help says FILE: a blocklist to load, a CA certificate.
touch "$DT_TMP/blocklist.netset" "$DT_TMP/ca.pem"
check "xdpfleet drop load $DT_TMP/block" "$DT_TMP/blocklist.netset"
check "xdpfleet --tls-ca $DT_TMP/ca" "$DT_TMP/ca.pem"
# A CLI named by its path completes from that CLI.
check "$XDPFLEET dr" "drop"
dt_ok "commands, subcommands, options, values and files of the built CLI"

# A stand-in CLI with a command and an option xdpfleet does not have: the completion offers them,
# so it reads the CLI's help rather than a list of its own.
fake=$DT_TMP/fake
mkdir -p "$fake"
cat > "$fake/xdpfleet" << 'FAKE'
#!/bin/sh
if [ "$1" = help ] && [ "$2" = frobnicate ]; then
	printf 'Usage: xdpfleet frobnicate [--level low|high]\n\nOptions:\n  --level L   how hard\n'
else
	printf 'Usage: xdpfleet COMMAND\n\nCommands:\n  frobnicate  a test command\n  help        help\n\n  -Z, --zap   a test option\n'
fi
FAKE
chmod +x "$fake/xdpfleet"
dt_same "stand-in command" "$(complete_line "$script" "$fake" "xdpfleet fro")" "frobnicate"
dt_same "stand-in global option" "$(complete_line "$script" "$fake" "xdpfleet --z")" "--zap"
dt_same "stand-in option values" "$(complete_line "$script" "$fake" "xdpfleet frobnicate --level ")" "low high"
dt_same "stand-in has no drop" "$(complete_line "$script" "$fake" "xdpfleet dr")" ""
dt_ok "completions follow the help of whatever xdpfleet is completed"
