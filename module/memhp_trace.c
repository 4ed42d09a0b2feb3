// SPDX-License-Identifier: GPL-2.0
/*
 * memhp: the one unit that creates the trace events (memhp_trace.h).
 */
#define CREATE_TRACE_POINTS
#include "memhp_trace.h"
