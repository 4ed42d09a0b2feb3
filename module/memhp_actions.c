// SPDX-License-Identifier: GPL-2.0
/*
 * memhp: the action list (memhp.h: MEMHP_ACTIONS) expanded into the names
 * memhp prints and the maps from the kernel's values.  A unit of its own:
 * the notifier, the readers and injection (memhp_inject.c) use it, and it
 * uses none of them.
 */

#include <linux/kernel.h>
#include <linux/memory.h>

#include "memhp.h"
#include "memhp_compat.h"

#define EM(a, b)	\
	[a] = #b,
#define EM_END(a, b)	\
	[a] = #b,

static const char * const action_names[MEMHP_NR_ACTIONS] = {
	MEMHP_ACTIONS
};

#undef EM
#undef EM_END

const char *memhp_action_name(enum memhp_action type)
{
	return type < MEMHP_NR_ACTIONS ? action_names[type] : action_names[MEMHP_UNKNOWN];
}

#define EM(a, ...)	case a:

/* Can this kernel send @type at all?  (stats lists only those.) */
bool memhp_action_exists(enum memhp_action type)
{
	switch (type) {
	MEMHP_PREPARE_ACTIONS
		return MEMHP_HAVE_PREPARE_ONLINE;
	MEMHP_NODE_ACTIONS
		return MEMHP_HAVE_NODE_NOTIFIER;
	default:
		return true;
	}
}

#undef EM

/* A kernel action and memhp's name for it. */
struct memhp_action_map {
	unsigned long action;
	enum memhp_action type;
};

static enum memhp_action memhp_map(const struct memhp_action_map *map, size_t n,
				   unsigned long action)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (map[i].action == action)
			return map[i].type;
	}
	return MEMHP_UNKNOWN;
}

#define EM(a, b)	{ b, a },

/* By name: the values are bit flags on 6.1 (and 6.9), an enum on 6.12. */
static const struct memhp_action_map mem_actions[] = {
	MEMHP_MEM_ACTIONS
#if MEMHP_HAVE_PREPARE_ONLINE
	MEMHP_PREPARE_ACTIONS
#endif
};

/* The memory notifier's @action. */
enum memhp_action memhp_classify(unsigned long action)
{
	return memhp_map(mem_actions, ARRAY_SIZE(mem_actions), action);
}

#if MEMHP_HAVE_NODE_NOTIFIER
static const struct memhp_action_map node_actions[] = {
	MEMHP_NODE_ACTIONS
};

/* The node notifier's @action (6.17+). */
enum memhp_action memhp_node_classify(unsigned long action)
{
	return memhp_map(node_actions, ARRAY_SIZE(node_actions), action);
}
#endif

#undef EM
