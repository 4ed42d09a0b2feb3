#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# vm:
# cost: 30
# debug: yes
# needs: CONFIG_EVENT_TRACING
#
# memhp's trace events through tracefs, next to the kernel's own. With
# memhp:* and migrate:mm_migrate_pages enabled: a DIMM of four blocks is
# onlined movable, a program fills part of it, the blocks are offlined
# (its pages migrate) and the DIMM unplugs. The trace holds, for every
# block, its memhp_notify GOING_X/X pairs and one memhp_transition each
# way, whose durations are the ones memhp's stats report (count and last
# value); mm_migrate_pages with reason memory_hotplug for the filled
# memory; an injected offline failure as memhp_inject; pin and unpin as
# memhp_phys with their results. Then the same offline twice more: under
# `memhpctl trace`, whose per-block timeline must add up (rows, total, the
# raw trace's migrations, /proc/vmstat), and under the guest's own
# `trace-cmd record -e memhp -e migrate`; both trace.dat files are pulled
# to the host (beside the log) and read there with `trace-cmd report`.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

T=/sys/kernel/tracing
g "modprobe memhp; echo offline > $SYS/auto_online_blocks
   [ -e $T/trace ] || mount -t tracefs nodev $T"
check "tracefs lists the memhp events" \
	g "for e in memhp_notify memhp_transition memhp_inject memhp_phys; do test -d $T/events/memhp/\$e || exit 1; done"
baseline_take
g "echo 0 > $T/tracing_on; echo > $T/trace; echo 4096 > $T/buffer_size_kb
   echo 1 > $T/events/memhp/enable
   [ ! -d $T/events/migrate/mm_migrate_pages ] || echo 1 > $T/events/migrate/mm_migrate_pages/enable
   echo clear > $MEMHP/stats; echo 1 > $T/tracing_on"

plug_wait $((4 * $(block_size))) offline
nb=$(wc -w <<<"$mine")
# shellcheck disable=SC2086 # $mine: the DIMM's block names, a word each
check "online the blocks movable" set_blocks online_movable $mine
end=$(printf '0x%x' $((addr + size - 1)))
ready=$(fill_start 32M "$addr-$end") || true
diag "$ready"
# One offline refused by injection, then the real ones.
b0=${mine%% *}
r0="$(printf '0x%x' "$addr")-$(printf '0x%x' $((addr + $(block_size) - 1)))"
g "memhpctl inject MEM_GOING_OFFLINE -16 --count 1 --range $r0 >/dev/null"
expect_eq "an injected offline failure" EBUSY "$(g "memhp-write $SYS/$b0/state offline")"
expect_eq "pin 4 MiB" OK "$(mw pin "$(printf '0x%x' "$addr") 4M")"
expect_eq "unpin it" OK "$(mw unpin "$(printf '0x%x' "$addr") 4M")"
# shellcheck disable=SC2046 # the DIMM's block names, highest first, a word each
check "offline the blocks" set_blocks offline $(tr ' ' '\n' <<<"$mine" | tac | xargs)
result=$(fill_check)
diag "$result"
g "echo 0 > $T/tracing_on"
trace=$(g "grep -v '^#' $T/trace")
stats=$(g "cat $MEMHP/stats")

pfns=$(for b in $mine; do printf '0x%x\n' $((${b#memory} * $(block_size) / 4096)); done)
# count EVENT ACTION: records of that event and action for the DIMM's blocks
count() {
	local pfn n=0
	for pfn in $pfns; do
		n=$((n + $(grep -c " $1: $2 .*start_pfn=$pfn " <<<"$trace" || true)))
	done
	echo $n
}
for a in MEM_GOING_ONLINE MEM_ONLINE MEM_GOING_OFFLINE MEM_OFFLINE; do
	want=$nb
	[ $a = MEM_GOING_OFFLINE ] && want=$((nb + 1))	# the injected one
	expect_eq "memhp_notify $a for each block" "$want" "$(count memhp_notify "$a ([0-9]*)")"
done
expect_eq "memhp_notify MEM_CANCEL_OFFLINE for the injected one" 1 \
	"$(count memhp_notify "MEM_CANCEL_OFFLINE ([0-9]*)")"
for dir in ONLINE OFFLINE; do
	lc=${dir,,}
	expect_eq "memhp_transition MEM_$dir: one per block" "$nb" "$(count memhp_transition MEM_$dir)"
	st_count=$(awk -v n="${lc}_us" '$1 == n { sub("count=", "", $2); print $2 }' <<<"$stats")
	st_last=$(awk -v n="${lc}_us" '$1 == n { sub("last=", "", $6); print $6 }' <<<"$stats")
	tr_all=$(grep -c " memhp_transition: MEM_\(CANCEL_\)\?$dir " <<<"$trace" || true)
	tr_last=$(grep " memhp_transition: MEM_\(CANCEL_\)\?$dir " <<<"$trace" | tail -n 1 |
		sed 's/.*duration_us=\([0-9]*\).*/\1/')
	expect_eq "memhp_transition MEM_$dir: as many as stats counts" "$st_count" "$tr_all"
	expect_eq "... and the last duration is stats' last ($st_last us)" "$st_last" "$tr_last"
done
check "memhp_inject: the injected failure, its count used up" \
	grep -q " memhp_inject: MEM_GOING_OFFLINE range=$r0 error=-16 delay_ms=0 count_left=0" <<<"$trace"
check "memhp_phys: pin, ret=0" grep -q " memhp_phys: pin range=$(printf '0x%x' "$addr")-.* ret=0 " <<<"$trace"
check "memhp_phys: unpin, ret=0" grep -q " memhp_phys: unpin range=$(printf '0x%x' "$addr")-.* ret=0 " <<<"$trace"
if grep -q '^RESULT ok' <<<"$result" && grep -q 'MiB in range' <<<"$ready" &&
	! grep -q ' 0 MiB in range' <<<"$ready"; then
	check "mm_migrate_pages with reason memory_hotplug (the filled memory moved)" \
		grep -q " mm_migrate_pages: .*reason=memory_hotplug" <<<"$trace"
else
	diag "none of the program's memory was in the DIMM: no migration to look for"
fi
g "echo 0 > $T/events/enable; echo > $T/trace"

# report GUEST_FILE NAME: trace-cmd report of a guest trace.dat, pulled to
# the host as NAME beside the log.
report() {
	mkdir -p "$ARTIFACTS" && vm pull "$VM" "$1" "$ARTIFACTS/$2" >/dev/null &&
		trace-cmd report -i "$ARTIFACTS/$2" 2>/dev/null
}
# has_each TEXT EVENT ACTION: TEXT has that event for every block of the DIMM.
# shellcheck disable=SC2317 # called through check
has_each() {
	local pfn
	for pfn in $pfns; do
		grep -q " $2: *$3 .*start_pfn=$pfn " <<<"$1" || { echo "none for start_pfn=$pfn"; return 1; }
	done
}
offline_all="$(for b in $(tr ' ' '\n' <<<"$mine" | tac); do printf 'echo offline > %s/%s/state && ' "$SYS" "$b"; done) true"

# memhpctl trace: the same work as a per-block timeline; its raw trace
# (trace-cmd extract) opened on the host by trace-cmd report.
# shellcheck disable=SC2086 # $mine: the DIMM's block names, a word each
check "online the blocks movable again" set_blocks online_movable $mine
ready=$(fill_start 32M "$addr-$end") || true
diag "$ready"
pgm() { g "awk '\$1 == \"pgmigrate_success\" { print \$2 }' /proc/vmstat"; }
m0=$(pgm)
tl=$(g "memhpctl trace -o /tmp/memhp.dat -- sh -c '$offline_all'") || true
m1=$(pgm)
# shellcheck disable=SC2001 # a prefix on every line
sed 's/^/# /' <<<"$tl"
result=$(fill_check)
diag "$result"
check "memhp-fill's data survived the migration" grep -q '^RESULT ok' <<<"$result"
for b in $mine; do
	check "timeline: $b offline, ok" grep -Eq "^$b +offline .* ok +[a-z-]+\$" <<<"$tl"
done
rows=$(awk '$2 == "offline" { s += $6 } END { print s + 0 }' <<<"$tl")
total=$(sed -n 's/^# .* transitions; \([0-9]*\) pages .*/\1/p' <<<"$tl")
expect_eq "timeline: the rows' MIGRATED add up to its total" "$total" "$rows"
if grep -q 'outside them' <<<"$tl"; then
	not_ok "timeline: no hotplug migration outside a row"
else
	ok "timeline: no hotplug migration outside a row"
fi
if [ -n "$m0" ]; then
	check "timeline: not more than /proc/vmstat pgmigrate_success moved ($((m1 - m0)))" \
		test "$total" -le $((m1 - m0))
else
	diag "no pgmigrate_success in /proc/vmstat (CONFIG_VM_EVENT_COUNTERS=n): not compared"
fi
if grep -q 'MiB in range' <<<"$ready" && ! grep -q ' 0 MiB in range' <<<"$ready"; then
	check "timeline: the filled blocks' pages migrated ($total)" test "$total" -gt 0
fi
rep=$(report /tmp/memhp.dat trace-events.memhp.dat) || true
check "trace-cmd report (host) of memhpctl's trace.dat: memhp_notify MEM_OFFLINE per block" \
	has_each "$rep" memhp_notify MEM_OFFLINE
check "... and memhp_transition MEM_OFFLINE per block" has_each "$rep" memhp_transition MEM_OFFLINE
hp=$(grep ' mm_migrate_pages: .*reason=memory_hotplug' <<<"$rep" |
	sed 's/.*nr_succeeded=\([0-9]*\).*/\1/' | awk '{ s += $1 } END { print s + 0 }')
expect_eq "... whose mm_migrate_pages (memory_hotplug) moved the timeline's total" "$total" "$hp"

# The kernel's own tool alone: trace-cmd record in the guest while the
# DIMM is offlined under a filled program; trace-cmd report on the host.
# shellcheck disable=SC2086 # $mine: the DIMM's block names, a word each
check "online the blocks movable a third time" set_blocks online_movable $mine
ready=$(fill_start 32M "$addr-$end") || true
check "trace-cmd record -e memhp -e migrate, offlining the DIMM" \
	g "cd /tmp && trace-cmd record -q -o /tmp/rec.dat -e memhp -e migrate sh -c '$offline_all' >/tmp/rec.log 2>&1 || { cat /tmp/rec.log; exit 1; }"
result=$(fill_check)
check "memhp-fill's data survived again" grep -q '^RESULT ok' <<<"$result"
rep=$(report /tmp/rec.dat trace-events.record.dat) || true
check "trace-cmd report (host): memhp_notify MEM_GOING_OFFLINE per block" \
	has_each "$rep" memhp_notify MEM_GOING_OFFLINE
check "... and MEM_OFFLINE per block" has_each "$rep" memhp_notify MEM_OFFLINE
if grep -q 'MiB in range' <<<"$ready" && ! grep -q ' 0 MiB in range' <<<"$ready"; then
	check "... and the kernel's mm_migrate_pages reason=memory_hotplug" \
		grep -q ' mm_migrate_pages: .*reason=memory_hotplug' <<<"$rep"
fi
g "rm -f /tmp/memhp.dat /tmp/rec.dat"
check "unplug $id" vm unplug "$VM" "$id"
baseline_expect ""
finish
