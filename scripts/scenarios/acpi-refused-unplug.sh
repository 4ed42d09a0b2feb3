#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# vm:
#
# Refused unplug, and unplug under load. A movable DIMM holds a guest
# program's data. memhp injects -EBUSY into MEM_GOING_OFFLINE for the DIMM's
# range: on eject the guest kernel fails to offline the blocks, puts them
# back online and answers _OST 0x82 (busy); QEMU keeps the DIMM. Without the
# injection the same unplug succeeds: the kernel migrates the data away and
# the program finds every byte intact.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

SYS=/sys/devices/system/memory
g "modprobe memhp; echo online_movable > $SYS/auto_online_blocks"
base_blocks=$(blocks)
base_mem=$(memtotal_kb)

plug_wait 1G online
zones=$(g "for b in $mine; do cat $SYS/\$b/valid_zones; done" | sort -u)
expect_eq "the DIMM is in ZONE_MOVABLE" Movable "$zones"
end=$(printf '0x%x' $((addr + size - 1)))
ready=$(fill_start 256M "$addr-$end") || true
diag "$ready"
in=$(sed -n 's/.* \([0-9-]*\) MiB in range/\1/p' <<<"$ready")
check "at least 128 MiB of the program's memory is in the DIMM" [ "${in:-0}" -ge 128 ]

g "echo clear > $MEMHP/events"
expect_eq "inject -EBUSY on MEM_GOING_OFFLINE for $addr-$end" "OK OK" \
	"$(mw inject/MEM_GOING_OFFLINE/range "$addr-$end") $(mw inject/MEM_GOING_OFFLINE/error -16)"
rc=0
out=$(vm unplug "$VM" "$id" --timeout 60 2>&1) || rc=$?
diag "$out"
check "qemu/vm unplug fails" [ $rc -ne 0 ]
check "... naming _OST status 0x82 (device busy)" grep -q "0x82" <<<"$out"
expect_eq "the DIMM is still in query-memory-devices" 1 "$(dimm_count)"
gwait 30 "its blocks are online again" \
	"for b in $mine; do [ \$(cat $SYS/\$b/state) = online ] || { echo \"\$b offline\"; exit 1; }; done"
check "memhp recorded the injected GOING_OFFLINE and its CANCEL_OFFLINE" \
	g "grep -q 'MEM_GOING_OFFLINE .* injected=-16' $MEMHP/events &&
	   grep -q MEM_CANCEL_OFFLINE $MEMHP/events"
check "the program's data is still there (process alive)" g "kill -0 \$(cat /tmp/fill.pid)"

expect_eq "injection off" OK "$(mw inject/MEM_GOING_OFFLINE/error 0)"
mw inject/MEM_GOING_OFFLINE/range all >/dev/null
check "unplug succeeds now (the kernel offlines and migrates)" vm unplug "$VM" "$id" --timeout 120
result=$(fill_check)
diag "$result"
expect_eq "every byte intact, none left in the unplugged range" \
	"RESULT ok 256 MiB intact, 0 MiB in range" "$result"
expect_eq "query-memory-devices is empty" 0 "$(dimm_count)"
gwait 30 "the DIMM's blocks are gone" \
	"for b in $mine; do [ ! -e $SYS/\$b ] || { echo \"\$b still there\"; exit 1; }; done"
expect_eq "block list back to baseline" "$base_blocks" "$(blocks)"
expect_eq "MemTotal back to baseline" "$base_mem" "$(memtotal_kb)"
g "echo offline > $SYS/auto_online_blocks"
finish
