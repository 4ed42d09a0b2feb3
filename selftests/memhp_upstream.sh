#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The kernel's own memory-hotplug selftest (mem-on-off-test.sh, from the
# installed linux-source) with memhp recording: the hot-plugged blocks are
# onlined movable first so that offlining has something to succeed on. It
# must pass (or skip by its own rules), and memhp's records must satisfy the
# invariant for everything it did.
#
# mem-on-off-test.sh re-onlines with a plain "online". Under the default
# contig-zones policy a block at the edge of ZONE_MOVABLE, once offline, no
# longer intersects it and goes to ZONE_NORMAL, where kernel allocations can
# pin it and make the DIMM impossible to unplug. auto-movable keeps it
# movable; the previous policy is restored at the end. A boot block it
# offlines may come back movable too: that is not harmless (ZONE_MOVABLE's
# free boot memory then serves user allocations that later tests expect in
# a new DIMM), so every boot block is put back into the zone it was in.

. "$(dirname "$0")/memhp_lib.sh"

UPSTREAM=/opt/memhp/upstream/memory-hotplug/mem-on-off-test.sh

ktap_print_header
memhp_require_root
memhp_require_hotplug
memhp_require_module
[ -x "$UPSTREAM" ] || { ktap_skip_all "$UPSTREAM not installed"; exit "$KSFT_SKIP"; }

offline_blocks=$(cd "$MEMORY_SYSFS" && grep -l '^offline$' memory*/state 2>/dev/null | cut -d/ -f1)
if [ -z "$offline_blocks" ]; then
	ktap_skip_all "no offline hot-plugged memory block (plug a DIMM)"
	exit "$KSFT_SKIP"
fi
ktap_set_plan 6

# Above memory-notifier-error-inject (priority 0): memhp sees every GOING_X.
rmmod memhp 2>/dev/null
modprobe memhp priority=100
online_before=$(grep -l '^online$' "$MEMORY_SYSFS"/memory*/state | wc -l)
# "memoryN ZONE" for every online block, to put them back afterwards.
zones_before=$(cd "$MEMORY_SYSFS" && for b in memory*; do
	[ "$(cat "$b/state")" = online ] && echo "$b $(cat "$b/valid_zones")"; done)
POLICY=/sys/module/memory_hotplug/parameters/online_policy
policy=
if [ -w "$POLICY" ]; then
	policy=$(cat "$POLICY")
	echo auto-movable >"$POLICY"
fi

ok=1
for b in $offline_blocks; do
	echo online_movable >"$MEMORY_SYSFS/$b/state" || ok=0
done
ktap_test_result "online the hot-plugged blocks movable ($(echo "$offline_blocks" | wc -w))" [ $ok -eq 1 ]

"$UPSTREAM" >/tmp/mem-on-off-test.log 2>&1
rc=$?
sed 's/^/# /' /tmp/mem-on-off-test.log | tail -n 40
case $rc in
0) ktap_test_pass "mem-on-off-test.sh passes" ;;
4) ktap_test_skip "mem-on-off-test.sh skipped itself" ;;
*) ktap_test_fail "mem-on-off-test.sh passes (exit $rc)" ;;
esac

online_after=$(grep -l '^online$' "$MEMORY_SYSFS"/memory*/state | wc -l)
out=$("$(dirname "$0")/memhp_events_check" $((online_after - online_before)) 2>&1)
rc=$?
ktap_print_msg "$out"
ktap_test_result "memhp's records satisfy the invariant" [ $rc -eq 0 ]

# Every online block it touched must still be movable...
kernel=
for b in $offline_blocks; do
	grep -q '^online$' "$MEMORY_SYSFS/$b/state" || continue
	z=$(cat "$MEMORY_SYSFS/$b/valid_zones")
	[ "$z" = Movable ] || kernel="$kernel $b($z)"
done
[ -z "$kernel" ] || ktap_print_msg "online outside ZONE_MOVABLE:$kernel"
ktap_test_result "the hot-plugged blocks stayed in ZONE_MOVABLE" [ -z "$kernel" ]

# ...so that they can be left as we found them: offline.
stuck=
for b in $offline_blocks; do
	echo offline >"$MEMORY_SYSFS/$b/state" 2>/dev/null
	grep -q '^offline$' "$MEMORY_SYSFS/$b/state" || stuck="$stuck $b"
done
[ -z "$stuck" ] || ktap_print_msg "still online:$stuck"
ktap_test_result "the hot-plugged blocks are offline again" [ -z "$stuck" ]

# Boot blocks back into their zones (offline, then online into that zone).
moved=
echo "$zones_before" | while read -r b z; do
	[ -n "$b" ] || continue
	case $z in Movable) to=online_movable ;; *) to=online_kernel ;; esac
	if [ "$(cat "$MEMORY_SYSFS/$b/state")" != online ]; then
		echo $to >"$MEMORY_SYSFS/$b/state"
		echo "$b: offline -> $(cat "$MEMORY_SYSFS/$b/valid_zones") (was $z)"
		continue
	fi
	now=$(cat "$MEMORY_SYSFS/$b/valid_zones")
	[ "$now" != "$z" ] || continue
	echo offline >"$MEMORY_SYSFS/$b/state" && echo $to >"$MEMORY_SYSFS/$b/state"
	echo "$b: $now -> $(cat "$MEMORY_SYSFS/$b/valid_zones") (was $z)"
done >/tmp/memhp-upstream-zones.log 2>&1
moved=$(cat /tmp/memhp-upstream-zones.log)
[ -z "$moved" ] || ktap_print_msg "put back: $moved"
now=$(cd "$MEMORY_SYSFS" && for b in memory*; do
	[ "$(cat "$b/state")" = online ] && echo "$b $(cat "$b/valid_zones")"; done)
same=1
[ "$now" = "$zones_before" ] || same=0
# shellcheck disable=SC2086,SC2116 # each on one line, the words joined by spaces
[ $same -eq 1 ] ||
	ktap_print_msg "online blocks and zones, before: $(echo $zones_before)" \
		"after: $(echo $now)"
# (ktap_test_result runs its command unquoted: compare first.)
ktap_test_result "the boot blocks are online in the zones they were in" [ $same -eq 1 ]

[ -z "$policy" ] || echo "$policy" >"$POLICY"
rmmod memhp && modprobe memhp
ktap_finished
