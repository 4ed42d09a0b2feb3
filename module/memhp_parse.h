/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memhp command parser: the one parser behind every writable memhp debugfs
 * file.  It depends on nothing kernel-only beyond <linux/types.h>,
 * <linux/errno.h> and friends, so the same source also builds in user space
 * (with tests/unit/memhp_parse_user.h) for unit tests and fuzzing.
 *
 * All functions return 0 or a negative errno, -EINVAL for malformed input.
 */
#ifndef _MEMHP_PARSE_H
#define _MEMHP_PARSE_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include "memhp_parse_user.h"
#endif

/* Longest command line a memhp file accepts, including the terminating NUL. */
#define MEMHP_CMD_MAX	256

/*
 * Check a raw write and turn it into a C string: it must not be empty, must
 * fit in @size with room for the NUL, must not contain a NUL byte; one
 * trailing newline is dropped.  @why is set to a reason on failure.
 */
int memhp_cmd_string(char *buf, size_t len, size_t size, const char **why);

/* Split off the next whitespace-separated token; NULL at the end. */
char *memhp_next_token(char **s);

/*
 * Unsigned number: decimal or 0x-prefixed hex.  With @suffix, a K, M or G
 * suffix (binary multiples) is accepted.  No sign, no overflow.
 */
int memhp_parse_u64(const char *s, bool suffix, u64 *val);

/* Signed decimal integer within [@min, @max]. */
int memhp_parse_int(const char *s, int min, int max, int *val);

/*
 * Physical range: "0xSTART-0xEND" (END inclusive, START <= END) or "all"
 * (0 .. U64_MAX).
 */
int memhp_parse_range(const char *s, u64 *start, u64 *end);

/* A parsed physical-phase command ("add", "remove", "offline_remove"). */
struct memhp_phys_cmd {
	u64 start;
	u64 size;
	int nid;			/* -1: not given */
	bool driver_managed;
	bool memmap_on_memory;
};

/*
 * "START SIZE" (@with_options false) or "START SIZE [nid=N] [driver_managed]
 * [memmap_on_memory]" (true).  START and SIZE: decimal or 0x hex, SIZE may
 * end in K/M/G.  Checks what needs no kernel state: SIZE > 0, START+SIZE
 * does not wrap, both multiples of @block_size, nid in 0..@max_nid-1,
 * options known and not repeated.  Modifies @line.  -EINVAL with @why set.
 */
int memhp_parse_phys(char *line, bool with_options, u64 block_size, int max_nid,
		     struct memhp_phys_cmd *cmd, const char **why);

/* Most ranges one offline_remove write takes. */
#define MEMHP_RANGES_MAX	8

/*
 * "START SIZE[;START SIZE...]": up to @max ranges, each as
 * memhp_parse_phys() without options checks it, none overlapping another
 * (a repeated range overlaps itself).  Fills @cmds[0..@nr-1], in the order
 * given.  Modifies @line.  -EINVAL, or -E2BIG for more than @max ranges,
 * with @why set; @nr is 0 then.
 */
int memhp_parse_phys_ranges(char *line, u64 block_size, struct memhp_phys_cmd *cmds,
			    unsigned int max, unsigned int *nr, const char **why);

#endif /* _MEMHP_PARSE_H */
