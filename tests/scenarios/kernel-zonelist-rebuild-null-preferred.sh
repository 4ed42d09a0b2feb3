#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# desc: known issue zonelist-rebuild-null-preferred: an allocation racing a zonelist rebuild oopses in zone_statistics
# vm: --smp 2
# cost: 4
# last: yes (an oops leaves the guest unusable)
#
# Reproducer of known kernel issue zonelist-rebuild-null-preferred
# (docs/kernel-issues.md, kernel/known-issues). Onlining the first block of
# a zone, or offlining its last, rebuilds every zonelist in place
# (build_all_zonelists(): the zonerefs are rewritten, then the NULL
# terminator). get_page_from_freelist() walks the zonelist from
# ac->preferred_zoneref and, once it found a zone, reads the preferred zone
# again through that zoneref (rmqueue(zonelist_zone(ac->preferred_zoneref),
# zone, ...)). When the list has just shrunk by one and the preferred
# zoneref was its last zone, that entry is now the terminator: the preferred
# zone is NULL and zone_statistics() faults on zone_to_nid(NULL).
#
# That layout is one populated zone below ZONE_MOVABLE on the whole system
# (a tinyconfig kernel without ZONE_DMA, memory below 4 GiB: DMA32 only) and
# a block going online_movable/offline: [Movable, DMA32, NULL] becomes
# [DMA32, NULL], and a GFP_KERNEL allocation's preferred entry (index 1)
# becomes the terminator. With ZONE_DMA after DMA32 (Debian's kernels) the
# entry holds DMA instead, and nothing faults. The scenario reads the layout
# from /proc/zoneinfo and skips where the race cannot fault.
#
# It onlines and offlines one hot-plugged block, 500 times at a go, up to
# $ROUNDS times (3000, and 3000 / MEMHP_SLOW^2 = 333 on a debug kernel,
# where a pair costs seconds) or until the oops, while guest loops allocate
# kernel memory
# (three fork+exec loops, and module load and unload: what
# memhp_lifecycle.sh did when it hit the oops). It is a race: a kernel that
# has it may get through all the rounds (on 7.3 under TCG the first 1000
# pairs hit it in one run of two); one that oopses is counted as the known
# issue (scripts/lib/splat.sh), an expected failure.
#
# It is not in the debug lane. The fault needs no sanitizer to show (a NULL
# pointer dereference oopses any kernel), and a debug kernel makes the race
# too rare to meet in a bounded run: on 7.3.4's debug tree 87 pairs went by
# without it, each pair seconds long. Its fix (patch 0006) is proven on the
# plain lanes: scripts/check --kernels "7.3 7.3+fixes".
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

ROUNDS=${ROUNDS:-$((3000 / (SLOW * SLOW)))}
CHUNK=$((ROUNDS < 500 ? ROUNDS : 500))
# An offline can retry its migration for as long as the allocators keep
# the block's pages busy (on debug: "migrating pfn ... failed ret:11", over
# and over); each one is interrupted after OFF_TIMEOUT (EINTR: rolled back,
# the block stays online) and a chunk gives up after three such offlines.
OFF_TIMEOUT=$((10 * SLOW))

g "modprobe memhp; echo offline > $SYS/auto_online_blocks"
# Populated zones below Movable, over all nodes ("Node N, zone Z" and its
# "present" count).
low=$(g "awk '/^Node/ { z = \$4 } \$1 == \"present\" && \$2 > 0 && z != \"Movable\" { n++ } END { print n + 0 }' /proc/zoneinfo")
if [ "$low" != 1 ]; then
	skip_all "$low populated zones below Movable: a shrunk zonelist's preferred entry for GFP_KERNEL is never its terminator"
fi
movable=$(g "awk '/^Node/ { z = \$4 } \$1 == \"present\" && \$2 > 0 && z == \"Movable\" { n++ } END { print n + 0 }' /proc/zoneinfo")
if [ "$movable" != 0 ]; then
	skip_all "ZONE_MOVABLE is populated at boot: onlining a block there rebuilds no zonelist"
fi
baseline_take
bs=$(block_size)
plug_wait $((bs >> 20))M offline
# shellcheck disable=SC2154 # plug_wait (lib.sh) sets mine and id
blk=${mine%% *} dimm=$id
stop=/tmp/zl.stop
# The allocators: three fork+exec loops and a module load/unload loop,
# until $stop exists.
# shellcheck disable=SC2016 # the guest's shell expands $!
g "rm -f $stop /tmp/zl.pids
   for i in 1 2 3; do ( while [ ! -e $stop ]; do /bin/true; done ) >/dev/null 2>&1 & echo \$! >>/tmp/zl.pids; done
   ( while [ ! -e $stop ]; do rmmod memhp 2>/dev/null; modprobe memhp; done ) >/dev/null 2>&1 & echo \$! >>/tmp/zl.pids"
# oopsed: the oops is in the guest's kernel log, read from its serial
# console on the host: after the oops the guest can be wedged (the other
# CPU spinning on a lock the dead task held), its agent silent.
oopsed() { vm console "$VM" 2>/dev/null | grep -qE 'RIP: [0-9a-f]+:zone_statistics'; }
# The churn, $CHUNK pairs at a time, until the oops or $ROUNDS pairs.
n=0 done_rounds=0
chunk_out=$(mktemp)
trap 'rm -f "$chunk_out"' EXIT
while [ "$done_rounds" -lt "$ROUNDS" ]; do
	# The chunk runs in the background while the host watches the
	# console: a guest wedged by the oops would hold it to its deadline.
	# shellcheck disable=SC2016 # the guest's shell expands $n and $i
	G_TIMEOUT=300 g "n=0 i=0 t=0
		while [ \$i -lt $CHUNK ] && [ \$t -lt 3 ]; do
			i=\$((i + 1))
			if [ \"\$(cat $SYS/$blk/state)\" = offline ]; then
				echo online_movable > $SYS/$blk/state 2>/dev/null || continue
			fi
			case \$(memhp-write --timeout $OFF_TIMEOUT $SYS/$blk/state offline) in
			OK) n=\$((n + 1)) ;;
			EINTR | KILLED) t=\$((t + 1)) ;;
			esac
		done
		echo \$n \$t \$i" >"$chunk_out" 2>/dev/null &
	pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		if oopsed; then
			# The subshell's g client first: left alone it would hold
			# the agent's lock on the wedged guest until its deadline.
			pkill -P "$pid" 2>/dev/null || true
			kill "$pid" 2>/dev/null || true
			break
		fi
		sleep 0.5
	done
	wait "$pid" 2>/dev/null || true
	read -r c t tried <"$chunk_out" || true
	n=$((n + ${c:-0})) done_rounds=$((done_rounds + ${tried:-CHUNK}))
	! oopsed || break
	if [ "${t:-0}" -ge 3 ]; then
		diag "three offlines of $blk overran ${OFF_TIMEOUT}s beside the allocators (rolled back): no more rounds"
		break
	fi
done
if oopsed; then
	diag "$n of $done_rounds online_movable/offline pairs of $blk completed beside the allocators"
	ok "reproduced: an allocation racing the zonelist rebuild faulted in zone_statistics"
	finish
fi
g "touch $stop"
gwait 60 "the allocators stopped" "for p in \$(cat /tmp/zl.pids); do ! kill -0 \$p 2>/dev/null || exit 1; done" || true
g "modprobe memhp" || true
# An overrun offline left the block online; without the allocators it goes.
set_blocks offline "$blk" || true
diag "$n of $done_rounds online_movable/offline pairs of $blk completed beside the allocators"
check "the block changed zones during the allocations" [ "$n" -gt 0 ]
check "$blk is offline" g "[ \$(cat $SYS/$blk/state) = offline ]"
check "unplug $dimm" vm unplug "$VM" "$dimm" --timeout 60
baseline_expect ""
finish
