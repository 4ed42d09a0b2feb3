// SPDX-License-Identifier: GPL-2.0
/*
 * memhp: the physical phase of memory hotplug.
 *
 *   add             "START SIZE [nid=N] [driver_managed] [memmap_on_memory]"
 *                   add_memory() (or add_memory_driver_managed() with resource
 *                   "System RAM (memhp)"): memmap, page tables and memory
 *                   block devices; the blocks come up as the kernel's
 *                   auto_online_blocks policy says.
 *   remove          "START SIZE": remove_memory() of a range memhp added,
 *                   all of whose blocks are offline.
 *   offline_remove  "START SIZE[;START SIZE...]": offline_and_remove_memory()
 *                   of one range, or, for up to MEMHP_RANGES_MAX ranges on a
 *                   kernel that has it (MEMHP_HAVE_OFFLINE_REMOVE_RANGES,
 *                   else EOPNOTSUPP), one offline_and_remove_memory_ranges()
 *                   of all of them, which offlines every range before it
 *                   removes any and rolls all back on a failure.  It offlines
 *                   (migrating the pages away) and removes; on failure the
 *                   kernel puts the range back as online as it was.  What
 *                   the kernel did is then read back, not taken from its
 *                   return value (7.3 returns 0 when the removal after a
 *                   successful offline fails: memhp_compat.h): gone from
 *                   the resource tree with no memmap left is removed;
 *                   anything else keeps the range, with what was found.
 *   ranges          what memhp added, with the online block count kept from
 *                   the notifier's records (read back after an
 *                   offline_remove), and after an offline_remove that left
 *                   the range, "offline_remove=refused(RET)" (all of it
 *                   still there), "not_removed(0)" (the kernel said 0) or
 *                   "partly_removed(RET)".
 *
 * Only the exported API is used.  Everything is validated before calling
 * into mm: the kernel warns when asked to remove what was never added.
 * While memhp owns a range it holds a reference on itself, so rmmod answers
 * "in use" instead of orphaning memory.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/ktime.h>
#include <linux/ioport.h>
#include <linux/list.h>
#include <linux/lockdep.h>
#include <linux/memory.h>
#include <linux/memory_hotplug.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/nodemask.h>
#include <linux/numa.h>
#include <linux/range.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "memhp.h"
#include "memhp_trace.h"
#include "memhp_compat.h"

#define MEMHP_RESOURCE_NAME	"System RAM (memhp)"

/* What the last offline_remove of a range that is still listed left. */
enum memhp_oar {
	MEMHP_OAR_NONE,			/* none yet */
	MEMHP_OAR_REFUSED,		/* an error, and all of it is still there */
	MEMHP_OAR_NOT_REMOVED,		/* 0, and all of it is still there */
	MEMHP_OAR_PARTLY_REMOVED,	/* part of it is gone: memhp leaves it be */
};

struct memhp_range {
	struct list_head list;
	u64 start, size;
	int nid;
	bool driver_managed;
	bool memmap_on_memory;
	bool added;		/* false while add_memory() runs */
	unsigned int online;	/* blocks, from MEM_ONLINE/MEM_OFFLINE */
	enum memhp_oar oar;	/* with the kernel's return value: */
	int oar_ret;
};

/*
 * Serialises add/remove/offline_remove, and pin/unpin with them (lock order
 * in memhp.h).  offline_and_remove_memory() retries until it succeeds or the
 * caller gets a signal, so it can be held for long: everyone waits for it
 * killably.
 */
DEFINE_MUTEX(memhp_phys_lock);

/*
 * The ranges memhp added.  The list changes under memhp_phys_lock and
 * ranges_lock both, so either is enough to walk it.  ranges_lock, a leaf
 * taken by the memory notifier (memhp_phys_note()), also protects each
 * range's online count and the fields ranges shows; memhp_phys_lock alone
 * the rest.
 */
static DEFINE_SPINLOCK(ranges_lock);
static LIST_HEAD(ranges);

void memhp_phys_note(enum memhp_action a, unsigned long start_pfn)
{
	u64 addr = PFN_PHYS(start_pfn);
	struct memhp_range *r;

	if (a != MEMHP_ONLINE && a != MEMHP_OFFLINE)
		return;
	spin_lock(&ranges_lock);
	list_for_each_entry(r, &ranges, list) {
		if (addr < r->start || addr - r->start >= r->size)
			continue;
		if (a == MEMHP_ONLINE)
			r->online++;
		else if (r->online)
			r->online--;
		break;
	}
	spin_unlock(&ranges_lock);
}

/* Caller holds memhp_phys_lock: the list only changes under it. */
static struct memhp_range *find_overlap(u64 start, u64 size)
{
	struct memhp_range *r;

	lockdep_assert_held(&memhp_phys_lock);
	list_for_each_entry(r, &ranges, list) {
		if (start < r->start + r->size && r->start < start + size)
			return r;
	}
	return NULL;
}

static void range_del(struct memhp_range *r)
{
	lockdep_assert_held(&memhp_phys_lock);
	spin_lock(&ranges_lock);
	list_del(&r->list);
	spin_unlock(&ranges_lock);
	kfree(r);
	module_put(THIS_MODULE);
}

static int validate_add(const struct memhp_phys_cmd *cmd, int *nid)
{
	struct range pluggable = mhp_get_pluggable_range(true);
	u64 last = cmd->start + cmd->size - 1;
	const char *why = NULL;

	if (cmd->memmap_on_memory && !memhp_memmap_on_memory_ok(cmd->size, &why)) {
		memhp_reject("add", "memmap_on_memory: %s", why);
		return -EINVAL;
	}
	if (cmd->nid >= 0 && !node_possible(cmd->nid)) {
		memhp_reject("add", "nid=%d is not a possible node", cmd->nid);
		return -EINVAL;
	}
	*nid = cmd->nid >= 0 ? cmd->nid : memory_add_physaddr_to_nid(cmd->start);

	if (cmd->start < pluggable.start || last > pluggable.end) {
		memhp_reject("add", "0x%llx-0x%llx outside the pluggable range 0x%llx-0x%llx",
			     cmd->start, last, (u64)pluggable.start, (u64)pluggable.end);
		return -ERANGE;
	}
	if (find_overlap(cmd->start, cmd->size)) {
		memhp_reject("add", "0x%llx-0x%llx overlaps a range memhp added",
			     cmd->start, last);
		return -EEXIST;
	}
	if (region_intersects(cmd->start, cmd->size, IORESOURCE_SYSTEM_RAM,
			      IORES_DESC_NONE) != REGION_DISJOINT) {
		memhp_reject("add", "0x%llx-0x%llx overlaps System RAM (boot or added memory)",
			     cmd->start, last);
		return -EEXIST;
	}
	return 0;
}

static ssize_t add_write(struct file *file, const char __user *ubuf, size_t count,
			 loff_t *ppos)
{
	struct memhp_phys_cmd cmd;
	struct memhp_range *r;
	mhp_t flags = MHP_NONE;
	int nid, ret;
	u64 t0;

	ret = memhp_get_phys_cmd("add", true, memory_block_size_bytes(), MAX_NUMNODES,
				 ubuf, count, ppos, &cmd);
	if (ret)
		return ret;
	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		return -ENOMEM;

	/* A writer killed while offline_remove runs must not stay in D state. */
	if (mutex_lock_killable(&memhp_phys_lock)) {
		kfree(r);
		return -EINTR;
	}
	ret = validate_add(&cmd, &nid);
	if (ret)
		goto out_free;

	r->start = cmd.start;
	r->size = cmd.size;
	r->nid = nid;
	r->driver_managed = cmd.driver_managed;
	r->memmap_on_memory = cmd.memmap_on_memory;
	/* Listed before adding, so online events during the add are counted. */
	__module_get(THIS_MODULE);
	spin_lock(&ranges_lock);
	list_add_tail(&r->list, &ranges);
	spin_unlock(&ranges_lock);

	if (cmd.memmap_on_memory)
		flags |= MHP_MEMMAP_ON_MEMORY;
	t0 = ktime_get_ns();
	if (cmd.driver_managed)
		ret = add_memory_driver_managed(nid, cmd.start, cmd.size,
						MEMHP_RESOURCE_NAME, flags);
	else
		ret = add_memory(nid, cmd.start, cmd.size, flags);
	trace_memhp_phys(MEMHP_OP_ADD, cmd.start, cmd.size,
			 (cmd.driver_managed ? MEMHP_PHYS_DRIVER_MANAGED : 0) |
			 (cmd.memmap_on_memory ? MEMHP_PHYS_MEMMAP_ON_MEMORY : 0),
			 ret, ktime_get_ns() - t0);
	if (ret) {
		memhp_reject("add", "%s(0x%llx, 0x%llx) failed: %d",
			     cmd.driver_managed ? "add_memory_driver_managed" : "add_memory",
			     cmd.start, cmd.size, ret);
		range_del(r);
		goto out;
	}
	spin_lock(&ranges_lock);
	r->added = true;
	spin_unlock(&ranges_lock);
	mutex_unlock(&memhp_phys_lock);
	pr_info("added 0x%llx-0x%llx on node %d%s%s\n", cmd.start, cmd.start + cmd.size - 1,
		nid, cmd.driver_managed ? " driver_managed" : "",
		cmd.memmap_on_memory ? " memmap_on_memory" : "");
	return count;

out_free:
	kfree(r);
out:
	mutex_unlock(&memhp_phys_lock);
	return ret;
}

/* The range memhp added at exactly START SIZE, or NULL (logged). */
static struct memhp_range *find_exact(const char *file, const struct memhp_phys_cmd *cmd)
{
	struct memhp_range *r = find_overlap(cmd->start, cmd->size);

	if (!r || r->start != cmd->start || r->size != cmd->size || !r->added) {
		memhp_reject(file, "0x%llx-0x%llx is not a range memhp added%s", cmd->start,
			     cmd->start + cmd->size - 1, r ? " (ranges must match exactly)" : "");
		return NULL;
	}
	return r;
}

/* What the kernel has of a range, read back from its own state. */
struct memhp_read_back {
	u64 ram;		/* bytes the resource tree has as System RAM */
	unsigned int blocks;	/* memory blocks of the range */
	unsigned int present;	/* blocks whose every section has a memmap */
	unsigned int online;	/* blocks with online pages */
};

static int memhp_ram_bytes(struct resource *res, void *arg)
{
	*(u64 *)arg += resource_size(res);
	return 0;
}

/*
 * The resource tree (walk_iomem_res_desc(): the System RAM resources in the
 * range, clipped to it) and the sections of each memory block: a memmap
 * (pfn_valid()) and online pages (pfn_to_online_page()), checked at each
 * section's last page, never a memmap_on_memory block's vmemmap.  The
 * memory block devices and their state are not exported; these are.
 */
static void memhp_read_back(u64 start, u64 size, struct memhp_read_back *rb)
{
	unsigned long spfn, epfn, pfn;
	u64 bs = memory_block_size_bytes();
	bool present, online;
	u64 a;

	memset(rb, 0, sizeof(*rb));
	walk_iomem_res_desc(IORES_DESC_NONE, IORESOURCE_SYSTEM_RAM, start, start + size - 1,
			    &rb->ram, memhp_ram_bytes);
	for (a = start; a < start + size; a += bs) {
		spfn = PFN_DOWN(a);
		epfn = PFN_DOWN(a + bs);
		present = true;
		online = false;
		for (pfn = spfn + PAGES_PER_SECTION - 1; pfn < epfn; pfn += PAGES_PER_SECTION) {
			present &= !!pfn_valid(pfn);
			online |= !!pfn_to_online_page(pfn);
		}
		rb->blocks++;
		rb->present += present;
		rb->online += online;
	}
}

/*
 * After @fn (offline_and_remove_memory() or _ranges()) of @r returned
 * @kret: what the kernel did, read back.  Removed (no System RAM and no
 * memmap left in the range): @r is freed and 0 returned, whatever @kret
 * said.  Else @r stays, with its
 * online count and the outcome read back, and the errno returned is @kret,
 * or -EBUSY where the kernel returned 0 but left the range in place (7.3
 * after a failed removal: memhp_compat.h).
 */
static int offline_remove_read_back(struct memhp_range *r, const char *fn, int kret)
{
	u64 last = r->start + r->size - 1;
	struct memhp_read_back rb;
	enum memhp_oar oar;
	unsigned int was;

	memhp_read_back(r->start, r->size, &rb);
	if (!rb.ram && !rb.present) {
		if (kret)
			pr_info_ratelimited("offline_remove: %s: 0x%llx-0x%llx: returned %d, but removed it\n",
					    fn, r->start, last, kret);
		range_del(r);
		return 0;
	}
	if (rb.ram == r->size && rb.present == rb.blocks)
		oar = kret ? MEMHP_OAR_REFUSED : MEMHP_OAR_NOT_REMOVED;
	else
		oar = MEMHP_OAR_PARTLY_REMOVED;

	spin_lock(&ranges_lock);
	was = r->online;
	r->online = rb.online;
	r->oar = oar;
	r->oar_ret = kret;
	spin_unlock(&ranges_lock);

	if (was != rb.online)
		pr_info_ratelimited("offline_remove: 0x%llx-0x%llx: %u blocks online read back, %u counted from the notifier\n",
				    r->start, last, rb.online, was);
	memhp_reject("offline_remove",
		     "%s: %d; read back 0x%llx-0x%llx: %llu of %llu bytes System RAM, %u/%u blocks present, %u online: range kept%s",
		     fn, kret, r->start, last, rb.ram, r->size, rb.present, rb.blocks, rb.online,
		     oar == MEMHP_OAR_PARTLY_REMOVED ?
		     " (partly removed: memhp leaves it be)" : "");
	return kret ? kret : -EBUSY;
}

/*
 * The checks remove_common() makes of one range, for @cmd: a range memhp
 * added and lists, not partly removed.  Caller holds memhp_phys_lock.
 */
static int check_removable(const char *file, const struct memhp_phys_cmd *cmd,
			   struct memhp_range **rp)
{
	struct memhp_range *r = find_exact(file, cmd);
	enum memhp_oar oar;

	if (!r)
		return -ENOENT;
	spin_lock(&ranges_lock);
	oar = r->oar;
	spin_unlock(&ranges_lock);
	if (oar == MEMHP_OAR_PARTLY_REMOVED) {
		memhp_reject(file, "0x%llx-0x%llx was partly removed by an earlier offline_remove",
			     cmd->start, cmd->start + cmd->size - 1);
		return -ENXIO;
	}
	*rp = r;
	return 0;
}

/*
 * remove ("remove_memory()", all blocks must be offline) and offline_remove
 * ("offline_and_remove_memory()", which offlines first and on failure puts
 * the range back as it was): the same checks, then one call into mm.
 */
static ssize_t remove_common(const char *file, bool offline_first,
			     const struct memhp_phys_cmd *cmdp, size_t count)
{
	struct memhp_phys_cmd cmd = *cmdp;
	struct memhp_range *r;
	unsigned int online;
	int ret;
	u64 t0;

	if (mutex_lock_killable(&memhp_phys_lock))
		return -EINTR;
	/* Removing the rest of a partly removed range would hand mm a range it half has. */
	ret = check_removable(file, &cmd, &r);
	if (ret)
		goto out;
	spin_lock(&ranges_lock);
	online = r->online;
	spin_unlock(&ranges_lock);
	if (!offline_first && online) {
		memhp_reject(file, "%u of its blocks are online (use offline_remove)", online);
		ret = -EBUSY;
		goto out;
	}
	t0 = ktime_get_ns();
	if (offline_first)
		ret = offline_and_remove_memory(cmd.start, cmd.size);
	else
		ret = remove_memory(cmd.start, cmd.size);
	trace_memhp_phys(offline_first ? MEMHP_OP_OFFLINE_REMOVE : MEMHP_OP_REMOVE, cmd.start,
			 cmd.size, 0, ret, ktime_get_ns() - t0);
	if (offline_first) {
		/* frees r when removed */
		ret = offline_remove_read_back(r, "offline_and_remove_memory", ret);
		if (ret)
			goto out;
	} else if (ret) {
		memhp_reject(file, "remove_memory: %d, range kept", ret);
		goto out;
	} else {
		range_del(r);
	}
	pr_info("%s 0x%llx-0x%llx\n", offline_first ? "offlined and removed" : "removed",
		cmd.start, cmd.start + cmd.size - 1);
out:
	mutex_unlock(&memhp_phys_lock);
	return ret ? ret : count;
}

#if MEMHP_HAVE_OFFLINE_REMOVE_RANGES
/*
 * offline_remove of @nr > 1 ranges: every one checked first, then one
 * offline_and_remove_memory_ranges() of all, then each read back.  The
 * kernel offlines all before removing any, and on a failure puts every
 * block back as it was; what it did to each range is what ranges shows.
 * Returns the first range's error from the read back, or 0.
 */
static int offline_remove_ranges(const struct memhp_phys_cmd *cmds, unsigned int nr)
{
	struct memhp_range *rs[MEMHP_RANGES_MAX];
	struct range kr[MEMHP_RANGES_MAX];
	unsigned int i;
	int ret, kret, err = 0;
	u64 t0;

	for (i = 0; i < nr; i++) {
		ret = check_removable("offline_remove", &cmds[i], &rs[i]);
		if (ret)
			return ret;
		kr[i].start = cmds[i].start;
		kr[i].end = cmds[i].start + cmds[i].size - 1;
	}
	t0 = ktime_get_ns();
	kret = offline_and_remove_memory_ranges(kr, nr);
	t0 = ktime_get_ns() - t0;
	/* One event per range, each with the whole call's result and duration. */
	for (i = 0; i < nr; i++)
		trace_memhp_phys(MEMHP_OP_OFFLINE_REMOVE, cmds[i].start, cmds[i].size, 0,
				 kret, t0);
	for (i = 0; i < nr; i++) {
		/* frees rs[i] when removed */
		ret = offline_remove_read_back(rs[i], "offline_and_remove_memory_ranges",
					       kret);
		if (ret && !err)
			err = ret;
	}
	if (!err)
		pr_info("offlined and removed %u ranges, 0x%llx-0x%llx first\n", nr,
			cmds[0].start, cmds[0].start + cmds[0].size - 1);
	return err;
}
#else
static int offline_remove_ranges(const struct memhp_phys_cmd *cmds, unsigned int nr)
{
	return -EOPNOTSUPP;	/* refused before the lock: offline_remove_write() */
}
#endif

static ssize_t remove_write(struct file *file, const char __user *ubuf, size_t count,
			    loff_t *ppos)
{
	struct memhp_phys_cmd cmd;
	int ret;

	ret = memhp_get_phys_cmd("remove", false, memory_block_size_bytes(), 1, ubuf, count,
				 ppos, &cmd);
	if (ret)
		return ret;
	return remove_common("remove", false, &cmd, count);
}

static ssize_t offline_remove_write(struct file *file, const char __user *ubuf,
				    size_t count, loff_t *ppos)
{
	struct memhp_phys_cmd cmds[MEMHP_RANGES_MAX];
	unsigned int nr;
	int ret;

	ret = memhp_get_phys_cmds("offline_remove", memory_block_size_bytes(), ubuf, count,
				  ppos, cmds, ARRAY_SIZE(cmds), &nr);
	if (ret)
		return ret;
	if (nr == 1)
		return remove_common("offline_remove", true, &cmds[0], count);
	if (!MEMHP_HAVE_OFFLINE_REMOVE_RANGES) {
		memhp_reject("offline_remove",
			     "%u ranges in one write need offline_and_remove_memory_ranges() (7.3+)",
			     nr);
		return -EOPNOTSUPP;
	}
	if (mutex_lock_killable(&memhp_phys_lock))
		return -EINTR;
	ret = offline_remove_ranges(cmds, nr);
	mutex_unlock(&memhp_phys_lock);
	return ret ? ret : count;
}

static int ranges_show(struct seq_file *m, void *v)
{
	u64 bs = memory_block_size_bytes();
	struct memhp_range *r;

	static const char * const oar_names[] = {
		[MEMHP_OAR_REFUSED] = "refused",
		[MEMHP_OAR_NOT_REMOVED] = "not_removed",
		[MEMHP_OAR_PARTLY_REMOVED] = "partly_removed",
	};

	spin_lock(&ranges_lock);
	list_for_each_entry(r, &ranges, list) {
		if (!r->added)
			continue;
		seq_printf(m, "0x%llx-0x%llx size=%llu nid=%d flags=%s online_blocks=%u/%llu",
			   r->start, r->start + r->size - 1, r->size, r->nid,
			   r->driver_managed ? (r->memmap_on_memory ?
				"driver_managed,memmap_on_memory" : "driver_managed") :
			   (r->memmap_on_memory ? "memmap_on_memory" : "none"),
			   r->online, div64_u64(r->size, bs));
		if (r->oar != MEMHP_OAR_NONE)
			seq_printf(m, " offline_remove=%s(%d)", oar_names[r->oar], r->oar_ret);
		seq_putc(m, '\n');
	}
	spin_unlock(&ranges_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(ranges);

static const struct file_operations add_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = add_write,
	.llseek = noop_llseek,
};

static const struct file_operations remove_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = remove_write,
	.llseek = noop_llseek,
};

static const struct file_operations offline_remove_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = offline_remove_write,
	.llseek = noop_llseek,
};

int memhp_phys_init(struct dentry *root)
{
	int err = 0;

	memhp_create_file(&err, "add", 0200, root, NULL, &add_fops);
	memhp_create_file(&err, "remove", 0200, root, NULL, &remove_fops);
	memhp_create_file(&err, "offline_remove", 0200, root, NULL, &offline_remove_fops);
	memhp_create_file(&err, "ranges", 0400, root, NULL, &ranges_fops);
	return err;
}
