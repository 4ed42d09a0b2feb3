# SPDX-License-Identifier: GPL-2.0
"""qemu/vm - the host's handle on memhp test VMs.

usage: qemu/vm COMMAND NAME [ARGS]

  start NAME [--kernel 6.1|6.12|7.3|debug|LANE|TREE|PATH] [--mem 1G] [--smp 2] [--slots 8]
             [--maxmem 32G] [--numa N] [--cold-dimm SIZE[@NODE]]...
             [--virtio-mem SIZE[@NODE]]... [--nvdimm SIZE[@NODE]]... [--nvdimm-hotplug]
             [--cxl SIZE]
             [--append 'kernel args'] [--interactive] [--no-build]
        Boot a VM in the background; returns once the guest agent answers.
        It brings module and initramfs up to date first (make image, about
        4 s when nothing changed); --no-build boots them as they are (make
        check builds them once per run).
        --virtio-mem adds virtio-mem-pci devices vmem0, vmem1, ... of up to
        SIZE each (requested size 0) and loads the guest's virtio_mem driver.
        --nvdimm adds label-less NVDIMMs nv0, nv1, ... (-machine nvdimm=on:
        ACPI NFIT), their proximity domain on NODE (default 0); the guest's
        nfit driver gives each a region with one raw namespace covering it.
        --nvdimm-hotplug turns the NFIT on with no NVDIMM at boot, for
        "plug --nvdimm".
        --cxl makes the VM a q35 with cxl=on and one CXL type-3 memory
        device cxl-mem0 of SIZE (QEMU 7.2: persistent memory only) behind a
        CXL host bridge and root port, in a fixed memory window of its own.
  exec NAME [-n] [--timeout S] -- CMD...
        Run CMD in the guest; stdin is forwarded (-n: not), exit status is CMD's.
  qmp NAME COMMAND ['{json args}']   Print the QMP command's JSON return.
  hmp NAME 'HMP command line'        Print a human monitor command's output.
  plug NAME SIZE [--node N] [--id ID]
  plug NAME --nvdimm SIZE[@NODE] [--id ID]
        Hot-plug a pc-dimm of SIZE (or an NVDIMM: the guest learns of it
        through the NFIT's notification; QEMU cannot hot-unplug one); prints
        "ID ADDR SIZE" (address in hex, size in bytes). "plug NAME" alone
        lists the memory devices.
  resize NAME ID SIZE [--wait S] [--settle S]
        Set a virtio-mem device's requested-size and wait until its size gets
        there or stops moving; prints "ID REQUESTED SIZE", exit 1 if short.
  pull NAME GUEST_PATH [HOST_PATH] [--timeout S]
        Copy a guest file to the host.
  unplug NAME ID [--timeout S]
        device_del, wait for DEVICE_DELETED, object-del; exits 1 naming the
        guest's _OST status when the guest refuses.
  console NAME     Print the serial console log.
  stop NAME [--timeout S]   Power off (killed after the deadline).
  list             Running VMs.

State lives in $MEMHP_RUN_DIR (default: run/ in the repository), a folder per
VM. Environment: MEMHP_ACCEL=kvm tries KVM (TCG is the default),
MEMHP_CPU (the -cpu model; default "host" with KVM, "max,erms=off" with TCG),
MEMHP_PVH=0 (boot the bzImage, not its vmlinux through the PVH entry),
MEMHP_BOOT_TIMEOUT (seconds, default 180), MEMHP_QEMU (the QEMU binary),
MEMHP_SLOW (default 1): every deadline here (boot, exec --timeout, unplug
--timeout, resize --wait and --settle, pull --timeout, stop) is multiplied
by it, for slow machines and debug kernels.
"""

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import time

from .agent import agent_ping, guest_run
from .common import RUN, SLOW, TOP, VMError, die, parse_size, qemu_pid, size_at_node, vmdir
from .dimm import free_id, memory_devices, plug_dimm, unplug_dimms
from .kernel import agent_line, check_config, pvh_kernel, resolve_kernel
from .qmp import QMP, qmp_once


def cmd_exec(args):
    if not args.exec_argv:
        die("exec: no command given")
    return guest_run(args.name, args.exec_argv, args.n, args.timeout,
                     sys.stdout.buffer, sys.stderr.buffer)


def cmd_pull(a):
    """Copy a guest file to the host (binary-safe, through the agent)."""
    dest = a.dest or os.path.basename(a.path)
    tmp = dest + ".part"
    try:
        with open(tmp, "wb") as f:
            rc = guest_run(a.name, ["cat", "--", a.path], True, a.timeout, f, sys.stderr.buffer)
    except VMError:
        os.unlink(tmp)
        raise
    if rc:
        os.unlink(tmp)
        die(f"pull: {a.path}: cat exited {rc}", rc)
    os.replace(tmp, dest)
    print(f"{dest}: {os.path.getsize(dest)} bytes")
    return 0


def qemu_argv(a, d, kernel, image, agent, env):
    """QEMU's argv for 'start' options A: VM folder D, the KERNEL to boot (a
    PVH vmlinux or the bzImage), the initramfs IMAGE, the AGENT line
    ('virtio' or 'tty', agent_line()) and the MEMHP_* variables of ENV.

    Pure: it starts, creates and reads nothing (tests/unit/python)."""
    accel = env.get("MEMHP_ACCEL", "tcg")
    qemu = env.get("MEMHP_QEMU", "qemu-system-x86_64")
    # TCG (QEMU 7.2) runs a REP-prefixed string instruction one element per
    # loop through the translated code. With ERMS the guest kernel clears
    # pages with "rep stosb" (4096 rounds a page, and init_on_alloc clears
    # every page it allocates), so offlining 128 MiB that must migrate took
    # 13 s with "max" and 1.7 s with "max,erms=off" (6.12, phys-add). Only
    # the kernel's choice of memset/clear_page routine changes.
    cpu = env.get("MEMHP_CPU") or ("host" if accel == "kvm" else "max,erms=off")
    mem = a.mem
    argv = [qemu, "-name", f"memhp-{a.name}", "-accel", accel, "-cpu", cpu,
            "-smp", str(a.smp),
            "-m", f"{mem >> 20}M,slots={a.slots},maxmem={a.maxmem >> 20}M",
            "-nodefaults", "-no-user-config", "-display", "none", "-no-reboot",
            "-kernel", kernel, "-initrd", image]
    if a.interactive:
        # Console and monitor multiplexed on this terminal (Ctrl-a c switches).
        argv += ["-serial", "mon:stdio"]
    else:
        argv += ["-chardev", f"file,id=con,path={d}/console.log",
                 "-serial", "chardev:con"]
    # The guest agent's line: a virtio-serial port where the kernel has
    # virtio_console (under TCG a 16550 moves about 60 KB/s to the guest and
    # 140 KB/s back; the port moved 3 MB in 0.5 s either way), and the second
    # serial port always, for kernels without it (Debian's kernels and
    # memhp's lanes have it). agent.sock links to the one in use.
    argv += ["-chardev", f"socket,id=agent-tty,path={d}/agent-tty.sock,server=on,wait=off",
             "-serial", "chardev:agent-tty"]
    if agent == "virtio":
        argv += ["-device", "virtio-serial-pci,id=agent-bus",
                 "-chardev", f"socket,id=agent,path={d}/agent-virtio.sock,server=on,wait=off",
                 "-device", "virtserialport,bus=agent-bus.0,chardev=agent,name=org.memhp.agent"]
    argv += [
            "-chardev", f"socket,id=qmp,path={d}/qmp.sock,server=on,wait=off",
            "-mon", "chardev=qmp,mode=control",
            "-pidfile", f"{d}/qemu.pid"]
    if not a.interactive:
        argv += ["-daemonize"]
    if a.numa:
        # One socket per node (CPUs of a socket must share a node, or the
        # guest warns about its topology); CPUs spread over the nodes.
        nodes_with_cpus = min(a.numa, a.smp)
        sockets = nodes_with_cpus if a.smp % nodes_with_cpus == 0 else a.smp
        argv[argv.index("-smp") + 1] = \
            f"{a.smp},sockets={sockets},cores={a.smp // sockets},threads=1"
        argv += ["-object", f"memory-backend-ram,id=ram-node0,size={mem}",
                 "-numa", "node,nodeid=0,memdev=ram-node0"]
        argv += [x for n in range(1, a.numa) for x in ("-numa", f"node,nodeid={n}")]
        for sock in range(sockets):
            argv += ["-numa", f"cpu,node-id={sock % a.numa},socket-id={sock}"]
    for i, spec in enumerate(a.cold_dimm):
        size, _, node = spec.partition("@")
        size = parse_size(size)
        argv += ["-object", f"memory-backend-ram,id=mem-cold{i},size={size}"]
        dev = f"pc-dimm,id=cold{i},memdev=mem-cold{i}"
        if node:
            dev += f",node={int(node)}"
        argv += ["-device", dev]
    for i, spec in enumerate(a.virtio_mem):
        size, _, node = spec.partition("@")
        argv += ["-object", f"memory-backend-ram,id=vmem{i}-mem,size={parse_size(size)}",
                 "-device", f"virtio-mem-pci,id=vmem{i},memdev=vmem{i}-mem,"
                 f"node={int(node or 0)},requested-size=0"]
    # CXL needs q35 (PCIe); every other VM is the default i440FX "pc".
    machine = ["q35", "cxl=on"] if a.cxl else ["pc"]
    if a.nvdimm or a.nvdimm_hotplug:
        # The NFIT and the ACPI NVDIMM root device (its _FIT and the
        # notification a hot-plug raises) exist only with nvdimm=on.
        machine.append("nvdimm=on")
    if len(machine) > 1:
        argv += ["-machine", ",".join(machine)]
    if a.cxl:
        # QEMU 7.2's cxl-type3 is persistent memory (memdev) with a label
        # storage area (lsa), both file-backed, sparse, in the VM's folder;
        # the fixed memory window (CFMWS) is where the guest maps it.
        size = a.cxl
        argv += ["-object", f"memory-backend-file,id=cxl-mem0-mem,share=on,"
                 f"mem-path={d}/cxl-mem0.raw,size={size}",
                 "-object", f"memory-backend-file,id=cxl-mem0-lsa,share=on,"
                 f"mem-path={d}/cxl-mem0-lsa.raw,size={1 << 20}",
                 "-device", "pxb-cxl,bus_nr=12,bus=pcie.0,id=cxl.0",
                 "-device", "cxl-rp,port=0,bus=cxl.0,id=cxl-rp0,chassis=0,slot=2",
                 "-device", "cxl-type3,bus=cxl-rp0,memdev=cxl-mem0-mem,lsa=cxl-mem0-lsa,id=cxl-mem0",
                 "-machine", f"cxl-fmw.0.targets.0=cxl.0,cxl-fmw.0.size={max(size, 1 << 30) >> 20}M"]
    for i, spec in enumerate(a.nvdimm):
        size, _, node = spec.partition("@")
        argv += ["-object", f"memory-backend-ram,id=mem-nv{i},size={parse_size(size)}",
                 "-device", f"nvdimm,id=nv{i},memdev=mem-nv{i},node={int(node or 0)}"]
    # acpi=noirq: PCI interrupts are routed from the BIOS's $PIR table, not
    # by ACPI's _PRT. On i440FX _PRT is an AML loop over 128 entries, and
    # ACPICA bounds AML loops by time (30 s): under TCG with KASAN it ran
    # out ("AE_AML_LOOP_TIMEOUT", "PCI INT A: no GSI") and took 30 s of a
    # 54 s boot. ACPI itself, its SCI and memory hotplug are unchanged.
    # log_buf_len=4M: a debug kernel's page dumps on failed migrations (one
    # offline/online loop printed 2000 lines) must not push a test's oops
    # out of the ring buffer that dmesg reads (128 KiB on 7.3's lanes).
    # q35 (--cxl) keeps ACPI's routing: it has no $PIR, and its _PRT is short.
    append = ("console=ttyS0 panic=-1 mitigations=off" + ("" if a.cxl else " acpi=noirq") +
              " log_buf_len=4M rdinit=/init")
    if agent != "virtio":
        append += " memhp_agent=serial"
    if a.interactive:
        append += " memhp_shell=1"
    if a.append:
        append += " " + a.append
    argv += ["-append", append]
    return argv


def cmd_start(a):
    d = vmdir(a.name, must_exist=False)
    if os.path.exists(d) and qemu_pid(d):
        die(f"VM '{a.name}' is already running")
    if a.numa is not None and a.numa < 1:
        die("--numa needs N >= 1")
    info = resolve_kernel(a.kernel, build=not a.no_build)
    kernel, rel = pvh_kernel(info) or info["image"], info["release"]
    check_config(info)

    # Never boot a stale image: bring module and initramfs up to date.
    image = os.path.join(TOP, "build", rel, "initramfs.cpio")
    if not a.no_build:
        spec = {"tree": info["kdir"], "image": info["image"]}.get(info["kind"], rel)
        mk = subprocess.run(["make", "-s", "-C", TOP, "image", f"KVER={spec}"],
                            stdout=sys.stderr, check=False)
        if mk.returncode:
            die(f"building the module/image for {rel} failed")
    elif not os.path.exists(image):
        die(f"--no-build: {image} does not exist (make image KVER={a.kernel})")

    extra = sum(parse_size(x.partition("@")[0]) for x in a.cold_dimm + a.virtio_mem + a.nvdimm)
    if extra > a.maxmem - a.mem:
        die(f"--maxmem {a.maxmem >> 20}M does not cover --mem {a.mem >> 20}M plus "
            f"{extra >> 20}M of cold DIMMs, virtio-mem devices and NVDIMMs", 2)
    if len(a.cold_dimm) + len(a.nvdimm) > a.slots:
        die(f"--slots {a.slots}: {len(a.cold_dimm)} cold DIMMs and {len(a.nvdimm)} NVDIMMs "
            "do not fit", 2)
    for opt, specs in (("--virtio-mem", a.virtio_mem), ("--nvdimm", a.nvdimm)):
        for spec in specs:
            node = spec.partition("@")[2]
            if node and int(node) >= max(a.numa or 1, 1):
                die(f"{opt} {spec}: no node {node} (--numa {a.numa or 1})", 2)

    agent = agent_line(info, image)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    os.symlink(f"agent-{agent}.sock", os.path.join(d, "agent.sock"))
    argv = qemu_argv(a, d, kernel, image, agent, os.environ)
    if a.interactive:
        os.execvp(argv[0], argv)
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump({"kernel": kernel, "release": rel, "spec": a.kernel, "kind": info["kind"],
                   "config": info["config"], "argv": argv}, f, indent=1)

    t0 = time.monotonic()
    r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if r.returncode:
        die(f"QEMU failed to start:\n{r.stdout}")
    limit = float(os.environ.get("MEMHP_BOOT_TIMEOUT", "180")) * SLOW
    deadline = t0 + limit
    got = None
    while time.monotonic() < deadline:
        if not qemu_pid(d):
            break
        got = agent_ping(d, timeout=0.3)
        if got:
            break
        if agent == "virtio" and "agent on /dev/ttyS1" in console_text(d):
            # The guest found no virtio port (virtio_console missing from
            # its image?): it listens on the serial port instead.
            agent = "tty"
            os.symlink("agent-tty.sock", os.path.join(d, "agent.new"))
            os.replace(os.path.join(d, "agent.new"), os.path.join(d, "agent.sock"))
            continue
        time.sleep(0.05)
    if not got:
        tail = console_text(d)[-3000:]
        kill_vm(d, 0)
        die(f"VM '{a.name}' did not come up within {limit:.0f}s; console tail:\n{tail}")
    ready = time.monotonic() - t0
    if a.virtio_mem:
        # Debian's 6.1 has virtio_pci as a module too; 6.12 builds it in.
        null = open(os.devnull, "wb")
        rc = guest_run(a.name, ["sh", "-c", "modprobe -q virtio_pci; modprobe virtio_mem"],
                       True, 60, null, sys.stderr.buffer)
        if rc:
            die(f"VM '{a.name}': modprobe virtio_mem failed ({rc})")
    print(f"vm {a.name}: kernel {got} ready in {ready:.1f}s")
    return 0


# ----------------------------------------------------------- the others
def console_text(d):
    try:
        with open(os.path.join(d, "console.log"), "rb") as f:
            return f.read().decode(errors="replace")
    except OSError:
        return ""


def kill_vm(d, timeout):
    pid = qemu_pid(d)
    if pid and timeout > 0:
        try:
            qmp_once(d, "quit")
        except (VMError, OSError):
            pass
        end = time.monotonic() + timeout
        while time.monotonic() < end and qemu_pid(d):
            time.sleep(0.05)
    pid = qemu_pid(d)
    if pid:
        os.kill(pid, signal.SIGKILL)
        end = time.monotonic() + 5
        while time.monotonic() < end and qemu_pid(d):
            time.sleep(0.05)
    for f in ("qemu.pid", "qmp.sock", "agent.sock", "agent-tty.sock", "agent-virtio.sock"):
        try:
            os.unlink(os.path.join(d, f))
        except OSError:
            pass


def cmd_stop(a):
    d = vmdir(a.name)
    kill_vm(d, a.timeout * SLOW)
    return 0


def cmd_console(a):
    d = vmdir(a.name, must_exist=False)
    if not os.path.exists(os.path.join(d, "console.log")):
        die(f"no console log for '{a.name}'")
    sys.stdout.write(console_text(d))
    return 0


def cmd_list(_a):
    if os.path.isdir(RUN):
        for n in sorted(os.listdir(RUN)):
            d = os.path.join(RUN, n)
            if qemu_pid(d):
                try:
                    with open(os.path.join(d, "config.json")) as f:
                        rel = json.load(f)["release"]
                except (OSError, ValueError, KeyError):
                    rel = "?"
                print(f"{n} {rel} pid={qemu_pid(d)}")
    return 0


def cmd_qmp(a):
    d = vmdir(a.name)
    args = None
    if a.args:
        try:
            args = json.loads(a.args)
        except ValueError as e:
            die(f"qmp: arguments are not JSON: {e}", 2)
    ret = qmp_once(d, a.command, args)
    print(json.dumps(ret, indent=2 if sys.stdout.isatty() else None))
    return 0


def cmd_hmp(a):
    d = vmdir(a.name)
    sys.stdout.write(qmp_once(d, "human-monitor-command", {"command-line": a.line}))
    return 0


def list_devices(q):
    for dev_id, m in sorted(memory_devices(q).items()):
        print(f"{dev_id} pc-dimm {m['addr']:#x} {m['size']} node={m['node']}")
    for dev_id, m in sorted(memory_devices(q, "nvdimm").items()):
        print(f"{dev_id} nvdimm {m['addr']:#x} {m['size']} node={m['node']}")
    for dev_id, m in sorted(memory_devices(q, "virtio-mem").items()):
        print(f"{dev_id} virtio-mem {m['memaddr']:#x} size={m['size']} "
              f"requested={m['requested-size']} max={m['max-size']} "
              f"block={m['block-size']} node={m['node']}")
    return 0


def cmd_resize(a):
    """virtio-mem: set requested-size, wait until size gets there or stops moving."""
    d = vmdir(a.name)
    q = QMP(d)
    try:
        devs = memory_devices(q, "virtio-mem")
        if a.id not in devs:
            die(f"resize: no virtio-mem device '{a.id}' "
                f"(have: {', '.join(sorted(devs)) or 'none'})", 2)
        q.cmd("qom-set", {"path": a.id, "property": "requested-size", "value": a.size})
        deadline = time.monotonic() + a.wait * SLOW
        settle = a.settle * SLOW
        size = last = devs[a.id]["size"]
        moved = time.monotonic()
        while size != a.size:
            now = time.monotonic()
            if now >= deadline or now - moved >= settle:
                print(f"{a.id} {a.size} {size}")
                why = "deadline" if now >= deadline else f"no change for {settle:g}s"
                die(f"resize: {a.id}: requested {a.size}, size stopped at {size} ({why})")
            time.sleep(0.1)  # a poll with a deadline (the size-change event is rate-limited)
            size = q.cmd("qom-get", {"path": a.id, "property": "size"})
            if size != last:
                last, moved = size, time.monotonic()
        print(f"{a.id} {a.size} {size}")
        return 0
    finally:
        q.close()


def cmd_plug(a):
    d = vmdir(a.name)
    if a.nvdimm and (a.size is not None or a.node is not None):
        die("plug: --nvdimm SIZE[@NODE] takes neither SIZE nor --node", 2)
    if a.nvdimm:
        with open(os.path.join(d, "config.json")) as f:
            if not any("nvdimm=on" in x for x in json.load(f)["argv"]):
                die(f"plug --nvdimm: VM '{a.name}' has no NFIT (start it with "
                    "--nvdimm or --nvdimm-hotplug)", 2)
    q = QMP(d)
    try:
        if a.size is None and not a.nvdimm:
            return list_devices(q)
        if a.nvdimm:
            kind = "nvdimm"
            size, _, node = a.nvdimm.partition("@")
            dev_id = a.id or free_id(memory_devices(q, kind), "nv")
            plug_dimm(q, dev_id, parse_size(size), int(node or 0), driver="nvdimm")
        else:
            kind = "dimm"
            dev_id = a.id or free_id(memory_devices(q), "dimm")
            plug_dimm(q, dev_id, a.size, a.node)
        m = memory_devices(q, kind)[dev_id]
        print(f"{dev_id} {m['addr']:#x} {m['size']}")
    finally:
        q.close()
    return 0


def cmd_unplug(a):
    q = QMP(vmdir(a.name))
    try:
        unplug_dimms(q, [a.id], a.timeout * SLOW)
        return 0
    finally:
        q.close()


def build_parser():
    """qemu/vm's argparse parser: a subcommand per command."""
    p = argparse.ArgumentParser(prog="qemu/vm", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog="Run 'qemu/vm COMMAND --help' for one command.")
    sub = p.add_subparsers(dest="cmd", metavar="COMMAND")
    sub.required = True

    s = sub.add_parser("start", help="boot a VM in the background")
    s.add_argument("name")
    s.add_argument("--kernel", default="6.1",
                   help="6.1, 6.12 (Debian's), a lane of scripts/build-kernel --lanes (7.3, debug, "
                        "debug-6.12, 7.3+fixes, debug+fixes), a built kernel tree or a bzImage path")
    s.add_argument("--mem", type=parse_size, default=parse_size("1G"))
    s.add_argument("--smp", type=int, default=2)
    s.add_argument("--slots", type=int, default=8)
    s.add_argument("--maxmem", type=parse_size, default=parse_size("32G"))
    s.add_argument("--numa", type=int, metavar="N",
                   help="N nodes; boot memory on node 0, nodes 1.. memoryless")
    s.add_argument("--cold-dimm", action="append", default=[], metavar="SIZE[@NODE]",
                   help="a DIMM present at boot (repeatable)")
    s.add_argument("--virtio-mem", action="append", default=[], metavar="SIZE[@NODE]",
                   help="a virtio-mem-pci device vmemN of up to SIZE, requested size 0 "
                   "(repeatable); the guest's virtio_mem driver is loaded")
    s.add_argument("--nvdimm", action="append", default=[], metavar="SIZE[@NODE]",
                   type=size_at_node,
                   help="a label-less NVDIMM nvN of SIZE present at boot, on NODE "
                   "(repeatable; -machine nvdimm=on)")
    s.add_argument("--nvdimm-hotplug", action="store_true",
                   help="-machine nvdimm=on with no NVDIMM at boot (for plug --nvdimm)")
    s.add_argument("--cxl", type=parse_size, metavar="SIZE",
                   help="a q35 VM with one CXL type-3 (persistent) memory device of SIZE")
    s.add_argument("--append", default="", help="extra kernel command line")
    s.add_argument("--interactive", action="store_true",
                   help="QEMU in the foreground: console on stdio, Ctrl-a c for the monitor")
    s.add_argument("--no-build", action="store_true",
                   help="boot the module and initramfs as built, without make image")
    s.set_defaults(fn=cmd_start)

    s = sub.add_parser("exec", help="run a command in the guest",
                       usage="qemu/vm exec NAME [-n] [--timeout S] -- CMD...")
    s.add_argument("name")
    s.add_argument("-n", action="store_true", help="do not forward stdin")
    s.add_argument("--timeout", type=float, default=0, help="kill CMD after S seconds (x MEMHP_SLOW; exit 124)")
    s.set_defaults(fn=cmd_exec)

    s = sub.add_parser("pull", help="copy a guest file to the host (e.g. a trace.dat)",
                       usage="qemu/vm pull NAME GUEST_PATH [HOST_PATH] [--timeout S]")
    s.add_argument("name")
    s.add_argument("path")
    s.add_argument("dest", nargs="?", help="default: the file's name, here")
    s.add_argument("--timeout", type=float, default=300,
                   help="give up after S seconds (x MEMHP_SLOW)")
    s.set_defaults(fn=cmd_pull)

    s = sub.add_parser("qmp", help="run a QMP command, print its JSON return")
    s.add_argument("name")
    s.add_argument("command")
    s.add_argument("args", nargs="?")
    s.set_defaults(fn=cmd_qmp)

    s = sub.add_parser("hmp", help="run a human monitor command")
    s.add_argument("name")
    s.add_argument("line")
    s.set_defaults(fn=cmd_hmp)

    s = sub.add_parser("plug", help="hot-plug a pc-dimm (no SIZE: list memory devices)")
    s.add_argument("name")
    s.add_argument("size", type=parse_size, nargs="?")
    s.add_argument("--node", type=int)
    s.add_argument("--nvdimm", metavar="SIZE[@NODE]", type=size_at_node,
                   help="an NVDIMM instead of a pc-dimm (the VM started with --nvdimm or "
                   "--nvdimm-hotplug)")
    s.add_argument("--id")
    s.set_defaults(fn=cmd_plug)

    s = sub.add_parser("resize", help="set a virtio-mem device's requested size, wait")
    s.add_argument("name")
    s.add_argument("id")
    s.add_argument("size", type=parse_size)
    s.add_argument("--wait", type=float, default=60,
                   help="give up after S seconds (x MEMHP_SLOW)")
    s.add_argument("--settle", type=float, default=10,
                   help="stop when the size has not moved for S seconds (x MEMHP_SLOW)")
    s.set_defaults(fn=cmd_resize)

    s = sub.add_parser("unplug", help="hot-unplug a pc-dimm")
    s.add_argument("name")
    s.add_argument("id")
    s.add_argument("--timeout", type=float, default=60)
    s.set_defaults(fn=cmd_unplug)

    s = sub.add_parser("console", help="print the serial console log")
    s.add_argument("name")
    s.set_defaults(fn=cmd_console)

    s = sub.add_parser("stop", help="power the VM off")
    s.add_argument("name")
    s.add_argument("--timeout", type=float, default=10)
    s.set_defaults(fn=cmd_stop)

    s = sub.add_parser("list", help="list running VMs")
    s.set_defaults(fn=cmd_list)
    return p


def main():
    p = build_parser()
    argv = sys.argv[1:]
    command = []
    if argv and argv[0] == "exec":
        if "--" not in argv:
            if "-h" in argv or "--help" in argv:
                p.parse_args(argv)      # exec's help, exit 0
            die("exec: usage: qemu/vm exec NAME [-n] [--timeout S] -- CMD...", 2)
        i = argv.index("--")
        argv, command = argv[:i], argv[i + 1:]
    a = p.parse_args(argv)
    a.exec_argv = command
    try:
        return a.fn(a)
    except VMError as e:        # GuestTimeout: 124
        die(str(e), e.code)
    except BrokenPipeError:
        return 141
