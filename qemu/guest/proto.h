/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memhp guest agent wire protocol (host <-> guest over the virtio-serial port
 * org.memhp.agent, or the second serial port where the kernel has no
 * virtio_console).  Every frame is a 12-byte little-endian header and a payload:
 *
 *   u16 magic 'M''H' (0x484d) | u8 type | u8 0 | u32 request id | u32 length
 *
 * Host to guest:
 *   'P' ping              -> 'p' with the guest's kernel release
 *   'E' exec argv\0...\0  -> 'O'/'R' output frames, then 'X' (u32 status)
 *   'I' stdin bytes       (length 0 = end of input)
 *   'S' u32 signal        sent to the running command's process group
 * Guest to host:
 *   'O' stdout bytes, 'R' stderr bytes,
 *   'X' u32 exit status (code, or 128 + signal number).
 *
 * One command runs at a time; a new 'E' kills a command still running (its
 * client went away) and drops the frames still queued for it.
 *
 * Guest-to-host frames are at most 32 KiB with their header (4 KiB on a
 * serial port).  A connection may begin with frames of another request:
 * whole ones on a virtio port, possibly the tail of one on a serial port.
 * Clients skip frames of another id and resync on the magic.  A client
 * never leaves a frame half-sent: the guest cannot tell where a connection
 * ended, and the rest of that frame would swallow the next command.
 */
#ifndef MEMHP_AGENT_PROTO_H
#define MEMHP_AGENT_PROTO_H

#include <stdint.h>

#define AGENT_MAGIC	0x484d
#define AGENT_HDR_LEN	12
#define AGENT_MAX_FRAME	(1u << 20)

struct agent_hdr {
	uint16_t magic;
	uint8_t type;
	uint8_t rsvd;
	uint32_t id;
	uint32_t len;
} __attribute__((packed));

#endif
