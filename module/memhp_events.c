// SPDX-License-Identifier: GPL-2.0
/*
 * memhp: memory notifier recorder.
 *
 * Every memory hotplug notifier call is recorded in a bounded ring
 * (`events`), counted per action, and timed per memory block from
 * GOING_ONLINE to ONLINE/CANCEL_ONLINE and from GOING_OFFLINE to
 * OFFLINE/CANCEL_OFFLINE (`stats`).  The notifier allocates nothing: the ring
 * is allocated when the module loads.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/ktime.h>
#include <linux/limits.h>
#include <linux/memory.h>
#include <linux/mutex.h>
#include <linux/mm.h>
#include <linux/numa.h>
#include <linux/poll.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/wait.h>

#include "memhp.h"
#include "memhp_compat.h"
#include "memhp_trace.h"

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

static struct {
	spinlock_t lock;		/* protects everything below */
	struct memhp_event *ring;
	unsigned int size;		/* capacity */
	unsigned int head;		/* index of the oldest record */
	unsigned int len;		/* records held */
	u64 next_seq;			/* WRITE_ONCE: readers poll it */
	u64 clear_seq;			/* next_seq at the last clear */
	u64 dropped;
	u64 count[MEMHP_NR_ACTIONS];
	struct memhp_latency online, offline;
	wait_queue_head_t wait;		/* readers waiting for a record */
} rec = {
	.lock = __SPIN_LOCK_UNLOCKED(rec.lock),
	.wait = __WAIT_QUEUE_HEAD_INITIALIZER(rec.wait),
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
	l->pending.start_pfn = pfn;
	l->pending.nr_pages = nr;
	l->pending.t0 = now;
	l->pending.used = true;
}

/* Close the transition in flight at @pfn: true, with its duration in *@d. */
static bool latency_end(struct memhp_latency *l, unsigned long pfn, u64 now, u64 *dur)
{
	u64 d;

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

static void latency_clear(struct memhp_latency *l)
{
	l->count = 0;
	l->min = 0;
	l->max = 0;
	l->sum = 0;
	l->last = 0;
	/* Transitions in flight keep their start time. */
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
	const struct memhp_pending *p = &rec.offline.pending;
	bool ret;

	spin_lock(&rec.lock);
	ret = p->used && pfn < p->start_pfn + p->nr_pages && p->start_pfn < pfn + nr;
	spin_unlock(&rec.lock);
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

	spin_lock(&rec.lock);
	if (rec.len == rec.size) {
		rec.head = (rec.head + 1) % rec.size;
		rec.len--;
		rec.dropped++;
	}
	e = &rec.ring[(rec.head + rec.len) % rec.size];
	rec.len++;
	*e = *in;
	e->seq = rec.next_seq;
	WRITE_ONCE(rec.next_seq, rec.next_seq + 1);
	e->time_ns = now;
	e->pid = task_pid_nr(current);
	memcpy(e->comm, comm, sizeof(e->comm));
	rec.count[e->type]++;

	switch (e->type) {
	case MEMHP_GOING_ONLINE:
		latency_start(&rec.online, e->start_pfn, e->nr_pages, now);
		break;
	case MEMHP_ONLINE:
	case MEMHP_CANCEL_ONLINE:
		ended = latency_end(&rec.online, e->start_pfn, now, &dur);
		break;
	case MEMHP_GOING_OFFLINE:
		latency_start(&rec.offline, e->start_pfn, e->nr_pages, now);
		break;
	case MEMHP_OFFLINE:
	case MEMHP_CANCEL_OFFLINE:
		ended = latency_end(&rec.offline, e->start_pfn, now, &dur);
		break;
	default:
		break;
	}
	spin_unlock(&rec.lock);
	wake_up_interruptible(&rec.wait);

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

/* ------------------------------------------------------------- events */

/*
 * Readers stream the ring without consuming it.  A read() copies at most
 * EVENTS_BATCH records under rec.lock and formats them after dropping it, so
 * a reader holds the lock the notifier takes for a bounded time, and an open
 * costs one batch buffer whatever log_size is.  The ring always holds the
 * records next_seq - len .. next_seq - 1, so a record is found by its seq.
 *
 * events is a regular file that grows, and read() never waits.  An open
 * file gives the records present when it was opened, oldest first, then end
 * of file: `cat events` is a snapshot, and tail, less, dd or read() to end
 * of file get those records and end of file however often they read on
 * there while no record arrives.  A read() after end of file gives the
 * records that arrived since, then end of file again (as tail -f wants).
 * poll() says EPOLLIN always, as for any regular file (busybox sh's read
 * polls before each byte).  A reader that follows waits for EPOLLPRI, as on
 * /proc/self/mounts: set while there is a record it has not read.  memhpctl
 * events --follow reads to end of file, then polls for EPOLLPRI.
 *
 * The file position is the offset in the text this open gives from the
 * records present at open on.  lseek() SEEK_SET/SEEK_CUR and pread() work as
 * on a seq_file: a read at an offset behind the last one formats the text
 * again from the start, one ahead of it skips to it.  SEEK_END is -EINVAL,
 * as on a seq_file: st_size is 0, the text is only known by making it (GNU
 * and busybox tail then read from the start).  Records the reader has not
 * got to that a clear or a ring overflow removed are reported in-line, where
 * they were, as "# cleared N records (seq A-B)" and "# lost N records
 * (seq A-B): ring overflow".
 *
 * Lock order: events_reader.lock, then rec.lock.
 */
#define EVENTS_BATCH	64
#define EVENTS_LINE	256

struct events_reader {
	struct mutex lock;		/* one read() at a time on this file */
	u64 first;			/* the oldest seq at open: offset 0 */
	u64 next;			/* the seq to give next */
	u64 end;			/* end of file once there */
	bool eof;			/* the last read() gave end of file */
	loff_t pos;			/* the offset of the text given next */
	u64 cleared_from, cleared;	/* a gap to report: cleared records, */
	u64 lost_from, lost;		/* and records lost to overflow */
	unsigned int n, i;		/* records in batch, the one to show next */
	size_t len, off;		/* the text in line[], and how much went out */
	char line[EVENTS_LINE];
	struct memhp_event batch[EVENTS_BATCH];
};

/*
 * Copy the records from r->next on (at most a batch, and not past r->end)
 * into r->batch; note the records removed before the reader got to them.
 */
static void events_fill(struct events_reader *r)
{
	u64 oldest, from, gap_end;
	unsigned int i;

	spin_lock(&rec.lock);
	oldest = rec.next_seq - rec.len;
	/*
	 * A gap is reported up to r->end, no further, or a reader behind a
	 * ring that keeps overflowing would chase it for ever.
	 */
	gap_end = min(oldest, r->end);
	if (r->next < gap_end) {
		/* Those before the last clear were cleared, the rest lost. */
		from = max(r->next, rec.clear_seq);
		if (r->next < rec.clear_seq) {
			r->cleared_from = r->next;
			r->cleared = min(rec.clear_seq, gap_end) - r->next;
		}
		if (from < gap_end) {
			r->lost_from = from;
			r->lost = gap_end - from;
		}
		WRITE_ONCE(r->next, gap_end);
	}
	/* r->next >= oldest here, unless it is r->end: then nothing is copied. */
	r->n = r->next < r->end ? min_t(u64, r->end - r->next, EVENTS_BATCH) : 0;
	for (i = 0; i < r->n; i++)
		r->batch[i] = rec.ring[(rec.head + (r->next - oldest) + i) % rec.size];
	spin_unlock(&rec.lock);
	r->i = 0;
	WRITE_ONCE(r->next, r->next + r->n);
}

static size_t events_format(char *buf, size_t size, const struct memhp_event *e)
{
	size_t n;

	n = scnprintf(buf, size, "%llu %llu ", e->seq, e->time_ns);
	n += scnprintf(buf + n, size - n, "%s", memhp_action_name(e->type));
	/* MEM_UNKNOWN_<the kernel's value> */
	if (e->type == MEMHP_UNKNOWN)
		n += scnprintf(buf + n, size - n, "_%lu", e->action);
	n += scnprintf(buf + n, size - n, " start_pfn=0x%lx nr_pages=%lu nid=%d pid=%d comm=%s",
		       e->start_pfn, e->nr_pages, e->nid, e->pid, e->comm);
	if (e->injected)
		n += scnprintf(buf + n, size - n, " injected=%d", e->injected);
	if (e->delay_ms)
		n += scnprintf(buf + n, size - n, " delay_ms=%u", e->delay_ms);
	n += scnprintf(buf + n, size - n, "\n");
	return n;
}

/* Put the next line into r->line: false if there is none yet. */
static bool events_next_line(struct events_reader *r)
{
	/* A gap noted by the last fill goes out before the next fill. */
	if (r->i == r->n && !r->cleared && !r->lost)
		events_fill(r);
	r->off = 0;
	if (r->cleared) {
		r->len = scnprintf(r->line, sizeof(r->line),
				   "# cleared %llu records (seq %llu-%llu)\n", r->cleared,
				   r->cleared_from, r->cleared_from + r->cleared - 1);
		r->cleared = 0;
		return true;
	}
	if (r->lost) {
		r->len = scnprintf(r->line, sizeof(r->line),
				   "# lost %llu records (seq %llu-%llu): ring overflow\n",
				   r->lost, r->lost_from, r->lost_from + r->lost - 1);
		r->lost = 0;
		return true;
	}
	if (r->i == r->n) {
		r->len = 0;
		return false;
	}
	r->len = events_format(r->line, sizeof(r->line), &r->batch[r->i++]);
	return true;
}

/* Has a record arrived that @r has not given yet? */
static bool events_new(const struct events_reader *r)
{
	return READ_ONCE(rec.next_seq) > READ_ONCE(r->next);
}

/* A read() after end of file: end of file is now where the records end. */
static void events_extend(struct events_reader *r)
{
	spin_lock(&rec.lock);
	r->end = rec.next_seq;
	spin_unlock(&rec.lock);
}

/* Back to offset 0: the records present at open, gaps where they went. */
static void events_rewind(struct events_reader *r)
{
	WRITE_ONCE(r->next, r->first);
	r->n = 0;
	r->i = 0;
	r->len = 0;
	r->off = 0;
	r->cleared = 0;
	r->lost = 0;
	r->pos = 0;
}

/*
 * Move the text given next to offset @pos, formatting again from the start
 * if @pos is behind.  r->pos stops short of @pos if the text ends before it.
 */
static int events_seek(struct events_reader *r, loff_t pos)
{
	if (pos < r->pos)
		events_rewind(r);
	while (r->pos < pos) {
		loff_t k;

		if (r->off == r->len) {
			if (!events_next_line(r))
				break;
			/* Where it stopped is kept: a restarted read goes on. */
			if (r->i == 1) {
				cond_resched();
				if (signal_pending(current))
					return -ERESTARTSYS;
			}
			continue;
		}
		k = min_t(loff_t, r->len - r->off, pos - r->pos);
		r->off += k;
		r->pos += k;
	}
	return 0;
}

static ssize_t events_read(struct file *file, char __user *ubuf, size_t count,
			   loff_t *ppos)
{
	struct events_reader *r = file->private_data;
	ssize_t done = 0;
	int ret;

	if (!count)
		return 0;
	if (file->f_flags & O_NONBLOCK) {
		if (!mutex_trylock(&r->lock))
			return -EAGAIN;
	} else if (mutex_lock_interruptible(&r->lock)) {
		return -ERESTARTSYS;
	}
	/* A read after end of file takes in the records that arrived since. */
	if (r->eof) {
		events_extend(r);
		r->eof = false;
	}
	if (*ppos != r->pos) {
		ret = events_seek(r, *ppos);
		if (ret) {
			mutex_unlock(&r->lock);
			return ret;
		}
	}
	/* At r->pos, unless *ppos is past the end of the text: end of file. */
	while (r->pos == *ppos + done && done < count) {
		if (r->off < r->len) {
			size_t k = min_t(size_t, count - done, r->len - r->off);

			if (copy_to_user(ubuf + done, r->line + r->off, k)) {
				done = done ?: -EFAULT;
				break;
			}
			r->off += k;
			r->pos += k;
			done += k;
			continue;
		}
		if (!events_next_line(r))
			break;
		/* A large read formats many batches: let others run. */
		if (r->i == 1)
			cond_resched();
	}
	if (done > 0)
		*ppos += done;
	else if (!done)
		r->eof = true;
	mutex_unlock(&r->lock);
	return done;
}

static __poll_t events_poll(struct file *file, poll_table *wait)
{
	struct events_reader *r = file->private_data;
	__poll_t mask = 0;

	if (file->f_mode & FMODE_WRITE)
		mask |= EPOLLOUT | EPOLLWRNORM;
	if (!r)
		return mask;
	poll_wait(file, &rec.wait, wait);
	/* A read() never waits: readable, like any regular file. */
	mask |= EPOLLIN | EPOLLRDNORM;
	/*
	 * A record the reader has not read.  Without r->lock (a long read()
	 * may hold it): a stale answer costs one read() that finds nothing
	 * new, or one more poll().
	 */
	if (events_new(r))
		mask |= EPOLLPRI;
	return mask;
}

static int events_open(struct inode *inode, struct file *file)
{
	struct events_reader *r;

	/*
	 * Like seq_open(): lseek() and pread(), no pwrite().  Not a stream:
	 * no read() waits, so none holds f_pos_lock for long (debugfs files
	 * are regular files: FMODE_ATOMIC_POS).
	 */
	file->f_mode &= ~FMODE_PWRITE;
	/* "echo clear >events" needs no reader. */
	if (!(file->f_mode & FMODE_READ))
		return 0;
	/* Until init has completed (it may still fail and unwind). */
	if (!memhp_is_ready())
		return -EAGAIN;
	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	mutex_init(&r->lock);
	spin_lock(&rec.lock);
	r->first = rec.next_seq - rec.len;
	r->next = r->first;
	r->end = rec.next_seq;
	spin_unlock(&rec.lock);
	file->private_data = r;
	return 0;
}

static int events_release(struct inode *inode, struct file *file)
{
	struct events_reader *r = file->private_data;

	if (r) {
		mutex_destroy(&r->lock);
		kfree(r);
	}
	return 0;
}

/* "clear" is the only command: both files take it. */
static int get_clear(const char *file, const char __user *ubuf, size_t count,
		     loff_t *ppos)
{
	char buf[MEMHP_CMD_MAX], *p = buf, *tok;
	int ret;

	ret = memhp_get_cmd(file, ubuf, count, ppos, buf, sizeof(buf));
	if (ret)
		return ret;
	tok = memhp_next_token(&p);
	if (!tok || strcmp(tok, "clear") || memhp_next_token(&p)) {
		memhp_reject(file, "expected \"clear\"");
		return -EINVAL;
	}
	return 0;
}

static ssize_t events_write(struct file *file, const char __user *ubuf,
			    size_t count, loff_t *ppos)
{
	int ret = get_clear("events", ubuf, count, ppos);

	if (ret)
		return ret;
	spin_lock(&rec.lock);
	rec.head = 0;
	rec.len = 0;
	rec.clear_seq = rec.next_seq;
	spin_unlock(&rec.lock);
	return count;
}

static const struct file_operations events_fops = {
	.owner = THIS_MODULE,
	.open = events_open,
	.llseek = no_seek_end_llseek,
	.read = events_read,
	.poll = events_poll,
	.write = events_write,
	.release = events_release,
};

/* -------------------------------------------------------------- stats */

static void show_latency(struct seq_file *m, const char *name,
			 const struct memhp_latency *l)
{
	seq_printf(m, "%s count=%llu min=%llu avg=%llu max=%llu last=%llu\n",
		   name, l->count, div_u64(l->min, NSEC_PER_USEC),
		   l->count ? div64_u64(l->sum, l->count * NSEC_PER_USEC) : 0,
		   div_u64(l->max, NSEC_PER_USEC), div_u64(l->last, NSEC_PER_USEC));
}

static int stats_show(struct seq_file *m, void *v)
{
	u64 count[MEMHP_NR_ACTIONS], dropped;
	struct memhp_latency on, off;
	int a;

	spin_lock(&rec.lock);
	memcpy(count, rec.count, sizeof(count));
	dropped = rec.dropped;
	on = rec.online;
	off = rec.offline;
	spin_unlock(&rec.lock);

	for (a = 0; a < MEMHP_NR_ACTIONS; a++) {
		if (!memhp_action_exists(a))
			continue;
		seq_printf(m, "%s %llu\n", memhp_action_name(a), count[a]);
	}
	seq_printf(m, "dropped %llu\n", dropped);
	show_latency(m, "online_us", &on);
	show_latency(m, "offline_us", &off);
	return 0;
}

static int stats_open(struct inode *inode, struct file *file)
{
	return single_open(file, stats_show, NULL);
}

static ssize_t stats_write(struct file *file, const char __user *ubuf,
			   size_t count, loff_t *ppos)
{
	int ret = get_clear("stats", ubuf, count, ppos);

	if (ret)
		return ret;
	spin_lock(&rec.lock);
	memset(rec.count, 0, sizeof(rec.count));
	rec.dropped = 0;
	latency_clear(&rec.online);
	latency_clear(&rec.offline);
	spin_unlock(&rec.lock);
	return count;
}

static const struct file_operations stats_fops = {
	.owner = THIS_MODULE,
	.open = stats_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.write = stats_write,
	.release = single_release,
};

int memhp_events_init(unsigned int log_size, int priority)
{
	int ret;

	/* A log_size too large for this machine is -ENOMEM, not a warning. */
	rec.ring = kvcalloc(log_size, sizeof(*rec.ring), GFP_KERNEL | __GFP_NOWARN);
	if (!rec.ring) {
		pr_err("log_size=%u: no memory for the ring (%zu bytes)\n", log_size,
		       array_size(log_size, sizeof(*rec.ring)));
		return -ENOMEM;
	}
	rec.size = log_size;

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
	kvfree(rec.ring);
	rec.ring = NULL;
	return ret;
}

int memhp_events_files(struct dentry *root)
{
	int err = 0;

	memhp_create_file(&err, "events", 0600, root, NULL, &events_fops);
	memhp_create_file(&err, "stats", 0600, root, NULL, &stats_fops);
	return err;
}

/* Called after the debugfs files are gone: no reader is left. */
void memhp_events_exit(void)
{
	memhp_unregister_node_notifier();
	unregister_memory_notifier(&memhp_chain_nb[1]);
	unregister_memory_notifier(&memhp_nb);
	unregister_memory_notifier(&memhp_chain_nb[0]);
	kvfree(rec.ring);
	rec.ring = NULL;
}
