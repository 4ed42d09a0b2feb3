// SPDX-License-Identifier: GPL-2.0
/*
 * memhp debugfs interface: the directory exists while the module is loaded
 * and every file in it is root-only (no group or other permission bits).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"

#define MEMHP_DIR "/sys/kernel/debug/memhp"

static int count_files(const char *dir, int *loose, char *what, size_t len)
{
	char path[PATH_MAX];
	struct dirent *de;
	struct stat st;
	int n = 0;
	DIR *d;

	d = opendir(dir);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (lstat(path, &st))
			continue;
		if (S_ISDIR(st.st_mode)) {
			int sub = count_files(path, loose, what, len);

			if (sub > 0)
				n += sub;
			continue;
		}
		n++;
		if (st.st_mode & 077) {
			(*loose)++;
			snprintf(what, len, "%s mode %03o", path, st.st_mode & 0777);
		}
	}
	closedir(d);
	return n;
}

FIXTURE(memhp) {
	int loaded_here;
};

FIXTURE_SETUP(memhp)
{
	if (geteuid())
		SKIP(return, "must run as root");
	self->loaded_here = 0;
	if (access("/sys/module/memhp", F_OK)) {
		if (system("modprobe memhp"))
			SKIP(return, "memhp module not available");
		self->loaded_here = 1;
	}
}

FIXTURE_TEARDOWN(memhp)
{
	if (self->loaded_here && system("rmmod memhp"))
		TH_LOG("rmmod memhp failed");
}

TEST_F(memhp, debugfs_dir_present)
{
	struct stat st;

	ASSERT_EQ(0, stat(MEMHP_DIR, &st)) TH_LOG("%s: %s", MEMHP_DIR, strerror(errno));
	ASSERT_TRUE(S_ISDIR(st.st_mode));
}

TEST_F(memhp, files_root_only)
{
	char what[PATH_MAX + 32] = "";
	int loose = 0;
	int n;

	n = count_files(MEMHP_DIR, &loose, what, sizeof(what));
	ASSERT_GE(n, 0) TH_LOG("cannot read %s: %s", MEMHP_DIR, strerror(-n));
	EXPECT_EQ(0, loose) TH_LOG("%d files not root-only, e.g. %s", loose, what);
}

TEST_HARNESS_MAIN
