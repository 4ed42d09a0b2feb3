// SPDX-License-Identifier: GPL-2.0
/*
 * memhp-bench: the guest half of scripts/bench.  Every time it prints is
 * taken in the guest with CLOCK_MONOTONIC, in nanoseconds.
 *
 *   memhp-bench memcpy [SIZE [REPS [libc|movsb|movsq]]]
 *        memcpy() between two prefaulted buffers of SIZE (default 64M), REPS
 *        times (default 5): one "memcpy MIB_PER_S" line each.  movsb/movsq
 *        copy 4 KiB at a time with "rep movsb" / "rep movsq" instead (x86-64):
 *        what the kernel's copy_mc_to_kernel() (6.12's migration copy, on a
 *        CPU with ERMS) and copy_page() (6.1's) do.
 *   memhp-bench watch add|remove N [TIMEOUT_S]
 *        listen to kernel uevents; print "ready" once listening, then wait
 *        until N memory blocks (/devices/system/memory/memoryK) were added
 *        or removed; print "watch FIRST_NS LAST_NS N START": LAST_NS is the
 *        Nth block's uevent, FIRST_NS where the guest's work began.  That
 *        is the first ACPI interrupt (SCI) after "ready", START=sci: the
 *        static tracepoint irq:irq_handler_entry for the "acpi" line of
 *        /proc/interrupts, in a tracefs instance of its own with the mono
 *        clock (no kprobe).  QEMU raises it for device_add and device_del
 *        before the guest does anything: the memmap and page tables of a
 *        hot-add are built before the first block's uevent.  Without
 *        tracefs or an SCI line, FIRST_NS is the first uevent, START=uevent.
 *        Exit 1 at the deadline (default 300 s), or at once without a
 *        uevent socket (a kernel without CONFIG_NET); N=0 checks only that.
 *        MEMHP_BENCH_VERBOSE=1 prints every uevent with its time on stderr.
 *   memhp-bench first-read BLOCK ATTR [TIMEOUT_S]
 *        print "ready", then spin until /sys/devices/system/memory/BLOCK/ATTR
 *        exists and read it at once: "first-read BLOCK VALUE node=0|1", where
 *        node says whether the block was linked to its node (a nodeN entry)
 *        when the read returned, i.e. whether the hot-add that created it
 *        had finished with it.  What a udev rule for the block's add uevent
 *        can see.  Exit 1 at the deadline (default 60 s).
 *   memhp-bench state [--timeout S] STATE BLOCK...
 *        write STATE into /sys/devices/system/memory/BLOCK/state for each
 *        block, in order, skipping none; per block "state BLOCK NS MIGRATED
 *        THP": the write's duration, and the pages migrated meanwhile
 *        (/proc/vmstat pgmigrate_success, thp_migration_success).  The first
 *        failure prints "fail BLOCK ERRNO" and exits 1; --timeout interrupts
 *        a write that overruns (EINTR: the kernel rolls the offline back).
 *   memhp-bench write [--timeout S] FILE TEXT
 *        one timed write(): "write NS OK" or "write NS ERRNO", exit 0 or 1.
 *   memhp-bench run CMD [ARG...]
 *        one timed command (daxctl's, for the kmem rows): CMD runs with this
 *        program's stdin, stdout and stderr, and once it has ended "run NS
 *        STATUS" follows its output: NS from before the fork to its exit,
 *        STATUS its exit code (128+N for signal N, 127 when it cannot be
 *        run), which is also this program's.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/netlink.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "memhp-size.h"

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: memhp-bench memcpy [SIZE [REPS [libc|movsb|movsq]]]\n"
		"       memhp-bench watch add|remove N [TIMEOUT_S]\n"
		"       memhp-bench first-read BLOCK ATTR [TIMEOUT_S]\n"
		"       memhp-bench state [--timeout S] STATE BLOCK...\n"
		"       memhp-bench write [--timeout S] FILE TEXT\n"
		"       memhp-bench run CMD [ARG...]\n");
}

/* 4 KiB pieces with one rep-string instruction each, like the kernel's page copies. */
static void copy_rep(char *dst, const char *src, uint64_t size, int wide)
{
#if defined(__x86_64__)
	uint64_t off;

	for (off = 0; off < size; off += 4096) {
		void *d = dst + off;
		const void *s = src + off;
		unsigned long n = wide ? 4096 / 8 : 4096;

		if (wide)
			asm volatile("rep movsq" : "+D"(d), "+S"(s), "+c"(n) : : "memory");
		else
			asm volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(n) : : "memory");
	}
#else
	(void)wide;
	memcpy(dst, src, size);
#endif
}

static int cmd_memcpy(int argc, char **argv)
{
	uint64_t size = argc > 1 ? memhp_parse_size("memhp-bench", argv[1]) : 64 << 20;
	int reps = argc > 2 ? atoi(argv[2]) : 5, i, mode = 0;
	char *a, *b;

	if (argc > 3 && !strcmp(argv[3], "movsb"))
		mode = 1;
	else if (argc > 3 && !strcmp(argv[3], "movsq"))
		mode = 2;
	else if (argc > 3 && strcmp(argv[3], "libc")) {
		usage(stderr);
		return 2;
	}

	a = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	b = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (a == MAP_FAILED || b == MAP_FAILED) {
		perror("memhp-bench: mmap");
		return 1;
	}
	memset(a, 0x5a, size);	/* prefault both: only the copy is timed */
	memset(b, 0xa5, size);
	for (i = 0; i < reps; i++) {
		int64_t t0 = now_ns(), dt;

		if (mode)
			copy_rep(i & 1 ? a : b, i & 1 ? b : a, size, mode == 2);
		else
			memcpy(i & 1 ? a : b, i & 1 ? b : a, size);
		dt = now_ns() - t0;
		/* keep the copy observable */
		if ((i & 1 ? a : b)[size / 2] != 0x5a && (i & 1 ? a : b)[size / 2] != (char)0xa5)
			return 1;
		printf("memcpy %.1f\n", (double)size / (1 << 20) / (dt / 1e9));
	}
	return 0;
}

/* "add@/devices/system/memory/memory42" -> 1 when ACTION matches. */
static int is_block_event(const char *msg, const char *action)
{
	size_t n = strlen(action);

	return !strncmp(msg, action, n) && msg[n] == '@' &&
	       !strncmp(msg + n + 1, "/devices/system/memory/memory", 29);
}

#define TRACEFS "/sys/kernel/tracing"

static int write_str(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_TRUNC), ok;

	if (fd < 0)
		return -1;
	ok = write(fd, text, strlen(text)) == (ssize_t)strlen(text);
	close(fd);
	return ok ? 0 : -1;
}

/* The SCI's IRQ number: the /proc/interrupts line named "acpi", or -1. */
static int sci_irq(void)
{
	char line[512];
	int irq = -1;
	FILE *f = fopen("/proc/interrupts", "r");

	if (!f)
		return -1;
	while (irq < 0 && fgets(line, sizeof(line), f)) {
		size_t n = strlen(line);

		while (n && (line[n - 1] == '\n' || line[n - 1] == ' '))
			line[--n] = 0;
		if (n > 5 && !strcmp(line + n - 5, " acpi"))
			irq = atoi(line);
	}
	fclose(f);
	return irq;
}

/*
 * A tracefs instance recording irq_handler_entry of @irq with the mono
 * clock (CLOCK_MONOTONIC); fills @dir, returns 0 or -1 (nothing left).
 */
static int sci_trace_start(int irq, char *dir, size_t len)
{
	char path[256], filt[32];

	snprintf(dir, len, TRACEFS "/instances/memhp-bench-%d", (int)getpid());
	if (mkdir(dir, 0700))
		return -1;
	snprintf(filt, sizeof(filt), "irq==%d", irq);
	snprintf(path, sizeof(path), "%s/trace_clock", dir);
	if (write_str(path, "mono"))
		goto fail;
	snprintf(path, sizeof(path), "%s/events/irq/irq_handler_entry/filter", dir);
	if (write_str(path, filt))
		goto fail;
	snprintf(path, sizeof(path), "%s/events/irq/irq_handler_entry/enable", dir);
	if (write_str(path, "1"))
		goto fail;
	return 0;
fail:
	rmdir(dir);
	return -1;
}

/* The first recorded entry's time in ns (0 if none); removes the instance. */
static int64_t sci_trace_end(const char *dir)
{
	char path[256], line[512];
	int64_t t = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/events/irq/irq_handler_entry/enable", dir);
	write_str(path, "0");
	snprintf(path, sizeof(path), "%s/trace", dir);
	f = fopen(path, "r");
	while (f && !t && fgets(line, sizeof(line), f)) {
		char *p = strstr(line, ": irq_handler_entry:");
		unsigned long long sec, usec;

		if (line[0] == '#' || !p)
			continue;
		*p = 0;
		p = strrchr(line, ' ');
		if (p && sscanf(p + 1, "%llu.%llu", &sec, &usec) == 2)
			t = (int64_t)sec * 1000000000 + (int64_t)usec * 1000;
	}
	if (f)
		fclose(f);
	rmdir(dir);
	return t;
}

static int cmd_watch(int argc, char **argv)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = 1 };
	int fd, want, got = 0, timeout, rcvbuf = 16 << 20;
	int64_t first = 0, last = 0, end, sci = 0;
	const char *action;
	char buf[8192], dir[128];
	int irq = sci_irq(), traced;

	if (argc < 3 || (strcmp(argv[1], "add") && strcmp(argv[1], "remove"))) {
		usage(stderr);
		return 2;
	}
	action = argv[1];
	want = atoi(argv[2]);
	timeout = argc > 3 ? atoi(argv[3]) : 300;
	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_KOBJECT_UEVENT);
	if (fd < 0 && errno == ENOSYS) {
		/* No socket() at all: the kernel was built without CONFIG_NET. */
		fprintf(stderr, "memhp-bench: uevent socket: %s (a kernel without %s)\n",
			strerror(errno), "CONFIG_NET has no netlink uevents");
		return 1;
	}
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		perror("memhp-bench: uevent socket");
		return 1;
	}
	/* Hundreds of blocks arrive in a burst: a big buffer loses none. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	traced = irq >= 0 && !sci_trace_start(irq, dir, sizeof(dir));
	printf("ready\n");
	fflush(stdout);
	end = now_ns() + (int64_t)timeout * 1000000000;
	while (got < want) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int64_t left = end - now_ns();
		ssize_t n;

		if (left <= 0 || poll(&p, 1, (int)(left / 1000000) + 1) == 0) {
			printf("timeout after %d s: %d of %d memory blocks %s\n", timeout, got,
			       want, !strcmp(action, "add") ? "added" : "removed");
			if (traced)
				sci_trace_end(dir);
			return 1;
		}
		n = recv(fd, buf, sizeof(buf) - 1, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS)
				printf("uevents lost (ENOBUFS)\n");
			else
				perror("memhp-bench: recv");
			if (traced)
				sci_trace_end(dir);
			return 1;
		}
		buf[n] = 0;
		if (!first)
			first = now_ns();
		if (getenv("MEMHP_BENCH_VERBOSE"))
			fprintf(stderr, "%" PRId64 " %s\n", now_ns(), buf);
		if (is_block_event(buf, action)) {
			got++;
			last = now_ns();
		}
	}
	if (traced)
		sci = sci_trace_end(dir);
	if (sci && sci <= last)
		printf("watch %" PRId64 " %" PRId64 " %d sci\n", sci, last, got);
	else
		printf("watch %" PRId64 " %" PRId64 " %d uevent\n", first, last, got);
	return 0;
}

static int has_node_link(const char *dir)
{
	struct dirent *e;
	DIR *d = opendir(dir);
	int found = 0;

	if (!d)
		return 0;
	while (!found && (e = readdir(d)))
		found = !strncmp(e->d_name, "node", 4) && e->d_name[4] >= '0' && e->d_name[4] <= '9';
	closedir(d);
	return found;
}

static int cmd_first_read(int argc, char **argv)
{
	char dir[128], path[192], val[256];
	int64_t end;
	ssize_t n;
	int fd;

	if (argc < 3 || strchr(argv[1], '/')) {
		usage(stderr);
		return 2;
	}
	snprintf(dir, sizeof(dir), "/sys/devices/system/memory/%s", argv[1]);
	snprintf(path, sizeof(path), "%s/%s", dir, argv[2]);
	end = now_ns() + (int64_t)(argc > 3 ? atoi(argv[3]) : 60) * 1000000000;
	printf("ready\n");
	while ((fd = open(path, O_RDONLY)) < 0) {
		if (errno != ENOENT || now_ns() > end) {
			printf("first-read %s: %s\n", path, errno == ENOENT ? "timeout" : strerror(errno));
			return 1;
		}
	}
	n = read(fd, val, sizeof(val) - 1);
	if (n < 0) {
		printf("first-read %s -%d\n", argv[1], errno);
		return 1;
	}
	close(fd);
	while (n > 0 && val[n - 1] == '\n')
		n--;
	val[n] = 0;
	printf("first-read %s %s node=%d\n", argv[1], val, has_node_link(dir));
	return 0;
}

static void on_alarm(int sig)
{
	(void)sig;
}

static void arm_timeout(int secs)
{
	struct sigaction sa = { .sa_handler = on_alarm };	/* no SA_RESTART: EINTR */

	sigaction(SIGALRM, &sa, NULL);
	alarm(secs);
}

static void vmstat(uint64_t *mig, uint64_t *thp)
{
	char name[64];
	uint64_t v;
	FILE *f = fopen("/proc/vmstat", "r");

	*mig = *thp = 0;
	if (!f)
		return;
	while (fscanf(f, "%63s %" SCNu64, name, &v) == 2) {
		if (!strcmp(name, "pgmigrate_success"))
			*mig = v;
		else if (!strcmp(name, "thp_migration_success"))
			*thp = v;
	}
	fclose(f);
}

/* One timed write of @text into @path; 0 or the errno. */
static int timed_write(const char *path, const char *text, int timeout, int64_t *ns)
{
	int fd = open(path, O_WRONLY), err = 0;
	int64_t t0;
	ssize_t n;

	if (fd < 0)
		return errno;
	if (timeout > 0)
		arm_timeout(timeout);
	t0 = now_ns();
	n = write(fd, text, strlen(text));
	*ns = now_ns() - t0;
	if (n < 0)
		err = errno;
	alarm(0);
	close(fd);
	return err;
}

/* Parse a leading "--timeout S"; returns the index of the first other argument. */
static int opt_timeout(int argc, char **argv, int *timeout)
{
	*timeout = 0;
	if (argc > 2 && !strcmp(argv[1], "--timeout")) {
		*timeout = atoi(argv[2]);
		return 3;
	}
	return 1;
}

static int cmd_state(int argc, char **argv)
{
	int timeout, i = opt_timeout(argc, argv, &timeout);
	const char *st;

	if (argc - i < 2) {
		usage(stderr);
		return 2;
	}
	st = argv[i++];
	for (; i < argc; i++) {
		uint64_t m0, t0, m1, t1;
		char path[256];
		int64_t ns;
		int err;

		snprintf(path, sizeof(path), "/sys/devices/system/memory/%s/state", argv[i]);
		vmstat(&m0, &t0);
		err = timed_write(path, st, timeout, &ns);
		vmstat(&m1, &t1);
		if (err) {
			printf("fail %s %s\n", argv[i], strerrorname_np(err) ?: strerror(err));
			return 1;
		}
		printf("state %s %" PRId64 " %" PRIu64 " %" PRIu64 "\n", argv[i], ns, m1 - m0,
		       t1 - t0);
	}
	return 0;
}

static int cmd_write(int argc, char **argv)
{
	int timeout, i = opt_timeout(argc, argv, &timeout), err;
	int64_t ns;

	if (argc - i != 2) {
		usage(stderr);
		return 2;
	}
	err = timed_write(argv[i], argv[i + 1], timeout, &ns);
	printf("write %" PRId64 " %s\n", ns,
	       err ? (strerrorname_np(err) ?: strerror(err)) : "OK");
	return err ? 1 : 0;
}

static int cmd_run(int argc, char **argv)
{
	int64_t t0, ns;
	int status, rc;
	pid_t pid;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	fflush(stdout);
	t0 = now_ns();
	pid = fork();
	if (pid < 0) {
		perror("memhp-bench run: fork");
		return 1;
	}
	if (!pid) {
		execvp(argv[1], argv + 1);
		fprintf(stderr, "memhp-bench run: %s: %s\n", argv[1], strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			perror("memhp-bench run: waitpid");
			return 1;
		}
	ns = now_ns() - t0;
	rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	printf("run %" PRId64 " %d\n", ns, rc);
	return rc;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (!strcmp(argv[1], "memcpy"))
		return cmd_memcpy(argc - 1, argv + 1);
	if (!strcmp(argv[1], "watch"))
		return cmd_watch(argc - 1, argv + 1);
	if (!strcmp(argv[1], "first-read"))
		return cmd_first_read(argc - 1, argv + 1);
	if (!strcmp(argv[1], "state"))
		return cmd_state(argc - 1, argv + 1);
	if (!strcmp(argv[1], "write"))
		return cmd_write(argc - 1, argv + 1);
	if (!strcmp(argv[1], "run"))
		return cmd_run(argc - 1, argv + 1);
	usage(stderr);
	return 2;
}
