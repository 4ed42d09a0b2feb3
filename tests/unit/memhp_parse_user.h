/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The thin shim that lets memhp_parse.c build in user space (unit test,
 * fuzz target): kernel types and helpers mapped onto libc.
 */
#ifndef _MEMHP_PARSE_USER_H
#define _MEMHP_PARSE_USER_H

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef uint64_t u64;
typedef int64_t s64;

#define U64_MAX		UINT64_MAX
#define check_mul_overflow(a, b, d)	__builtin_mul_overflow(a, b, d)
#define check_add_overflow(a, b, d)	__builtin_add_overflow(a, b, d)

#endif /* _MEMHP_PARSE_USER_H */
