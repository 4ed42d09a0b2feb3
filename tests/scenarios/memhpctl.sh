#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# vm:
# cost: 4
# debug: yes
#
# memhpctl in the guest on a real DIMM: status (text and JSON) names the
# DIMM's range, state and owner; online/offline go through sysfs lowest
# first / highest first and exit 0, 1 or 64 (partial) like chmem, naming
# the block and errno on failure; inject/events/stats wrap memhp's files.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

g "modprobe memhp; echo offline > $SYS/auto_online_blocks; echo clear > $MEMHP/events"
bs=$(block_size)
plug_wait 1G offline
end=$(printf '0x%x' $((addr + size - 1)))
range="$addr-$end"
first=$((addr / bs)) last=$(((addr + size) / bs - 1))

st=$(g "memhpctl status")
diag "$(grep -E 'RANGE|acpi' <<<"$st")"
check "status: the DIMM's range is offline, owned by acpi-dimm" \
	grep -qE "^0x0*$(printf '%x' "$addr")-0x0*${end#0x} +1G +offline +yes +$first-$last +0 .* acpi-dimm$" <<<"$st"
json=$(g "memhpctl status -J")
got=$(python3 -c '
import json, sys
j = json.loads(sys.argv[1])
r = [m for m in j["memory"] if m["owner"] == "acpi-dimm"]
print(len(r), r[0]["state"], r[0]["size"], j["block_size"], j["auto_online_blocks"])' "$json")
expect_eq "status -J: one acpi-dimm range, offline, 1 GiB; block size; policy" \
	"1 offline $size $bs offline" "$got"

# run CMD...: guest command's output and exit status as "rc=N output".
run() { local rc=0 out; out=$(g "$*" 2>&1) || rc=$?; echo "rc=$rc $out"; }

expect_eq "online --movable the range: exit 0" "rc=0 " "$(run memhpctl online "$range" --movable)"
states=$(of_mine state | sort -u)
expect_eq "all blocks online" online "$states"
zones=$(of_mine valid_zones | sort -u)
expect_eq "all blocks Movable" Movable "$zones"

upper=$(printf '0x%x-%s' $((addr + size / 2)) "$end")
g "memhpctl inject MEM_GOING_OFFLINE -16 --range $upper"
out=$(run memhpctl offline "$range")
diag "$(head -n 2 <<<"$out")"
check "offline with the upper half refused: exit 64 (partial)" grep -q '^rc=64 ' <<<"$out"
check "... naming the block and errno" grep -q "memory$last: offline failed: .*(EBUSY)" <<<"$out"
states=$(of_mine state | uniq -c | xargs)
expect_eq "lower half offline, upper half online" "4 offline 4 online" "$states"

g "memhpctl inject MEM_GOING_OFFLINE -16"
expect_eq "online again: exit 0" "rc=0 " "$(run memhpctl online "$first-$last" --movable)"
check "offline with everything refused: exit 1" grep -q '^rc=1 ' <<<"$(run memhpctl offline "$range")"
g "memhpctl inject MEM_GOING_OFFLINE 0"
expect_eq "offline without injection: exit 0" "rc=0 " "$(run memhpctl offline "$range")"

g "memhpctl inject MEM_GOING_ONLINE -12 --count 1"
out=$(run memhpctl online "$first" --movable)
check "online refused once: exit 1 naming ENOMEM" grep -q "^rc=1 .*memory$first: online_movable failed: .*(ENOMEM)" <<<"$out"
expect_eq "online the same block again: exit 0" "rc=0 " "$(run memhpctl online "$first" --movable)"
expect_eq "offline it: exit 0" "rc=0 " "$(run memhpctl offline $first)"

# pin/unpin/pinned: real unmovable pages in the block make offline fail.
pin="$addr 16M"
expect_eq "online block $first again: exit 0" "rc=0 " "$(run memhpctl online "$first" --movable)"
expect_eq "pin 16 MiB of it: exit 0" "rc=0 " "$(run memhpctl pin "$pin")"
expect_eq "pinned lists it" "$(printf '0x%x-0x%x pages=4096' "$addr" $((addr + 16 * 1024 * 1024 - 1)))" \
	"$(g "memhpctl pinned")"
check "offline of the pinned block: exit 1 naming EBUSY" \
	grep -q "^rc=1 .*memory$first: offline failed: .*(EBUSY)" <<<"$(run memhpctl offline $first)"
expect_eq "unpin: exit 0, pinned empty" "rc=0 " "$(run "memhpctl unpin $pin && memhpctl pinned")"
expect_eq "offline after unpin: exit 0" "rc=0 " "$(run memhpctl offline $first)"
check "unpin of what is not pinned: non-zero exit naming ENOENT" \
	grep -q "^rc=1 .*(ENOENT)" <<<"$(run memhpctl unpin "$pin")"
expect_eq "ranges: nothing added by memhp here" "rc=0 " "$(run memhpctl ranges)"
check "stats with an argument: usage, exit 2" grep -q '^rc=2 usage: memhpctl stats' <<<"$(run memhpctl stats x)"

check "events shows the injected failures" \
	bash -c "$VMCMD exec $VM -n -- memhpctl events | grep -q 'injected=-12'"
check "stats counts a CANCEL_ONLINE" \
	bash -c "$VMCMD exec $VM -n -- memhpctl stats | grep -qx 'MEM_CANCEL_ONLINE 1'"
# events --follow: a record shows without reopening, after a clear too.
g "memhpctl events --follow >/tmp/follow.out 2>&1 & echo \$! >/tmp/follow.pid"
g "memhpctl online $first --movable >/dev/null"
gwait 30 "events --follow: the online of memory$first shows" \
	"grep -q 'MEM_ONLINE start_pfn=$(printf '0x%x' $((addr / 4096))) ' /tmp/follow.out"
g "echo clear > $MEMHP/events; memhpctl offline $first >/dev/null"
gwait 30 "events --follow: and the offline after a clear" \
	"grep -q 'MEM_OFFLINE start_pfn=$(printf '0x%x' $((addr / 4096))) ' /tmp/follow.out"
check "events --follow: still running" g "kill \$(cat /tmp/follow.pid)"
check "bad target: non-zero exit" bash -c "! $VMCMD exec $VM -n -- memhpctl online garbage 2>/dev/null"
check "every command has --help" g "for c in status online offline events stats inject add remove \\
	offline-remove ranges pin unpin pinned trace; do
	memhpctl \$c --help >/dev/null || exit 1; done"
check "unplug $id" vm unplug "$VM" "$id"
finish
