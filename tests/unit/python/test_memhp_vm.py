# SPDX-License-Identifier: GPL-2.0
"""Unit tests of qemu/memhp_vm without a VM: sizes, the usage text, QMP,
QEMU's command line, the PVH kernel choice and the guest agent's framing."""

import argparse
import contextlib
import fcntl
import io
import json
import os
import shutil
import signal
import socket
import struct
import sys
import tempfile
import threading
import time
import unittest
from unittest import mock

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "qemu"))

from memhp_vm import agent, cli, dimm, kernel, qmp  # noqa: E402
from memhp_vm.common import GuestTimeout, VMError, parse_size  # noqa: E402


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
    """A QMP server on a unix socket: greeting, capabilities, scripted replies
    (a command's list of replies and events, or a function of its message
    that returns one)."""

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
            rs = self.replies.get(msg["execute"], [{"return": {}}])
            for r in rs(msg) if callable(rs) else rs:
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


def dimm_info(dev_id, addr):
    """query-memory-devices' entry for a 1 GiB pc-dimm on backend mem-DEV_ID."""
    return {"type": "dimm", "data": {"id": dev_id, "addr": addr, "size": 1 << 30, "node": 0,
                                     "memdev": f"/objects/mem-{dev_id}"}}


def ejected(msg):
    """device_del's reply, then its DEVICE_DELETED: the guest let it go."""
    return [{"return": {}}, {"event": "DEVICE_DELETED", "data": {"device": msg["arguments"]["id"]}}]


class DIMMs(unittest.TestCase):
    """memhp_vm.dimm: what qemu/vm plug/unplug and scripts/bench-report ask QMP."""

    DEVICES = [dimm_info("dimm1", 1 << 32), dimm_info("bench1", 5 << 30),
               {"type": "virtio-mem", "data": {"id": "vmem0"}}]

    def setUp(self):
        self.d = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.d)

    def session(self, replies):
        """A QMP client of a fake that answers REPLIES (query-memory-devices:
        DEVICES unless given), and the fake."""
        replies.setdefault("query-memory-devices", [{"return": self.DEVICES}])
        s = FakeQMP(os.path.join(self.d, "qmp.sock"), replies)
        s.start()
        q = qmp.QMP(self.d)
        self.addCleanup(q.close)
        return q, s

    @staticmethod
    def sent(s, *names):
        return [(m["execute"], m.get("arguments")) for m in s.got if m["execute"] in names]

    def test_memory_devices_and_free_id(self):
        q, _ = self.session({})
        self.assertEqual(sorted(dimm.memory_devices(q)), ["bench1", "dimm1"])
        self.assertEqual(list(dimm.memory_devices(q, "virtio-mem")), ["vmem0"])
        self.assertEqual(dimm.free_id({"dimm1", "dimm2", "dimm4"}, "dimm"), "dimm3")
        self.assertEqual(dimm.free_id(set(), "bench"), "bench1")

    def test_plug(self):
        q, s = self.session({})
        dimm.plug_dimm(q, "dimm2", 1 << 30, node=1)
        self.assertEqual(self.sent(s, "object-add", "device_add", "object-del"), [
            ("object-add", {"qom-type": "memory-backend-ram", "id": "mem-dimm2", "size": 1 << 30}),
            ("device_add", {"driver": "pc-dimm", "id": "dimm2", "memdev": "mem-dimm2", "node": 1})])

    def test_plug_refused_deletes_its_backend(self):
        q, s = self.session({"device_add": [{"error": {"desc": "no free slot"}}]})
        with self.assertRaisesRegex(VMError, "device_add: no free slot"):
            dimm.plug_dimm(q, "dimm2", 1 << 30)
        self.assertEqual(self.sent(s, "object-del"), [("object-del", {"id": "mem-dimm2"})])

    def test_unplug_several(self):
        q, s = self.session({"device_del": ejected})
        self.assertEqual(dimm.unplug_dimms(q, ["dimm1", "bench1"], 5), ["dimm1", "bench1"])
        self.assertEqual(self.sent(s, "device_del", "object-del"), [
            ("device_del", {"id": "dimm1"}), ("device_del", {"id": "bench1"}),
            ("object-del", {"id": "mem-dimm1"}), ("object-del", {"id": "mem-bench1"})])

    def test_unplug_unknown_id_unplugs_none(self):
        q, s = self.session({})
        with self.assertRaisesRegex(VMError, r"^unplug: no DIMM 'dimm9' \(have: bench1, dimm1\)$"):
            dimm.unplug_dimms(q, ["dimm1", "dimm9"], 5)
        self.assertEqual(self.sent(s, "device_del"), [])

    def test_unplug_refused_by_the_guest(self):
        def busy(msg):
            ost = {"event": "ACPI_DEVICE_OST", "data": {"info": {"device": msg["arguments"]["id"]}}}
            in_progress, refused = json.loads(json.dumps(ost)), ost
            in_progress["data"]["info"]["status"] = 0x84
            refused["data"]["info"]["status"] = 0x82
            return [{"return": {}}, in_progress, refused]
        q, s = self.session({"device_del": busy})
        with self.assertRaisesRegex(VMError, r"^unplug: dimm1 refused by the guest: "
                                    r"_OST status 0x82 \(device busy\)$"):
            dimm.unplug_dimms(q, ["dimm1"], 5)
        self.assertEqual(self.sent(s, "object-del"), [])

    def test_unplug_deadline(self):
        q, _ = self.session({})
        t0 = time.monotonic()
        with self.assertRaisesRegex(VMError, r"^unplug: dimm1: no DEVICE_DELETED within 0\.2s"):
            dimm.unplug_dimms(q, ["dimm1"], 0.2)
        self.assertLess(time.monotonic() - t0, 1.2)


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

    def test_nvdimm(self):
        argv = self.argv("--numa", "2", "--nvdimm", "1G@1", "--nvdimm", "512M")
        self.assertEqual(values(argv, "-machine"), ["pc,nvdimm=on"])
        objects = values(argv, "-object")
        self.assertIn(f"memory-backend-ram,id=mem-nv0,size={1 << 30}", objects)
        self.assertIn(f"memory-backend-ram,id=mem-nv1,size={512 << 20}", objects)
        self.assertEqual([x for x in values(argv, "-device") if x.startswith("nvdimm")], [
            "nvdimm,id=nv0,memdev=mem-nv0,node=1", "nvdimm,id=nv1,memdev=mem-nv1,node=0"])
        # The NFIT alone, for a later plug --nvdimm; none without either.
        self.assertEqual(values(self.argv("--nvdimm-hotplug"), "-machine"), ["pc,nvdimm=on"])
        self.assertEqual(values(self.argv(), "-machine"), [])

    def test_cxl(self):
        argv = self.argv("--cxl", "512M", "--nvdimm", "1G")
        self.assertEqual(values(argv, "-machine"),
                         ["q35,cxl=on,nvdimm=on", "cxl-fmw.0.targets.0=cxl.0,cxl-fmw.0.size=1024M"])
        self.assertIn("cxl-type3,bus=cxl-rp0,memdev=cxl-mem0-mem,lsa=cxl-mem0-lsa,id=cxl-mem0",
                      values(argv, "-device"))
        self.assertIn(f"memory-backend-file,id=cxl-mem0-mem,share=on,mem-path={self.D}/cxl-mem0.raw,"
                      f"size={512 << 20}", values(argv, "-object"))
        # q35 routes PCI interrupts through ACPI: no acpi=noirq there.
        self.assertNotIn("acpi=noirq", self.append(argv).split())
        self.assertIn("acpi=noirq", self.append(self.argv()).split())

    def test_nvdimm_bad_spec(self):
        for spec in ("1X", "1G@", "1G@a", "@1"):
            with self.assertRaises(SystemExit, msg=spec), \
                    contextlib.redirect_stderr(io.StringIO()):
                self.argv("--nvdimm", spec)

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


def frame(typ, rid, data=b""):
    """One frame as proto.h has it: the 12-byte header, then DATA."""
    return agent.HDR.pack(agent.MAGIC, ord(typ), 0, rid, len(data)) + data


def status(code):
    return struct.pack("<I", code)


class FakeAgent(threading.Thread):
    """qemu/guest/agent.c's side of agent.sock, played by SCRIPT(self, conn)."""

    def __init__(self, d, script):
        super().__init__(daemon=True)
        path = os.path.join(d, "agent.sock")
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)         # an earlier fake's
        self.srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.srv.bind(path)
        self.srv.listen(1)
        self.srv.settimeout(5)      # a test that never connects fails, not hangs
        self.script = script
        self.got = []               # (type, flags, request id, payload) from the client
        self.error = None

    def read_frame(self, c):
        """The client's next frame, or None once it closed the connection."""
        hdr = self.read_exact(c, agent.HDR.size)
        if hdr is None:
            return None
        magic, typ, flags, rid, ln = agent.HDR.unpack(hdr)
        if magic != agent.MAGIC:
            raise AssertionError(f"client sent bad magic {magic:#x}")
        data = self.read_exact(c, ln) if ln else b""
        if data is None:
            raise AssertionError("client left a frame half-sent")
        self.got.append((chr(typ), flags, rid, data))
        return self.got[-1]

    @staticmethod
    def read_exact(c, n):
        buf = b""
        while len(buf) < n:
            chunk = c.recv(n - len(buf))
            if not chunk:
                return None
            buf += chunk
        return buf

    def command(self, c):
        """Read an exec request and its stdin EOF; the request id."""
        typ, _, rid, argv = self.read_frame(c)
        assert typ == "E", typ
        typ, _, rid2, data = self.read_frame(c)
        assert (typ, rid2, data) == ("I", rid, b""), (typ, rid2, data)
        return rid

    def run(self):
        try:
            c, _ = self.srv.accept()
            c.settimeout(5)
            with c:
                self.script(self, c)
        except Exception as e:      # handed to the test by done()
            self.error = e
        finally:
            self.srv.close()


class Trickle:
    """A socket whose recv() returns at most STEP bytes: frames split anywhere."""

    def __init__(self, sock, step):
        self.sock, self.step, self.reads = sock, step, 0

    def recv(self, n):
        self.reads += 1
        return self.sock.recv(min(n, self.step))

    def __getattr__(self, name):
        return getattr(self.sock, name)


class CountingStruct(struct.Struct):
    """agent.HDR, counting the headers take_frame() looks at."""

    def __init__(self, fmt):
        super().__init__(fmt)
        self.looks = 0

    def unpack_from(self, *args, **kwargs):
        self.looks += 1
        return super().unpack_from(*args, **kwargs)


class TakeFrame(unittest.TestCase):
    """agent.take_frame(): whole frames out of the receive buffer, resyncing
    on the magic (proto.h) in one step, not a byte at a time."""

    def setUp(self):
        self.hdr = CountingStruct(agent.HDR.format)
        p = mock.patch.object(agent, "HDR", self.hdr)
        p.start()
        self.addCleanup(p.stop)

    def test_whole_frames_in_order(self):
        buf = bytearray(frame("O", 7, b"one") + frame("X", 8, status(0)) + frame("R", 7)[:5])
        self.assertEqual(agent.take_frame(buf), ("O", 7, b"one"))
        self.assertEqual(agent.take_frame(buf), ("X", 8, status(0)))
        self.assertIsNone(agent.take_frame(buf))        # half a header: wait for more
        self.assertEqual(buf, frame("R", 7)[:5])
        buf += frame("R", 7)[5:]
        self.assertEqual(agent.take_frame(buf), ("R", 7, b""))
        self.assertEqual(buf, b"")

    def test_incomplete_payload_waits(self):
        whole = frame("O", 7, b"x" * 100)
        buf = bytearray(whole[:50])
        self.assertIsNone(agent.take_frame(buf))
        self.assertEqual(buf, whole[:50])

    def test_noise_dropped_in_one_step(self):
        # A megabyte with no magic in it: one look at a header to drop it,
        # one for the frame after it.
        buf = bytearray(b"\0noise\xff" * (1 << 17) + frame("O", 7, b"ok"))
        self.assertEqual(agent.take_frame(buf), ("O", 7, b"ok"))
        self.assertEqual(self.hdr.looks, 2)

    def test_noise_without_magic_keeps_a_last_m(self):
        buf = bytearray(b"garbage without a header" + b"M")
        self.assertIsNone(agent.take_frame(buf))
        self.assertEqual(buf, b"M")                     # may start "MH..."
        buf += frame("O", 7, b"ok")[1:]
        self.assertEqual(agent.take_frame(buf), ("O", 7, b"ok"))
        buf = bytearray(b"garbage without a header")
        self.assertIsNone(agent.take_frame(buf))
        self.assertEqual(buf, b"")

    def test_false_headers_skipped_to_the_next_magic(self):
        # The tail of a frame (joined mid-frame), a header whose length is
        # over AGENT_MAX_FRAME, an "MH" in noise whose flags byte is not 0
        # (proto.h's "u8 0"; else its length would swallow the next
        # header): each skipped to the next magic, the frame after them
        # taken whole.
        over = agent.HDR.pack(agent.MAGIC, ord("O"), 0, 7, agent.MAX_FRAME + 1)
        buf = bytearray(frame("O", 7, b"lost")[5:] + over + b"..MH.." + frame("O", 7, b"ok"))
        self.assertEqual(agent.take_frame(buf), ("O", 7, b"ok"))
        self.assertEqual(buf, b"")
        self.assertLessEqual(self.hdr.looks, 5)


class AgentFraming(unittest.TestCase):
    """agent.guest_run() and agent_ping() against a fake guest agent."""

    RID = 0x01020304    # fixed: no run's random id can look like the test's noise

    def setUp(self):
        self.d = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.d)
        self.step = None
        self.clients = []
        test = self

        class TestAgent(agent.Agent):
            def __init__(self, d, timeout=5.0):
                super().__init__(d, timeout)
                self.id = test.RID
                if test.step:
                    self.sock = Trickle(self.sock, test.step)
                test.clients.append(self)

        for target, value in (("vmdir", lambda name: self.d), ("SLOW", 1.0),
                              ("Agent", TestAgent)):
            p = mock.patch.object(agent, target, value)
            p.start()
            self.addCleanup(p.stop)

    def serve(self, script):
        fake = FakeAgent(self.d, script)
        fake.start()
        return fake

    def done(self, fake):
        fake.join(5)
        self.assertFalse(fake.is_alive(), "the fake agent is still running")
        if fake.error:
            raise fake.error

    @staticmethod
    def stalls(data):
        """A fake's script: the command prints DATA and never ends; what the
        client sends at its deadline is read, then its close."""
        def script(fake, c):
            rid = fake.command(c)
            c.sendall(frame("O", rid, data))
            fake.read_frame(c)
            fake.read_frame(c)
        return script

    def run_cmd(self, argv, timeout=5):
        out, err = io.BytesIO(), io.BytesIO()
        rc = agent.guest_run("t", argv, True, timeout, out, err)
        return rc, out.getvalue(), err.getvalue()

    def test_command_output_and_status(self):
        def script(fake, c):
            rid = fake.command(c)
            c.sendall(frame("O", rid, b"hello ") + frame("R", rid, b"a warning\n") +
                      frame("O", rid, b"world\n") + frame("X", rid, status(0)))
            fake.read_frame(c)      # the client closes
        fake = self.serve(script)
        self.assertEqual(self.run_cmd(["echo", "hello world"]),
                         (0, b"hello world\n", b"a warning\n"))
        self.done(fake)
        self.assertEqual(fake.got, [("E", 0, self.RID, b"echo\0hello world\0"),
                                    ("I", 0, self.RID, b"")])

    def test_nonzero_exit_status(self):
        for code in (1, 127, 128 + signal.SIGKILL):
            def script(fake, c):
                rid = fake.command(c)
                c.sendall(frame("R", rid, b"false: failed\n") + frame("X", rid, status(code)))
                fake.read_frame(c)
            fake = self.serve(script)
            self.assertEqual(self.run_cmd(["false"]), (code, b"", b"false: failed\n"))
            self.done(fake)

    def test_output_split_across_reads(self):
        # Frames cut anywhere, the headers too: 5 bytes a read, one frame of
        # 16 KiB, and a frame of another request (an earlier client's) first.
        big = bytes(range(256)) * 64
        stream = (frame("O", self.RID ^ 1, b"stale") + frame("O", self.RID, big) +
                  frame("R", self.RID, b"e" * 7) + frame("O", self.RID, b"tail") +
                  frame("X", self.RID, status(3)))

        def script(fake, c):
            fake.command(c)
            # Byte by byte as well, on the sending side.
            for i in range(0, 64):
                c.sendall(stream[i:i + 1])
            c.sendall(stream[64:])
            fake.read_frame(c)
        self.step = 5
        fake = self.serve(script)
        self.assertEqual(self.run_cmd(["cat", "big"]), (3, big + b"tail", b"e" * 7))
        self.done(fake)
        self.assertGreaterEqual(self.clients[0].sock.reads, len(stream) // 5)

    def test_timeout_kills_the_command(self):
        fake = self.serve(self.stalls(b"partial\n"))
        t0 = time.monotonic()
        with self.assertRaises(GuestTimeout) as cm:
            self.run_cmd(["sleep", "100"], timeout=0.3)
        took = time.monotonic() - t0
        self.assertEqual(cm.exception.code, 124)
        self.assertEqual(str(cm.exception), "exec: 'sleep 100' timed out after 0.3s (killed)")
        self.assertGreaterEqual(took, 0.3)
        self.assertLess(took, 1.3)
        self.done(fake)
        self.assertEqual(fake.got[2], ("S", 0, self.RID, struct.pack("<I", signal.SIGKILL)))
        self.assertEqual(len(fake.got), 3)

    def test_garbled_stream_resyncs_on_magic(self):
        # Noise, a header whose length is over AGENT_MAX_FRAME, the tail of a
        # frame (a serial port's client may join mid-frame): all skipped.
        bad = agent.HDR.pack(agent.MAGIC, ord("O"), 0, self.RID, agent.MAX_FRAME + 1)

        def script(fake, c):
            rid = fake.command(c)
            c.sendall(b"\0\xffnoise M" + bad + frame("O", rid, b"lost")[5:] +
                      frame("O", rid, b"ok\n") + frame("X", rid, status(0)))
            fake.read_frame(c)
        fake = self.serve(script)
        self.assertEqual(self.run_cmd(["true"]), (0, b"ok\n", b""))
        self.done(fake)

    def test_closed_stream(self):
        # The guest (or QEMU) goes away mid-frame: an error, not a hang or a status.
        def script(fake, c):
            rid = fake.command(c)
            c.sendall(frame("O", rid, b"half") + frame("X", rid, status(0))[:7])
        fake = self.serve(script)
        with self.assertRaisesRegex(agent.VMError, "connection closed"):
            self.run_cmd(["true"])
        self.done(fake)

    def test_busy_agent_lock_is_bounded_by_the_deadline(self):
        fd = os.open(os.path.join(self.d, "agent.lock"), os.O_RDWR | os.O_CREAT, 0o600)
        self.addCleanup(os.close, fd)
        fcntl.flock(fd, fcntl.LOCK_EX)
        with self.assertRaises(GuestTimeout) as cm:
            self.run_cmd(["true"], timeout=0.2)
        self.assertEqual(cm.exception.code, 124)
        self.assertRegex(str(cm.exception), r"held by another client for 0\.2s \(the guest's agent is busy\)$")
        self.assertEqual(self.clients, [])

    def vm_main(self, *argv):
        """qemu/vm ARGV (cli.main) as (exit status, stdout, stderr): a return
        value or a SystemExit's code."""
        out, err = io.TextIOWrapper(io.BytesIO()), io.TextIOWrapper(io.BytesIO())
        with mock.patch.object(sys, "argv", ["vm", *argv]), \
                mock.patch.object(sys, "stdout", out), mock.patch.object(sys, "stderr", err):
            try:
                rc = cli.main()
            except SystemExit as e:
                rc = e.code
            out.flush()
            err.flush()
        return rc, out.buffer.getvalue(), err.buffer.getvalue().decode()

    def test_vm_exec_exit_status(self):
        # qemu/vm exec exits with the command's status, 124 at its deadline
        # (as timeout(1)) and at a busy agent's, 1 when the agent goes away.
        def script(fake, c):
            rid = fake.command(c)
            c.sendall(frame("O", rid, b"out\n") + frame("X", rid, status(3)))
            fake.read_frame(c)
        fake = self.serve(script)
        self.assertEqual(self.vm_main("exec", "t", "-n", "--", "false"), (3, b"out\n", ""))
        self.done(fake)

        fake = self.serve(self.stalls(b"partial\n"))
        self.assertEqual(self.vm_main("exec", "t", "-n", "--timeout", "0.3", "--", "sleep", "100"),
                         (124, b"partial\n", "vm: exec: 'sleep 100' timed out after 0.3s (killed)\n"))
        self.done(fake)

        def script(fake, c):
            fake.command(c)
        fake = self.serve(script)
        self.assertEqual(self.vm_main("exec", "t", "-n", "--", "true"),
                         (1, b"", "vm: guest agent connection closed (VM gone?)\n"))
        self.done(fake)

        fd = os.open(os.path.join(self.d, "agent.lock"), os.O_RDWR | os.O_CREAT, 0o600)
        self.addCleanup(os.close, fd)
        fcntl.flock(fd, fcntl.LOCK_EX)
        rc, out, err = self.vm_main("exec", "t", "-n", "--timeout", "0.2", "--", "true")
        self.assertEqual((rc, out), (124, b""))
        self.assertRegex(err, r"^vm: exec: .*agent\.lock held by another client for 0\.2s")

    def test_vm_pull_timeout_leaves_no_part_file(self):
        fake = self.serve(self.stalls(b"half a file"))
        dest = os.path.join(self.d, "got")
        rc, _, err = self.vm_main("pull", "t", "/big", dest, "--timeout", "0.3")
        self.assertEqual((rc, err), (124, "vm: exec: 'cat -- /big' timed out after 0.3s (killed)\n"))
        self.done(fake)
        self.assertFalse(os.path.exists(dest) or os.path.exists(dest + ".part"))

    def test_ping(self):
        def script(fake, c):
            rid = fake.read_frame(c)[2]
            c.sendall(frame("p", rid ^ 1, b"stale") + frame("p", rid, b"6.1.0-test"))
            fake.read_frame(c)
        fake = self.serve(script)
        self.assertEqual(agent.agent_ping(self.d, timeout=5), "6.1.0-test")
        self.done(fake)
        self.assertEqual(fake.got, [("P", 0, self.RID, b"")])

    def test_ping_unanswered(self):
        def script(fake, c):
            fake.read_frame(c)
            fake.read_frame(c)      # until the client gives up and closes
        fake = self.serve(script)
        t0 = time.monotonic()
        self.assertIsNone(agent.agent_ping(self.d, timeout=0.2))
        self.assertLess(time.monotonic() - t0, 1.2)
        self.done(fake)
        self.assertIsNone(agent.agent_ping(self.d, timeout=0.2))     # nobody listening


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
