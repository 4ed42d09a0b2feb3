#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# desc: concurrent plug / add / online / offline_remove / unplug cycles under guest churn and pressure
# vm: --smp 2 --append acpi_no_memhotplug
# cost: 50
# debug: yes
#
# Concurrent stress, STRESS_CYCLES host cycles (default 10 when run alone;
# make check passes 5, 2 on the debug kernel), or with
# STRESS_DURATION set as many as fit in that many seconds (a soak: at least
# one; the count is reported, never asserted). On the host,
# DIMMs are plugged over QMP, added by memhp (add, sometimes driver_managed),
# onlined, taken away by offline_remove (or offline + remove) and unplugged,
# over and over; in the guest at the same time, random blocks are onlined
# and offlined through sysfs, memhp's injection is switched on and off,
# events/stats/ranges are read, and memory pressure allocates and verifies
# 128 MiB again and again. Checked after every cycle: no kernel splat, every
# GOING_X paired, blocks, /proc/iomem and MemTotal back to baseline. At the
# end everything is back to baseline and the record invariant holds. Prints
# one "stress:" summary line with what was done and what failed as expected.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

CYCLES=${STRESS_CYCLES:-10}
[ -n "$CYCLES" ] || CYCLES=10
DURATION=${STRESS_DURATION:-}
# A safety net per cycle, not a measure: a cycle that overruns it fails.
CYCLE_TIMEOUT=$((600 * SLOW))

g "rmmod memhp 2>/dev/null; modprobe memhp log_size=1048576; echo offline > $SYS/auto_online_blocks"
baseline_take
bs=$(block_size)
first=$(( (1 << 32) / bs ))	# device memory starts at 4 GiB here
online0=$(g "grep -l '^online\$' $SYS/memory*/state | wc -l")

stop=/tmp/memhp-stress.stop
g "rm -f $stop /tmp/stress-*.log
   for w in churn inject read pressure; do
	MEMHP_SLOW=$SLOW memhp-stress-guest \$w $first $stop >/tmp/stress-\$w.log 2>&1 &
   done"

declare -A n=([plug]=0 [add]=0 [add_failed]=0 [online]=0 [oremove]=0 [oremove_retry]=0
	[remove]=0 [remove_busy]=0 [unplug]=0 [cycle_failed]=0 [check_failed]=0)
t_start=$(date +%s)
end=$((t_start + ${DURATION:-0}))
cycle=0
more() {
	if [ -n "$DURATION" ]; then
		[ $cycle -eq 0 ] || [ "$(date +%s)" -lt "$end" ]
	else
		[ $cycle -lt "$CYCLES" ]
	fi
}
# An operation that overran its deadline (mw named it, with the blocks and
# the kernel's migration failures) is not retried: on a healthy kernel
# nothing here takes that long, and after an oops every later operation
# would wait on the dead one's locks until the runner's deadline.
overran() { [ "$1" = EINTR ] || [ "$1" = KILLED ]; }
# The kernel oopsed since the start (taint D): the dead task's locks and
# sysfs references stay held, and a removal behind them can wait forever,
# unkillable. Seen on 6.1: the read worker hit the valid_zones oops
# (valid-zones-hotadd-null) while a block was being added, and the next
# remove of that range hung until every deadline had passed (953 s). So
# no removal starts after an oops; the runner names the oops.
taint0=$(g "cat /proc/sys/kernel/tainted")
oopsed() {
	local t
	t=$(g "cat /proc/sys/kernel/tainted")
	[ $(((t & ~taint0) & 128)) -ne 0 ]
}
while more; do
	cycle=$((cycle + 1))
	t_cycle=$(date +%s)
	sz=$(((RANDOM % 4 + 1) * 128))M
	read -r id addr size < <(vm plug "$VM" "$sz") || { n[cycle_failed]=$((n[cycle_failed] + 1)); continue; }
	n[plug]=$((n[plug] + 1))
	opt=""
	[ $((RANDOM % 3)) -eq 0 ] && opt=" driver_managed"
	r=$(mw add "$addr $size$opt")
	if [ "$r" = OK ]; then
		n[add]=$((n[add] + 1))
		mine=$(blocks_of "$addr" "$size" | xargs)
		# Online what the injector lets through; the churn worker joins in.
		# shellcheck disable=SC2086 # $mine: the DIMM's block names, a word each
		set_blocks online_movable $mine 2>/dev/null || true
		n[online]=$((n[online] + 1))
		# Take it away again: offline_remove, or offline + remove, retried
		# while injected errors or the churn worker get in the way.
		gone=0
		for _ in $(seq 1 100); do
			if oopsed; then
				r="not tried: the kernel oopsed, taint D"
				break
			fi
			if [ $((RANDOM % 2)) -eq 0 ]; then
				r=$(mw offline_remove "$addr $size")
				[ "$r" = OK ] && { n[oremove]=$((n[oremove] + 1)); gone=1; break; }
				overran "$r" && break
			else
				G_TIMEOUT=$(ops_timeout "$(wc -w <<<"$mine")") g "for b in $(tr ' ' '\n' <<<"$mine" | tac | xargs); do
					memhp-write --timeout $((OP_TIMEOUT * SLOW)) $SYS/\$b/state offline; done >/dev/null; true"
				r=$(mw remove "$addr $size")
				[ "$r" = OK ] && { n[remove]=$((n[remove] + 1)); gone=1; break; }
				[ "$r" = EBUSY ] && n[remove_busy]=$((n[remove_busy] + 1))
				overran "$r" && break
			fi
			n[oremove_retry]=$((n[oremove_retry] + 1))
		done
		if [ $gone -eq 0 ]; then
			n[cycle_failed]=$((n[cycle_failed] + 1))
			diag "cycle $cycle: $addr $size could not be removed ($r); stopping"
			break
		fi
	else
		n[add_failed]=$((n[add_failed] + 1))
		diag "cycle $cycle: add $addr $size$opt: $r"
	fi
	if vm unplug "$VM" "$id" --timeout 60 >/dev/null; then
		n[unplug]=$((n[unplug] + 1))
	else
		n[cycle_failed]=$((n[cycle_failed] + 1))
	fi
	# All along: no splat, pairs consistent, guest back to baseline.
	# Known kernel issues (scripts/lib/splat.sh) are the runner's to report.
	splats=$(g dmesg | splat_unknown)
	live=$(g "/opt/memhp/selftests/memhp/memhp_events_check --live 2>&1" || true)
	# shellcheck disable=SC2154 # base_blocks, base_iomem: set by baseline_take (lib.sh)
	if [ "$splats" != 0 ] || ! grep -q "invariant holds" <<<"$live" ||
		[ "$(blocks | cut -d' ' -f1)" != "$(cut -d' ' -f1 <<<"$base_blocks")" ] ||
		[ "$(iomem_ram)" != "$base_iomem" ]; then
		n[check_failed]=$((n[check_failed] + 1))
		diag "cycle $cycle: check failed: splats=$splats; $live"
		if [ "$splats" != 0 ]; then
			diag "cycle $cycle: the kernel reported a splat; stopping (the runner names it)"
			break
		fi
	fi
	if [ $(($(date +%s) - t_cycle)) -gt "$CYCLE_TIMEOUT" ]; then
		n[cycle_failed]=$((n[cycle_failed] + 1))
		diag "cycle $cycle overran its ${CYCLE_TIMEOUT}s safety net; stopping"
		break
	fi
done

g "touch $stop"
gwait 60 "the guest workers stopped" \
	"for w in churn inject read pressure; do grep -q ops= /tmp/stress-\$w.log || exit 1; done"
workers=$(g "cat /tmp/stress-churn.log /tmp/stress-inject.log /tmp/stress-read.log /tmp/stress-pressure.log")
diag "$workers"
g "memhpctl inject MEM_GOING_ONLINE 0; memhpctl inject MEM_GOING_OFFLINE 0"

w() { sed -n "s/^$1 ops=\\([0-9]*\\) expected_fail=\\([0-9]*\\) unexpected=\\([0-9]*\\).*/\\$2/p" <<<"$workers"; }
echo "stress: $cycle cycles in $(($(date +%s) - t_start))s: plug ${n[plug]}, add ${n[add]} (failed ${n[add_failed]})," \
	"offline_remove ${n[oremove]}, offline+remove ${n[remove]} (EBUSY ${n[remove_busy]})," \
	"removal retries ${n[oremove_retry]}, unplug ${n[unplug]};" \
	"guest: sysfs online/offline $(w churn 1) (failed as expected $(w churn 2))," \
	"injection changes $(w inject 1), reads $(w read 1), pressure cycles $(w pressure 1);" \
	"unexpected: $(( $(w churn 3) + $(w inject 3) + $(w read 3) + $(w pressure 3) ))," \
	"failed cycles ${n[cycle_failed]}, failed checks ${n[check_failed]}"

if [ -n "$DURATION" ]; then
	check "soak: at least one cycle ran ($cycle in ${DURATION}s)" [ "${n[plug]}" -ge 1 ]
else
	expect_eq "every one of the $CYCLES cycles plugged a DIMM" "$CYCLES" "${n[plug]}"
fi
expect_eq "no cycle failed" 0 "${n[cycle_failed]}"
expect_eq "every check along the way held" 0 "${n[check_failed]}"
for wk in churn inject read pressure; do
	expect_eq "guest worker $wk: no unexpected failure" 0 "$(w $wk 3)"
	check "guest worker $wk ran" [ $(($(w $wk 1) + $(w $wk 2))) -gt 0 ]
done
expect_eq "memhp owns nothing" "" "$(ranges)"
expect_eq "query-memory-devices is empty" 0 "$(dimm_count)"
baseline_expect ""
online1=$(g "grep -l '^online\$' $SYS/memory*/state | wc -l")
check "the record invariant holds over the whole run" \
	g "/opt/memhp/selftests/memhp/memhp_events_check $((online1 - online0))"
expect_eq "nothing dropped from the log" 0 "$(stat dropped)"
finish
