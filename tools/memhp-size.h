/* SPDX-License-Identifier: GPL-2.0 */
/* memhp guest tools: a size argument ("64M", "1G", "0x100000"). */
#ifndef MEMHP_SIZE_H
#define MEMHP_SIZE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* SIZE with an optional K/M/G suffix; exits 2 naming @prog on bad input. */
static inline uint64_t memhp_parse_size(const char *prog, const char *s)
{
	char *end;
	uint64_t v = strtoull(s, &end, 0);

	switch (*end) {
	case 'k': case 'K': v <<= 10; end++; break;
	case 'm': case 'M': v <<= 20; end++; break;
	case 'g': case 'G': v <<= 30; end++; break;
	}
	if (*end || !v) {
		fprintf(stderr, "%s: bad size '%s'\n", prog, s);
		exit(2);
	}
	return v;
}

#endif
