/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memhp trace events (tracefs: events/memhp/).  Mainline has no tracepoints
 * for memory hotplug; these put what memhp's notifier sees next to the
 * kernel's own migrate:mm_migrate_pages and page_isolation events.
 *
 *   memhp_notify      every memory notifier call memhp receives
 *   memhp_transition  a block's GOING_X closed by X or CANCEL_X, with its
 *                     duration (what stats' online_us/offline_us average)
 *   memhp_chain       one notifier call's way through the whole chain: from
 *                     memhp's first-running notifier to its last-running one
 *   memhp_inject      an injected failure or delay
 *   memhp_phys        add, remove, offline_remove, pin, unpin: range,
 *                     result and duration
 *
 * The layout follows samples/trace_events/ for a module built outside the
 * tree: TRACE_INCLUDE_PATH is "." and Kbuild puts this folder on the include
 * path; memhp_trace.c is the one CREATE_TRACE_POINTS unit.  Names are
 * printed with __print_symbolic() of memhp's own enums (TRACE_DEFINE_ENUM,
 * so user-space tools decode them too), not strings: the string helpers'
 * signatures changed in 6.10.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM memhp

#if !defined(_MEMHP_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _MEMHP_TRACE_H

#include <linux/tracepoint.h>

#include "memhp.h"

/* The action list (memhp.h), expanded as include/trace/events/migrate.h does. */
#undef EM
#undef EM_END
#define EM(a, ...)	MEMHP_LIST(TRACE_DEFINE_ENUM(a);)
#define EM_END(a, ...)	MEMHP_LIST(TRACE_DEFINE_ENUM(a);)

MEMHP_ACTIONS

#undef EM
#undef EM_END
#define EM(a, b)	{ a, #b },
#define EM_END(a, b)	{ a, #b }

TRACE_DEFINE_ENUM(MEMHP_OP_ADD);
TRACE_DEFINE_ENUM(MEMHP_OP_REMOVE);
TRACE_DEFINE_ENUM(MEMHP_OP_OFFLINE_REMOVE);
TRACE_DEFINE_ENUM(MEMHP_OP_PIN);
TRACE_DEFINE_ENUM(MEMHP_OP_UNPIN);

#define memhp_show_action(type)	__print_symbolic(type, MEMHP_ACTIONS)

#define memhp_show_op(op)						\
	__print_symbolic(op,						\
		{ MEMHP_OP_ADD, "add" },				\
		{ MEMHP_OP_REMOVE, "remove" },				\
		{ MEMHP_OP_OFFLINE_REMOVE, "offline_remove" },		\
		{ MEMHP_OP_PIN, "pin" },				\
		{ MEMHP_OP_UNPIN, "unpin" })

#define memhp_show_phys_flags(f)					\
	__print_flags(f, "|",						\
		{ MEMHP_PHYS_DRIVER_MANAGED, "driver_managed" },	\
		{ MEMHP_PHYS_MEMMAP_ON_MEMORY, "memmap_on_memory" })

TRACE_EVENT(memhp_notify,
	    TP_PROTO(enum memhp_action type,
		     unsigned long action,
		     unsigned long start_pfn,
		     unsigned long nr_pages,
		     int nid,
		     int injected,
		     unsigned int delay_ms),
	    TP_ARGS(type,
		    action,
		    start_pfn,
		    nr_pages,
		    nid,
		    injected,
		    delay_ms),
	    TP_STRUCT__entry(__field(unsigned long, action)
			     __field(unsigned long, start_pfn)
			     __field(unsigned long, nr_pages)
			     __field(int, nid)
			     __field(int, injected)
			     __field(unsigned int, delay_ms)
			     __field(u8, type)),
	    TP_fast_assign(__entry->action = action;
			   __entry->start_pfn = start_pfn;
			   __entry->nr_pages = nr_pages;
			   __entry->nid = nid;
			   __entry->injected = injected;
			   __entry->delay_ms = delay_ms;
			   __entry->type = type;),
	    TP_printk("%s (%lu) start_pfn=0x%lx nr_pages=%lu nid=%d injected=%d delay_ms=%u",
		      memhp_show_action(__entry->type),
		      __entry->action,
		      __entry->start_pfn,
		      __entry->nr_pages,
		      __entry->nid,
		      __entry->injected,
		      __entry->delay_ms)
);

/* A span of time at one block: a transition, or one call's way through the chain. */
DECLARE_EVENT_CLASS(memhp_span,
		    TP_PROTO(enum memhp_action action,
			     unsigned long start_pfn,
			     unsigned long nr_pages,
			     u64 duration_ns),
		    TP_ARGS(action,
			    start_pfn,
			    nr_pages,
			    duration_ns),
		    TP_STRUCT__entry(__field(unsigned long, start_pfn)
				     __field(unsigned long, nr_pages)
				     __field(u64, duration_ns)
				     __field(u8, action)),
		    TP_fast_assign(__entry->start_pfn = start_pfn;
				   __entry->nr_pages = nr_pages;
				   __entry->duration_ns = duration_ns;
				   __entry->action = action;),
		    TP_printk("%s start_pfn=0x%lx nr_pages=%lu duration_ns=%llu",
			      memhp_show_action(__entry->action),
			      __entry->start_pfn,
			      __entry->nr_pages,
			      __entry->duration_ns)
);

/* @action, X or CANCEL_X, closed the block's GOING_X; in microseconds, as stats. */
DEFINE_EVENT_PRINT(memhp_span, memhp_transition,
		   TP_PROTO(enum memhp_action action,
			    unsigned long start_pfn,
			    unsigned long nr_pages,
			    u64 duration_ns),
		   TP_ARGS(action,
			   start_pfn,
			   nr_pages,
			   duration_ns),
		   TP_printk("%s start_pfn=0x%lx nr_pages=%lu duration_us=%llu",
			     memhp_show_action(__entry->action),
			     __entry->start_pfn,
			     __entry->nr_pages,
			     __entry->duration_ns / NSEC_PER_USEC)
);

DEFINE_EVENT(memhp_span, memhp_chain,
	     TP_PROTO(enum memhp_action action,
		      unsigned long start_pfn,
		      unsigned long nr_pages,
		      u64 duration_ns),
	     TP_ARGS(action,
		     start_pfn,
		     nr_pages,
		     duration_ns)
);

TRACE_EVENT(memhp_inject,
	    TP_PROTO(enum memhp_action type,
		     u64 start,
		     u64 size,
		     int error,
		     unsigned int delay_ms,
		     int count_left),
	    TP_ARGS(type,
		    start,
		    size,
		    error,
		    delay_ms,
		    count_left),
	    TP_STRUCT__entry(__field(u64, start)
			     __field(u64, size)
			     __field(int, error)
			     __field(unsigned int, delay_ms)
			     __field(int, count_left)
			     __field(u8, type)),
	    TP_fast_assign(__entry->start = start;
			   __entry->size = size;
			   __entry->error = error;
			   __entry->delay_ms = delay_ms;
			   __entry->count_left = count_left;
			   __entry->type = type;),
	    TP_printk("%s range=0x%llx-0x%llx error=%d delay_ms=%u count_left=%d",
		      memhp_show_action(__entry->type),
		      __entry->start,
		      __entry->start + __entry->size - 1,
		      __entry->error,
		      __entry->delay_ms,
		      __entry->count_left)
);

TRACE_EVENT(memhp_phys,
	    TP_PROTO(enum memhp_op op,
		     u64 start,
		     u64 size,
		     unsigned int flags,
		     int ret,
		     u64 duration_ns),
	    TP_ARGS(op,
		    start,
		    size,
		    flags,
		    ret,
		    duration_ns),
	    TP_STRUCT__entry(__field(u64, start)
			     __field(u64, size)
			     __field(u64, duration_ns)
			     __field(int, ret)
			     __field(u8, flags)
			     __field(u8, op)),
	    TP_fast_assign(__entry->start = start;
			   __entry->size = size;
			   __entry->duration_ns = duration_ns;
			   __entry->ret = ret;
			   __entry->flags = flags;
			   __entry->op = op;),
	    TP_printk("%s range=0x%llx-0x%llx flags=%s ret=%d duration_us=%llu",
		      memhp_show_op(__entry->op),
		      __entry->start,
		      __entry->start + __entry->size - 1,
		      memhp_show_phys_flags(__entry->flags),
		      __entry->ret,
		      __entry->duration_ns / NSEC_PER_USEC)
);

#endif /* _MEMHP_TRACE_H */

/* This part must be outside the guard. */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE memhp_trace
#include <trace/define_trace.h>
