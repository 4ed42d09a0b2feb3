#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# vm:
# cost: 5
# debug: yes
#
# Plug a 1 GiB pc-dimm over QMP: the guest gains exactly 8 memory blocks of
# 128 MiB at the address QMP reported, in the state auto_online_blocks asks
# for; online them movable; MemTotal grows by 1 GiB; offline; unplug; the
# DIMM list, block list, /proc/iomem and MemTotal are back to the baseline.
# Runs once with auto_online_blocks=offline and once with online_movable
# (6.1 adds offline and 6.12 auto-onlines by default, so set it explicitly).
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

GiB=$((1 << 30))

baseline_take
bs=$(block_size)
expect_eq "memory block size is 128 MiB" $((128 << 20)) "$bs"
expect_eq "no DIMM plugged at start" 0 "$(dimm_count)"
orig_policy=$(g "cat $SYS/auto_online_blocks")

for policy in offline online_movable; do
	diag "auto_online_blocks=$policy"
	g "echo $policy > $SYS/auto_online_blocks"
	read -r id addr size < <(vm plug "$VM" 1G)
	expect_eq "[$policy] QMP reports a 1 GiB DIMM" "$GiB" "$size"
	mine=$(blocks_of "$addr" "$size" | xargs)
	expect_eq "[$policy] 1 GiB is 8 blocks" 8 "$(wc -w <<<"$mine")"

	want=offline
	[ "$policy" = offline ] || want=online
	# The guest's ACPI handler adds (and onlines) asynchronously.
	gwait 60 "[$policy] blocks $mine appear $want at $addr" \
		"for b in $mine; do s=\$(cat $SYS/\$b/state 2>&1)
			[ \"\$s\" = $want ] || { echo \"\$b: \$s\"; exit 1; }; done"
	expect_eq "[$policy] exactly 8 blocks were added" \
		$(($(wc -l <<<"$base_blocks") + 8)) "$(blocks | wc -l)"

	end=$(printf '%x' $((addr + size - 1)))
	check "[$policy] /proc/iomem has System RAM $(printf '%x' "$addr")-$end" \
		grep -q "$(printf '%x' "$addr")-$end : System RAM" <<<"$(iomem_ram)"

	if [ "$policy" = offline ]; then
		# shellcheck disable=SC2086 # $mine: the DIMM's block names, a word each
		check "[$policy] online_movable every new block" \
			set_blocks online_movable $mine
	fi
	states=$(of_mine state | sort -u)
	expect_eq "[$policy] the new blocks are online" online "$states"
	zones=$(of_mine valid_zones | sort -u)
	expect_eq "[$policy] the new blocks are in ZONE_MOVABLE" Movable "$zones"
	expect_eq "[$policy] MemTotal grew by 1 GiB" $((base_mem + GiB / 1024)) "$(memtotal_kb)"

	# shellcheck disable=SC2086 # $mine: the DIMM's block names, a word each
	check "[$policy] offline every new block" \
		set_blocks offline $mine
	expect_eq "[$policy] MemTotal back to baseline after offline" "$base_mem" "$(memtotal_kb)"

	check "[$policy] unplug $id" vm unplug "$VM" "$id" --timeout 60
	expect_eq "[$policy] query-memory-devices is empty" 0 "$(dimm_count)"
	gwait 30 "[$policy] the 8 blocks are gone" \
		"for b in $mine; do [ ! -e $SYS/\$b ] || { echo \"\$b still there\"; exit 1; }; done"
	baseline_expect "[$policy]"
done

g "echo $orig_policy > $SYS/auto_online_blocks"
finish
