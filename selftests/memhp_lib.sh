#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Helpers for memhp's shell selftests (KTAP via kselftest's ktap_helpers.sh).

# shellcheck disable=SC1091 # kselftest's, installed beside the tests
. "$(dirname "$0")/../kselftest/ktap_helpers.sh"

# shellcheck disable=SC2034 # for the tests that source this file
MEMHP_DEBUGFS=/sys/kernel/debug/memhp
MEMORY_SYSFS=/sys/devices/system/memory

# Skip the whole test (exit 4) with a reason unless we can run it here.
memhp_require_root() {
	if [ "$(id -u)" -ne 0 ]; then
		ktap_skip_all "must run as root"
		exit "$KSFT_SKIP"
	fi
}

memhp_require_hotplug() {
	if [ ! -d "$MEMORY_SYSFS" ] || [ ! -r "$MEMORY_SYSFS/block_size_bytes" ]; then
		ktap_skip_all "no memory hotplug support ($MEMORY_SYSFS)"
		exit "$KSFT_SKIP"
	fi
}

memhp_require_module() {
	if ! modinfo memhp >/dev/null 2>&1 && [ ! -d /sys/module/memhp ]; then
		ktap_skip_all "memhp module not available"
		exit "$KSFT_SKIP"
	fi
}

# memhp_require_offline_block WHAT: set blk to the first offline memory
# block, or skip the whole test, saying that WHAT needs one.
memhp_require_offline_block() {
	blk=$(cd "$MEMORY_SYSFS" && grep -l '^offline$' memory*/state 2>/dev/null | head -n 1 | cut -d/ -f1)
	if [ -z "$blk" ]; then
		ktap_skip_all "no offline hot-plugged memory block${1:+ $1} (plug a DIMM)"
		exit "$KSFT_SKIP"
	fi
}

# wait_for SECONDS DESCRIPTION CMD...: poll CMD until it succeeds or the
# deadline (SECONDS x MEMHP_SLOW) passes; on timeout print what the last
# attempt printed.
wait_for() {
	_secs=$(($1 * ${MEMHP_SLOW:-1})) _what=$2
	shift 2
	_end=$(($(date +%s) + _secs))
	while :; do
		if _out=$("$@" 2>&1); then
			return 0
		fi
		if [ "$(date +%s)" -ge "$_end" ]; then
			ktap_print_msg "timeout after ${_secs}s waiting for $_what; last: $_out"
			return 1
		fi
		sleep 0.05
	done
}
