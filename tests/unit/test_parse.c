// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit test of memhp's command parser (module/memhp_parse.c), the same
 * source the kernel module builds.  Prints KTAP; exit 0 when all pass.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "memhp_parse.h"

#define BS	(128ULL << 20)

static int tests, failures;

static void result(int ok, const char *what, const char *input)
{
	tests++;
	if (!ok)
		failures++;
	printf("%sok %d %s '%s'\n", ok ? "" : "not ", tests, what, input);
}

struct phys_case {
	const char *line;
	int opts;
	int ret;
	unsigned long long start, size;
	int nid, dm, mom;
};

static const struct phys_case phys_cases[] = {
	{ "0x100000000 1G", 1, 0, 0x100000000ULL, 1ULL << 30, -1, 0, 0 },
	{ "4294967296 1073741824", 1, 0, 0x100000000ULL, 1ULL << 30, -1, 0, 0 },
	{ "0x100000000 128M nid=1", 1, 0, 0x100000000ULL, BS, 1, 0, 0 },
	{ "0x100000000 0x8000000 driver_managed", 1, 0, 0x100000000ULL, BS, -1, 1, 0 },
	{ "0x100000000 128M memmap_on_memory driver_managed nid=0", 1, 0,
	  0x100000000ULL, BS, 0, 1, 1 },
	{ "  0x100000000\t131072K  ", 1, 0, 0x100000000ULL, BS, -1, 0, 0 },
	{ "0x100000000 1g", 1, 0, 0x100000000ULL, 1ULL << 30, -1, 0, 0 },
	{ "0x100000000 1G", 0, 0, 0x100000000ULL, 1ULL << 30, -1, 0, 0 },
	{ "", 1, -EINVAL },
	{ "   ", 1, -EINVAL },
	{ "0x100000000", 1, -EINVAL },
	{ "garbage", 1, -EINVAL },
	{ "0x100000000 1G bogus", 1, -EINVAL },
	{ "0x100000000 1G nid=0", 0, -EINVAL },
	{ "0x100000000 1G driver_managed", 0, -EINVAL },
	{ "-0x100000000 1G", 1, -EINVAL },
	{ "0x100000000 -1G", 1, -EINVAL },
	{ "+0x100000000 1G", 1, -EINVAL },
	{ "0x 1G", 1, -EINVAL },
	{ "0x100000000 0x", 1, -EINVAL },
	{ "0x1g 1G", 1, -EINVAL },
	{ "0x100000000 1T", 1, -EINVAL },
	{ "0x100000000 1GB", 1, -EINVAL },
	{ "0x100000000 0", 1, -EINVAL },
	{ "0x100000000 0G", 1, -EINVAL },
	{ "0x100001000 128M", 1, -EINVAL },
	{ "0x100000000 1M", 1, -EINVAL },
	{ "0x10000000000000000 128M", 1, -EINVAL },
	{ "99999999999999999999 128M", 1, -EINVAL },
	{ "0x100000000 17179869184G", 1, -EINVAL },
	{ "0xfffffffff8000000 0x10000000", 1, -EINVAL },
	{ "0xfffffffff8000000 0x8000000", 1, 0, 0xfffffffff8000000ULL, BS, -1, 0, 0 },
	{ "0x100000000 1G nid=", 1, -EINVAL },
	{ "0x100000000 1G nid=-1", 1, -EINVAL },
	{ "0x100000000 1G nid=1024", 1, -EINVAL },
	{ "0x100000000 1G nid=0 nid=0", 1, -EINVAL },
	{ "0x100000000 1G driver_managed driver_managed", 1, -EINVAL },
	{ "0x100000000 1G memmap_on_memory memmap_on_memory", 1, -EINVAL },
	{ "0x100000000 1G NID=0", 1, -EINVAL },
	{ "0x100000000 1G nid=0x1", 1, 0, 0x100000000ULL, 1ULL << 30, 1, 0, 0 },
};

static void test_phys(void)
{
	struct memhp_phys_cmd c;
	const char *why;
	unsigned int i;
	char buf[256];

	for (i = 0; i < sizeof(phys_cases) / sizeof(phys_cases[0]); i++) {
		const struct phys_case *t = &phys_cases[i];
		int ret, ok;

		strcpy(buf, t->line);
		why = NULL;
		ret = memhp_parse_phys(buf, t->opts, BS, 1024, &c, &why);
		ok = ret == t->ret && (ret || (c.start == t->start && c.size == t->size &&
					       c.nid == t->nid && c.driver_managed == t->dm &&
					       c.memmap_on_memory == t->mom));
		if (ret && !why)
			ok = 0;	/* every rejection names its reason */
		if (!ok)
			printf("# got ret=%d start=0x%llx size=0x%llx nid=%d why=%s\n", ret,
			       (unsigned long long)c.start, (unsigned long long)c.size, c.nid,
			       why ? why : "(none)");
		result(ok, t->opts ? "phys(add)" : "phys(remove)", t->line);
	}
}

struct ranges_case {
	const char *line;
	int ret;
	unsigned int nr;
	unsigned long long start[3], size[3];
};

#define G	0x40000000ULL

static const struct ranges_case ranges_cases[] = {
	{ "0x100000000 1G", 0, 1, { 4 * G }, { G } },
	{ "0x100000000 1G;0x180000000 128M", 0, 2, { 4 * G, 6 * G }, { G, BS } },
	{ " 0x180000000 128M ; 0x100000000\t1G", 0, 2, { 6 * G, 4 * G }, { BS, G } },
	{ "0x100000000 128M;0x108000000 128M;0x110000000 128M", 0, 3,
	  { 4 * G, 4 * G + BS, 4 * G + 2 * BS }, { BS, BS, BS } },
	{ "", -EINVAL }, { ";", -EINVAL }, { "0x100000000 1G;", -EINVAL },
	{ ";0x100000000 1G", -EINVAL }, { "0x100000000 1G;;0x180000000 128M", -EINVAL },
	{ "0x100000000 1G 0x180000000 128M", -EINVAL },
	{ "0x100000000 1G;0x180000000", -EINVAL },
	{ "0x100000000 1G;0x180000000 1M", -EINVAL },
	{ "0x100000000 1G nid=0;0x180000000 128M", -EINVAL },
	{ "0x100000000 1G;0x100000000 1G", -EINVAL },
	{ "0x100000000 1G;0x138000000 128M", -EINVAL },
	{ "0x138000000 128M;0x100000000 1G", -EINVAL },
	{ "0x100000000 1G;0xf8000000 256M", -EINVAL },
	{ "0x100000000 1G;0x140000000 128M", 0, 2, { 4 * G, 5 * G }, { G, BS } },
	{ "0xfffffffff0000000 128M;0xfffffffff8000000 128M", 0, 2,
	  { 0xfffffffff0000000ULL, 0xfffffffff8000000ULL }, { BS, BS } },
	{ "0x100000000 128M;0x108000000 128M;0x110000000 128M;0x118000000 128M", -E2BIG },
};

static void test_ranges(void)
{
	struct memhp_phys_cmd c[3];
	unsigned int i, j, nr;
	const char *why;
	char buf[256];

	for (i = 0; i < sizeof(ranges_cases) / sizeof(ranges_cases[0]); i++) {
		const struct ranges_case *t = &ranges_cases[i];
		int ret, ok;

		strcpy(buf, t->line);
		why = NULL;
		nr = 99;
		ret = memhp_parse_phys_ranges(buf, BS, c, 3, &nr, &why);
		ok = ret == t->ret && nr == (ret ? 0 : t->nr);
		for (j = 0; ok && !ret && j < nr; j++)
			ok = c[j].start == t->start[j] && c[j].size == t->size[j] && c[j].nid == -1;
		if (ret && !why)
			ok = 0;	/* every rejection names its reason */
		if (!ok)
			printf("# got ret=%d nr=%u why=%s\n", ret, nr, why ? why : "(none)");
		result(ok, "phys_ranges", t->line);
	}
}

static void test_int_range(void)
{
	static const struct { const char *s; int min, max, ret, val; } ints[] = {
		{ "-12", -4095, 0, 0, -12 }, { "0", -4095, 0, 0, 0 }, { "-4095", -4095, 0, 0, -4095 },
		{ "-4096", -4095, 0, -EINVAL }, { "1", -4095, 0, -EINVAL }, { "-", -4095, 0, -EINVAL },
		{ "", -4095, 0, -EINVAL }, { "-12x", -4095, 0, -EINVAL }, { "0x10", -1, 100, -EINVAL },
		{ "2147483647", -1, 2147483647, 0, 2147483647 },
		{ "2147483648", -1, 2147483647, -EINVAL }, { "-2", -1, 10, -EINVAL },
		{ "+5", -1, 10, 0, 5 }, { "--1", -1, 10, -EINVAL },
		{ "99999999999999999999999", -1, 10, -EINVAL },
	};
	static const struct { const char *s; int ret; unsigned long long a, b; } ranges[] = {
		{ "all", 0, 0, ~0ULL }, { "0x1000-0x1fff", 0, 0x1000, 0x1fff },
		{ "4096-8191", 0, 4096, 8191 }, { "0x1000-0x1000", 0, 0x1000, 0x1000 },
		{ "0x2000-0x1000", -EINVAL }, { "0x1000", -EINVAL }, { "-0x1000", -EINVAL },
		{ "0x1000-", -EINVAL }, { "0x1000--0x2000", -EINVAL }, { "ALL", -EINVAL },
		{ "0x1000-0x2000-0x3000", -EINVAL }, { "", -EINVAL },
		{ "0x11111111111111111111111-0x2", -EINVAL },
	};
	unsigned int i;

	for (i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
		int v = 12345, ret = memhp_parse_int(ints[i].s, ints[i].min, ints[i].max, &v);

		result(ret == ints[i].ret && (ret || v == ints[i].val), "int", ints[i].s);
	}
	for (i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++) {
		u64 a = 1, b = 1;
		int ret = memhp_parse_range(ranges[i].s, &a, &b);

		result(ret == ranges[i].ret && (ret || (a == ranges[i].a && b == ranges[i].b)),
		       "range", ranges[i].s);
	}
}

static void test_cmd_string(void)
{
	const char *why;
	char buf[16];

	memcpy(buf, "clear\n", 6);
	result(!memhp_cmd_string(buf, 6, sizeof(buf), &why) && !strcmp(buf, "clear"),
	       "cmd_string strips one newline", "clear\\n");
	memcpy(buf, "clear", 5);
	result(!memhp_cmd_string(buf, 5, sizeof(buf), &why) && !strcmp(buf, "clear"),
	       "cmd_string without newline", "clear");
	result(memhp_cmd_string(buf, 0, sizeof(buf), &why) == -EINVAL, "cmd_string empty", "");
	memcpy(buf, "cl\0ar", 5);
	result(memhp_cmd_string(buf, 5, sizeof(buf), &why) == -EINVAL, "cmd_string NUL", "cl\\0ar");
	result(memhp_cmd_string(buf, 16, sizeof(buf), &why) == -EINVAL,
	       "cmd_string too long", "16 bytes into 16");
}

int main(void)
{
	printf("TAP version 13\n");
	test_phys();
	test_ranges();
	test_int_range();
	test_cmd_string();
	printf("1..%d\n", tests);
	printf("# %d passed, %d failed\n", tests - failures, failures);
	return failures ? 1 : 0;
}
