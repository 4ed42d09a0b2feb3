/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memhp: differences between the kernels memhp builds against, in one place.
 */
#ifndef _MEMHP_COMPAT_H
#define _MEMHP_COMPAT_H

#include <linux/gfp.h>
#include <linux/memory.h>
#include <linux/memory_hotplug.h>
#include <linux/mmzone.h>
#include <linux/node.h>
#include <linux/version.h>

/*
 * MEM_PREPARE_ONLINE / MEM_FINISH_OFFLINE (memmap_on_memory altmap setup):
 * added in 6.9 as bit values (1<<6) and (1<<7) next to the other MEM_*
 * bits (commit c5f1e2d18909), not as an enum.  Debian's 6.12.117 has MEM_*
 * as values of enum memory_block_state, these included (mainline 6.17
 * still has the bits).  Removed again for 6.19 (commit 300709fbefd1),
 * leaving the MEM_* enum without them (074be77d684a, its linux-next id).
 * memhp_classify() maps by name, so values and type do not matter.
 */
#if KERNEL_VERSION(6, 9, 0) <= LINUX_VERSION_CODE && \
	KERNEL_VERSION(6, 19, 0) > LINUX_VERSION_CODE
#define MEMHP_HAVE_PREPARE_ONLINE 1
#else
#define MEMHP_HAVE_PREPARE_ONLINE 0
#endif

/*
 * The node whose memory state this transition changes; -1 for none.  The
 * kernel fills it only for GOING_ONLINE..CANCEL_OFFLINE: callers check the
 * action first.  6.17 dropped the field (commit d2a9721d807d) and reports a
 * node gaining its first or losing its last memory through a node notifier
 * instead (register_node_notifier(), EXPORT_SYMBOL, include/linux/node.h;
 * commit 67929de10847): struct node_notify { int nid; } with the actions
 * NODE_ADDING_FIRST_MEMORY (1<<0) .. NODE_CANCEL_REMOVING_LAST_MEMORY (1<<5).
 * online_pages() sends NODE_ADDING_FIRST_MEMORY before MEM_GOING_ONLINE and
 * NODE_ADDED_FIRST_MEMORY before MEM_ONLINE; offline_pages() likewise
 * NODE_REMOVING_LAST_MEMORY before MEM_GOING_OFFLINE, NODE_REMOVED_LAST_MEMORY
 * before MEM_OFFLINE; the NODE_CANCEL_* follow MEM_CANCEL_*.
 */
#define MEMHP_HAVE_NODE_NOTIFIER (KERNEL_VERSION(6, 17, 0) <= LINUX_VERSION_CODE)

static inline int memhp_notify_nid(const struct memory_notify *mn)
{
#if KERNEL_VERSION(6, 17, 0) > LINUX_VERSION_CODE
	return mn->status_change_nid;
#else
	return NUMA_NO_NODE;
#endif
}

/*
 * alloc_contig_range() of ordinary (not CMA) memory.  6.17 replaced the
 * migratetype argument with acr_flags_t (ACR_FLAGS_NONE, ACR_FLAGS_CMA =
 * BIT(0)): MIGRATE_MOVABLE (1) still compiles there and silently asks for a
 * CMA allocation, so callers go through here.
 */
static inline int memhp_alloc_contig_range(unsigned long start, unsigned long end,
					   gfp_t gfp)
{
#if KERNEL_VERSION(6, 17, 0) <= LINUX_VERSION_CODE
	return alloc_contig_range(start, end, ACR_FLAGS_NONE, gfp);
#else
	return alloc_contig_range(start, end, MIGRATE_MOVABLE, gfp);
#endif
}

/*
 * Can add_memory(MHP_MEMMAP_ON_MEMORY) put the memmap on the new memory?
 * 6.9+ silently fall back to a regular memmap when they cannot, so memhp
 * asks the kernel's own answer, exported there, and refuses itself.  Before
 * (6.1), add_memory_resource() refuses with -EINVAL what
 * mhp_supports_memmap_on_memory(size) rejects, but that check is not
 * exported: memhp checks the part a module can, exactly one memory block per
 * add, and leaves the rest (the memory_hotplug.memmap_on_memory parameter,
 * PMD alignment of the memmap) to the kernel's -EINVAL.
 */
#if KERNEL_VERSION(6, 9, 0) <= LINUX_VERSION_CODE
static inline bool memhp_memmap_on_memory_ok(u64 size, const char **why)
{
	if (!mhp_supports_memmap_on_memory()) {
		*why = "not supported (boot with memory_hotplug.memmap_on_memory=1)";
		return false;
	}
	return true;
}
#else
static inline bool memhp_memmap_on_memory_ok(u64 size, const char **why)
{
	if (size != memory_block_size_bytes()) {
		*why = "this kernel supports it for exactly one memory block per add";
		return false;
	}
	return true;
}
#endif

/*
 * offline_and_remove_memory() when the removal after a successful offline
 * fails.  6.12 (mm/memory_hotplug.c:2404-2459) logs "Failed to remove
 * memory", puts the blocks back online and returns the error.  7.3 made it a
 * wrapper of offline_and_remove_memory_ranges() (7.3.4
 * mm/memory_hotplug.c:2433-2528; "mm/memory_hotplug: add
 * offline_and_remove_memory_ranges()", Gregory Price, v7
 * <20260712154505.3564379-7-gourry@gourry.net>, merged through mm; its
 * linux-next ids change with each rebase and no mainline id could be
 * verified here), which only WARN_ON_ONCE()s the failed try_remove_memory()
 * (:2519) and returns 0, the blocks left offline.  An offline failure is
 * rolled back and returned on both.
 *
 * memhp does not branch on the version: after every offline_remove it reads
 * back what the kernel did (memhp_phys.c: the System RAM resources and each
 * block's memmap and online sections, all through exported helpers), so a 0
 * that left the range in place is reported on any kernel.  No caller can
 * make that removal fail: try_remove_memory() fails only for a block that
 * is online again (impossible under the lock_device_hotplug() the whole
 * call holds) or for blocks with and without an altmap mixed in one range
 * (memhp adds each range with one add_memory()).
 */

/*
 * offline_and_remove_memory_ranges(const struct range *, unsigned int):
 * added in 7.3 (the same patch as above: "mm/memory_hotplug: add
 * offline_and_remove_memory_ranges()", v7
 * <20260712154505.3564379-7-gourry@gourry.net>; 7.3.4
 * mm/memory_hotplug.c:2448-2528, EXPORT_SYMBOL_GPL, declared in
 * <linux/memory_hotplug.h>).  The trees searched here name it by different
 * ids (47c1a9989513, c17ba40c37e8, b92d5c3a3b21, 384308d8ace3: linux-next
 * and its rebases); none could be verified as the mainline one.  Under one
 * lock_device_hotplug() it offlines every block of every range, rolls all
 * of them back online when one fails and returns that error, else removes
 * each range (WARN_ON_ONCE() on a failed removal, as above, and 0).  It
 * checks block alignment only, not overlaps: memhp refuses those itself.
 * Before 7.3 there is no such call, and memhp takes one range per write.
 */
#define MEMHP_HAVE_OFFLINE_REMOVE_RANGES \
	(KERNEL_VERSION(7, 3, 0) <= LINUX_VERSION_CODE)

#endif /* _MEMHP_COMPAT_H */
