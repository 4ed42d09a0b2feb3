// SPDX-License-Identifier: GPL-2.0
/*
 * memhp's events file behaves as a regular file: read() gives the records
 * and then end of file, whatever the buffer size, however often it is
 * called at end of file, with or without O_NONBLOCK; lseek() SEEK_SET and
 * SEEK_CUR and pread() work as on a seq_file (/proc), SEEK_END is EINVAL
 * as there; an interactive less shows the last record and quits.  poll()
 * says POLLIN always; a reader that follows waits for POLLPRI, which comes
 * with a record it has not read.
 *
 * Makes its records by onlining and offlining one offline hot-plugged
 * memory block (make check plugs a DIMM with auto_online_blocks=offline);
 * skips, saying so, without one.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "memhp_lib.h"

#define EVENTS		MEMHP_DIR "/events"
/* More text than the 8 KiB that busybox and GNU tail read at a time. */
#define MIN_TEXT	10240
#define MAX_CYCLES	40

static void on_alarm(int sig __attribute__((unused)))
{
}

/* A deadline for a read that should not wait: SIGALRM without SA_RESTART. */
static void deadline(unsigned int secs)
{
	struct sigaction sa = { .sa_handler = on_alarm };

	sigaction(SIGALRM, &sa, NULL);
	alarm(secs * memhp_slow());
}

/*
 * read() @fd with @chunk-byte reads up to end of file; the text (malloc'd,
 * NUL-terminated) and its length in *@len, or NULL with errno (EINTR: the
 * deadline passed, a read waited).
 */
static char *read_all(int fd, size_t chunk, size_t *len)
{
	size_t cap = 1 << 16, got = 0;
	char *buf = malloc(cap + 1), *bigger;
	ssize_t r;
	int err;

	deadline(10);
	while (buf) {
		if (cap - got < chunk) {
			cap = 2 * cap + chunk;
			bigger = realloc(buf, cap + 1);
			if (!bigger)
				break;
			buf = bigger;
		}
		r = read(fd, buf + got, chunk);
		if (r <= 0) {
			err = errno;
			alarm(0);
			if (r < 0) {
				free(buf);
				errno = err;
				return NULL;
			}
			buf[got] = '\0';
			*len = got;
			return buf;
		}
		got += r;
	}
	alarm(0);
	free(buf);
	errno = ENOMEM;
	return NULL;
}

static char *read_path(const char *path, size_t chunk, size_t *len)
{
	int fd = open(path, O_RDONLY);
	char *text;
	int err;

	if (fd < 0)
		return NULL;
	text = read_all(fd, chunk, len);
	err = errno;
	close(fd);
	errno = err;
	return text;
}

/* The seq of the last record in @text, or -1. */
static long long last_seq(const char *text, size_t len)
{
	const char *p = text + len;

	if (!len || p[-1] != '\n')
		return -1;
	for (p--; p > text && p[-1] != '\n'; p--)
		;
	return *p == '#' ? -1 : strtoll(p, NULL, 10);
}

/* Is @pid (x86-64) sleeping in poll() or ppoll()?  /proc/PID/syscall. */
static int in_poll(pid_t pid)
{
	char path[64], buf[64];

	snprintf(path, sizeof(path), "/proc/%d/syscall", (int)pid);
	return read_file(path, buf, sizeof(buf)) > 0 &&
	       (!strncmp(buf, "7 ", 2) || !strncmp(buf, "271 ", 4));
}

FIXTURE(events) {
	int blk;
	char *text;		/* the file read to end of file after setup */
	size_t len;
};

FIXTURE_SETUP(events)
{
	int i, ret = 0;
	const char *why;

	self->blk = -1;
	self->text = NULL;
	why = memhp_unmet(1);
	if (why)
		SKIP(return, "%s", why);
	if (find_blocks(0, &self->blk, 1) < 1)
		SKIP(return, "no offline hot-plugged memory block to make records with (plug a DIMM)");
	ASSERT_EQ(0, write_file(EVENTS, "clear"));
	for (i = 0; i < MAX_CYCLES && (!self->text || self->len < MIN_TEXT); i++) {
		ret = set_block(self->blk, "online_movable");
		if (!ret)
			ret = set_block(self->blk, "offline");
		if (ret)
			break;
		free(self->text);
		self->text = read_path(EVENTS, 1 << 20, &self->len);
		ASSERT_NE(NULL, self->text) TH_LOG("read events: %s", strerror(errno));
	}
	if (block_state(self->blk) == 1)
		set_block(self->blk, "offline");
	ASSERT_EQ(0, ret) TH_LOG("memory%d: %s", self->blk, strerror(-ret));
	ASSERT_LE(1, last_seq(self->text, self->len)) TH_LOG("got: %s", self->text);
	TH_LOG("%zu bytes of records after %d online/offline cycles of memory%d",
	       self->len, i, self->blk);
}

FIXTURE_TEARDOWN(events)
{
	if (self->blk >= 0 && block_state(self->blk) == 1)
		set_block(self->blk, "offline");
	free(self->text);
}

/* Any read() size gives the same text, then end of file, again and again. */
TEST_F_TIMEOUT(events, read_any_size_then_eof, 120)
{
	static const size_t sizes[] = { 1, 7, 100, 4096, 8192, 65536, 1 << 20 };
	char buf[64], *text;
	unsigned int i;
	size_t len;
	int fd;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		fd = open(EVENTS, O_RDONLY);
		ASSERT_LE(0, fd);
		text = read_all(fd, sizes[i], &len);
		ASSERT_NE(NULL, text) TH_LOG("%zu-byte reads: %s", sizes[i], strerror(errno));
		EXPECT_EQ(self->len, len) TH_LOG("%zu-byte reads", sizes[i]);
		EXPECT_EQ(0, strcmp(self->text, text)) TH_LOG("%zu-byte reads", sizes[i]);
		free(text);
		/* busybox tail, dd iflag=fullblock, less: they read on at EOF. */
		deadline(10);
		EXPECT_EQ(0, read(fd, buf, sizeof(buf))) TH_LOG("%s", strerror(errno));
		EXPECT_EQ(0, read(fd, buf, sizeof(buf))) TH_LOG("%s", strerror(errno));
		alarm(0);
		close(fd);
	}
}

/* O_NONBLOCK (busybox less sets it) changes nothing: EOF, not EAGAIN. */
TEST_F_TIMEOUT(events, nonblock_reader_gets_eof, 120)
{
	char buf[64], *text;
	size_t len;
	int fd;

	fd = open(EVENTS, O_RDONLY | O_NONBLOCK);
	ASSERT_LE(0, fd);
	text = read_all(fd, 1024, &len);
	ASSERT_NE(NULL, text) TH_LOG("%s", strerror(errno));
	EXPECT_EQ(0, strcmp(self->text, text));
	free(text);
	EXPECT_EQ(0, read(fd, buf, sizeof(buf))) TH_LOG("%s", strerror(errno));
	EXPECT_EQ(0, read(fd, buf, sizeof(buf))) TH_LOG("%s", strerror(errno));
	close(fd);
}

/* A read after EOF gives what arrived since (tail -f), then EOF again. */
TEST_F_TIMEOUT(events, read_after_eof_gets_new_records, 120)
{
	char buf[64], want[96], *text, *fresh;
	size_t len, flen;
	int fd;

	fd = open(EVENTS, O_RDONLY);
	ASSERT_LE(0, fd);
	text = read_all(fd, 4096, &len);
	ASSERT_NE(NULL, text);
	free(text);
	ASSERT_EQ(0, set_block(self->blk, "online_movable"));
	ASSERT_EQ(0, set_block(self->blk, "offline"));
	text = read_all(fd, 4096, &len);
	ASSERT_NE(NULL, text) TH_LOG("%s", strerror(errno));
	EXPECT_EQ(last_seq(self->text, self->len) + 1, strtoll(text, NULL, 10))
		TH_LOG("got: %s", text);
	snprintf(want, sizeof(want), "MEM_ONLINE start_pfn=0x%lx ",
		 self->blk * block_size() / PAGE_SZ);
	EXPECT_NE(NULL, strstr(text, want)) TH_LOG("got: %s", text);
	EXPECT_EQ(0, read(fd, buf, sizeof(buf)));
	close(fd);

	/* The old text and the new are what a new open gives. */
	fresh = read_path(EVENTS, 1 << 20, &flen);
	ASSERT_NE(NULL, fresh);
	EXPECT_EQ(self->len + len, flen);
	EXPECT_EQ(0, strncmp(fresh, self->text, self->len));
	EXPECT_EQ(0, strcmp(fresh + self->len, text));
	free(fresh);
	free(text);
}

/*
 * busybox tail: lseek(SEEK_END) fails, then read from where it was.  GNU
 * tail: lseek(SEEK_CUR), lseek(SEEK_END), lseek(SEEK_SET back), read; and
 * `tail -c +N`: lseek(N - 1, SEEK_CUR), then read.
 */
TEST_F_TIMEOUT(events, lseek, 120)
{
	char buf[64], *text;
	size_t len;
	int fd;

	fd = open(EVENTS, O_RDONLY);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, lseek(fd, 0, SEEK_CUR));
	EXPECT_EQ(-1, lseek(fd, 0, SEEK_END));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, lseek(fd, 0, SEEK_CUR));
	EXPECT_EQ(0, lseek(fd, 0, SEEK_SET));
	text = read_all(fd, 8192, &len);
	ASSERT_NE(NULL, text);
	EXPECT_EQ(0, strcmp(self->text, text));
	free(text);
	EXPECT_EQ((off_t)self->len, lseek(fd, 0, SEEK_CUR));

	/* Back to an offset: the text from there. */
	EXPECT_EQ(100, lseek(fd, 100, SEEK_SET));
	text = read_all(fd, 4096, &len);
	ASSERT_NE(NULL, text);
	EXPECT_EQ(0, strcmp(self->text + 100, text));
	free(text);

	/* Forward from where the reader is. */
	EXPECT_EQ(0, lseek(fd, 0, SEEK_SET));
	ASSERT_EQ(50, read(fd, buf, 50));
	EXPECT_EQ(0, memcmp(self->text, buf, 50));
	EXPECT_EQ(60, lseek(fd, 10, SEEK_CUR));
	text = read_all(fd, 4096, &len);
	ASSERT_NE(NULL, text);
	EXPECT_EQ(0, strcmp(self->text + 60, text));
	free(text);

	/* At or past the end: end of file. */
	EXPECT_EQ((off_t)self->len, lseek(fd, self->len, SEEK_SET));
	EXPECT_EQ(0, read(fd, buf, sizeof(buf)));
	EXPECT_EQ((off_t)self->len + 4096, lseek(fd, self->len + 4096, SEEK_SET));
	EXPECT_EQ(0, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(-1, lseek(fd, -1, SEEK_SET));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, lseek(fd, 0, SEEK_DATA));
	EXPECT_EQ(EINVAL, errno);
	close(fd);
}

/* pread() at any offset; the file offset stays where it was. */
TEST_F_TIMEOUT(events, pread, 120)
{
	const off_t len = self->len;
	const off_t offs[] = { 0, 1, len / 2, len - 1, len, len + 100 };
	char buf[300], *text, *back;
	unsigned int i;
	off_t end, from;
	ssize_t r;
	size_t n;
	int fd;

	fd = open(EVENTS, O_RDONLY);
	ASSERT_LE(0, fd);
	for (i = 0; i < ARRAY_SIZE(offs); i++) {
		off_t want = len - offs[i];

		if (want > (off_t)sizeof(buf))
			want = sizeof(buf);
		if (want < 0)
			want = 0;
		r = pread(fd, buf, sizeof(buf), offs[i]);
		EXPECT_EQ(want, r) TH_LOG("pread at %lld: %s", (long long)offs[i],
					  strerror(errno));
		if (r > 0)
			EXPECT_EQ(0, memcmp(self->text + offs[i], buf, r))
				TH_LOG("pread at %lld", (long long)offs[i]);
	}
	EXPECT_EQ(0, lseek(fd, 0, SEEK_CUR));
	ASSERT_EQ(100, read(fd, buf, 100));
	ASSERT_EQ(10, pread(fd, buf + 100, 10, 0));
	EXPECT_EQ(0, memcmp(self->text, buf + 100, 10));
	text = read_all(fd, 4096, &n);
	ASSERT_NE(NULL, text);
	EXPECT_EQ(0, strcmp(self->text + 100, text));
	free(text);

	/* The file backwards in 8 KiB preads, as GNU tail reads a file. */
	back = calloc(1, len + 1);
	ASSERT_NE(NULL, back);
	for (end = len; end > 0; end = from) {
		from = end > 8192 ? end - 8192 : 0;
		ASSERT_EQ(end - from, pread(fd, back + from, end - from, from));
	}
	EXPECT_EQ(0, strcmp(self->text, back));
	free(back);
	close(fd);
}

/*
 * poll() says POLLIN always: a read() never waits (busybox sh's read polls
 * before each byte, also at end of file).  A reader that follows waits for
 * POLLPRI: after EOF, poll() times out while no record comes, and wakes
 * when one does (made by a child once the parent sleeps in poll()).
 */
TEST_F_TIMEOUT(events, poll_pri_waits_for_a_record, 180)
{
	struct pollfd in = { .events = POLLIN }, pri = { .events = POLLPRI };
	char want[96], *text;
	pid_t parent = getpid(), pid;
	int status, i;
	size_t len;

	in.fd = pri.fd = open(EVENTS, O_RDONLY);
	ASSERT_LE(0, in.fd);
	/* Records not read yet: POLLPRI too. */
	EXPECT_EQ(1, poll(&in, 1, 0));
	EXPECT_EQ(POLLIN, in.revents);
	EXPECT_EQ(1, poll(&pri, 1, 0));
	EXPECT_EQ(POLLPRI, pri.revents);
	text = read_all(in.fd, 4096, &len);
	ASSERT_NE(NULL, text);
	EXPECT_EQ(0, strcmp(self->text, text));
	free(text);
	EXPECT_EQ(1, poll(&in, 1, 0));		/* at EOF: still readable */
	EXPECT_EQ(POLLIN, in.revents);
	EXPECT_EQ(0, poll(&pri, 1, 300));	/* no record: it waits */

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		for (i = 0; i < 500 * (int)memhp_slow() && !in_poll(parent); i++)
			usleep(10000);			/* a poll with a deadline */
		_exit(set_block(self->blk, "online_movable") ||
		      set_block(self->blk, "offline") ? 1 : 0);
	}
	EXPECT_EQ(1, poll(&pri, 1, 60000 * memhp_slow()));
	EXPECT_EQ(POLLPRI, pri.revents);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);

	text = read_all(in.fd, 4096, &len);
	ASSERT_NE(NULL, text);
	EXPECT_EQ(last_seq(self->text, self->len) + 1, strtoll(text, NULL, 10))
		TH_LOG("got: %s", text);
	snprintf(want, sizeof(want), "MEM_OFFLINE start_pfn=0x%lx ",
		 self->blk * block_size() / PAGE_SZ);
	EXPECT_NE(NULL, strstr(text, want)) TH_LOG("got: %s", text);
	free(text);
	EXPECT_EQ(0, poll(&pri, 1, 0));		/* all read: quiet again */
	close(in.fd);
}

/*
 * less on a terminal (busybox's sets O_NONBLOCK and reads on at EOF): G
 * goes to the end, the last record shows, q quits.
 */
TEST_F_TIMEOUT(events, less_on_a_terminal, 120)
{
	struct winsize ws = { .ws_row = 24, .ws_col = 250 };
	char out[1 << 16], last[64];
	const char *line, *sp;
	int master, status, i;
	size_t got = 0;
	pid_t pid, done = 0;
	ssize_t r;

	/* The last record's "SEQ TIME_NS " start: on the screen after G. */
	line = memrchr(self->text, '\n', self->len - 1);
	line = line ? line + 1 : self->text;
	sp = strchr(strchr(line, ' ') + 1, ' ');
	snprintf(last, sizeof(last), "%.*s", (int)(sp + 1 - line), line);

	pid = forkpty(&master, NULL, NULL, &ws);
	ASSERT_LE(0, pid);
	if (!pid) {
		setenv("TERM", "vt100", 1);
		execlp("less", "less", EVENTS, (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 400 * (int)memhp_slow() && !done; i++) {
		struct pollfd p = { .fd = master, .events = POLLIN };

		if (i == 20)
			EXPECT_EQ(1, write(master, "G", 1));
		if (i == 60)
			EXPECT_EQ(1, write(master, "q", 1));
		if (poll(&p, 1, 50) == 1) {
			r = read(master, out + got, sizeof(out) - 1 - got);
			if (r > 0)
				got += r;
			if (got == sizeof(out) - 1)
				got = 0;		/* keep the latest screens */
			if (r <= 0)
				usleep(50000);		/* EIO: less has quit */
		}
		done = waitpid(pid, &status, WNOHANG);
	}
	out[got] = '\0';
	close(master);
	if (!done) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		ASSERT_TRUE(0) TH_LOG("less did not quit within the deadline: %s", out);
	}
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) TH_LOG("status %#x", status);
	EXPECT_NE(NULL, strstr(out, last)) TH_LOG("no \"%s\" on the screen: %s", last, out);
}

TEST_HARNESS_MAIN
