# SPDX-License-Identifier: GPL-2.0-only
# bash completion for xdpfleet. Commands, subcommands, options and option values are read from
# the CLI's own help each time (xdpfleet --help, xdpfleet help COMMAND [SUBCOMMAND]), so they
# always match the xdpfleet being completed; nothing here lists them.
# shellcheck shell=bash

# _xdpfleet_list TEXT HEADER: the names listed under the line "HEADER:" ("  name  summary").
_xdpfleet_list()
{
	awk -v h="$2:" '$0 == h { on = 1; next } on && /^  [a-z]/ { print $1; next } on { exit }' <<< "$1"
}

# _xdpfleet_opts TEXT: one "OPTION<TAB>METAVAR<TAB>DESCRIPTION" line per option TEXT describes on
# a line of its own ("  -o, --output FORMAT   table (default) or json"); METAVAR "-" for none.
_xdpfleet_opts()
{
	awk '/^ +-[-a-zA-Z]/ {
		n = 0
		for (i = 1; i <= NF && $i ~ /^-/; i++) { o = $i; sub(/,$/, "", o); opt[++n] = o }
		m = "-"
		if (i <= NF && $i ~ /^[A-Z]/) m = $(i++)
		d = ""
		for (; i <= NF; i++) d = d " " $i
		for (j = 1; j <= n; j++) printf "%s\t%s\t%s\n", opt[j], m, substr(d, 2)
	}' <<< "$1"
}

# _xdpfleet_values TEXT OPTION: the values OPTION takes, one a line, from "OPTION a|b|c" in TEXT
# (usage lines) or from its description "... a (default), b or c"; nothing if TEXT shows none.
_xdpfleet_values()
{
	local text=$1 opt=$2 desc
	{
		grep -oE -- "(^|[[ ])$opt [a-z0-9]+(\|[a-z0-9]+)+" <<< "$text" | sed 's/^.* //' | tr '|' '\n'
		desc=$(_xdpfleet_opts "$text" | awk -F '\t' -v o="$opt" '$1 == o { print $3; exit }')
		if [[ $desc =~ [a-z0-9]+\ \(default\)((,\ |,?\ or\ )[a-z0-9]+)+ ]]; then
			sed -E 's/ \(default\)//; s/,? or |, /\n/g' <<< "${BASH_REMATCH[0]}"
		fi
	} | awk '!seen[$0]++'
}

# _xdpfleet_metavar TEXT OPTION: OPTION's argument name in TEXT, "-" for a flag, "" if unknown.
_xdpfleet_metavar()
{
	_xdpfleet_opts "$1" | awk -F '\t' -v o="$2" '$1 == o { print $2; exit }'
}

_xdpfleet()
{
	local cli=${COMP_WORDS[0]} line=${COMP_LINE:0:COMP_POINT}
	local -a words
	local ghelp text cmd="" sub="" subs="" cur prev w m i
	COMPREPLY=()
	[[ $cli == */* ]] || cli=$(type -P -- "$cli") || return 0
	[[ -x $cli ]] || return 0
	# Split the line ourselves: bash's own words break at ':' and '=', as in unix:/PATH targets.
	read -ra words <<< "$line"
	[[ -z $line || $line == *[[:space:]] ]] && words+=("")
	cur=${words[-1]}
	prev=${words[-2]:-}

	ghelp=$("$cli" --help 2>/dev/null) || return 0
	text=$ghelp
	# Find the command and subcommand, skipping global options and their arguments.
	for ((i = 1; i < ${#words[@]} - 1; i++)); do
		w=${words[i]}
		if [[ -z $cmd ]]; then
			if [[ $w == -* ]]; then
				m=$(_xdpfleet_metavar "$ghelp" "${w%%=*}")
				[[ -n $m && $m != - && $w != *=* ]] && ((i++))
			else
				cmd=$w
				[[ $cmd == help ]] && text=$ghelp || text=$("$cli" help "$cmd" 2>/dev/null)
				subs=$(_xdpfleet_list "$text" Subcommands)
			fi
		elif [[ $cmd == help ]]; then
			[[ -z $sub ]] && sub=$w && subs=$(_xdpfleet_list "$("$cli" help "$w" 2>/dev/null)" Subcommands)
		elif [[ -z $sub && -n $subs && $w != -* ]]; then
			sub=$w
			text=$("$cli" help "$cmd" "$sub" 2>/dev/null)
		fi
	done

	# The argument of an option: its listed values, files for FILE and PATH, else nothing.
	if [[ $prev == -* && $prev != *=* ]]; then
		m=$(_xdpfleet_metavar "$text" "$prev")
		if [[ -n $m && $m != - ]]; then
			case $m in
			FILE | PATH) compopt -o filenames 2> /dev/null; mapfile -t COMPREPLY < <(compgen -f -- "$cur") ;;
			*) mapfile -t COMPREPLY < <(compgen -W "$(_xdpfleet_values "$text" "$prev")" -- "$cur") ;;
			esac
			return 0
		fi
	fi
	if [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$(_xdpfleet_opts "$text" | cut -f 1)" -- "$cur")
	elif [[ -z $cmd ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$(_xdpfleet_list "$ghelp" Commands)" -- "$cur")
	elif [[ $cmd == help ]]; then
		if [[ -z $sub ]]; then
			mapfile -t COMPREPLY < <(compgen -W "$(_xdpfleet_list "$ghelp" Commands)" -- "$cur")
		elif [[ $prev == "$sub" ]]; then
			mapfile -t COMPREPLY < <(compgen -W "$subs" -- "$cur")
		fi
	elif [[ -n $subs && -z $sub ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$subs" -- "$cur")
	elif [[ $(head -n 1 <<< "$text") == *" ${sub:-$cmd} FILE"* ]]; then
		compopt -o filenames 2> /dev/null
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
	fi
	return 0
}
complete -F _xdpfleet xdpfleet
