// SPDX-License-Identifier: GPL-2.0
/*
 * Userspace mice_crc32() for the unit tests and fuzzers: zlib's CRC-32, the
 * ITU/IEEE polynomial that STUN FINGERPRINT uses (RFC 8489 s.14.7). The
 * module maps the same prototype to the kernel's crc32_le().
 */
#include <zlib.h>

#include "classify.h"
#include "pkt.h"

unsigned long pkt_crc32_calls;

u32 mice_crc32(const u8 *p, size_t len)
{
	pkt_crc32_calls++;
	return (u32)crc32_z(crc32_z(0L, Z_NULL, 0), p, len);
}
