#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# commands.sh CLI OUT: writes a help2man include with a COMMANDS section holding the built CLI's
# own 'help COMMAND' and 'help COMMAND SUBCOMMAND' texts, so xdpfleet(1) documents every command.
set -euo pipefail
cli=$1 out=$2

# section TEXT HEADER: the names listed under the line "HEADER:" (indented "  name  summary").
section()
{
	awk -v h="$2:" '$0 == h { on = 1; next } on && /^  [a-z]/ { print $1; next } on { exit }' <<< "$1"
}

# roff TEXT: TEXT as a no-fill roff block, with backslashes, dashes and leading dots escaped.
roff()
{
	printf '.nf\n'
	sed -e 's/\\/\\e/g' -e 's/-/\\-/g' -e 's/^[.'"'"']/\\\&&/' <<< "$1"
	printf '.fi\n'
}

commands=$(section "$("$cli" --help)" Commands)
[[ -n $commands ]] || { echo "commands.sh: no 'Commands:' section in '$cli --help'" >&2; exit 1; }
{
	printf '[COMMANDS]\n'
	for cmd in $commands; do
		[[ $cmd == help ]] && continue
		text=$("$cli" help "$cmd")
		printf '.SS "%s"\n' "$cmd"
		roff "$text"
		for sub in $(section "$text" Subcommands); do
			printf '.SS "%s %s"\n' "$cmd" "$sub"
			roff "$("$cli" help "$cmd" "$sub")"
		done
	done
} > "$out.tmp"
mv "$out.tmp" "$out"
