// SPDX-License-Identifier: GPL-2.0
/*
 * memhp add / remove / offline_remove: bad input gets a precise errno and
 * changes nothing; ownership, overlap and busy rules; what ranges reads back
 * after an offline_remove the kernel refused; several ranges in one
 * offline_remove (7.3+), all or nothing; concurrent writers; rmmod
 * while owning memory.
 *
 * Needs a hot-plugged DIMM that no driver has added (boot with
 * acpi_no_memhotplug, plug a DIMM) named by the environment:
 *   MEMHP_TEST_FREE_RANGE="0xADDR SIZE"
 * and auto_online_blocks=offline.  The scenario phys-bad-input.sh runs it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "memhp_lib.h"

#define ADD	MEMHP_DIR "/add"
#define REMOVE	MEMHP_DIR "/remove"
#define OREMOVE	MEMHP_DIR "/offline_remove"
#define RANGES	MEMHP_DIR "/ranges"
#define INJ_OFF	MEMHP_DIR "/inject/MEM_GOING_OFFLINE/"

/* One write() of exactly len bytes at offset off (-1: plain write). */
static int write_raw(const char *path, const char *buf, size_t len, off_t off)
{
	int fd = open(path, O_WRONLY), ret = 0;
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = off < 0 ? write(fd, buf, len) : pwrite(fd, buf, len, off);
	if (n < 0)
		ret = -errno;
	close(fd);
	return ret;
}

static int cmd(const char *path, const char *fmt, unsigned long long a, unsigned long long b,
	       const char *extra)
{
	char line[256];

	snprintf(line, sizeof(line), fmt, a, b, extra);
	return write_file(path, line);
}

FIXTURE(phys) {
	unsigned long long addr, size, bs;
	char ranges_before[4096];
};

FIXTURE_SETUP(phys)
{
	const char *env = getenv("MEMHP_TEST_FREE_RANGE");

	if (geteuid())
		SKIP(return, "must run as root");
	if (!env || sscanf(env, "%llx %llu", &self->addr, &self->size) != 2)
		SKIP(return, "MEMHP_TEST_FREE_RANGE=\"0xADDR SIZE\" not set (phys-bad-input.sh sets it)");
	if (access("/sys/module/memhp", F_OK) && system("modprobe memhp"))
		SKIP(return, "memhp module not available");
	self->bs = block_size();
	ASSERT_GE(self->size, 4 * self->bs);
	ASSERT_EQ(0, write_file(MEMORY_DIR "/auto_online_blocks", "offline"));
	ASSERT_GE(read_file(RANGES, self->ranges_before, sizeof(self->ranges_before)), 0);
	ASSERT_STREQ("", self->ranges_before) TH_LOG("memhp already owns ranges");
}

FIXTURE_TEARDOWN(phys)
{
	char now[4096];

	write_file(INJ_OFF "error", "0");
	write_file(INJ_OFF "range", "all");

	/* Whatever a failed test left behind. */
	if (read_file(RANGES, now, sizeof(now)) > 0) {
		char *line = strtok(now, "\n");

		while (line) {
			unsigned long long s, e;

			if (sscanf(line, "0x%llx-0x%llx", &s, &e) == 2)
				cmd(OREMOVE, "0x%llx %llu%s", s, e - s + 1, "");
			line = strtok(NULL, "\n");
		}
	}
}

static void expect_ranges_empty(struct __test_metadata *_metadata)
{
	char now[4096];

	ASSERT_GE(read_file(RANGES, now, sizeof(now)), 0);
	EXPECT_STREQ("", now);
}

TEST_F(phys, malformed_lines_einval)
{
	char line[256];
	const char *bad[] = {
		"", " ", "\n", "garbage", "0x%llx", "0x%llx %llu bogus", "0x%llx %llu nid=",
		"0x%llx %llu nid=-1", "0x%llx %llu nid=x", "-0x%llx %llu", "0x%llx -%llu",
		"0x%llx %lluQ", "0x%llx 0x", "0x1ffffffffffffffffff 128M",
		"0xfffffffff8000000 0x10000000", "0x%llx 0", "0x%llx 1M", "0x%llx %llu nid=0 nid=0",
		"0x%llx %llu driver_managed driver_managed", "0x%llx\t%llu\tfoo",
		"0x%llx %llu memmap_on_memory memmap_on_memory", "0x%llx %llu nid=0x",
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		int ret;

		snprintf(line, sizeof(line), bad[i], self->addr, self->size);
		ret = write_file(ADD, line);
		EXPECT_EQ(-EINVAL, ret) TH_LOG("add '%s'", line);
	}
	/* START not block aligned. */
	EXPECT_EQ(-EINVAL, cmd(ADD, "0x%llx %llu%s", self->addr + 4096, self->bs, ""));
	EXPECT_EQ(-EINVAL, cmd(ADD, "0x%llx %llu%s", self->addr + self->bs / 2, self->bs, ""));
	/* remove and offline_remove take no options. */
	EXPECT_EQ(-EINVAL, cmd(REMOVE, "0x%llx %llu%s", self->addr, self->bs, " nid=0"));
	EXPECT_EQ(-EINVAL, cmd(OREMOVE, "0x%llx %llu%s", self->addr, self->bs, " driver_managed"));
	EXPECT_EQ(-EINVAL, write_file(REMOVE, ""));
	EXPECT_EQ(-EINVAL, write_file(OREMOVE, "garbage"));
	expect_ranges_empty(_metadata);
}

TEST_F(phys, raw_write_shapes)
{
	char line[128], big[5000];
	int len;

	len = snprintf(line, sizeof(line), "0x%llx %llu", self->addr, self->bs);
	/* Embedded NUL: the text after it must not be ignored. */
	line[10] = '\0';
	EXPECT_EQ(-EINVAL, write_raw(ADD, line, len, -1));
	/* Longer than a page, and longer than any command. */
	memset(big, ' ', sizeof(big));
	len = snprintf(big, sizeof(big), "0x%llx %llu", self->addr, self->bs);
	big[len] = ' ';
	EXPECT_EQ(-EINVAL, write_raw(ADD, big, sizeof(big), -1));
	EXPECT_EQ(-EINVAL, write_raw(ADD, big, 300, -1));
	/* A write at a non-zero offset. */
	len = snprintf(line, sizeof(line), "0x%llx %llu", self->addr, self->bs);
	EXPECT_EQ(-EINVAL, write_raw(ADD, line, len, 1));
	/* A command split across two write() calls: each half is a bad command. */
	{
		int fd = open(ADD, O_WRONLY);
		char *sp = strchr(line, ' ');

		ASSERT_GE(fd, 0);
		EXPECT_EQ(-1, write(fd, line, sp - line));
		EXPECT_EQ(EINVAL, errno);
		EXPECT_EQ(-1, write(fd, sp, strlen(sp)));
		EXPECT_EQ(EINVAL, errno);
		close(fd);
	}
	expect_ranges_empty(_metadata);

	/* The same command whole, without a newline, is fine. */
	EXPECT_EQ(0, write_raw(ADD, line, len, -1));
	EXPECT_EQ(0, cmd(REMOVE, "0x%llx %llu%s", self->addr, self->bs, "\n"));
	expect_ranges_empty(_metadata);
}

TEST_F(phys, out_of_pluggable_range_erange)
{
	EXPECT_EQ(-ERANGE, cmd(ADD, "0x%llx %llu%s", 1ULL << 60, self->bs, ""));
	EXPECT_EQ(-ERANGE, cmd(ADD, "0x%llx %llu%s", (1ULL << 62) - self->bs, self->bs, ""));
	expect_ranges_empty(_metadata);
}

TEST_F(phys, overlapping_ram_eexist)
{
	/* Boot memory, at 0 and straddling the end of the free range's start. */
	EXPECT_EQ(-EEXIST, cmd(ADD, "0x%llx %llu%s", 0ULL, self->bs, ""));
	EXPECT_EQ(-EEXIST, cmd(ADD, "0x%llx %llu%s", 0ULL, 8 * self->bs, ""));
	expect_ranges_empty(_metadata);
}

TEST_F(phys, impossible_nid_einval)
{
	EXPECT_EQ(-EINVAL, cmd(ADD, "0x%llx %llu%s", self->addr, self->bs, " nid=1000000"));
	EXPECT_EQ(-EINVAL, cmd(ADD, "0x%llx %llu%s", self->addr, self->bs, " nid=1023"));
	expect_ranges_empty(_metadata);
}

TEST_F(phys, memmap_on_memory_unsupported_einval)
{
	char param[8] = "";
	struct utsname u;
	int major = 0, minor = 0;

	uname(&u);
	sscanf(u.release, "%d.%d", &major, &minor);
	read_file("/sys/module/memory_hotplug/parameters/memmap_on_memory", param, sizeof(param));
	if (major > 6 || (major == 6 && minor >= 9)) {
		if (param[0] != 'N')
			SKIP(return, "memory_hotplug.memmap_on_memory is on: supported here");
		EXPECT_EQ(-EINVAL, cmd(ADD, "0x%llx %llu%s", self->addr, self->bs,
				       " memmap_on_memory"));
	} else {
		/* Before 6.9 the kernel supports one memory block per add. */
		EXPECT_EQ(-EINVAL, cmd(ADD, "0x%llx %llu%s", self->addr, 2 * self->bs,
				       " memmap_on_memory"));
	}
	expect_ranges_empty(_metadata);
}

TEST_F(phys, own_ranges_overlap_and_ownership)
{
	unsigned long long a = self->addr, bs = self->bs;
	char now[4096];
	int lines = 0;
	char *p;

	EXPECT_EQ(-ENOENT, cmd(REMOVE, "0x%llx %llu%s", a, bs, ""));
	EXPECT_EQ(-ENOENT, cmd(OREMOVE, "0x%llx %llu%s", a, bs, ""));
	EXPECT_EQ(-ENOENT, cmd(REMOVE, "0x%llx %llu%s", 0ULL, bs, ""));	/* boot RAM */

	ASSERT_EQ(0, cmd(ADD, "0x%llx %llu%s", a, bs, ""));
	EXPECT_EQ(0, block_state(a / bs));
	EXPECT_EQ(-EEXIST, cmd(ADD, "0x%llx %llu%s", a, bs, ""));
	EXPECT_EQ(-EEXIST, cmd(ADD, "0x%llx %llu%s", a, 2 * bs, ""));
	EXPECT_EQ(-EEXIST, cmd(ADD, "0x%llx %llu%s", a, bs, " driver_managed"));
	EXPECT_EQ(0, cmd(ADD, "0x%llx %llu%s", a + bs, bs, " driver_managed"));

	ASSERT_GT(read_file(RANGES, now, sizeof(now)), 0);
	for (p = now; (p = strchr(p, '\n')); p++)
		lines++;
	EXPECT_EQ(2, lines) TH_LOG("ranges:\n%s", now);
	EXPECT_NE(NULL, strstr(now, "flags=driver_managed online_blocks=0/1"));

	/* Removal must name a range exactly as it was added. */
	EXPECT_EQ(-ENOENT, cmd(REMOVE, "0x%llx %llu%s", a, 2 * bs, ""));
	EXPECT_EQ(0, cmd(REMOVE, "0x%llx %llu%s", a, bs, ""));
	EXPECT_EQ(-1, block_state(a / bs));
	EXPECT_EQ(0, cmd(OREMOVE, "0x%llx %llu%s", a + bs, bs, ""));
	expect_ranges_empty(_metadata);
}

TEST_F(phys, remove_while_online_ebusy)
{
	unsigned long long a = self->addr, bs = self->bs;
	char before[256], after[256];

	ASSERT_EQ(0, cmd(ADD, "0x%llx %llu%s", a, 2 * bs, ""));
	ASSERT_EQ(0, set_block(a / bs + 1, "online_movable"));
	ASSERT_GT(read_file(RANGES, before, sizeof(before)), 0);
	EXPECT_NE(NULL, strstr(before, "online_blocks=1/2")) TH_LOG("%s", before);

	EXPECT_EQ(-EBUSY, cmd(REMOVE, "0x%llx %llu%s", a, 2 * bs, ""));
	ASSERT_GT(read_file(RANGES, after, sizeof(after)), 0);
	EXPECT_STREQ(before, after);
	EXPECT_EQ(1, block_state(a / bs + 1));

	ASSERT_EQ(0, set_block(a / bs + 1, "offline"));
	EXPECT_EQ(0, cmd(REMOVE, "0x%llx %llu%s", a, 2 * bs, ""));
	expect_ranges_empty(_metadata);
}

/*
 * offline_remove refused by the kernel (an injected MEM_GOING_OFFLINE error
 * in the upper block: the lower one was offlined and is put back online):
 * the range stays, and ranges says what was read back from the kernel
 * afterwards, not what the return value implies: both blocks online, the
 * kernel's -EBUSY.  Then the same offline_remove without the injection
 * removes it, and the next add of the range starts with no such note.
 */
TEST_F(phys, offline_remove_refused_reads_back)
{
	unsigned long long a = self->addr, bs = self->bs;
	char range[64], now[512], want[256];

	ASSERT_EQ(0, cmd(ADD, "0x%llx %llu%s", a, 2 * bs, ""));
	ASSERT_EQ(0, set_block(a / bs, "online_movable"));
	ASSERT_EQ(0, set_block(a / bs + 1, "online_movable"));
	snprintf(range, sizeof(range), "0x%llx-0x%llx", a + bs, a + 2 * bs - 1);
	ASSERT_EQ(0, write_file(INJ_OFF "range", range));
	ASSERT_EQ(0, write_file(INJ_OFF "error", "-16"));

	EXPECT_EQ(-EBUSY, cmd(OREMOVE, "0x%llx %llu%s", a, 2 * bs, ""));
	ASSERT_EQ(0, write_file(INJ_OFF "error", "0"));
	EXPECT_EQ(1, block_state(a / bs));
	EXPECT_EQ(1, block_state(a / bs + 1));
	snprintf(want, sizeof(want),
		 "0x%llx-0x%llx size=%llu nid=0 flags=none online_blocks=2/2 offline_remove=refused(-16)\n",
		 a, a + 2 * bs - 1, 2 * bs);
	ASSERT_GT(read_file(RANGES, now, sizeof(now)), 0);
	EXPECT_STREQ(want, now);
	/* Still memhp's, still online: remove refuses as before. */
	EXPECT_EQ(-EBUSY, cmd(REMOVE, "0x%llx %llu%s", a, 2 * bs, ""));

	EXPECT_EQ(0, cmd(OREMOVE, "0x%llx %llu%s", a, 2 * bs, ""));
	EXPECT_EQ(-1, block_state(a / bs));
	EXPECT_EQ(-1, block_state(a / bs + 1));
	expect_ranges_empty(_metadata);

	ASSERT_EQ(0, cmd(ADD, "0x%llx %llu%s", a, bs, ""));
	snprintf(want, sizeof(want), "0x%llx-0x%llx size=%llu nid=0 flags=none online_blocks=0/1\n",
		 a, a + bs - 1, bs);
	ASSERT_GT(read_file(RANGES, now, sizeof(now)), 0);
	EXPECT_STREQ(want, now);
	EXPECT_EQ(0, cmd(REMOVE, "0x%llx %llu%s", a, bs, ""));
	expect_ranges_empty(_metadata);
}

/* Does a System RAM line of /proc/iomem overlap [a, a + size)?  1, 0 or -errno. */
static int iomem_ram(unsigned long long a, unsigned long long size)
{
	unsigned long long s, e;
	char line[256], name[128];
	FILE *f = fopen("/proc/iomem", "r");
	int found = 0;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, " %llx-%llx : %127[^\n]", &s, &e, name) != 3)
			continue;
		if (!strncmp(name, "System RAM", 10) && s < a + size && a <= e)
			found = 1;
	}
	fclose(f);
	return found;
}

/*
 * offline_remove of two ranges in one write (7.3+:
 * offline_and_remove_memory_ranges()).  memhp itself says whether the
 * kernel has it: two ranges that are not memhp's get ENOENT there and
 * EOPNOTSUPP before.  Bad lists change nothing; an injected failure in the
 * second range puts the first back online too (the kernel's all or
 * nothing), and ranges says so for both; then both go in one write, and
 * neither is left in /proc/iomem or ranges.
 */
TEST_F(phys, offline_remove_ranges)
{
	unsigned long long a = self->addr, bs = self->bs, b = a + 2 * bs;
	char line[256], range[64], now[512], want[512];
	unsigned int i;
	int n, ret;

	snprintf(line, sizeof(line), "0x%llx %llu;0x%llx %llu", a, bs, b, bs);
	ret = write_file(OREMOVE, line);
	if (ret == -EOPNOTSUPP) {
		/* Refused before anything: a range memhp owns stays. */
		ASSERT_EQ(0, cmd(ADD, "0x%llx %llu%s", a, bs, ""));
		EXPECT_EQ(-EOPNOTSUPP, write_file(OREMOVE, line));
		snprintf(want, sizeof(want),
			 "0x%llx-0x%llx size=%llu nid=0 flags=none online_blocks=0/1\n",
			 a, a + bs - 1, bs);
		ASSERT_GT(read_file(RANGES, now, sizeof(now)), 0);
		EXPECT_STREQ(want, now);
		EXPECT_EQ(0, cmd(OREMOVE, "0x%llx %llu%s", a, bs, ""));
		expect_ranges_empty(_metadata);
		SKIP(return, "offline_remove answers EOPNOTSUPP to two ranges: the kernel has no offline_and_remove_memory_ranges() (7.3+)");
	}
	EXPECT_EQ(-ENOENT, ret) TH_LOG("two ranges memhp did not add");

	ASSERT_EQ(0, cmd(ADD, "0x%llx %llu%s", a, bs, ""));
	ASSERT_EQ(0, cmd(ADD, "0x%llx %llu%s", b, bs, ""));
	ASSERT_EQ(0, set_block(a / bs, "online_movable"));
	ASSERT_EQ(0, set_block(b / bs, "online_movable"));
	ASSERT_EQ(1, iomem_ram(a, bs));
	ASSERT_EQ(1, iomem_ram(b, bs));
	snprintf(want, sizeof(want),
		 "0x%llx-0x%llx size=%llu nid=0 flags=none online_blocks=1/1\n"
		 "0x%llx-0x%llx size=%llu nid=0 flags=none online_blocks=1/1\n",
		 a, a + bs - 1, bs, b, b + bs - 1, bs);

	/* Validation: each refused before the kernel is called. */
	snprintf(line, sizeof(line), "0x%llx %llu;0x%llx %llu", a, bs, a, bs);
	EXPECT_EQ(-EINVAL, write_file(OREMOVE, line)) TH_LOG("duplicate '%s'", line);
	snprintf(line, sizeof(line), "0x%llx %llu;0x%llx %llu", a, 2 * bs, a + bs, bs);
	EXPECT_EQ(-EINVAL, write_file(OREMOVE, line)) TH_LOG("overlap '%s'", line);
	snprintf(line, sizeof(line), "0x%llx %llu;", a, bs);
	EXPECT_EQ(-EINVAL, write_file(OREMOVE, line)) TH_LOG("empty range '%s'", line);
	snprintf(line, sizeof(line), "0x%llx %llu;0x%llx %llu nid=0", a, bs, b, bs);
	EXPECT_EQ(-EINVAL, write_file(OREMOVE, line)) TH_LOG("option '%s'", line);
	for (i = 0, n = 0; i < 9; i++)
		n += snprintf(line + n, sizeof(line) - n, "%s0x%llx %llu", i ? ";" : "",
			      a + i * bs, bs);
	EXPECT_EQ(-E2BIG, write_file(OREMOVE, line)) TH_LOG("9 ranges");
	snprintf(line, sizeof(line), "0x%llx %llu;0x%llx %llu", a, bs, a + bs, bs);
	EXPECT_EQ(-ENOENT, write_file(OREMOVE, line)) TH_LOG("one not memhp's '%s'", line);
	snprintf(line, sizeof(line), "0x%llx %llu;0x%llx %llu", a, bs, b, 2 * bs);
	EXPECT_EQ(-ENOENT, write_file(OREMOVE, line)) TH_LOG("size not as added '%s'", line);
	ASSERT_GT(read_file(RANGES, now, sizeof(now)), 0);
	EXPECT_STREQ(want, now);
	EXPECT_EQ(1, block_state(a / bs));
	EXPECT_EQ(1, block_state(b / bs));

	/* All or nothing: b refuses to go offline, a comes back online. */
	snprintf(range, sizeof(range), "0x%llx-0x%llx", b, b + bs - 1);
	ASSERT_EQ(0, write_file(INJ_OFF "range", range));
	ASSERT_EQ(0, write_file(INJ_OFF "error", "-16"));
	snprintf(line, sizeof(line), "0x%llx %llu;0x%llx %llu", a, bs, b, bs);
	EXPECT_EQ(-EBUSY, write_file(OREMOVE, line));
	ASSERT_EQ(0, write_file(INJ_OFF "error", "0"));
	EXPECT_EQ(1, block_state(a / bs));
	EXPECT_EQ(1, block_state(b / bs));
	snprintf(want, sizeof(want),
		 "0x%llx-0x%llx size=%llu nid=0 flags=none online_blocks=1/1 offline_remove=refused(-16)\n"
		 "0x%llx-0x%llx size=%llu nid=0 flags=none online_blocks=1/1 offline_remove=refused(-16)\n",
		 a, a + bs - 1, bs, b, b + bs - 1, bs);
	ASSERT_GT(read_file(RANGES, now, sizeof(now)), 0);
	EXPECT_STREQ(want, now);
	EXPECT_EQ(1, iomem_ram(a, bs));
	EXPECT_EQ(1, iomem_ram(b, bs));

	/* Both in one write, in either order. */
	snprintf(line, sizeof(line), "0x%llx %llu;0x%llx %llu", b, bs, a, bs);
	EXPECT_EQ(0, write_file(OREMOVE, line));
	EXPECT_EQ(-1, block_state(a / bs));
	EXPECT_EQ(-1, block_state(b / bs));
	EXPECT_EQ(0, iomem_ram(a, bs));
	EXPECT_EQ(0, iomem_ram(b, bs));
	expect_ranges_empty(_metadata);
}

/* Two writers at once: each adds and removes its own range, then both race
 * for the same one. memhp serialises them; ranges never shows a torn state.
 */
TEST_F(phys, concurrent_writers)
{
	unsigned long long bs = self->bs;
	int i, status, fails = 0, wins = 0;
	pid_t pid[2];

	for (i = 0; i < 2; i++) {
		pid[i] = fork();
		ASSERT_GE(pid[i], 0);
		if (!pid[i]) {
			unsigned long long a = self->addr + (i + 2) * bs;
			int k, bad = 0;

			for (k = 0; k < 10; k++) {
				bad |= cmd(ADD, "0x%llx %llu%s", a, bs, "") != 0;
				bad |= cmd(REMOVE, "0x%llx %llu%s", a, bs, "") != 0;
			}
			_exit(bad);
		}
	}
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(pid[i], waitpid(pid[i], &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status));
	}
	expect_ranges_empty(_metadata);

	for (i = 0; i < 2; i++) {
		pid[i] = fork();
		ASSERT_GE(pid[i], 0);
		if (!pid[i]) {
			int ret = cmd(ADD, "0x%llx %llu%s", self->addr, bs, "");

			_exit(ret == 0 ? 0 : ret == -EEXIST ? 1 : 2);
		}
	}
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(pid[i], waitpid(pid[i], &status, 0));
		ASSERT_TRUE(WIFEXITED(status));
		wins += WEXITSTATUS(status) == 0;
		fails += WEXITSTATUS(status) == 1;
	}
	EXPECT_EQ(1, wins);
	EXPECT_EQ(1, fails);
	EXPECT_EQ(0, cmd(REMOVE, "0x%llx %llu%s", self->addr, bs, ""));
	expect_ranges_empty(_metadata);
}

TEST_F(phys, rmmod_while_owning)
{
	ASSERT_EQ(0, cmd(ADD, "0x%llx %llu%s", self->addr, self->bs, ""));
	EXPECT_NE(0, system("rmmod memhp 2>/dev/null"));
	EXPECT_EQ(0, access("/sys/module/memhp", F_OK));
	EXPECT_EQ(0, access(RANGES, R_OK));
	EXPECT_EQ(0, cmd(REMOVE, "0x%llx %llu%s", self->addr, self->bs, ""));
	EXPECT_EQ(0, system("rmmod memhp"));
	EXPECT_NE(0, access(MEMHP_DIR, F_OK));
	ASSERT_EQ(0, system("modprobe memhp"));
}

TEST_HARNESS_MAIN
