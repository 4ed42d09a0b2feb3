# SPDX-License-Identifier: GPL-2.0
"""What every part of memhp_vm shares: paths, MEMHP_SLOW, errors, sizes, locks."""

import argparse
import fcntl
import os
import re
import sys
import time


# qemu/memhp_vm/common.py: the repository is two folders up.
TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RUN = os.environ.get("MEMHP_RUN_DIR", os.path.join(TOP, "run"))
try:
    SLOW = max(1.0, float(os.environ.get("MEMHP_SLOW", "1")))
except ValueError:
    SLOW = 1.0

SIZE_RE = re.compile(r"^(\d+)([KMGT]?)(i?B)?$", re.I)
SHIFT = {"": 0, "K": 10, "M": 20, "G": 30, "T": 40}

OST_STATUS = {
    0x00: "success",
    0x01: "non-specific failure",
    0x02: "unrecognized notify code",
    0x80: "ejection not supported",
    0x81: "device in use",
    0x82: "device busy",
    0x83: "ejection dependency busy",
    0x84: "ejection in progress",
}


class VMError(Exception):
    """A failure the command reports as "vm: MESSAGE" and exits with CODE."""

    code = 1


class GuestTimeout(VMError):
    """A guest command's deadline passed (exit status 124, as timeout(1))."""

    code = 124


def die(msg, code=1):
    print(f"vm: {msg}", file=sys.stderr)
    sys.exit(code)


def parse_size(text):
    m = SIZE_RE.match(text.strip())
    if not m:
        raise argparse.ArgumentTypeError(f"bad size '{text}' (e.g. 512M, 1G)")
    return int(m.group(1)) << SHIFT[m.group(2).upper()]


def size_at_node(text):
    """An argparse type: "SIZE[@NODE]" checked (parse_size, a node number),
    returned as given."""
    size, at, node = text.partition("@")
    parse_size(size)
    if at and not node.isdigit():
        raise argparse.ArgumentTypeError(f"bad node in '{text}' (SIZE[@NODE], e.g. 1G@1)")
    return text


def vmdir(name, must_exist=True):
    if not re.match(r"^[A-Za-z0-9_.-]+$", name):
        die(f"bad VM name '{name}'")
    d = os.path.join(RUN, name)
    if must_exist and not os.path.exists(os.path.join(d, "qemu.pid")):
        die(f"no VM '{name}' (start it with: qemu/vm start {name})")
    return d


def qemu_pid(d):
    try:
        with open(os.path.join(d, "qemu.pid")) as f:
            pid = int(f.read().strip())
        os.kill(pid, 0)
        return pid
    except (OSError, ValueError):
        return None


class LockTimeout(Exception):
    """The lock was not free by the deadline."""


class Lock:
    """flock on a file in the VM folder: one client of a socket at a time."""

    def __init__(self, d, what, deadline=None):
        """DEADLINE (time.monotonic()) bounds the wait: a client holding the
        lock on a wedged guest must not hold the next one for ever."""
        self.path = os.path.join(d, what + ".lock")
        self.deadline = deadline

    def __enter__(self):
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        while True:
            try:
                fcntl.flock(self.fd, fcntl.LOCK_EX | (fcntl.LOCK_NB if self.deadline else 0))
                return self
            except BlockingIOError:
                if time.monotonic() >= self.deadline:
                    os.close(self.fd)
                    raise LockTimeout(f"{self.path} held by another client")
                time.sleep(0.02)

    def __exit__(self, *exc):
        os.close(self.fd)
