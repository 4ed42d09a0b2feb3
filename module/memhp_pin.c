// SPDX-License-Identifier: GPL-2.0
/*
 * memhp: real unmovable pages on demand.
 *
 *   pin     "START SIZE": take the pages of an online physical range with
 *           alloc_contig_range() (migrating what is movable out of the way)
 *           and hold them, so that offlining the blocks fails with EBUSY
 *           the way a pinned page would make it fail.  The pages are marked
 *           PG_reserved while held: page isolation refuses reserved pages, so
 *           offlining fails at once instead of retrying forever (it skips
 *           the unmovable-page check in ZONE_MOVABLE otherwise).
 *   unpin   "START SIZE": give back a range pinned before (exactly).
 *   pinned  what is held: "0xSTART-0xEND pages=N".
 *
 * Everything held is given back when the module unloads.
 *
 * Locking: pin and unpin take memhp_phys_lock (memhp_phys.c) and then
 * pin_lock, always in that order; add/remove/offline_remove take only
 * memhp_phys_lock, "pinned" only pin_lock, and memhp's memory notifier
 * neither, so there is no cycle.  Holding memhp_phys_lock keeps memhp's own
 * remove/offline_remove from removing the range, and freeing its memmap,
 * between pin_range_ok() and alloc_contig_range().
 *
 * What stays open: other actors (a sysfs memory block state write, ACPI or
 * virtio-mem unplug, another driver) can still offline and remove the range
 * in that window.  The kernel's own exclusion, get_online_mems() and
 * lock_device_hotplug(), is not exported to modules.  And between
 * alloc_contig_range() and set_reserved() the pages are held but not yet
 * PG_reserved: an offline by another actor that isolates the range in that
 * gap (possible in ZONE_MOVABLE) finds pages it cannot migrate and retries
 * until it gets a signal instead of failing at once with EBUSY.
 *
 * A kernel bug pin must not trigger (6.1, 6.12 and mainline as of 2025):
 * offline_pages() isolates its range (start_isolate_page_range()) and only
 * then sends MEM_GOING_OFFLINE.  alloc_contig_range() over part of such a
 * range fails to isolate it (-EBUSY) and jumps to its "done:" label, which
 * calls undo_isolate_page_range() on its whole range: that clears
 * MIGRATE_ISOLATE on the offline's pageblocks too.  offline_pages() then
 * finds pages that are not isolated at every test_pages_isolated() and
 * retries until its writer gets a signal (an ACPI eject worker never does).
 * So pin refuses (-EBUSY, without calling alloc_contig_range()) a range that
 * overlaps an offline in flight, as far as memhp's notifier saw one
 * (memhp_offline_in_flight()); memhp's own offline_remove is excluded by
 * memhp_phys_lock anyway.  What stays open: an offline between its
 * isolation and its MEM_GOING_OFFLINE, and one that starts after the check.
 * The pin_guard module parameter (default Y) turns the check off, so that
 * pin plays any other alloc_contig_range() caller (gigantic hugetlb pages,
 * virtio-mem) and the bug can be reproduced on demand: see
 * tests/scenarios/kernel-isolation-undo.sh.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/memory_hotplug.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/mmzone.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "memhp.h"
#include "memhp_compat.h"
#include "memhp_trace.h"

struct memhp_pin {
	struct list_head list;
	unsigned long pfn, nr;
};

static bool pin_guard = true;
module_param(pin_guard, bool, 0644);
MODULE_PARM_DESC(pin_guard,
		 "refuse to pin memory being offlined (default Y; N reproduces a kernel bug, see memhp_pin.c)");

/*
 * Protects pins, the ranges pinned.  Taken inside memhp_phys_lock by pin and
 * unpin, alone by pinned; at unload no file is left to take it.
 */
static DEFINE_MUTEX(pin_lock);
static LIST_HEAD(pins);

static void set_reserved(struct memhp_pin *p, bool reserved)
{
	unsigned long i;

	for (i = 0; i < p->nr; i++) {
		if (reserved)
			SetPageReserved(pfn_to_page(p->pfn + i));
		else
			ClearPageReserved(pfn_to_page(p->pfn + i));
		cond_resched();
	}
}

static void release(struct memhp_pin *p)
{
	set_reserved(p, false);
	free_contig_range(p->pfn, p->nr);
	kfree(p);
}

/* Every page online and in one zone: what alloc_contig_range() needs. */
static bool pin_range_ok(unsigned long pfn, unsigned long nr)
{
	struct zone *zone = NULL;
	unsigned long i;

	for (i = 0; i < nr; i++) {
		struct page *page = pfn_to_online_page(pfn + i);

		if (!page)
			return false;
		if (!zone)
			zone = page_zone(page);
		else if (page_zone(page) != zone)
			return false;
		cond_resched();
	}
	return true;
}

static ssize_t pin_write(struct file *file, const char __user *ubuf, size_t count,
			 loff_t *ppos)
{
	struct memhp_phys_cmd cmd;
	struct memhp_pin *p, *q;
	int ret;
	u64 t0;

	ret = memhp_get_phys_cmd("pin", false, PAGE_SIZE, 1, ubuf, count, ppos, &cmd);
	if (ret)
		return ret;
	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	p->pfn = PHYS_PFN(cmd.start);
	p->nr = PHYS_PFN(cmd.size);

	if (mutex_lock_killable(&memhp_phys_lock)) {
		kfree(p);
		return -EINTR;
	}
	if (mutex_lock_killable(&pin_lock)) {
		mutex_unlock(&memhp_phys_lock);
		kfree(p);
		return -EINTR;
	}
	list_for_each_entry(q, &pins, list) {
		if (p->pfn < q->pfn + q->nr && q->pfn < p->pfn + p->nr) {
			memhp_reject("pin", "0x%llx-0x%llx overlaps a pinned range",
				     cmd.start, cmd.start + cmd.size - 1);
			ret = -EEXIST;
			goto out_free;
		}
	}
	if (!pin_range_ok(p->pfn, p->nr)) {
		memhp_reject("pin", "0x%llx-0x%llx is not all online memory of one zone",
			     cmd.start, cmd.start + cmd.size - 1);
		ret = -EINVAL;
		goto out_free;
	}
	if (READ_ONCE(pin_guard) && memhp_offline_in_flight(p->pfn, p->nr)) {
		memhp_reject("pin", "0x%llx-0x%llx is being offlined", cmd.start,
			     cmd.start + cmd.size - 1);
		ret = -EBUSY;
		goto out_free;
	}
	t0 = ktime_get_ns();
	ret = memhp_alloc_contig_range(p->pfn, p->pfn + p->nr, GFP_KERNEL);
	trace_memhp_phys(MEMHP_OP_PIN, cmd.start, cmd.size, 0, ret, ktime_get_ns() - t0);
	if (ret) {
		memhp_reject("pin", "alloc_contig_range(0x%llx-0x%llx): %d", cmd.start,
			     cmd.start + cmd.size - 1, ret);
		goto out_free;
	}
	set_reserved(p, true);
	list_add_tail(&p->list, &pins);
	mutex_unlock(&pin_lock);
	mutex_unlock(&memhp_phys_lock);
	pr_info("pinned 0x%llx-0x%llx\n", cmd.start, cmd.start + cmd.size - 1);
	return count;

out_free:
	mutex_unlock(&pin_lock);
	mutex_unlock(&memhp_phys_lock);
	kfree(p);
	return ret;
}

static ssize_t unpin_write(struct file *file, const char __user *ubuf, size_t count,
			   loff_t *ppos)
{
	struct memhp_phys_cmd cmd;
	struct memhp_pin *p;
	int ret;

	ret = memhp_get_phys_cmd("unpin", false, PAGE_SIZE, 1, ubuf, count, ppos, &cmd);
	if (ret)
		return ret;
	if (mutex_lock_killable(&memhp_phys_lock))
		return -EINTR;
	if (mutex_lock_killable(&pin_lock)) {
		mutex_unlock(&memhp_phys_lock);
		return -EINTR;
	}
	ret = -ENOENT;
	list_for_each_entry(p, &pins, list) {
		if (p->pfn == PHYS_PFN(cmd.start) && p->nr == PHYS_PFN(cmd.size)) {
			u64 t0 = ktime_get_ns();

			list_del(&p->list);
			release(p);
			trace_memhp_phys(MEMHP_OP_UNPIN, cmd.start, cmd.size, 0, 0,
					 ktime_get_ns() - t0);
			ret = 0;
			break;
		}
	}
	mutex_unlock(&pin_lock);
	mutex_unlock(&memhp_phys_lock);
	if (ret) {
		memhp_reject("unpin", "0x%llx-0x%llx is not a pinned range (must match exactly)",
			     cmd.start, cmd.start + cmd.size - 1);
		return ret;
	}
	pr_info("unpinned 0x%llx-0x%llx\n", cmd.start, cmd.start + cmd.size - 1);
	return count;
}

static int pinned_show(struct seq_file *m, void *v)
{
	struct memhp_pin *p;

	if (mutex_lock_killable(&pin_lock))
		return -EINTR;
	list_for_each_entry(p, &pins, list)
		seq_printf(m, "0x%llx-0x%llx pages=%lu\n", (u64)PFN_PHYS(p->pfn),
			   (u64)PFN_PHYS(p->pfn + p->nr) - 1, p->nr);
	mutex_unlock(&pin_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(pinned);

static const struct file_operations pin_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = pin_write,
	.llseek = noop_llseek,
};

static const struct file_operations unpin_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = unpin_write,
	.llseek = noop_llseek,
};

int memhp_pin_init(struct dentry *root)
{
	int err = 0;

	memhp_create_file(&err, "pin", 0200, root, NULL, &pin_fops);
	memhp_create_file(&err, "unpin", 0200, root, NULL, &unpin_fops);
	memhp_create_file(&err, "pinned", 0400, root, NULL, &pinned_fops);
	return err;
}

/* After the files are gone: give everything back. */
void memhp_pin_exit(void)
{
	struct memhp_pin *p, *tmp;

	list_for_each_entry_safe(p, tmp, &pins, list) {
		list_del(&p->list);
		release(p);
	}
}
