// SPDX-License-Identifier: GPL-2.0
/*
 * vm-exec: `qemu/vm exec NAME -n --timeout S -- CMD...` without a Python
 * interpreter per call.  The scenarios run hundreds of short guest commands;
 * on a loaded 2-core host, starting Python costs ~0.5 s of CPU each time,
 * taken from the VMs.  Same protocol (qemu/guest/proto.h), same lock
 * (agent.lock in the VM folder), same deadline (scaled by MEMHP_SLOW), same
 * exit status: the command's, 124 when it overran and was killed, 1 when the
 * VM is unreachable.  No stdin is forwarded: use qemu/vm exec for that.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "guest/proto.h"

static void die(int code, const char *fmt, ...)
{
	va_list ap;

	fputs("vm: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(code);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: vm-exec [--timeout S] NAME -- CMD [ARG...]\n"
		"Run CMD in memhp VM NAME (under $MEMHP_RUN_DIR) through its guest agent,\n"
		"without stdin; S seconds (x MEMHP_SLOW; 0 = none) before it is killed\n"
		"(exit 124).\n");
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			die(1, "guest agent: write: %s", strerror(errno));
		p += n;
		len -= n;
	}
}

static void send_frame(int fd, uint32_t id, char type, const void *data, uint32_t len)
{
	struct agent_hdr h = { .magic = AGENT_MAGIC, .type = type, .id = id, .len = len };

	/* x86-64 hosts only (as QEMU's TCG here): the header is little-endian. */
	write_all(fd, &h, sizeof(h));
	write_all(fd, data, len);
}

static void put(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;	/* the reader went away: keep draining */
		p += n;
		len -= n;
	}
}

int main(int argc, char **argv)
{
	const char *run = getenv("MEMHP_RUN_DIR"), *slow_env = getenv("MEMHP_SLOW");
	double timeout = 0, deadline = 0, slow = slow_env ? atof(slow_env) : 1;
	static char buf[AGENT_HDR_LEN + AGENT_MAX_FRAME];
	char path[4096], *payload, *name;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t have = 0, plen = 0;
	int i, lock, fd, cmd;
	uint32_t id;

	signal(SIGPIPE, SIG_IGN);
	i = 1;
	if (i < argc && (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))) {
		usage(stdout);
		return 0;
	}
	if (i + 1 < argc && !strcmp(argv[i], "--timeout")) {
		timeout = atof(argv[i + 1]);
		i += 2;
	}
	if (i + 2 >= argc || strcmp(argv[i + 1], "--")) {
		usage(stderr);
		return 2;
	}
	name = argv[i];
	cmd = i + 2;
	if (!run)
		die(2, "vm-exec: MEMHP_RUN_DIR not set");
	if (!name[0] || strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			       "0123456789_.-") != strlen(name))
		die(1, "bad VM name '%s'", name);
	if (slow < 1)
		slow = 1;

	snprintf(path, sizeof(path), "%s/%s/qemu.pid", run, name);
	if (access(path, F_OK))
		die(1, "no VM '%s' (start it with: qemu/vm start %s)", name, name);
	/*
	 * The deadline covers the wait for the agent too: a client that holds
	 * agent.lock on a wedged guest must not hold this one for ever.
	 */
	if (timeout > 0)
		deadline = now() + timeout * slow;
	snprintf(path, sizeof(path), "%s/%s/agent.lock", run, name);
	lock = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (lock < 0)
		die(1, "%s: %s", path, strerror(errno));
	while (flock(lock, LOCK_EX | LOCK_NB)) {
		if (errno != EWOULDBLOCK && errno != EINTR)
			die(1, "%s: %s", path, strerror(errno));
		if (deadline && now() >= deadline)
			die(124, "exec: %s held by another client for %gs (the guest's agent is busy)",
			    path, timeout * slow);
		usleep(20000);
	}
	if ((size_t)snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s/agent.sock", run,
			     name) >= sizeof(sa.sun_path))
		die(1, "run folder path too long for a socket");
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
		die(1, "guest agent: %s: %s", sa.sun_path, strerror(errno));

	/* The request: argv, each NUL-terminated; then an empty stdin. */
	for (i = cmd; i < argc; i++)
		plen += strlen(argv[i]) + 1;
	if (plen > AGENT_MAX_FRAME)
		die(2, "command line too long");
	payload = malloc(plen ? plen : 1);
	if (!payload)
		die(1, "out of memory");
	for (plen = 0, i = cmd; i < argc; i++) {
		size_t l = strlen(argv[i]) + 1;

		memcpy(payload + plen, argv[i], l);
		plen += l;
	}
	/*
	 * The id tells this request's frames from an abandoned one's that the
	 * agent may still be sending. Seeded with getpid() ^ time(), two
	 * clients a few PIDs and seconds apart drew the same id, and the
	 * second printed the first one's output as its own.
	 */
	if (getrandom(&id, sizeof(id), 0) != sizeof(id))
		die(1, "getrandom: %s", strerror(errno));
	id |= 1;
	send_frame(fd, id, 'E', payload, plen);
	send_frame(fd, id, 'I', NULL, 0);
	free(payload);

	for (;;) {
		struct agent_hdr h;
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int wait_ms = -1;
		ssize_t n;

		/* Whole frames first. */
		while (have >= AGENT_HDR_LEN) {
			memcpy(&h, buf, sizeof(h));
			/* Not a header: joined mid-frame (or noise), resync. */
			if (h.magic != AGENT_MAGIC || h.len > AGENT_MAX_FRAME) {
				memmove(buf, buf + 1, --have);
				continue;
			}
			if (have < AGENT_HDR_LEN + h.len)
				break;
			if (h.id == id) {
				const char *d = buf + AGENT_HDR_LEN;

				if (h.type == 'O')
					put(1, d, h.len);
				else if (h.type == 'R')
					put(2, d, h.len);
				else if (h.type == 'X' && h.len >= 4) {
					uint32_t st;

					memcpy(&st, d, sizeof(st));
					return (int)(st & 0xff);
				}
			}
			have -= AGENT_HDR_LEN + h.len;
			memmove(buf, buf + AGENT_HDR_LEN + h.len, have);
		}
		if (deadline) {
			double left = deadline - now();

			if (left <= 0) {
				uint32_t sig = SIGKILL;
				char line[512] = "";
				size_t l = 0;

				send_frame(fd, id, 'S', &sig, sizeof(sig));
				for (i = cmd; i < argc && l < sizeof(line) - 2; i++)
					l += snprintf(line + l, sizeof(line) - l, "%s%s",
						      i > cmd ? " " : "", argv[i]);
				die(124, "exec: '%s' timed out after %gs (killed)", line,
				    timeout * slow);
			}
			wait_ms = (int)(left * 1000) + 1;
		}
		n = poll(&pfd, 1, wait_ms);
		if (n < 0 && errno != EINTR)
			die(1, "poll: %s", strerror(errno));
		if (n <= 0)
			continue;
		n = read(fd, buf + have, sizeof(buf) - have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			die(1, "guest agent connection closed (VM gone?)");
		have += n;
	}
}
