# SPDX-License-Identifier: GPL-2.0-only
# Helpers for the deploy tests: failing with a reason, skipping (exit 77), cleanup steps run in
# reverse on any exit, a private temporary directory, and installing the build into a root.
# shellcheck shell=bash
set -euo pipefail
: "${XF_SOURCE_DIR:?set XF_SOURCE_DIR to the source tree}" "${XF_BUILD_DIR:?set XF_BUILD_DIR to the build tree}"

DT_NAME=$(basename "$0" .sh)
DT_CLEANUP=()

dt_fail() { echo "$DT_NAME: FAIL: $*" >&2; exit 1; }
dt_skip() { echo "$DT_NAME: SKIP: $*" >&2; exit 77; }
dt_ok() { echo "$DT_NAME: ok: $*"; }

# dt_on_exit CMD...: runs CMD at exit (last registered first), whatever the exit status.
dt_on_exit() { DT_CLEANUP+=("$(printf '%q ' "$@")"); }
dt__cleanup()
{
	local i
	for ((i = ${#DT_CLEANUP[@]} - 1; i >= 0; i--)); do
		eval "${DT_CLEANUP[i]}" || true
	done
}
trap dt__cleanup EXIT

# dt_kill PID: ends a process this test started, if it still runs.
dt_kill() { kill "$1" 2> /dev/null || true; }

# dt_need CMD...: skips unless every CMD is installed.
dt_need()
{
	local c
	for c in "$@"; do
		command -v "$c" > /dev/null || dt_skip "$c is not installed (bash .ci/setup installs it)"
	done
}

# dt_same WHAT GOT WANT: fails unless GOT is WANT.
dt_same() { [[ $2 == "$3" ]] || dt_fail "$1: got '$2', want '$3'"; }

# dt_has WHAT TEXT NEEDLE: fails unless TEXT contains NEEDLE.
dt_has() { [[ $2 == *"$3"* ]] || dt_fail "$1: '$3' missing from: $2"; }

# dt_install ROOT PREFIX: `cmake --install` of the build into DESTDIR=ROOT with PREFIX.
dt_install() { DESTDIR=$1 cmake --install "$XF_BUILD_DIR" --prefix "$2" >> "$DT_TMP/install.log"; }

DT_TMP=$(mktemp -d "${TMPDIR:-/tmp}/xf-$DT_NAME.XXXXXX")
dt_on_exit rm -rf "$DT_TMP"
