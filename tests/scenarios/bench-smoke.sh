#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# vm:
# cost: 18
# needs: CONFIG_NET CONFIG_VM_EVENT_COUNTERS
#
# `make bench` must not rot: its seconds-long smoke version (scripts/bench
# --smoke --vm, small DIMMs, one repetition) runs against this VM and must
# write a well-formed bench.csv (the header; every row with kernel and
# accelerator, a whole repetition count and numeric min <= median <= max;
# the core figures present) and non-empty PNG plots, and leave the VM as it
# found it: no DIMM, the same blocks, MemTotal, auto_online_blocks and memhp
# loaded or not as before. No figure is judged by its value.
# What it needs of the kernel: CONFIG_NET for memhp-bench watch's uevent
# socket (every hot-add and removal is timed from it; without it the bench
# stops at once and says so), CONFIG_VM_EVENT_COUNTERS for the migration
# figures checked below (pgmigrate_success in /proc/vmstat; without it the
# bench leaves them out). tracefs is optional (a hot-add is then timed from
# its first uevent instead of the ACPI interrupt).
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

baseline_take
policy=$(g "cat $SYS/auto_online_blocks")
loaded=$(g "[ -d $MEMHP ] && echo loaded || echo unloaded")
out="$ARTIFACTS/bench"
rm -rf "$out"

check "scripts/bench --smoke --vm $VM exits 0" \
	"$TOP/scripts/bench" --smoke --vm "$VM" --out "$out"
diag "$(sed -n '/^OFFLINE/,/^$/p' "$out/table.txt" 2>/dev/null | head -n 12)"

csv="$out/bench.csv"
expect_eq "bench.csv header" \
	"run,date,host_cpu,accel,kernel,release,section,figure,param,unit,reps,min,median,max" \
	"$(head -n 1 "$csv" 2>/dev/null | tr -d '\r')"
# Every row well formed; prints what is wrong, nothing when all is well.
bad=$(python3 - "$csv" <<'EOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
if not rows:
    print("no rows")
for i, r in enumerate(rows, 2):
    if None in r or None in r.values():
        print(f"line {i}: wrong number of columns")
        continue
    for col in ("kernel", "release", "accel", "host_cpu", "section", "figure", "unit"):
        if not r[col]:
            print(f"line {i}: {col} empty")
    if r["accel"] not in ("TCG", "KVM"):
        print(f"line {i}: accel {r['accel']!r}")
    try:
        n = int(r["reps"])
        lo, med, hi = float(r["min"]), float(r["median"]), float(r["max"])
    except ValueError:
        print(f"line {i}: reps/min/median/max not numeric: {r}")
        continue
    if n < 1 or not lo <= med <= hi:
        print(f"line {i}: reps {n}, min {lo} median {med} max {hi}")
EOF
)
expect_eq "every bench.csv row: kernel, accel, reps >= 1, min <= median <= max" "" "$bad"

# The figures the smoke run must produce (section,figure,param).
have=$(python3 -c 'import csv, sys
for r in csv.DictReader(open(sys.argv[1])): print(r["section"], r["figure"], r["param"], sep=",")' "$csv" | sort -u)
for f in harness,exec_roundtrip,vm-exec hotadd,acpi_add_per_gib,plain \
	online,online_block,movable online,going_online_to_online,movable \
	offline,offline_block,empty offline,memcpy_bandwidth,- \
	offline,migration_throughput,25 offline,migration_vs_memcpy,25; do
	check "bench.csv has $f" grep -qx "$f" <<<"$have"
done
check "bench.csv has the memhp overhead ratio (or says why not)" \
	bash -c "grep -q '^overhead,memhp_ratio,' <<<'$have' || ! grep -q 'overhead: skipped' '$out/table.txt'"
for p in latency migration; do
	check "$p.png is a non-empty PNG" \
		bash -c "[ -s '$out/$p.png' ] && [ \"\$(head -c 4 '$out/$p.png' | tail -c 3)\" = PNG ]"
done

expect_eq "no DIMM left" 0 "$(dimm_count)"
expect_eq "auto_online_blocks as before" "$policy" "$(g "cat $SYS/auto_online_blocks")"
expect_eq "memhp $loaded as before" "$loaded" \
	"$(g "[ -d $MEMHP ] && echo loaded || echo unloaded")"
baseline_expect ""
finish
