// SPDX-License-Identifier: GPL-2.0
/*
 * Every writable memhp file x every class of bad input: the write fails with
 * EINVAL and no memhp state changes (inject settings, ranges, events, stats).
 * Nothing here is a valid command, so nothing reaches mm.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "memhp_lib.h"

static const char * const writable[] = {
	"events", "stats", "add", "remove", "offline_remove", "pin", "unpin",
	"inject/MEM_GOING_ONLINE/error", "inject/MEM_GOING_ONLINE/count",
	"inject/MEM_GOING_ONLINE/range", "inject/MEM_GOING_OFFLINE/error",
	"inject/MEM_GOING_OFFLINE/count", "inject/MEM_GOING_OFFLINE/range",
};

static const char * const readable[] = {
	"ranges", "pinned", "events", "stats",
	"inject/MEM_GOING_ONLINE/error", "inject/MEM_GOING_ONLINE/count",
	"inject/MEM_GOING_ONLINE/range", "inject/MEM_GOING_OFFLINE/error",
	"inject/MEM_GOING_OFFLINE/count", "inject/MEM_GOING_OFFLINE/range",
};

#define NREAD	(sizeof(readable) / sizeof(readable[0]))
#define STATE_SZ	16384

/* Text inputs no memhp file accepts. */
static const char * const bad_text[] = {
	"",				/* empty */
	"   \t ",			/* whitespace only */
	"\n",				/* just a newline */
	"x7#@!",			/* garbage */
	"bogus_keyword",		/* unknown keyword */
	"clear all",			/* keyword with a trailing word */
	"0x",				/* partial number */
	"12abc",			/* partial number */
	"-",				/* sign alone */
	"--5",				/* double sign */
	"99999999999999999999999999",	/* overflow */
	"0x1fffffffffffffffff-0x1",	/* overflow in a range */
	"0x100000000 0x8000000 nid=99999999999999999999",	/* overflowing option */
	"1 2 3 4 5 6 7 8 9 10",		/* too many words */
	"\n\n",				/* two newlines */
};

struct snapshot {
	char text[NREAD][STATE_SZ];
};

static void take(struct snapshot *s)
{
	char path[256];
	unsigned int i;

	for (i = 0; i < NREAD; i++) {
		snprintf(path, sizeof(path), MEMHP_DIR "/%s", readable[i]);
		if (read_file(path, s->text[i], STATE_SZ) < 0)
			snprintf(s->text[i], STATE_SZ, "(unreadable)");
	}
}

/* One write() of len bytes at offset off (-1: plain); -errno or 0. */
static int raw(const char *file, const char *buf, size_t len, off_t off)
{
	char path[256];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), MEMHP_DIR "/%s", file);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	n = off < 0 ? write(fd, buf, len) : pwrite(fd, buf, len, off);
	n = n < 0 ? -errno : 0;
	close(fd);
	return n;
}

FIXTURE(bad) {
	struct snapshot *before, *after;
};

FIXTURE_SETUP(bad)
{
	const char *why = memhp_unmet(0);

	if (why)
		SKIP(return, "%s", why);
	self->before = calloc(1, sizeof(struct snapshot));
	self->after = calloc(1, sizeof(struct snapshot));
	ASSERT_NE(NULL, self->before);
	ASSERT_NE(NULL, self->after);
	/* Quiet state: no hotplug runs while this test writes. */
	take(self->before);
}

FIXTURE_TEARDOWN(bad)
{
	unsigned int i;

	if (!self->before)
		return;
	take(self->after);
	for (i = 0; i < NREAD; i++) {
		if (strcmp(self->before->text[i], self->after->text[i])) {
			TH_LOG("%s changed:\n--- before\n%s--- after\n%s", readable[i],
			       self->before->text[i], self->after->text[i]);
			_metadata->exit_code = KSFT_FAIL;
		}
	}
	free(self->before);
	free(self->after);
}

TEST_F(bad, text_classes)
{
	unsigned int f, t;

	for (f = 0; f < ARRAY_SIZE(writable); f++)
		for (t = 0; t < ARRAY_SIZE(bad_text); t++) {
			int ret = raw(writable[f], bad_text[t], strlen(bad_text[t]), -1);

			EXPECT_EQ(-EINVAL, ret) TH_LOG("file #%u <- case %u", f, t);
		}
}

TEST_F(bad, embedded_nul)
{
	static const char clear[] = "clear\0junk";
	static const char errno_val[] = "-1\0002";
	unsigned int f;

	for (f = 0; f < ARRAY_SIZE(writable); f++) {
		EXPECT_EQ(-EINVAL, raw(writable[f], clear, sizeof(clear) - 1, -1))
			TH_LOG("%s", writable[f]);
		EXPECT_EQ(-EINVAL, raw(writable[f], errno_val, sizeof(errno_val) - 1, -1))
			TH_LOG("%s", writable[f]);
	}
}

TEST_F(bad, longer_than_a_page)
{
	static char big[8192];
	unsigned int f;

	memset(big, '1', sizeof(big));
	for (f = 0; f < ARRAY_SIZE(writable); f++) {
		EXPECT_EQ(-EINVAL, raw(writable[f], big, 4097, -1)) TH_LOG("%s", writable[f]);
		EXPECT_EQ(-EINVAL, raw(writable[f], big, sizeof(big), -1)) TH_LOG("%s", writable[f]);
	}
}

/*
 * A valid command, but not at offset 0.  seq_file-backed files refuse
 * pwrite() itself (ESPIPE); after a seek, or on the others, memhp answers
 * EINVAL.
 */
TEST_F(bad, nonzero_offset)
{
	static const struct { const char *file, *text; int pwrite_err; } good[] = {
		{ "events", "clear", -ESPIPE }, { "stats", "clear", -ESPIPE },
		{ "inject/MEM_GOING_ONLINE/error", "0", -ESPIPE },
		{ "inject/MEM_GOING_OFFLINE/count", "-1", -ESPIPE },
		{ "inject/MEM_GOING_OFFLINE/range", "all", -ESPIPE },
		{ "add", "0x100000000 128M", -EINVAL },
		{ "remove", "0x100000000 128M", -EINVAL },
		{ "offline_remove", "0x100000000 128M", -EINVAL },
		{ "unpin", "0x100000000 4M", -EINVAL },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(good); i++) {
		const char *file = good[i].file, *text = good[i].text;
		char path[256];
		int fd, ret;

		ret = raw(file, text, strlen(text), 1);
		EXPECT_EQ(good[i].pwrite_err, ret) TH_LOG("pwrite %s", file);

		snprintf(path, sizeof(path), MEMHP_DIR "/%s", file);
		fd = open(path, O_WRONLY);
		ASSERT_GE(fd, 0);
		if (lseek(fd, 1, SEEK_SET) == 1) {
			EXPECT_EQ(-1, write(fd, text, strlen(text))) TH_LOG("seek+write %s", file);
			EXPECT_EQ(EINVAL, errno);
		}
		close(fd);
	}
}

/* "clear" split over two write() calls: each piece alone is rejected. */
TEST_F(bad, split_write)
{
	static const char * const files[] = { "events", "stats" };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(files); i++) {
		char path[256];
		int fd;

		snprintf(path, sizeof(path), MEMHP_DIR "/%s", files[i]);
		fd = open(path, O_WRONLY);
		ASSERT_GE(fd, 0);
		EXPECT_EQ(-1, write(fd, "cle", 3));
		EXPECT_EQ(EINVAL, errno);
		EXPECT_EQ(-1, write(fd, "ar", 2));
		EXPECT_EQ(EINVAL, errno);
		close(fd);
	}
	/* "-1" then "2": the first is a valid errno alone, so use count: "9" "x". */
	{
		int fd = open(MEMHP_DIR "/inject/MEM_GOING_ONLINE/error", O_WRONLY);

		ASSERT_GE(fd, 0);
		EXPECT_EQ(-1, write(fd, "-1x", 3));
		EXPECT_EQ(EINVAL, errno);
		close(fd);
	}
}

/* A newline is optional: a valid value without one is taken. */
TEST_F(bad, missing_newline_is_fine)
{
	EXPECT_EQ(0, raw("inject/MEM_GOING_ONLINE/count", "-1", 2, -1));
	EXPECT_EQ(0, raw("inject/MEM_GOING_ONLINE/count", "-1\n", 3, -1));
}

TEST_HARNESS_MAIN
