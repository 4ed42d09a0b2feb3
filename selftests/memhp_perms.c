// SPDX-License-Identifier: GPL-2.0
/*
 * memhp's files are root's only: a non-root user can neither read nor write
 * any of them (and so learns nothing from ranges), and root without
 * CAP_SYS_ADMIN cannot write them (EPERM).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "memhp_lib.h"

#define MAXF 64

static char files[MAXF][512];
static int nfiles;

static void collect(const char *dir)
{
	char path[512];
	struct dirent *de;
	struct stat st;
	DIR *d = opendir(dir);

	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (lstat(path, &st))
			continue;
		if (S_ISDIR(st.st_mode))
			collect(path);
		else if (nfiles < MAXF)
			snprintf(files[nfiles++], sizeof(files[0]), "%s", path);
	}
	if (d)
		closedir(d);
}

/* Run fn in a child; the child's exit status (0 = all as expected). */
static int in_child(int (*fn)(void))
{
	int status;
	pid_t pid = fork();

	if (!pid)
		_exit(fn());
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static int as_nobody(void)
{
	int i, bad = 0;

	if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
	    setresuid(65534, 65534, 65534))
		return 100;
	for (i = 0; i < nfiles; i++) {
		int fd = open(files[i], O_RDONLY);

		if (fd >= 0 || (errno != EACCES && errno != EPERM)) {
			printf("# nobody: open(%s, O_RDONLY) = %d (%s)\n", files[i], fd,
			       fd >= 0 ? "opened" : strerror(errno));
			bad++;
		}
		if (fd >= 0)
			close(fd);
		fd = open(files[i], O_WRONLY);
		if (fd >= 0 || (errno != EACCES && errno != EPERM)) {
			printf("# nobody: open(%s, O_WRONLY) = %d\n", files[i], fd);
			bad++;
		}
		if (fd >= 0)
			close(fd);
	}
	return bad ? 1 : 0;
}

static int drop_sys_admin(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return -1;
	d[CAP_SYS_ADMIN / 32].effective &= ~(1U << (CAP_SYS_ADMIN % 32));
	d[CAP_SYS_ADMIN / 32].permitted &= ~(1U << (CAP_SYS_ADMIN % 32));
	d[CAP_SYS_ADMIN / 32].inheritable &= ~(1U << (CAP_SYS_ADMIN % 32));
	return syscall(SYS_capset, &h, d);
}

static int root_without_sys_admin(void)
{
	static const char * const cmds[][2] = {
		{ "events", "clear" }, { "stats", "clear" },
		{ "inject/MEM_GOING_ONLINE/error", "0" },
		{ "inject/MEM_GOING_OFFLINE/range", "all" },
		{ "add", "0x100000000 128M" }, { "remove", "0x100000000 128M" },
		{ "offline_remove", "0x100000000 128M" },
		{ "pin", "0x100000 4096" }, { "unpin", "0x100000 4096" },
	};
	unsigned int i;
	int bad = 0;

	if (drop_sys_admin())
		return 100;
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		char path[256];
		int ret;

		snprintf(path, sizeof(path), MEMHP_DIR "/%s", cmds[i][0]);
		ret = write_file(path, cmds[i][1]);
		if (ret != -EPERM) {
			printf("# no CAP_SYS_ADMIN: write %s = %d, not -EPERM\n", cmds[i][0], ret);
			bad++;
		}
	}
	return bad ? 1 : 0;
}

FIXTURE(perms) {
	int unused;
};

FIXTURE_SETUP(perms)
{
	const char *why = memhp_unmet(0);

	if (why)
		SKIP(return, "%s", why);
	nfiles = 0;
	collect(MEMHP_DIR);
	ASSERT_GE(nfiles, 14) TH_LOG("only %d files under %s", nfiles, MEMHP_DIR);
}

FIXTURE_TEARDOWN(perms)
{
}

TEST_F(perms, files_have_no_group_or_other_bits)
{
	struct stat st;
	int i;

	for (i = 0; i < nfiles; i++) {
		ASSERT_EQ(0, stat(files[i], &st));
		EXPECT_EQ(0, st.st_mode & 077) TH_LOG("%s mode %03o", files[i], st.st_mode & 0777);
		EXPECT_EQ(0, st.st_uid);
	}
}

TEST_F(perms, nobody_can_neither_read_nor_write)
{
	EXPECT_EQ(0, in_child(as_nobody));
}

TEST_F(perms, writes_need_cap_sys_admin)
{
	char before[4096], after[4096];

	ASSERT_GE(read_file(MEMHP_DIR "/ranges", before, sizeof(before)), 0);
	EXPECT_EQ(0, in_child(root_without_sys_admin));
	ASSERT_GE(read_file(MEMHP_DIR "/ranges", after, sizeof(after)), 0);
	EXPECT_STREQ(before, after);
}

TEST_HARNESS_MAIN
