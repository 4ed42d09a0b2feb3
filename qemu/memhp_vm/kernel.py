# SPDX-License-Identifier: GPL-2.0
"""The kernel a VM boots: resolution, its .config check, the PVH vmlinux cache."""

import os
import re
import struct
import subprocess
import sys

from .common import TOP, VMError, die


XEN_ELFNOTE_PHYS32_ENTRY = 18   # the note QEMU needs to boot an ELF vmlinux (PVH)


def has_pvh_entry(path):
    """Whether PATH is a complete ELF64 vmlinux with a PVH entry note."""
    try:
        with open(path, "rb") as f:
            eh = f.read(64)
            if len(eh) < 64 or eh[:4] != b"\x7fELF" or eh[4] != 2:
                return False
            size = os.fstat(f.fileno()).st_size
            phoff, = struct.unpack_from("<Q", eh, 32)
            phentsize, phnum = struct.unpack_from("<HH", eh, 54)
            found = False
            for i in range(phnum):
                f.seek(phoff + i * phentsize)
                p_type, _, p_offset, _, _, p_filesz = struct.unpack("<IIQQQQ", f.read(40))
                if p_offset + p_filesz > size:
                    return False        # truncated
                if p_type != 4:         # PT_NOTE
                    continue
                f.seek(p_offset)
                data, off = f.read(p_filesz), 0
                while off + 12 <= len(data):
                    namesz, descsz, typ = struct.unpack_from("<III", data, off)
                    name = data[off + 12:off + 12 + namesz].rstrip(b"\0")
                    found |= name == b"Xen" and typ == XEN_ELFNOTE_PHYS32_ENTRY
                    off += 12 + ((namesz + 3) & ~3) + ((descsz + 3) & ~3)
            return found
    except (OSError, struct.error):
        return False


def decompress_vmlinux(image):
    """The ELF vmlinux inside bzImage IMAGE (xz, zstd or gzip), or None."""
    import lzma
    import zlib
    with open(image, "rb") as f:
        data = f.read()

    def xz(b):
        return lzma.LZMADecompressor(format=lzma.FORMAT_XZ).decompress(b)

    def gz(b):
        return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(b)

    def zstd(b):
        # Trailing bytes after the frame make zstd complain: its output counts.
        return subprocess.run(["zstd", "-dcq"], input=b, stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, check=False).stdout
    for magic, fn in ((b"\xfd7zXZ\x00", xz), (b"\x28\xb5\x2f\xfd", zstd),
                      (b"\x1f\x8b\x08", gz)):
        off = data.find(magic)
        for _ in range(8):
            if off < 0:
                break
            try:
                out = fn(data[off:])
            except (lzma.LZMAError, zlib.error, OSError):
                out = b""
            if out[:4] == b"\x7fELF":
                return out
            off = data.find(magic, off + 1)
    return None


def pvh_kernel(info):
    """An uncompressed vmlinux with a PVH entry for INFO's kernel, or None.

    Under TCG the bzImage's decompressor is slow: Debian's 6.1 (xz) took
    3.3 s of a 6 s boot to the agent, 6.12 (zstd) 1 s. QEMU boots an ELF
    vmlinux with a PVH entry note directly: the same kernel, entered through
    its PVH entry (no KASLR). Debian's are decompressed once into
    ~/.cache/memhp/vmlinux; a kernel tree's own vmlinux is used if it has the
    note (CONFIG_PVH). MEMHP_PVH=0 boots the bzImage."""
    if os.environ.get("MEMHP_PVH", "1") == "0":
        return None
    if info["kind"] == "tree":
        # The 7.3 KASAN kernel entered through PVH printed nothing within
        # 180 s, while its bzImage booted (cause not found yet): a KASAN
        # tree boots its bzImage.
        try:
            with open(info["config"]) as f:
                if re.search(r"^CONFIG_KASAN=y$", f.read(), re.M):
                    return None
        except OSError:
            pass
        p = os.path.join(info["kdir"], "vmlinux")
        return p if has_pvh_entry(p) else None
    st = os.stat(info["image"])
    cache = os.environ.get("MEMHP_VMLINUX_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "memhp", "vmlinux")
    out = os.path.join(cache, f"{info['release']}-{st.st_size}-{int(st.st_mtime)}")
    if os.path.exists(out + ".none"):
        return None
    if os.path.exists(out):
        return out if has_pvh_entry(out) else None
    # Two VMs of one kernel may start at once: each writes its own file and
    # the last rename wins (the same bytes). Any failure boots the bzImage.
    tmp = f"{out}.tmp{os.getpid()}"
    try:
        os.makedirs(cache, exist_ok=True)
        elf = decompress_vmlinux(info["image"])
        if not elf:
            print(f"vm: note: {info['image']}: no vmlinux found in it (is zstd installed?); "
                  "booting the bzImage", file=sys.stderr)
            return None
        with open(tmp, "wb") as f:
            f.write(elf)
        if not has_pvh_entry(tmp):
            # Not a passing failure: remember it for this image.
            open(out + ".none", "w").close()
            print(f"vm: note: {info['image']}: its vmlinux has no PVH entry (CONFIG_PVH); "
                  "booting the bzImage", file=sys.stderr)
            return None
        os.replace(tmp, out)
        return out
    except OSError as e:
        print(f"vm: note: cannot keep a vmlinux in {cache} ({e}); booting the bzImage",
              file=sys.stderr)
        return None
    finally:
        try:
            os.unlink(tmp)
        except OSError:
            pass


def resolve_kernel(spec, build=False):
    """scripts/kernel-release's fields for SPEC (6.1, 6.12, a lane, tree, bzImage).

    BUILD: a lane's kernel (7.3, debug, debug-6.12) that is not built yet is
    built first, its progress on stderr."""
    argv = [os.path.join(TOP, "scripts/kernel-release"), "--all", spec]
    if build:
        argv.insert(1, "--build")
    r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=None if build else subprocess.PIPE,
                       check=False, text=True)
    if r.returncode:
        raise VMError((r.stderr or "").strip().removeprefix("kernel-release: ") or
                      f"no kernel '{spec}' (see above)")
    info = dict(line.split("=", 1) for line in r.stdout.splitlines() if "=" in line)
    if not os.path.exists(info["image"]):
        raise VMError(f"{info['image']} missing (run scripts/deps)")
    return info


def check_config(info):
    """Refuse, before booting, a kernel whose .config lacks what memhp needs."""
    if not os.path.exists(info["config"]):
        print(f"vm: note: no {info['config']}; kernel options not checked", file=sys.stderr)
        return
    r = subprocess.run([os.path.join(TOP, "scripts/kconfig-check"), info["config"]],
                       stdout=sys.stderr, stderr=subprocess.PIPE, text=True, check=False)
    if r.returncode == 1:
        raise VMError(f"kernel {info['release']} cannot run memhp:\n{r.stderr.rstrip()}")
    sys.stderr.write(r.stderr)


def agent_line(info, image):
    """'virtio' where the guest can load virtio_console, else 'tty'.

    The kernel has it built in, or as a module that IMAGE carries (mkimage
    lists them in IMAGE.modules). MEMHP_AGENT=serial keeps the agent on the
    serial port."""
    choice = os.environ.get("MEMHP_AGENT", "")
    if choice not in ("", "virtio", "serial"):
        die(f"MEMHP_AGENT={choice}: 'virtio' (the default where the kernel can) or 'serial'", 2)
    if choice == "serial":
        return "tty"
    try:
        with open(info["config"]) as f:
            conf = f.read()
    except OSError:
        return "tty"
    try:
        with open(image + ".modules") as f:
            mods = set(f.read().split())
    except OSError:
        mods = set()
    for opt, mod in (("CONFIG_VIRTIO_CONSOLE", "virtio_console"), ("CONFIG_VIRTIO_PCI", "virtio_pci")):
        m = re.search(rf"^{opt}=([ym])$", conf, re.M)
        if not m or (m.group(1) == "m" and mod not in mods):
            return "tty"
    return "virtio"
