# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# The host side's shared helpers, sourced by scripts/check, bench, demo,
# soak-boot, tcg-text-poke and the scenarios' lib.sh: the slow-machine
# knob, the kernel list, which kernel is a debug kernel, memory block
# names, guest commands and polls with deadlines, and a crashed guest's
# console. It sources splat.sh (crash_class).
#
# Every deadline here is in seconds on a fast machine; SLOW (MEMHP_SLOW,
# rounded up to a whole number) multiplies it. qemu/vm and build/user/
# vm-exec scale their own deadlines (exec --timeout, boot, stop) by
# MEMHP_SLOW itself, so a G_TIMEOUT is passed to them unscaled.

MEMHP_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=splat.sh
. "$MEMHP_TOP/scripts/lib/splat.sh"

# memhp_slow VALUE: MEMHP_SLOW's VALUE as a whole-number multiplier for
# shell arithmetic, rounded up: 1.5 gives 2, never 1.
memhp_slow() {
	if ! [[ "$1" =~ ^[0-9]+([.][0-9]+)?$ ]] || [ -z "${1//[0.]/}" ]; then
		echo "MEMHP_SLOW='$1' is not a positive number" >&2
		return 1
	fi
	awk -v v="$1" 'BEGIN { n = int(v); if (n < v) n++; print n }'
}
SLOW=$(memhp_slow "${MEMHP_SLOW:-1}") || exit 2

# memhp_kernels_default: the kernels make check tests unless told: Debian
# 12's two packaged ones, Debian's newest source (scripts/kernel-source),
# its debug lane (KASAN, lockdep, kmemleak) and that lane with memhp's
# kernel patches (docs/testing.md).
memhp_kernels_default() {
	echo "6.1 6.12 $("$MEMHP_TOP/scripts/kernel-source" --name) debug debug+fixes"
}

# memhp_kernels_check LIST [LANES]: every word of LIST is 6.1, 6.12, a lane
# of scripts/build-kernel or a kernel tree (a folder with a .config); else
# it names the first that is not, and fails. LANES is build-kernel --lanes'
# output when the caller has it already; else it is asked here.
memhp_kernels_check() {
	local k lanes=${2-} lv
	[ $# -ge 2 ] || lanes=$("$MEMHP_TOP/scripts/build-kernel" --lanes)
	read -ra lv <<<"$lanes"
	lanes=" 6.1 6.12 ${lv[*]} "
	[ -n "${1// /}" ] || { echo "no kernel named (--kernels '')" >&2; return 1; }
	for k in $1; do
		[[ "$lanes" == *" $k "* ]] || [ -f "$k/.config" ] || {
			echo "unknown kernel '$k': not one of$lanes and not a kernel tree (no $k/.config)" >&2
			return 1
		}
	done
}

# memhp_debug_kernel K: true when kernel K (a name scripts/kernel-release
# takes, or a .config file) has KASAN or lockdep (PROVE_LOCKING) in its
# .config: a debug kernel, to scripts/check, bench and soak-boot alike
# (deadlines x3 unless MEMHP_SLOW says, more memory for its VMs; check runs
# only the "# debug: yes" scenarios there). A lane's tree must be built.
memhp_debug_kernel() {
	local missing rc=0
	# --has prints the options it lacks: a debug kernel lacks at most one.
	missing=$("$MEMHP_TOP/scripts/kconfig-check" --has "$1" CONFIG_KASAN CONFIG_PROVE_LOCKING) || rc=$?
	[ $rc -eq 0 ] || { [ $rc -eq 1 ] && [ "$missing" != "CONFIG_KASAN CONFIG_PROVE_LOCKING" ]; }
}

# memhp_blocks ADDR SIZE BLOCK_SIZE: the memoryN names of the memory blocks
# covering [ADDR, ADDR+SIZE) (each a number or shell arithmetic: 0x...
# too), lowest first, one a line.
memhp_blocks() {
	local addr=$(($1)) size=$(($2)) bs=$(($3)) i
	for ((i = addr / bs; i < (addr + size) / bs; i++)); do echo "memory$i"; done
}

# g CMD...: run a shell command line in the guest $VM (stdin not forwarded);
# it is killed after G_TIMEOUT seconds (default 300, x MEMHP_SLOW) and g
# then fails with 124. build/user/vm-exec is qemu/vm exec without a Python
# start per call (make user builds it); the scenarios make hundreds of them.
export MEMHP_RUN_DIR=${MEMHP_RUN_DIR:-$MEMHP_TOP/run}
VMCMD="$MEMHP_TOP/qemu/vm"
VMEXEC="$MEMHP_TOP/build/user/vm-exec"
g() {
	if [ -x "$VMEXEC" ]; then
		"$VMEXEC" --timeout "${G_TIMEOUT:-300}" "$VM" -- sh -c "$*"
	else
		"$VMCMD" exec "$VM" -n --timeout "${G_TIMEOUT:-300}" -- sh -c "$*"
	fi
}

# gpoll SECS COND [DESC]: poll the guest shell condition COND in $VM until
# it holds or SECS (x SLOW) pass. On timeout it prints what it waited for
# (DESC, else COND) and what COND printed last, and fails.
gpoll() {
	local secs=$(($1 * SLOW)) cond=$2 d=${3:-$2}
	d=${d//\'/}
	G_TIMEOUT=$(($1 + 60)) g "end=\$((\$(date +%s) + $secs))
		while ! ( $cond ) >/dev/null 2>&1; do
			if [ \$(date +%s) -ge \$end ]; then
				echo 'timeout after ${secs}s waiting for: $d; last seen:'
				( $cond ) 2>&1 | sed 's/^/  /'
				exit 1
			fi
			sleep 0.02
		done"
}

# vm_console_class NAME FILE: VM NAME's serial console, saved once into
# FILE, and crash_class's line for it ("CLASS ID FIRST-LINE"; nothing when
# it has no report).
vm_console_class() {
	"$VMCMD" console "$1" >"$2" 2>/dev/null || true
	crash_class <"$2"
}

# vm_sysrq_crash NAME: crash VM NAME on purpose (sysrq c: the kernel
# panics, QEMU exits, panic=-1) and wait up to 60 s (x SLOW) for QEMU to
# go, for the runners' tests of their own crash handling.
vm_sysrq_crash() {
	local end=$(($(date +%s) + 60 * SLOW))
	"$VMCMD" exec "$1" -n --timeout 30 -- sh -c 'echo 1 >/proc/sys/kernel/sysrq; echo c >/proc/sysrq-trigger' \
		>/dev/null 2>&1 || true
	while "$VMCMD" list 2>/dev/null | awk '{ print $1 }' | grep -qxF "$1"; do
		[ "$(date +%s)" -lt "$end" ] || return 1
		sleep 0.2
	done
}
