# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Helpers for host-driven scenarios (sourced). A scenario runs against the VM
# named in $VM, prints KTAP-style lines ("ok N desc" / "not ok N desc") and
# exits 0 when everything passed, 4 when skipped, 1 otherwise.

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SYS=/sys/devices/system/memory
# Files a scenario keeps for a person to open (e.g. a trace.dat): make check
# puts them beside the logs.
# shellcheck disable=SC2034 # used by the scenarios that source this file
ARTIFACTS=${MEMHP_ARTIFACTS:-$TOP/build/scenario}
# VMCMD, VMEXEC, MEMHP_RUN_DIR, SLOW, g, gpoll; crash_class and the splat
# patterns (splat.sh).
# shellcheck source=../../scripts/lib/host.sh
. "$TOP/scripts/lib/host.sh"
: "${VM:?VM must name a running memhp VM}"

_n=0
_failed=0

# Deadlines, in seconds on a fast machine. MEMHP_SLOW (set by scripts/check,
# 3 for a KASAN/lockdep kernel) multiplies every one of them: qemu/vm scales
# its own (exec, unplug, boot), the helpers here the guest-side ones (SLOW,
# scripts/lib/host.sh).
G_TIMEOUT=${G_TIMEOUT:-300}	# any one guest command
OP_TIMEOUT=${OP_TIMEOUT:-120}	# one offline, offline_remove or remove
# (memhp-write --timeout: SIGALRM at OP_TIMEOUT, SIGKILL a quarter later)

# ops_timeout N: a guest command's deadline (before MEMHP_SLOW) that covers N
# such operations, each with its grace period.
ops_timeout() { echo $(((OP_TIMEOUT * 3 / 2) * $1 + 60)); }

vm() { "$VMCMD" "$@"; }

# Every test point is followed by "# +S.Ss": the seconds since the previous
# one, so a scenario's log is also its profile (never asserted on).
_t=${EPOCHREALTIME/./}
_lap() {
	local now=${EPOCHREALTIME/./}
	printf '# +%d.%ds\n' $(((now - _t) / 1000000)) $(((now - _t) / 100000 % 10))
	_t=$now
}
ok() { _n=$((_n + 1)); echo "ok $_n $*"; _lap; }
not_ok() { _n=$((_n + 1)); _failed=1; echo "not ok $_n $*"; _lap; }
diag() { printf '# %s\n' "$@"; }

# check DESC CMD...: one test point from a host command's exit status.
check() {
	local desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

# expect_eq DESC EXPECTED ACTUAL
expect_eq() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1"
		diag "expected: $2" "     got: $3"
	fi
}

# gwait SECS DESC 'guest shell condition': poll the condition inside the guest
# until it holds or the deadline passes (gpoll); on timeout, print what it
# printed.
gwait() {
	if gpoll "$1" "$3" "$2"; then
		ok "$2"
	else
		not_ok "$2"
		return 1
	fi
}

# gwait_quiet SECS DESC COND: gwait without its "ok" line, for a wait inside
# a loop; a timeout is still a "not ok", with what the guest showed.
gwait_quiet() {
	local out
	out=$(gwait "$@") && return 0
	not_ok "$2"
	grep -vE '^(not )?ok |^# \+' <<<"$out" | sed 's/^/# /'
	return 1
}

skip_all() { echo "1..0 # SKIP $*"; exit 4; }

finish() {
	echo "1..$_n"
	exit "$_failed"
}

# --- guest state snapshots -------------------------------------------------
block_size() { g "printf '%d\n' 0x\$(cat $SYS/block_size_bytes)"; }

# debug_kernel: the guest's kernel has lockdep or KASAN, where each lock
# and allocation costs several times what it does elsewhere (a scenario
# that repeats one call hundreds of times covers memhp's part there).
debug_kernel() {
	g "[ -e /proc/lockdep ] || dmesg | grep -q 'KernelAddressSanitizer initialized'"
}

# "memoryN state" for every block, sorted by block number.
blocks() {
	# shellcheck disable=SC2016 # the guest's shell expands $b
	g 'cd '"$SYS"' && for b in memory*; do
		echo "$b $(cat $b/state)"; done | sort -V'
}
memtotal_kb() { g "awk '/^MemTotal:/ { print \$2 }' /proc/meminfo"; }
iomem_ram() { g "grep -i 'System RAM' /proc/iomem"; }

# baseline_take: remember the guest's memory layout for baseline_expect.
baseline_take() {
	base_blocks=$(blocks)
	base_iomem=$(iomem_ram)
	base_mem=$(memtotal_kb)
	base_nodes=$(has_memory)
}

# baseline_expect [PREFIX]: one test point each that the block list,
# /proc/iomem RAM, MemTotal and the nodes with memory are as baseline_take saw.
baseline_expect() {
	local p=${1:+$1 }
	expect_eq "${p}block list back to baseline" "$base_blocks" "$(blocks)"
	expect_eq "${p}/proc/iomem RAM back to baseline" "$base_iomem" "$(iomem_ram)"
	expect_eq "${p}MemTotal back to baseline" "$base_mem" "$(memtotal_kb)"
	expect_eq "${p}nodes with memory back to baseline" "$base_nodes" "$(has_memory)"
}

dimm_count() { vm qmp "$VM" query-memory-devices | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'; }

# The blocks covering [ADDR, ADDR+SIZE): "memoryN" names, one per line
# (memhp_blocks, with the guest's block size).
blocks_of() { memhp_blocks "$1" "$2" "$(block_size)"; }

# --- memhp debugfs --------------------------------------------------------
MEMHP=/sys/kernel/debug/memhp

# mw FILE TEXT: one write into a memhp file; prints OK or the errno name. A
# write that overruns OP_TIMEOUT (x MEMHP_SLOW) is interrupted (offline gives
# up with EINTR and rolls back); that is reported with the blocks of the
# range and the kernel's last migration failures on stderr.
mw() {
	local r
	r=$(G_TIMEOUT=$(ops_timeout 1) g "memhp-write --timeout $((OP_TIMEOUT * SLOW)) $MEMHP/$1 '$2'") || true
	echo "$r"
	if [ "$r" = EINTR ] || [ "$r" = KILLED ]; then
		local start size
		read -r start size _ <<<"$2"
		# shellcheck disable=SC2046 # the block names, a word each
		overrun_diag "$1 '$2'" $(blocks_of "$start" "$size") >&2
	fi
}

# overrun_diag WHAT BLOCKS...: why an offline did not finish in time.
overrun_diag() {
	local what=$1
	shift
	diag "$what: interrupted after $((OP_TIMEOUT * SLOW))s (EINTR: rolled back; KILLED: a fatal signal was needed); blocks:"
	g "for b in $*; do echo \"  \$b: \$(cat $SYS/\$b/state 2>&1) zones=\$(cat $SYS/\$b/valid_zones 2>&1)\"; done
	   echo '  kernel, last migration failures:'
	   dmesg | grep -E 'migrating pfn|migration failure|page dumped|offline' | tail -n 8 | sed 's/^/    /'
	   true" | sed 's/^/# /'
}
ranges() { g "cat $MEMHP/ranges"; }

# fill_mib MIB: the size of a fill that only has to be moved and checked,
# not timed: MIB, and a quarter of it (at least 8) on a debug kernel, where
# KASAN checks every byte the fill writes and the migration copies.
fill_mib() {
	if debug_kernel; then echo $(($1 / 4 > 8 ? $1 / 4 : 8)); else echo "$1"; fi
}

# fill_start SIZE RANGE: a guest program holding SIZE of patterned memory;
# waits until it is ready and prints its "ready:" line.
fill_start() {
	g "rm -f /tmp/fill.log; memhp-fill $1 --range $2 >/tmp/fill.log 2>&1 &
		echo \$! >/tmp/fill.pid" &&
		gwait 120 "memhp-fill holds $1" "grep -q '^ready' /tmp/fill.log" >/dev/null &&
		g "grep '^ready' /tmp/fill.log"
}
# fill_check: signal it to verify; prints its RESULT line.
fill_check() {
	g "kill -USR1 \$(cat /tmp/fill.pid)" &&
		gwait 120 "memhp-fill verified" "grep -q '^RESULT' /tmp/fill.log" >/dev/null
	g "grep '^RESULT' /tmp/fill.log"
}

# plug_wait SIZE STATE [plug options]: plug a DIMM, wait until all its blocks
# exist in STATE (online/offline); sets id, addr, size, mine (block names).
plug_wait() {
	local sz=$1 want=$2
	shift 2
	read -r id addr size < <(vm plug "$VM" "$sz" "$@")
	mine=$(blocks_of "$addr" "$size" | xargs)
	gwait 60 "$id: $((size >> 20)) MiB at $addr, $(wc -w <<<"$mine") blocks $want" \
		"for b in $mine; do s=\$(cat $SYS/\$b/state 2>&1)
			[ \"\$s\" = $want ] || { echo \"\$b: \$s\"; exit 1; }; done"
}

# set_blocks STATE BLOCKS...: write STATE into each block's state, in order,
# where it is not in that state already; stops at the first failure. A write that overruns OP_TIMEOUT (x MEMHP_SLOW)
# is interrupted and named, with its block's state and the kernel's last
# migration failures.
set_blocks() {
	local st=$1 out
	shift
	out=$(G_TIMEOUT=$(ops_timeout $#) g "for b in $*; do
		case $st:\$(cat $SYS/\$b/state) in offline:offline | online*:online) continue ;; esac
		r=\$(memhp-write --timeout $((OP_TIMEOUT * SLOW)) $SYS/\$b/state $st)
		[ \"\$r\" = OK ] || { echo \"\$b \$r\"; exit 1; }
	done") && return 0
	echo "set_blocks: $st: ${out:-guest command failed}" >&2
	case "$out" in
	*" EINTR" | *" KILLED") overrun_diag "${out%% *} $st" "${out%% *}" >&2 ;;
	esac
	return 1
}

# stat N: a count from memhp's stats ("MEM_ONLINE", "dropped", ...).
stat() { g "awk '\$1 == \"$1\" { print \$2 }' $MEMHP/stats"; }

# zone_present NODE ZONE: present pages of that zone (/proc/zoneinfo), 0 if none.
zone_present() {
	g "awk -v want='Node $1, zone $2' '
		/^Node/ { cur = \$1 \" \" \$2 \" \" \$3 \" \" \$4 }
		cur == want && \$1 == \"present\" { print \$2; found = 1; exit }
		END { if (!found) print 0 }' /proc/zoneinfo"
}
# of_mine ATTR: memoryN/ATTR of each block in $mine, one per line, in order.
of_mine() { g "for b in $mine; do cat $SYS/\$b/$1; done"; }
has_memory() { g "cat /sys/devices/system/node/has_memory"; }

# --- dax/kmem ----------------------------------------------------------------
# dax_modules: memhp and the pmem/devdax/kmem drivers loaded, blocks added
# offline (auto_online_blocks); a module the kernel built in is no error.
dax_modules() {
	g "modprobe memhp; echo offline > $SYS/auto_online_blocks
	   for m in nfit nd_e820 nd_pmem dax_pmem device_dax kmem; do modprobe \$m 2>/dev/null; done; true"
}

# dax_devdax NS: wait for namespace NS, make it devdax (ndctl
# create-namespace -f: also from devdax); prints its dax device (daxR.N) or
# fails with what ndctl said.
dax_devdax() {
	local out
	gpoll 60 "[ -e /sys/bus/nd/devices/$1 ]" "$1 exists" >/dev/null || return 1
	# shellcheck disable=SC2016 # the guest's shell expands $?
	out=$(G_TIMEOUT=120 g "ndctl create-namespace -m devdax -e $1 -f 2>&1") || {
		echo "ndctl create-namespace -m devdax -e $1: $out" >&2
		return 1
	}
	sed -n 's/.*"chardev":"\(dax[0-9]*\.[0-9]*\)".*/\1/p' <<<"$out" | head -n 1
}

# dax_kmem_range: "START END" (hex, no 0x) of the first "System RAM (kmem)"
# range in /proc/iomem; nothing when there is none.
dax_kmem_range() {
	g "sed -n 's/^ *\([0-9a-f]*\)-\([0-9a-f]*\) : System RAM (kmem)\$/\1 \2/p' /proc/iomem" | head -n 1
}

# blocks_in STATE BLOCKS...: true when every block is in STATE ("online",
# "offline"); "gone": none of them exists.
blocks_in() {
	local st=$1
	shift
	if [ "$st" = gone ]; then
		g "for b in $*; do [ ! -e $SYS/\$b ] || exit 1; done"
	else
		g "for b in $*; do [ \"\$(cat $SYS/\$b/state 2>&1)\" = $st ] || exit 1; done"
	fi
}

# block_states BLOCKS...: "memoryN=STATE" for each, on one line (for diag).
block_states() { g "for b in $*; do printf '%s=%s ' \$b \"\$(cat $SYS/\$b/state 2>/dev/null || echo gone)\"; done; echo"; }

# dax_pmem_devdax DEV WHY: the tools and drivers, nd device DEV (else the
# scenario skips: "no DEV" and WHY), and namespace0.0 made devdax: sets dax
# (daxR.N).
dax_pmem_devdax() {
	g "command -v ndctl && command -v daxctl" >/dev/null ||
		skip_all "the guest image has no ndctl/daxctl (scripts/deps installs them)"
	dax_modules
	gpoll 60 "[ -e /sys/bus/nd/devices/$1 ]" "$1" >/dev/null || skip_all "no $1 ($2)"
	dax=$(dax_devdax namespace0.0) || { not_ok "namespace0.0 becomes devdax"; finish; }
	ok "namespace0.0 becomes devdax: $dax"
}

# dax_nvdimm_devdax: dax_pmem_devdax on NVDIMM nv0's region0 (qemu/vm --nvdimm).
dax_nvdimm_devdax() {
	dax_pmem_devdax region0 "NVDIMM: the nfit driver did not load or found no NFIT"
}

# dax_system_ram: daxctl reconfigure-device -N -m system-ram $dax (kmem
# adds it, nothing onlined); sets start and end (hex, no 0x) of its "System
# RAM (kmem)" range, mine (its blocks) and nb (how many).
dax_system_ram() {
	local out
	out=$(G_TIMEOUT=120 g "daxctl reconfigure-device -N -m system-ram $dax 2>&1") ||
		{ not_ok "daxctl reconfigure-device -N -m system-ram $dax: $out"; finish; }
	ok "daxctl reconfigure-device -N -m system-ram $dax"
	read -r start end < <(dax_kmem_range) || true
	[ -n "${start:-}" ] || { not_ok "/proc/iomem has a \"System RAM (kmem)\" range"; finish; }
	mine=$(blocks_of "0x$start" "$((0x$end - 0x$start + 1))" | xargs)
	nb=$(wc -w <<<"$mine")
	ok "/proc/iomem: $start-$end : System RAM (kmem), $nb blocks"
}

# dax_state_file: S, $dax's state attribute (7.3); a kernel without it gets
# the device back in devdax mode and the scenario skips.
dax_state_file() {
	S=/sys/bus/dax/devices/$dax/state
	g "[ -e $S ]" && return 0
	g "daxctl reconfigure-device -m devdax -f $dax" >/dev/null 2>&1 || true
	skip_all "no $S (the kmem state attribute is new in 7.3)"
}

# dax_sw VALUE: one write of VALUE into $S (memhp-write: OK or the errno
# name), its deadline one offline per block.
dax_sw() { G_TIMEOUT=$(ops_timeout "$nb") g "memhp-write --timeout $((OP_TIMEOUT * SLOW * nb)) $S $1"; }

# dax_state_device: dax_nvdimm_devdax, baseline_take, dax_system_ram and
# dax_state_file: the kmem device a state-file scenario starts from.
dax_state_device() {
	dax_nvdimm_devdax
	baseline_take
	dax_system_ram
	dax_state_file
}

# dax_online: daxctl online-memory $dax; two test points: it succeeded, and
# every block of $mine is online.
dax_online() {
	local out r=0
	out=$(G_TIMEOUT=$(ops_timeout "$nb") g "daxctl online-memory $dax 2>&1") || r=$?
	[ "$r" -eq 0 ] || diag "$out"
	check "daxctl online-memory $dax" [ "$r" -eq 0 ]
	# shellcheck disable=SC2086 # $mine: the block names, a word each
	check "all $nb blocks online" blocks_in online $mine
}

