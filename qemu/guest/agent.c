// SPDX-License-Identifier: GPL-2.0
/*
 * memhp-agent: runs commands for the host inside the test VM.
 *
 * Reads frames (proto.h) from a virtio-serial port or a serial port, runs one
 * command at a time with its stdin/stdout/stderr on pipes, and streams the
 * output and exit status back.  Runs as PID 1's child or as PID 1: it reaps
 * every child it sees.
 *
 * A virtio-serial port knows whether the host side is connected.  While it is
 * not (each host command connects and disconnects), read() returns 0 once
 * nothing sent before is left, poll() reports POLLHUP at once, and writes
 * fail with EAGAIN: the agent then stops polling the port until the kernel's
 * SIGIO says the host side changed, and queues its output (see send_frame()).
 */
#define _GNU_SOURCE
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "proto.h"

static int tty = -1;
static int host_gone;		/* virtio port: host side not connected */

/* Current command. */
static pid_t child;
static uint32_t child_id;
static int out_fd = -1, err_fd = -1, in_fd = -1;
static char *in_buf;		/* stdin bytes not yet taken by the command */
static size_t in_len;
static int in_eof;

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("memhp-agent: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputs("\n", stderr);
	va_end(ap);
	exit(1);
}

/*
 * Frames to the host wait in a queue and are written whole, one write() each,
 * when the line takes them; the main loop never blocks on the host.
 *
 * A virtio port takes a write of up to 32 KiB as one buffer, so a frame is
 * never cut in two there. With the host side closed its writes fail (EAGAIN)
 * until a client connects. The queue is kept meanwhile, not dropped: QEMU
 * hands the guest a new client's bytes on the data queue and the "host
 * connected" message on the control queue, and the guest may read and run
 * the command before it has handled the message. A new command drops what
 * was queued for earlier ones; while the queue is full the command's pipes
 * are not read, so a command outrunning the host waits for it.
 *
 * The 16550 takes about 140 KB/s: frames there stay at 4 KiB, so a client
 * that connects mid-frame skips little before the next magic.
 */
#define FRAME_MAX	(32768 - AGENT_HDR_LEN)
#define TTY_FRAME_MAX	4096
#define OUTQ_FULL	(256 * 1024)

static int is_tty;
static char *outq;		/* whole frames, the first oq_off bytes written */
static size_t oq_len, oq_cap, oq_off;
static int oq_nomem;		/* the last write failed with ENOMEM */

static size_t head_len(void)
{
	struct agent_hdr h;

	memcpy(&h, outq, sizeof(h));
	return sizeof(h) + le32toh(h.len);
}

/* Write queued frames while the line takes them. */
static void flush_out(void)
{
	while (oq_len) {
		size_t len = head_len() - oq_off;
		ssize_t n = write(tty, outq + oq_off, len);

		if (n < 0 && errno == EINTR)
			continue;
		/*
		 * EAGAIN: the line is full, or the host side closed. ENOMEM: the
		 * virtio port could not allocate its 32 KiB buffer (memory being
		 * offlined); the main loop retries on POLLOUT, or after 10 ms.
		 */
		oq_nomem = n < 0 && errno == ENOMEM;
		if (n < 0 && (errno == EAGAIN || errno == ENOMEM))
			return;
		if (n <= 0)
			die("write to host: %s", strerror(errno));
		oq_off += n;
		if (oq_off < head_len())
			continue;	/* a tty took part of it */
		oq_len -= oq_off;
		memmove(outq, outq + oq_off, oq_len);
		oq_off = 0;
	}
}

/* A new command: frames not yet started belong to earlier ones. */
static void drop_queued(void)
{
	oq_len = oq_off ? head_len() : 0;
}

static void send_frame(uint8_t type, uint32_t id, const void *data, uint32_t len)
{
	struct agent_hdr h = {
		.magic = htole16(AGENT_MAGIC),
		.type = type,
		.id = htole32(id),
		.len = htole32(len),
	};

	if (len > FRAME_MAX)
		die("frame of %u bytes", len);
	if (oq_len + sizeof(h) + len > oq_cap) {
		oq_cap = 2 * (oq_len + sizeof(h) + len);
		outq = realloc(outq, oq_cap);
		if (!outq)
			die("out of memory");
	}
	memcpy(outq + oq_len, &h, sizeof(h));
	if (len)
		memcpy(outq + oq_len + sizeof(h), data, len);
	oq_len += sizeof(h) + len;
	flush_out();
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/*
 * Forward what is readable on a command's output pipe: 1 when something was
 * sent, 0 when nothing is there now (or at end of file, which closes it).
 */
static int pump(int *fd, uint8_t type)
{
	static char buf[FRAME_MAX];
	ssize_t n = read(*fd, buf, is_tty ? TTY_FRAME_MAX : FRAME_MAX);

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (n <= 0) {
		close_fd(fd);
		return 0;
	}
	send_frame(type, child_id, buf, n);
	return 1;
}

static void finish_child(int status)
{
	uint32_t code;

	/*
	 * The command has exited: what it wrote is in the pipes now.  Output of
	 * background processes it left holding the pipes is not waited for.
	 */
	while (out_fd >= 0 && pump(&out_fd, 'O'))
		;
	while (err_fd >= 0 && pump(&err_fd, 'R'))
		;
	close_fd(&out_fd);
	close_fd(&err_fd);
	close_fd(&in_fd);
	free(in_buf);
	in_buf = NULL;
	in_len = 0;

	code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	code = htole32(code);
	send_frame('X', child_id, &code, sizeof(code));
	child = 0;
}

static void reap(void)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if (pid == child)
			finish_child(status);
	}
}

static void kill_child(void)
{
	int status;

	if (!child)
		return;
	kill(-child, SIGKILL);
	kill(child, SIGKILL);
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	child = 0;
	close_fd(&out_fd);
	close_fd(&err_fd);
	close_fd(&in_fd);
	free(in_buf);
	in_buf = NULL;
	in_len = 0;
}

static void start_child(uint32_t id, char *payload, uint32_t len)
{
	int pin[2], pout[2], perr[2];
	char *argv[256];
	int argc = 0;
	uint32_t off = 0;
	sigset_t none;

	kill_child();
	drop_queued();
	while (off < len && argc < 255) {
		char *s = payload + off;
		size_t l = strnlen(s, len - off);

		if (off + l >= len)
			break;	/* not NUL-terminated */
		argv[argc++] = s;
		off += l + 1;
	}
	argv[argc] = NULL;
	child_id = id;
	if (!argc) {
		uint32_t code = htole32(127);
		static const char msg[] = "memhp-agent: empty command\n";

		send_frame('R', id, msg, sizeof(msg) - 1);
		send_frame('X', id, &code, sizeof(code));
		return;
	}

	if (pipe2(pin, O_CLOEXEC) || pipe2(pout, O_CLOEXEC) || pipe2(perr, O_CLOEXEC))
		die("pipe: %s", strerror(errno));

	child = fork();
	if (child < 0)
		die("fork: %s", strerror(errno));
	if (child == 0) {
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGPIPE, SIG_DFL);
		setsid();
		dup2(pin[0], 0);
		dup2(pout[1], 1);
		dup2(perr[1], 2);
		if (chdir("/root") && chdir("/"))
			_exit(126);
		execvp(argv[0], argv);
		fprintf(stderr, "%s: %s\n", argv[0], strerror(errno));
		_exit(errno == ENOENT ? 127 : 126);
	}
	close(pin[0]);
	close(pout[1]);
	close(perr[1]);
	in_fd = pin[1];
	out_fd = pout[0];
	err_fd = perr[0];
	in_eof = 0;
	fcntl(in_fd, F_SETFL, O_NONBLOCK);
	fcntl(out_fd, F_SETFL, O_NONBLOCK);
	fcntl(err_fd, F_SETFL, O_NONBLOCK);
}

static void feed_stdin(uint32_t id, const char *data, uint32_t len)
{
	if (!child || id != child_id || in_fd < 0)
		return;
	if (!len) {
		in_eof = 1;
		if (!in_len)
			close_fd(&in_fd);
		return;
	}
	in_buf = realloc(in_buf, in_len + len);
	if (!in_buf)
		die("out of memory");
	memcpy(in_buf + in_len, data, len);
	in_len += len;
}

static void flush_stdin(void)
{
	ssize_t n = write(in_fd, in_buf, in_len);

	if (n < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return;
		/* The command closed its stdin: drop the rest. */
		in_len = 0;
		close_fd(&in_fd);
		return;
	}
	memmove(in_buf, in_buf + n, in_len - n);
	in_len -= n;
	if (!in_len && in_eof)
		close_fd(&in_fd);
}

static void handle_frame(struct agent_hdr *h, char *payload)
{
	struct utsname u;
	uint32_t sig;

	switch (h->type) {
	case 'P':
		uname(&u);
		send_frame('p', h->id, u.release, strlen(u.release));
		break;
	case 'E':
		start_child(h->id, payload, h->len);
		break;
	case 'I':
		feed_stdin(h->id, payload, h->len);
		break;
	case 'S':
		if (child && h->id == child_id && h->len == 4) {
			memcpy(&sig, payload, 4);
			kill(-child, le32toh(sig));
		}
		break;
	default:
		break;
	}
}

/* Input from the host: a byte stream that may start mid-frame; resync on magic. */
static char rx[AGENT_HDR_LEN + AGENT_MAX_FRAME];
static size_t rx_len;

static void parse_rx(void)
{
	for (;;) {
		struct agent_hdr h;

		if (rx_len < AGENT_HDR_LEN)
			return;
		memcpy(&h, rx, sizeof(h));
		h.magic = le16toh(h.magic);
		h.id = le32toh(h.id);
		h.len = le32toh(h.len);
		if (h.magic != AGENT_MAGIC || h.len > AGENT_MAX_FRAME) {
			memmove(rx, rx + 1, --rx_len);
			continue;
		}
		if (rx_len < AGENT_HDR_LEN + h.len)
			return;
		handle_frame(&h, rx + AGENT_HDR_LEN);
		rx_len -= AGENT_HDR_LEN + h.len;
		memmove(rx, rx + AGENT_HDR_LEN + h.len, rx_len);
	}
}

int main(int argc, char **argv)
{
	const char *dev = argc > 1 ? argv[1] : "/dev/ttyS1";
	struct termios t;
	sigset_t mask;
	int sfd;

	tty = open(dev, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (tty < 0)
		die("open %s: %s", dev, strerror(errno));
	is_tty = isatty(tty);
	if (is_tty && tcgetattr(tty, &t) == 0) {
		cfmakeraw(&t);
		cfsetspeed(&t, B115200);
		tcsetattr(tty, TCSANOW, &t);
	}
	if (is_tty)
		tcflush(tty, TCIOFLUSH);

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGIO);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0)
		die("signalfd: %s", strerror(errno));
	/* A virtio port sends SIGIO when the host side connects or sends. */
	if (!is_tty && fcntl(tty, F_SETOWN, getpid()))
		die("fcntl %s: %s", dev, strerror(errno));
	if (fcntl(tty, F_SETFL, fcntl(tty, F_GETFL) | O_NONBLOCK | (is_tty ? 0 : O_ASYNC)))
		die("fcntl %s: %s", dev, strerror(errno));

	for (;;) {
		int room = oq_len < OUTQ_FULL;
		struct pollfd p[5] = {
			{ .fd = host_gone ? -1 : tty,
			  .events = POLLIN | (oq_len && !oq_nomem ? POLLOUT : 0) },
			{ .fd = sfd, .events = POLLIN },
			{ .fd = room ? out_fd : -1, .events = POLLIN },
			{ .fd = room ? err_fd : -1, .events = POLLIN },
			{ .fd = in_len ? in_fd : -1, .events = POLLOUT },
		};

		if (poll(p, 5, oq_nomem ? 10 : -1) < 0) {
			if (errno == EINTR)
				continue;
			die("poll: %s", strerror(errno));
		}
		if (p[0].revents & (POLLIN | POLLHUP)) {
			ssize_t n = read(tty, rx + rx_len, sizeof(rx) - rx_len);

			if (n > 0) {
				rx_len += n;
				parse_rx();
			} else if (n < 0 && errno != EAGAIN && errno != EINTR) {
				die("read from host: %s", strerror(errno));
			} else if (n == 0 && !is_tty) {
				/*
				 * The host side closed and nothing is buffered
				 * (read() gives what was sent first). rx is kept:
				 * a new client's bytes can come before the guest
				 * learns that it connected (see send_frame()).
				 */
				host_gone = 1;
			}
		}
		if (p[2].revents && out_fd >= 0)
			pump(&out_fd, 'O');
		if (p[3].revents && err_fd >= 0)
			pump(&err_fd, 'R');
		if (p[4].revents && in_fd >= 0)
			flush_stdin();
		if (p[1].revents & POLLIN) {
			struct signalfd_siginfo si;

			while (read(sfd, &si, sizeof(si)) > 0) {
				if (si.ssi_signo == SIGIO)
					host_gone = 0;
			}
			reap();
		}
		if (oq_len && !host_gone)
			flush_out();
	}
}
