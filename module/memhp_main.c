// SPDX-License-Identifier: GPL-2.0
/*
 * memhp - memory hotplug lab.
 *
 * Records every memory hotplug notifier event, injects notifier errors on
 * demand and drives the physical hot(un)plug phase of the running kernel,
 * all through debugfs (/sys/kernel/debug/memhp/): docs/debugfs.md.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/err.h>
#include <linux/init.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/sizes.h>

#include "memhp.h"

#define MEMHP_LOG_SIZE_MAX	SZ_1M

static unsigned int log_size = 4096;
module_param(log_size, uint, 0444);
MODULE_PARM_DESC(log_size, "Notifier events kept in the ring (1..1048576, default 4096)");

static int priority;
module_param(priority, int, 0444);
MODULE_PARM_DESC(priority, "Memory notifier priority (higher runs first, default 0)");

struct dentry *memhp_debugfs_root;

static int __init memhp_init(void)
{
	int ret;

	if (!log_size || log_size > MEMHP_LOG_SIZE_MAX) {
		pr_err("log_size=%u out of range 1..%u\n", log_size, MEMHP_LOG_SIZE_MAX);
		return -EINVAL;
	}

	/* The ring and the notifier first, the files last. */
	ret = memhp_notifier_init(log_size, priority);
	if (ret)
		return ret;

	/*
	 * debugfs errors are checked, unlike most callers': debugfs is memhp's
	 * only interface, so a module without its files is useless and the
	 * load fails instead.  scenario/faults fails each allocation of the
	 * load in turn, these files' included, and proves the unwinding.
	 */
	memhp_debugfs_root = debugfs_create_dir("memhp", NULL);
	if (IS_ERR(memhp_debugfs_root)) {
		ret = PTR_ERR(memhp_debugfs_root);
		goto err_notifier;
	}
	ret = memhp_events_files(memhp_debugfs_root);
	if (!ret)
		ret = memhp_inject_init(memhp_debugfs_root);
	if (!ret)
		ret = memhp_phys_init(memhp_debugfs_root);
	if (!ret)
		ret = memhp_pin_init(memhp_debugfs_root);
	if (ret) {
		pr_err("cannot create its debugfs files: %d\n", ret);
		goto err_files;
	}
	memhp_set_ready();
	return 0;

err_files:
	/* No write got through (not ready yet), so nothing is added or pinned. */
	debugfs_remove_recursive(memhp_debugfs_root);
err_notifier:
	memhp_notifier_exit();
	return ret;
}

static void __exit memhp_exit(void)
{
	/* Files first: debugfs waits for readers and writers in flight. */
	debugfs_remove_recursive(memhp_debugfs_root);
	memhp_pin_exit();
	memhp_notifier_exit();
}

module_init(memhp_init);
module_exit(memhp_exit);

MODULE_DESCRIPTION("Memory hotplug lab: notifier recorder, error injection, physical hot(un)plug");
MODULE_LICENSE("GPL");
MODULE_VERSION(MEMHP_VERSION);
