#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# desc: known issue isolation-undo: a failed alloc_contig_range() undoes an offline's isolation
# vm:
# cost: 12
# debug: yes
#
# Reproducer of known kernel issue isolation-undo (docs/kernel-issues.md,
# kernel/known-issues): an alloc_contig_range() that fails while an offline of
# the same memory is in flight undoes the offline's page isolation, and the
# offline then retries until its writer is signalled.
#
# mm/page_alloc.c (6.1, 6.12, mainline 2025), alloc_contig_range():
#	ret = start_isolate_page_range(start, end, ...);
#	if (ret)
#		goto done;
#	...
#   done:
#	undo_isolate_page_range(start, end, migratetype);
# start_isolate_page_range() fails with -EBUSY on a pageblock that is
# MIGRATE_ISOLATE already (set_migratetype_isolate()), after undoing only
# what it isolated itself; "done:" then clears MIGRATE_ISOLATE on every
# pageblock of the range, including those offline_pages() isolated.
# offline_pages() isolates its range, then sends MEM_GOING_OFFLINE, then
# migrates and loops on test_pages_isolated(), which now fails on the
# un-isolated pageblocks every time: it retries until a signal (an ACPI
# eject worker never gets one).
#
# memhp holds the window open deterministically: an injected delay in
# MEM_GOING_OFFLINE (the block is isolated by then; memhp records the event
# before it sleeps, the test waits for the record and closes the window by
# writing delay_ms). /proc/pagetypeinfo's Isolate column is the evidence.
#  1. pin_guard=Y (memhp's default): pin refuses memory being offlined with
#     EBUSY before calling alloc_contig_range(); the isolation is untouched
#     and the offline completes.
#  2. pin_guard=N (pin plays any other alloc_contig_range() caller: gigantic
#     hugetlb pages, virtio-mem): pin fails with EBUSY, the offline's
#     pageblocks under the pin range are no longer isolated, and the offline
#     does not complete: its writer's deadline interrupts it (EINTR) and the
#     block is back online. Reported as XFAIL; on a kernel without the bug
#     the isolation stays and the offline completes (a plain pass).
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

g "modprobe memhp; echo offline > $SYS/auto_online_blocks"
baseline_take
plug_wait 256M offline
# shellcheck disable=SC2154 # set by plug_wait (lib.sh)
: "${id:?}" "${addr:?}" "${mine:?}"
# shellcheck disable=SC2086 # $mine: the DIMM's block names, a word each
check "online the blocks movable" set_blocks online_movable $mine

bs=$(block_size)
b=${mine%% *}
pfn=$(printf '0x%x' $((addr / 4096)))
pin_size=$((4 << 20))
pin="$(printf '0x%x' "$addr") $pin_size"
range=$(printf '0x%x-0x%x' "$addr" $((addr + bs - 1)))
# The offline's own deadline: far above what offlining an idle block takes
# (milliseconds), and above the window the test holds open.
off_timeout=$((10 * SLOW))

# isolated: pageblocks of type Isolate, all zones (/proc/pagetypeinfo).
isolated() {
	g "cat /proc/pagetypeinfo" | awk '
		/^Number of blocks type/ { for (i = 5; i <= NF; i++) if ($i == "Isolate") col = i; next }
		col && /^Node/ { n += $col }
		END { print n + 0 }'
}
per_block=$(g "cat /proc/pagetypeinfo" | awk '/^Pages per block:/ { print $4 }')
blocks_per_mb=$((bs / 4096 / per_block))
pin_blocks=$((pin_size / 4096 / per_block))
diag "memory block: $blocks_per_mb pageblocks of $per_block pages; pin: $pin_blocks"
iso0=$(isolated)

# race GUARD: offline $b with the window held open in MEM_GOING_OFFLINE, pin
# its first 4 MiB inside the window, close it; sets pin_r, iso_in, iso_pin, off_r.
race() {
	g "echo $1 > /sys/module/memhp/parameters/pin_guard; echo clear > $MEMHP/events
	   memhpctl inject MEM_GOING_OFFLINE 0 --count 1 --range $range --delay 60000 >/dev/null
	   rm -f /tmp/off.out
	   (memhp-write --timeout $off_timeout $SYS/$b/state offline >/tmp/off.out 2>&1 &)"
	gwait 30 "[pin_guard=$1] offlining $b, held in MEM_GOING_OFFLINE" \
		"grep -q 'MEM_GOING_OFFLINE start_pfn=$pfn .* delay_ms=60000' $MEMHP/events"
	iso_in=$(isolated)
	pin_r=$(mw pin "$pin")
	iso_pin=$(isolated)
	g "echo 0 > $MEMHP/inject/MEM_GOING_OFFLINE/delay_ms"
	gwait $((off_timeout + 30)) "[pin_guard=$1] the offline's writer returned" "test -s /tmp/off.out"
	off_r=$(g "cat /tmp/off.out")
}

race Y
expect_eq "[pin_guard=Y] the offline isolated its $blocks_per_mb pageblocks" \
	$((iso0 + blocks_per_mb)) "$iso_in"
expect_eq "[pin_guard=Y] pin of memory being offlined: EBUSY" EBUSY "$pin_r"
expect_eq "[pin_guard=Y] ... refused by memhp, the isolation untouched" "$iso_in" "$iso_pin"
check "[pin_guard=Y] the log names the reason" \
	g "dmesg | tail -n 20 | grep -q 'pin: rejected: .* is being offlined'"
expect_eq "[pin_guard=Y] the offline completed" OK "$off_r"
expect_eq "[pin_guard=Y] $b offline" offline "$(g "cat $SYS/$b/state")"
expect_eq "nothing pinned" "" "$(g "cat $MEMHP/pinned")"
check "online $b again" set_blocks online_movable "$b"

race N
expect_eq "[pin_guard=N] the offline isolated its $blocks_per_mb pageblocks" \
	$((iso0 + blocks_per_mb)) "$iso_in"
expect_eq "[pin_guard=N] pin (alloc_contig_range() of isolated memory): EBUSY" EBUSY "$pin_r"
check "[pin_guard=N] the log shows alloc_contig_range()'s -16" \
	g "dmesg | tail -n 20 | grep -q 'pin: rejected: alloc_contig_range(.*): -16'"
g "echo Y > /sys/module/memhp/parameters/pin_guard"
if [ "$iso_pin" = $((iso_in - pin_blocks)) ] && [ "$off_r" = EINTR ]; then
	ok "[pin_guard=N] the failed alloc_contig_range() un-isolated $pin_blocks of the offline's pageblocks ($iso_in -> $iso_pin), and the offline never completed: interrupted at its ${off_timeout}s deadline # XFAIL isolation-undo"
elif [ "$iso_pin" = "$iso_in" ] && [ "$off_r" = OK ]; then
	diag "this kernel keeps the offline's isolation: it does not have the bug"
	ok "[pin_guard=N] the isolation untouched, the offline completed"
else
	not_ok "[pin_guard=N] an outcome that is neither the bug nor its absence"
	diag "isolated pageblocks: $iso_in in the window, $iso_pin after pin; the offline: $off_r"
fi
gwait 30 "$b back online (rolled back or onlined again)" \
	"grep -q online $SYS/$b/state || echo online_movable > $SYS/$b/state"
expect_eq "isolated pageblocks back to $iso0" "$iso0" "$(isolated)"

# shellcheck disable=SC2086 # $mine: the DIMM's block names, a word each
check "offline the DIMM's blocks" set_blocks offline $mine
check "unplug $id" vm unplug "$VM" "$id"
baseline_expect ""
finish
