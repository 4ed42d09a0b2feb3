# SPDX-License-Identifier: GPL-2.0
"""A client of the guest agent (qemu/guest/agent.c) on a VM's agent.sock.

Frames are qemu/guest/proto.h's: a little-endian header (magic, type,
flags, request id, length) and up to MAX_FRAME bytes of payload."""

import os
import random
import signal
import socket
import struct
import threading
import time

from .common import SLOW, GuestTimeout, Lock, LockTimeout, VMError, vmdir


HDR = struct.Struct("<HBBII")
MAGIC = 0x484D
MAGIC_BYTES = struct.pack("<H", MAGIC)     # b"MH", as a frame starts on the wire
MAX_FRAME = 1 << 20     # proto.h AGENT_MAX_FRAME


def take_frame(buf):
    """The first whole frame in the bytearray BUF as (type, request id,
    payload), removed from BUF; None until one has arrived.

    proto.h: a connection may begin with the tail of another request's
    frame (a serial port), and clients resync on the magic. Bytes that do
    not start a header (the magic, a zero flags byte, a length up to
    MAX_FRAME) are dropped up to the next b"MH" in BUF, in one step; where
    there is none, all but a last b"M", which may begin the next header."""
    while len(buf) >= HDR.size:
        magic, typ, flags, rid, ln = HDR.unpack_from(buf)
        if magic == MAGIC and flags == 0 and ln <= MAX_FRAME:
            if len(buf) < HDR.size + ln:
                return None
            data = bytes(buf[HDR.size:HDR.size + ln])
            del buf[:HDR.size + ln]
            return chr(typ), rid, data
        skip = buf.find(MAGIC_BYTES, 1)
        if skip < 0:
            skip = len(buf) - 1 if buf.endswith(MAGIC_BYTES[:1]) else len(buf)
        del buf[:skip]
    return None


class Agent:
    def __init__(self, d, timeout=5.0):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(os.path.join(d, "agent.sock"))
        self.sock.settimeout(None)
        self.buf = bytearray()     # received, not yet taken as frames
        self.wlock = threading.Lock()
        self.id = random.randrange(1, 1 << 32)

    def send(self, typ, data=b""):
        with self.wlock:
            self.sock.sendall(HDR.pack(MAGIC, ord(typ), 0, self.id, len(data)) + data)

    def recv(self, deadline=None):
        """Next frame of our request id as (type, payload), skipping other
        requests' frames; None at the deadline."""
        while True:
            while (fr := take_frame(self.buf)) is not None:
                typ, rid, data = fr
                if rid == self.id:
                    return typ, data
            if deadline is not None:
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                return None
            if not chunk:
                raise VMError("guest agent connection closed (VM gone?)")
            self.buf += chunk

    def close(self):
        # Not in the middle of the stdin thread's frame: the guest cannot
        # tell where a connection ended, and half a frame would swallow the
        # next client's command.
        with self.wlock:
            self.sock.close()


def agent_ping(d, timeout):
    """The guest kernel release once the agent answers; None before."""
    try:
        a = Agent(d, timeout=timeout)
    except OSError:
        return None
    try:
        a.send("P")
        r = a.recv(time.monotonic() + timeout)
        return r[1].decode() if r and r[0] == "p" else None
    except (OSError, VMError):
        return None
    finally:
        a.close()


def guest_run(name, argv, no_stdin, timeout, out, err):
    """Run ARGV in the guest, its stdout to OUT, stderr to ERR; its exit status
    (130 after a KeyboardInterrupt). GuestTimeout when the agent stays busy
    or the command runs past TIMEOUT seconds (x MEMHP_SLOW; 0: none), the
    command then killed; VMError when the connection closes."""
    d = vmdir(name)
    # One deadline for the wait for the agent and the command together.
    limit = timeout * SLOW
    deadline = time.monotonic() + limit if limit else None
    try:
        with Lock(d, "agent", deadline):
            a = Agent(d)
            try:
                a.send("E", b"".join(x.encode() + b"\0" for x in argv))

                def forward_stdin():
                    try:
                        while True:
                            data = os.read(0, 65536)
                            if not data:
                                break
                            a.send("I", data)
                    except OSError:
                        pass
                    try:
                        a.send("I")
                    except OSError:
                        pass

                if no_stdin:
                    a.send("I")
                else:
                    threading.Thread(target=forward_stdin, daemon=True).start()

                try:
                    while True:
                        fr = a.recv(deadline)
                        if fr is None:
                            a.send("S", struct.pack("<I", signal.SIGKILL))
                            out.flush()
                            raise GuestTimeout(f"exec: '{' '.join(argv)}' timed out after {limit:g}s (killed)")
                        typ, data = fr
                        if typ == "O":
                            out.write(data)
                            out.flush()
                        elif typ == "R":
                            err.write(data)
                            err.flush()
                        elif typ == "X":
                            return struct.unpack("<I", data)[0]
                except KeyboardInterrupt:
                    a.send("S", struct.pack("<I", signal.SIGKILL))
                    return 130
            finally:
                a.close()
    except LockTimeout as e:
        raise GuestTimeout(f"exec: {e} for {limit:g}s (the guest's agent is busy)") from None
