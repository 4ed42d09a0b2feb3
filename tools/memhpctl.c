// SPDX-License-Identifier: GPL-2.0
/*
 * memhpctl - look at and drive memory hotplug from user space.
 *
 * Block state goes through the kernel's sysfs ABI (memoryN/state); the
 * notifier log, injection and physical add/remove through memhp's debugfs
 * files.  Behaves like util-linux lsmem/chmem where they overlap: onlines
 * lowest block first, offlines highest first, exits 0 on success, 1 on
 * failure, 64 on partial success.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdarg.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

#define SYS	"/sys/devices/system/memory"
#define MEMHP	"/sys/kernel/debug/memhp"
#define EXIT_PARTIAL 64

struct block {
	long nr;
	char state[24];
	char zones[64];
	int node;
	int removable;
	const char *owner;
};

static unsigned long long block_size;

static int read_str(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	while (n > 0 && isspace((unsigned char)buf[n - 1]))
		buf[--n] = '\0';
	return 0;
}

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	n = n < 0 ? -errno : 0;
	close(fd);
	return n;
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("memhpctl: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static void init_block_size(void)
{
	char buf[64];

	if (read_str(SYS "/block_size_bytes", buf, sizeof(buf)))
		die("no memory hotplug here (%s/block_size_bytes): %s", SYS, strerror(errno));
	block_size = strtoull(buf, NULL, 16);
}

/* memhp's ranges, to name the owner of a block. */
static unsigned long long memhp_start[256], memhp_end[256];
static int memhp_n;

static void load_memhp_ranges(void)
{
	FILE *f = fopen(MEMHP "/ranges", "r");
	char line[256];

	if (!f)
		return;
	while (memhp_n < 256 && fgets(line, sizeof(line), f))
		if (sscanf(line, "0x%llx-0x%llx", &memhp_start[memhp_n], &memhp_end[memhp_n]) == 2)
			memhp_n++;
	fclose(f);
}

/*
 * Driver-managed ranges: virtio-mem and dax/kmem add their memory with
 * add_memory_driver_managed(), "System RAM (virtio_mem)" and "System RAM
 * (kmem)" in /proc/iomem (whole blocks; which sub-blocks of a virtio-mem
 * block are plugged is not exposed). A kmem range sits under its device's
 * resource ("Persistent Memory (legacy)", "dax0.0"), so it is indented.
 */
static const struct {
	const char *iomem;	/* the resource name in /proc/iomem */
	const char *owner;	/* the owner memhpctl names */
} dm_kinds[] = {
	{ "System RAM (virtio_mem)", "virtio-mem" },
	{ "System RAM (kmem)", "kmem" },
};
static unsigned long long dm_start[256], dm_end[256];
static const char *dm_owner[256];
static int dm_n;

static void load_driver_managed_ranges(void)
{
	FILE *f = fopen("/proc/iomem", "r");
	char line[256];
	size_t k;

	if (!f)
		return;
	while (dm_n < 256 && fgets(line, sizeof(line), f)) {
		char *name = strstr(line, " : ");

		if (!name)
			continue;
		name += 3;
		name[strcspn(name, "\n")] = '\0';
		for (k = 0; k < sizeof(dm_kinds) / sizeof(dm_kinds[0]); k++)
			if (!strcmp(name, dm_kinds[k].iomem))
				break;
		if (k == sizeof(dm_kinds) / sizeof(dm_kinds[0]))
			continue;
		if (sscanf(line, " %llx-%llx", &dm_start[dm_n], &dm_end[dm_n]) == 2 &&
		    dm_end[dm_n]) {
			dm_owner[dm_n] = dm_kinds[k].owner;
			dm_n++;
		}
	}
	fclose(f);
}

/* The owner of block @nr by the ranges loaded: memhp's, then driver-managed. */
static const char *range_owner(long nr)
{
	unsigned long long a = nr * block_size;
	int i;

	for (i = 0; i < memhp_n; i++)
		if (a >= memhp_start[i] && a <= memhp_end[i])
			return "memhp";
	for (i = 0; i < dm_n; i++)
		if (a >= dm_start[i] && a <= dm_end[i])
			return dm_owner[i];
	return NULL;
}

static const char *owner_of(long nr)
{
	const char *owner = range_owner(nr);
	char path[PATH_MAX];

	if (owner)
		return owner;
	snprintf(path, sizeof(path), SYS "/memory%ld/firmware_node", nr);
	if (!access(path, F_OK))
		return "acpi-dimm";
	return "boot";
}

static int cmp_block(const void *a, const void *b)
{
	long x = ((const struct block *)a)->nr, y = ((const struct block *)b)->nr;

	return x < y ? -1 : x > y;
}

static int load_blocks(struct block **out)
{
	struct block *v = NULL;
	char path[PATH_MAX], buf[64];
	struct dirent *de, *nd;
	int n = 0, cap = 0;
	DIR *d, *bd;

	d = opendir(SYS);
	if (!d)
		die("%s: %s", SYS, strerror(errno));
	while ((de = readdir(d))) {
		struct block *b;
		long nr;

		if (sscanf(de->d_name, "memory%ld", &nr) != 1)
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			v = realloc(v, cap * sizeof(*v));
			if (!v)
				die("out of memory");
		}
		b = &v[n];
		memset(b, 0, sizeof(*b));
		b->nr = nr;
		b->node = -1;
		snprintf(path, sizeof(path), SYS "/memory%ld/state", nr);
		if (read_str(path, b->state, sizeof(b->state)))
			continue;
		snprintf(path, sizeof(path), SYS "/memory%ld/valid_zones", nr);
		if (read_str(path, b->zones, sizeof(b->zones)))
			strcpy(b->zones, "-");
		snprintf(path, sizeof(path), SYS "/memory%ld/removable", nr);
		b->removable = !read_str(path, buf, sizeof(buf)) && buf[0] == '1';
		snprintf(path, sizeof(path), SYS "/memory%ld", nr);
		bd = opendir(path);
		while (bd && (nd = readdir(bd)))
			if (sscanf(nd->d_name, "node%d", &b->node) == 1)
				break;
		if (bd)
			closedir(bd);
		b->owner = owner_of(nr);
		n++;
	}
	closedir(d);
	qsort(v, n, sizeof(*v), cmp_block);
	*out = v;
	return n;
}

static void size_str(unsigned long long bytes, char *buf, size_t len)
{
	if (bytes >= 1ULL << 30 && !(bytes % (1ULL << 30)))
		snprintf(buf, len, "%lluG", bytes >> 30);
	else
		snprintf(buf, len, "%lluM", bytes >> 20);
}

static int same_group(const struct block *a, const struct block *b)
{
	return b->nr == a->nr + 1 && !strcmp(a->state, b->state) &&
	       !strcmp(a->zones, b->zones) && a->node == b->node &&
	       a->removable == b->removable && a->owner == b->owner;
}

static int cmd_status(int argc, char **argv)
{
	unsigned long long online = 0, offline = 0;
	char auto_on[32] = "?", policy[32] = "?", sz[32];
	struct block *b;
	int json = 0, i, j, n, first = 1;

	if (argc > 1 && (!strcmp(argv[1], "-J") || !strcmp(argv[1], "--json")))
		json = 1;
	else if (argc > 1) {
		printf("usage: memhpctl status [-J]\n"
		       "Memory blocks grouped into ranges like lsmem (RANGE SIZE STATE REMOVABLE\n"
		       "BLOCK NODE ZONES) plus OWNER (boot, acpi-dimm, virtio-mem, kmem, memhp), block size,\n"
		       "auto_online_blocks, online policy and totals. -J: JSON.\n");
		return strcmp(argv[1], "--help") && strcmp(argv[1], "-h") ? 2 : 0;
	}
	init_block_size();
	load_memhp_ranges();
	load_driver_managed_ranges();
	read_str(SYS "/auto_online_blocks", auto_on, sizeof(auto_on));
	read_str("/sys/module/memory_hotplug/parameters/online_policy", policy, sizeof(policy));
	n = load_blocks(&b);

	if (!json)
		printf("%-33s %6s %-8s %-9s %-9s %4s %-14s %s\n", "RANGE", "SIZE", "STATE",
		       "REMOVABLE", "BLOCK", "NODE", "ZONES", "OWNER");
	else
		printf("{\n  \"memory\": [\n");
	for (i = 0; i < n; i = j) {
		char blk[32];

		for (j = i + 1; j < n && same_group(&b[j - 1], &b[j]); j++)
			;
		size_str((j - i) * block_size, sz, sizeof(sz));
		if (j - i > 1)
			snprintf(blk, sizeof(blk), "%ld-%ld", b[i].nr, b[j - 1].nr);
		else
			snprintf(blk, sizeof(blk), "%ld", b[i].nr);
		if (!strcmp(b[i].state, "online"))
			online += (j - i) * block_size;
		else
			offline += (j - i) * block_size;
		if (json) {
			printf("%s    {\"range\": \"0x%016llx-0x%016llx\", \"size\": %llu, "
			       "\"state\": \"%s\", \"removable\": %s, \"block\": \"%s\", "
			       "\"node\": %d, \"zones\": \"%s\", \"owner\": \"%s\"}",
			       first ? "" : ",\n", b[i].nr * block_size,
			       (b[j - 1].nr + 1) * block_size - 1, (j - i) * block_size,
			       b[i].state, b[i].removable ? "true" : "false", blk, b[i].node,
			       b[i].zones, b[i].owner);
			first = 0;
		} else {
			printf("0x%016llx-0x%016llx %6s %-8s %-9s %-9s %4d %-14s %s\n",
			       b[i].nr * block_size, (b[j - 1].nr + 1) * block_size - 1, sz,
			       b[i].state, b[i].removable ? "yes" : "no", blk, b[i].node,
			       b[i].zones, b[i].owner);
		}
	}
	if (json) {
		printf("\n  ],\n  \"block_size\": %llu,\n  \"auto_online_blocks\": \"%s\",\n"
		       "  \"online_policy\": \"%s\",\n  \"online\": %llu,\n  \"offline\": %llu\n}\n",
		       block_size, auto_on, policy, online, offline);
	} else {
		size_str(block_size, sz, sizeof(sz));
		printf("\nMemory block size:          %s\n", sz);
		printf("auto_online_blocks:         %s\n", auto_on);
		printf("online_policy:              %s\n", policy);
		size_str(online, sz, sizeof(sz));
		printf("Total online memory:        %s\n", sz);
		size_str(offline, sz, sizeof(sz));
		printf("Total offline memory:       %s\n", sz);
	}
	free(b);
	return 0;
}

/* "N", "N-M" (blocks) or "0xSTART-0xEND" (bytes) to a block range. */
static int parse_target(const char *s, long *lo, long *hi)
{
	unsigned long long a, e;
	char *end;

	if (!strncmp(s, "0x", 2)) {
		if (sscanf(s, "0x%llx-0x%llx", &a, &e) != 2 || e < a ||
		    a % block_size || (e + 1) % block_size)
			return -1;
		*lo = a / block_size;
		*hi = (e + 1) / block_size - 1;
		return 0;
	}
	*lo = strtol(s, &end, 10);
	if (end == s || *lo < 0)
		return -1;
	*hi = *lo;
	if (*end == '-') {
		*hi = strtol(end + 1, &end, 10);
		if (*hi < *lo)
			return -1;
	}
	return *end ? -1 : 0;
}

static int cmd_chstate(int argc, char **argv, int online)
{
	const char *how = online ? "online" : "offline";
	int done = 0, failed = 0, c;
	long lo, hi, i;
	static const struct option opts[] = {
		{ "movable", no_argument, NULL, 'm' },
		{ "kernel", no_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};

	optind = 1;
	while ((c = getopt_long(argc, argv, "mkh", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			how = "online_movable";
			break;
		case 'k':
			how = "online_kernel";
			break;
		default:
			printf("usage: memhpctl %s RANGE|BLOCK%s\n"
			       "RANGE is 0xSTART-0xEND (bytes), BLOCK a number or N-M.\n"
			       "%s through memoryN/state, %s first. Exit 0: all done,\n"
			       "1: none, 64: some.\n", argv[0],
			       online ? " [--movable|--kernel]" : "",
			       online ? "Onlines" : "Offlines",
			       online ? "lowest block" : "highest block");
			return c == 'h' ? 0 : 2;
		}
	}
	if (optind != argc - 1 || (!online && strcmp(how, "offline")))
		die("usage: memhpctl %s RANGE|BLOCK%s", argv[0],
		    online ? " [--movable|--kernel]" : "");
	init_block_size();
	if (parse_target(argv[optind], &lo, &hi))
		die("bad range or block '%s' (0xSTART-0xEND block-aligned, or N or N-M)",
		    argv[optind]);

	for (i = online ? lo : hi; online ? i <= hi : i >= lo; i += online ? 1 : -1) {
		char path[PATH_MAX], state[24];
		int ret;

		snprintf(path, sizeof(path), SYS "/memory%ld/state", i);
		if (read_str(path, state, sizeof(state))) {
			fprintf(stderr, "memhpctl: memory%ld: no such block\n", i);
			failed++;
			continue;
		}
		if (!strcmp(state, online ? "online" : "offline")) {
			done++;
			continue;
		}
		ret = write_str(path, how);
		if (ret) {
			fprintf(stderr, "memhpctl: memory%ld: %s failed: %s (%s)\n", i, how,
				strerror(-ret), strerrorname_np(-ret));
			failed++;
		} else {
			done++;
		}
	}
	if (!failed)
		return 0;
	return done ? EXIT_PARTIAL : 1;
}

static int cat_file(const char *path)
{
	char buf[65536];
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		die("%s: %s%s", path, strerror(errno),
		    errno == ENOENT ? " (is memhp loaded? modprobe memhp)" : "");
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		fwrite(buf, 1, n, stdout);
	close(fd);
	return n < 0 ? 1 : 0;
}

static int memhp_write(const char *file, const char *text)
{
	char path[PATH_MAX];
	int ret;

	snprintf(path, sizeof(path), MEMHP "/%s", file);
	ret = write_str(path, text);
	if (ret) {
		fprintf(stderr, "memhpctl: %s '%s': %s (%s)\n", file, text, strerror(-ret),
			strerrorname_np(-ret));
		return 1;
	}
	return 0;
}

static int cmd_events(int argc, char **argv)
{
	char buf[8192];
	ssize_t n;
	int fd;

	if (argc == 1)
		return cat_file(MEMHP "/events");
	if (strcmp(argv[1], "--follow") && strcmp(argv[1], "-f")) {
		printf("usage: memhpctl events [--follow]\n"
		       "memhp's notifier records; --follow prints them, then each new one as\n"
		       "it arrives (until interrupted). Records a clear or a ring overflow\n"
		       "removed before they were read show as \"# cleared ...\" / \"# lost ...\".\n");
		return strcmp(argv[1], "--help") ? 2 : 0;
	}
	fd = open(MEMHP "/events", O_RDONLY);
	if (fd < 0)
		die("%s/events: %s", MEMHP, strerror(errno));
	/*
	 * The file gives the records present at open, then end of file; a
	 * read() after end of file gives those that arrived since. poll()
	 * says POLLPRI when there is one: no polling interval.
	 */
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLPRI };

		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die("%s/events: %s", MEMHP, strerror(errno));
		if (n > 0) {
			if (fwrite(buf, 1, n, stdout) != (size_t)n)
				return 1;
			continue;
		}
		if (fflush(stdout))
			return 1;
		if (poll(&p, 1, -1) < 0 && errno != EINTR)
			die("%s/events: poll: %s", MEMHP, strerror(errno));
		/* The file was removed: debugfs answers EPOLLHUP. */
		if (p.revents & (POLLHUP | POLLNVAL))
			die("%s/events: gone (memhp unloaded?)", MEMHP);
	}
}

static int cmd_inject(int argc, char **argv)
{
	const char *count = NULL, *range = NULL, *delay = NULL, *pos[2];
	int i, npos = 0, ret = 0;
	char file[128];

	/* By hand, not getopt: the errno is negative ("-12"), not an option. */
	for (i = 1; i < argc; i++) {
		if ((!strcmp(argv[i], "--count") || !strcmp(argv[i], "-c")) && i + 1 < argc) {
			count = argv[++i];
		} else if ((!strcmp(argv[i], "--range") || !strcmp(argv[i], "-r")) && i + 1 < argc) {
			range = argv[++i];
		} else if ((!strcmp(argv[i], "--delay") || !strcmp(argv[i], "-d")) && i + 1 < argc) {
			delay = argv[++i];
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			printf("usage: memhpctl inject MEM_GOING_ONLINE|MEM_GOING_OFFLINE ERRNO "
			       "[--count N] [--range 0xSTART-0xEND|all] [--delay MS]\n"
			       "Fail that notifier action with ERRNO (e.g. -12; 0 turns it off),\n"
			       "for N events (default all) in the range (default all), after\n"
			       "sleeping MS milliseconds (default 0, at most 60000) in the\n"
			       "notifier: the kernel's state at that point is held that long.\n"
			       "Any later inject (or write to inject/*/delay_ms) ends the sleep.\n");
			return 0;
		} else if (npos < 2) {
			pos[npos++] = argv[i];
		} else {
			npos = 3;
		}
	}
	if (npos != 2)
		die("usage: memhpctl inject ACTION ERRNO [--count N] [--range R] [--delay MS]");
	snprintf(file, sizeof(file), "inject/%s/range", pos[0]);
	ret |= memhp_write(file, range ? range : "all");
	snprintf(file, sizeof(file), "inject/%s/count", pos[0]);
	ret |= memhp_write(file, count ? count : "-1");
	snprintf(file, sizeof(file), "inject/%s/delay_ms", pos[0]);
	ret |= memhp_write(file, delay ? delay : "0");
	snprintf(file, sizeof(file), "inject/%s/error", pos[0]);
	ret |= memhp_write(file, pos[1]);
	return ret;
}

/* Commands that write "START SIZE [OPTIONS]" to one of memhp's files. */
static int cmd_phys(int argc, char **argv, const char *file)
{
	char line[256] = "";
	size_t len = 0;
	int i, n;

	if (argc < 3 || !strcmp(argv[1], "--help")) {
		printf("usage: memhpctl %s START SIZE%s\n", argv[0],
		       strcmp(file, "add") ? "" : " [nid=N] [driver_managed] [memmap_on_memory]");
		return argc > 1 && !strcmp(argv[1], "--help") ? 0 : 2;
	}
	for (i = 1; i < argc; i++) {
		n = snprintf(line + len, sizeof(line) - len, "%s%s", i > 1 ? " " : "", argv[i]);
		if (n < 0 || (size_t)n >= sizeof(line) - len)
			die("%s: arguments longer than %zu bytes", argv[0], sizeof(line) - 1);
		len += n;
	}
	return memhp_write(file, line);
}

/* Commands that print one of memhp's files and take no argument. */
static int cmd_show(int argc, char **argv, const char *file, const char *what)
{
	char path[PATH_MAX];

	if (argc > 1) {
		int help = !strcmp(argv[1], "--help");

		fprintf(help ? stdout : stderr, "usage: memhpctl %s\n  %s\n", argv[0], what);
		return help ? 0 : 2;
	}
	snprintf(path, sizeof(path), MEMHP "/%s", file);
	return cat_file(path);
}

/* ------------------------------------------------------------- trace */

/*
 * memhpctl trace: record memhp's trace events with the kernel's migration
 * and isolation events in a tracefs instance of its own (the global buffer
 * and other users' instances are left alone) while a command runs, then
 * print one timeline row per block online/offline.
 */
static const char * const trace_events[] = {
	"memhp",				/* the whole system */
	"migrate/mm_migrate_pages",
	"page_isolation/test_pages_isolated",
};

struct tl_row {
	unsigned long pfn, nr;
	double t0;
	int offline;			/* 0 online, 1 offline */
	int open;
	int injected;			/* memhp's injected errno on GOING_X */
	unsigned long long dur_us;	/* memhp_transition */
	unsigned long long chain_ns;	/* memhp_chain: GOING_X + X/CANCEL_X */
	unsigned long migrated, failed, passes, isol_fail;
	char result[40];
};

static const char *tracefs_root(void)
{
	static const char * const roots[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };
	unsigned int i;

	for (i = 0; i < 2; i++) {
		char p[64];

		snprintf(p, sizeof(p), "%s/instances", roots[i]);
		if (!access(p, F_OK))
			return roots[i];
	}
	if (!mount("nodev", roots[0], "tracefs", 0, NULL))
		return roots[0];
	return NULL;
}

/* The timestamp of a trace line: the field before ": EVENT: " at @ev. */
static double trace_ts(const char *line, const char *ev)
{
	const char *p = ev;

	while (p > line && p[-1] != ' ')
		p--;
	return strtod(p, NULL);
}

static unsigned long field_ul(const char *s, const char *name)
{
	const char *p = strstr(s, name);

	return p ? strtoul(p + strlen(name), NULL, 0) : 0;
}

/* Run @argv; its exit status.  With @quiet its output goes to /dev/null. */
static int run_cmd(char **argv, int quiet)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (!pid) {
		int null = quiet ? open("/dev/null", O_WRONLY) : -1;

		if (null >= 0) {
			dup2(null, STDOUT_FILENO);
			dup2(null, STDERR_FILENO);
		}
		signal(SIGINT, SIG_DFL);
		execvp(argv[0], argv);
		fprintf(stderr, "memhpctl trace: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			die("waitpid: %s", strerror(errno));
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/*
 * A timeline block's owner: what owned it before or after the command
 * (cmd_trace loads the ranges both times); "-" for a block that came and
 * went within the command, unless a range seen then names it.
 */
static const char *tl_owner(long nr)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), SYS "/memory%ld", nr);
	if (range_owner(nr) || !access(path, F_OK))
		return owner_of(nr);
	return "-";
}

static void tl_print(struct tl_row *rows, int n, double t_first, unsigned long stray)
{
	unsigned long migrated = 0;
	char block[48];
	int i;

	printf("%-16s %-7s %9s %10s %9s %9s %6s %7s %9s  %-10s %s\n", "BLOCK", "OP", "START_S",
	       "TOTAL_MS", "CHAIN_US", "MIGRATED", "PASSES", "RETRIED", "ISOL_FAIL", "RESULT",
	       "OWNER");
	for (i = 0; i < n; i++) {
		struct tl_row *r = &rows[i];
		unsigned long long first = r->pfn * 4096ULL / block_size;
		unsigned long long last = (r->pfn + r->nr) * 4096ULL / block_size - 1;

		if (last > first)
			snprintf(block, sizeof(block), "memory%llu-%llu", first, last);
		else
			snprintf(block, sizeof(block), "memory%llu", first);
		printf("%-16s %-7s %9.4f %10.3f %9.1f %9lu %6lu %7lu %9lu  %-10s %s\n", block,
		       r->offline ? "offline" : "online", r->t0 - t_first, r->dur_us / 1000.0,
		       r->chain_ns / 1000.0, r->migrated, r->passes, r->failed, r->isol_fail,
		       r->open ? "unfinished" : r->result, tl_owner((long)first));
		migrated += r->migrated;
	}
	printf("# %d transitions; %lu pages (%lu MiB) migrated for them", n, migrated,
	       migrated * 4096 / (1024 * 1024));
	if (stray)
		printf("; %lu pages migrated for hotplug outside them", stray);
	printf("\n");
}

/* Parse the instance's trace text into timeline rows; print them. */
static void tl_build(FILE *f, int raw)
{
	unsigned long stray = 0, in_buf, written;
	struct tl_row *rows = NULL, *cur = NULL;
	double t_first = -1;
	int n = 0, cap = 0;
	char line[1024];

	while (fgets(line, sizeof(line), f)) {
		char *ev, act[48];
		unsigned long pfn, nr;
		double ts;

		if (raw)
			fputs(line, stdout);
		if (line[0] == '#') {
			if (sscanf(line, "# entries-in-buffer/entries-written: %lu/%lu",
				   &in_buf, &written) == 2 && in_buf < written)
				fprintf(stderr, "memhpctl trace: %lu events lost (buffer full): "
					"raise --buffer-kb\n", written - in_buf);
			continue;
		}
		if ((ev = strstr(line, ": memhp_notify: "))) {
			ts = trace_ts(line, ev);
			if (sscanf(ev + 16, "%47s", act) != 1)
				continue;
			pfn = field_ul(ev, "start_pfn=");
			nr = field_ul(ev, "nr_pages=");
			if (!strcmp(act, "MEM_GOING_ONLINE") || !strcmp(act, "MEM_GOING_OFFLINE")) {
				if (n == cap) {
					cap = cap ? 2 * cap : 64;
					rows = realloc(rows, cap * sizeof(*rows));
					if (!rows)
						die("out of memory");
				}
				cur = &rows[n++];
				memset(cur, 0, sizeof(*cur));
				cur->pfn = pfn;
				cur->nr = nr;
				cur->t0 = ts;
				cur->offline = !strcmp(act, "MEM_GOING_OFFLINE");
				cur->open = 1;
				cur->injected = (int)strtol(strstr(ev, "injected=") ?
							    strstr(ev, "injected=") + 9 : "0",
							    NULL, 10);
			} else if (cur && cur->open && cur->pfn == pfn &&
				   (!strcmp(act, "MEM_ONLINE") || !strcmp(act, "MEM_OFFLINE"))) {
				cur->open = 0;
				snprintf(cur->result, sizeof(cur->result), "ok");
			} else if (cur && cur->open && cur->pfn == pfn && !strncmp(act, "MEM_CANCEL_", 11)) {
				cur->open = 0;
				if (cur->injected)
					snprintf(cur->result, sizeof(cur->result), "%s (memhp inject)",
						 strerrorname_np(-cur->injected) ?: "error");
				else
					snprintf(cur->result, sizeof(cur->result), "cancelled");
			}
		} else if ((ev = strstr(line, ": memhp_transition: "))) {
			ts = trace_ts(line, ev);
			pfn = field_ul(ev, "start_pfn=");
			if (cur && cur->pfn == pfn)
				cur->dur_us = field_ul(ev, "duration_us=");
		} else if ((ev = strstr(line, ": memhp_chain: "))) {
			ts = trace_ts(line, ev);
			pfn = field_ul(ev, "start_pfn=");
			if (cur && cur->pfn == pfn)
				cur->chain_ns += field_ul(ev, "duration_ns=");
		} else if ((ev = strstr(line, ": mm_migrate_pages: "))) {
			ts = trace_ts(line, ev);
			if (!strstr(ev, "reason=memory_hotplug"))
				continue;
			if (cur && cur->open) {
				cur->passes++;
				cur->migrated += field_ul(ev, "nr_succeeded=");
				cur->failed += field_ul(ev, "nr_failed=");
			} else {
				stray += field_ul(ev, "nr_succeeded=");
			}
		} else if ((ev = strstr(line, ": test_pages_isolated: "))) {
			ts = trace_ts(line, ev);
			if (cur && cur->open && strstr(ev, "ret=fail"))
				cur->isol_fail++;
		} else {
			continue;
		}
		if (t_first < 0)
			t_first = ts;
	}
	if (raw)
		printf("\n");
	tl_print(rows, n, t_first < 0 ? 0 : t_first, stray);
	free(rows);
}

static int cmd_trace(int argc, char **argv)
{
	const char *out = NULL, *root;
	char inst[PATH_MAX], path[PATH_MAX + 64], name[64], kb[32] = "4096";
	int i, ret, raw = 0, cmd = 0;
	unsigned int e;
	FILE *f;

	for (i = 1; i < argc && !cmd; i++) {
		if (!strcmp(argv[i], "--")) {
			cmd = i + 1;
		} else if ((!strcmp(argv[i], "-o") || !strcmp(argv[i], "--output")) && i + 1 < argc) {
			out = argv[++i];
		} else if (!strcmp(argv[i], "--buffer-kb") && i + 1 < argc) {
			snprintf(kb, sizeof(kb), "%s", argv[++i]);
		} else if (!strcmp(argv[i], "--raw")) {
			raw = 1;
		} else if (argv[i][0] != '-') {
			cmd = i;
		} else {
			int help = !strcmp(argv[i], "--help") || !strcmp(argv[i], "-h");

			fprintf(help ? stdout : stderr,
				"usage: memhpctl trace [-o FILE.dat] [--buffer-kb KB] [--raw] [--] CMD [ARG...]\n"
				"Records memhp:* with migrate:mm_migrate_pages and\n"
				"page_isolation:test_pages_isolated in a tracefs instance of its own\n"
				"while CMD runs, then prints a row per block online/offline:\n"
				"  START_S    when GOING_X was sent, seconds from the first event\n"
				"  TOTAL_MS   GOING_X to X/CANCEL_X as memhp's notifier saw them\n"
				"             (memhp_transition: isolation, migration, draining)\n"
				"  CHAIN_US   time inside the whole notifier chain for those two calls\n"
				"             (memhp_chain: other notifiers run before memhp's own,\n"
				"             so it can exceed TOTAL_MS; 0 when a veto ended it)\n"
				"  MIGRATED   pages moved (mm_migrate_pages reason=memory_hotplug)\n"
				"  PASSES     migrate_pages() calls;  RETRIED  pages that failed a\n"
				"             pass and were retried;  ISOL_FAIL  test_pages_isolated\n"
				"             checks that failed (another round followed)\n"
				"  RESULT     ok, cancelled, or the errno memhp injected\n"
				"-o FILE      also write the raw trace (trace-cmd extract) for\n"
				"             trace-cmd report / KernelShark; --raw prints the text.\n"
				"Exit status: CMD's.\n");
			return help ? 0 : 2;
		}
	}
	if (!cmd || cmd >= argc) {
		fprintf(stderr, "memhpctl trace: no command (memhpctl trace --help)\n");
		return 2;
	}
	if (access(MEMHP, F_OK))
		die("memhp is not loaded (%s missing)", MEMHP);
	init_block_size();
	root = tracefs_root();
	if (!root)
		die("no tracefs (CONFIG_TRACING?)");
	snprintf(name, sizeof(name), "memhp-%d", (int)getpid());
	snprintf(inst, sizeof(inst), "%s/instances/%s", root, name);
	if (mkdir(inst, 0755))
		die("%s: %s", inst, strerror(errno));
	snprintf(path, sizeof(path), "%s/buffer_size_kb", inst);
	if ((ret = write_str(path, kb)))
		fprintf(stderr, "memhpctl trace: buffer_size_kb %s: %s\n", kb, strerror(-ret));
	for (e = 0; e < sizeof(trace_events) / sizeof(trace_events[0]); e++) {
		snprintf(path, sizeof(path), "%s/events/%s/enable", inst, trace_events[e]);
		if ((ret = write_str(path, "1")))
			fprintf(stderr, "memhpctl trace: no %s on this kernel (%s)\n",
				trace_events[e], strerror(-ret));
	}
	snprintf(path, sizeof(path), "%s/tracing_on", inst);
	write_str(path, "1");

	load_memhp_ranges();		/* the owners before CMD, and after it */
	load_driver_managed_ranges();
	signal(SIGINT, SIG_IGN);	/* like time(1): CMD gets it, we clean up */
	ret = run_cmd(argv + cmd, 0);
	signal(SIGINT, SIG_DFL);
	load_memhp_ranges();
	load_driver_managed_ranges();

	write_str(path, "0");
	snprintf(path, sizeof(path), "%s/trace", inst);
	f = fopen(path, "r");
	if (f) {
		tl_build(f, raw);
		fclose(f);
	} else {
		fprintf(stderr, "memhpctl trace: %s: %s\n", path, strerror(errno));
	}
	if (out) {
		char *xargv[] = { "trace-cmd", "extract", "-B", name, "-o", (char *)out, NULL };
		int x = run_cmd(xargv, 1);

		if (x)
			fprintf(stderr, "memhpctl trace: trace-cmd extract exited %d: no %s\n", x, out);
	}
	/* trace-cmd extract -B removes the instance itself. */
	snprintf(path, sizeof(path), "%s/events/enable", inst);
	write_str(path, "0");
	if (rmdir(inst) && errno != ENOENT)
		fprintf(stderr, "memhpctl trace: rmdir %s: %s\n", inst, strerror(errno));
	return ret;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: memhpctl COMMAND [ARGS]   (memhpctl COMMAND --help for details)\n"
		"  status [-J]                         memory blocks like lsmem, with owners\n"
		"  online RANGE|BLOCK [--movable|--kernel]\n"
		"  offline RANGE|BLOCK                 through sysfs, like chmem (exit 0/1/64)\n"
		"  events [--follow]                   memhp's notifier records\n"
		"  stats                               per-action counts and latencies\n"
		"  inject ACTION ERRNO [--count N] [--range R] [--delay MS]\n"
		"  add START SIZE [nid=N] [driver_managed] [memmap_on_memory]\n"
		"  remove START SIZE\n"
		"  offline-remove START SIZE           memhp's physical phase\n"
		"  ranges                              the ranges memhp added\n"
		"  pin START SIZE\n"
		"  unpin START SIZE\n"
		"  pinned                              take a range's pages and hold them (unmovable)\n"
		"  trace [-o FILE.dat] -- CMD          a per-block timeline of CMD's hotplug\n");
}

/* Thin wrappers over one debugfs file: "what" set = read-only, else START SIZE. */
static const struct {
	const char *cmd, *file, *what;
} file_cmds[] = {
	{ "stats", "stats", "per-action counts and online/offline latencies (memhp's stats)" },
	{ "ranges", "ranges", "the ranges memhp added, with their online block counts" },
	{ "pinned", "pinned", "the page ranges memhp holds (memhpctl pin)" },
	{ "add", "add", NULL },
	{ "remove", "remove", NULL },
	{ "offline-remove", "offline_remove", NULL },
	{ "pin", "pin", NULL },
	{ "unpin", "unpin", NULL },
};

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";
	size_t i;

	if (!strcmp(cmd, "status"))
		return cmd_status(argc - 1, argv + 1);
	if (!strcmp(cmd, "online"))
		return cmd_chstate(argc - 1, argv + 1, 1);
	if (!strcmp(cmd, "offline"))
		return cmd_chstate(argc - 1, argv + 1, 0);
	if (!strcmp(cmd, "events"))
		return cmd_events(argc - 1, argv + 1);
	if (!strcmp(cmd, "inject"))
		return cmd_inject(argc - 1, argv + 1);
	if (!strcmp(cmd, "trace"))
		return cmd_trace(argc - 1, argv + 1);
	for (i = 0; i < sizeof(file_cmds) / sizeof(file_cmds[0]); i++) {
		if (strcmp(cmd, file_cmds[i].cmd))
			continue;
		if (file_cmds[i].what)
			return cmd_show(argc - 1, argv + 1, file_cmds[i].file, file_cmds[i].what);
		return cmd_phys(argc - 1, argv + 1, file_cmds[i].file);
	}
	if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
		usage(stdout);
		return 0;
	}
	usage(stderr);
	return 2;
}
