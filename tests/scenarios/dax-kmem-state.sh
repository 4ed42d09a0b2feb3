#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# desc: 7.3's daxX.Y/state: whole-device hotplug in one write, its refusals, an injected failure rolled back, a racing onliner
# vm: --smp 2 --numa 2 --nvdimm 1G@1
# cost: 3
# debug: yes
# needs: CONFIG_ACPI_NFIT CONFIG_BLK_DEV_PMEM CONFIG_NVDIMM_DAX CONFIG_DEV_DAX_PMEM CONFIG_DEV_DAX_KMEM CONFIG_NUMA
#
# 7.3's kmem driver has a state attribute (drivers/dax/kmem.c:
# state_store()): "unplugged" offlines and removes every range of the
# device with offline_and_remove_memory_ranges(), which offlines all blocks
# before it removes any and re-onlines them (in their zone) when one fails;
# online, online_kernel and online_movable add and online the ranges, and
# only from unplugged. Checked on a kmem device on NVDIMM nv0 (node 1):
#  - refusals: "offline" and an unknown value EINVAL; online_movable while
#    the device is "offline" (added, blocks offline) EBUSY; nothing changes;
#  - unplugged from offline, then online_movable: every block online in
#    ZONE_MOVABLE, /proc/iomem and MemTotal follow;
#  - unplugged while memhp fails the last block's MEM_GOING_OFFLINE with
#    EBUSY: the write fails with EBUSY, every block is online in
#    ZONE_MOVABLE again (memhp's records: each earlier block's MEM_OFFLINE,
#    then its MEM_ONLINE), the state still online_movable;
#  - a racing onliner (what udev rules do: online every memoryN that
#    appears offline) beside online_movable/unplugged writes: after each
#    write the device is in the state it reports, every block online after
#    an online write and none left after unplugged;
#  - online_kernel and online (ZONE_NORMAL): online, then unplugged either
#    removes all or fails with EBUSY leaving every block online (unmovable
#    kernel pages land in ZONE_NORMAL memory: an honest refusal, and the
#    device then stays online: this scenario does that last).
# Skipped before 7.3 (no daxX.Y/state).
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

dax_state_device
last=${mine##* }
last_addr=$((0x$end + 1 - $(block_size)))

state() { g "cat $S"; }
zones() { g "for b in $mine; do cat $SYS/\$b/valid_zones; done" | sort -u | xargs; }
# device_is STATE BLOCKS: the state file reads STATE, every block is BLOCKS
# (blocks_in: online, offline or gone).
# shellcheck disable=SC2086,SC2317 # $mine: block names, a word each; called by check
device_is() { [ "$(state)" = "$1" ] && blocks_in "$2" $mine; }

expect_eq "state after reconfigure-device -N (blocks added offline)" offline "$(state)"
expect_eq "state offline: EINVAL (the driver refuses it)" EINVAL "$(dax_sw offline)"
expect_eq "state bogus: EINVAL" EINVAL "$(dax_sw bogus)"
expect_eq "state online_movable from offline: EBUSY (only from unplugged)" EBUSY "$(dax_sw online_movable)"
check "after the refusals: state offline, every block offline" device_is offline offline

expect_eq "state unplugged" OK "$(dax_sw unplugged)"
expect_eq "state reads unplugged" unplugged "$(state)"
check "no kmem block left" device_is unplugged gone
expect_eq "no kmem range in /proc/iomem" "" "$(dax_kmem_range)"
expect_eq "state online_movable" OK "$(dax_sw online_movable)"
expect_eq "state reads online_movable" online_movable "$(state)"
# shellcheck disable=SC2086
check "all $nb blocks online" blocks_in online $mine
expect_eq "all in ZONE_MOVABLE" Movable "$(zones)"
check "MemTotal grew by the device" [ "$(memtotal_kb)" -gt "$base_mem" ]
expect_eq "state online_kernel while online_movable: EBUSY" EBUSY "$(dax_sw online_kernel)"
expect_eq "state online while online_movable: EBUSY" EBUSY "$(dax_sw online)"
expect_eq "state online_movable again: OK (already there)" OK "$(dax_sw online_movable)"
# shellcheck disable=SC2086
check "after those: online_movable, every block online" device_is online_movable online

# Atomic unplug: the last block refuses to go offline.
g "echo clear > $MEMHP/events; cd $MEMHP/inject/MEM_GOING_OFFLINE &&
   printf '0x%x-0x%x\n' $last_addr 0x$end > range && echo -16 > error"
r=$(dax_sw unplugged) || true
g "cd $MEMHP/inject/MEM_GOING_OFFLINE && echo 0 > error && echo all > range"
expect_eq "state unplugged with $last's MEM_GOING_OFFLINE failed (EBUSY): the write fails" EBUSY "$r"
expect_eq "the state still reads online_movable" online_movable "$(state)"
# shellcheck disable=SC2086
if blocks_in online $mine; then
	ok "every block online again (rolled back)"
else
	not_ok "every block online again (rolled back)"
	diag "$(block_states $mine)"
fi
expect_eq "all still in ZONE_MOVABLE" Movable "$(zones)"
n_off=$(g "grep -c ' MEM_OFFLINE ' $MEMHP/events || true")
n_on=$(g "grep -c ' MEM_ONLINE ' $MEMHP/events || true")
expect_eq "memhp: the $((nb - 1)) blocks before $last went offline and came back online" \
	"$((nb - 1)) $((nb - 1))" "$n_off $n_on"
check "memhp: $last's MEM_GOING_OFFLINE injected -16, then its MEM_CANCEL_OFFLINE" \
	g "grep -q 'MEM_GOING_OFFLINE .*injected=-16' $MEMHP/events && grep -q MEM_CANCEL_OFFLINE $MEMHP/events"
check "/proc/iomem still has the kmem range" [ -n "$(dax_kmem_range)" ]

# A racing onliner, as a udev rule: every kmem block that shows up offline
# is onlined (online_movable) at once, while the state goes back and forth.
g "rm -f /tmp/onliner.stop; (while [ ! -e /tmp/onliner.stop ]; do
	for b in $mine; do
		[ \"\$(cat $SYS/\$b/state 2>/dev/null)\" = offline ] &&
			echo online_movable > $SYS/\$b/state 2>/dev/null
	done
   done) >/dev/null 2>&1 & echo \$! >/tmp/onliner.pid"
bad=0 rounds=$((SLOW > 1 ? 3 : 10))
for i in $(seq "$rounds"); do
	for v in unplugged online_movable; do
		r=$(dax_sw $v) || true
		st=$(state)
		# shellcheck disable=SC2086
		if [ "$r" != OK ] || [ "$st" != "$v" ]; then
			bad=1 why="round $i: $v: $r, state $st"
		elif [ $v = unplugged ] && ! blocks_in gone $mine; then
			bad=1 why="round $i: unplugged, yet $(block_states $mine)"
		elif [ $v = online_movable ] && ! blocks_in online $mine; then
			bad=1 why="round $i: online_movable, yet $(block_states $mine)"
		fi
		[ $bad = 0 ] || break 2
	done
done
g "touch /tmp/onliner.stop; kill \$(cat /tmp/onliner.pid) 2>/dev/null; wait; true"
if [ $bad = 0 ]; then
	ok "$rounds rounds of unplugged/online_movable beside a racing onliner: each write OK, the device as it says"
else
	not_ok "unplugged/online_movable beside a racing onliner"
	diag "$why"
fi

# online and online_kernel, last: their ZONE_NORMAL memory may not come out.
for v in online_kernel online; do
	r=$(dax_sw unplugged) || true
	[ "$r" = OK ] || { not_ok "state unplugged before $v: $r"; break; }
	expect_eq "state $v (from unplugged)" OK "$(dax_sw $v)"
	check "state $v: every block online ($(zones))" device_is $v online
	r=$(dax_sw unplugged) || true
	# shellcheck disable=SC2086
	if [ "$r" = OK ] && blocks_in gone $mine; then
		ok "state unplugged from $v: removed"
	elif [ "$r" = EBUSY ] && [ "$(state)" = $v ] && blocks_in online $mine; then
		ok "state unplugged from $v: EBUSY (unmovable pages in ZONE_NORMAL), every block still online"
		diag "the device stays $v: the rest of this scenario cannot run"
		finish
	else
		not_ok "state unplugged from $v: $r, state $(state), $(block_states $mine)"
		finish
	fi
done

out=$(G_TIMEOUT=120 g "daxctl reconfigure-device -m devdax -f $dax 2>&1") && r=0 || r=$?
[ "$r" -eq 0 ] || diag "$out"
check "daxctl reconfigure-device -m devdax $dax" [ "$r" -eq 0 ]
baseline_expect "back in devdax mode:"
finish
