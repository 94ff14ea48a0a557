/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Test helpers that build well-formed UDP payloads into a caller's buffer:
 * STUN messages with FINGERPRINT (RFC 8489), Mobility Headers (RFC 6275
 * s.6.1.1), the ambiguous MH of seed 004 s.12, and IPv4/IPv6 headers with
 * consistent lengths. Every builder returns the number of octets written, or
 * 0 when the arguments are invalid or @cap is too small (nothing useful is
 * left in @buf then).
 */
#ifndef MICE_TEST_PKT_H
#define MICE_TEST_PKT_H

#include <stddef.h>

#include "classify.h"

#define PKT_STUN_BINDING_REQUEST	0x0001
#define PKT_STUN_ATTR_SOFTWARE		0x8022
#define PKT_STUN_ATTR_USERNAME		0x0006

/* Number of mice_crc32() calls so far (tests/unit/crc_zlib.c). */
extern unsigned long pkt_crc32_calls;

void pkt_put_be16(u8 *p, u16 v);
void pkt_put_be32(u8 *p, u32 v);

/* The fixed transaction ID the STUN builders use (12 octets). */
extern const u8 pkt_stun_tid[12];

/*
 * STUN, built in steps: begin writes the 20-octet header (Message Length 0),
 * attr appends one attribute with its value padded to 4 octets with @pad,
 * fingerprint sets Message Length to cover a FINGERPRINT and appends it.
 * Each takes and returns the current message length (@off).
 */
size_t pkt_stun_begin(u8 *buf, size_t cap, u16 type);
size_t pkt_stun_attr(u8 *buf, size_t cap, size_t off, u16 type,
		     const u8 *val, u16 vlen, u8 pad);
size_t pkt_stun_fingerprint(u8 *buf, size_t cap, size_t off);

/*
 * A STUN message of @type with @attr_bytes octets of attributes (a multiple
 * of 4; one SOFTWARE attribute, header included, when non-zero) and a final
 * FINGERPRINT: 20 + attr_bytes + 8 octets.
 */
size_t pkt_stun(u8 *buf, size_t cap, u16 type, size_t attr_bytes);

/*
 * A Mobility Header of MH type @type and Header Len @hdr_len, so
 * (hdr_len + 1) * 8 octets: Payload Proto 59, Checksum 0, message data a
 * fixed non-zero pattern.
 */
size_t pkt_mh(u8 *buf, size_t cap, u8 type, u8 hdr_len);

/*
 * The ambiguous MH of seed 004 s.12: pkt_mh() with Checksum and the first 16
 * bits of message data equal to the STUN magic cookie (octets 4..7).
 */
size_t pkt_mh_ambiguous(u8 *buf, size_t cap, u8 type, u8 hdr_len);

/*
 * An IPv4 header (IHL 5, UDP, valid header checksum) with Total Length
 * 20 + @payload_len, followed by @payload_len pattern octets.
 */
size_t pkt_ipv4(u8 *buf, size_t cap, size_t payload_len);

/* An IPv6 header with Payload Length @payload_len, then the payload. */
size_t pkt_ipv6(u8 *buf, size_t cap, size_t payload_len);

#endif /* MICE_TEST_PKT_H */
