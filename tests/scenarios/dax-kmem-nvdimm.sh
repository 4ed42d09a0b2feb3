#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# desc: dax/kmem on an NVDIMM of node 1 (ACPI NFIT): System RAM on that node, data migrated off on offline, an NVDIMM hot-plugged
# vm: --smp 2 --numa 2 --nvdimm 1G@1
# cost: 3
# debug: no (dax-kmem-state takes the same NVDIMM to System RAM and back
#   in the debug lane; this one's fill and migration took 124 s there)
# needs: CONFIG_ACPI_NFIT CONFIG_BLK_DEV_PMEM CONFIG_NVDIMM_DAX CONFIG_DEV_DAX_PMEM CONFIG_DEV_DAX_KMEM CONFIG_NUMA
#
# The kmem path as a CXL or pmem user meets it: the device's memory becomes
# a NUMA node of its own (the tiering demotion target). qemu/vm's NVDIMM
# nv0 sits in proximity domain 1 of the NFIT, node 1 has a CPU and no
# memory. ndctl makes the label-less namespace devdax, daxctl gives it to
# kmem and onlines it. Checked: the region's and dax device's target node
# is 1, the kmem blocks belong to node 1 and land in ZONE_MOVABLE, node 1
# gains memory (memhp records NODE_ADDING/ADDED_FIRST_MEMORY on kernels
# with the node notifier, 6.17+) and loses it on offline; a program's data
# bound to node 1 (memhp-fill --node 1, every page in the kmem range) is
# migrated off intact by daxctl offline-memory; back in devdax mode blocks,
# iomem, MemTotal and node memory are as before. Last, a second NVDIMM
# hot-plugged on node 1 (qemu/vm plug --nvdimm) reaches the guest through
# the NFIT notification as a new region and namespace.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

dax_nvdimm_devdax
expect_eq "region0 (NVDIMM nv0) is on node 1" 1 "$(g "cat /sys/bus/nd/devices/region0/numa_node")"
baseline_take
check "node 1 has no memory at boot" g "! grep -q 1 /sys/devices/system/node/has_memory"
expect_eq "$dax's target node is 1" 1 "$(g "cat /sys/bus/dax/devices/$dax/target_node")"
dax_system_ram
nodes=$(g "cd $SYS && for b in $mine; do ls -d \$b/node* | sed 's|.*/node||'; done" | sort -u | xargs)
expect_eq "the kmem blocks belong to node 1" 1 "$nodes"

node_notifier=0
g "grep -q '^NODE_ADDED_FIRST_MEMORY ' $MEMHP/stats" || node_notifier=$?
g "echo clear > $MEMHP/events"
dax_online
check "the blocks are in ZONE_MOVABLE" g "for b in $mine; do [ \"\$(cat $SYS/\$b/valid_zones)\" = Movable ] || exit 1; done"
check "node 1 has memory" g "grep -q 1 /sys/devices/system/node/has_memory"
n=$(g "grep -c ' MEM_ONLINE .*comm=daxctl' $MEMHP/events || true")
expect_eq "memhp recorded MEM_ONLINE from daxctl for each block" "$nb" "$n"
if [ "$node_notifier" = 0 ]; then
	expect_eq "memhp recorded node 1's NODE_ADDING_FIRST_MEMORY and NODE_ADDED_FIRST_MEMORY once each" "1 1" \
		"$(g "grep -c ' NODE_ADDING_FIRST_MEMORY .* nid=1 ' $MEMHP/events; grep -c ' NODE_ADDED_FIRST_MEMORY .* nid=1 ' $MEMHP/events" | xargs)"
else
	diag "no node notifier (before 6.17): node 1's change rides on its first MEM_ONLINE"
fi
check "memhpctl status names the owner kmem" g "memhpctl status | grep -qw kmem"

# Data in the kmem memory: bound to node 1, all of it in the range, then
# the offline migrates it to node 0 and not a word changes.
fill=$(($(fill_mib $(((nb > 2 ? 2 : 1) * $(block_size) >> 20))) << 20))
ready=$(g "rm -f /tmp/fill.log; memhp-fill $fill --node 1 --range 0x$start-0x$end >/tmp/fill.log 2>&1 &
	echo \$! >/tmp/fill.pid" && gpoll 120 "grep -q '^ready' /tmp/fill.log" "memhp-fill ready" >/dev/null &&
	g "cat /tmp/fill.log")
expect_eq "memhp-fill holds $((fill >> 20)) MiB on node 1, all of it in the kmem range" \
	"ready: $((fill >> 20)) MiB filled, $((fill >> 20)) MiB in range" "$ready"
g "echo clear > $MEMHP/events"
out=$(G_TIMEOUT=$(ops_timeout "$nb") g "daxctl offline-memory $dax 2>&1") && r=0 || r=$?
[ "$r" -eq 0 ] || diag "$out"
check "daxctl offline-memory $dax with the data in it" [ "$r" -eq 0 ]
result=$(fill_check)
expect_eq "the data survived the migration, none of it left in the range" \
	"RESULT ok $((fill >> 20)) MiB intact, 0 MiB in range" "$result"
check "node 1 has no memory again" g "! grep -q 1 /sys/devices/system/node/has_memory"
n=$(g "grep -c ' MEM_OFFLINE .*comm=daxctl' $MEMHP/events || true")
expect_eq "memhp recorded MEM_OFFLINE from daxctl for each block" "$nb" "$n"

r=0
out=$(G_TIMEOUT=120 g "daxctl reconfigure-device -m devdax -f $dax 2>&1") || r=$?
[ "$r" -eq 0 ] || diag "$out"
check "daxctl reconfigure-device -m devdax $dax" [ "$r" -eq 0 ]
baseline_expect "back in devdax mode:"

# An NVDIMM hot-plugged: QEMU notifies the NFIT root device, nfit re-reads
# _FIT and registers a region with its namespace (no System RAM changes).
read -r id addr size < <(vm plug "$VM" --nvdimm 512M@1) || true
if [ -z "${id:-}" ]; then
	not_ok "qemu/vm plug --nvdimm 512M@1"
else
	ok "qemu/vm plug --nvdimm 512M@1: $id at $addr"
	gwait 60 "the guest registers region1 with namespace1.0 for $id" \
		"[ -e /sys/bus/nd/devices/namespace1.0 ] && [ \$(cat /sys/bus/nd/devices/region1/size) = $size ]"
	expect_eq "region1 is on node 1" 1 "$(g "cat /sys/bus/nd/devices/region1/numa_node")"
	baseline_expect "after the NVDIMM hot-plug:"
fi
finish
