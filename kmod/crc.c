// SPDX-License-Identifier: GPL-2.0
/*
 * The CRC-32 the freestanding classifier needs for STUN FINGERPRINT
 * (RFC 8489 s.14.7), mapped to the kernel's lib/crc32.
 */
#include <linux/crc32.h>

#include "classify.h"

u32 mice_crc32(const u8 *p, size_t len)
{
	return ~crc32_le(~0U, p, len);
}
