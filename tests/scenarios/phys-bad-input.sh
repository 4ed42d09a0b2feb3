#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# desc: memhp's add / remove / offline_remove refuse every bad input, foreign range and race
# vm: --smp 2 --append acpi_no_memhotplug
# cost: 2
# debug: yes
#
# The bad-input, ownership and concurrency rules of memhp's add / remove /
# offline_remove (selftests/memhp_phys.c), on a plugged DIMM that no driver
# added. Then the guest is back to its baseline and the DIMM unplugs.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

g "echo offline > $SYS/auto_online_blocks; modprobe memhp"
baseline_take
read -r id addr size < <(vm plug "$VM" 1G)

rc=0
g "MEMHP_TEST_FREE_RANGE='$addr $size' /opt/memhp/selftests/memhp/memhp_phys" \
	>/tmp/memhp_phys.$$ 2>&1 || rc=$?
sed 's/^/# /' /tmp/memhp_phys.$$
rm -f /tmp/memhp_phys.$$
expect_eq "memhp_phys selftest passes" 0 "$rc"
expect_eq "ranges is empty" "" "$(ranges)"
baseline_expect ""
check "unplug $id" vm unplug "$VM" "$id"
finish
