/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memhp - memory hotplug lab: shared declarations.
 */
#ifndef _MEMHP_H
#define _MEMHP_H

#include <linux/dcache.h>

extern struct dentry *memhp_debugfs_root;

#endif /* _MEMHP_H */
