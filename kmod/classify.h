/* SPDX-License-Identifier: GPL-2.0 */
/*
 * STUN / MIP / data demultiplexing of one UDP payload (seed 004 section 12).
 * Freestanding: compiled unchanged by the module and by userspace tests.
 */
#ifndef MICE_CLASSIFY_H
#define MICE_CLASSIFY_H

#include "freestanding.h"
#include "../uapi/linux/mice.h"

#define MICE_STUN_COOKIE		0x2112A442u	/* RFC 8489 s.5 */
#define MICE_STUN_HEADER_LEN		20
#define MICE_STUN_ATTR_FINGERPRINT	0x8028
#define MICE_STUN_FINGERPRINT_XOR	0x5354554eu	/* RFC 8489 s.14.7 */
#define MICE_MH_PAYLOAD_PROTO		59	/* IPPROTO_NONE, RFC 6275 s.6.1.1 */
#define MICE_MH_TYPE_MAX		23	/* highest IANA MH type */

/*
 * The longest STUN candidate read whole for its FINGERPRINT's CRC-32;
 * longer ones are INVALID/STUN_OVERSIZE, judged from the head alone.
 * RFC 8489 s.6.1: over UDP a message SHOULD stay under the path MTU, and
 * under 576 (IPv4) or 1280 (IPv6) octets when that is unknown; the agent
 * refuses STUN over 1500 octets (agent/stun.h); the longest Mobility
 * Header is (255 + 1) * 8 = 2048 octets (RFC 6275 s.6.1.1). So nothing
 * legitimate is longer, while without a bound any sender could make the
 * module linearise and CRC 64 KiB for every datagram it sends.
 */
#define MICE_STUN_MAX_LEN		2048

/*
 * Leading bytes that decide every class except a cookie-bearing STUN
 * candidate of at most MICE_STUN_MAX_LEN octets.
 */
#define MICE_CLASSIFY_HEAD		8

/*
 * CRC-32 (ITU/zlib polynomial, initial and final XOR ~0) of @len bytes.
 * Not defined here: the kernel module maps it to crc32_le(), userspace to
 * zlib's crc32(), so no CRC is hand-written.
 */
u32 mice_crc32(const u8 *p, size_t len);

/*
 * How many leading bytes of a @len-byte payload mice_classify() must be given,
 * judged from the @head_len bytes already readable at @head. Call again with
 * more bytes when the answer exceeds @head_len.
 */
u32 mice_classify_need(const u8 *head, u32 head_len, u32 len);

/*
 * Classify a UDP payload of @len bytes, of which the first @avail are at @p.
 * Never reads past @avail. Sets *@reason to MICE_REASON_NONE for a delivered
 * class and to the cause for MICE_CLASS_INVALID.
 */
enum mice_class mice_classify(const u8 *p, u32 avail, u32 len,
			      enum mice_reason *reason);

/* Stable names used in /proc, events and the agent's output. */
const char *mice_class_name(unsigned int cls);
const char *mice_reason_name(unsigned int reason);

#endif /* MICE_CLASSIFY_H */
