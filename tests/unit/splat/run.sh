#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Host unit test of scripts/lib/splat.sh: each NAME.log here is a kernel log
# excerpt, NAME.expected what splat_reports must print for it, line for
# line. Lines of a .log that start with "#" describe the fixture (what it
# is, which kernel, captured or reconstructed) and are not fed to it: a
# kernel log line never starts with "#". Where NAME.crash exists, it is what
# crash_class (the same file) must print for NAME.log, as a test point of
# its own. Prints KTAP; exit 0 when all pass.
set -euo pipefail

usage() {
	cat <<EOF
usage: $0 [--help] [CASE...]
Runs splat_reports (scripts/lib/splat.sh) on each tests/unit/splat/CASE.log
(default: all of them) and compares its output with CASE.expected.
Prints "ok N CASE" or "not ok N CASE" (with the difference as "#" lines)
per case, and "ok N CASE crash_class" where CASE.crash gives crash_class's
expected line; exits 1 when a case fails.
EOF
}

case ${1:-} in
-h | --help) usage; exit 0 ;;
-*) usage >&2; exit 2 ;;
esac

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../../../scripts/lib/splat.sh
. "$here/../../../scripts/lib/splat.sh"

cases=()
if [ $# -gt 0 ]; then
	for c in "$@"; do c=${c##*/}; cases+=("$here/${c%.log}.log"); done
else
	for c in "$here"/*.log; do cases+=("$c"); done
fi

crashes=0
for log in "${cases[@]}"; do [ ! -f "${log%.log}.crash" ] || crashes=$((crashes + 1)); done
echo "TAP version 13"
echo "1..$((${#cases[@]} + crashes))"
n=0 failed=0
# check NAME GOT EXPECTED-FILE: one test point.
check() {
	n=$((n + 1))
	if [ "$2" = "$(cat "$3")" ]; then
		echo "ok $n $1"
	else
		echo "not ok $n $1"
		diff <(cat "$3") <(printf '%s\n' "$2") | sed 's/^/# /' || true
		failed=$((failed + 1))
	fi
}
for log in "${cases[@]}"; do
	name=$(basename "$log" .log)
	exp=${log%.log}.expected
	if [ ! -f "$log" ] || [ ! -f "$exp" ]; then
		n=$((n + 1))
		echo "not ok $n $name"
		echo "# missing $name.log or $name.expected"
		failed=$((failed + 1))
		continue
	fi
	check "$name" "$(grep -v '^#' "$log" | splat_reports)" "$exp"
	[ ! -f "${log%.log}.crash" ] ||
		check "$name crash_class" "$(grep -v '^#' "$log" | crash_class)" "${log%.log}.crash"
done
echo "# $((n - failed)) passed, $failed failed"
[ $failed -eq 0 ]
