// SPDX-License-Identifier: GPL-2.0
/*
 * STUN / MIP / data demultiplexing of one UDP payload (seed 004 s.12).
 *
 * Freestanding: this file includes only classify.h and is compiled unchanged
 * by the kernel module, the userspace unit tests and the fuzzer.
 *
 * Decision order:
 *  1. empty payload                       -> INVALID/EMPTY
 *  2. fewer bytes than mice_classify_need -> INVALID/SHORT_READ
 *  3. version nibble 4 or 6               -> DATA, or an IPv4/IPv6 reason
 *  4. top two bits not 0                  -> INVALID/UNKNOWN
 *  5. magic cookie at offset 4 and len > MICE_STUN_MAX_LEN
 *                                         -> INVALID/STUN_OVERSIZE (no MH
 *     is that long either)
 *  6. magic cookie at offset 4, len >= 20 and a valid STUN message with a
 *     correct FINGERPRINT                 -> STUN
 *  7. first octet 59 (MH Payload Proto)   -> MIP, or an MH reason; this
 *     covers the ambiguous MH of seed 004 s.12 whose Checksum and first 16
 *     bits of message data equal the cookie but which has no FINGERPRINT
 *  8. otherwise the STUN reason if the cookie was there, else UNKNOWN.
 *
 * Every decision but 6 reads only the first MICE_CLASSIFY_HEAD octets, so
 * it costs a few dozen instructions; a STUN candidate costs one walk over
 * its attribute headers and one CRC-32, both linear in its length, which
 * MICE_STUN_MAX_LEN bounds.
 */
#include "classify.h"

#define MICE_IPV4_HEADER_MIN	20	/* RFC 791: IHL >= 5 words */
#define MICE_IPV6_HEADER_LEN	40	/* RFC 8200 s.3 */
#define MICE_MH_MIN_LEN		8	/* RFC 6275 s.6.1.1 */
#define MICE_STUN_ATTR_HDR	4	/* RFC 8489 s.14: type, length */
#define MICE_STUN_FP_LEN	8	/* FINGERPRINT: header + 32-bit value */

static inline u32 mice_min_u32(u32 a, u32 b)
{
	return a < b ? a : b;
}

/*
 * A STUN candidate: long enough for the fixed header, top two bits zero and
 * the magic cookie at offset 4 (RFC 8489 s.5). Reads @p only when
 * @len >= 20, and then octets 0..7.
 */
static inline bool mice_has_cookie(const u8 *p, u32 len)
{
	return len >= MICE_STUN_HEADER_LEN && (p[0] & 0xc0) == 0 &&
	       mice_get_be32(p + 4) == MICE_STUN_COOKIE;
}

u32 mice_classify_need(const u8 *head, u32 head_len, u32 len)
{
	u32 head_need = mice_min_u32(len, MICE_CLASSIFY_HEAD);

	/* Not enough to tell yet: ask for the fixed head first. */
	if (head_len < head_need)
		return head_need;
	/*
	 * Only a cookie-bearing STUN candidate needs the CRC over all, and
	 * only up to MICE_STUN_MAX_LEN: a longer one is refused on its head.
	 */
	if (mice_has_cookie(head, len) && len <= MICE_STUN_MAX_LEN)
		return len;
	return head_need;
}

/*
 * IPv4 encapsulated in UDP: a full header whose Total Length is exactly the
 * UDP payload (RFC 791 s.3.1). Reads octets 0..3 only.
 */
static enum mice_reason mice_check_ipv4(const u8 *p, u32 len)
{
	u32 ihl_bytes = (u32)(p[0] & 0x0f) * 4;

	if (len < MICE_IPV4_HEADER_MIN || ihl_bytes < MICE_IPV4_HEADER_MIN ||
	    ihl_bytes > len)
		return MICE_REASON_IPV4_HEADER;
	if (mice_get_be16(p + 2) != len)
		return MICE_REASON_IPV4_LENGTH;
	return MICE_REASON_NONE;
}

/*
 * IPv6 encapsulated in UDP: the fixed header and Payload Length accounting
 * for the rest of the UDP payload (RFC 8200 s.3). Reads octets 4..5 only.
 */
static enum mice_reason mice_check_ipv6(const u8 *p, u32 len)
{
	if (len < MICE_IPV6_HEADER_LEN)
		return MICE_REASON_IPV6_HEADER;
	if (MICE_IPV6_HEADER_LEN + (u32)mice_get_be16(p + 4) != len)
		return MICE_REASON_IPV6_LENGTH;
	return MICE_REASON_NONE;
}

/*
 * Mobility Header directly after the UDP header (seed 004 s.12, RFC 6275
 * s.6.1.1): Payload Proto 59, Header Len in 8-octet units not counting the
 * first 8 octets, and an MH Type we know. Reads octets 0..2 only.
 */
static enum mice_reason mice_check_mh(const u8 *p, u32 len)
{
	if (len < MICE_MH_MIN_LEN || ((u32)p[1] + 1) * 8 != len)
		return MICE_REASON_MH_LENGTH;
	if (p[2] > MICE_MH_TYPE_MAX)
		return MICE_REASON_MH_TYPE;
	return MICE_REASON_NONE;
}

/*
 * A cookie-bearing candidate is STUN when (RFC 8489 s.5, s.7.3, s.14.7):
 *  - Message Length + 20 equals the payload and is a multiple of 4;
 *  - the attributes, each padded to 4 octets, tile the body exactly and the
 *    last one, at len - 8, is FINGERPRINT with a 4-octet value;
 *  - the FINGERPRINT value is CRC-32 of everything before it XOR 0x5354554e.
 * The cheap checks come first; the CRC is last. @p holds all @len octets.
 */
static enum mice_reason mice_check_stun(const u8 *p, u32 len)
{
	u32 fp_off, off, alen;

	if ((u32)mice_get_be16(p + 2) + MICE_STUN_HEADER_LEN != len ||
	    (len & 3) != 0)
		return MICE_REASON_STUN_LENGTH;
	if (len < MICE_STUN_HEADER_LEN + MICE_STUN_FP_LEN)
		return MICE_REASON_STUN_NO_FINGERPRINT;
	fp_off = len - MICE_STUN_FP_LEN;
	if (mice_get_be16(p + fp_off) != MICE_STUN_ATTR_FINGERPRINT ||
	    mice_get_be16(p + fp_off + 2) != 4)
		return MICE_REASON_STUN_NO_FINGERPRINT;

	/*
	 * Walk the attribute headers so that octets 80 28 00 04 inside another
	 * attribute's value are not mistaken for a last FINGERPRINT.
	 * off < fp_off and both are multiples of 4, so the header at off is
	 * within the message; alen is at most 0xffff, so no overflow.
	 */
	off = MICE_STUN_HEADER_LEN;
	while (off < fp_off) {
		alen = mice_get_be16(p + off + 2);
		off += MICE_STUN_ATTR_HDR + ((alen + 3) & ~3u);
	}
	if (off != fp_off)
		return MICE_REASON_STUN_NO_FINGERPRINT;

	if (mice_get_be32(p + fp_off + 4) !=
	    (mice_crc32(p, fp_off) ^ MICE_STUN_FINGERPRINT_XOR))
		return MICE_REASON_STUN_FINGERPRINT;
	return MICE_REASON_NONE;
}

enum mice_class mice_classify(const u8 *p, u32 avail, u32 len,
			      enum mice_reason *reason)
{
	enum mice_reason why;
	unsigned int version;

	if (len == 0) {
		*reason = MICE_REASON_EMPTY;
		return MICE_CLASS_INVALID;
	}
	if (avail < mice_classify_need(p, avail, len)) {
		*reason = MICE_REASON_SHORT_READ;
		return MICE_CLASS_INVALID;
	}

	/* Encapsulated IP: the version nibble (RFC 791, RFC 8200). */
	version = p[0] >> 4;
	if (version == 4 || version == 6) {
		why = version == 4 ? mice_check_ipv4(p, len) :
				     mice_check_ipv6(p, len);
		*reason = why;
		return why == MICE_REASON_NONE ? MICE_CLASS_DATA :
						 MICE_CLASS_INVALID;
	}

	/* STUN and the MH both start with two zero bits (59 = 0x3b). */
	if (p[0] & 0xc0) {
		*reason = MICE_REASON_UNKNOWN;
		return MICE_CLASS_INVALID;
	}

	/* seed 004 s.12: with the cookie, the FINGERPRINT decides. */
	why = MICE_REASON_UNKNOWN;
	if (mice_has_cookie(p, len)) {
		/* Before any read past the head; no MH is this long either. */
		if (len > MICE_STUN_MAX_LEN) {
			*reason = MICE_REASON_STUN_OVERSIZE;
			return MICE_CLASS_INVALID;
		}
		why = mice_check_stun(p, len);
		if (why == MICE_REASON_NONE) {
			*reason = MICE_REASON_NONE;
			return MICE_CLASS_STUN;
		}
	}
	if (p[0] == MICE_MH_PAYLOAD_PROTO) {
		why = mice_check_mh(p, len);
		*reason = why;
		return why == MICE_REASON_NONE ? MICE_CLASS_MIP
					       : MICE_CLASS_INVALID;
	}
	*reason = why;
	return MICE_CLASS_INVALID;
}

static const char *const mice_class_names[] = {
	[MICE_CLASS_STUN]	= "stun",
	[MICE_CLASS_MIP]	= "mip",
	[MICE_CLASS_DATA]	= "data",
	[MICE_CLASS_INVALID]	= "invalid",
};

static const char *const mice_reason_names[] = {
	[MICE_REASON_NONE]		= "none",
	[MICE_REASON_EMPTY]		= "empty",
	[MICE_REASON_UNKNOWN]		= "unknown",
	[MICE_REASON_STUN_LENGTH]	= "stun_length",
	[MICE_REASON_STUN_NO_FINGERPRINT] = "stun_no_fingerprint",
	[MICE_REASON_STUN_FINGERPRINT]	= "stun_fingerprint",
	[MICE_REASON_MH_LENGTH]		= "mh_length",
	[MICE_REASON_MH_TYPE]		= "mh_type",
	[MICE_REASON_IPV4_HEADER]	= "ipv4_header",
	[MICE_REASON_IPV4_LENGTH]	= "ipv4_length",
	[MICE_REASON_IPV6_HEADER]	= "ipv6_header",
	[MICE_REASON_IPV6_LENGTH]	= "ipv6_length",
	[MICE_REASON_SHORT_READ]	= "short_read",
	[MICE_REASON_DATA_NO_PAIR]	= "data_no_pair",
	[MICE_REASON_DATA_INNER_SOURCE]	= "data_inner_source",
	[MICE_REASON_DATA_NO_GATE]	= "data_no_gate",
	[MICE_REASON_DATA_POLICED]	= "data_policed",
	[MICE_REASON_NOMEM]		= "nomem",
	[MICE_REASON_STUN_OVERSIZE]	= "stun_oversize",
	[MICE_REASON_TX_INNER_HEADER]	= "tx_inner_header",
};

/*
 * Compile-time checks that each table has one entry per enum value: a
 * negative array size fails the build (portable stand-in for BUILD_BUG_ON,
 * which needs kernel headers). A missing entry in the middle is NULL and is
 * caught at run time below and by the unit tests.
 */
#define MICE_NELEM(a) (sizeof(a) / sizeof((a)[0]))
typedef char mice_class_names_cover_enum
	[MICE_NELEM(mice_class_names) == __MICE_CLASS_MAX ? 1 : -1];
typedef char mice_reason_names_cover_enum
	[MICE_NELEM(mice_reason_names) == __MICE_REASON_MAX ? 1 : -1];

const char *mice_class_name(unsigned int cls)
{
	if (cls >= MICE_NELEM(mice_class_names) || !mice_class_names[cls])
		return "?";
	return mice_class_names[cls];
}

const char *mice_reason_name(unsigned int reason)
{
	if (reason >= MICE_NELEM(mice_reason_names) ||
	    !mice_reason_names[reason])
		return "?";
	return mice_reason_names[reason];
}
