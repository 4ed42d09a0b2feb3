#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# desc: dax/kmem on CXL memory: a CXL type-3 device's pmem region as devdax, then System RAM, as far as QEMU 7.2 carries it
# vm: --cxl 512M
# cost: 2
# needs: CONFIG_CXL_BUS CONFIG_CXL_PCI CONFIG_CXL_MEM CONFIG_CXL_PMEM CONFIG_CXL_REGION CONFIG_DEV_DAX_PMEM CONFIG_DEV_DAX_KMEM
#
# The CXL flavour of the kmem path, on qemu/vm --cxl (q35, cxl=on, one
# cxl-type3 device behind a CXL host bridge and root port): cxl_pci
# binds the device (memdev mem0), "cxl create-region -t pmem" makes a
# region in the fixed memory window, its nvdimm bridge gives an nd region,
# ndctl makes a devdax namespace there, daxctl hands it to kmem and onlines
# it, then the data check, offline and back to devdax as in dax-kmem.
# Each step that QEMU 7.2 or the kernel cannot do ends the scenario with
# a SKIP naming the step and the reason; what ran before it is checked.
# Measured (docs/vm.md): Debian's 6.12 stops at cxl_pci's probe, which
# needs the device's event interrupts (QEMU 7.2 has none); 6.1 gets to
# System RAM, but what a program writes into that memory does not read
# back (QEMU 7.2's CXL memory under TCG), so it stops there.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

g "command -v cxl && command -v ndctl && command -v daxctl" >/dev/null ||
	skip_all "the guest image has no cxl/ndctl/daxctl (scripts/deps installs ndctl)"
g "modprobe memhp; echo offline > $SYS/auto_online_blocks
   for m in cxl_acpi cxl_pci cxl_port cxl_mem cxl_pmem dax_cxl libnvdimm nd_pmem dax_pmem device_dax kmem; do
	modprobe \$m 2>/dev/null; done; true"
if ! gpoll 30 "cxl list -M | grep -q '\"memdev\":\"mem0\"'" "cxl memdev mem0" >/dev/null; then
	why=$(g "dmesg | grep -E 'cxl_pci .*(Failed|failed|probe)' | tail -n 1 | sed 's/^\[[^]]*\] //'" || true)
	skip_all "cxl_pci did not bind the cxl-type3 device (no mem0): ${why:-no reason logged}"
fi
ok "cxl_pci bound the cxl-type3 device: mem0"
baseline_take
out=$(G_TIMEOUT=120 g "cxl create-region -t pmem -d decoder0.0 -w 1 -m mem0 2>&1") ||
	skip_all "cxl create-region -t pmem -d decoder0.0 -m mem0 failed: $(tail -n 1 <<<"$out")"
ok "cxl create-region -t pmem: $(sed -n 's/.*"region":"\(region[0-9]*\)".*/\1/p' <<<"$out" | head -n 1)"
# shellcheck disable=SC2016 # the guest's shell expands $?
gpoll 30 "ndctl list -R | grep -q '\"dev\":\"region'" "an nd region" >/dev/null ||
	{ not_ok "the CXL pmem region appears as an nd region"; finish; }
ok "the CXL pmem region appears as an nd region"
out=$(G_TIMEOUT=120 g "ndctl create-namespace -m devdax -r region0 2>&1") ||
	{ not_ok "ndctl create-namespace -m devdax -r region0: $out"; finish; }
dax=$(sed -n 's/.*"chardev":"\(dax[0-9]*\.[0-9]*\)".*/\1/p' <<<"$out" | head -n 1)
ok "ndctl create-namespace -m devdax -r region0: $dax"
dax_system_ram
node=$(g "cat /sys/bus/dax/devices/$dax/target_node")
diag "$dax's target node: $node"
dax_online
check "memhpctl status names the owner kmem" g "memhpctl status | grep -qw kmem"

# Does the memory hold data? 8 MiB bound to the device's node, read back
# before any hotplug operation touches it.
fill=$((8 << 20))
g "rm -f /tmp/fill.log; memhp-fill $fill --node $node --range 0x$start-0x$end >/tmp/fill.log 2>&1 &
   echo \$! >/tmp/fill.pid"
gpoll 120 "grep -q '^ready' /tmp/fill.log" "memhp-fill ready" >/dev/null || true
result=$(fill_check || true)
g "daxctl offline-memory $dax && daxctl reconfigure-device -m devdax -f $dax" >/dev/null 2>&1 || true
if [[ "$result" != "RESULT ok"* ]]; then
	skip_all "the CXL memory does not hold data: memhp-fill wrote 8 MiB on node $node and read back \"$result\" with no hotplug operation in between (QEMU 7.2's emulated CXL memory)"
fi
ok "8 MiB written on node $node read back intact"
# The full loop: data migrated off by the offline.
out=$(G_TIMEOUT=$(ops_timeout "$nb") g "daxctl reconfigure-device -N -m system-ram $dax && daxctl online-memory $dax 2>&1") ||
	{ not_ok "kmem again: $out"; finish; }
g "rm -f /tmp/fill.log; memhp-fill $fill --node $node >/tmp/fill.log 2>&1 & echo \$! >/tmp/fill.pid"
gpoll 120 "grep -q '^ready' /tmp/fill.log" "memhp-fill ready" >/dev/null || true
out=$(G_TIMEOUT=$(ops_timeout "$nb") g "daxctl offline-memory $dax 2>&1") && r=0 || r=$?
check "daxctl offline-memory $dax with data in it" [ "$r" -eq 0 ]
result=$(fill_check || true)
check "the data survived the migration off CXL memory ($result)" grep -q '^RESULT ok' <<<"$result"
out=$(G_TIMEOUT=120 g "daxctl reconfigure-device -m devdax -f $dax 2>&1") && r=0 || r=$?
check "daxctl reconfigure-device -m devdax $dax" [ "$r" -eq 0 ]
baseline_expect "back in devdax mode:"
finish
