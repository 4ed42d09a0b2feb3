#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# shellcheck source-path=SCRIPTDIR
# 100 load/unload cycles of memhp while another CPU onlines and offlines a
# hot-plugged block: no leaked debugfs entry, no dangling notifier (the
# block keeps changing state after the last unload, which would oops on a
# notifier left behind; make check scans dmesg), and a reload starts clean.

# shellcheck source=memhp_lib.sh disable=SC1091
. "$(dirname "$0")/memhp_lib.sh"

ktap_print_header
memhp_require_root
memhp_require_hotplug
memhp_require_module

memhp_require_offline_block "to online and offline"
ktap_set_plan 5
rmmod memhp 2>/dev/null

# The other CPU: online/offline $blk until told to stop, or until this
# script is gone. It holds the runner's output pipe: left running after
# the runner's timeout killed this script, it would keep the whole
# kselftest run waiting for the pipe's end.
# An offline migrates the block's pages, and retries for as long as they
# stay busy: the load loop's page cache and mappings land in the block
# once it is online, and modprobe maps them again and again (on a debug
# kernel an offline could then retry for as long as the loop runs). Each
# offline is interrupted after $secs (it returns EINTR and rolls back; the
# block stays online and the next round offlines it again).
secs=$((10 * ${MEMHP_SLOW:-1}))
state=$MEMORY_SYSFS/$blk/state
stop=/tmp/memhp_lifecycle.stop
rm -f "$stop"
self=$$
trap 'touch "$stop"' EXIT
(
	n=0
	while [ ! -e "$stop" ] && kill -0 "$self" 2>/dev/null; do
		if [ "$(cat "$state")" = offline ]; then
			echo online_movable >"$state" 2>/dev/null || continue
		fi
		# shellcheck disable=SC2016 # the inner shell expands $1
		timeout "$secs" sh -c 'echo offline >"$1"' sh "$state" 2>/dev/null &&
			n=$((n + 1))
	done
	echo "$n" >"$stop.count"
) &
churn=$!

i=0 fail=0 leaks=0
while [ $i -lt 100 ]; do
	if ! modprobe memhp log_size=$((i % 7 + 1)) priority=$((i % 3)); then
		fail=$((fail + 1))
	fi
	cat "$MEMHP_DEBUGFS/events" "$MEMHP_DEBUGFS/stats" >/dev/null 2>&1
	rmmod memhp || fail=$((fail + 1))
	[ ! -e "$MEMHP_DEBUGFS" ] || leaks=$((leaks + 1))
	i=$((i + 1))
done
touch "$stop"
wait $churn
trap - EXIT
churned=$(cat "$stop.count" 2>/dev/null || echo 0)
rm -f "$stop" "$stop.count"
ktap_print_msg "the other CPU completed $churned online/offline pairs meanwhile"
# An interrupted last offline left the block online; nothing keeps its
# pages busy any more.
# shellcheck disable=SC2016 # the inner shell expands $1
[ "$(cat "$state")" = offline ] ||
	wait_for 60 "$blk to go offline after the cycles" \
		timeout "$secs" sh -c 'echo offline >"$1"' sh "$state" || true

ktap_test_result "100 load/unload cycles succeed" [ $fail -eq 0 ]
ktap_test_result "no debugfs entry left after any unload" [ $leaks -eq 0 ]
ktap_test_result "blocks changed state during the cycles" [ "$churned" -gt 0 ]

# A notifier left behind would run freed code here.
ok=1
for s in online_movable offline online_movable offline; do
	echo $s >"$MEMORY_SYSFS/$blk/state" || ok=0
done
ktap_test_result "hotplug after the last unload still works" [ $ok -eq 1 ]

modprobe memhp
echo online_movable >"$MEMORY_SYSFS/$blk/state"
echo offline >"$MEMORY_SYSFS/$blk/state"
first=$(head -n 1 "$MEMHP_DEBUGFS/events" | cut -d' ' -f1)
n=$(wc -l <"$MEMHP_DEBUGFS/events")
ktap_test_result "a reload starts clean (SEQ from 0, only the new records)" \
	[ "$first" = 0 ] && [ "$(awk '$1 == "dropped" {print $2}' "$MEMHP_DEBUGFS/stats")" = 0 ] &&
	[ "$n" -ge 4 ] && [ "$n" -le 6 ]
ktap_finished
