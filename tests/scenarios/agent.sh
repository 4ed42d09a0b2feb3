#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# vm:
# cost: 5
# debug: yes
#
# The guest agent, the line every verdict here travels on (qemu/guest/agent.c):
# bytes pushed through stdin and pulled back are exact, exit status and stderr
# come back apart, a command killed at its deadline while it still writes and
# a client that goes away mid-output leave the next command only its own
# output, and 100 short commands in a row all answer. On a virtio port a new
# client's command can reach the guest before the news that it connected; the
# first version of the virtio agent lost such commands' output.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

line=$(readlink "$MEMHP_RUN_DIR/$VM/agent.sock" || echo agent.sock)
diag "agent line: $line"
# The 16550 moves about 60 KB/s into the guest: a smaller blob there.
size=$((3 << 20))
[ "$line" != agent-tty.sock ] || size=$((256 << 10))

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

expect_eq "exit status comes back" "rc=7" "rc=$(g 'exit 7' >/dev/null 2>&1 || echo $?)"
expect_eq "stdout and stderr come back apart" "out|err" \
	"$(g 'echo out; echo err >&2' 2>"$tmp/err")|$(cat "$tmp/err")"

head -c "$size" /dev/urandom >"$tmp/blob"
want=$(md5sum <"$tmp/blob" | cut -d' ' -f1)
got=$(vm exec "$VM" --timeout 120 -- sh -c 'cat >/tmp/agent-blob && md5sum </tmp/agent-blob' \
	<"$tmp/blob" | cut -d' ' -f1)
expect_eq "$size bytes pushed through stdin arrive exact" "$want" "$got"
vm pull "$VM" /tmp/agent-blob "$tmp/back" --timeout 120 >/dev/null
check "$size bytes pulled back are the same" cmp -s "$tmp/blob" "$tmp/back"
g 'rm -f /tmp/agent-blob'

rc=0
"$VMEXEC" --timeout 2 "$VM" -- sh -c 'echo start; while :; do echo spam; done' \
	>"$tmp/spam" 2>"$tmp/spam.err" || rc=$?
expect_eq "a command still writing at its deadline is killed (124)" 124 "$rc"
expect_eq "... and the next command gets only its own output" next "$(g 'echo next')"

# The client is terminated after 2 s of output; yes(1) goes on writing.
timeout 2 "$VMEXEC" "$VM" -- yes spam >/dev/null || true
expect_eq "after a client went away mid-output, the next gets its own" after "$(g 'echo after')"
expect_eq "... and the abandoned command was stopped" 0 \
	"$(g 'pidof yes | wc -w')"

bad=0
for i in $(seq 100); do
	[ "$(g "echo $i")" = "$i" ] || bad=$((bad + 1))
done
expect_eq "100 short commands in a row answer" 0 "$bad"

finish
