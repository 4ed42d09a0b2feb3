#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# desc: known issue lockdep-hotremove-kn-active: lockdep's kn->active report on hot-remove
# vm: --slots 4 --append acpi_no_memhotplug
# cost: 40
# debug: yes
# needs: CONFIG_PROVE_LOCKING
#
# Reproducer of a lockdep false positive on memory hot-unplug, known issue
# lockdep-hotremove-kn-active (docs/kernel-issues.md, kernel/known-issues). Since v6.8 (6b8f0798b85a) try_remove_memory() removes
# the memory block devices inside mem_hotplug_begin(), so draining a block's
# sysfs "state" file is annotated under cpu_hotplug_lock/mem_hotplug_lock,
# while a "state" write holds that file's kernfs active reference and takes
# the same locks: "possible circular locking dependency kn->active#N -->
# cpu_hotplug_lock --> mem_hotplug_lock". No deadlock is possible (every
# remover holds device_hotplug_lock; the sysfs writer only trylocks it, and
# lockdep records no dependency for a trylock). f1037ec0cc8a had fixed the
# same report in v5.6. The stock ACPI eject and virtio-mem reach it too;
# here memhp's offline_remove drains the files while readers and writers of
# "state" run. It has a VM of its own because lockdep reports only once per
# boot.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

g "echo offline > $SYS/auto_online_blocks; modprobe memhp"
read -r id addr size < <(vm plug "$VM" 256M)
mine=$(blocks_of "$addr" "$size" | xargs)
stop=/tmp/lockdep-repro.stop
# Writers: "online_movable" into blocks that are online (EINVAL, but through
# state_store and lock_device_hotplug_sysfs()), readers of every state file.
g "rm -f $stop; for i in 1 2; do (while [ ! -e $stop ]; do
	for b in $mine; do cat $SYS/\$b/state; echo online_movable > $SYS/\$b/state; done
   done) >/dev/null 2>&1 & done"
cycles=0 got=0
for i in $(seq 1 20); do
	cycles=$i
	[ "$(mw add "$addr $size")" = OK ] || break
	# shellcheck disable=SC2086 # $mine: the DIMM's block names, a word each
	set_blocks online_movable $mine 2>/dev/null || true
	[ "$(mw offline_remove "$addr $size")" = OK ] || break
	if g "dmesg | grep -q 'possible circular locking dependency'"; then
		got=1
		break
	fi
done
g "touch $stop"
diag "$cycles add/online/offline_remove cycles"
if [ $got = 1 ]; then
	ok "reproduced: lockdep reports kn->active vs mem_hotplug_lock on hot-remove ($cycles cycles)"
else
	# Not every run catches a reader inside the drain; a kernel with the fix never does.
	ok "not reproduced in $cycles cycles"
fi
expect_eq "memhp owns nothing" "" "$(ranges)"
check "unplug the DIMM" vm unplug "$VM" "$id"
finish
