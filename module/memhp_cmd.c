// SPDX-License-Identifier: GPL-2.0
/*
 * memhp: the debugfs write helpers every part uses.
 *
 * Every write is one command in one write() at offset 0, by CAP_SYS_ADMIN,
 * once init has completed; bad input gets a precise errno and one
 * rate-limited log line (memhp_reject()).
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/debugfs.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/printk.h>
#include <linux/uaccess.h>

#include "memhp.h"

/*
 * Set once init has completed: until then every write is refused, so that
 * nothing can be added or pinned through a file that an init failure is
 * about to take away again.
 */
static bool memhp_ready;

void memhp_set_ready(void)
{
	/* Pairs with memhp_get_cmd(): writers see all that init set up. */
	smp_store_release(&memhp_ready, true);
}

bool memhp_is_ready(void)
{
	/* Pairs with memhp_set_ready(). */
	return smp_load_acquire(&memhp_ready);
}

int memhp_get_cmd(const char *file, const char __user *ubuf, size_t count,
		  loff_t *ppos, char *buf, size_t size)
{
	const char *why = NULL;
	int ret;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	/* Pairs with memhp_set_ready(). */
	if (!smp_load_acquire(&memhp_ready)) {
		memhp_reject(file, "memhp is still loading");
		return -EAGAIN;
	}
	/* @ppos is NULL for a stream (stream_open(): events). */
	if (ppos && *ppos) {
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

/*
 * Both forms of a physical-range command: one "START SIZE [options]" into
 * cmds[0] when nr is NULL, up to max "START SIZE[;START SIZE...]" ranges
 * (their number in *nr) otherwise.
 */
static int memhp_get_phys(const char *file, bool with_options, u64 align, int max_nid,
			  const char __user *ubuf, size_t count, loff_t *ppos,
			  struct memhp_phys_cmd *cmds, unsigned int max, unsigned int *nr)
{
	char buf[MEMHP_CMD_MAX];
	const char *why = NULL;
	int ret;

	ret = memhp_get_cmd(file, ubuf, count, ppos, buf, sizeof(buf));
	if (ret)
		return ret;
	if (nr)
		ret = memhp_parse_phys_ranges(buf, align, cmds, max, nr, &why);
	else
		ret = memhp_parse_phys(buf, with_options, align, max_nid, cmds, &why);
	if (ret)
		memhp_reject(file, "%s", why);
	return ret;
}

int memhp_get_phys_cmd(const char *file, bool with_options, u64 align, int max_nid,
		       const char __user *ubuf, size_t count, loff_t *ppos,
		       struct memhp_phys_cmd *cmd)
{
	return memhp_get_phys(file, with_options, align, max_nid, ubuf, count, ppos,
			      cmd, 1, NULL);
}

int memhp_get_phys_cmds(const char *file, u64 align, const char __user *ubuf,
			size_t count, loff_t *ppos, struct memhp_phys_cmd *cmds,
			unsigned int max, unsigned int *nr)
{
	return memhp_get_phys(file, false, align, 1, ubuf, count, ppos, cmds, max, nr);
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
