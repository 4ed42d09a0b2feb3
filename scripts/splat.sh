# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Sourced by scripts/check, the scenarios and demo: what in a guest's kernel
# log counts as a splat (extended regex for grep -E), and which splats are
# known kernel issues (README, "Kernel issues found").
#
# The pattern covers WARN/BUG/oops and what the debug kernel's detectors
# print: KASAN ("BUG: KASAN"), lockdep ("WARNING: possible circular locking
# dependency", "inconsistent lock state", "possible recursive locking"),
# might_sleep ("BUG: sleeping function called from invalid context"),
# DEBUG_VM/DEBUG_LIST (BUG/WARNING, "list_add corruption"), UBSAN, kmemleak's
# own log line, the hung-task and soft-lockup detectors (7.3's hung-task
# line can say "blocked in I/O wait for more than", kernel/hung_task.c:254).
SPLAT='WARNING:|BUG:|Oops|Call Trace|general protection fault|Kernel panic|UBSAN:|corruption|suspected memory leak|blocked (in I/O wait )?for more than|soft lockup'

# Known kernel issues: "ID<TAB>regex" (grep -E, matched against one whole
# report). A report that matches is counted as that issue, not as a failure.
# The regex sees a WARN's first line in one form for every kernel,
# "WARNING: FILE:LINE at FUNC" (splat_reports normalises it; see there).
#  lockdep-hotremove-kn-active: a lockdep false positive since v6.8
#  (6b8f0798b85a moved remove_memory_block_devices() back under
#  mem_hotplug_begin(); f1037ec0cc8a had fixed the same report in v5.6):
#  removing a memory block while its sysfs "state" file is in use. Every
#  remover holds device_hotplug_lock and sysfs writers only trylock it, which
#  lockdep cannot see. Reproducer: scripts/scenarios/kernel-lockdep-hotremove.sh.
#  x86-hotadd-pgtable-null: x86-64 hot-add writes through a NULL page table
#  when alloc_low_page() (GFP_ATOMIC after boot) fails: phys_pud_init() and
#  phys_pmd_init() use it unchecked (arch/x86/mm/init_64.c:684-685, 596-597
#  in 6.12). Reproducer: scripts/scenarios/kernel-x86-hotadd-pgtable.sh.
#  x86-add-pages-warn: x86-64 add_pages() does WARN_ON_ONCE(ret) on any
#  __add_pages() failure (arch/x86/mm/init_64.c:985-986 in 6.12, 972-973 in
#  7.3), so an -ENOMEM during hot-add, which add_memory() handles and
#  returns, is a WARNING with a stack dump (and a crash under panic_on_warn).
#  Reproducer: the add loop of scripts/scenarios/faults.sh.
#  early-irq-kasan-boot: seen once in about 13 boots of the debug kernel
#  under TCG, before any test: an edge interrupt during start_kernel()
#  (identify_cpu) takes its irq_desc lock and KASAN reports a wild access in
#  do_raw_spin_lock(); it taints B and switches lockdep off for that boot.
#  Not memhp's (no module loaded yet); not investigated further.
#  trace-events-enomem: an allocation failure while the kernel creates a
#  module's trace event directory (trace_module_notify -> event_create_dir
#  -> event_define_fields -ENOMEM) WARNs there, the load goes on, and that
#  module's rmmod then WARNs twice in event_file_put() (its refcount and
#  FREED flag disagree). kernel/trace/trace_events.c:2628 (event_define_fields)
#  and 1150, 1158 (event_file_put) in the 6.12 debug kernel. 7.3 WARNs on
#  load the same way (3143-3150, the WARN at 3147), but event_create_dir()
#  now gives up on that event (3321-3326), so its unload is quiet.
#  Reproducer: the finit_module loop of scripts/scenarios/faults.sh, once
#  memhp had trace events. Not analysed further in the source.
#  valid-zones-hotadd-null: 6.1 and 6.12: reading a memory block's
#  valid_zones while the hot-add that created it runs. The block's device is
#  in sysfs (and its add uevent sent) before register_memory_blocks_under_node()
#  sets its nid, so valid_zones_show() -> zone_for_pfn_range() takes
#  NODE_DATA(NUMA_NO_NODE): NULL on Debian's kernels (the debug kernel
#  faults in default_kernel_zone_for_pfn(), which it does not inline, and
#  KASAN calls it a null-ptr-deref). Reproducer:
#  scripts/scenarios/kernel-valid-zones-hotadd.sh; stress's read worker and
#  memhpctl status hit it by chance.
KNOWN_SPLATS=$'valid-zones-hotadd-null\tRIP: [0-9a-f]+:(zone_for_pfn_range|default_kernel_zone_for_pfn).*valid_zones_show\ntrace-events-enomem\tWARNING: kernel/trace/trace_events.c:[0-9]+ at (event_define_fields|event_file_put)\nearly-irq-kasan-boot\tKASAN: wild-memory-access in do_raw_spin_lock.*handle_edge_irq.*start_kernel\nx86-add-pages-warn\tWARNING: arch/x86/mm/init_64.c:[0-9]+ at add_pages\nlockdep-hotremove-kn-active\tcircular locking dependency.*kn->active.*mem_hotplug_lock|circular locking dependency.*mem_hotplug_lock.*kn->active\nx86-hotadd-pgtable-null\tRIP: [0-9a-f]+:phys_(p4d|pud|pmd|pte)_init'

# splat_reports: read a kernel log on stdin; print one line per report,
# "known ID", "unknown FIRST-LINE", or "alloc-failure FIRST-LINE" for the
# allocator's own report of a failed allocation (warn_alloc(): "page
# allocation failure", "vmalloc error"), which its caller handled; a caller
# that does not handle it shows up as a report of its own. A report runs from a line matching
# SPLAT to the end of its stack dump ("</TASK>", "---[ end trace"), the next
# report's first line or 200 lines, whichever comes first.
#
# A WARN's first line changed after 6.12 (bugs/core: "Reorganize fields in
# the first line of WARNING output", 2025): 6.1 and 6.12 (kernel/panic.c:788
# in 6.12) print "WARNING: CPU: N PID: N at FILE:LINE FUNC", 7.3
# (kernel/panic.c:1090) "WARNING: FILE:LINE at FUNC, CPU#N: COMM/PID";
# without a file "WARNING: CPU: N PID: N at FUNC" / "WARNING: at FUNC,
# CPU#N: COMM/PID". Either is matched against KNOWN_SPLATS as "WARNING:
# FILE:LINE at FUNC" (or "WARNING: at FUNC"). FUNC keeps its "+0x../0x.."
# and a module's " [mod]"; a DEBUG_BUGVERBOSE_DETAILED "[cond] " before
# FILE (architectures other than x86) is dropped.
#
# A known report that is an oops (the task died: "Oops:", "general
# protection fault", "BUG: unable to handle", "kernel NULL pointer
# dereference", "[#N]") takes the rest of that boot with it: the locks its
# task held stay held, its task_struct is freed under them, and what trips
# over that (a KASAN use-after-free on the dead owner, a hung task) is that
# issue's, printed "known ID after-oops". A known WARN does not do that, and
# reports before the oops, or after an unknown one, are judged on their own.
# A "Linux version" line (a new boot in the log) ends the oops's reach.
splat_reports() {
	awk -v splat="$SPLAT" -v known="$KNOWN_SPLATS" '
	# warn_line: a __warn() first line (either format) as "WARNING:
	# FILE:LINE at FUNC"; any other line as it is.
	function warn_line(s,   p, t, n, w, i, k, f, fn, fl) {
		p = index(s, "WARNING: ")
		if (p == 0) return s
		t = substr(s, p + 9)
		if (t ~ /^CPU: [0-9]+ PID: [0-9]+ at /) {
			# [cond] FILE:LINE FUNC [mod]
			sub(/^CPU: [0-9]+ PID: [0-9]+ at /, "", t)
			n = split(t, w, " ")
			k = n
			if (n > 1 && w[n] ~ /^\[.*\]$/) k = n - 1
			f = k - 1
		} else if (match(t, /, CPU#[0-9]+: /)) {
			# [cond] FILE:LINE at FUNC [mod]
			n = split(substr(t, 1, RSTART - 1), w, " ")
			for (k = n; k > 0 && w[k] != "at"; k--) ;
			if (k == 0 || k == n) return s
			f = k - 1
			k++
		} else
			return s
		fn = w[k]
		for (i = k + 1; i <= n; i++) fn = fn " " w[i]
		fl = (f > 0 && w[f] ~ /:[0-9]+$/) ? w[f] " " : ""
		return substr(s, 1, p - 1) "WARNING: " fl "at " fn
	}
	function flush(   n, i, kv, f, id) {
		if (body == "") return
		n = split(known, kv, "\n")
		id = ""
		for (i = 1; i <= n; i++) {
			split(kv[i], f, "\t")
			if (body ~ f[2]) { id = f[1]; break }
		}
		if (id != "") {
			print "known " id
			if (body ~ /Oops:|general protection fault|BUG: unable to handle|kernel NULL pointer dereference|\[#[0-9]+\]/)
				oops = id
		} else if (body ~ /warn_alloc/) print "alloc-failure " first
		else if (oops != "") print "known " oops " after-oops"
		else print "unknown " first
		body = ""; lines = 0
	}
	/Linux version [0-9]/ { flush(); oops = "" }
	{
		# A page fault report is "BUG: ... #PF ... Oops: ... RIP ... Call
		# Trace": its Oops line does not start another report.
		cont = $0 ~ /Oops: / && first ~ /BUG: (kernel NULL pointer dereference|unable to handle)/
		start = $0 ~ splat && (body == "" || ($0 !~ /Call Trace/ && !cont))
		if (start) { flush(); body = warn_line($0); first = $0; lines = 1; next }
		if (body != "") {
			body = body " " $0; lines++
			if ($0 ~ /<\/TASK>|---\[ end trace/ || lines >= 200) flush()
		}
	}
	END { flush() }'
}

# splat_unknown: read a kernel log on stdin; print the number of reports
# that are not known kernel issues.
splat_unknown() { splat_reports | grep -c '^unknown' || true; }
