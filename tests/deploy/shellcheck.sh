#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The shell code of installing and deploying passes shellcheck: the bash completion, the
# maintainer scripts (POSIX sh), the man page helper and these tests.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
dt_need shellcheck
s=$XF_SOURCE_DIR
files=("$s"/deploy/completion/xdpfleet.bash "$s"/deploy/debian/{postinst,prerm,postrm} "$s"/docs/man/commands.sh "$s"/tests/deploy/*.sh)
out=$(cd "$s/tests/deploy" && shellcheck -x "${files[@]}" 2>&1) || dt_fail "shellcheck: $out"
for f in "$s"/deploy/debian/{postinst,prerm,postrm}; do
	dt_same "$(basename "$f") interpreter" "$(head -n 1 "$f")" "#!/bin/sh"
done
dt_ok "${#files[@]} files"
