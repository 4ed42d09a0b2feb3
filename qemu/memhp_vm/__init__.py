# SPDX-License-Identifier: GPL-2.0
"""memhp_vm - the host's handle on memhp test VMs (qemu/vm is its command).

  common   paths, MEMHP_SLOW, VMError (GuestTimeout), parse_size, the per-VM locks
  qmp      QMP client (QMP, qmp_once)
  agent    guest agent client (Agent, agent_ping, guest_run)
  kernel   kernel resolution, .config check, PVH vmlinux cache
  cli      QEMU's command line, the commands, main()
"""

from .cli import main, memory_devices
from .common import OST_STATUS, SLOW, VMError, die, parse_size, vmdir
from .qmp import QMP, qmp_once

__all__ = ["OST_STATUS", "QMP", "SLOW", "VMError", "die", "main", "memory_devices",
           "parse_size", "qmp_once", "vmdir"]
