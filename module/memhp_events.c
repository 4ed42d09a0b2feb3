// SPDX-License-Identifier: GPL-2.0
/*
 * memhp: the readers of the record, events and stats.
 *
 * The notifier (memhp_notifier.c) appends to the ring in memhp_rec; these
 * files stream it and its counts and latencies out, and clear them.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/ktime.h>
#include <linux/lockdep.h>
#include <linux/math64.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/wait.h>

#include "memhp.h"
#include "memhp_rec.h"

/* ------------------------------------------------------------- events */

/*
 * Readers stream the ring without consuming it.  A read() copies at most
 * EVENTS_BATCH records under memhp_rec.lock and formats them after dropping it, so
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
 * Lock order: events_reader.lock, then memhp_rec.lock.
 */
#define EVENTS_BATCH	64
#define EVENTS_LINE	256

struct events_reader {
	/*
	 * One read() at a time on this file: protects everything below (and
	 * is taken before memhp_rec.lock).  next is also read without it, by
	 * poll(): WRITE_ONCE.
	 */
	struct mutex lock;
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

	lockdep_assert_held(&r->lock);
	spin_lock(&memhp_rec.lock);
	oldest = memhp_rec.next_seq - memhp_rec.len;
	/*
	 * A gap is reported up to r->end, no further, or a reader behind a
	 * ring that keeps overflowing would chase it for ever.
	 */
	gap_end = min(oldest, r->end);
	if (r->next < gap_end) {
		/* Those before the last clear were cleared, the rest lost. */
		from = max(r->next, memhp_rec.clear_seq);
		if (r->next < memhp_rec.clear_seq) {
			r->cleared_from = r->next;
			r->cleared = min(memhp_rec.clear_seq, gap_end) - r->next;
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
		r->batch[i] = memhp_rec.ring[(memhp_rec.head + (r->next - oldest) + i) %
					     memhp_rec.size];
	spin_unlock(&memhp_rec.lock);
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
	lockdep_assert_held(&r->lock);
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
	return READ_ONCE(memhp_rec.next_seq) > READ_ONCE(r->next);
}

/* A read() after end of file: end of file is now where the records end. */
static void events_extend(struct events_reader *r)
{
	lockdep_assert_held(&r->lock);
	spin_lock(&memhp_rec.lock);
	r->end = memhp_rec.next_seq;
	spin_unlock(&memhp_rec.lock);
}

/* Back to offset 0: the records present at open, gaps where they went. */
static void events_rewind(struct events_reader *r)
{
	lockdep_assert_held(&r->lock);
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
	lockdep_assert_held(&r->lock);
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
	poll_wait(file, &memhp_rec.wait, wait);
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
	spin_lock(&memhp_rec.lock);
	r->first = memhp_rec.next_seq - memhp_rec.len;
	r->next = r->first;
	r->end = memhp_rec.next_seq;
	spin_unlock(&memhp_rec.lock);
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
	spin_lock(&memhp_rec.lock);
	memhp_rec.head = 0;
	memhp_rec.len = 0;
	memhp_rec.clear_seq = memhp_rec.next_seq;
	spin_unlock(&memhp_rec.lock);
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

static void latency_clear(struct memhp_latency *l)
{
	lockdep_assert_held(&memhp_rec.lock);
	l->count = 0;
	l->min = 0;
	l->max = 0;
	l->sum = 0;
	l->last = 0;
	/* Transitions in flight keep their start time. */
}

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

	spin_lock(&memhp_rec.lock);
	memcpy(count, memhp_rec.count, sizeof(count));
	dropped = memhp_rec.dropped;
	on = memhp_rec.online;
	off = memhp_rec.offline;
	spin_unlock(&memhp_rec.lock);

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
	spin_lock(&memhp_rec.lock);
	memset(memhp_rec.count, 0, sizeof(memhp_rec.count));
	memhp_rec.dropped = 0;
	latency_clear(&memhp_rec.online);
	latency_clear(&memhp_rec.offline);
	spin_unlock(&memhp_rec.lock);
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

int memhp_events_files(struct dentry *root)
{
	int err = 0;

	memhp_create_file(&err, "events", 0600, root, NULL, &events_fops);
	memhp_create_file(&err, "stats", 0600, root, NULL, &stats_fops);
	return err;
}

