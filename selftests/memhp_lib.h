/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by memhp's C selftests: sysfs memory blocks, memhp's
 * debugfs files and the notifier record invariant.
 */
#ifndef MEMHP_SELFTEST_LIB_H
#define MEMHP_SELFTEST_LIB_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MEMHP_DIR	"/sys/kernel/debug/memhp"
#define MEMORY_DIR	"/sys/devices/system/memory"
#define PAGE_SZ		4096UL

/* Whole file into buf (NUL-terminated); bytes read or -errno. */
/* The slow-machine knob (MEMHP_SLOW, default 1): deadlines are multiplied by it. */
static inline unsigned int memhp_slow(void)
{
	const char *env = getenv("MEMHP_SLOW");
	int v = env ? atoi(env) : 1;

	return v > 0 ? v : 1;
}

static inline int read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	size_t len = 0;
	ssize_t n;

	if (fd < 0)
		return -errno;
	while (len + 1 < size && (n = read(fd, buf + len, size - 1 - len)) > 0)
		len += n;
	close(fd);
	buf[len] = '\0';
	return len;
}

/* One write() of s; 0 or -errno. */
static inline int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	if (n < 0) {
		n = -errno;
		close(fd);
		return n;
	}
	close(fd);
	return 0;
}

static inline unsigned long block_size(void)
{
	char buf[64];

	if (read_file(MEMORY_DIR "/block_size_bytes", buf, sizeof(buf)) <= 0)
		return 0;
	return strtoul(buf, NULL, 16);
}

/* 1 online, 0 offline, -1 otherwise (missing, going-offline). */
static inline int block_state(int n)
{
	char path[128], buf[32];

	snprintf(path, sizeof(path), MEMORY_DIR "/memory%d/state", n);
	if (read_file(path, buf, sizeof(buf)) <= 0)
		return -1;
	if (!strcmp(buf, "online\n"))
		return 1;
	if (!strcmp(buf, "offline\n"))
		return 0;
	return -1;
}

/* Write "online_movable"/"offline"/... to memoryN/state; 0 or -errno. */
static inline int set_block(int n, const char *state)
{
	char path[128];

	snprintf(path, sizeof(path), MEMORY_DIR "/memory%d/state", n);
	return write_file(path, state);
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/*
 * Why a test cannot run here (not root; no memory hotplug, if @hotplug; no
 * memhp module, which it loads if need be), or NULL: a fixture's SKIP reason.
 */
static inline const char *memhp_unmet(int hotplug)
{
	if (geteuid())
		return "must run as root";
	if (hotplug && access(MEMORY_DIR "/block_size_bytes", R_OK))
		return "no memory hotplug support";
	if (access("/sys/module/memhp", F_OK) && system("modprobe memhp"))
		return "memhp module not available";
	return NULL;
}

/* Block numbers in the given state (1 online, 0 offline), ascending. */
static inline int find_blocks(int want, int *out, int max)
{
	struct dirent *de;
	int n = 0, b;
	DIR *d;

	d = opendir(MEMORY_DIR);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (sscanf(de->d_name, "memory%d", &b) != 1)
			continue;
		if (block_state(b) == want && n < max)
			out[n++] = b;
	}
	closedir(d);
	qsort(out, n, sizeof(*out), cmp_int);
	return n;
}

static inline int count_online_blocks(void)
{
	static int blocks[65536];

	return find_blocks(1, blocks, 65536);
}

/* A record from memhp's events file. */
struct memhp_ev {
	unsigned long long seq, time_ns;
	char action[40];
	unsigned long pfn, nr_pages;
	int nid, pid, injected, delay_ms;
};

/*
 * MEM_PREPARE_ONLINE/MEM_FINISH_OFFLINE (6.9+) bracket every online/offline
 * on kernels that have them; tests about the six classic actions skip them.
 */
static inline int is_bracket_action(const char *a)
{
	return !strcmp(a, "MEM_PREPARE_ONLINE") || !strcmp(a, "MEM_FINISH_OFFLINE");
}

/*
 * Parse the events file; number of records, or -errno. *evs is malloc'd.
 * With core_only, MEM_PREPARE_ONLINE/MEM_FINISH_OFFLINE records are left out.
 */
static inline int read_events_filtered(struct memhp_ev **evs, int core_only)
{
	size_t cap = 64, n = 0;
	struct memhp_ev *v;
	char line[512];
	FILE *f;

	f = fopen(MEMHP_DIR "/events", "r");
	if (!f)
		return -errno;
	v = calloc(cap, sizeof(*v));
	while (v && fgets(line, sizeof(line), f)) {
		struct memhp_ev *e;
		char *inj, *delay;

		if (n == cap) {
			struct memhp_ev *bigger = realloc(v, 2 * cap * sizeof(*v));

			if (!bigger) {
				free(v);
				v = NULL;
				break;
			}
			v = bigger;
			cap *= 2;
		}
		/* "# cleared ..." / "# lost ...": records removed before read. */
		if (line[0] == '#')
			continue;
		e = &v[n];
		memset(e, 0, sizeof(*e));
		if (sscanf(line, "%llu %llu %39s start_pfn=0x%lx nr_pages=%lu nid=%d pid=%d",
			   &e->seq, &e->time_ns, e->action, &e->pfn, &e->nr_pages,
			   &e->nid, &e->pid) != 7) {
			fprintf(stderr, "# unparsable events line: %s", line);
			continue;
		}
		if (core_only && is_bracket_action(e->action))
			continue;
		inj = strstr(line, " injected=");
		if (inj)
			e->injected = atoi(inj + 10);
		delay = strstr(line, " delay_ms=");
		if (delay)
			e->delay_ms = atoi(delay + 10);
		n++;
	}
	fclose(f);
	if (!v)
		return -ENOMEM;
	*evs = v;
	return n;
}

static inline int read_events(struct memhp_ev **evs)
{
	return read_events_filtered(evs, 1);
}

/*
 * Every GOING_X is followed, for the same block, by exactly one X or
 * CANCEL_X, and no X/CANCEL_X comes without one; ONLINE minus OFFLINE is
 * the change in online blocks.  0, or -1 with the reason in why.  With
 * live (hotplug still running), a GOING_X at the end may still be in
 * flight and the online count is not compared.
 */
static inline int check_invariant_opt(const struct memhp_ev *e, int n, int online_delta,
				      int live, char *why, size_t len)
{
	int i, j, online = 0;

	for (i = 0; i < n; i++) {
		const char *a = e[i].action;
		const char *want1 = NULL, *want2 = NULL;

		if (!strcmp(a, "MEM_ONLINE"))
			online++;
		else if (!strcmp(a, "MEM_OFFLINE"))
			online--;

		if (!strcmp(a, "MEM_GOING_ONLINE")) {
			want1 = "MEM_ONLINE";
			want2 = "MEM_CANCEL_ONLINE";
		} else if (!strcmp(a, "MEM_GOING_OFFLINE")) {
			want1 = "MEM_OFFLINE";
			want2 = "MEM_CANCEL_OFFLINE";
		} else if (strstr(a, "ONLINE") || strstr(a, "OFFLINE")) {
			/* An end: the previous transition event of this block must be its GOING. */
			const char *going = strstr(a, "ONLINE") ? "MEM_GOING_ONLINE" :
					    "MEM_GOING_OFFLINE";

			if (is_bracket_action(a))
				continue;
			for (j = i - 1; j >= 0; j--) {
				if (e[j].pfn == e[i].pfn && !is_bracket_action(e[j].action))
					break;
			}
			if (j < 0 || strcmp(e[j].action, going)) {
				snprintf(why, len, "seq %llu %s pfn 0x%lx without a preceding %s",
					 e[i].seq, a, e[i].pfn, going);
				return -1;
			}
			continue;
		}
		if (!want1)
			continue;
		for (j = i + 1; j < n; j++) {
			if (e[j].pfn == e[i].pfn && !is_bracket_action(e[j].action))
				break;
		}
		if (j == n && live)
			continue;	/* still in flight */
		if (j == n || (strcmp(e[j].action, want1) && strcmp(e[j].action, want2))) {
			snprintf(why, len, "seq %llu %s pfn 0x%lx followed by %s, not %s/%s",
				 e[i].seq, a, e[i].pfn, j == n ? "nothing" : e[j].action,
				 want1, want2);
			return -1;
		}
	}
	if (!live && online != online_delta) {
		snprintf(why, len, "ONLINE - OFFLINE = %d, online blocks changed by %d",
			 online, online_delta);
		return -1;
	}
	return 0;
}

static inline int check_invariant(const struct memhp_ev *e, int n, int online_delta,
				  char *why, size_t len)
{
	return check_invariant_opt(e, n, online_delta, 0, why, len);
}

#endif /* MEMHP_SELFTEST_LIB_H */
