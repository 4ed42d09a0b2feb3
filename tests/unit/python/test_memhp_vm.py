# SPDX-License-Identifier: GPL-2.0
"""Unit tests of qemu/memhp_vm without a VM: sizes, the usage text, QMP,
QEMU's command line, the PVH kernel choice."""

import argparse
import json
import os
import shutil
import socket
import struct
import sys
import tempfile
import threading
import unittest
from unittest import mock

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "qemu"))

from memhp_vm import cli, kernel, qmp  # noqa: E402
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


def values(argv, flag):
    """The word after each FLAG in ARGV, in order."""
    return [argv[i + 1] for i, x in enumerate(argv[:-1]) if x == flag]


class QemuArgv(unittest.TestCase):
    """cli.qemu_argv(): parsed 'start' options plus the resolved kernel -> argv."""

    D, VMLINUX, BZIMAGE, IMAGE = "/run/t", "/cache/vmlinux", "/boot/vmlinuz", "/b/initramfs.cpio"

    def argv(self, *opts, kernel=VMLINUX, agent_line="virtio", env=None):
        a = cli.build_parser().parse_args(["start", "t", *opts])
        return cli.qemu_argv(a, self.D, kernel, self.IMAGE, agent_line, env or {})

    def append(self, argv):
        got = values(argv, "-append")
        self.assertEqual(len(got), 1, argv)
        return got[0]

    def test_default_vm(self):
        argv = self.argv()
        self.assertEqual(argv[0], "qemu-system-x86_64")
        self.assertEqual(values(argv, "-name"), ["memhp-t"])
        self.assertEqual(values(argv, "-accel"), ["tcg"])
        self.assertEqual(values(argv, "-smp"), ["2"])
        self.assertEqual(values(argv, "-m"), ["1024M,slots=8,maxmem=32768M"])
        self.assertEqual(values(argv, "-kernel"), [self.VMLINUX])
        self.assertEqual(values(argv, "-initrd"), [self.IMAGE])
        self.assertIn("-daemonize", argv)
        self.assertEqual(values(argv, "-pidfile"), [f"{self.D}/qemu.pid"])
        chardevs = values(argv, "-chardev")
        self.assertIn(f"file,id=con,path={self.D}/console.log", chardevs)
        self.assertIn(f"socket,id=qmp,path={self.D}/qmp.sock,server=on,wait=off", chardevs)
        self.assertIn(f"socket,id=agent-tty,path={self.D}/agent-tty.sock,server=on,wait=off",
                      chardevs)
        self.assertIn(f"socket,id=agent,path={self.D}/agent-virtio.sock,server=on,wait=off",
                      chardevs)
        self.assertIn("virtserialport,bus=agent-bus.0,chardev=agent,name=org.memhp.agent",
                      values(argv, "-device"))
        self.assertNotIn("-numa", argv)
        self.assertFalse([x for x in values(argv, "-device") if "virtio-mem" in x])
        append = self.append(argv)
        self.assertTrue(append.startswith("console=ttyS0 "), append)
        for word in ("panic=-1", "acpi=noirq", "log_buf_len=4M", "rdinit=/init"):
            self.assertIn(word, append.split())
        self.assertNotIn("memhp_agent=serial", append)
        self.assertNotIn("memhp_shell=1", append)

    def test_serial_agent(self):
        argv = self.argv(agent_line="tty")
        self.assertIn(f"socket,id=agent-tty,path={self.D}/agent-tty.sock,server=on,wait=off",
                      values(argv, "-chardev"))
        self.assertFalse([x for x in values(argv, "-device") if x.startswith("virtserial")])
        self.assertTrue(self.append(argv).endswith(" memhp_agent=serial"))

    def test_cpu_max_erms_off_always(self):
        for opts in ((), ("--smp", "4"), ("--numa", "3"), ("--slots", "2"),
                     ("--virtio-mem", "1G@0"), ("--cold-dimm", "512M"), ("--append", "quiet")):
            for agent_line in ("virtio", "tty"):
                argv = self.argv(*opts, agent_line=agent_line)
                self.assertEqual(values(argv, "-cpu"), ["max,erms=off"], (opts, agent_line))
        # Only the environment changes it: KVM runs the host's CPU, MEMHP_CPU any.
        self.assertEqual(values(self.argv(env={"MEMHP_ACCEL": "kvm"}), "-cpu"), ["host"])
        self.assertEqual(values(self.argv(env={"MEMHP_CPU": "qemu64"}), "-cpu"), ["qemu64"])

    def test_smp(self):
        self.assertEqual(values(self.argv("--smp", "4"), "-smp"), ["4"])

    def test_numa(self):
        argv = self.argv("--numa", "2")
        self.assertEqual(values(argv, "-smp"), ["2,sockets=2,cores=1,threads=1"])
        self.assertIn(f"memory-backend-ram,id=ram-node0,size={1 << 30}", values(argv, "-object"))
        self.assertEqual(values(argv, "-numa"), [
            "node,nodeid=0,memdev=ram-node0", "node,nodeid=1",
            "cpu,node-id=0,socket-id=0", "cpu,node-id=1,socket-id=1"])

    def test_numa_nodes_and_cpus_uneven(self):
        # More nodes than CPUs: the last nodes have neither CPUs nor memory.
        argv = self.argv("--numa", "3")
        self.assertEqual(values(argv, "-smp"), ["2,sockets=2,cores=1,threads=1"])
        numa = values(argv, "-numa")
        self.assertIn("node,nodeid=2", numa)
        self.assertEqual([x for x in numa if x.startswith("cpu,")],
                         ["cpu,node-id=0,socket-id=0", "cpu,node-id=1,socket-id=1"])
        # CPUs that do not divide among the nodes: a socket each, round robin.
        argv = self.argv("--numa", "2", "--smp", "3")
        self.assertEqual(values(argv, "-smp"), ["3,sockets=3,cores=1,threads=1"])
        self.assertEqual([x for x in values(argv, "-numa") if x.startswith("cpu,")],
                         ["cpu,node-id=0,socket-id=0", "cpu,node-id=1,socket-id=1",
                          "cpu,node-id=0,socket-id=2"])

    def test_slots_and_memory(self):
        argv = self.argv("--slots", "16", "--mem", "2G", "--maxmem", "64G")
        self.assertEqual(values(argv, "-m"), ["2048M,slots=16,maxmem=65536M"])

    def test_virtio_mem(self):
        argv = self.argv("--numa", "2", "--virtio-mem", "512M", "--virtio-mem", "1G@1")
        objects = values(argv, "-object")
        self.assertIn(f"memory-backend-ram,id=vmem0-mem,size={512 << 20}", objects)
        self.assertIn(f"memory-backend-ram,id=vmem1-mem,size={1 << 30}", objects)
        self.assertEqual([x for x in values(argv, "-device") if x.startswith("virtio-mem-pci")], [
            "virtio-mem-pci,id=vmem0,memdev=vmem0-mem,node=0,requested-size=0",
            "virtio-mem-pci,id=vmem1,memdev=vmem1-mem,node=1,requested-size=0"])

    def test_cold_dimm(self):
        argv = self.argv("--numa", "2", "--cold-dimm", "1G@1")
        self.assertIn(f"memory-backend-ram,id=mem-cold0,size={1 << 30}", values(argv, "-object"))
        self.assertIn("pc-dimm,id=cold0,memdev=mem-cold0,node=1", values(argv, "-device"))

    def test_append(self):
        plain = self.append(self.argv())
        append = self.append(self.argv("--append", "movable_node memhp.x=1"))
        self.assertEqual(append, plain + " movable_node memhp.x=1")

    def test_pvh_vmlinux_or_bzimage(self):
        pvh = self.argv(kernel=self.VMLINUX)
        bz = self.argv(kernel=self.BZIMAGE)
        self.assertEqual(values(pvh, "-kernel"), [self.VMLINUX])
        self.assertEqual(values(bz, "-kernel"), [self.BZIMAGE])
        # The same VM otherwise: initramfs, command line and all.
        self.assertEqual([x for x in pvh if x != self.VMLINUX], [x for x in bz if x != self.BZIMAGE])


def elf_with_notes(path, notes):
    """A minimal ELF64 file at PATH: one PT_NOTE holding NOTES [(name, type)]."""
    desc = b"\0" * 4
    data = b"".join(struct.pack("<III", len(name) + 1, len(desc), typ) +
                    (name + b"\0").ljust((len(name) + 4) & ~3, b"\0") + desc
                    for name, typ in notes)
    eh = bytearray(64)
    eh[:5] = b"\x7fELF\x02"
    struct.pack_into("<Q", eh, 32, 64)                  # e_phoff
    struct.pack_into("<HH", eh, 54, 56, 1)              # e_phentsize, e_phnum
    ph = struct.pack("<IIQQQQQQ", 4, 0, 64 + 56, 0, 0, len(data), len(data), 4)
    with open(path, "wb") as f:
        f.write(bytes(eh) + ph + data)


class PVHKernel(unittest.TestCase):
    """kernel.pvh_kernel(): which file -kernel gets for a kernel tree."""

    def setUp(self):
        self.d = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.d)
        self.info = {"kind": "tree", "kdir": self.d, "release": "7.3.0-test",
                     "image": os.path.join(self.d, "arch/x86/boot/bzImage"),
                     "config": os.path.join(self.d, ".config")}
        self.vmlinux = os.path.join(self.d, "vmlinux")
        with open(self.info["config"], "w") as f:
            f.write("CONFIG_PVH=y\n")
        env = mock.patch.dict(os.environ, {"MEMHP_PVH": "1"})
        env.start()
        self.addCleanup(env.stop)

    def test_vmlinux_with_pvh_note(self):
        elf_with_notes(self.vmlinux, [(b"GNU", 3), (b"Xen", kernel.XEN_ELFNOTE_PHYS32_ENTRY)])
        self.assertEqual(kernel.pvh_kernel(self.info), self.vmlinux)

    def test_no_pvh_note_boots_bzimage(self):
        elf_with_notes(self.vmlinux, [(b"Xen", 1)])
        self.assertIsNone(kernel.pvh_kernel(self.info))
        os.unlink(self.vmlinux)
        self.assertIsNone(kernel.pvh_kernel(self.info))

    def test_truncated_vmlinux_boots_bzimage(self):
        elf_with_notes(self.vmlinux, [(b"Xen", kernel.XEN_ELFNOTE_PHYS32_ENTRY)])
        os.truncate(self.vmlinux, os.path.getsize(self.vmlinux) - 1)
        self.assertIsNone(kernel.pvh_kernel(self.info))

    def test_kasan_tree_and_memhp_pvh_0_boot_bzimage(self):
        elf_with_notes(self.vmlinux, [(b"Xen", kernel.XEN_ELFNOTE_PHYS32_ENTRY)])
        with mock.patch.dict(os.environ, {"MEMHP_PVH": "0"}):
            self.assertIsNone(kernel.pvh_kernel(self.info))
        with open(self.info["config"], "a") as f:
            f.write("CONFIG_KASAN=y\n")
        self.assertIsNone(kernel.pvh_kernel(self.info))


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
