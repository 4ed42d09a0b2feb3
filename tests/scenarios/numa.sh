#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# desc: a DIMM gives memoryless node 1 memory and takes it away; memhp's records carry the node change
# vm: --smp 2 --numa 2
# cost: 4
# needs: CONFIG_NUMA CONFIG_ACPI_NUMA
#
# NUMA: node 1 has a CPU but no memory. A DIMM plugged on node 1 brings it
# its first memory once a block is online (has_memory), and memhp's records
# carry the node status change exactly where the kernel reports it: the
# first block onlined and the last block offlined. Offline and unplug: node
# 1 is memoryless again. Up to 6.16 the kernel reports it in the MEM_*
# records' status_change_nid; from 6.17 in its node notifier, which memhp
# records as NODE_* records just before that block's MEM_* record (the
# kernel's stats file lists NODE_* actions only where they exist).
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

g "modprobe memhp; echo offline > $SYS/auto_online_blocks"
expect_eq "node 1 is memoryless at boot" 0 "$(has_memory)"
check "node 1 has a CPU" g "grep -q 1 /sys/devices/system/node/has_cpu"
baseline_take

plug_wait 1G offline --node 1
# shellcheck disable=SC2154 # set by plug_wait (lib.sh)
: "${id:?}" "${addr:?}" "${mine:?}"
nodes=$(g "cd $SYS && for b in $mine; do ls -d \$b/node* | sed 's|.*/node||'; done" | sort -u)
expect_eq "the DIMM's blocks belong to node 1" 1 "$nodes"
expect_eq "offline memory does not give node 1 memory" 0 "$(has_memory)"

g "echo clear > $MEMHP/events"
# shellcheck disable=SC2086 # $mine: the DIMM's block names, a word each
check "online the blocks movable, lowest first" set_blocks online_movable $mine
expect_eq "node 1 has memory" 0-1 "$(has_memory)"
first=$(awk '{print $1}' <<<"$mine")
first_pfn=$(printf '0x%x' $((addr / 4096)))
node_notifier=0
g "grep -q '^NODE_ADDED_FIRST_MEMORY ' $MEMHP/stats" || node_notifier=$?
# node_records: each record naming node 1, with the action and pfn of the
# record after it ("-" if none).
node_records() {
	g "cat $MEMHP/events" | awk '{ if (held) { print held, $3, $4; held = "" } }
		/ nid=1 / { held = $3 " " $4 " " $6 } END { if (held) print held, "-" }'
}
# node_records_ok WHAT GOING WENT MEM: node 1 gains (loses) its memory with
# the first (last) block's MEM_GOING_<MEM> and MEM_<MEM>, block $first. Where
# the kernel has the node notifier (6.17+), NODE_<GOING> and NODE_<WENT> come
# just before those two; before it, the two MEM_* records carry nid=1.
node_records_ok() {
	local what=$1 going=$2 went=$3 mem=$4
	if [ "$node_notifier" = 0 ]; then
		expect_eq "$what: NODE_$going/$went before block $first's MEM_GOING_$mem/MEM_$mem" \
			"NODE_$going start_pfn=0x0 nid=1 MEM_GOING_$mem start_pfn=$first_pfn
NODE_$went start_pfn=0x0 nid=1 MEM_$mem start_pfn=$first_pfn" "$(node_records)"
	else
		expect_eq "$what: one MEM_$mem carries nid=1, block $first's" \
			"MEM_$mem start_pfn=$first_pfn nid=1" \
			"$(g "grep 'MEM_$mem .* nid=1 ' $MEMHP/events" | awk '{print $3, $4, $6}')"
		expect_eq "$what: its MEM_GOING_$mem carries nid=1 too" 1 \
			"$(g "grep -c 'MEM_GOING_$mem .* nid=1 ' $MEMHP/events")"
	fi
}
node_records_ok "node 1's first memory" ADDING_FIRST_MEMORY ADDED_FIRST_MEMORY ONLINE

g "echo clear > $MEMHP/events"
# shellcheck disable=SC2046 # one argument per block
check "offline the blocks, highest first" set_blocks offline $(tr ' ' '\n' <<<"$mine" | tac | xargs)
expect_eq "node 1 is memoryless again" 0 "$(has_memory)"
node_records_ok "node 1's last memory" REMOVING_LAST_MEMORY REMOVED_LAST_MEMORY OFFLINE

check "unplug $id" vm unplug "$VM" "$id"
baseline_expect ""
expect_eq "node 1 still memoryless" 0 "$(has_memory)"
finish
