// SPDX-License-Identifier: GPL-2.0
/*
 * memhp-write FILE TEXT: one write() of TEXT (no newline added) into FILE,
 * as a test needs it: prints "OK" or the errno's name (EINVAL, ...) and
 * exits 0 or 1.  --offset N writes at offset N (pwrite), --split K writes
 * the first K bytes and the rest in two write() calls.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int report(ssize_t n)
{
	if (n < 0) {
		printf("%s\n", strerrorname_np(errno) ? strerrorname_np(errno) : "E?");
		return 1;
	}
	printf("OK\n");
	return 0;
}

int main(int argc, char **argv)
{
	long offset = -1, split = -1;
	const char *file, *text;
	size_t len;
	ssize_t n;
	int fd;

	while (argc > 3 && argv[1][0] == '-') {
		if (!strcmp(argv[1], "--offset"))
			offset = strtol(argv[2], NULL, 0);
		else if (!strcmp(argv[1], "--split"))
			split = strtol(argv[2], NULL, 0);
		else
			break;
		argv += 2;
		argc -= 2;
	}
	if (argc != 3) {
		fprintf(stderr, "usage: memhp-write [--offset N] [--split K] FILE TEXT\n");
		return 2;
	}
	file = argv[1];
	text = argv[2];
	len = strlen(text);
	fd = open(file, O_WRONLY);
	if (fd < 0)
		return report(-1);
	if (offset >= 0) {
		n = pwrite(fd, text, len, offset);
	} else if (split >= 0 && (size_t)split <= len) {
		n = write(fd, text, split);
		if (n >= 0)
			n = write(fd, text + split, len - split);
	} else {
		n = write(fd, text, len);
	}
	return report(n);
}
