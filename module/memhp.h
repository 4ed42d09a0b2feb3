/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memhp - memory hotplug lab: declarations shared by the module's parts.
 */
#ifndef _MEMHP_H
#define _MEMHP_H

#include <linux/dcache.h>
#include <linux/mutex.h>
#include <linux/types.h>

#include "memhp_parse.h"

/*
 * The notifier actions memhp knows, in one list, as include/trace/events/
 * migrate.h has its EM()/EMe() list: EM(memhp's enum value, the kernel's
 * name), EM_END() for the last.  Each user defines EM() and EM_END(),
 * expands the list and undefines them: the enum below, the names and the
 * classifiers (memhp_actions.c), the notifier's nid rule (memhp_notifier.c),
 * and the trace events' TRACE_DEFINE_ENUM() and __print_symbolic()
 * (memhp_trace.h).  The name memhp prints (events, stats, inject/, the trace
 * events) is the kernel's, stringified.  The kernel's values differ per
 * kernel and are not memhp's: memhp_classify() maps by name.
 *
 * MEMHP_LIST() is the identity: it makes each list, and each EM() that
 * expands to more than one token, one macro call, as checkpatch wants a
 * macro body to be.
 */
#define MEMHP_LIST(...)	__VA_ARGS__

/*
 * The memory notifier's, on every kernel memhp builds for: the six for
 * which online_pages() and offline_pages() fill status_change_nid.
 */
#define MEMHP_MEM_ACTIONS MEMHP_LIST(					\
	EM(MEMHP_GOING_ONLINE,		MEM_GOING_ONLINE)		\
	EM(MEMHP_ONLINE,		MEM_ONLINE)			\
	EM(MEMHP_CANCEL_ONLINE,		MEM_CANCEL_ONLINE)		\
	EM(MEMHP_GOING_OFFLINE,		MEM_GOING_OFFLINE)		\
	EM(MEMHP_OFFLINE,		MEM_OFFLINE)			\
	EM(MEMHP_CANCEL_OFFLINE,	MEM_CANCEL_OFFLINE))

/* The memory notifier's on 6.9..6.18 only (MEMHP_HAVE_PREPARE_ONLINE). */
#define MEMHP_PREPARE_ACTIONS MEMHP_LIST(				\
	EM(MEMHP_PREPARE_ONLINE,	MEM_PREPARE_ONLINE)		\
	EM(MEMHP_FINISH_OFFLINE,	MEM_FINISH_OFFLINE))

/* 6.17+: the node notifier's (MEMHP_HAVE_NODE_NOTIFIER). */
#define MEMHP_NODE_ACTIONS MEMHP_LIST(					\
	EM(MEMHP_NODE_ADDING_FIRST_MEMORY, NODE_ADDING_FIRST_MEMORY)	\
	EM(MEMHP_NODE_ADDED_FIRST_MEMORY, NODE_ADDED_FIRST_MEMORY)	\
	EM(MEMHP_NODE_CANCEL_ADDING_FIRST_MEMORY, NODE_CANCEL_ADDING_FIRST_MEMORY) \
	EM(MEMHP_NODE_REMOVING_LAST_MEMORY, NODE_REMOVING_LAST_MEMORY)	\
	EM(MEMHP_NODE_REMOVED_LAST_MEMORY, NODE_REMOVED_LAST_MEMORY)	\
	EM(MEMHP_NODE_CANCEL_REMOVING_LAST_MEMORY, NODE_CANCEL_REMOVING_LAST_MEMORY))

/* All of them; MEMHP_UNKNOWN (no kernel name) for any other action. */
#define MEMHP_ACTIONS MEMHP_LIST(					\
	MEMHP_MEM_ACTIONS						\
	MEMHP_PREPARE_ACTIONS						\
	MEMHP_NODE_ACTIONS						\
	EM_END(MEMHP_UNKNOWN,		MEM_UNKNOWN))

#define EM(a, ...)	a,
#define EM_END(a, ...)	a,

enum memhp_action {
	MEMHP_ACTIONS
	MEMHP_NR_ACTIONS,
};

#undef EM
#undef EM_END

/* The physical-phase operations (trace event memhp_phys). */
enum memhp_op {
	MEMHP_OP_ADD,
	MEMHP_OP_REMOVE,
	MEMHP_OP_OFFLINE_REMOVE,
	MEMHP_OP_PIN,
	MEMHP_OP_UNPIN,
};

/* memhp_phys flags: how an add was made. */
#define MEMHP_PHYS_DRIVER_MANAGED	0x1
#define MEMHP_PHYS_MEMMAP_ON_MEMORY	0x2

extern struct dentry *memhp_debugfs_root;

/* The action list expanded (memhp_actions.c). */
const char *memhp_action_name(enum memhp_action a);
bool memhp_action_exists(enum memhp_action a);
enum memhp_action memhp_classify(unsigned long action);
enum memhp_action memhp_node_classify(unsigned long action);

/* The notifiers and the record they write (memhp_notifier.c). */
int memhp_notifier_init(unsigned int log_size, int priority);
void memhp_notifier_exit(void);
bool memhp_offline_in_flight(unsigned long pfn, unsigned long nr);

/* The record's readers: events and stats (memhp_events.c). */
int memhp_events_files(struct dentry *root);

/*
 * The physical phase: add/remove/offline_remove/ranges (memhp_phys.c).
 *
 * memhp_phys_lock is held across every add_memory(), remove_memory(),
 * offline_and_remove_memory() and offline_and_remove_memory_ranges() memhp
 * makes (a multi-range offline_remove checks all its ranges and calls once
 * under one hold), and across pin and unpin
 * (memhp_pin.c), so that memhp's own removal cannot free the memmap pin is
 * working on (what other actors can still do: memhp_pin.c).  Lock
 * order: memhp_phys_lock, then pin_lock (memhp_pin.c).  Both are taken
 * killably.  memhp's memory notifier, which the kernel calls inside those
 * calls, takes neither.
 */
extern struct mutex memhp_phys_lock;
int memhp_phys_init(struct dentry *root);
void memhp_phys_note(enum memhp_action a, unsigned long start_pfn);

/* Unmovable pages on demand: pin/unpin/pinned (memhp_pin.c). */
int memhp_pin_init(struct dentry *root);
void memhp_pin_exit(void);

/* Error injection (memhp_inject.c). */
int memhp_inject_init(struct dentry *root);
struct memhp_delay {
	unsigned int ms;		/* 0: none */
	unsigned int gen;		/* delay_ms writes seen when it was decided */
};

int memhp_inject_check(enum memhp_action a, u64 start, u64 size, struct memhp_delay *d);
void memhp_inject_delay(const struct memhp_delay *d);

/* The debugfs write helpers (memhp_cmd.c). */

/* Let writes through: called once init has completed. */
void memhp_set_ready(void);
bool memhp_is_ready(void);

/*
 * Copy a debugfs write into @buf as a C string, checking it as every memhp
 * file does (capability, offset, length, NUL bytes); logs a rate-limited
 * line naming @file and the reason on failure.
 */
int memhp_get_cmd(const char *file, const char __user *ubuf, size_t count,
		  loff_t *ppos, char *buf, size_t size);

/*
 * memhp_get_cmd() and memhp_parse_phys() for the "START SIZE [options]"
 * files: START and SIZE multiples of @align, nid below @max_nid.
 */
int memhp_get_phys_cmd(const char *file, bool with_options, u64 align, int max_nid,
		       const char __user *ubuf, size_t count, loff_t *ppos,
		       struct memhp_phys_cmd *cmd);

/* The same for "START SIZE[;START SIZE...]" (memhp_parse_phys_ranges()). */
int memhp_get_phys_cmds(const char *file, u64 align, const char __user *ubuf,
			size_t count, loff_t *ppos, struct memhp_phys_cmd *cmds,
			unsigned int max, unsigned int *nr);

/*
 * debugfs_create_file() for the init functions: 0, or the errno of the first
 * failure (kept in *@err; once set, later calls do nothing).
 */
void memhp_create_file(int *err, const char *name, umode_t mode, struct dentry *parent,
		       void *data, const struct file_operations *fops);

/* One rate-limited line for a rejected write to @file. */
#define memhp_reject(file, fmt, ...) \
	pr_info_ratelimited("%s: rejected: " fmt "\n", file, ##__VA_ARGS__)

#endif /* _MEMHP_H */
