#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# vm: --slots 8 --maxmem 16G
# cost: 10
#
# Hot-add DIMMs of 128 MiB, 512 MiB, 1 GiB and 2 GiB one after another: each
# gains SIZE/block_size blocks at the QMP-reported address and /proc/iomem
# shows its range. Under each online policy the blocks end in the zone the
# policy means: offline (no zone), online_movable (Movable), online_kernel
# (Normal) and the kernel's own default (6.1: offline; 6.12: online, in the
# zone the kernel picks: Normal here). /proc/zoneinfo's present pages grow by
# exactly the DIMM. Kernel-zone memory may be impossible to offline (that is
# the point of ZONE_MOVABLE), so those cases run last and do not demand it.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

default_policy=$(g "cat $SYS/auto_online_blocks")
diag "the kernel's default auto_online_blocks: $default_policy"
baseline_take
bs=$(block_size)

# plug_check POLICY SIZE STATE ZONE: plug, then check blocks, iomem, zone.
plug_check() {
	local policy=$1 sz=$2 want=$3 zone=$4 before after iom
	before=$([ "$zone" = - ] || zone_present 0 "$zone")
	plug_wait "$sz" "$want"
	expect_eq "[$policy] $sz: $((size / bs)) blocks" $((size / bs)) "$(wc -w <<<"$mine")"
	iom=$(printf '%x-%x : System RAM' "$addr" $((addr + size - 1)))
	check "[$policy] $sz: /proc/iomem has $iom" grep -qx " *$iom" <<<"$(iomem_ram)"
	[ "$zone" != - ] || return 0
	zones=$(of_mine valid_zones | sort -u)
	expect_eq "[$policy] $sz: blocks in zone $zone" "$zone" "$zones"
	after=$(zone_present 0 "$zone")
	expect_eq "[$policy] $sz: /proc/zoneinfo $zone present grew by $((size / 4096)) pages" \
		$((before + size / 4096)) "$after"
}

for policy in offline online_movable; do
	g "echo $policy > $SYS/auto_online_blocks"
	want=offline zone=-
	[ $policy = offline ] || { want=online; zone=Movable; }
	ids=()
	for sz in 128M 512M 1G 2G; do
		plug_check "$policy" "$sz" "$want" "$zone"
		ids+=("$id:$mine")
	done
	for e in "${ids[@]}"; do
		id=${e%%:*} mine=${e#*:}
		# shellcheck disable=SC2046 # the DIMM's block names, highest first, a word each
		[ $want = offline ] || set_blocks offline $(tr ' ' '\n' <<<"$mine" | tac | xargs)
		check "[$policy] unplug $id" vm unplug "$VM" "$id"
	done
	baseline_expect "[$policy]"
done

# Kernel zones: memory there may hold unmovable pages at once; removal is
# attempted, not required.
try_remove() {
	# shellcheck disable=SC2046 # the DIMM's block names, highest first, a word each
	if set_blocks offline $(tr ' ' '\n' <<<"$mine" | tac | xargs) \
		2>/dev/null && vm unplug "$VM" "$id" >/dev/null 2>&1; then
		diag "$1: the DIMM could be removed again"
	else
		diag "$1: the kernel-zone DIMM stays (unmovable pages), as ZONE_NORMAL may"
	fi
}
g "echo online_kernel > $SYS/auto_online_blocks"
plug_check online_kernel 128M online Normal
try_remove online_kernel

g "echo $default_policy > $SYS/auto_online_blocks"
case $default_policy in
offline) plug_check "default=offline" 128M offline - ;;
online) plug_check "default=online" 128M online Normal ;;
*) plug_check "default=$default_policy" 128M online "$(sed 's/online_//; s/movable/Movable/; s/kernel/Normal/' <<<"$default_policy")" ;;
esac
try_remove "default=$default_policy"
finish
