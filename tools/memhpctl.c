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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

static const char *owner_of(long nr)
{
	unsigned long long a = nr * block_size;
	char path[PATH_MAX];
	int i;

	for (i = 0; i < memhp_n; i++)
		if (a >= memhp_start[i] && a <= memhp_end[i])
			return "memhp";
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
		       "BLOCK NODE ZONES) plus OWNER (boot, acpi-dimm, memhp), block size,\n"
		       "auto_online_blocks, online policy and totals. -J: JSON.\n");
		return strcmp(argv[1], "--help") && strcmp(argv[1], "-h") ? 2 : 0;
	}
	init_block_size();
	load_memhp_ranges();
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
	unsigned long long seen = 0, seq;
	char line[512];
	FILE *f;

	if (argc == 1)
		return cat_file(MEMHP "/events");
	if (strcmp(argv[1], "--follow") && strcmp(argv[1], "-f")) {
		printf("usage: memhpctl events [--follow]\n"
		       "memhp's notifier records; --follow keeps printing new ones.\n");
		return strcmp(argv[1], "--help") ? 2 : 0;
	}
	for (;;) {
		f = fopen(MEMHP "/events", "r");
		if (!f)
			die("%s/events: %s", MEMHP, strerror(errno));
		while (fgets(line, sizeof(line), f)) {
			if (sscanf(line, "%llu", &seq) == 1 && seq + 1 > seen) {
				fputs(line, stdout);
				seen = seq + 1;
			}
		}
		fclose(f);
		fflush(stdout);
		usleep(200000);
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
		"  pinned                              hold free pages of a range (unmovable)\n");
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
