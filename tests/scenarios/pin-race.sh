#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# desc: pin racing memhp's own offline_remove of the same range: every outcome clean
# vm: --smp 2 --append acpi_no_memhotplug
# cost: 9
# debug: yes
#
# pin racing memhp's own offline_remove of the same range, PIN_RACE times
# (default 20; 200 for the hand run in the issue): memhp adds a DIMM's
# memory, onlines it movable, starts offline_remove and pins the first 4 MiB
# at a random moment (either may start first). memhp serialises the two (memhp_phys_lock), so every
# iteration ends in one of three clean outcomes: pin first (OK), then
# offline_remove refused (EBUSY) and, after unpin, done (OK); pin first but
# refused by alloc_contig_range() itself (EBUSY: it can fail on busy pages,
# seen on idle fresh memory too), then offline_remove done (OK); or
# offline_remove first (OK), then pin refused (EINVAL: not online memory).
# Never an interrupted (spinning) offline, never a splat, nothing left
# added or pinned. The loop runs inside the guest: one guest command.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

N=${PIN_RACE:-20}
g "modprobe memhp; echo offline > $SYS/auto_online_blocks"
baseline_take
read -r id addr size < <(vm plug "$VM" $((2 * $(block_size))))
mine=$(blocks_of "$addr" "$size" | xargs)
A=$(printf '0x%x' "$addr")
T=$((OP_TIMEOUT * SLOW))

out=$(G_TIMEOUT=$((N * 3 * OP_TIMEOUT / 2 + 60)) g "
	w() { memhp-write --timeout $T \"\$@\"; }
	pin_first=0 pin_refused=0 remove_first=0
	for i in \$(seq $N); do
		r=\$(w $MEMHP/add '$A $size'); [ \"\$r\" = OK ] || { echo \"\$i: add: \$r\"; exit 1; }
		for b in $mine; do echo online_movable > $SYS/\$b/state || exit 1; done
		# Either may start first: each waits 0-90 ms.
		(sleep 0.0\$((\$RANDOM % 10)); w $MEMHP/offline_remove '$A $size' >/tmp/race.or 2>&1) &
		sleep 0.0\$((\$RANDOM % 10))
		p=\$(w $MEMHP/pin '$A 4194304')
		wait
		o=\$(cat /tmp/race.or)
		case \$p:\$o in
		OK:EBUSY)
			pin_first=\$((pin_first + 1))
			r=\$(w $MEMHP/unpin '$A 4194304'); [ \"\$r\" = OK ] || { echo \"\$i: unpin: \$r\"; exit 1; }
			r=\$(w $MEMHP/offline_remove '$A $size')
			[ \"\$r\" = OK ] || { echo \"\$i: offline_remove after unpin: \$r\"; exit 1; } ;;
		EBUSY:OK) pin_refused=\$((pin_refused + 1)) ;;
		EINVAL:OK) remove_first=\$((remove_first + 1)) ;;
		*) echo \"\$i: pin \$p, offline_remove \$o\"; exit 1 ;;
		esac
	done
	echo \"done \$pin_first \$pin_refused \$remove_first\"") || true
diag "$out"
read -r word pin_first pin_refused remove_first <<<"$(tail -n 1 <<<"$out")" || true
[ "$word" = "done" ] || pin_first=0 pin_refused=0 remove_first=0
expect_eq "$N iterations, each ending in one of the clean outcomes" \
	"done $N" "$word $((pin_first + pin_refused + remove_first))"
diag "pin first: $pin_first, pin refused by alloc_contig_range(): $pin_refused, offline_remove first: $remove_first"
expect_eq "nothing added" "" "$(ranges)"
expect_eq "nothing pinned" "" "$(g "cat $MEMHP/pinned")"
# shellcheck disable=SC2016 # the guest's shell expands $p
check "no writer left" g 'for p in /proc/[0-9]*; do [ "$(cat $p/comm 2>/dev/null)" != memhp-write ] || exit 1; done'
check "unplug $id" vm unplug "$VM" "$id"
baseline_expect ""
finish
