// SPDX-License-Identifier: GPL-2.0
/* The CRC-32 the shared classifier (kmod/classify.c) needs, from zlib. */
#include <zlib.h>

#include "classify.h"

u32 mice_crc32(const u8 *p, size_t len)
{
	return (u32)crc32(0L, p, (uInt)len);
}
