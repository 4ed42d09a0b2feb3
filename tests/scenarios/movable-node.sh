#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# vm: --smp 2 --numa 2 --cold-dimm 1G@1 --append movable_node
# cost: 2
# needs: CONFIG_NUMA CONFIG_ACPI_NUMA
#
# A DIMM cold-plugged on node 1 with movable_node: SRAT marks its range
# hotpluggable, its blocks land in ZONE_MOVABLE (the kernel's own zone
# choice under movable_node), and at run time they can be offlined and the
# DIMM unplugged, leaving node 1 memoryless.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

g "modprobe memhp"
dimm=$(vm qmp "$VM" query-memory-devices | python3 -c '
import json, sys
d = json.load(sys.stdin)[0]["data"]
print(d["id"], d["addr"], d["size"], d["node"], d["hotplugged"], d["hotpluggable"])')
read -r id addr size node hotplugged hotpluggable <<<"$dimm"
expect_eq "QEMU: cold0 on node 1, present at boot, hotpluggable" \
	"cold0 1 False True" "$id $node $hotplugged $hotpluggable"
end=$((addr + size - 1))
srat=$(g "dmesg | grep -o 'SRAT: Node 1 PXM 1 \[mem 0x[0-9a-f]*-0x[0-9a-f]*\] hotplug'" || true)
diag "${srat:-no hotpluggable SRAT range on node 1}"
covered=0
while read -r s e; do
	[ -n "$s" ] && [ $((s)) -le "$addr" ] && [ $((e)) -ge "$end" ] && covered=1
done < <(sed -n 's/.*\[mem \(0x[0-9a-f]*\)-\(0x[0-9a-f]*\)\].*/\1 \2/p' <<<"$srat")
check "SRAT marks node 1's range holding the DIMM hotpluggable" [ $covered -eq 1 ]

mine=$(blocks_of "$addr" "$size" | xargs)
gwait 60 "the DIMM's 8 blocks exist" \
	"for b in $mine; do [ -e $SYS/\$b/state ] || { echo \"\$b missing\"; exit 1; }; done"
offline=$(g "for b in $mine; do grep -l offline $SYS/\$b/state; done; true" | xargs)
if [ -n "$offline" ]; then
	diag "the kernel left them offline (auto_online_blocks=$(g "cat $SYS/auto_online_blocks"));" \
		"online them with plain 'online', the kernel choosing the zone"
	# shellcheck disable=SC2086 # $mine: the DIMM's block names, a word each
	check "online with the kernel's zone choice" set_blocks online $mine
fi
zones=$(of_mine valid_zones | sort -u)
expect_eq "the blocks are in ZONE_MOVABLE" Movable "$zones"
expect_eq "node 1 has memory" 0-1 "$(has_memory)"
expect_eq "Movable zone of node 1 holds the whole DIMM" $((size / 4096)) "$(zone_present 1 Movable)"

# shellcheck disable=SC2046 # the DIMM's block names, highest first, a word each
check "offline every block, highest first" set_blocks offline $(tr ' ' '\n' <<<"$mine" | tac | xargs)
expect_eq "node 1 is memoryless" 0 "$(has_memory)"
check "unplug cold0 at run time" vm unplug "$VM" cold0
expect_eq "query-memory-devices is empty" 0 "$(dimm_count)"
gwait 30 "its blocks are gone" \
	"for b in $mine; do [ ! -e $SYS/\$b ] || { echo \"\$b still there\"; exit 1; }; done"
finish
