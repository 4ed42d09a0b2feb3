# SPDX-License-Identifier: GPL-2.0
"""Memory devices over QMP: list them, hot-plug and hot-unplug pc-dimms
(qemu/vm plug and unplug; scripts/bench-report's many at once), hot-plug
NVDIMMs (QEMU has no NVDIMM hot-unplug)."""

import time

from .common import OST_STATUS, VMError

# ACPI _OST statuses that are no refusal: success, ejection in progress.
OST_NOT_REFUSED = (0x00, 0x84)


def memory_devices(q, kind="dimm"):
    """The VM's memory devices of KIND (query-memory-devices' type), by id."""
    return {m["data"].get("id"): m["data"] for m in q.cmd("query-memory-devices")
            if m.get("type") == kind}


def free_id(taken, prefix):
    """The first of PREFIX1, PREFIX2, ... that is not in TAKEN."""
    n = 1
    while f"{prefix}{n}" in taken:
        n += 1
    return f"{prefix}{n}"


def plug_dimm(q, dev_id, size, node=None, driver="pc-dimm"):
    """A DIMM DEV_ID of SIZE bytes on a RAM backend mem-DEV_ID, on NODE if
    given; the backend is deleted again when device_add fails. DRIVER
    "nvdimm" makes it a label-less NVDIMM: QEMU raises the NFIT
    notification (ACPI0012 Notify 0x80), and the guest's nfit driver
    re-reads _FIT and registers the new region."""
    mem_id = f"mem-{dev_id}"
    q.cmd("object-add", {"qom-type": "memory-backend-ram", "id": mem_id, "size": size})
    dev = {"driver": driver, "id": dev_id, "memdev": mem_id}
    if node is not None:
        dev["node"] = node
    try:
        q.cmd("device_add", dev)
    except VMError:
        q.cmd("object-del", {"id": mem_id})
        raise


def unplug_dimms(q, ids, timeout):
    """device_del each pc-dimm of IDS, then wait up to TIMEOUT seconds for
    every DEVICE_DELETED, deleting each one's backend as it goes; the IDs in
    the order they went. VMError for an ID that is no DIMM (before any is
    unplugged), a guest that refuses an eject (its _OST status), or the
    deadline."""
    ids = list(dict.fromkeys(ids))
    devs = memory_devices(q)
    for dev_id in ids:
        if dev_id not in devs:
            why = (" (an NVDIMM: QEMU cannot hot-unplug one)"
                   if dev_id in memory_devices(q, "nvdimm") else "")
            raise VMError(f"unplug: no DIMM '{dev_id}'{why} "
                          f"(have: {', '.join(sorted(devs)) or 'none'})")
    memdev = {dev_id: devs[dev_id]["memdev"].rsplit("/", 1)[-1] for dev_id in ids}
    for dev_id in ids:
        q.cmd("device_del", {"id": dev_id})
    left, gone = set(ids), []
    deadline = time.monotonic() + timeout
    while left:
        ev = q.event(deadline)
        if ev is None:
            raise VMError(f"unplug: {' '.join(sorted(left))}: no DEVICE_DELETED within {timeout:g}s "
                          "(guest still ejecting?)")
        name, data = ev["event"], ev.get("data", {})
        if name == "DEVICE_DELETED" and data.get("device") in left:
            left.discard(data["device"])
            q.cmd("object-del", {"id": memdev[data["device"]]})
            gone.append(data["device"])
        elif name == "ACPI_DEVICE_OST":
            info = data.get("info", {})
            st = info.get("status", 0)
            if info.get("device") in left and st not in OST_NOT_REFUSED:
                raise VMError(f"unplug: {info['device']} refused by the guest: _OST status {st:#x} "
                              f"({OST_STATUS.get(st, 'unknown')})")
    return gone
