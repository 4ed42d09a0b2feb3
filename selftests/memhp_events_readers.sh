#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# shellcheck source-path=SCRIPTDIR
# Every ordinary reader the guest has reads memhp's events file as a
# regular file: each one ends within a deadline and prints what it prints
# for a regular-file copy of the same text (busybox tail, head, less, more,
# dd of any block size, ..., bash's and ash's read loops; GNU tail and
# Python where the image has them).  Only a reader that asks to follow
# waits: tail -f and memhpctl events --follow go on and print a new record.
# Makes its records by onlining and offlining an offline hot-plugged block.

# shellcheck source=memhp_lib.sh disable=SC1091
. "$(dirname "$0")/memhp_lib.sh"

ktap_print_header
memhp_require_root
memhp_require_hotplug
memhp_require_module

memhp_require_offline_block "to make records with"
[ -d /sys/module/memhp ] || modprobe memhp || exit "$KSFT_FAIL"
ev=$MEMHP_DEBUGFS/events
tmp=$(mktemp -d)
pids=
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	[ "$(cat "$MEMORY_SYSFS/$blk/state" 2>/dev/null)" != online ] ||
		echo offline >"$MEMORY_SYSFS/$blk/state"
	rm -rf "$tmp"
}
trap cleanup EXIT
secs=$((10 * ${MEMHP_SLOW:-1}))

cycle() {
	echo online_movable >"$MEMORY_SYSFS/$blk/state" &&
		echo offline >"$MEMORY_SYSFS/$blk/state"
}

# The readers: one command a line, @F@ the file, @REF@ the copy.
cat >"$tmp/readers" <<'EOF'
tail -n 2 @F@
tail @F@
tail -n 1 @F@
tail -n 100000 @F@
tail -n +5 @F@
tail -c 100 @F@
tail -c +100 @F@
tail -c 100000 @F@
head -n 2 @F@
head -c 100 @F@
head -n 100000 @F@
cat @F@
less @F@
more @F@
dd if=@F@ bs=1
dd if=@F@ bs=512
dd if=@F@ bs=4k
dd if=@F@ bs=1M
dd if=@F@ bs=4k iflag=fullblock
dd if=@F@ bs=1M iflag=fullblock
dd if=@F@ bs=100 skip=3
dd if=@F@ bs=1 skip=1000 count=300
wc -l @F@
wc -c @F@
grep -c MEM_ @F@
grep MEM_OFFLINE @F@
sort @F@
sort -r -k 3 @F@
uniq @F@
tac @F@
awk '{ print $1, $3 }' @F@
sed -n '$p' @F@
cut -d ' ' -f 3 @F@
nl @F@
od -c @F@
hexdump -C @F@
xxd @F@
md5sum @F@
sha256sum @F@
strings @F@
fold -w 40 @F@
cmp @F@ @REF@
diff @F@ @REF@
sh -c 'while IFS= read -r l; do printf "%s\n" "$l"; done <"$1"' sh @F@
bash -c 'while IFS= read -r l; do printf "%s\n" "$l"; done <"$1"' bash @F@
bash -c 'mapfile -t a <"$1"; printf "%s\n" "${a[@]}"' bash @F@
sh -c 'exec 3<"$1"; while read -r l <&3; do echo "$l"; done; read -r l <&3; read -r l <&3; echo end' sh @F@
sh -c 'tail -n 3 <"$1"' sh @F@
sh -c 'cat "$1" | tail -n 2' sh @F@
EOF
extra=0
if tail --version 2>/dev/null | grep -q GNU; then
	printf '%s\n' 'tail -n 2 @F@' 'tail -c +100 @F@' 'tail -c 100 @F@' >>"$tmp/readers"
else
	extra=$((extra + 1))
fi
if command -v python3 >/dev/null 2>&1; then
	printf '%s\n' "python3 -c 'import sys; sys.stdout.write(open(sys.argv[1]).read())' @F@" \
		"python3 -c 'import sys; sys.stdout.write(\"\".join(open(sys.argv[1])))' @F@" \
		>>"$tmp/readers"
else
	extra=$((extra + 1))
fi
ktap_set_plan $(($(grep -c . "$tmp/readers") + extra + 5))

# check DESCRIPTION CMD...: one result, pass if CMD succeeds.
check() {
	_desc=$1
	shift
	if "$@"; then
		ktap_test_pass "$_desc"
	else
		ktap_test_fail "$_desc"
	fi
}

# run FILE LINE: LINE's command with @F@ as FILE, within the deadline;
# its output (FILE's path as F) in $tmp/out, its exit status in $rc.
run() {
	_file=$1
	eval "set -- $2"
	_n=$#
	while [ "$_n" -gt 0 ]; do
		_a=$1
		shift
		case $_a in
		*@F@*) _a=${_a%%@F@*}$_file${_a#*@F@} ;;
		*@REF@*) _a=${_a%%@REF@*}$tmp/ref${_a#*@REF@} ;;
		esac
		set -- "$@" "$_a"
		_n=$((_n - 1))
	done
	rc=0
	timeout -k 2 "$secs" "$@" </dev/null >"$tmp/raw" 2>"$tmp/err" || rc=$?
	sed "s|$_file|F|g" "$tmp/raw" >"$tmp/out"
}

# Records: until the text passes 10 KiB (more than tail's 8 KiB reads).
echo clear >"$ev"
i=0 size=0
while [ $i -lt 40 ] && [ "$size" -lt 10240 ] && cycle; do
	i=$((i + 1))
	size=$(timeout -k 2 "$secs" dd if="$ev" bs=1M 2>/dev/null | wc -c)
done
rc=0
timeout -k 2 "$secs" cat "$ev" >"$tmp/ref" || rc=$?
lines=$(wc -l <"$tmp/ref")
ktap_print_msg "$i online/offline cycles of $blk: $lines records, $(wc -c <"$tmp/ref") bytes"
# Each line a record, their seqs one after the other.
ref_ok() {
	[ $rc -eq 0 ] && [ "$lines" -ge 20 ] && [ "$(wc -c <"$tmp/ref")" -ge 10240 ] &&
		awk 'NR == 1 { s = $1 } $1 != s || $3 !~ /^(MEM|NODE)_/ { exit 1 } { s++ }' "$tmp/ref"
}
check "records made, and cat gives them, each once, then ends" ref_ok

while IFS= read -r line; do
	desc=$(printf '%s' "$line" | sed 's/@F@/events/g; s/@REF@/copy/g; s|[^-A-Za-z0-9 ._,+=/()]||g')
	run "$tmp/ref" "$line"
	want=$rc
	mv "$tmp/out" "$tmp/want"
	run "$ev" "$line"
	if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
		ktap_print_msg "$desc: still running after ${secs}s (killed)"
		ktap_test_fail "$desc: ends"
	elif [ $rc -ne $want ]; then
		ktap_print_msg "$desc: exit $rc, $want on a copy: $(head -c 300 "$tmp/err")"
		ktap_test_fail "$desc: ends with the copy's output"
	elif ! cmp -s "$tmp/out" "$tmp/want"; then
		ktap_print_msg "$desc: output differs from the copy's:"
		diff "$tmp/want" "$tmp/out" | head -n 10 | sed 's/^/#   /'
		ktap_test_fail "$desc: ends with the copy's output"
	else
		ktap_test_pass "$desc: ends with the copy's output"
	fi
done <"$tmp/readers"
tail --version 2>/dev/null | grep -q GNU ||
	ktap_test_skip "GNU tail: not in this image (busybox's tail is, above)"
command -v python3 >/dev/null 2>&1 || ktap_test_skip "Python read(): no python3 in this image"

# Those that ask to follow wait, and print what comes.
last=$(tail -n 1 "$tmp/ref" | cut -d' ' -f1)
next=$((last + 1))
has() { grep -q "^$1 " "$2"; }
tail -f "$ev" >"$tmp/tail-f" 2>&1 &
tailf=$!
pids="$pids $tailf"
mhc=
if command -v memhpctl >/dev/null 2>&1; then
	memhpctl events --follow >"$tmp/follow" 2>&1 &
	mhc=$!
	pids="$pids $mhc"
	wait_for 10 "memhpctl events --follow to print record $last" has "$last" "$tmp/follow"
fi
wait_for 10 "tail -f to print record $last" has "$last" "$tmp/tail-f"
sleep 1
check "tail -f waits after the records (still running)" kill -0 $tailf
cycle
wait_for 10 "tail -f to print record $next" has "$next" "$tmp/tail-f"
check "tail -f prints a new record" has "$next" "$tmp/tail-f"
if [ -n "$mhc" ]; then
	wait_for 10 "memhpctl events --follow to print record $next" has "$next" "$tmp/follow"
	follow_ok() { kill -0 $mhc && has "$last" "$tmp/follow" && has "$next" "$tmp/follow"; }
	check "memhpctl events --follow waits and prints a new record" follow_ok
	events_ok() {
		timeout -k 2 "$secs" memhpctl events >"$tmp/out" &&
			timeout -k 2 "$secs" cat "$ev" | cmp -s - "$tmp/out"
	}
	check "memhpctl events gives the records and ends" events_ok
else
	ktap_test_skip "memhpctl events --follow: no memhpctl here"
	ktap_test_skip "memhpctl events: no memhpctl here"
fi
for p in $pids; do
	kill "$p" 2>/dev/null
	wait "$p" 2>/dev/null
done
pids=
ktap_finished
