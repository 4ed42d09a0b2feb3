#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# vm: --append memory_hotplug.online_policy=auto-movable
# cost: 8
# debug: no (the debug lane drives ACPI unplug through dimm-basic and
#   memhp's pins through pin-race; this one costs a VM of its own there)
#
# Refused unplug, and unplug under load. A movable DIMM holds a guest
# program's data. Two causes make the guest refuse the eject: (a) memhp
# injects -EBUSY into MEM_GOING_OFFLINE for the DIMM's range; (b) memhp pins
# real unmovable pages in it (pin: alloc_contig_range). Each time the guest
# kernel fails to offline the blocks, puts them back online and answers _OST
# 0x82 (busy); QEMU keeps the DIMM and the data is untouched. With the cause
# removed the same unplug succeeds: the kernel migrates the data away and
# the program finds every byte intact. The online policy is auto-movable:
# the blocks a failed eject puts back online go where the policy says
# (README), and under auto-movable that is ZONE_MOVABLE, so the DIMM can
# still unplug afterwards. It has a VM of its own: after the selftests in
# the default VM, the program's memory no longer lands in the new DIMM
# (2 of 128 MiB; not investigated), and that is what the test is about.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

g "modprobe memhp; echo online_movable > $SYS/auto_online_blocks"
baseline_take

# Four memory blocks: a refusal by one of them, with the others offlined and
# put back, needs no more.
plug_wait $((4 * $(block_size))) online
zones=$(of_mine valid_zones | sort -u)
expect_eq "the DIMM is in ZONE_MOVABLE" Movable "$zones"
end=$(printf '0x%x' $((addr + size - 1)))
fill=$(fill_mib 128)
ready=$(fill_start "${fill}M" "$addr-$end") || true
diag "$ready"
in=$(sed -n 's/.* \([0-9-]*\) MiB in range/\1/p' <<<"$ready")
check "at least $((fill / 2)) MiB of the program's memory is in the DIMM" [ "${in:-0}" -ge $((fill / 2)) ]

# refused UNPLUG-CAUSE: device_del must fail with _OST 0x82 and change nothing.
refused() {
	local rc=0 out
	out=$(vm unplug "$VM" "$id" --timeout 60 2>&1) || rc=$?
	diag "$out"
	check "[$1] qemu/vm unplug fails" [ $rc -ne 0 ]
	check "[$1] ... naming _OST status 0x82 (device busy)" grep -q "0x82" <<<"$out"
	expect_eq "[$1] the DIMM is still in query-memory-devices" 1 "$(dimm_count)"
	gwait 30 "[$1] its blocks are online again" \
		"for b in $mine; do [ \$(cat $SYS/\$b/state) = online ] || { echo \"\$b offline\"; exit 1; }; done"
	check "[$1] the program still holds its data (alive)" g "kill -0 \$(cat /tmp/fill.pid)"
	zones=$(of_mine valid_zones | sort -u)
	expect_eq "[$1] still all in ZONE_MOVABLE" Movable "$zones"
}

g "echo clear > $MEMHP/events"
expect_eq "inject -EBUSY on MEM_GOING_OFFLINE for $addr-$end" "OK OK" \
	"$(mw inject/MEM_GOING_OFFLINE/range "$addr-$end") $(mw inject/MEM_GOING_OFFLINE/error -16)"
refused injected
check "memhp recorded the injected GOING_OFFLINE and its CANCEL_OFFLINE" \
	g "grep -q 'MEM_GOING_OFFLINE .* injected=-16' $MEMHP/events &&
	   grep -q MEM_CANCEL_OFFLINE $MEMHP/events"
expect_eq "injection off" OK "$(mw inject/MEM_GOING_OFFLINE/error 0)"
mw inject/MEM_GOING_OFFLINE/range all >/dev/null

# (b) real unmovable pages: 4 MiB in the DIMM's first block. On eject the
# guest offlines every other block before giving up, then puts them back
# online through device_online(), that is with the online *policy*, not the
# zone they were in: under the default contig-zones policy they come back in
# ZONE_NORMAL and the DIMM may never unplug again. This VM boots with
# online_policy=auto-movable, under which they return to ZONE_MOVABLE.
pin=$addr pinsz=$((4 << 20))
expect_eq "pin $pin 4M (alloc_contig_range)" OK "$(mw pin "$pin $pinsz")"
expect_eq "pinned lists it" "$pin-$(printf '0x%x' $((pin + pinsz - 1))) pages=1024" \
	"$(g "cat $MEMHP/pinned")"
expect_eq "pinning the same range again: EEXIST" EEXIST "$(mw pin "$pin $pinsz")"
# Across a zone's end, from this kernel's layout: the lowest populated zone
# ends where the next zone or a hole begins (DMA/DMA32 on Debian's configs;
# a tinyconfig kernel has no ZONE_DMA, and its DMA32 ends in the PCI hole).
read -r zend zname < <(g "awk '/^Node/ { z = \$2 \$4 } \$1 == \"spanned\" { sp[z] = \$2 }
	\$1 == \"present\" { pr[z] = \$2 } \$1 == \"start_pfn:\" { st[z] = \$2 }
	END { for (z in st) if (pr[z] > 0) print st[z] + sp[z], z }' /proc/zoneinfo | sort -n | head -n 1")
zend=$((zend * 4096))
expect_eq "pinning across the end of zone $zname at $(printf '0x%x' $zend): EINVAL" EINVAL \
	"$(mw pin "$(printf '0x%x' $((zend - (2 << 20)))) $((4 << 20))")"
refused pinned
expect_eq "unpin a range that is not pinned: ENOENT" ENOENT \
	"$(mw unpin "$(printf '0x%x' $((addr + pinsz))) $pinsz")"
expect_eq "unpin $pin 4M" OK "$(mw unpin "$pin $pinsz")"
expect_eq "nothing pinned" "" "$(g "cat $MEMHP/pinned")"

check "unplug succeeds now (the kernel offlines and migrates)" vm unplug "$VM" "$id" --timeout 120
result=$(fill_check)
diag "$result"
expect_eq "every byte intact, none left in the unplugged range" \
	"RESULT ok $fill MiB intact, 0 MiB in range" "$result"
expect_eq "query-memory-devices is empty" 0 "$(dimm_count)"
gwait 30 "the DIMM's blocks are gone" \
	"for b in $mine; do [ ! -e $SYS/\$b ] || { echo \"\$b still there\"; exit 1; }; done"
baseline_expect ""
g "echo offline > $SYS/auto_online_blocks"
finish
