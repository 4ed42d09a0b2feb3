// SPDX-License-Identifier: GPL-2.0
/*
 * memhp - memory hotplug lab.
 *
 * Observes the memory hotplug notifier chain and drives the physical
 * hot(un)plug phase of the running kernel through debugfs
 * (/sys/kernel/debug/memhp/).  See README.md for the interface.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/err.h>
#include <linux/init.h>
#include <linux/module.h>

#include "memhp.h"

struct dentry *memhp_debugfs_root;

static int __init memhp_init(void)
{
	memhp_debugfs_root = debugfs_create_dir("memhp", NULL);
	if (IS_ERR(memhp_debugfs_root))
		return PTR_ERR(memhp_debugfs_root);

	pr_info("loaded\n");
	return 0;
}

static void __exit memhp_exit(void)
{
	debugfs_remove_recursive(memhp_debugfs_root);
	pr_info("unloaded\n");
}

module_init(memhp_init);
module_exit(memhp_exit);

MODULE_DESCRIPTION("Memory hotplug lab: notifier recorder, error injection, physical hot(un)plug");
MODULE_LICENSE("GPL");
