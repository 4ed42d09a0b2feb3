# SPDX-License-Identifier: GPL-2.0
"""memhp_vm - the host's handle on memhp test VMs (qemu/vm is its command).

  common   paths, MEMHP_SLOW, VMError (GuestTimeout), parse_size, the per-VM locks
  qmp      QMP client (QMP, qmp_once)
  dimm     memory devices over QMP: list, plug and unplug pc-dimms
  agent    guest agent client (Agent, agent_ping, guest_run)
  kernel   kernel resolution, .config check, PVH vmlinux cache
  cli      QEMU's command line, the commands, main()
"""

from .cli import main
from .common import OST_STATUS, SLOW, VMError, die, parse_size, vmdir
from .dimm import free_id, memory_devices, plug_dimm, unplug_dimms
from .qmp import QMP, qmp_once

__all__ = ["OST_STATUS", "QMP", "SLOW", "VMError", "die", "free_id", "main", "memory_devices",
           "parse_size", "plug_dimm", "qmp_once", "unplug_dimms", "vmdir"]
