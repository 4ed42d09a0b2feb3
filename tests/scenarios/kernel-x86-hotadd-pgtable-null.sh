#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# desc: known issue x86-hotadd-pgtable-null: hot-add oopses on a failed page-table allocation
# vm: --smp 1 --append acpi_no_memhotplug
# cost: 30
# debug: yes
# needs: CONFIG_FAULT_INJECTION CONFIG_FAIL_PAGE_ALLOC CONFIG_FAULT_INJECTION_DEBUG_FS
#
# Reproducer of known kernel issue x86-hotadd-pgtable-null (docs/kernel-issues.md):
# x86-64 memory hot-add oopses when a page-table page cannot be allocated.
# add_memory() -> arch_add_memory() -> init_memory_mapping() ->
# phys_pud_init()/phys_pmd_init() take a new page table from alloc_low_page(),
# which after boot is __get_free_pages(GFP_ATOMIC | __GFP_ZERO)
# (arch/x86/mm/init.c:134 in 6.12), and use it unchecked
# (arch/x86/mm/init_64.c:684-685 pmd, 596-597 pte): a NULL page table is
# written to -> "general protection fault ... RIP: phys_pmd_init". GFP_ATOMIC
# can fail under real memory pressure; here fail_page_alloc makes the Nth
# page allocation of memhp's add fail, for N = 1, 2, ... until one of them is
# a page table. The runner counts the oops as the known issue
# x86-hotadd-pgtable-null (scripts/lib/splat.sh): an expected failure (XFAIL).
# The oops kills the writer inside memhp's add, so nothing memhp-related
# runs in this VM afterwards.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

FI=/sys/kernel/debug
g "echo offline > $SYS/auto_online_blocks; modprobe memhp"
# Page allocations only (no slab cache is marked for failslab), GFP_ATOMIC
# and GFP_KERNEL alike, order 0 too, no report per injection.
g "echo Y > $FI/failslab/cache-filter
   echo N > $FI/fail_page_alloc/ignore-gfp-wait; echo 0 > $FI/fail_page_alloc/verbose
   echo N > $FI/fail_page_alloc/ignore-gfp-highmem; echo 0 > $FI/fail_page_alloc/min-order"
read -r _ addr size < <(vm plug "$VM" 128M)

out=$(g "n=0
	while [ \$n -lt 2000 ]; do
		n=\$((n + 1))
		r=\$(memhp-write --fail-nth \$n $MEMHP/add '$addr $size' 2>&1)
		case \$r in
		'OK injected') memhp-write $MEMHP/remove '$addr $size' >/dev/null ;;
		E*' injected') ;;
		*) break ;;
		esac
	done
	echo \"n=\$n last=\$r\"" 2>&1) || true
diag "$out"
if g "dmesg | grep -qE 'RIP: [0-9a-f]+:phys_(p4d|pud|pmd|pte)_init'"; then
	ok "reproduced: a failed page-table allocation in hot-add oopses in phys_*_init ($out)"
else
	# Fixed kernels get here: every failure point was clean.
	check "hot-add survived every page allocation failure ($out)" grep -q "last=OK not-reached" <<<"$out"
fi
finish
