#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# vm: --virtio-mem 2G
# cost: 27
# debug: no (the debug lane drives virtio-mem through virtio-mem-numa;
#   this one's resize, pin and migration rounds took 165 s there)
# needs: CONFIG_VIRTIO_MEM
#
# virtio-mem, the second real hotplug device: QEMU's virtio-mem-pci resized
# through its requested size (qemu/vm resize), the guest's virtio_mem driver
# adding memory with add_memory_driver_managed() ("System RAM
# (virtio_mem)"), onlining it by policy, unplugging sub-blocks of online
# memory with alloc_contig_range() ("fake offline": no notifier call) and
# removing emptied blocks with offline_and_remove_memory().
#  - grow 0 -> 1 GiB -> 2 GiB -> 0, with auto_online_blocks=online_movable
#    and with memory_hotplug.online_policy=auto-movable: at every step the
#    device's size, MemTotal, the blocks in its range (online, Movable),
#    /proc/iomem and memhp's records agree;
#  - memhp pin of 4 MiB refuses part of a shrink: the device stops at exactly
#    the pinned size, the data of a program in its memory is intact; after
#    unpin a nudge (the same requested size again) takes it to 0;
#  - injected -EBUSY on MEM_GOING_OFFLINE for one block: the device still
#    reaches 0 (its sub-blocks are fake-offlined without the notifier), but
#    Linux keeps that block added and online, empty, until the injection
#    is gone and a nudge lets the driver remove it (6.6+; 6.1's driver
#    never retries: the next grow reuses the block, the shrink after it
#    removes it);
#  - a shrink under a program's load: its data migrates byte for byte.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

bs=$(block_size)
g "modprobe memhp"
check "the virtio_mem driver is bound" g "ls /sys/bus/virtio/drivers/virtio_mem | grep -q '^virtio'"
read -r _ _ vaddr _ < <(vm plug "$VM" | grep '^vmem0 ')
diag "vmem0 at $vaddr, block size $((bs >> 20)) MiB"
baseline_take
# The blocks the device can ever use (2 GiB from its address).
all=$(blocks_of "$vaddr" $((2 << 30)) | xargs)

# vmem_iomem: bytes of "System RAM (virtio_mem)" in /proc/iomem.
vmem_iomem() {
	local a b sum=0
	while read -r a b; do
		sum=$((sum + 16#$b - 16#$a + 1))
	done < <(g "grep 'System RAM (virtio_mem)' /proc/iomem" | sed 's/^ *\([0-9a-f]*\)-\([0-9a-f]*\) .*/\1 \2/')
	echo $sum
}
# present_blocks: "memoryN:state:zone" of the device's blocks that exist.
present_blocks() {
	g "for b in $all; do [ -d $SYS/\$b ] && echo \$b:\$(cat $SYS/\$b/state):\$(cat $SYS/\$b/valid_zones); done; true" | xargs
}
# count ACTION: memhp records of that action for the device's blocks.
count() {
	g "cat $MEMHP/events" | python3 -c '
import sys
lo, hi, a = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
n = 0
for line in sys.stdin:
    f = line.split()
    if len(f) > 3 and f[2] == a and f[3].startswith("start_pfn="):
        n += lo <= int(f[3][10:], 16) < hi
print(n)' $((vaddr / 4096)) $(((vaddr + (2 << 30)) / 4096)) "$1"
}
# resize SIZE: qemu/vm resize must print "vmem0 SIZE SIZE".
resize() {
	local want=$(($1)) out
	out=$(vm resize "$VM" vmem0 "$want" 2>&1) || true
	expect_eq "resize vmem0 to $(($1 >> 20)) MiB: the device's size gets there" "vmem0 $want $want" "$out"
}
# agree SIZE: MemTotal, iomem, the blocks and the records match SIZE.
agree() {
	local sz=$(($1)) nb=$(($1 / bs)) want='' i
	# The device reports its new size as sub-blocks are (un)plugged; the
	# driver adds or removes the Linux memory blocks after that, from its
	# workqueue: wait until the guest shows it.
	gwait 30 "... the guest settles: $nb blocks of the device, MemTotal + $((sz >> 20)) MiB" \
		"n=0; for b in $all; do [ -d $SYS/\$b ] && n=\$((n + 1)); done
		 [ \$n = $nb ] && [ \$(awk '/^MemTotal:/ { print \$2 }' /proc/meminfo) = $((base_mem + sz / 1024)) ]" || true
	expect_eq "... MemTotal is the boot size + $((sz >> 20)) MiB" $((base_mem + sz / 1024)) "$(memtotal_kb)"
	expect_eq "... /proc/iomem: $((sz >> 20)) MiB of System RAM (virtio_mem)" $sz "$(vmem_iomem)"
	for ((i = vaddr / bs; i < vaddr / bs + nb; i++)); do want+="${want:+ }memory$i:online:Movable"; done
	expect_eq "... its $nb blocks, online and Movable, nothing else" "$want" "$(present_blocks)"
}

for policy in online_movable auto-movable; do
	if [ $policy = online_movable ]; then
		g "echo online_movable > $SYS/auto_online_blocks"
	else
		g "echo online > $SYS/auto_online_blocks
		   echo auto-movable > /sys/module/memory_hotplug/parameters/online_policy"
	fi
	g "echo clear > $MEMHP/events"
	diag "policy: $policy"
	for sz in $((1 << 30)) $((2 << 30)); do
		resize $sz
		agree $sz
	done
	[ $policy = auto-movable ] ||
		check "memhpctl status: the device's range, online, owner virtio-mem" \
			grep -qE "^0x0*${vaddr#0x}-0x0*$(printf '%x' $((vaddr + (2 << 30) - 1))) +2G +online .* virtio-mem\$" \
			<<<"$(g "memhpctl status")"
	expect_eq "... memhp recorded MEM_ONLINE once per block ($policy)" $(((2 << 30) / bs)) "$(count MEM_ONLINE)"
	check "... from the driver's workqueue (comm=kworker)" \
		bash -c "! $VMCMD exec $VM -n -- cat $MEMHP/events | grep ' MEM_ONLINE ' | grep -v 'comm=kworker'"
	resize $((1 << 30))
	agree $((1 << 30))
	resize 0
	agree 0
	expect_eq "... MEM_OFFLINE once per block removed ($policy)" $(((2 << 30) / bs)) "$(count MEM_OFFLINE)"
done
g "echo online_movable > $SYS/auto_online_blocks
   echo contig-zones > /sys/module/memory_hotplug/parameters/online_policy"

# A shrink refused in part by memhp's pinned pages; a program's data in the
# device's memory must be intact.
resize $((1 << 30))
end=$(printf '0x%x' $((vaddr + (1 << 30) - 1)))
ready=$(fill_start 64M "$vaddr-$end") || true
diag "$ready"
expect_eq "pin 4 MiB at the device's start" OK "$(mw pin "$vaddr 4M")"
out=$(vm resize "$VM" vmem0 0 2>&1) && rc=0 || rc=$?
diag "$out"
check "resize to 0 with 4 MiB pinned: exit 1" test "$rc" -eq 1
check "... naming the size it stopped at: exactly the pinned 4 MiB" \
	grep -q "requested 0, size stopped at $((4 << 20)) " <<<"$out"
expect_eq "... and Linux keeps the pinned memory's block" \
	"memory$((vaddr / bs)):online:Movable" "$(present_blocks)"
result=$(fill_check)
check "... the program's data is intact" grep -q '^RESULT ok' <<<"$result"
expect_eq "unpin" OK "$(mw unpin "$vaddr 4M")"
resize 0
agree 0

# Injected -EBUSY for one block's MEM_GOING_OFFLINE.
resize $((1 << 30))
b0=$((vaddr / bs))
r0="$(printf '0x%x' "$vaddr")-$(printf '0x%x' $((vaddr + bs - 1)))"
g "echo clear > $MEMHP/events; memhpctl inject MEM_GOING_OFFLINE -16 --range $r0 >/dev/null"
resize 0
expect_eq "... its memory is gone: MemTotal is the boot size" "$base_mem" "$(memtotal_kb)"
expect_eq "... but Linux keeps the refused block added and online" \
	"memory$b0:online:Movable" "$(present_blocks)"
check "... memhp recorded the refusal (injected=-16) and MEM_CANCEL_OFFLINE" \
	g "grep -q 'MEM_GOING_OFFLINE start_pfn=$(printf '0x%x' $((vaddr / 4096))) .* injected=-16' $MEMHP/events &&
	   grep -q 'MEM_CANCEL_OFFLINE start_pfn=$(printf '0x%x' $((vaddr / 4096))) ' $MEMHP/events"
g "memhpctl inject MEM_GOING_OFFLINE 0 >/dev/null"
# The driver retries removing emptied blocks (on a nudge, or its 50 s
# backoff timer) since 6.6, "virtio-mem: keep retrying on
# offline_and_remove_memory() errors in Sub Block Mode (SBM)" (also in
# 6.4.y/6.5.y stable). Before, such a block stays until a grow reuses it.
kver=$(g "uname -r")
IFS=. read -r kmaj kmin _ <<<"$kver"
if [ $((kmaj * 1000 + kmin)) -ge 6006 ]; then
	resize 0
	gwait 60 "after the injection is gone, a nudge lets the driver remove memory$b0" \
		"! [ -d $SYS/memory$b0 ]"
	agree 0
else
	diag "$kver: no retry of the emptied block's removal; the next grow reuses it"
	resize $((1 << 30))
	agree $((1 << 30))
	resize 0
	agree 0
fi

# A shrink under load: the program's data migrates out of the device.
resize $((1 << 30))
ready=$(fill_start "$(fill_mib 256)M" "$vaddr-$end") || true
diag "$ready"
resize 0
result=$(fill_check)
diag "$result"
check "shrink under load: the program's data is intact" grep -q '^RESULT ok' <<<"$result"
check "... and none of it is left in the device" grep -q ' 0 MiB in range' <<<"$result"
agree 0
baseline_expect ""
finish
