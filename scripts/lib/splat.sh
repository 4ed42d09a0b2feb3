# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Sourced by scripts/check, the scenarios and demo: what in a guest's kernel
# log counts as a splat (extended regex for grep -E), and which splats are
# known kernel issues (kernel/known-issues, docs/kernel-issues.md).
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
# report), read from kernel/known-issues (its "pattern:" lines, in order:
# the first match wins), where each issue is described; docs/kernel-issues.md
# is written from the same file. A report that matches is counted as that
# issue, not as a failure. The regex sees a WARN's first line in one form
# for every kernel, "WARNING: FILE:LINE at FUNC" (splat_reports normalises
# it; see there).
KNOWN_SPLATS=$("$(dirname "${BASH_SOURCE[0]}")/../known-issues" patterns) ||
	{ echo "splat.sh: cannot read kernel/known-issues" >&2; return 1; }

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

# LAB_MARK: the line scripts/check and scripts/bench write into a guest's
# kernel log (/dev/kmsg) just before a test, or a bench section, first acts
# on that guest. What the kernel reports before it is not the test's doing.
LAB_MARK='memhp-lab: begin'

# crash_class: read a guest's console log on stdin and judge its last boot's
# first kernel report (an allocator's handled failure aside); print
# "CLASS KNOWN-ID|- FIRST-LINE", or nothing when that boot has no report.
# CLASS is "environment" when the report came before the boot's first
# LAB_MARK line (no test had acted yet), or when it is no known issue and
# its own header says "Not tainted" (memhp.ko, out of tree and so taint O,
# was never loaded in that boot); else "test". A known issue keeps its ID
# either way: a test that fails after it is that issue's expected failure.
crash_class() {
	local log first rest cls id line
	log=$(tr -d '\r' | awk '/Linux version [0-9]/ { n = 0; delete l } { l[++n] = $0 }
		END { for (i = 1; i <= n; i++) print l[i] }')
	first=$(awk -v splat="$SPLAT" -v mark="$LAB_MARK" '
		index($0, mark) { marked = 1 }
		$0 ~ splat && $0 !~ /warn_alloc|page allocation failure|vmalloc error/ {
			print NR, marked + 0; exit }' <<<"$log")
	[ -n "$first" ] || return 0
	rest=$(tail -n "+${first% *}" <<<"$log")
	read -r cls line < <(splat_reports <<<"$rest" | grep -v '^alloc-failure' | head -n 1)
	[ -n "$cls" ] || return 0
	id=-
	[ "$cls" != known ] || { id=${line%% *}; line=$(head -n 1 <<<"$rest"); }
	if [ "${first#* }" = 0 ]; then
		cls=environment
	elif [ "$id" = - ] && head -n 40 <<<"$rest" | grep -q ' Not tainted '; then
		cls=environment
	else
		cls="test"
	fi
	printf '%s %s %s\n' "$cls" "$id" "${line#\[*\] }"
}
