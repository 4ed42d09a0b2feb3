/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memhp: the record, shared by its writer, the notifier (memhp_notifier.c),
 * and its readers, events and stats (memhp_events.c).
 */
#ifndef _MEMHP_REC_H
#define _MEMHP_REC_H

#include <linux/sched.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>

#include "memhp.h"

struct memhp_event {
	u64 seq;
	u64 time_ns;
	unsigned long action;		/* the kernel's raw value */
	unsigned long start_pfn;
	unsigned long nr_pages;
	int nid;
	int injected;			/* 0, or the errno returned */
	unsigned int delay_ms;		/* injected sleep after recording */
	pid_t pid;
	u8 type;			/* enum memhp_action */
	char comm[TASK_COMM_LEN];
};

/*
 * A transition in flight: GOING_X seen, X or CANCEL_X not yet.  One slot is
 * enough: online_pages() and offline_pages() send GOING_X and then X or
 * CANCEL_X within one mem_hotplug_begin()/mem_hotplug_done() section (taken
 * by memory_block_online()/memory_block_offline() on 6.1 and 6.12), which
 * excludes every other online and offline, so at most one transition is in
 * flight at a time.
 */
struct memhp_pending {
	unsigned long start_pfn, nr_pages;
	u64 t0;
	bool used;
};

struct memhp_latency {
	u64 count, min, max, sum, last;	/* nanoseconds */
	struct memhp_pending pending;
};

/*
 * The record.  The notifier appends under @lock; readers copy out under it,
 * a bounded batch at a time, and format after dropping it.
 */
struct memhp_rec {
	/*
	 * A leaf lock, held for a few field updates or one batch copy: it
	 * protects everything below but @ring's allocation, @size and @wait.
	 * The notifier takes it inside the kernel's hotplug locks.
	 */
	spinlock_t lock;
	struct memhp_event *ring;	/* allocated at load, before the notifiers */
	unsigned int size;		/* capacity; set at load, then constant */
	unsigned int head;		/* index of the oldest record */
	unsigned int len;		/* records held */
	u64 next_seq;			/* WRITE_ONCE: readers poll it unlocked */
	u64 clear_seq;			/* next_seq at the last clear */
	u64 dropped;
	u64 count[MEMHP_NR_ACTIONS];
	struct memhp_latency online, offline;
	wait_queue_head_t wait;		/* readers waiting for a record */
};

extern struct memhp_rec memhp_rec;

#endif /* _MEMHP_REC_H */
