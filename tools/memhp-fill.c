// SPDX-License-Identifier: GPL-2.0
/*
 * memhp-fill: hold memory with a known pattern while hotplug happens under
 * it, then prove nothing was lost.
 *
 *   memhp-fill SIZE [--range 0xSTART-0xEND] [--node N]
 *   memhp-fill --cycle SECONDS SIZE
 *
 * Maps SIZE bytes (K/M/G suffixes), writes a pattern into every 8-byte word,
 * prints "ready: ..." (with how much of it sits in the physical range, read
 * from /proc/self/pagemap, root only) and waits.  --node binds the mapping
 * to NUMA node N first (mbind MPOL_BIND): the pages are N's memory, and
 * offlining that memory must migrate them (to any node: migration for
 * offline does not follow the mapping's policy).  On SIGUSR1 it checks every
 * word, prints "RESULT ok ..." or "RESULT fail ..." and exits 0 or 1.
 * SIGTERM/SIGINT end it without checking.
 *
 * --cycle: memory pressure for stress runs: map, fill, verify and unmap SIZE
 * over and over for SECONDS (or until SIGUSR1); prints "cycles=N corrupt=M"
 * and exits 1 if any word ever came back different.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "memhp-size.h"

static volatile sig_atomic_t check_now;

static void on_usr1(int sig)
{
	(void)sig;
	check_now = 1;
}

static inline uint64_t pattern(uint64_t i)
{
	return (i + 1) * 0x9E3779B97F4A7C15ULL ^ 0x6d656d6870ULL;
}

/* Pages of [p, p+len) whose frame lies in [lo, hi]; -1 if pagemap can't tell. */
static long pages_in_range(const char *p, uint64_t len, uint64_t lo, uint64_t hi)
{
	long page = sysconf(_SC_PAGESIZE), n = 0;
	uint64_t i, e;
	int fd;

	fd = open("/proc/self/pagemap", O_RDONLY);
	if (fd < 0)
		return -1;
	for (i = 0; i < len; i += page) {
		off_t off = ((uintptr_t)(p + i) / page) * sizeof(e);
		uint64_t phys;

		if (pread(fd, &e, sizeof(e), off) != sizeof(e)) {
			close(fd);
			return -1;
		}
		if (!(e & (1ULL << 63)))
			continue;
		phys = (e & ((1ULL << 55) - 1)) * page;
		if (!phys) {	/* PFNs hidden: not root */
			close(fd);
			return -1;
		}
		if (phys >= lo && phys <= hi)
			n++;
	}
	close(fd);
	return n;
}

static int cycle(double seconds, uint64_t size)
{
	uint64_t words = size / sizeof(uint64_t), i, corrupt = 0, cycles = 0;
	time_t end = time(NULL) + (time_t)seconds;

	while (time(NULL) < end && !check_now) {
		uint64_t *mem = mmap(NULL, size, PROT_READ | PROT_WRITE,
				     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (mem == MAP_FAILED) {
			usleep(100000);	/* under pressure: try again */
			continue;
		}
		for (i = 0; i < words; i++)
			mem[i] = pattern(i + cycles);
		for (i = 0; i < words; i++)
			corrupt += mem[i] != pattern(i + cycles);
		munmap(mem, size);
		cycles++;
	}
	printf("cycles=%" PRIu64 " corrupt=%" PRIu64 "\n", cycles, corrupt);
	return corrupt ? 1 : 0;
}

#define USAGE "usage: memhp-fill SIZE [--range 0xSTART-0xEND] [--node N]\n" \
	      "       memhp-fill --cycle SECONDS SIZE\n"

/* MPOL_BIND of [p, p+len) to @node (linux/mempolicy.h's value; no libnuma). */
static int bind_node(void *p, uint64_t len, unsigned int node)
{
	unsigned long mask[16] = { 0 };
	const unsigned int bits = 8 * sizeof(mask[0]);

	if (node >= bits * 16) {
		errno = EINVAL;
		return -1;
	}
	mask[node / bits] = 1UL << (node % bits);
	return syscall(SYS_mbind, p, len, 2 /* MPOL_BIND */, mask, bits * 16, 0);
}

int main(int argc, char **argv)
{
	uint64_t size, words, i, lo = 0, hi = 0, bad = 0, first_bad = 0;
	long page = sysconf(_SC_PAGESIZE), in, node = -1;
	int have_range = 0, a;
	uint64_t *mem;
	sigset_t none;
	char *end;

	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		printf(USAGE "Fill SIZE with a pattern, wait for SIGUSR1, verify; exit 0 if intact.\n");
		return 0;
	}
	if (argc == 4 && !strcmp(argv[1], "--cycle")) {
		signal(SIGUSR1, on_usr1);
		return cycle(atof(argv[2]), memhp_parse_size("memhp-fill", argv[3]));
	}
	if (argc < 2 || argv[1][0] == '-' || argc % 2) {
		fprintf(stderr, USAGE);
		return 2;
	}
	size = memhp_parse_size("memhp-fill", argv[1]);
	for (a = 2; a < argc; a += 2) {
		if (!strcmp(argv[a], "--range")) {
			if (sscanf(argv[a + 1], "%" SCNx64 "-%" SCNx64, &lo, &hi) != 2 || lo > hi) {
				fprintf(stderr, "memhp-fill: bad range '%s'\n", argv[a + 1]);
				return 2;
			}
			have_range = 1;
		} else if (!strcmp(argv[a], "--node")) {
			errno = 0;
			node = strtol(argv[a + 1], &end, 10);
			if (errno || end == argv[a + 1] || *end || node < 0) {
				fprintf(stderr, "memhp-fill: bad node '%s'\n", argv[a + 1]);
				return 2;
			}
		} else {
			fprintf(stderr, USAGE);
			return 2;
		}
	}

	signal(SIGUSR1, on_usr1);
	mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED) {
		printf("RESULT fail mmap: %s\n", strerror(errno));
		return 1;
	}
	if (node >= 0 && bind_node(mem, size, node)) {
		printf("RESULT fail mbind to node %ld: %s\n", node, strerror(errno));
		return 1;
	}
	words = size / sizeof(*mem);
	for (i = 0; i < words; i++)
		mem[i] = pattern(i);

	in = have_range ? pages_in_range((char *)mem, size, lo, hi) : -1;
	printf("ready: %" PRIu64 " MiB filled, %ld MiB in range\n", size >> 20,
	       in < 0 ? -1 : in * page >> 20);
	fflush(stdout);

	sigemptyset(&none);
	while (!check_now)
		sigsuspend(&none);

	for (i = 0; i < words; i++) {
		if (mem[i] != pattern(i)) {
			if (!bad)
				first_bad = i * sizeof(*mem);
			bad++;
		}
	}
	in = have_range ? pages_in_range((char *)mem, size, lo, hi) : -1;
	if (bad)
		printf("RESULT fail %" PRIu64 " words differ, first at offset 0x%" PRIx64 "\n",
		       bad, first_bad);
	else
		printf("RESULT ok %" PRIu64 " MiB intact, %ld MiB in range\n", size >> 20,
		       in < 0 ? -1 : in * page >> 20);
	fflush(stdout);
	return bad ? 1 : 0;
}
