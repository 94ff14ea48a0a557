/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Types for the freestanding parsers and policers (classify.c, gate
 * matching, token bucket). These files are compiled unchanged by the kernel
 * module and by the userspace unit tests and fuzzers, so they may use only
 * the compiler's own freestanding headers: no kernel and no libc.
 */
#ifndef MICE_FREESTANDING_H
#define MICE_FREESTANDING_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int32_t s32;
typedef int64_t s64;
#endif

/* Network-order reads from a byte buffer; no alignment assumed. */
static inline u16 mice_get_be16(const u8 *p)
{
	return (u16)((u16)p[0] << 8 | p[1]);
}

static inline u32 mice_get_be32(const u8 *p)
{
	return (u32)p[0] << 24 | (u32)p[1] << 16 | (u32)p[2] << 8 | p[3];
}

#endif /* MICE_FREESTANDING_H */
