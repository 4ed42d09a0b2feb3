// SPDX-License-Identifier: GPL-2.0
/*
 * memhp command parser (see memhp_parse.h).  Kernel and user space.
 */
#ifdef __KERNEL__
#include <linux/ctype.h>
#include <linux/errno.h>
#include <linux/limits.h>
#include <linux/overflow.h>
#include <linux/string.h>
#endif

#include "memhp_parse.h"

int memhp_cmd_string(char *buf, size_t len, size_t size, const char **why)
{
	if (!len) {
		*why = "empty write";
		return -EINVAL;
	}
	if (len >= size) {
		*why = "line too long";
		return -EINVAL;
	}
	if (memchr(buf, '\0', len)) {
		*why = "NUL byte in input";
		return -EINVAL;
	}
	if (buf[len - 1] == '\n')
		len--;
	buf[len] = '\0';
	return 0;
}

char *memhp_next_token(char **s)
{
	char *p = *s, *tok;

	while (*p && isspace((unsigned char)*p))
		p++;
	if (!*p) {
		*s = p;
		return NULL;
	}
	tok = p;
	while (*p && !isspace((unsigned char)*p))
		p++;
	if (*p)
		*p++ = '\0';
	*s = p;
	return tok;
}

static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return 99;
}

/* Digits of base @base from @s; stops at the first non-digit, at @*end. */
static int parse_digits(const char *s, unsigned int base, u64 *val, const char **end)
{
	const char *p = s;
	u64 v = 0;

	while (digit_value(*p) < (int)base) {
		if (check_mul_overflow(v, (u64)base, &v) ||
		    check_add_overflow(v, (u64)digit_value(*p), &v))
			return -EINVAL;
		p++;
	}
	if (p == s)
		return -EINVAL;
	*val = v;
	*end = p;
	return 0;
}

int memhp_parse_u64(const char *s, bool suffix, u64 *val)
{
	unsigned int base = 10, shift = 0;
	const char *end;
	u64 v;
	int ret;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	ret = parse_digits(s, base, &v, &end);
	if (ret)
		return ret;
	if (suffix && *end) {
		switch (*end) {
		case 'k': case 'K':
			shift = 10;
			break;
		case 'm': case 'M':
			shift = 20;
			break;
		case 'g': case 'G':
			shift = 30;
			break;
		default:
			return -EINVAL;
		}
		end++;
		if (v > (U64_MAX >> shift))
			return -EINVAL;
		v <<= shift;
	}
	if (*end)
		return -EINVAL;
	*val = v;
	return 0;
}

int memhp_parse_int(const char *s, int min, int max, int *val)
{
	bool neg = false;
	const char *end;
	s64 v;
	u64 u;

	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	if (parse_digits(s, 10, &u, &end) || *end || u > (u64)1 << 31)
		return -EINVAL;
	v = neg ? -(s64)u : (s64)u;
	if (v < min || v > max)
		return -EINVAL;
	*val = (int)v;
	return 0;
}

int memhp_parse_range(const char *s, u64 *start, u64 *end)
{
	const char *dash;
	char first[24];
	u64 a, b;

	if (!strcmp(s, "all")) {
		*start = 0;
		*end = U64_MAX;
		return 0;
	}
	dash = strchr(s, '-');
	if (!dash || dash == s || (size_t)(dash - s) >= sizeof(first))
		return -EINVAL;
	memcpy(first, s, dash - s);
	first[dash - s] = '\0';
	if (memhp_parse_u64(first, false, &a) || memhp_parse_u64(dash + 1, false, &b))
		return -EINVAL;
	if (a > b)
		return -EINVAL;
	*start = a;
	*end = b;
	return 0;
}

static int phys_option(char *tok, int max_nid, struct memhp_phys_cmd *cmd,
		       const char **why)
{
	u64 nid;

	if (!strncmp(tok, "nid=", 4)) {
		if (cmd->nid >= 0) {
			*why = "nid given twice";
			return -EINVAL;
		}
		if (memhp_parse_u64(tok + 4, false, &nid) || nid >= (u64)max_nid) {
			*why = "bad nid (not a node number)";
			return -EINVAL;
		}
		cmd->nid = (int)nid;
	} else if (!strcmp(tok, "driver_managed")) {
		if (cmd->driver_managed) {
			*why = "driver_managed given twice";
			return -EINVAL;
		}
		cmd->driver_managed = true;
	} else if (!strcmp(tok, "memmap_on_memory")) {
		if (cmd->memmap_on_memory) {
			*why = "memmap_on_memory given twice";
			return -EINVAL;
		}
		cmd->memmap_on_memory = true;
	} else {
		*why = "unknown option";
		return -EINVAL;
	}
	return 0;
}

int memhp_parse_phys(char *line, bool with_options, u64 block_size, int max_nid,
		     struct memhp_phys_cmd *cmd, const char **why)
{
	char *start, *size, *tok;
	u64 last;
	int ret;

	memset(cmd, 0, sizeof(*cmd));
	cmd->nid = -1;
	start = memhp_next_token(&line);
	size = memhp_next_token(&line);
	if (!start || !size) {
		*why = "expected START SIZE";
		return -EINVAL;
	}
	if (memhp_parse_u64(start, false, &cmd->start)) {
		*why = "bad START (decimal or 0x hex)";
		return -EINVAL;
	}
	if (memhp_parse_u64(size, true, &cmd->size)) {
		*why = "bad SIZE (decimal or 0x hex, optional K/M/G)";
		return -EINVAL;
	}
	while ((tok = memhp_next_token(&line))) {
		if (!with_options) {
			*why = "unexpected text after START SIZE";
			return -EINVAL;
		}
		ret = phys_option(tok, max_nid, cmd, why);
		if (ret)
			return ret;
	}
	if (!cmd->size) {
		*why = "SIZE is 0";
		return -EINVAL;
	}
	if (check_add_overflow(cmd->start, cmd->size - 1, &last)) {
		*why = "START + SIZE wraps around";
		return -EINVAL;
	}
	if (!block_size || cmd->start % block_size || cmd->size % block_size) {
		*why = "START or SIZE not a multiple of the memory block size";
		return -EINVAL;
	}
	return 0;
}

int memhp_parse_phys_ranges(char *line, u64 block_size, struct memhp_phys_cmd *cmds,
			    unsigned int max, unsigned int *nr, const char **why)
{
	unsigned int n = 0, i;
	char *next;
	int ret;

	*nr = 0;
	do {
		next = strchr(line, ';');
		if (next)
			*next++ = '\0';
		if (n == max) {
			*why = "too many ranges";
			return -E2BIG;
		}
		ret = memhp_parse_phys(line, false, block_size, 1, &cmds[n], why);
		if (ret)
			return ret;
		for (i = 0; i < n; i++) {
			if (cmds[n].start <= cmds[i].start + (cmds[i].size - 1) &&
			    cmds[i].start <= cmds[n].start + (cmds[n].size - 1)) {
				*why = "ranges overlap or repeat";
				return -EINVAL;
			}
		}
		n++;
		line = next;
	} while (line);
	*nr = n;
	return 0;
}
