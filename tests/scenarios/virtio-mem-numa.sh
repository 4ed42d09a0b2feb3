#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# vm: --smp 2 --numa 2 --virtio-mem 1G@1
# cost: 3
# debug: yes (its INTx line is routed from $PIR: qemu/vm boots every VM
#   with acpi=noirq, docs/vm.md)
# needs: CONFIG_VIRTIO_MEM CONFIG_NUMA
#
# A virtio-mem device on memoryless node 1 brings the node its memory and
# takes it away again: node 1 gains memory (has_memory, its meminfo) when
# the device grows, memhp's MEM_ONLINE records for those blocks carry
# nid=1 where the kernel reports a node's first memory there, and after the
# shrink to 0 node 1 is memoryless again and nothing is left of the device.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

bs=$(block_size)
g "modprobe memhp; echo online_movable > $SYS/auto_online_blocks; echo clear > $MEMHP/events"
read -r _ _ _ _ < <(vm plug "$VM" | grep '^vmem0 ')
baseline_take
expect_eq "node 1 starts memoryless" 0 "$(has_memory)"
node1_kb() { g "awk '/MemTotal/ { print \$4 }' /sys/devices/system/node/node1/meminfo"; }

out=$(vm resize "$VM" vmem0 512M 2>&1) || true
expect_eq "resize vmem0 to 512 MiB" "vmem0 $((512 << 20)) $((512 << 20))" "$out"
# The device reports its size as sub-blocks are plugged; the driver adds
# and onlines the Linux memory blocks after that, from its workqueue.
nb=$(((512 << 20) / bs))
gwait 30 "... the guest settles: node 1 has $nb online blocks" \
	"[ \$(cat /sys/devices/system/node/node1/memory[0-9]*/state 2>/dev/null | grep -c '^online\$') = $nb ]" || true
expect_eq "node 1 has memory" 0-1 "$(has_memory)"
expect_eq "... 512 MiB of it" $((512 << 10)) "$(node1_kb)"
expect_eq "... in $nb blocks of node 1" $nb \
	"$(g "ls -d /sys/devices/system/node/node1/memory[0-9]* 2>/dev/null | wc -l")"
# 6.1-6.16 report the node's first memory in one MEM_GOING_ONLINE's nid,
# 6.17+ as NODE_ADDING_FIRST_MEMORY (memhp's compat header).
expect_eq "memhp: one record names node 1 gaining its first memory" 1 \
	"$(g "grep -cE 'MEM_GOING_ONLINE .* nid=1 |NODE_ADDING_FIRST_MEMORY .*nid=1 ' $MEMHP/events")"

out=$(vm resize "$VM" vmem0 0 2>&1) || true
expect_eq "resize vmem0 to 0" "vmem0 0 0" "$out"
gwait 30 "... the guest settles: node 1 has no memory block" \
	"! ls -d /sys/devices/system/node/node1/memory[0-9]* >/dev/null 2>&1" || true
expect_eq "node 1 is memoryless again" 0 "$(has_memory)"
expect_eq "memhp: one record names node 1 losing its last memory" 1 \
	"$(g "grep -cE 'MEM_OFFLINE .* nid=1 |NODE_REMOVED_LAST_MEMORY .*nid=1 ' $MEMHP/events")"
baseline_expect ""
finish
