#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# memhp.ko loads, creates /sys/kernel/debug/memhp/, unloads without
# leaving anything behind, and reloads clean.

. "$(dirname "$0")/memhp_lib.sh"

ktap_print_header
memhp_require_root
memhp_require_module
ktap_set_plan 4

was_loaded=0
[ -d /sys/module/memhp ] && was_loaded=1
[ $was_loaded -eq 1 ] && rmmod memhp

if modprobe memhp && [ -d /sys/module/memhp ]; then
	ktap_test_pass "modprobe memhp loads the module"
else
	ktap_test_fail "modprobe memhp loads the module"
fi

ktap_test_result "debugfs directory $MEMHP_DEBUGFS exists" [ -d "$MEMHP_DEBUGFS" ]

rmmod memhp
if [ ! -e /sys/module/memhp ] && [ ! -e "$MEMHP_DEBUGFS" ]; then
	ktap_test_pass "rmmod removes the module and its debugfs directory"
else
	ktap_test_fail "rmmod removes the module and its debugfs directory"
fi

i=0 ok=1
while [ $i -lt 20 ]; do
	modprobe memhp && [ -d "$MEMHP_DEBUGFS" ] && rmmod memhp && [ ! -e "$MEMHP_DEBUGFS" ] || ok=0
	i=$((i + 1))
done
ktap_test_result "20 load/unload cycles leave no debugfs entry" [ $ok -eq 1 ]

[ $was_loaded -eq 1 ] && modprobe memhp
ktap_finished
