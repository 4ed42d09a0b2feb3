// SPDX-License-Identifier: GPL-2.0
/*
 * memhp-write FILE TEXT: one write() of TEXT (no newline added) into FILE,
 * as a test needs it: prints "OK" or the errno's name (EINVAL, ...) and
 * exits 0 or 1.
 *   --offset N     write at offset N (pwrite)
 *   --split K      the first K bytes and the rest in two write() calls
 *   --timeout S    interrupt the call after S seconds: first with SIGALRM (a
 *                  sysfs offline or memhp's offline_remove gives up with
 *                  EINTR and rolls back; printed as EINTR), and if it has not
 *                  returned after a grace period (S/4, at least 10 s) with
 *                  SIGKILL, which also ends what only a fatal signal stops
 *                  (the page allocator reclaiming for migration targets);
 *                  printed as KILLED
 *   --fail-nth N   make the Nth fault-injection point of the call fail
 *                  (/proc/thread-self/fail-nth; failslab, fail_page_alloc);
 *                  prints a second word: "injected" or "not-reached"
 *   --load         FILE is a kernel module, TEXT its parameters: one
 *                  finit_module() instead of the write
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *fail_nth = "/proc/thread-self/fail-nth";

static void on_alarm(int sig)
{
	(void)sig;
}

/*
 * The call runs in a child; the parent interrupts it at the deadline and
 * kills it after the grace period. Returns in the child (0), or exits with
 * the child's status, or 1 after printing KILLED.
 */
static int deadline_guard(long timeout)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	long grace = timeout / 4 > 10 ? timeout / 4 : 10;
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		perror("memhp-write: fork");
		exit(2);
	}
	if (pid == 0) {
		/* No SA_RESTART: the call returns EINTR. */
		sigaction(SIGALRM, &sa, NULL);
		return 0;
	}
	sigaction(SIGALRM, &sa, NULL);
	alarm(timeout);
	if (waitpid(pid, &status, 0) == pid)
		goto done;
	kill(pid, SIGALRM);
	alarm(grace);
	if (waitpid(pid, &status, 0) == pid)
		goto done;
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	printf("KILLED\n");
	exit(1);
done:
	exit(WIFEXITED(status) ? WEXITSTATUS(status) : 1);
}

/* nfd: the open fail-nth file, or -1 when no fault was armed. */
static int report(ssize_t n, int err, int nfd)
{
	char buf[32] = "?";

	if (nfd >= 0) {
		/*
		 * 0 once the fault was injected, else what is left of N. Read
		 * through the open file (an open() could be a fault point
		 * itself), then disarm.
		 */
		ssize_t r = pread(nfd, buf, sizeof(buf) - 1, 0);

		buf[r > 0 ? r : 0] = '\0';
		if (write(nfd, "0", 1) < 0)
			buf[0] = '?';
	}
	if (n < 0)
		printf("%s", strerrorname_np(err) ? strerrorname_np(err) : "E?");
	else
		printf("OK");
	if (nfd >= 0)
		printf(" %s", buf[0] == '?' ? "unknown" :
		       atoi(buf) == 0 ? "injected" : "not-reached");
	printf("\n");
	return n < 0;
}

int main(int argc, char **argv)
{
	long offset = -1, split = -1, timeout = 0, nth = 0;
	int load = 0, fd, nfd = -1, err = 0;
	const char *file, *text;
	size_t len;
	ssize_t n;

	while (argc > 3 && argv[1][0] == '-') {
		if (!strcmp(argv[1], "--load")) {
			load = 1;
			argv++;
			argc--;
			continue;
		}
		if (!strcmp(argv[1], "--offset"))
			offset = strtol(argv[2], NULL, 0);
		else if (!strcmp(argv[1], "--split"))
			split = strtol(argv[2], NULL, 0);
		else if (!strcmp(argv[1], "--timeout"))
			timeout = strtol(argv[2], NULL, 0);
		else if (!strcmp(argv[1], "--fail-nth"))
			nth = strtol(argv[2], NULL, 0);
		else
			break;
		argv += 2;
		argc -= 2;
	}
	if (argc != 3) {
		fprintf(stderr, "usage: memhp-write [--offset N] [--split K] [--timeout S] "
			"[--fail-nth N] [--load] FILE TEXT\n");
		return 2;
	}
	file = argv[1];
	text = argv[2];
	len = strlen(text);
	fd = open(file, load ? O_RDONLY | O_CLOEXEC : O_WRONLY);
	if (fd < 0)
		return report(-1, errno, -1);
	if (timeout > 0)
		deadline_guard(timeout);
	if (nth > 0) {
		char buf[32];

		nfd = open(fail_nth, O_RDWR);
		if (nfd < 0) {
			fprintf(stderr, "memhp-write: %s: %s (CONFIG_FAULT_INJECTION?)\n",
				fail_nth, strerror(errno));
			return 2;
		}
		snprintf(buf, sizeof(buf), "%ld", nth);
		/* Armed last: from here on every injection point counts. */
		if (write(nfd, buf, strlen(buf)) < 0) {
			fprintf(stderr, "memhp-write: %s: %s\n", fail_nth, strerror(errno));
			return 2;
		}
	}
	if (load)
		n = syscall(SYS_finit_module, fd, text, 0);
	else if (offset >= 0)
		n = pwrite(fd, text, len, offset);
	else if (split >= 0 && (size_t)split <= len) {
		n = write(fd, text, split);
		if (n >= 0)
			n = write(fd, text + split, len - split);
	} else {
		n = write(fd, text, len);
	}
	err = errno;
	return report(n, err, nfd);
}
