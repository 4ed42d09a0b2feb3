#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# vm: --append 'acpi_no_memhotplug memory_hotplug.memmap_on_memory=1'
# cost: 15
# debug: yes
#
# memhp drives the physical phase. With the guest's ACPI memory driver off,
# QEMU plugs a DIMM and memhp's `add` adds it (plain add_memory(),
# driver_managed, memmap_on_memory in 128 MiB pieces); the blocks come up
# offline; online movable; a guest program fills 256 MiB of it (128 MiB in
# the later variants); memhp's
# `offline_remove` migrates it away; every byte is intact, nothing of it is
# left in the DIMM, `ranges` is empty, the DIMM unplugs and the guest is
# back to its baseline. Then offline_remove refused part-way, by pinned
# pages (memhp pin) and by an injected GOING_OFFLINE error: the range stays
# added and every block online in the zone it was in.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

MiB=$((1 << 20))

g "echo offline > $SYS/auto_online_blocks; modprobe memhp"
baseline_take
bs=$(block_size)

# DIMMs of four memory blocks: enough for a failure with blocks below it
# and above it; a bigger DIMM proves nothing more and costs migration time
# (6.12's offline_and_remove_memory() takes ~25 s per GiB under TCG).
nb=4
# plug_and_add VARIANT: plugs a DIMM of $nb blocks and adds it; sets id, addr, size, pieces.
plug_and_add() {
	local variant=$1 opt="" i a
	read -r id addr size < <(vm plug "$VM" $((nb * bs)))
	pieces=("$addr $size")
	case $variant in
	driver_managed) opt=" driver_managed" ;;
	memmap_on_memory)
		pieces=()
		for ((i = 0; i < size / bs; i++)); do
			pieces+=("$(printf '0x%x' $((addr + i * bs))) $bs")
		done
		opt=" memmap_on_memory"
		;;
	esac
	for a in "${pieces[@]}"; do
		expect_eq "[$variant] add $a$opt" OK "$(mw add "$a$opt")"
	done
}

for variant in plain driver_managed memmap_on_memory; do
	diag "variant: $variant"
	plug_and_add "$variant"
	mine=$(blocks_of "$addr" "$size" | xargs)
	states=$(of_mine state | sort | uniq -c | xargs)
	expect_eq "[$variant] the $nb blocks exist, offline" "$nb offline" "$states"
	expect_eq "[$variant] block count grew by $nb" \
		$(($(wc -l <<<"$base_blocks") + nb)) "$(blocks | wc -l)"
	end=$(printf '%x' $((addr + size - 1)))
	name="System RAM"
	[ "$variant" = driver_managed ] && name="System RAM (memhp)"
	iomem=$(iomem_ram)
	for a in "${pieces[@]}"; do
		read -r s n <<<"$a"
		line="$(printf '%x-%x' $((s)) $((s + n - 1))) : $name"
		check "[$variant] /proc/iomem: $line" grep -qx " *$line" <<<"$iomem"
	done
	nranges=$(ranges | wc -l)
	expect_eq "[$variant] ranges lists what was added" "${#pieces[@]}" "$nranges"
	case $variant in
	plain) want="0x$(printf '%x' "$addr")-0x$end size=$size nid=0 flags=none online_blocks=0/$nb" ;;
	driver_managed) want="0x$(printf '%x' "$addr")-0x$end size=$size nid=0 flags=driver_managed online_blocks=0/$nb" ;;
	*) want="0x$(printf '%x' "$addr")-0x$(printf '%x' $((addr + bs - 1))) size=$bs nid=0 flags=memmap_on_memory online_blocks=0/1" ;;
	esac
	expect_eq "[$variant] ranges line" "$want" "$(ranges | head -n 1)"

	check "[$variant] online_movable every block" \
		set_blocks online_movable $mine
	online=$(ranges | sed -n 's/.*online_blocks=\([0-9]*\)\/.*/\1/p' | paste -sd+ | bc)
	expect_eq "[$variant] ranges counts $nb online blocks" $nb "$online"
	check "[$variant] MemTotal grew" [ "$(memtotal_kb)" -gt "$base_mem" ]

	# Migration is slow under TCG: a quarter of the DIMM once, an eighth after.
	fill=$((size / MiB / 8))
	[ "$variant" = plain ] && fill=$((size / MiB / 4))
	ready=$(fill_start ${fill}M "0x$(printf '%x' "$addr")-0x$end") || true
	diag "$ready"
	in=$(sed -n 's/.* \([0-9-]*\) MiB in range/\1/p' <<<"$ready")
	check "[$variant] at least $((fill / 2)) MiB of the program's memory is in the DIMM" \
		[ "${in:-0}" -ge $((fill / 2)) ]

	for a in "${pieces[@]}"; do
		r=$(mw offline_remove "$a")
		[ "$r" = OK ] || { not_ok "[$variant] offline_remove $a: $r"; continue; }
	done
	ok "[$variant] offline_remove of everything memhp added"
	result=$(fill_check)
	diag "$result"
	expect_eq "[$variant] every byte intact, none left in the DIMM" \
		"RESULT ok $fill MiB intact, 0 MiB in range" "$result"
	expect_eq "[$variant] ranges is empty" "" "$(ranges)"
	baseline_expect "[$variant]"
	check "[$variant] unplug $id" vm unplug "$VM" "$id"
	expect_eq "[$variant] query-memory-devices is empty" 0 "$(dimm_count)"
done

# offline_remove that fails part-way: the blocks below the failing one have
# been offlined already and the kernel must put them back, as they were.
plug_and_add plain
mine=$(blocks_of "$addr" "$size" | xargs)
g "for b in $mine; do echo online_movable > $SYS/\$b/state; done"
all_online="0x$(printf '%x' "$addr")-0x$(printf '%x' $((addr + size - 1))) size=$size nid=0 flags=none online_blocks=$nb/$nb"
# back_as_before WHAT N: the N blocks below the failing one went offline
# and came back online; the range is still added, every block online, Movable.
back_as_before() {
	expect_eq "$1: the kernel offlined $2 blocks and put them back online" \
		"MEM_OFFLINE=$2 MEM_ONLINE=$2" \
		"$(g "cat $MEMHP/events" | awk '{n[$3]++} END {printf "MEM_OFFLINE=%d MEM_ONLINE=%d", n["MEM_OFFLINE"], n["MEM_ONLINE"]}')"
	expect_eq "$1: the range stays added, $nb/$nb online" "$all_online" "$(ranges)"
	expect_eq "$1: the blocks are online in ZONE_MOVABLE" "online Movable" \
		"$(g "for b in $mine; do echo \$(cat $SYS/\$b/state) \$(cat $SYS/\$b/valid_zones); done" | sort -u)"
}

diag "offline_remove refused by real unmovable pages (memhp pin) in the third block"
pin="$(printf '0x%x' $((addr + 2 * bs))) 16M"
expect_eq "pin 16 MiB of the third block" OK "$(mw pin "$pin")"
g "echo clear > $MEMHP/events"
expect_eq "offline_remove answers EBUSY" EBUSY "$(mw offline_remove "$addr $size")"
back_as_before "pinned" 2
expect_eq "unpin" OK "$(mw unpin "$pin")"

diag "offline_remove refused by an injected GOING_OFFLINE error in the upper half"
upper="$(printf '0x%x-0x%x' $((addr + size / 2)) $((addr + size - 1)))"
mw inject/MEM_GOING_OFFLINE/range "$upper" >/dev/null
mw inject/MEM_GOING_OFFLINE/error -16 >/dev/null
g "echo clear > $MEMHP/events"
expect_eq "offline_remove answers EBUSY" EBUSY "$(mw offline_remove "$addr $size")"
mw inject/MEM_GOING_OFFLINE/error 0 >/dev/null
mw inject/MEM_GOING_OFFLINE/range all >/dev/null
back_as_before "injected" $((nb / 2))
check "rmmod memhp refuses while it owns a range" bash -c "! $VMCMD exec $VM -n -- rmmod memhp 2>/dev/null"
check "memhp still loaded and answering" g "cat $MEMHP/ranges >/dev/null"
expect_eq "offline_remove succeeds without the injection" OK "$(mw offline_remove "$addr $size")"
check "unplug $id" vm unplug "$VM" "$id"
check "rmmod memhp works once it owns nothing" g "rmmod memhp"
baseline_expect
finish
