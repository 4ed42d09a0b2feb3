#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs the installed memhp kselftests with kselftest's runner (KTAP output).
#   run_kselftest.sh               all tests in kselftest-list.txt
#   run_kselftest.sh -t memhp:T1,memhp:T2   only those
#   run_kselftest.sh -l            list them
BASE_DIR=$(cd "$(dirname "$0")" && pwd)
export BASE_DIR
# shellcheck disable=SC1091 # kselftest's, installed beside this script
. "$BASE_DIR/kselftest/runner.sh"

tests=$(cat "$BASE_DIR/kselftest-list.txt")
case "${1:-}" in
-l) echo "$tests"; exit 0 ;;
-t) tests=$(echo "$2" | tr , '\n') ;;
-h | --help) sed -n '3,6p' "$0"; exit 0 ;;
esac

cd "$BASE_DIR/memhp" || exit 1
# shellcheck disable=SC2046
run_many $(echo "$tests" | sed 's/^memhp://')
