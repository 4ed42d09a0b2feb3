#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Host unit test of scripts/lib/host.sh's helpers that need no VM:
# memhp_slow, memhp_kernels_check, memhp_blocks and memhp_debug_kernel (on
# .config files made here). Prints KTAP; exit 0 when all pass.
set -euo pipefail

usage() {
	cat <<EOF
usage: $0 [--help]
Runs the helpers of scripts/lib/host.sh that need no VM on fixed inputs and
prints "ok N WHAT" or "not ok N WHAT" (with what it got) per test point;
exits 1 when one fails.
EOF
}

case ${1:-} in
-h | --help) usage; exit 0 ;;
"") ;;
*) usage >&2; exit 2 ;;
esac

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../../../scripts/lib/host.sh
. "$here/../../../scripts/lib/host.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

n=0 failed=0
# is NAME WANT GOT: one test point.
is() {
	n=$((n + 1))
	if [ "$2" = "$3" ]; then
		echo "ok $n $1"
	else
		echo "not ok $n $1"
		printf '# want: %s\n# got:  %s\n' "$2" "$3"
		failed=$((failed + 1))
	fi
}
# rc CMD...: CMD's exit status, its output dropped.
rc() { local r=0; "$@" >/dev/null 2>&1 || r=$?; echo $r; }

echo "TAP version 13"
echo "1..16"
is "memhp_slow 1" 1 "$(memhp_slow 1)"
is "memhp_slow 1.5 rounds up" 2 "$(memhp_slow 1.5)"
is "memhp_slow 0 fails" 1 "$(rc memhp_slow 0)"
is "memhp_slow x fails" 1 "$(rc memhp_slow x)"

lanes="7.3 debug debug-6.12 7.3+fixes debug+fixes"
is "memhp_kernels_check: packaged and lanes" 0 "$(rc memhp_kernels_check "6.1 6.12 debug+fixes" "$lanes")"
is "memhp_kernels_check: unknown kernel fails" 1 "$(rc memhp_kernels_check "6.1 nope" "$lanes")"
is "memhp_kernels_check: unknown kernel named" "unknown kernel 'nope'" \
	"$(memhp_kernels_check "6.1 nope" "$lanes" 2>&1 | cut -d: -f1 || true)"
is "memhp_kernels_check: none named fails" 1 "$(rc memhp_kernels_check " " "$lanes")"
mkdir "$tmp/tree" && : >"$tmp/tree/.config"
is "memhp_kernels_check: a tree" 0 "$(rc memhp_kernels_check "$tmp/tree" "$lanes")"

is "memhp_blocks: 512 MiB at 4 GiB, 128 MiB blocks" "memory32 memory33 memory34 memory35" \
	"$(memhp_blocks 0x100000000 $((512 << 20)) $((128 << 20)) | xargs)"
is "memhp_blocks: 1 GiB at 0, 2 GiB blocks: none whole" "" "$(memhp_blocks 0 $((1 << 30)) $((2 << 30)))"
is "memhp_blocks: 4 GiB at 2 GiB, 2 GiB blocks" "memory1 memory2" \
	"$(memhp_blocks $((2 << 30)) $((4 << 30)) $((2 << 30)) | xargs)"

# debug CONFIG_LINES...: memhp_debug_kernel's verdict on a .config of those lines.
debug() {
	local d
	d=$(mktemp -d "$tmp/cfg.XXXX")
	printf '%s\n' "$@" >"$d/.config"
	if memhp_debug_kernel "$d/.config" >/dev/null 2>&1; then echo debug; else echo plain; fi
}
is "memhp_debug_kernel: KASAN" debug "$(debug CONFIG_KASAN=y)"
is "memhp_debug_kernel: PROVE_LOCKING" debug "$(debug CONFIG_PROVE_LOCKING=y)"
is "memhp_debug_kernel: both" debug "$(debug CONFIG_KASAN=y CONFIG_PROVE_LOCKING=y)"
is "memhp_debug_kernel: neither (LOCKDEP alone is not PROVE_LOCKING)" plain \
	"$(debug CONFIG_NET=y CONFIG_LOCKDEP=y '# CONFIG_KASAN is not set')"
echo "# $((n - failed)) passed, $failed failed"
[ $failed -eq 0 ]
