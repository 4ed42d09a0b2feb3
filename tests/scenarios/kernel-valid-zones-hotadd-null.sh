#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# desc: known issue valid-zones-hotadd-null: valid_zones read during hot-add oopses
# vm: --smp 2 --append acpi_no_memhotplug
# cost: 2
# debug: yes
# last: yes (an oops leaves the guest unusable)
#
# Reproducer of known kernel issue valid-zones-hotadd-null (docs/kernel-issues.md):
# reading a memory block's valid_zones while the hot-add that created it is
# still running. add_memory_resource() creates all the range's block devices
# (create_memory_block_devices(): sysfs files and an "add" uevent each, with
# mem->nid = NUMA_NO_NODE, drivers/base/memory.c add_memory_block()) and only
# then links them to their node (register_memory_blocks_under_node(), which
# sets mem->nid; mm/memory_hotplug.c:1401 in 6.1, 1574 in 6.12).
# valid_zones_show() of an offline block passes mem->nid to
# zone_for_pfn_range(), which takes NODE_DATA(-1): on 6.1 a NULL pgdat, an
# oops in zone_for_pfn_range(). That is what a udev rule reading the block
# on its add uevent would hit; stress's read worker hit it by chance.
#
# Here memhp adds a range of 16 blocks while memhp-bench spins on the first
# block's valid_zones and reads it the moment it exists: inside the window,
# before the 15 others are created and the range is linked to its node. The
# runner counts the oops as the known issue valid-zones-hotadd-null
# (scripts/lib/splat.sh): an expected failure (XFAIL). The killed reader still
# holds its block's sysfs file, so removing that block would wait forever:
# after the oops nothing is cleaned up. The scenario runs last in its VM
# ("# last: yes"); the runner stops that VM after it. A kernel without the
# bug must give a zone list, and the range is then removed as usual.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

g "modprobe memhp; echo offline > $SYS/auto_online_blocks"
baseline_take
bs=$(block_size)
nb=16
read -r id addr size < <(vm plug "$VM" $((nb * bs >> 20))M)
first=memory$((addr / bs))
# The reader spins on CPU 1, the add runs on CPU 0. A read that still came
# after the node link missed the window: remove and try again, up to 20 times.
cpus=$(g "nproc")
pin_r='' pin_w=''
[ "$cpus" -lt 2 ] || pin_r="taskset 2" pin_w="taskset 1"
for try in $(seq 1 20); do
	g "rm -f /tmp/vz.log; $pin_r memhp-bench first-read $first valid_zones $((60 * SLOW)) >/tmp/vz.log 2>&1 &
	   echo \$! >/tmp/vz.pid"
	gwait_quiet 30 "the reader spins" "grep -q '^ready' /tmp/vz.log" || finish
	r=$(G_TIMEOUT=$(ops_timeout 1) g "$pin_w memhp-write --timeout $((OP_TIMEOUT * SLOW)) $MEMHP/add '$addr $size'") || true
	[ "$r" = OK ] || break
	gwait 60 "the reader is done" "! kill -0 \$(cat /tmp/vz.pid) 2>/dev/null" >/dev/null || true
	got=$(g "grep '^first-read' /tmp/vz.log" || true)
	diag "try $try: $first's valid_zones, read the moment it existed: ${got:-nothing (the reader died)}"
	grep -q ' node=1$' <<<"$got" || break
	[ "$try" -eq 20 ] || [ "$(mw remove "$addr $size")" = OK ] || break
done
expect_eq "memhp add of $nb blocks at $addr ($try tries)" OK "$r"

# The fault is in zone_for_pfn_range() or, where it is not inlined (the
# debug kernel), default_kernel_zone_for_pfn(); valid_zones_show() is in
# the trace either way.
if g "dmesg | grep -qE 'RIP: [0-9a-f]+:(zone_for_pfn_range|default_kernel_zone_for_pfn)'" &&
	g "dmesg | grep -q valid_zones_show"; then
	ok "reproduced: reading valid_zones during the hot-add oopses in zone_for_pfn_range"
	finish
fi
if [ -z "$got" ]; then
	# Whatever killed the reader may hold its sysfs file: no cleanup.
	not_ok "the reader died without the known oops; kernel log:"
	g "dmesg | tail -n 40" | sed 's/^/#   /'
	finish
fi
# On a fixed kernel the read gives a zone list, as after the add.
grep -q ' node=0$' <<<"$got" ||
	diag "the read came after the node link: the window was missed, so this run proves little"
check "the read gave a zone list" \
	grep -qE "^first-read $first (DMA|DMA32|Normal|Movable|Device)( (DMA|DMA32|Normal|Movable|Device))* node=" <<<"$got"
expect_eq "memhp remove" OK "$(mw remove "$addr $size")"
check "unplug $id" vm unplug "$VM" "$id" --timeout 60
baseline_expect ""
finish
