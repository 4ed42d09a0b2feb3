// SPDX-License-Identifier: GPL-2.0
/*
 * memhp: the memory notifier's side of the record.
 *
 * Every memory hotplug notifier call is recorded in a bounded ring, counted
 * per action, and timed per memory block from GOING_ONLINE to
 * ONLINE/CANCEL_ONLINE and from GOING_OFFLINE to OFFLINE/CANCEL_OFFLINE.
 * The notifier allocates nothing: the ring is allocated when the module
 * loads.  The readers, events and stats, are in memhp_events.c.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ktime.h>
#include <linux/limits.h>
#include <linux/lockdep.h>
#include <linux/memory.h>
#include <linux/mm.h>
#include <linux/notifier.h>
#include <linux/numa.h>
#include <linux/overflow.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/wait.h>

#include "memhp.h"
#include "memhp_compat.h"
#include "memhp_rec.h"
#include "memhp_trace.h"

struct memhp_rec memhp_rec = {
	.lock = __SPIN_LOCK_UNLOCKED(memhp_rec.lock),
	.wait = __WAIT_QUEUE_HEAD_INITIALIZER(memhp_rec.wait),
};

/*
 * The node to record for @type.  online_pages() and offline_pages() fill
 * status_change_nid for the six classic actions (6.1 and 6.12 alike).  6.12's
 * memory_block_online()/memory_block_offline() send MEM_PREPARE_ONLINE and
 * MEM_FINISH_OFFLINE with a stack struct memory_notify whose
 * status_change_nid{,_normal} are never written: reading it would record
 * stack garbage.  For those, and for actions memhp does not know, -1.
 * start_pfn and nr_pages are filled for every action both kernels send.
 */
#undef EM
#define EM(a, ...)	case a:
static int memhp_event_nid(enum memhp_action type, const struct memory_notify *mn)
{
	switch (type) {
	MEMHP_MEM_ACTIONS
		return memhp_notify_nid(mn);
	default:
		return NUMA_NO_NODE;
	}
}

#undef EM

static void latency_start(struct memhp_latency *l, unsigned long pfn,
			  unsigned long nr, u64 now)
{
	lockdep_assert_held(&memhp_rec.lock);
	l->pending.start_pfn = pfn;
	l->pending.nr_pages = nr;
	l->pending.t0 = now;
	l->pending.used = true;
}

/* Close the transition in flight at @pfn: true, with its duration in *@d. */
static bool latency_end(struct memhp_latency *l, unsigned long pfn, u64 now, u64 *dur)
{
	u64 d;

	lockdep_assert_held(&memhp_rec.lock);
	/* Started before we were loaded, or GOING_X was vetoed before us. */
	if (!l->pending.used || l->pending.start_pfn != pfn)
		return false;
	l->pending.used = false;
	d = now - l->pending.t0;
	if (!l->count || d < l->min)
		l->min = d;
	if (d > l->max)
		l->max = d;
	l->sum += d;
	l->last = d;
	l->count++;
	*dur = d;
	return true;
}

/*
 * Is an offline of memory overlapping [@pfn, @pfn + @nr) in flight, as far as
 * memhp's notifier saw: MEM_GOING_OFFLINE recorded, MEM_OFFLINE or
 * MEM_CANCEL_OFFLINE not yet.  Blind to an offline that has isolated its
 * range but not yet notified, and true only until the offline ends: a hint
 * for pin (memhp_pin.c), not an exclusion.
 */
bool memhp_offline_in_flight(unsigned long pfn, unsigned long nr)
{
	const struct memhp_pending *p = &memhp_rec.offline.pending;
	bool ret;

	spin_lock(&memhp_rec.lock);
	ret = p->used && pfn < p->start_pfn + p->nr_pages && p->start_pfn < pfn + nr;
	spin_unlock(&memhp_rec.lock);
	return ret;
}

/* Append one record (and count it, and time it); the caller fills @e's inputs. */
static void memhp_record(const struct memhp_event *in, u64 now)
{
	char comm[TASK_COMM_LEN];
	struct memhp_event *e;
	bool ended = false;
	u64 dur = 0;

	get_task_comm(comm, current);

	spin_lock(&memhp_rec.lock);
	if (memhp_rec.len == memhp_rec.size) {
		memhp_rec.head = (memhp_rec.head + 1) % memhp_rec.size;
		memhp_rec.len--;
		memhp_rec.dropped++;
	}
	e = &memhp_rec.ring[(memhp_rec.head + memhp_rec.len) % memhp_rec.size];
	memhp_rec.len++;
	*e = *in;
	e->seq = memhp_rec.next_seq;
	WRITE_ONCE(memhp_rec.next_seq, memhp_rec.next_seq + 1);
	e->time_ns = now;
	e->pid = task_pid_nr(current);
	memcpy(e->comm, comm, sizeof(e->comm));
	memhp_rec.count[e->type]++;

	switch (e->type) {
	case MEMHP_GOING_ONLINE:
		latency_start(&memhp_rec.online, e->start_pfn, e->nr_pages, now);
		break;
	case MEMHP_ONLINE:
	case MEMHP_CANCEL_ONLINE:
		ended = latency_end(&memhp_rec.online, e->start_pfn, now, &dur);
		break;
	case MEMHP_GOING_OFFLINE:
		latency_start(&memhp_rec.offline, e->start_pfn, e->nr_pages, now);
		break;
	case MEMHP_OFFLINE:
	case MEMHP_CANCEL_OFFLINE:
		ended = latency_end(&memhp_rec.offline, e->start_pfn, now, &dur);
		break;
	default:
		break;
	}
	spin_unlock(&memhp_rec.lock);
	wake_up_interruptible(&memhp_rec.wait);

	trace_memhp_notify(in->type, in->action, in->start_pfn, in->nr_pages, in->nid,
			   in->injected, in->delay_ms);
	if (ended)
		trace_memhp_transition(in->type, in->start_pfn, in->nr_pages, dur);
}

static int memhp_notifier_call(struct notifier_block *nb, unsigned long action,
			       void *arg)
{
	const struct memory_notify *mn = arg;
	u64 now = ktime_get_ns();
	struct memhp_event e = {
		.action = action,
		.type = memhp_classify(action),
		.start_pfn = mn->start_pfn,
		.nr_pages = mn->nr_pages,
	};
	struct memhp_delay delay;

	e.nid = memhp_event_nid(e.type, mn);
	e.injected = memhp_inject_check(e.type, PFN_PHYS(mn->start_pfn),
					PFN_PHYS(mn->nr_pages), &delay);
	e.delay_ms = delay.ms;
	memhp_record(&e, now);
	memhp_phys_note(e.type, mn->start_pfn);
	/* After the record: a test waits for it to know the window is open. */
	memhp_inject_delay(&delay);
	return notifier_from_errno(e.injected);
}

static struct notifier_block memhp_nb = {
	.notifier_call = memhp_notifier_call,
};

/*
 * How long one call takes through the whole memory notifier chain: a
 * notifier registered first in the chain (INT_MAX) notes the time and one
 * registered last (INT_MIN) emits memhp_chain.  A notifier of the same
 * priority registered earlier runs before either of them (the chain puts
 * a new notifier after those of equal priority).  The calls come one at a
 * time: memory_notify() is called between mem_hotplug_begin() and
 * mem_hotplug_done() (online_pages(), offline_pages(), and 6.12's
 * memory_block_online()/_offline()).  A veto stops the chain before the
 * last notifier: no memhp_chain then.
 */
static u64 chain_t0;

static int memhp_chain_first(struct notifier_block *nb, unsigned long action, void *arg)
{
	/* Always written: a start left by a vetoed call never counts. */
	chain_t0 = trace_memhp_chain_enabled() ? ktime_get_ns() : 0;
	return NOTIFY_OK;
}

static int memhp_chain_last(struct notifier_block *nb, unsigned long action, void *arg)
{
	const struct memory_notify *mn = arg;
	u64 t0 = chain_t0;

	chain_t0 = 0;
	if (t0 && trace_memhp_chain_enabled())
		trace_memhp_chain(memhp_classify(action), mn->start_pfn, mn->nr_pages,
				  ktime_get_ns() - t0);
	return NOTIFY_OK;
}

static struct notifier_block memhp_chain_nb[] = {
	{ .notifier_call = memhp_chain_first, .priority = INT_MAX },
	{ .notifier_call = memhp_chain_last, .priority = INT_MIN },
};

#if MEMHP_HAVE_NODE_NOTIFIER
/*
 * 6.17+: a node gaining its first or losing its last memory is reported
 * here, not in struct memory_notify (memhp_compat.h).  Recorded as its own
 * NODE_* record: nid set, start_pfn and nr_pages 0 (the node notifier does
 * not say which range; the MEM_* record that follows does).  Injection does
 * not apply.
 */
static int memhp_node_call(struct notifier_block *nb, unsigned long action, void *arg)
{
	const struct node_notify *nn = arg;
	struct memhp_event e = {
		.action = action,
		.type = memhp_node_classify(action),
		.nid = nn->nid,
	};

	memhp_record(&e, ktime_get_ns());
	return NOTIFY_OK;
}

static struct notifier_block memhp_node_nb = {
	.notifier_call = memhp_node_call,
};

static int memhp_register_node_notifier(int priority)
{
	memhp_node_nb.priority = priority;
	return register_node_notifier(&memhp_node_nb);
}

static void memhp_unregister_node_notifier(void)
{
	unregister_node_notifier(&memhp_node_nb);
}
#else
static int memhp_register_node_notifier(int priority)
{
	return 0;
}

static void memhp_unregister_node_notifier(void)
{
}
#endif

int memhp_notifier_init(unsigned int log_size, int priority)
{
	int ret;

	/* A log_size too large for this machine is -ENOMEM, not a warning. */
	memhp_rec.ring = kvcalloc(log_size, sizeof(*memhp_rec.ring), GFP_KERNEL | __GFP_NOWARN);
	if (!memhp_rec.ring) {
		pr_err("log_size=%u: no memory for the ring (%zu bytes)\n", log_size,
		       array_size(log_size, sizeof(*memhp_rec.ring)));
		return -ENOMEM;
	}
	memhp_rec.size = log_size;

	/* The bracket first: even memhp_nb at priority INT_MAX runs inside it. */
	ret = register_memory_notifier(&memhp_chain_nb[0]);
	if (ret)
		goto out_free;
	memhp_nb.priority = priority;
	ret = register_memory_notifier(&memhp_nb);
	if (ret)
		goto out_unregister_first;
	ret = register_memory_notifier(&memhp_chain_nb[1]);
	if (ret)
		goto out_unregister;
	ret = memhp_register_node_notifier(priority);
	if (ret)
		goto out_unregister_last;
	return 0;

out_unregister_last:
	unregister_memory_notifier(&memhp_chain_nb[1]);
out_unregister:
	unregister_memory_notifier(&memhp_nb);
out_unregister_first:
	unregister_memory_notifier(&memhp_chain_nb[0]);
out_free:
	kvfree(memhp_rec.ring);
	memhp_rec.ring = NULL;
	return ret;
}

/* Called after the debugfs files are gone: no reader is left. */
void memhp_notifier_exit(void)
{
	memhp_unregister_node_notifier();
	unregister_memory_notifier(&memhp_chain_nb[1]);
	unregister_memory_notifier(&memhp_nb);
	unregister_memory_notifier(&memhp_chain_nb[0]);
	kvfree(memhp_rec.ring);
	memhp_rec.ring = NULL;
}
