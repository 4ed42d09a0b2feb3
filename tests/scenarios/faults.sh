#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# vm: --smp 2 --append acpi_no_memhotplug
# cost: 77
# debug: yes
# needs: CONFIG_FAULT_INJECTION CONFIG_FAILSLAB CONFIG_FAIL_PAGE_ALLOC CONFIG_FAULT_INJECTION_DEBUG_FS
#
# Fault injection on memhp's own error paths. With /proc/thread-self/fail-nth
# (failslab and fail_page_alloc, GFP_KERNEL included, reports off), the Nth
# allocation of one call fails, for N = 1, 2, ... until the call no longer
# reaches an Nth: every failure point is hit once.
#   load  finit_module(memhp.ko): every allocation of the loader and of
#         memhp_init; a failed load leaves no module, no debugfs folder and
#         no notifier (a block online/offline afterwards proves the last)
#   add   memhp's add of a DIMM, slab allocations only: a failure leaves no
#         range, no System RAM, no memory block; a success is removed again.
#         (A failed page-table page allocation oopses x86 hot-add itself:
#         kernel-x86-hotadd-pgtable-null.sh reproduces that kernel bug.)
#   pin   pin of 4 MiB of online movable memory: a failure leaves nothing
#         pinned and the block can go offline; a success is unpinned
# The runner's checks after the VM (splats, kmemleak) complete the proof.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

FI=/sys/kernel/debug
g "echo offline > $SYS/auto_online_blocks; rmmod memhp 2>/dev/null; true"
if ! g "[ -w /proc/thread-self/fail-nth ] && [ -d $FI/failslab ] && [ -d $FI/fail_page_alloc ]"; then
	skip_all "no fail-nth/failslab/fail_page_alloc in this kernel"
fi
# GFP_KERNEL allocations too, order 0 too, and no report per injection.
g "for a in failslab fail_page_alloc; do
	echo N > $FI/\$a/ignore-gfp-wait; echo 0 > $FI/\$a/verbose; done
   echo N > $FI/fail_page_alloc/ignore-gfp-highmem; echo 0 > $FI/fail_page_alloc/min-order"
baseline_take
ko=$(g "modinfo -n memhp")

# faults WHAT LOOP: run the guest loop LOOP, which prints "points N" and one
# "bad: ..." line per broken failure point; one test point.
faults() {
	local out
	out=$(g "$2" 2>&1) || true
	if grep -q '^points [0-9]' <<<"$out" && ! grep -q '^bad' <<<"$out"; then
		ok "$1: $(grep '^points' <<<"$out" | cut -d' ' -f2) failure points, each clean"
	else
		not_ok "$1"
		diag "$(grep -v '^points' <<<"$out" | head -n 20)"
	fi
}

faults "load memhp.ko under fail-nth" "
	n=0
	while [ \$n -lt 5000 ]; do
		n=\$((n + 1))
		r=\$(memhp-write --fail-nth \$n --load $ko '')
		case \$r in
		'OK not-reached') rmmod memhp || echo 'bad: rmmod after the clean load'; break ;;
		'OK injected')
			# Tolerated failure (the loader's own, retried): a whole memhp.
			[ -w $MEMHP/pin ] && [ -r $MEMHP/events ] || echo \"bad: n=\$n loaded without its files\"
			rmmod memhp || echo \"bad: n=\$n rmmod\" ;;
		E*' injected')
			[ ! -e /sys/module/memhp ] || { echo \"bad: n=\$n \$r but /sys/module/memhp exists\"; rmmod memhp; }
			[ ! -e $MEMHP ] || echo \"bad: n=\$n \$r but $MEMHP exists\" ;;
		*) echo \"bad: n=\$n: \$r\"; break ;;
		esac
	done
	echo points \$((n - 1))"
check "no memhp left loaded" g "[ ! -e /sys/module/memhp ]"

# The DIMM for add and pin; memhp loaded normally from here on.
read -r id addr size < <(vm plug "$VM" 128M)
mine=$(blocks_of "$addr" "$size" | xargs)
g "modprobe memhp"

# Page allocations do not count here (min-order above any order used).
g "echo 11 > $FI/fail_page_alloc/min-order"
faults "add under fail-nth (slab)" "
	n=0
	while [ \$n -lt 20000 ]; do
		n=\$((n + 1))
		r=\$(memhp-write --fail-nth \$n $MEMHP/add '$addr $size')
		case \$r in
		OK*)
			[ -n \"\$(cat $MEMHP/ranges)\" ] || echo \"bad: n=\$n: add OK but no range\"
			r2=\$(memhp-write --timeout $((OP_TIMEOUT * SLOW)) $MEMHP/remove '$addr $size')
			[ \"\$r2\" = OK ] || { echo \"bad: n=\$n: remove after add: \$r2\"; break; }
			[ \"\$r\" = 'OK injected' ] || break ;;
		E*' injected')
			[ -z \"\$(cat $MEMHP/ranges)\" ] || echo \"bad: n=\$n \$r but ranges: \$(cat $MEMHP/ranges)\"
			! grep -qi '$(printf '%x' "$addr")-' /proc/iomem || echo \"bad: n=\$n \$r but /proc/iomem has it\"
			[ ! -e $SYS/${mine%% *} ] || echo \"bad: n=\$n \$r but ${mine%% *} exists\" ;;
		*) echo \"bad: n=\$n: \$r\"; break ;;
		esac
	done
	echo points \$((n - 1))"
expect_eq "memhp owns nothing after the add loop" "" "$(ranges)"
g "echo 0 > $FI/fail_page_alloc/min-order"

# pin: on the DIMM's memory, added and online in ZONE_MOVABLE.
check "add the DIMM's memory" [ "$(mw add "$addr $size")" = OK ]
# shellcheck disable=SC2086 # $mine: the DIMM's block names, a word each
check "online it movable" set_blocks online_movable $mine
faults "pin under fail-nth" "
	n=0
	while [ \$n -lt 20000 ]; do
		n=\$((n + 1))
		r=\$(memhp-write --fail-nth \$n $MEMHP/pin '$addr 4M')
		case \$r in
		OK*)
			r2=\$(memhp-write $MEMHP/unpin '$addr 4M')
			[ \"\$r2\" = OK ] || { echo \"bad: n=\$n: unpin after pin: \$r2\"; break; }
			[ \"\$r\" = 'OK injected' ] || break ;;
		E*' injected')
			[ -z \"\$(cat $MEMHP/pinned)\" ] || echo \"bad: n=\$n \$r but pinned: \$(cat $MEMHP/pinned)\" ;;
		*) echo \"bad: n=\$n: \$r\"; break ;;
		esac
	done
	echo points \$((n - 1))"
expect_eq "nothing pinned after the pin loop" "" "$(g "cat $MEMHP/pinned")"
check "the DIMM's memory goes away again (offline_remove)" [ "$(mw offline_remove "$addr $size")" = OK ]
check "unplug the DIMM" vm unplug "$VM" "$id"
check "memhp unloads" g "rmmod memhp"
g "for a in failslab fail_page_alloc; do echo Y > $FI/\$a/ignore-gfp-wait; echo 2 > $FI/\$a/verbose; done"
baseline_expect ""
finish
