// SPDX-License-Identifier: GPL-2.0
/* Packet builders for the tests; see pkt.h. */
#include <string.h>

#include "pkt.h"

const u8 pkt_stun_tid[12] = {
	0x6d, 0x69, 0x63, 0x65, 0x2d, 0x74, 0x65, 0x73, 0x74, 0x2d, 0x30, 0x31,
};

void pkt_put_be16(u8 *p, u16 v)
{
	p[0] = (u8)(v >> 8);
	p[1] = (u8)v;
}

void pkt_put_be32(u8 *p, u32 v)
{
	p[0] = (u8)(v >> 24);
	p[1] = (u8)(v >> 16);
	p[2] = (u8)(v >> 8);
	p[3] = (u8)v;
}

/* A deterministic filler that never looks like a header of interest. */
static void pkt_fill(u8 *p, size_t n, u8 seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (u8)(seed + 7 * i) | 0x01;
}

size_t pkt_stun_begin(u8 *buf, size_t cap, u16 type)
{
	if (cap < MICE_STUN_HEADER_LEN || (type & 0xc000))
		return 0;
	pkt_put_be16(buf, type);		/* RFC 8489 s.5 */
	pkt_put_be16(buf + 2, 0);
	pkt_put_be32(buf + 4, MICE_STUN_COOKIE);
	memcpy(buf + 8, pkt_stun_tid, sizeof(pkt_stun_tid));
	return MICE_STUN_HEADER_LEN;
}

size_t pkt_stun_attr(u8 *buf, size_t cap, size_t off, u16 type,
		     const u8 *val, u16 vlen, u8 pad)
{
	size_t padded = ((size_t)vlen + 3) & ~(size_t)3;
	size_t end = off + 4 + padded;

	if (off < MICE_STUN_HEADER_LEN || (off & 3) || end > cap ||
	    end - MICE_STUN_HEADER_LEN > 0xffff)
		return 0;
	pkt_put_be16(buf + off, type);		/* RFC 8489 s.14 */
	pkt_put_be16(buf + off + 2, vlen);
	if (vlen)
		memcpy(buf + off + 4, val, vlen);
	memset(buf + off + 4 + vlen, pad, padded - vlen);
	pkt_put_be16(buf + 2, (u16)(end - MICE_STUN_HEADER_LEN));
	return end;
}

size_t pkt_stun_fingerprint(u8 *buf, size_t cap, size_t off)
{
	size_t end = off + 8;

	if (off < MICE_STUN_HEADER_LEN || (off & 3) || end > cap ||
	    end - MICE_STUN_HEADER_LEN > 0xffff)
		return 0;
	/* The length field covers FINGERPRINT before the CRC (s.14.7). */
	pkt_put_be16(buf + 2, (u16)(end - MICE_STUN_HEADER_LEN));
	pkt_put_be16(buf + off, MICE_STUN_ATTR_FINGERPRINT);
	pkt_put_be16(buf + off + 2, 4);
	pkt_put_be32(buf + off + 4,
		     mice_crc32(buf, off) ^ MICE_STUN_FINGERPRINT_XOR);
	return end;
}

size_t pkt_stun(u8 *buf, size_t cap, u16 type, size_t attr_bytes)
{
	size_t off = pkt_stun_begin(buf, cap, type);
	size_t vlen;

	if (!off || (attr_bytes & 3) || attr_bytes > 0xffff - 8 ||
	    off + attr_bytes + 8 > cap)
		return 0;
	if (attr_bytes) {
		vlen = attr_bytes - 4;
		pkt_put_be16(buf + off, PKT_STUN_ATTR_SOFTWARE);
		pkt_put_be16(buf + off + 2, (u16)vlen);
		pkt_fill(buf + off + 4, vlen, 0x41);
		off += attr_bytes;
	}
	return pkt_stun_fingerprint(buf, cap, off);
}

size_t pkt_mh(u8 *buf, size_t cap, u8 type, u8 hdr_len)
{
	size_t len = ((size_t)hdr_len + 1) * 8;

	if (len > cap)
		return 0;
	buf[0] = MICE_MH_PAYLOAD_PROTO;		/* RFC 6275 s.6.1.1 */
	buf[1] = hdr_len;
	buf[2] = type;
	buf[3] = 0;				/* Reserved */
	pkt_put_be16(buf + 4, 0);		/* Checksum */
	pkt_fill(buf + 6, len - 6, 0x10);
	return len;
}

size_t pkt_mh_ambiguous(u8 *buf, size_t cap, u8 type, u8 hdr_len)
{
	size_t len = pkt_mh(buf, cap, type, hdr_len);

	if (!len)
		return 0;
	/* Checksum || first 16 bits of message data = cookie (seed 004 s.12) */
	pkt_put_be32(buf + 4, MICE_STUN_COOKIE);
	return len;
}

size_t pkt_ipv4(u8 *buf, size_t cap, size_t payload_len)
{
	size_t len = 20 + payload_len;
	u32 sum = 0;
	size_t i;

	if (len > cap || len > 0xffff)
		return 0;
	memset(buf, 0, 20);
	buf[0] = 0x45;				/* version 4, IHL 5 (RFC 791) */
	pkt_put_be16(buf + 2, (u16)len);	/* Total Length */
	pkt_put_be16(buf + 4, 0x1234);		/* Identification */
	buf[8] = 64;				/* TTL */
	buf[9] = 17;				/* UDP */
	pkt_put_be32(buf + 12, 0x0a000001);	/* 10.0.0.1 */
	pkt_put_be32(buf + 16, 0x0a000002);	/* 10.0.0.2 */
	for (i = 0; i < 20; i += 2)
		sum += (u32)buf[i] << 8 | buf[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	pkt_put_be16(buf + 10, (u16)~sum);
	pkt_fill(buf + 20, payload_len, 0x20);
	return len;
}

size_t pkt_ipv6(u8 *buf, size_t cap, size_t payload_len)
{
	size_t len = 40 + payload_len;

	if (len > cap || payload_len > 0xffff)
		return 0;
	memset(buf, 0, 40);
	buf[0] = 0x60;				/* version 6 (RFC 8200 s.3) */
	pkt_put_be16(buf + 4, (u16)payload_len);
	buf[6] = 17;				/* Next Header: UDP */
	buf[7] = 64;				/* Hop Limit */
	pkt_put_be32(buf + 8, 0x20010db8);	/* 2001:db8::1 */
	buf[23] = 1;
	pkt_put_be32(buf + 24, 0x20010db8);	/* 2001:db8::2 */
	buf[39] = 2;
	pkt_fill(buf + 40, payload_len, 0x30);
	return len;
}
