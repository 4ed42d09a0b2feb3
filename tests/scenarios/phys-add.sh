#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# vm: --append 'acpi_no_memhotplug memory_hotplug.memmap_on_memory=1'
# cost: 15
# debug: yes
#
# memhp drives the physical phase. With the guest's ACPI memory driver off,
# QEMU plugs a DIMM and memhp's `add` adds it (plain add_memory(),
# driver_managed, memmap_on_memory in one-block pieces); the blocks come up
# offline; online movable, MemTotal grows by exactly what was onlined (with
# memmap_on_memory less the memmap, which then sits on the DIMM: that is
# how memhp's flag is seen to reach the kernel); a guest program fills
# 256 MiB of it (128 MiB in the later variants); memhp's
# `offline_remove` migrates it away; every byte is intact, nothing of it is
# left in the DIMM, `ranges` is empty, the DIMM unplugs and the guest is
# back to its baseline. Then offline_remove refused part-way, by pinned
# pages (memhp pin) and by an injected GOING_OFFLINE error: the range stays
# added and every block online in the zone it was in, and `ranges` says so
# as memhp read it back from the kernel afterwards (resource tree, each
# block's memmap and online sections), with the kernel's answer. The third
# outcome memhp reads back, 7.3's 0 after a removal that failed behind a
# successful offline (memhp_compat.h), no caller can provoke.
#
# Whether the kernel can put the memmap on the memory at all is recomputed
# here from what the running kernel shows (mom_verdict), not asked of memhp,
# whose answer is under test. Where it cannot, memhp must refuse with
# EINVAL and add nothing, and the rest of that variant is skipped with the
# reason; where it can, every add must succeed and put the memmap there.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

MiB=$((1 << 20))

g "echo offline > $SYS/auto_online_blocks; modprobe memhp"
baseline_take
bs=$(block_size)

# mom_verdict: sets mom to "yes: WHAT" or "no: WHY" and mom_memmap to the
# bytes of a block its memmap takes (0 for no): can this kernel's
# mhp_supports_memmap_on_memory() say yes for one memory block? Its checks
# (7.3.4 mm/memory_hotplug.c:1381-1409, the same in 6.12; 6.1's
# :1276-1311 for a one-block add, memhp's only kind there), made from what
# user space reads of the running kernel: the memory_hotplug.memmap_on_memory
# parameter (absent without CONFIG_MHP_MEMMAP_ON_MEMORY; "force" pads the
# memmap to whole pageblocks), the block size, PAGE_SIZE (AT_PAGESZ in
# /proc/self/auxv) and the pageblock order (/proc/pagetypeinfo).
# sizeof(struct page) is 64 and PMD_SIZE 2 MiB on x86-64: those two user
# space cannot read. A kernel without THP and hugetlbfs (tinyconfig) has
# pageblocks of PAGE_BLOCK_MAX_ORDER, 10: 4 MiB (7.3.4
# include/linux/pageblock-flags.h:71), and the 2 MiB memmap of a 128 MiB
# block does not fill one: it says no (memory_hotplug.c:1401).
mom_verdict() {
	local param page order facts memmap pages pb said
	facts=$(g "cat /sys/module/memory_hotplug/parameters/memmap_on_memory 2>/dev/null || echo absent
		od -An -v -tu8 /proc/self/auxv | awk '{ for (i = 1; i <= NF; i++) w[n++] = \$i }
			END { for (i = 0; i < n; i += 2) if (w[i] == 6) { print w[i + 1]; exit } }'
		awk '/^Page block order:/ { print \$4 }' /proc/pagetypeinfo" | xargs)
	read -r param page order _ <<<"$facts"
	mom_memmap=0
	if ! [[ "${page:-}" =~ ^[0-9]+$ && "${order:-}" =~ ^[0-9]+$ ]]; then
		mom="no: cannot tell (parameter, PAGE_SIZE and pageblock order read as '$facts')"
		return 1
	fi
	said="memory_hotplug.memmap_on_memory=$param, block $((bs / MiB)) MiB, PAGE_SIZE $page,"
	said+=" pageblock order $order, sizeof(struct page) 64"
	memmap=$((bs * 64 / page))
	pages=$((memmap / page)) pb=$((1 << order))
	[ "$param" != force ] || pages=$(((pages + pb - 1) / pb * pb))
	if [ "$param" = absent ]; then
		mom="no: there is no memory_hotplug.memmap_on_memory parameter (CONFIG_MHP_MEMMAP_ON_MEMORY is not set)"
	elif [ "$param" = N ]; then
		mom="no: memory_hotplug.memmap_on_memory=N"
	elif ((memmap % page)); then
		mom="no: the memmap of a block ($memmap bytes) is not a whole number of pages ($said)"
	elif ((pages % pb)); then
		mom="no: the memmap of a block ($pages pages) does not fill whole pageblocks of $pb pages ($said)"
	elif ((pages == bs / page)); then
		mom="no: the memmap would take the whole block ($said)"
	elif ((memmap % (2 * MiB))); then
		mom="no: the memmap of a block ($memmap bytes) does not fill whole 2 MiB PMDs ($said)"
	else
		mom_memmap=$((pages * page))
		mom="yes: the memmap of a block takes $((mom_memmap / 1024)) KiB of it ($said)"
	fi
}
mom_verdict || not_ok "memmap_on_memory: what the kernel reads, $mom"
diag "memmap_on_memory on this kernel: $mom"

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
	if [ "$variant" = memmap_on_memory ] && [ "$mom_memmap" = 0 ]; then
		# memhp's own flag handling, where the kernel cannot: refused,
		# with nothing added (6.9+ would fall back to a regular memmap
		# silently if memhp passed the flag on).
		read -r id addr size < <(vm plug "$VM" $((nb * bs)))
		a="$(printf '0x%x' "$addr") $bs"
		expect_eq "[$variant] add $a memmap_on_memory: EINVAL where the kernel cannot" \
			EINVAL "$(mw add "$a memmap_on_memory")"
		expect_eq "[$variant] nothing added: ranges is empty" "" "$(ranges)"
		# shellcheck disable=SC2154 # base_blocks: set by baseline_take (lib.sh)
		expect_eq "[$variant] nothing added: block list as before" "$base_blocks" "$(blocks)"
		check "[$variant] unplug $id" vm unplug "$VM" "$id"
		ok "[$variant] add, online, fill, offline_remove # SKIP the kernel cannot put the memmap on the memory: ${mom#no: }"
		continue
	fi
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

	# shellcheck disable=SC2086 # $mine is a list of block names
	check "[$variant] online_movable every block" \
		set_blocks online_movable $mine
	online=$(ranges | sed -n 's/.*online_blocks=\([0-9]*\)\/.*/\1/p' | paste -sd+ | bc)
	expect_eq "[$variant] ranges counts $nb online blocks" $nb "$online"
	# Online pages are what MemTotal counts: with the memmap on the DIMM,
	# its pages are the block's but never online (memory_block_online():
	# online_pages() of what follows altmap->free; 7.3.4
	# drivers/base/memory.c:254-265).
	memmap=0 how="all of it online"
	[ "$variant" != memmap_on_memory ] || memmap=$mom_memmap how="less $nb memmaps of $((mom_memmap / 1024)) KiB"
	# shellcheck disable=SC2154 # base_mem: set by baseline_take (lib.sh)
	expect_eq "[$variant] MemTotal grew by $nb blocks, $how" \
		$((base_mem + nb * (bs - memmap) / 1024)) "$(memtotal_kb)"

	# Migration is slow under TCG: a quarter of the DIMM once, an eighth after.
	fill=$((size / MiB / 8))
	[ "$variant" = plain ] && fill=$((size / MiB / 4))
	fill=$(fill_mib $fill)
	ready=$(fill_start "${fill}M" "0x$(printf '%x' "$addr")-0x$end") || true
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
	expect_eq "$1: ranges reads back the range still added, $nb/$nb online, the kernel's -16" \
		"$all_online offline_remove=refused(-16)" "$(ranges)"
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
expect_eq "ranges is empty: the range read back as removed" "" "$(ranges)"
check "unplug $id" vm unplug "$VM" "$id"
check "rmmod memhp works once it owns nothing" g "rmmod memhp"
baseline_expect ""
finish
