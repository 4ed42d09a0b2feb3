// SPDX-License-Identifier: GPL-2.0
/*
 * memhp notifier recorder and error injection, on real memory blocks.
 *
 * Needs at least three offline, hot-plugged memory blocks (make check plugs
 * a 1 GiB DIMM with auto_online_blocks=offline before running the suite).
 * Every test ends with the record invariant: each GOING_X followed by one X
 * or CANCEL_X for the same block, ONLINE - OFFLINE = change in online blocks.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "memhp_lib.h"

#define INJ_ON	MEMHP_DIR "/inject/MEM_GOING_ONLINE/"
#define INJ_OFF	MEMHP_DIR "/inject/MEM_GOING_OFFLINE/"
#define NBLK	3

static void reset_inject(void)
{
	write_file(INJ_ON "error", "0");
	write_file(INJ_ON "delay_ms", "0");
	write_file(INJ_ON "count", "-1");
	write_file(INJ_ON "range", "all");
	write_file(INJ_OFF "error", "0");
	write_file(INJ_OFF "delay_ms", "0");
	write_file(INJ_OFF "count", "-1");
	write_file(INJ_OFF "range", "all");
}

static int load_memhp(const char *params)
{
	char cmd[256];

	if (!access("/sys/module/memhp", F_OK) && system("rmmod memhp"))
		return -1;
	snprintf(cmd, sizeof(cmd), "modprobe memhp %s", params);
	return system(cmd) ? -1 : 0;
}

/* Value of "NAME VALUE" or "NAME count=VALUE ..." lines in stats. */
static long long stat_value(const char *name)
{
	char buf[4096], *p;
	size_t l = strlen(name);

	if (read_file(MEMHP_DIR "/stats", buf, sizeof(buf)) <= 0)
		return -1;
	for (p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (!strncmp(p, name, l) && p[l] == ' ')
			return strtoll(p + l + 1 + (strncmp(p + l + 1, "count=", 6) ? 0 : 6),
				       NULL, 10);
	}
	return -1;
}

FIXTURE(notifier) {
	int blk[NBLK];
	unsigned long bs;
	int online_before;
};

FIXTURE_SETUP(notifier)
{
	int n;
	const char *why;

	why = memhp_unmet(1);
	if (why)
		SKIP(return, "%s", why);
	n = find_blocks(0, self->blk, NBLK);
	if (n < NBLK)
		SKIP(return, "need %d offline hot-plugged memory blocks, have %d (plug a DIMM)",
		     NBLK, n);
	self->bs = block_size();
	reset_inject();
	ASSERT_EQ(0, write_file(MEMHP_DIR "/events", "clear"));
	ASSERT_EQ(0, write_file(MEMHP_DIR "/stats", "clear"));
	self->online_before = count_online_blocks();
}

FIXTURE_TEARDOWN(notifier)
{
	struct memhp_ev *ev = NULL;
	char why[256];
	int i, n;

	reset_inject();
	for (i = 0; i < NBLK; i++)
		if (block_state(self->blk[i]) == 1 && set_block(self->blk[i], "offline"))
			TH_LOG("cannot offline memory%d again", self->blk[i]);
	n = read_events_filtered(&ev, 0);
	if (n < 0) {
		TH_LOG("cannot read events: %s", strerror(-n));
		_metadata->exit_code = KSFT_FAIL;
		return;
	}
	if (check_invariant(ev, n, count_online_blocks() - self->online_before,
			    why, sizeof(why))) {
		TH_LOG("record invariant broken: %s", why);
		_metadata->exit_code = KSFT_FAIL;
	}
	free(ev);
}

static unsigned long pfn_of(FIXTURE_DATA(notifier) *self, int i)
{
	return self->blk[i] * self->bs / PAGE_SZ;
}

TEST_F(notifier, online_injected_enomem)
{
	struct memhp_ev *ev;
	int n;

	ASSERT_EQ(0, write_file(INJ_ON "error", "-12"));
	EXPECT_EQ(-ENOMEM, set_block(self->blk[0], "online_movable"));
	EXPECT_EQ(0, block_state(self->blk[0]));

	n = read_events(&ev);
	ASSERT_EQ(2, n);
	EXPECT_STREQ("MEM_GOING_ONLINE", ev[0].action);
	EXPECT_EQ(-12, ev[0].injected);
	EXPECT_EQ(pfn_of(self, 0), ev[0].pfn);
	EXPECT_EQ(self->bs / PAGE_SZ, ev[0].nr_pages);
	EXPECT_STREQ("MEM_CANCEL_ONLINE", ev[1].action);
	EXPECT_EQ(pfn_of(self, 0), ev[1].pfn);
	EXPECT_EQ(0, ev[1].injected);
	EXPECT_LT(ev[0].seq, ev[1].seq);
	free(ev);
}

TEST_F(notifier, offline_injected_ebusy)
{
	struct memhp_ev *ev;
	int n;

	ASSERT_EQ(0, set_block(self->blk[0], "online_movable"));
	ASSERT_EQ(0, write_file(INJ_OFF "error", "-16"));
	EXPECT_EQ(-EBUSY, set_block(self->blk[0], "offline"));
	EXPECT_EQ(1, block_state(self->blk[0]));

	n = read_events(&ev);
	ASSERT_EQ(4, n);
	EXPECT_STREQ("MEM_GOING_ONLINE", ev[0].action);
	EXPECT_STREQ("MEM_ONLINE", ev[1].action);
	EXPECT_STREQ("MEM_GOING_OFFLINE", ev[2].action);
	EXPECT_EQ(-16, ev[2].injected);
	EXPECT_STREQ("MEM_CANCEL_OFFLINE", ev[3].action);
	EXPECT_EQ(pfn_of(self, 0), ev[3].pfn);
	free(ev);

	/* Injection off: the block goes offline for real. */
	ASSERT_EQ(0, write_file(INJ_OFF "error", "0"));
	EXPECT_EQ(0, set_block(self->blk[0], "offline"));
	EXPECT_EQ(0, block_state(self->blk[0]));
}

TEST_F(notifier, count_fails_exactly_one)
{
	char buf[32];
	int i, failed = 0;

	ASSERT_EQ(0, write_file(INJ_ON "error", "-12"));
	ASSERT_EQ(0, write_file(INJ_ON "count", "1"));
	for (i = 0; i < NBLK; i++) {
		int ret = set_block(self->blk[i], "online_movable");

		if (ret) {
			EXPECT_EQ(-ENOMEM, ret);
			EXPECT_EQ(0, i) TH_LOG("memory%d failed, not the first", self->blk[i]);
			failed++;
		}
	}
	EXPECT_EQ(1, failed);
	EXPECT_EQ(0, block_state(self->blk[0]));
	EXPECT_EQ(1, block_state(self->blk[1]));
	EXPECT_EQ(1, block_state(self->blk[2]));
	/* Count ran out: injection is off again. */
	ASSERT_GT(read_file(INJ_ON "error", buf, sizeof(buf)), 0);
	EXPECT_STREQ("0\n", buf);
	ASSERT_GT(read_file(INJ_ON "count", buf, sizeof(buf)), 0);
	EXPECT_STREQ("-1\n", buf);
	EXPECT_EQ(1, stat_value("MEM_CANCEL_ONLINE"));
	EXPECT_EQ(2, stat_value("MEM_ONLINE"));
}

TEST_F(notifier, range_spares_other_blocks)
{
	unsigned long long start = (unsigned long long)self->blk[1] * self->bs;
	struct memhp_ev *ev;
	char range[64], buf[64];
	int n, i, injected = 0;

	snprintf(range, sizeof(range), "0x%llx-0x%llx", start, start + self->bs - 1);
	ASSERT_EQ(0, write_file(INJ_ON "range", range));
	ASSERT_GT(read_file(INJ_ON "range", buf, sizeof(buf)), 0);
	EXPECT_EQ(0, strncmp(buf, range, strlen(range)));
	ASSERT_EQ(0, write_file(INJ_ON "error", "-12"));

	EXPECT_EQ(0, set_block(self->blk[0], "online_movable"));
	EXPECT_EQ(-ENOMEM, set_block(self->blk[1], "online_movable"));
	EXPECT_EQ(0, set_block(self->blk[2], "online_movable"));
	EXPECT_EQ(1, block_state(self->blk[0]));
	EXPECT_EQ(0, block_state(self->blk[1]));
	EXPECT_EQ(1, block_state(self->blk[2]));

	n = read_events(&ev);
	ASSERT_GT(n, 0);
	for (i = 0; i < n; i++) {
		if (ev[i].injected) {
			injected++;
			EXPECT_EQ(pfn_of(self, 1), ev[i].pfn);
		}
	}
	EXPECT_EQ(1, injected);
	free(ev);
}

TEST_F(notifier, stats_count_transitions)
{
	int i;

	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, set_block(self->blk[i], "online_movable"));
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, set_block(self->blk[i], "offline"));

	EXPECT_EQ(2, stat_value("MEM_GOING_ONLINE"));
	EXPECT_EQ(2, stat_value("MEM_ONLINE"));
	EXPECT_EQ(0, stat_value("MEM_CANCEL_ONLINE"));
	EXPECT_EQ(2, stat_value("MEM_GOING_OFFLINE"));
	EXPECT_EQ(2, stat_value("MEM_OFFLINE"));
	EXPECT_EQ(0, stat_value("MEM_CANCEL_OFFLINE"));
	EXPECT_EQ(0, stat_value("dropped"));
	EXPECT_EQ(2, stat_value("online_us"));
	EXPECT_EQ(2, stat_value("offline_us"));
}

TEST_F(notifier, seq_survives_clear)
{
	struct memhp_ev *ev;
	unsigned long long last;
	int n;

	ASSERT_EQ(0, set_block(self->blk[0], "online_movable"));
	n = read_events(&ev);
	ASSERT_EQ(2, n);
	last = ev[1].seq;
	free(ev);

	ASSERT_EQ(0, write_file(MEMHP_DIR "/events", "clear"));
	n = read_events(&ev);
	EXPECT_EQ(0, n);
	free(ev);

	ASSERT_EQ(0, set_block(self->blk[0], "offline"));
	n = read_events(&ev);
	ASSERT_EQ(2, n);
	EXPECT_EQ(last + 1, ev[0].seq);
	EXPECT_EQ(last + 2, ev[1].seq);
	free(ev);
	/* The invariant check in teardown sees only part of the story. */
	write_file(MEMHP_DIR "/events", "clear");
	self->online_before = count_online_blocks();
}

/*
 * Every record the module made: the sum of the per-action counts in stats.
 * Which actions there are is what stats lists, not a kernel version built
 * into this test: memhp prints a count for each action the running kernel
 * can send (MEM_PREPARE_ONLINE/MEM_FINISH_OFFLINE on 6.9 to 6.18, the
 * NODE_* of the node notifier on 6.17+, where a node gaining its first or
 * losing its last memory adds records).  An action line is "NAME COUNT" with
 * NAME MEM_* or NODE_*; "dropped" and the "*_us count=..." lines are not.
 * -1 if stats cannot be read or lacks one of the six classic actions.
 */
static long long total_records(void)
{
	static const char * const classic[] = {
		"MEM_GOING_ONLINE", "MEM_ONLINE", "MEM_CANCEL_ONLINE",
		"MEM_GOING_OFFLINE", "MEM_OFFLINE", "MEM_CANCEL_OFFLINE",
	};
	char buf[4096], name[48], *p, *next;
	unsigned int i, seen = 0;
	long long sum = 0, v;
	int end;

	if (read_file(MEMHP_DIR "/stats", buf, sizeof(buf)) <= 0)
		return -1;
	for (p = buf; p && *p; p = next) {
		next = strchr(p, '\n');
		if (next)
			*next++ = '\0';
		if (sscanf(p, "%47s %lld%n", name, &v, &end) != 2 || p[end])
			continue;
		if (strncmp(name, "MEM_", 4) && strncmp(name, "NODE_", 5))
			continue;
		for (i = 0; i < ARRAY_SIZE(classic); i++)
			seen += !strcmp(name, classic[i]);
		sum += v;
	}
	return seen == ARRAY_SIZE(classic) ? sum : -1;
}

TEST_F(notifier, small_log_drops_oldest)
{
	struct memhp_ev *ev;
	long long total;
	int i, n;

	ASSERT_EQ(0, load_memhp("log_size=4"));
	for (i = 0; i < NBLK; i++)
		ASSERT_EQ(0, set_block(self->blk[i], "online_movable"));
	for (i = 0; i < NBLK; i++)
		ASSERT_EQ(0, set_block(self->blk[i], "offline"));

	/*
	 * At least 12 records (more where the kernel also sends PREPARE/FINISH
	 * or NODE_* records), the last 4 kept.
	 */
	total = total_records();
	EXPECT_GE(total, 12);
	n = read_events_filtered(&ev, 0);
	ASSERT_EQ(4, n);
	for (i = 0; i < 4; i++)
		EXPECT_EQ(total - 4 + i, ev[i].seq);	/* a fresh module starts at 0 */
	free(ev);
	EXPECT_EQ(total - 4, stat_value("dropped"));

	ASSERT_EQ(0, load_memhp(""));
	self->online_before = count_online_blocks();
}

TEST_F(notifier, bad_writes_rejected)
{
	static const struct { const char *file, *text; } bad[] = {
		{ INJ_ON "error", "1" },
		{ INJ_ON "error", "-4096" },
		{ INJ_ON "error", "-12x" },
		{ INJ_ON "error", "" },
		{ INJ_ON "error", "  " },
		{ INJ_ON "error", "-12 -12" },
		{ INJ_ON "delay_ms", "-1" },
		{ INJ_ON "delay_ms", "60001" },
		{ INJ_ON "delay_ms", "1.5" },
		{ INJ_ON "delay_ms", "10 10" },
		{ INJ_ON "count", "-2" },
		{ INJ_ON "count", "99999999999" },
		{ INJ_ON "range", "0x2000-0x1000" },
		{ INJ_ON "range", "0x1000" },
		{ INJ_ON "range", "-0x1000" },
		{ INJ_ON "range", "0x1000-" },
		{ INJ_ON "range", "some" },
		{ MEMHP_DIR "/events", "clearer" },
		{ MEMHP_DIR "/stats", "reset" },
	};
	char before[4][64], after[64];
	static const char * const files[] = {
		INJ_ON "error", INJ_ON "delay_ms", INJ_ON "count", INJ_ON "range"
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(files); i++)
		ASSERT_GT(read_file(files[i], before[i], sizeof(before[i])), 0);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		int ret = write_file(bad[i].file, bad[i].text);

		EXPECT_EQ(-EINVAL, ret) TH_LOG("write #%u: '%s'", i, bad[i].text);
	}
	for (i = 0; i < ARRAY_SIZE(files); i++) {
		ASSERT_GT(read_file(files[i], after, sizeof(after)), 0);
		EXPECT_STREQ(before[i], after);
	}
}

/*
 * delay_ms holds an online inside MEM_GOING_ONLINE: the record is there, the
 * writer has not returned; a delay_ms write ends the sleep and the online
 * completes.  Nothing here depends on time but the 60 s backstop.
 */
TEST_F(notifier, delay_holds_until_released)
{
	struct memhp_ev *ev = NULL;
	int i, n = 0, status, ret;
	char range[64];
	pid_t pid;

	snprintf(range, sizeof(range), "0x%lx-0x%lx", self->blk[0] * self->bs,
		 (self->blk[0] + 1) * self->bs - 1);
	ASSERT_EQ(0, write_file(INJ_ON "range", range));
	ASSERT_EQ(0, write_file(INJ_ON "count", "1"));
	ASSERT_EQ(0, write_file(INJ_ON "delay_ms", "60000"));

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(set_block(self->blk[0], "online_movable") ? 1 : 0);

	/* Wait for the record (deadline: the backstop itself). */
	for (i = 0; i < 6000 && n < 1; i++) {
		free(ev);
		ev = NULL;
		n = read_events(&ev);
		if (n < 1)
			usleep(10000);
	}
	ASSERT_EQ(1, n) TH_LOG("no MEM_GOING_ONLINE record while held");
	EXPECT_STREQ("MEM_GOING_ONLINE", ev[0].action);
	EXPECT_EQ(60000, ev[0].delay_ms);
	EXPECT_EQ(0, ev[0].injected);
	free(ev);
	EXPECT_EQ(0, waitpid(pid, &status, WNOHANG)) TH_LOG("the online returned while held");
	EXPECT_EQ(0, block_state(self->blk[0]));

	/* Any delay_ms write releases it; the count of 1 is used up. */
	ASSERT_EQ(0, write_file(INJ_ON "delay_ms", "0"));
	ret = waitpid(pid, &status, 0);
	ASSERT_EQ(pid, ret);
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	EXPECT_EQ(1, block_state(self->blk[0]));
	n = read_events(&ev);
	ASSERT_EQ(2, n);
	EXPECT_STREQ("MEM_ONLINE", ev[1].action);
	EXPECT_EQ(0, ev[1].delay_ms);
	free(ev);
}

/* Read what @fd (O_NONBLOCK) has now into @buf: bytes, -1 with errno. */
static ssize_t read_now(int fd, char *buf, size_t size)
{
	size_t got = 0;
	ssize_t r;

	while (got < size - 1) {
		r = read(fd, buf + got, size - 1 - got);
		if (r < 0 && errno == EAGAIN)
			break;
		if (r < 0)
			return -1;
		if (!r)
			break;
		got += r;
	}
	buf[got] = '\0';
	return got;
}

/* A record @fd has not read: POLLPRI (POLLIN is always set, as on a file). */
static int new_record(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLPRI };

	return poll(&p, 1, timeout_ms) == 1 && (p.revents & POLLPRI);
}

/*
 * A reader that keeps events open: the records present at open, then end of
 * file (however often it reads on, O_NONBLOCK or not; no POLLPRI) until a
 * transition, whose records then come without reopening.
 */
TEST_F(notifier, follow_gets_new_records)
{
	char buf[4096], want[96];
	int fd;

	fd = open(MEMHP_DIR "/events", O_RDONLY | O_NONBLOCK);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, read(fd, buf, sizeof(buf)));	/* cleared in setup: EOF */
	EXPECT_EQ(0, read(fd, buf, sizeof(buf)));	/* EOF again, not EAGAIN */
	EXPECT_EQ(0, new_record(fd, 0));

	ASSERT_EQ(0, set_block(self->blk[0], "online_movable"));
	/* The record was made before the write returned: POLLPRI at once. */
	EXPECT_EQ(1, new_record(fd, 0));
	ASSERT_LT(0, read_now(fd, buf, sizeof(buf)));
	snprintf(want, sizeof(want), "MEM_GOING_ONLINE start_pfn=0x%lx ", pfn_of(self, 0));
	EXPECT_NE(NULL, strstr(buf, want)) TH_LOG("got: %s", buf);
	snprintf(want, sizeof(want), "MEM_ONLINE start_pfn=0x%lx ", pfn_of(self, 0));
	EXPECT_NE(NULL, strstr(buf, want)) TH_LOG("got: %s", buf);
	EXPECT_EQ(0, new_record(fd, 0));

	/* Records cleared before this reader got to them are named, in place. */
	ASSERT_EQ(0, set_block(self->blk[0], "offline"));
	ASSERT_EQ(0, write_file(MEMHP_DIR "/events", "clear"));
	ASSERT_LT(0, read_now(fd, buf, sizeof(buf)));
	EXPECT_EQ(0, strncmp(buf, "# cleared ", 10)) TH_LOG("got: %s", buf);
	EXPECT_EQ(NULL, strstr(buf, "MEM_")) TH_LOG("got: %s", buf);

	/* And it goes on after the clear. */
	ASSERT_EQ(0, set_block(self->blk[1], "online_movable"));
	ASSERT_LT(0, read_now(fd, buf, sizeof(buf)));
	snprintf(want, sizeof(want), "MEM_ONLINE start_pfn=0x%lx ", pfn_of(self, 1));
	EXPECT_NE(NULL, strstr(buf, want)) TH_LOG("got: %s", buf);
	close(fd);
	write_file(MEMHP_DIR "/events", "clear");
	self->online_before = count_online_blocks();
}

static void on_alarm(int sig __attribute__((unused)))
{
}

/*
 * A reader that follows waits in poll() for POLLPRI, until the next record;
 * a signal interrupts it.  read() itself never waits.
 */
TEST_F(notifier, follow_polls_until_record)
{
	struct sigaction sa = { .sa_handler = on_alarm };	/* no SA_RESTART */
	struct pollfd p = { .events = POLLPRI };
	char buf[4096], want[96];
	ssize_t r;
	pid_t pid;
	int status;

	p.fd = open(MEMHP_DIR "/events", O_RDONLY);
	ASSERT_LE(0, p.fd);
	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	alarm(10 * memhp_slow());			/* a read that waits fails */
	ASSERT_EQ(0, read(p.fd, buf, sizeof(buf)));
	ASSERT_EQ(0, read(p.fd, buf, sizeof(buf)));

	alarm(1);
	EXPECT_EQ(-1, poll(&p, 1, -1));			/* nothing happens: EINTR */
	EXPECT_EQ(EINTR, errno);

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(set_block(self->blk[0], "online_movable") ? 1 : 0);
	alarm(60 * memhp_slow());			/* a deadline, not a measure */
	EXPECT_EQ(1, poll(&p, 1, -1)) TH_LOG("poll: %s", strerror(errno));
	EXPECT_TRUE(p.revents & POLLPRI);
	r = read(p.fd, buf, sizeof(buf) - 1);
	alarm(0);
	ASSERT_LT(0, r) TH_LOG("read: %s", strerror(errno));
	buf[r] = '\0';
	snprintf(want, sizeof(want), " start_pfn=0x%lx ", pfn_of(self, 0));
	EXPECT_NE(NULL, strstr(buf, want)) TH_LOG("got: %s", buf);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(p.fd);
}

/* Records a ring overflow took before the reader read them are reported. */
TEST_F(notifier, follow_reports_overflow)
{
	char buf[8192], *nl;
	unsigned long long n, a, b;
	struct memhp_ev *ev;
	long long total;
	int fd, i, k;

	ASSERT_EQ(0, load_memhp("log_size=4"));
	fd = open(MEMHP_DIR "/events", O_RDONLY | O_NONBLOCK);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, read(fd, buf, sizeof(buf)));
	for (i = 0; i < NBLK; i++)
		ASSERT_EQ(0, set_block(self->blk[i], "online_movable"));
	for (i = 0; i < NBLK; i++)
		ASSERT_EQ(0, set_block(self->blk[i], "offline"));
	total = total_records();
	ASSERT_LT(0, read_now(fd, buf, sizeof(buf)));
	close(fd);

	ASSERT_EQ(3, sscanf(buf, "# lost %llu records (seq %llu-%llu): ring overflow",
			    &n, &a, &b)) TH_LOG("got: %s", buf);
	EXPECT_EQ(total - 4, n);
	EXPECT_EQ(0, a);				/* a fresh module starts at 0 */
	EXPECT_EQ(total - 5, b);
	nl = strchr(buf, '\n');
	ASSERT_NE(NULL, nl);
	for (k = 0; (nl = strchr(nl + 1, '\n')); k++)
		;
	EXPECT_EQ(4, k) TH_LOG("got: %s", buf);		/* then the 4 kept */
	k = read_events_filtered(&ev, 0);
	EXPECT_EQ(4, k);
	free(ev);

	ASSERT_EQ(0, load_memhp(""));
	self->online_before = count_online_blocks();
}

/* Is @pid sleeping in poll() or ppoll()?  (/proc/PID/syscall on x86-64.) */
static int in_poll(pid_t pid)
{
	char path[64], buf[64];

	snprintf(path, sizeof(path), "/proc/%d/syscall", (int)pid);
	return read_file(path, buf, sizeof(buf)) > 0 &&
	       (!strncmp(buf, "7 ", 2) || !strncmp(buf, "271 ", 4));
}

/*
 * A file shared with another process (fork) that follows, sleeping in
 * poll(), holds no file position lock: the other process's lseek, read
 * (end of file at once) and write of "clear" go through.
 */
TEST_F(notifier, follow_shared_file_does_not_block_others)
{
	char buf[4096];
	int fd, i, status;
	pid_t pid;

	fd = open(MEMHP_DIR "/events", O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, read(fd, buf, sizeof(buf)));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct pollfd p = { .fd = fd, .events = POLLPRI };

		_exit(poll(&p, 1, -1) == 1 && read(fd, buf, sizeof(buf)) > 0 ? 0 : 1);
	}
	for (i = 0; i < 1000 * (int)memhp_slow() && !in_poll(pid); i++)
		usleep(10000);				/* a poll with a deadline */
	ASSERT_TRUE(in_poll(pid)) TH_LOG("the child never waited in poll()");

	EXPECT_EQ(0, lseek(fd, 0, SEEK_CUR));
	EXPECT_EQ(0, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(5, write(fd, "clear", 5));
	/* A record wakes the child. */
	ASSERT_EQ(0, set_block(self->blk[0], "online_movable"));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(fd);
	write_file(MEMHP_DIR "/events", "clear");
	self->online_before = count_online_blocks();
}

/*
 * `cat events` ends even while the ring overflows all the time: a reader
 * owes only the records present at open (and the gaps among them).
 */
TEST_F(notifier, snapshot_ends_under_overflow)
{
	struct sigaction sa = { .sa_handler = on_alarm };	/* no SA_RESTART */
	char buf[256];
	int fd, status, reads = 0;
	ssize_t r;
	pid_t pid;

	ASSERT_EQ(0, load_memhp("log_size=2"));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		for (;;)				/* killed below */
			if (set_block(self->blk[0], "online_movable") ||
			    set_block(self->blk[0], "offline"))
				_exit(1);
	}
	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	fd = open(MEMHP_DIR "/events", O_RDONLY);
	ASSERT_LE(0, fd);
	alarm(60 * memhp_slow());			/* a deadline, not a measure */
	do {
		r = read(fd, buf, sizeof(buf));		/* small reads: slow reader */
		reads++;
	} while (r > 0);
	alarm(0);
	EXPECT_EQ(0, r) TH_LOG("read: %s after %d reads", strerror(errno), reads);
	close(fd);
	kill(pid, SIGKILL);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	if (block_state(self->blk[0]) == 1)
		set_block(self->blk[0], "offline");
	ASSERT_EQ(0, load_memhp(""));
	self->online_before = count_online_blocks();
}

TEST_HARNESS_MAIN
