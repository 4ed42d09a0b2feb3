#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# vm:
# cost: 19
#
# 20 plug / online / offline / unplug cycles of a DIMM of 4 memory blocks:
# MemTotal, the block list, /proc/iomem and node state end at the baseline,
# and memhp's stats show exactly 20x the transitions (4 blocks each way per
# cycle). The repetition is the point, not the size: a bigger DIMM only
# costs time.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

CYCLES=${CYCLES:-20}
g "modprobe memhp; echo offline > $SYS/auto_online_blocks"
baseline_take
g "echo clear > $MEMHP/stats"
nb=4
dimm=$((nb * $(block_size)))

failed_cycles=0
for ((c = 1; c <= CYCLES; c++)); do
	# shellcheck disable=SC2086,SC2046 # $mine: the DIMM's block names, a word each
	{
		plug_wait "$dimm" offline >/dev/null &&
			set_blocks online_movable $mine &&
			set_blocks offline $(tr ' ' '\n' <<<"$mine" | tac | xargs) &&
			vm unplug "$VM" "$id" --timeout 60
	} || { failed_cycles=$((failed_cycles + 1)); diag "cycle $c failed"; }
done
expect_eq "$CYCLES cycles completed" 0 "$failed_cycles"
n=$((CYCLES * nb))
for a in MEM_GOING_ONLINE MEM_ONLINE MEM_GOING_OFFLINE MEM_OFFLINE; do
	expect_eq "stats: $a = $n" "$n" "$(stat $a)"
done
expect_eq "stats: no CANCEL_ONLINE" 0 "$(stat MEM_CANCEL_ONLINE)"
expect_eq "stats: no CANCEL_OFFLINE" 0 "$(stat MEM_CANCEL_OFFLINE)"
expect_eq "stats: nothing dropped" 0 "$(stat dropped)"
expect_eq "query-memory-devices is empty" 0 "$(dimm_count)"
baseline_expect ""
finish
