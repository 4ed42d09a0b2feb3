# SPDX-License-Identifier: GPL-2.0
"""Unit tests of qemu/memhp_vm without a VM: sizes, the usage text, QMP."""

import argparse
import json
import os
import socket
import sys
import tempfile
import threading
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "qemu"))

from memhp_vm import cli, qmp  # noqa: E402
from memhp_vm.common import VMError, parse_size  # noqa: E402


class ParseSize(unittest.TestCase):
    def test_units(self):
        self.assertEqual(parse_size("512M"), 512 << 20)
        self.assertEqual(parse_size("1G"), 1 << 30)
        self.assertEqual(parse_size("2GiB"), 2 << 30)
        self.assertEqual(parse_size("4096"), 4096)

    def test_bad(self):
        for bad in ("", "1X", "-1G", "1.5G"):
            with self.assertRaises(argparse.ArgumentTypeError):
                parse_size(bad)


class Usage(unittest.TestCase):
    def test_every_command_and_option_documented(self):
        p = cli.build_parser()
        subs = next(a for a in p._actions if isinstance(a, argparse._SubParsersAction))
        for name, sp in subs.choices.items():
            self.assertRegex(cli.__doc__, rf"\n  {name}\b", name)
            for act in sp._actions:
                for opt in act.option_strings:
                    if opt.startswith("--") and opt != "--help":
                        self.assertIn(opt, cli.__doc__, f"{name} {opt}")


class FakeQMP(threading.Thread):
    """A QMP server on a unix socket: greeting, capabilities, scripted replies."""

    def __init__(self, path, replies):
        super().__init__(daemon=True)
        self.srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.srv.bind(path)
        self.srv.listen(1)
        self.replies = replies
        self.got = []

    def run(self):
        c, _ = self.srv.accept()
        self.srv.close()
        f = c.makefile("rwb")
        f.write(b'{"QMP": {"version": {}, "capabilities": []}}\n')
        f.flush()
        for line in f:
            msg = json.loads(line)
            self.got.append(msg)
            for r in self.replies.get(msg["execute"], [{"return": {}}]):
                r = dict(r)
                if "event" not in r:
                    r["id"] = msg["id"]
                f.write(json.dumps(r).encode() + b"\n")
            f.flush()
        c.close()


class QMPClient(unittest.TestCase):
    def setUp(self):
        self.d = tempfile.mkdtemp()

    def serve(self, replies):
        s = FakeQMP(os.path.join(self.d, "qmp.sock"), replies)
        s.start()
        return s

    def test_command_and_interleaved_event(self):
        ev = {"event": "DEVICE_DELETED", "data": {"device": "dimm1"}}
        s = self.serve({"query-status": [ev, {"return": {"status": "running"}}]})
        q = qmp.QMP(self.d)
        try:
            self.assertEqual(q.cmd("query-status"), {"status": "running"})
            self.assertEqual(q.event(None)["data"]["device"], "dimm1")
        finally:
            q.close()
        self.assertEqual([m["execute"] for m in s.got], ["qmp_capabilities", "query-status"])

    def test_error_reply(self):
        self.serve({"device_del": [{"error": {"class": "GenericError",
                                              "desc": "Device 'x' not found"}}]})
        q = qmp.QMP(self.d)
        try:
            with self.assertRaisesRegex(VMError, "device_del: Device 'x' not found"):
                q.cmd("device_del", {"id": "x"})
        finally:
            q.close()


class KTAPResult(unittest.TextTestResult):
    """One "ok N - name" / "not ok N - name" line per case (make -C tests/unit run)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.n = 0

    def _line(self, test, ok):
        self.n += 1
        self.stream.writeln(f"{'' if ok else 'not '}ok {self.n} - memhp_vm {test.id().split('.', 1)[1]}")

    def addSuccess(self, test):
        super().addSuccess(test)
        self._line(test, True)

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._line(test, False)

    def addError(self, test, err):
        super().addError(test, err)
        self._line(test, False)


if __name__ == "__main__":
    suite = unittest.defaultTestLoader.loadTestsFromModule(sys.modules[__name__])
    print(f"1..{suite.countTestCases()}")
    r = unittest.TextTestRunner(stream=sys.stdout, resultclass=KTAPResult, verbosity=0).run(suite)
    sys.exit(0 if r.wasSuccessful() else 1)
