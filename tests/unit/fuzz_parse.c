// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for memhp's command parser: whatever bytes a write()
 * brings, the parser must not crash, read out of bounds, or accept a command
 * that breaks its own rules (alignment, no wrap, SIZE > 0, nid bound; for a
 * list of ranges, also a count within bounds and no two overlapping).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "memhp_parse.h"

#define BS	(128ULL << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct memhp_phys_cmd c, cs[MEMHP_RANGES_MAX];
	unsigned int nr, i, j;
	char buf[MEMHP_CMD_MAX], copy[MEMHP_CMD_MAX], *p, *tok;
	const char *why;
	u64 a, b;
	int v;

	if (len >= sizeof(buf))
		len = sizeof(buf) - 1;
	memcpy(buf, data, len);
	if (memhp_cmd_string(buf, len, sizeof(buf), &why))
		return 0;
	memcpy(copy, buf, sizeof(copy));

	if (!memhp_parse_phys(buf, 1, BS, 1024, &c, &why)) {
		if (!c.size || c.start % BS || c.size % BS || c.start + (c.size - 1) < c.start ||
		    c.nid >= 1024 || c.nid < -1)
			abort();
	}
	memcpy(buf, copy, sizeof(buf));
	if (!memhp_parse_phys(buf, 0, BS, 1024, &c, &why) && c.nid != -1)
		abort();
	memcpy(buf, copy, sizeof(buf));
	if (!memhp_parse_phys_ranges(buf, BS, cs, MEMHP_RANGES_MAX, &nr, &why)) {
		if (!nr || nr > MEMHP_RANGES_MAX)
			abort();
		for (i = 0; i < nr; i++) {
			if (!cs[i].size || cs[i].start % BS || cs[i].size % BS ||
			    cs[i].start + (cs[i].size - 1) < cs[i].start || cs[i].nid != -1)
				abort();
			for (j = 0; j < i; j++)
				if (cs[i].start <= cs[j].start + (cs[j].size - 1) &&
				    cs[j].start <= cs[i].start + (cs[i].size - 1))
					abort();
		}
	} else if (nr) {
		abort();
	}
	memcpy(buf, copy, sizeof(buf));
	p = buf;
	while ((tok = memhp_next_token(&p))) {
		if (!memhp_parse_range(tok, &a, &b) && a > b)
			abort();
		if (!memhp_parse_int(tok, -4095, 0, &v) && (v < -4095 || v > 0))
			abort();
		memhp_parse_u64(tok, 1, &a);
	}
	return 0;
}
