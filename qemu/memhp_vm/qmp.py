# SPDX-License-Identifier: GPL-2.0
"""A QMP client for a memhp VM's qmp.sock (one client at a time)."""

import json
import os
import socket
import time

from .common import Lock, VMError


class QMP:
    def __init__(self, d, timeout=30.0):
        self.lock = Lock(d, "qmp")
        self.lock.__enter__()
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        try:
            self.sock.connect(os.path.join(d, "qmp.sock"))
        except OSError as e:
            self.lock.__exit__()
            raise VMError(f"cannot reach QMP: {e}")
        self.buf = b""
        self.events = []
        self.ids = 0
        self._read()  # greeting
        self.cmd("qmp_capabilities")

    def close(self):
        self.sock.close()
        self.lock.__exit__()

    def _read(self, deadline=None):
        while b"\n" not in self.buf:
            if deadline is not None:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise socket.timeout()
                self.sock.settimeout(left)
            chunk = self.sock.recv(65536)
            if not chunk:
                raise VMError("QMP connection closed")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def cmd(self, name, args=None):
        """Run a command; events that arrive meanwhile are queued, not lost."""
        self.ids += 1
        msg = {"execute": name, "id": self.ids}
        if args:
            msg["arguments"] = args
        self.sock.sendall(json.dumps(msg).encode() + b"\n")
        while True:
            r = self._read()
            if "event" in r:
                self.events.append(r)
            elif r.get("id") == self.ids:
                if "error" in r:
                    raise VMError(f"{name}: {r['error'].get('desc', r['error'])}")
                return r.get("return")

    def event(self, deadline):
        """Next event (queued first); None at the deadline."""
        if self.events:
            return self.events.pop(0)
        try:
            while True:
                r = self._read(deadline)
                if "event" in r:
                    return r
        except socket.timeout:
            return None


def qmp_once(d, name, args=None):
    q = QMP(d)
    try:
        return q.cmd(name, args)
    finally:
        q.close()
