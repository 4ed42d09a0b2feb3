// SPDX-License-Identifier: GPL-2.0
/*
 * memhp - memory hotplug lab.
 *
 * Records every memory hotplug notifier event, injects notifier errors on
 * demand and drives the physical hot(un)plug phase of the running kernel,
 * all through debugfs (/sys/kernel/debug/memhp/).  See README.md.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/debugfs.h>
#include <linux/err.h>
#include <linux/init.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/sizes.h>
#include <linux/uaccess.h>

#include "memhp.h"

#define MEMHP_LOG_SIZE_MAX	SZ_1M

static unsigned int log_size = 4096;
module_param(log_size, uint, 0444);
MODULE_PARM_DESC(log_size, "Notifier events kept in the ring (1..1048576, default 4096)");

static int priority;
module_param(priority, int, 0444);
MODULE_PARM_DESC(priority, "Memory notifier priority (higher runs first, default 0)");

struct dentry *memhp_debugfs_root;

/*
 * Set once init has completed: until then every write is refused, so that
 * nothing can be added or pinned through a file that an init failure is
 * about to take away again.
 */
static bool memhp_ready;

int memhp_get_cmd(const char *file, const char __user *ubuf, size_t count,
		  loff_t *ppos, char *buf, size_t size)
{
	const char *why = NULL;
	int ret;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (!smp_load_acquire(&memhp_ready)) {
		memhp_reject(file, "memhp is still loading");
		return -EAGAIN;
	}
	if (*ppos) {
		memhp_reject(file, "write at offset %lld, not 0", *ppos);
		return -EINVAL;
	}
	if (count >= size) {
		memhp_reject(file, "line longer than %zu bytes", size - 1);
		return -EINVAL;
	}
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	ret = memhp_cmd_string(buf, count, size, &why);
	if (ret)
		memhp_reject(file, "%s", why);
	return ret;
}

int memhp_get_phys_cmd(const char *file, bool with_options, u64 align, int max_nid,
		       const char __user *ubuf, size_t count, loff_t *ppos,
		       struct memhp_phys_cmd *cmd)
{
	char buf[MEMHP_CMD_MAX];
	const char *why = NULL;
	int ret;

	ret = memhp_get_cmd(file, ubuf, count, ppos, buf, sizeof(buf));
	if (ret)
		return ret;
	ret = memhp_parse_phys(buf, with_options, align, max_nid, cmd, &why);
	if (ret)
		memhp_reject(file, "%s", why);
	return ret;
}

void memhp_create_file(int *err, const char *name, umode_t mode, struct dentry *parent,
		       void *data, const struct file_operations *fops)
{
	struct dentry *d;

	if (*err)
		return;
	d = debugfs_create_file(name, mode, parent, data, fops);
	if (IS_ERR(d))
		*err = PTR_ERR(d);
}

static int __init memhp_init(void)
{
	int ret;

	if (!log_size || log_size > MEMHP_LOG_SIZE_MAX) {
		pr_err("log_size=%u out of range 1..%u\n", log_size, MEMHP_LOG_SIZE_MAX);
		return -EINVAL;
	}

	/* The ring and the notifier first, the files last. */
	ret = memhp_events_init(log_size, priority);
	if (ret)
		return ret;

	memhp_debugfs_root = debugfs_create_dir("memhp", NULL);
	if (IS_ERR(memhp_debugfs_root)) {
		ret = PTR_ERR(memhp_debugfs_root);
		goto err_events;
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
	smp_store_release(&memhp_ready, true);
	return 0;

err_files:
	/* No write got through (memhp_ready), so nothing is added or pinned. */
	debugfs_remove_recursive(memhp_debugfs_root);
err_events:
	memhp_events_exit();
	return ret;
}

static void __exit memhp_exit(void)
{
	/* Files first: debugfs waits for readers and writers in flight. */
	debugfs_remove_recursive(memhp_debugfs_root);
	memhp_pin_exit();
	memhp_events_exit();
}

module_init(memhp_init);
module_exit(memhp_exit);

MODULE_DESCRIPTION("Memory hotplug lab: notifier recorder, error injection, physical hot(un)plug");
MODULE_LICENSE("GPL");
