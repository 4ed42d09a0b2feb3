#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# desc: dax/kmem: a pmem range becomes devdax, then System RAM (kmem), and back
# vm: --mem 2G --append memmap=512M!1G
# cost: 3
# debug: yes
# needs: CONFIG_X86_PMEM_LEGACY CONFIG_BLK_DEV_PMEM CONFIG_NVDIMM_DAX CONFIG_DEV_DAX_PMEM CONFIG_DEV_DAX_KMEM
#
# The third hotplug path: dax/kmem adds a device-dax range as System RAM
# with add_memory_driver_managed("System RAM (kmem)"). memmap=512M!1G makes
# an e820 persistent-memory range (nd_e820); ndctl turns its namespace into
# devdax, daxctl hands the dax device to kmem (reconfigure-device -N: added,
# not onlined) and onlines and offlines its blocks, the way a CXL or pmem
# user does. Checked on the way: memhp records each block's notifier calls
# (comm=daxctl), /proc/iomem names the range "System RAM (kmem)", memhpctl
# names the owner kmem, the blocks land in ZONE_MOVABLE (daxctl's default);
# an error injected on MEM_GOING_ONLINE fails one block's onlining and
# leaves no block between states; a pinned page makes the offline fail
# with the device still online, and after unpin it succeeds; and the
# device back in devdax mode leaves blocks, iomem and MemTotal as before.
# On 7.3 the upstream selftest dax-kmem-hotplug.sh runs on the device too.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

dax_pmem_devdax namespace0.0 "from memmap=512M!1G: nd_e820 did not load or found no range"
baseline_take
dax_system_ram
check "the kmem blocks were added offline" g "for b in $mine; do [ \$(cat $SYS/\$b/state) = offline ] || exit 1; done"
owners=$(g "memhpctl status" | grep -cw kmem || true)
check "memhpctl status names the owner kmem" [ "$owners" -gt 0 ]

# One block's onlining fails on an injected ENOMEM: daxctl reports it, and
# every block is online or offline, none in between.
g "echo clear > $MEMHP/events; cd $MEMHP/inject/MEM_GOING_ONLINE &&
   echo all > range && echo -12 > error && echo 1 > count"
G_TIMEOUT=120 g "daxctl online-memory $dax" >/dev/null 2>&1 && r=0 || r=$?
g "echo 0 > $MEMHP/inject/MEM_GOING_ONLINE/error"
check "daxctl online-memory fails when one block's MEM_GOING_ONLINE gets -ENOMEM" [ "$r" -ne 0 ]
states=$(g "for b in $mine; do cat $SYS/\$b/state; done" | sort | uniq -c | xargs)
check "every block is online or offline after the failure ($states)" \
	g "for b in $mine; do case \$(cat $SYS/\$b/state) in online|offline) ;; *) exit 1 ;; esac; done"
check "memhp recorded the injected failure and its MEM_CANCEL_ONLINE" \
	g "grep -q 'injected=-12' $MEMHP/events && grep -q MEM_CANCEL_ONLINE $MEMHP/events"

out=$(G_TIMEOUT=300 g "daxctl online-memory $dax 2>&1") && r=0 || r=$?
check "daxctl online-memory $dax then onlines the rest" [ "$r" -eq 0 ]
check "all $nb blocks online" g "for b in $mine; do [ \$(cat $SYS/\$b/state) = online ] || exit 1; done"
check "the blocks are in ZONE_MOVABLE" g "for b in $mine; do [ \"\$(cat $SYS/\$b/valid_zones)\" = Movable ] || exit 1; done"
n=$(g "grep -c ' MEM_ONLINE .*comm=daxctl' $MEMHP/events || true")
check "memhp recorded MEM_ONLINE from daxctl for each block ($n of $nb)" [ "$n" -ge "$nb" ]
# shellcheck disable=SC2154 # base_mem: set by baseline_take (lib.sh)
check "MemTotal grew by the kmem range" [ "$(memtotal_kb)" -gt "$base_mem" ]

# A pinned page in the first block: the offline fails, the device stays
# online; after unpin it succeeds.
pstart=$((0x$start))
expect_eq "memhp pin of 2 MiB in the kmem range" OK "$(mw pin "$pstart 0x200000")"
G_TIMEOUT=$(ops_timeout "$nb") g "daxctl offline-memory $dax" >/dev/null 2>&1 && r=0 || r=$?
check "daxctl offline-memory fails while a page is pinned" [ "$r" -ne 0 ]
check "the pinned block is still online" g "[ \$(cat $SYS/${mine%% *}/state) = online ]"
expect_eq "memhp unpin" OK "$(mw unpin "$pstart 0x200000")"
# Under memhpctl trace where the kernel has memhp's trace events: one
# timeline row per block, each owned by kmem.
if g "[ -d /sys/kernel/tracing/events/memhp ] || [ -d /sys/kernel/debug/tracing/events/memhp ] ||
      { mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null; [ -d /sys/kernel/tracing/events/memhp ]; }"; then
	# (the refused offline above took the blocks it reached before the pinned one)
	left=$(g "n=0; for b in $mine; do [ \$(cat $SYS/\$b/state) = online ] && n=\$((n + 1)); done; echo \$n")
	out=$(G_TIMEOUT=$(ops_timeout "$nb") g "memhpctl trace -- daxctl offline-memory $dax 2>&1") && r=0 || r=$?
	n=$(grep -cE '^memory[0-9]+ +offline .* ok +kmem$' <<<"$out" || true)
	expect_eq "memhpctl trace's timeline: a row for each of the $left blocks still online, offline, ok, owner kmem" "$left" "$n"
	[ "$n" = "$left" ] || diag "$out"
else
	diag "no memhp trace events on this kernel: daxctl offline-memory without memhpctl trace"
	out=$(G_TIMEOUT=$(ops_timeout "$nb") g "daxctl offline-memory $dax 2>&1") && r=0 || r=$?
fi
check "daxctl offline-memory $dax after unpin" [ "$r" -eq 0 ]
n=$(g "grep -c ' MEM_OFFLINE .*comm=daxctl' $MEMHP/events || true")
check "memhp recorded MEM_OFFLINE from daxctl for each block ($n of $nb)" [ "$n" -ge "$nb" ]

# The kernel's own selftest of 7.3's daxX.Y/state (taken from the source
# tarball into the image by qemu/mkimage) on this kmem-bound device; its
# KTAP results count here under their own names.
up=/opt/memhp/upstream/dax/dax-kmem-hotplug.sh
if g "[ -x $up ] && [ -e /sys/bus/dax/devices/$dax/state ]"; then
	out=$(G_TIMEOUT=600 g "DAX_KMEM_TEST_DEV=$dax $up 2>&1") || true
	n=0
	while read -r line; do
		case "$line" in
		"ok "*" # SKIP"*) diag "dax-kmem-hotplug.sh: $line" ;;
		"ok "*) l=${line#ok } n=$((n + 1)); ok "dax-kmem-hotplug.sh: ${l#* }" ;;
		"not ok "*) l=${line#not ok } n=$((n + 1)); not_ok "dax-kmem-hotplug.sh: ${l#* }" ;;
		"# "*) ;;
		esac
	done <<<"$out"
	if [ "$n" -eq 0 ]; then
		not_ok "dax-kmem-hotplug.sh gave no KTAP result"
		while IFS= read -r l; do diag "  $l"; done <<<"$out"
	fi
else
	diag "no daxX.Y/state (before 7.3) or no upstream dax-kmem-hotplug.sh in the image: the upstream selftest does not run"
fi

r=0
out=$(G_TIMEOUT=120 g "daxctl reconfigure-device -m devdax -f $dax 2>&1") || r=$?
[ "$r" -eq 0 ] || diag "$out"
check "daxctl reconfigure-device -m devdax $dax" [ "$r" -eq 0 ]
baseline_expect "back in devdax mode:"
finish
