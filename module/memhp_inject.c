// SPDX-License-Identifier: GPL-2.0
/*
 * memhp: notifier error injection.
 *
 * inject/MEM_GOING_ONLINE/ and inject/MEM_GOING_OFFLINE/ each hold
 *   error     errno the notifier returns for that action (-4095..0, 0 = off)
 *   delay_ms  how long the notifier sleeps before it returns (0..60000,
 *             0 = off).  Any write to a delay_ms file ends the sleeps in
 *             progress, and so does a signal to the task that onlines or
 *             offlines
 *   count     how many more events to act on (-1 = all, 0 = none); when a
 *             positive count runs out, injection turns off (error 0,
 *             delay_ms 0, count -1)
 *   range     physical range to act on: 0xSTART-0xEND (inclusive) or "all"
 *
 * A delay holds a race window open on demand.  The kernel sends
 * MEM_GOING_OFFLINE after offline_pages() has isolated the range and
 * MEM_GOING_ONLINE before online_pages() frees the pages to the allocator;
 * whatever runs meanwhile meets the range in exactly that state.  memhp
 * records the event before it sleeps, so a test waits for the record, acts
 * inside the window and then closes it by writing delay_ms: no fixed sleep
 * decides the outcome, the maximum is only a backstop.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/jiffies.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/limits.h>
#include <linux/seq_file.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/wait.h>

#include "memhp.h"
#include "memhp_trace.h"

enum inject_attr { ATTR_ERROR, ATTR_DELAY, ATTR_COUNT, ATTR_RANGE };

#define MEMHP_DELAY_MAX_MS	60000

struct memhp_inject {
	enum memhp_action action;
	int error;
	int delay_ms;
	int count;
	u64 start, end;
};

/*
 * A leaf, taken by the notifier (memhp_inject_check()) and the inject/
 * files: protects injects[] and delay_gen.  The delays in progress read
 * delay_gen without it (READ_ONCE), to see a delay_ms write end them.
 */
static DEFINE_SPINLOCK(inject_lock);
static unsigned int delay_gen;		/* delay_ms writes so far */
static DECLARE_WAIT_QUEUE_HEAD(delay_wq);
static struct memhp_inject injects[] = {
	{ .action = MEMHP_GOING_ONLINE, .count = -1, .end = U64_MAX },
	{ .action = MEMHP_GOING_OFFLINE, .count = -1, .end = U64_MAX },
};

/*
 * The errno to fail this notifier call with, or 0; @d is set to the sleep
 * memhp_inject_delay() is to take before the notifier returns.
 */
int memhp_inject_check(enum memhp_action a, u64 start, u64 size, struct memhp_delay *d)
{
	struct memhp_inject *inj = NULL;
	int err = 0, i, left = 0;
	bool fired = false;

	for (i = 0; i < ARRAY_SIZE(injects); i++) {
		if (injects[i].action == a)
			inj = &injects[i];
	}
	d->ms = 0;
	if (!inj || !size)
		return 0;

	spin_lock(&inject_lock);
	d->gen = delay_gen;
	if ((inj->error || inj->delay_ms) && inj->count && start <= inj->end &&
	    start + size - 1 >= inj->start) {
		err = inj->error;
		d->ms = inj->delay_ms;
		fired = true;
		left = inj->count > 0 ? --inj->count : -1;
		if (!left) {
			inj->error = 0;
			inj->delay_ms = 0;
			inj->count = -1;
		}
	}
	spin_unlock(&inject_lock);
	if (fired)
		trace_memhp_inject(a, start, size, err, d->ms, left);
	return err;
}

/*
 * Sleep what memhp_inject_check() decided, until a delay_ms write since then,
 * a signal or the time, whichever comes first.  The caller holds no lock of
 * memhp's (the kernel's hotplug locks are held: keep it short or end it).
 */
void memhp_inject_delay(const struct memhp_delay *d)
{
	if (d->ms)
		wait_event_interruptible_timeout(delay_wq, READ_ONCE(delay_gen) != d->gen,
						 msecs_to_jiffies(d->ms));
}

/* The debugfs file's private data: entry and attribute packed together. */
#define ATTR_PRIV(i, attr)	((void *)(uintptr_t)((i) * 8 + (attr) + 1))
#define PRIV_ENTRY(p)		((((uintptr_t)(p)) - 1) / 8)
#define PRIV_ATTR(p)		((((uintptr_t)(p)) - 1) % 8)

static const char * const attr_names[] = { "error", "delay_ms", "count", "range" };

static int inject_show(struct seq_file *m, void *v)
{
	struct memhp_inject *inj = &injects[PRIV_ENTRY(m->private)];
	struct memhp_inject now;

	spin_lock(&inject_lock);
	now = *inj;
	spin_unlock(&inject_lock);

	switch (PRIV_ATTR(m->private)) {
	case ATTR_ERROR:
		seq_printf(m, "%d\n", now.error);
		break;
	case ATTR_DELAY:
		seq_printf(m, "%d\n", now.delay_ms);
		break;
	case ATTR_COUNT:
		seq_printf(m, "%d\n", now.count);
		break;
	default:
		if (!now.start && now.end == U64_MAX)
			seq_puts(m, "all\n");
		else
			seq_printf(m, "0x%llx-0x%llx\n", now.start, now.end);
		break;
	}
	return 0;
}

static int inject_open(struct inode *inode, struct file *file)
{
	return single_open(file, inject_show, inode->i_private);
}

static ssize_t inject_write(struct file *file, const char __user *ubuf,
			    size_t count, loff_t *ppos)
{
	void *priv = ((struct seq_file *)file->private_data)->private;
	struct memhp_inject *inj = &injects[PRIV_ENTRY(priv)];
	unsigned int attr = PRIV_ATTR(priv);
	char buf[MEMHP_CMD_MAX], *p = buf, *tok;
	char file_name[48];
	u64 start = 0, end = 0;
	int val = 0, ret;

	snprintf(file_name, sizeof(file_name), "inject/%s/%s",
		 memhp_action_name(inj->action), attr_names[attr]);
	ret = memhp_get_cmd(file_name, ubuf, count, ppos, buf, sizeof(buf));
	if (ret)
		return ret;
	tok = memhp_next_token(&p);
	if (!tok) {
		memhp_reject(file_name, "no value");
		return -EINVAL;
	}
	if (memhp_next_token(&p)) {
		memhp_reject(file_name, "more than one value");
		return -EINVAL;
	}

	switch (attr) {
	case ATTR_ERROR:
		ret = memhp_parse_int(tok, -MAX_ERRNO, 0, &val);
		if (ret)
			memhp_reject(file_name, "not an errno in -%d..0", MAX_ERRNO);
		break;
	case ATTR_DELAY:
		ret = memhp_parse_int(tok, 0, MEMHP_DELAY_MAX_MS, &val);
		if (ret)
			memhp_reject(file_name, "not a delay in 0..%d ms", MEMHP_DELAY_MAX_MS);
		break;
	case ATTR_COUNT:
		ret = memhp_parse_int(tok, -1, INT_MAX, &val);
		if (ret)
			memhp_reject(file_name, "not a count (-1 or 0..%d)", INT_MAX);
		break;
	default:
		ret = memhp_parse_range(tok, &start, &end);
		if (ret)
			memhp_reject(file_name, "not \"all\" or 0xSTART-0xEND with START <= END");
		break;
	}
	if (ret)
		return ret;

	spin_lock(&inject_lock);
	switch (attr) {
	case ATTR_ERROR:
		inj->error = val;
		break;
	case ATTR_DELAY:
		inj->delay_ms = val;
		WRITE_ONCE(delay_gen, delay_gen + 1);
		break;
	case ATTR_COUNT:
		inj->count = val;
		break;
	default:
		inj->start = start;
		inj->end = end;
		break;
	}
	spin_unlock(&inject_lock);
	if (attr == ATTR_DELAY)
		wake_up_all(&delay_wq);
	return count;
}

static const struct file_operations inject_fops = {
	.owner = THIS_MODULE,
	.open = inject_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.write = inject_write,
	.release = single_release,
};

int memhp_inject_init(struct dentry *root)
{
	struct dentry *dir, *sub;
	int i, a, err = 0;

	dir = debugfs_create_dir("inject", root);
	if (IS_ERR(dir))
		return PTR_ERR(dir);
	for (i = 0; i < ARRAY_SIZE(injects) && !err; i++) {
		sub = debugfs_create_dir(memhp_action_name(injects[i].action), dir);
		if (IS_ERR(sub))
			return PTR_ERR(sub);
		for (a = 0; a < ARRAY_SIZE(attr_names); a++)
			memhp_create_file(&err, attr_names[a], 0600, sub, ATTR_PRIV(i, a),
					  &inject_fops);
	}
	return err;
}
