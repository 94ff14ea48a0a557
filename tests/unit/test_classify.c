// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the freestanding classifier kmod/classify.c (seed 004 s.12,
 * RFC 8489, RFC 6275 s.6.1.1). Every packet is copied into a heap buffer of
 * exactly the length handed to mice_classify(), so the ASan build catches
 * any read past @avail.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "pkt.h"

#define BUF 4096

/* Classify @len octets of @pkt given only @avail of them, from a heap copy. */
static enum mice_class classify_avail(const u8 *pkt, u32 avail, u32 len,
				      enum mice_reason *reason)
{
	u8 *copy = malloc(avail ? avail : 1);
	enum mice_class cls;

	ck_assert_ptr_nonnull(copy);
	if (avail)
		memcpy(copy, pkt, avail);
	*reason = (enum mice_reason)-1;
	cls = mice_classify(copy, avail, len, reason);
	free(copy);
	return cls;
}

static u32 need_of(const u8 *pkt, u32 len)
{
	return mice_classify_need(pkt, len, len);
}

/*
 * Check the class and reason of @pkt with all octets available, then again
 * with exactly mice_classify_need() octets (same answer), and with one octet
 * fewer (SHORT_READ).
 */
#define expect(pkt, len, want_cls, want_reason)				\
	expect_at(__LINE__, (pkt), (len), (want_cls), (want_reason))

static void expect_at(int line, const u8 *pkt, u32 len,
		      enum mice_class want_cls, enum mice_reason want_reason)
{
	enum mice_reason reason;
	enum mice_class cls;
	u32 need;

	cls = classify_avail(pkt, len, len, &reason);
	ck_assert_msg(cls == want_cls && reason == want_reason,
		      "line %d len %u: got %s/%s, want %s/%s", line, len,
		      mice_class_name(cls), mice_reason_name(reason),
		      mice_class_name(want_cls), mice_reason_name(want_reason));
	if (!len)
		return;
	need = need_of(pkt, len);
	ck_assert_msg(need <= len, "line %d: need %u > len %u", line, need,
		      len);
	cls = classify_avail(pkt, need, len, &reason);
	ck_assert_msg(cls == want_cls && reason == want_reason,
		      "line %d len %u avail=need %u: got %s/%s", line, len,
		      need, mice_class_name(cls), mice_reason_name(reason));
	cls = classify_avail(pkt, need - 1, len, &reason);
	ck_assert_msg(cls == MICE_CLASS_INVALID &&
		      reason == MICE_REASON_SHORT_READ,
		      "line %d len %u avail %u: got %s/%s, want short_read",
		      line, len, need - 1, mice_class_name(cls),
		      mice_reason_name(reason));
}

/* ---- empty and exhaustive short lengths ---- */

START_TEST(test_empty)
{
	enum mice_reason reason = MICE_REASON_NONE;
	u8 b = 0x45;

	ck_assert_int_eq(mice_classify(NULL, 0, 0, &reason),
			 MICE_CLASS_INVALID);
	ck_assert_int_eq(reason, MICE_REASON_EMPTY);
	reason = MICE_REASON_NONE;
	ck_assert_int_eq(mice_classify(&b, 1, 0, &reason), MICE_CLASS_INVALID);
	ck_assert_int_eq(reason, MICE_REASON_EMPTY);
	ck_assert_uint_eq(mice_classify_need(NULL, 0, 0), 0);
}
END_TEST

/* Leading-byte kinds for the exhaustive 0..28 length test. */
enum kind {
	K_IPV4_ADJUSTED,	/* IPv4, Total Length set to len */
	K_IPV4_FIXED,		/* IPv4 of 28 octets, truncated */
	K_IPV6,			/* IPv6 of 40 octets, truncated */
	K_MH,			/* MH of 24 octets (Header Len 2), truncated */
	K_MH_AMBIGUOUS,		/* ambiguous MH of 24 octets, truncated */
	K_STUN_ADJUSTED,	/* STUN, Message Length set to len - 20 */
	K_STUN_FIXED,		/* STUN of 28 octets, truncated */
	K_ZERO,			/* all zero: top bits 0, no cookie */
	K_TOP01,		/* 0x7f: top bits 01, version 7 */
	K_TOP10,		/* 0x80 */
	K_TOP11,		/* 0xff */
	K_VERSION5,		/* 0x55 */
	K_MAX
};

static const char *const kind_names[K_MAX] = {
	"ipv4_adjusted", "ipv4_fixed", "ipv6", "mh", "mh_ambiguous",
	"stun_adjusted", "stun_fixed", "zero", "0x7f", "0x80", "0xff", "0x55",
};

/* Build a @len-octet payload of @k into @buf; return the expected result. */
static enum mice_class build_kind(enum kind k, u32 len, u8 *buf,
				  enum mice_reason *want)
{
	memset(buf, 0x00, 64);
	*want = MICE_REASON_UNKNOWN;
	if (len == 0) {
		*want = MICE_REASON_EMPTY;
		return MICE_CLASS_INVALID;
	}
	switch (k) {
	case K_IPV4_ADJUSTED:
		ck_assert_uint_eq(pkt_ipv4(buf, 64, 8), 28);
		pkt_put_be16(buf + 2, (u16)len);
		*want = len < 20 ? MICE_REASON_IPV4_HEADER : MICE_REASON_NONE;
		break;
	case K_IPV4_FIXED:
		ck_assert_uint_eq(pkt_ipv4(buf, 64, 8), 28);
		*want = len < 20 ? MICE_REASON_IPV4_HEADER :
		       len < 28 ? MICE_REASON_IPV4_LENGTH : MICE_REASON_NONE;
		break;
	case K_IPV6:
		ck_assert_uint_eq(pkt_ipv6(buf, 64, 0), 40);
		*want = MICE_REASON_IPV6_HEADER;
		return MICE_CLASS_INVALID;
	case K_MH:
	case K_MH_AMBIGUOUS:
		if (k == K_MH)
			ck_assert_uint_eq(pkt_mh(buf, 64, 5, 2), 24);
		else
			ck_assert_uint_eq(pkt_mh_ambiguous(buf, 64, 5, 2), 24);
		memset(buf + 24, 0x11, 8);
		*want = len == 24 ? MICE_REASON_NONE : MICE_REASON_MH_LENGTH;
		if (*want == MICE_REASON_NONE)
			return MICE_CLASS_MIP;
		return MICE_CLASS_INVALID;
	case K_STUN_ADJUSTED:
		ck_assert_uint_eq(pkt_stun(buf, 64, PKT_STUN_BINDING_REQUEST,
					   0), 28);
		if (len < 20)
			return MICE_CLASS_INVALID;	/* no cookie */
		pkt_put_be16(buf + 2, (u16)(len - 20));
		if (len == 28) {
			*want = MICE_REASON_NONE;
			return MICE_CLASS_STUN;
		}
		*want = len % 4 ? MICE_REASON_STUN_LENGTH :
				  MICE_REASON_STUN_NO_FINGERPRINT;
		return MICE_CLASS_INVALID;
	case K_STUN_FIXED:
		ck_assert_uint_eq(pkt_stun(buf, 64, PKT_STUN_BINDING_REQUEST,
					   0), 28);
		if (len < 20)
			return MICE_CLASS_INVALID;
		if (len == 28) {
			*want = MICE_REASON_NONE;
			return MICE_CLASS_STUN;
		}
		*want = MICE_REASON_STUN_LENGTH;
		return MICE_CLASS_INVALID;
	case K_ZERO:
		return MICE_CLASS_INVALID;
	case K_TOP01:
		memset(buf, 0x7f, 64);
		return MICE_CLASS_INVALID;
	case K_TOP10:
		buf[0] = 0x80;
		return MICE_CLASS_INVALID;
	case K_TOP11:
		memset(buf, 0xff, 64);
		return MICE_CLASS_INVALID;
	case K_VERSION5:
		buf[0] = 0x55;
		return MICE_CLASS_INVALID;
	default:
		ck_abort();
	}
	/* IPv4 kinds */
	return *want == MICE_REASON_NONE ? MICE_CLASS_DATA : MICE_CLASS_INVALID;
}

START_TEST(test_lengths_0_to_28)
{
	u8 buf[64];
	enum mice_reason want, reason;
	enum mice_class want_cls, cls;
	u32 len, need, want_need;
	int k;

	for (k = 0; k < K_MAX; k++) {
		for (len = 0; len <= 28; len++) {
			want_cls = build_kind((enum kind)k, len, buf, &want);
			cls = classify_avail(buf, len, len, &reason);
			ck_assert_msg(cls == want_cls && reason == want,
				      "%s len %u: got %s/%s, want %s/%s",
				      kind_names[k], len, mice_class_name(cls),
				      mice_reason_name(reason),
				      mice_class_name(want_cls),
				      mice_reason_name(want));

			/* Only a cookie-bearing STUN candidate needs it all. */
			need = need_of(buf, len);
			want_need = len < 8 ? len : 8;
			if (len >= 20 && (k == K_STUN_ADJUSTED ||
					  k == K_STUN_FIXED ||
					  k == K_MH_AMBIGUOUS))
				want_need = len;
			ck_assert_msg(need == want_need,
				      "%s len %u: need %u, want %u",
				      kind_names[k], len, need, want_need);
			if (len)
				expect(buf, len, want_cls, want);
		}
	}
}
END_TEST

/* Every first octet, the other seven zero. */
START_TEST(test_every_first_octet)
{
	u8 buf[8] = { 0 };
	enum mice_reason want;
	enum mice_class want_cls;
	unsigned int b;

	for (b = 0; b < 256; b++) {
		buf[0] = (u8)b;
		want_cls = MICE_CLASS_INVALID;
		if (b >> 4 == 4) {
			want = MICE_REASON_IPV4_HEADER;
		} else if (b >> 4 == 6) {
			want = MICE_REASON_IPV6_HEADER;
		} else if (b == MICE_MH_PAYLOAD_PROTO) {
			/* Header Len 0, type 0 (BRR): the smallest MH */
			want_cls = MICE_CLASS_MIP;
			want = MICE_REASON_NONE;
		} else {
			want = MICE_REASON_UNKNOWN;
		}
		expect(buf, 8, want_cls, want);
	}
}
END_TEST

/* ---- STUN ---- */

/* RFC 5769 s.2.1 Sample Request, typed in from the RFC (padding is 0x20). */
static const u8 rfc5769_request[108] = {
	0x00, 0x01, 0x00, 0x58, 0x21, 0x12, 0xa4, 0x42,
	0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86,
	0xfa, 0x87, 0xdf, 0xae, 0x80, 0x22, 0x00, 0x10,
	0x53, 0x54, 0x55, 0x4e, 0x20, 0x74, 0x65, 0x73,
	0x74, 0x20, 0x63, 0x6c, 0x69, 0x65, 0x6e, 0x74,
	0x00, 0x24, 0x00, 0x04, 0x6e, 0x00, 0x01, 0xff,
	0x80, 0x29, 0x00, 0x08, 0x93, 0x2f, 0xf9, 0xb1,
	0x51, 0x26, 0x3b, 0x36, 0x00, 0x06, 0x00, 0x09,
	0x65, 0x76, 0x74, 0x6a, 0x3a, 0x68, 0x36, 0x76,
	0x59, 0x20, 0x20, 0x20, 0x00, 0x08, 0x00, 0x14,
	0x9a, 0xea, 0xa7, 0x0c, 0xbf, 0xd8, 0xcb, 0x56,
	0x78, 0x1e, 0xf2, 0xb5, 0xb2, 0xd3, 0xf2, 0x49,
	0xc1, 0xb5, 0x71, 0xa2, 0x80, 0x28, 0x00, 0x04,
	0xe5, 0x7a, 0x3b, 0xcf,
};

START_TEST(test_rfc5769_request)
{
	u8 buf[sizeof(rfc5769_request)];

	expect(rfc5769_request, sizeof(rfc5769_request), MICE_CLASS_STUN,
	       MICE_REASON_NONE);
	ck_assert_uint_eq(need_of(rfc5769_request, 108), 108);

	/* one bit of the USERNAME padding changed: the CRC covers it */
	memcpy(buf, rfc5769_request, sizeof(buf));
	buf[73] ^= 0x01;
	expect(buf, sizeof(buf), MICE_CLASS_INVALID,
	       MICE_REASON_STUN_FINGERPRINT);

	/* one bit of the FINGERPRINT value changed */
	memcpy(buf, rfc5769_request, sizeof(buf));
	buf[107] ^= 0x80;
	expect(buf, sizeof(buf), MICE_CLASS_INVALID,
	       MICE_REASON_STUN_FINGERPRINT);
}
END_TEST

START_TEST(test_stun_sizes_and_types)
{
	static const u16 types[] = { 0x0001, 0x0101, 0x0111, 0x0011, 0x3fff };
	/* up to the longest STUN candidate read whole: 20 + 2020 + 8 */
	static const size_t attr[] = { 0, 4, 8, 72, 472, 972, 1472, 2020 };
	u8 buf[BUF];
	size_t i, j, len;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		for (j = 0; j < sizeof(attr) / sizeof(attr[0]); j++) {
			len = pkt_stun(buf, sizeof(buf), types[i], attr[j]);
			ck_assert_uint_eq(len, 20 + attr[j] + 8);
			expect(buf, (u32)len, MICE_CLASS_STUN,
			       MICE_REASON_NONE);
			ck_assert_uint_eq(need_of(buf, (u32)len), len);
		}
	}
}
END_TEST

/*
 * Item 12 of issue 14: a cookie-bearing candidate longer than
 * MICE_STUN_MAX_LEN is refused on its head: need stays at the head, and a
 * valid message (correct FINGERPRINT) is INVALID/STUN_OVERSIZE, as is an
 * ambiguous MH or garbage of that length behind the cookie.
 */
START_TEST(test_stun_oversize)
{
	static const size_t attr[] = { 2024, 2028, 4000, 60000, 65500 };
	enum mice_reason reason;
	size_t i, len;
	u8 *buf = malloc(0x10000);

	ck_assert_ptr_nonnull(buf);
	for (i = 0; i < sizeof(attr) / sizeof(attr[0]); i++) {
		len = pkt_stun(buf, 0x10000, PKT_STUN_BINDING_REQUEST,
			       attr[i]);
		ck_assert_uint_gt(len, MICE_STUN_MAX_LEN);
		ck_assert_uint_eq(mice_classify_need(buf, 8, (u32)len), 8);
		ck_assert_uint_eq(need_of(buf, (u32)len), 8);
		expect(buf, (u32)len, MICE_CLASS_INVALID,
		       MICE_REASON_STUN_OVERSIZE);
		/* the head alone decides: 8 octets of a 64 KiB datagram */
		ck_assert_int_eq(classify_avail(buf, 8, (u32)len, &reason),
				 MICE_CLASS_INVALID);
		ck_assert_int_eq(reason, MICE_REASON_STUN_OVERSIZE);
	}
	/* one over the limit, cookie and a broken body: the same reason */
	len = pkt_stun(buf, 0x10000, PKT_STUN_BINDING_REQUEST, 2020);
	ck_assert_uint_eq(len, MICE_STUN_MAX_LEN);
	expect(buf, (u32)len, MICE_CLASS_STUN, MICE_REASON_NONE);
	memset(buf + len, 0x41, 4);
	pkt_put_be16(buf + 2, (u16)(len + 4 - 20));
	expect(buf, (u32)len + 4, MICE_CLASS_INVALID,
	       MICE_REASON_STUN_OVERSIZE);
	/* an ambiguous MH start (59, cookie at 4) that long is no MH */
	buf[0] = MICE_MH_PAYLOAD_PROTO;
	buf[1] = 0xff;
	expect(buf, 4096, MICE_CLASS_INVALID, MICE_REASON_STUN_OVERSIZE);
	/* without the cookie nothing changes: the head decides as before */
	buf[4] = 0;
	expect(buf, 4096, MICE_CLASS_INVALID, MICE_REASON_MH_LENGTH);
	free(buf);
}
END_TEST

/* Several attributes whose values need padding, padded with 0x20 or 0. */
START_TEST(test_stun_padded_attributes)
{
	static const u8 user[9] = "evtj:h6vY";
	static const u8 prio[4] = { 0x6e, 0x00, 0x01, 0xff };
	u8 buf[256];
	size_t off;

	off = pkt_stun_begin(buf, sizeof(buf), PKT_STUN_BINDING_REQUEST);
	off = pkt_stun_attr(buf, sizeof(buf), off, PKT_STUN_ATTR_USERNAME,
			    user, sizeof(user), 0x20);
	off = pkt_stun_attr(buf, sizeof(buf), off, 0x0024, prio, 4, 0);
	off = pkt_stun_attr(buf, sizeof(buf), off, PKT_STUN_ATTR_SOFTWARE,
			    user, 1, 0);
	off = pkt_stun_attr(buf, sizeof(buf), off, 0x0025, NULL, 0, 0);
	off = pkt_stun_fingerprint(buf, sizeof(buf), off);
	ck_assert_uint_eq(off, 20 + 16 + 8 + 8 + 4 + 8);
	expect(buf, (u32)off, MICE_CLASS_STUN, MICE_REASON_NONE);
}
END_TEST

START_TEST(test_stun_bad_cookie)
{
	u8 buf[128];
	size_t len = pkt_stun(buf, sizeof(buf), PKT_STUN_BINDING_REQUEST, 8);
	int i;

	ck_assert_uint_eq(len, 36);
	for (i = 4; i < 8; i++) {
		buf[i] ^= 0x01;
		/* no cookie: a leading 0x00 fits no class; head is enough */
		expect(buf, (u32)len, MICE_CLASS_INVALID, MICE_REASON_UNKNOWN);
		ck_assert_uint_eq(need_of(buf, (u32)len), 8);
		buf[i] ^= 0x01;
	}
	expect(buf, (u32)len, MICE_CLASS_STUN, MICE_REASON_NONE);

	/* the cookie with a top bit set is not STUN (RFC 8489 s.5) */
	buf[0] = 0x80;
	expect(buf, (u32)len, MICE_CLASS_INVALID, MICE_REASON_UNKNOWN);
	ck_assert_uint_eq(need_of(buf, (u32)len), 8);
	buf[0] = 0x40;
	expect(buf, (u32)len, MICE_CLASS_INVALID, MICE_REASON_IPV4_HEADER);
}
END_TEST

START_TEST(test_stun_bad_fingerprint)
{
	u8 buf[128];
	size_t len = pkt_stun(buf, sizeof(buf), PKT_STUN_BINDING_REQUEST, 12);
	u32 crc;
	int bit;

	ck_assert_uint_eq(len, 40);
	for (bit = 0; bit < 32; bit++) {
		buf[len - 4 + bit / 8] ^= (u8)(1u << (bit % 8));
		expect(buf, (u32)len, MICE_CLASS_INVALID,
		       MICE_REASON_STUN_FINGERPRINT);
		buf[len - 4 + bit / 8] ^= (u8)(1u << (bit % 8));
	}
	/* the plain CRC without the XOR constant of RFC 8489 s.14.7 */
	crc = mice_crc32(buf, len - 8);
	pkt_put_be32(buf + len - 4, crc);
	expect(buf, (u32)len, MICE_CLASS_INVALID,
	       MICE_REASON_STUN_FINGERPRINT);
	/* a changed header octet after the FINGERPRINT was computed */
	pkt_put_be32(buf + len - 4, crc ^ MICE_STUN_FINGERPRINT_XOR);
	expect(buf, (u32)len, MICE_CLASS_STUN, MICE_REASON_NONE);
	buf[9] ^= 0x10;
	expect(buf, (u32)len, MICE_CLASS_INVALID,
	       MICE_REASON_STUN_FINGERPRINT);
}
END_TEST

START_TEST(test_stun_no_fingerprint)
{
	static const u8 val[4] = { 'm', 'i', 'c', 'e' };
	u8 buf[128];
	size_t off, len;

	/* header only: Message Length 0 */
	len = pkt_stun_begin(buf, sizeof(buf), PKT_STUN_BINDING_REQUEST);
	expect(buf, (u32)len, MICE_CLASS_INVALID,
	       MICE_REASON_STUN_NO_FINGERPRINT);

	/* attributes but no FINGERPRINT */
	off = pkt_stun_attr(buf, sizeof(buf), len, PKT_STUN_ATTR_SOFTWARE,
			    val, 4, 0);
	off = pkt_stun_attr(buf, sizeof(buf), off, 0x0024, val, 4, 0);
	ck_assert_uint_eq(off, 36);
	expect(buf, (u32)off, MICE_CLASS_INVALID,
	       MICE_REASON_STUN_NO_FINGERPRINT);

	/* FINGERPRINT, then another attribute: FINGERPRINT not last */
	off = pkt_stun_begin(buf, sizeof(buf), PKT_STUN_BINDING_REQUEST);
	off = pkt_stun_fingerprint(buf, sizeof(buf), off);
	off = pkt_stun_attr(buf, sizeof(buf), off, PKT_STUN_ATTR_SOFTWARE,
			    val, 4, 0);
	ck_assert_uint_eq(off, 36);
	expect(buf, (u32)off, MICE_CLASS_INVALID,
	       MICE_REASON_STUN_NO_FINGERPRINT);

	/* FINGERPRINT type with length 8 instead of 4 */
	len = pkt_stun(buf, sizeof(buf), PKT_STUN_BINDING_REQUEST, 8);
	pkt_put_be16(buf + len - 6, 8);
	expect(buf, (u32)len, MICE_CLASS_INVALID,
	       MICE_REASON_STUN_NO_FINGERPRINT);

	/* a different type where FINGERPRINT belongs */
	len = pkt_stun(buf, sizeof(buf), PKT_STUN_BINDING_REQUEST, 8);
	pkt_put_be16(buf + len - 8, 0x8029);
	expect(buf, (u32)len, MICE_CLASS_INVALID,
	       MICE_REASON_STUN_NO_FINGERPRINT);
}
END_TEST

/*
 * Octets 80 28 00 04 and a correct CRC at len - 8, but inside the value of
 * a SOFTWARE attribute that runs to the end: the attribute walk finds that
 * the last attribute is not FINGERPRINT.
 */
START_TEST(test_stun_fingerprint_inside_attribute)
{
	u8 buf[64];
	size_t len;

	len = pkt_stun_begin(buf, sizeof(buf), PKT_STUN_BINDING_REQUEST);
	pkt_put_be16(buf + 20, PKT_STUN_ATTR_SOFTWARE);
	pkt_put_be16(buf + 22, 12);
	memcpy(buf + 24, "mice", 4);
	pkt_put_be16(buf + 28, MICE_STUN_ATTR_FINGERPRINT);
	pkt_put_be16(buf + 30, 4);
	len = 36;
	pkt_put_be16(buf + 2, (u16)(len - 20));
	pkt_put_be32(buf + 32,
		     mice_crc32(buf, 28) ^ MICE_STUN_FINGERPRINT_XOR);
	/* precondition: octets len-8.. look exactly like a good FINGERPRINT */
	ck_assert_uint_eq(mice_get_be32(buf + len - 8), 0x80280004u);
	ck_assert_uint_eq(mice_get_be32(buf + len - 4),
			  mice_crc32(buf, len - 8) ^ MICE_STUN_FINGERPRINT_XOR);
	expect(buf, (u32)len, MICE_CLASS_INVALID,
	       MICE_REASON_STUN_NO_FINGERPRINT);

	/* an attribute that overruns the FINGERPRINT position */
	len = pkt_stun(buf, sizeof(buf), PKT_STUN_BINDING_REQUEST, 8);
	pkt_put_be16(buf + 22, 5);	/* 4 -> 5, padded to 8 */
	pkt_put_be32(buf + len - 4,
		     mice_crc32(buf, len - 8) ^ MICE_STUN_FINGERPRINT_XOR);
	expect(buf, (u32)len, MICE_CLASS_INVALID,
	       MICE_REASON_STUN_NO_FINGERPRINT);
	/* and one that stops short of it */
	pkt_put_be16(buf + 22, 0);
	pkt_put_be32(buf + len - 4,
		     mice_crc32(buf, len - 8) ^ MICE_STUN_FINGERPRINT_XOR);
	expect(buf, (u32)len, MICE_CLASS_INVALID,
	       MICE_REASON_STUN_NO_FINGERPRINT);
	/* restored: STUN again, so the two above failed for the walk alone */
	pkt_put_be16(buf + 22, 4);
	pkt_put_be32(buf + len - 4,
		     mice_crc32(buf, len - 8) ^ MICE_STUN_FINGERPRINT_XOR);
	expect(buf, (u32)len, MICE_CLASS_STUN, MICE_REASON_NONE);
}
END_TEST

START_TEST(test_stun_length_mismatch)
{
	u8 buf[256];
	size_t len = pkt_stun(buf, sizeof(buf), PKT_STUN_BINDING_REQUEST, 32);
	static const int delta[] = { -4, 4, -1, 1, 2, 3, -20, 0x7000 };
	u16 msglen;
	size_t i;

	ck_assert_uint_eq(len, 60);
	msglen = mice_get_be16(buf + 2);
	ck_assert_uint_eq(msglen, 40);
	for (i = 0; i < sizeof(delta) / sizeof(delta[0]); i++) {
		pkt_put_be16(buf + 2, (u16)(msglen + delta[i]));
		expect(buf, (u32)len, MICE_CLASS_INVALID,
		       MICE_REASON_STUN_LENGTH);
	}
	pkt_put_be16(buf + 2, msglen);
	expect(buf, (u32)len, MICE_CLASS_STUN, MICE_REASON_NONE);

	/* the message shorter or longer than its length field says */
	expect(buf, (u32)len - 4, MICE_CLASS_INVALID, MICE_REASON_STUN_LENGTH);
	memset(buf + len, 0, 4);
	expect(buf, (u32)len + 4, MICE_CLASS_INVALID, MICE_REASON_STUN_LENGTH);

	/* length field matches, but not a multiple of 4 (RFC 8489 s.5) */
	pkt_put_be16(buf + 2, (u16)(len + 2 - 20));
	expect(buf, (u32)len + 2, MICE_CLASS_INVALID, MICE_REASON_STUN_LENGTH);
}
END_TEST

/* The cheap checks come first: no CRC unless everything else passed. */
START_TEST(test_crc_only_last)
{
	u8 buf[256];
	enum mice_reason reason;
	unsigned long before;
	size_t len;

	len = pkt_stun(buf, sizeof(buf), PKT_STUN_BINDING_REQUEST, 100);
	before = pkt_crc32_calls;
	ck_assert_int_eq(mice_classify(buf, (u32)len, (u32)len, &reason),
			 MICE_CLASS_STUN);
	ck_assert_uint_eq(pkt_crc32_calls - before, 1);

	before = pkt_crc32_calls;
	mice_classify(buf, (u32)len, (u32)len - 4, &reason);
	ck_assert_int_eq(reason, MICE_REASON_STUN_LENGTH);
	buf[len - 7] = 0x29;
	mice_classify(buf, (u32)len, (u32)len, &reason);
	ck_assert_int_eq(reason, MICE_REASON_STUN_NO_FINGERPRINT);
	len = pkt_mh_ambiguous(buf, sizeof(buf), 5, 3);
	mice_classify(buf, (u32)len, (u32)len, &reason);
	ck_assert_int_eq(reason, MICE_REASON_NONE);
	len = pkt_ipv4(buf, sizeof(buf), 100);
	mice_classify(buf, (u32)len, (u32)len, &reason);
	ck_assert_int_eq(reason, MICE_REASON_NONE);
	len = pkt_ipv6(buf, sizeof(buf), 100);
	mice_classify(buf, (u32)len, (u32)len, &reason);
	ck_assert_int_eq(reason, MICE_REASON_NONE);
	ck_assert_uint_eq(pkt_crc32_calls - before, 0);
}
END_TEST

/* ---- Mobility Header ---- */

START_TEST(test_mh_types)
{
	u8 buf[BUF];
	unsigned int type;
	size_t len;

	for (type = 0; type < 256; type++) {
		len = pkt_mh(buf, sizeof(buf), (u8)type, 1);
		ck_assert_uint_eq(len, 16);
		if (type <= MICE_MH_TYPE_MAX)
			expect(buf, 16, MICE_CLASS_MIP, MICE_REASON_NONE);
		else
			expect(buf, 16, MICE_CLASS_INVALID,
			       MICE_REASON_MH_TYPE);
	}
}
END_TEST

START_TEST(test_mh_lengths)
{
	u8 buf[BUF];
	size_t len;

	/* smallest and largest Header Len */
	len = pkt_mh(buf, sizeof(buf), 5, 0);
	ck_assert_uint_eq(len, 8);
	expect(buf, 8, MICE_CLASS_MIP, MICE_REASON_NONE);
	len = pkt_mh(buf, sizeof(buf), 6, 255);
	ck_assert_uint_eq(len, 2048);
	expect(buf, 2048, MICE_CLASS_MIP, MICE_REASON_NONE);
	expect(buf, 2047, MICE_CLASS_INVALID, MICE_REASON_MH_LENGTH);

	/* Header Len one unit too small / too large for the payload */
	len = pkt_mh(buf, sizeof(buf), 5, 3);
	ck_assert_uint_eq(len, 32);
	buf[1] = 2;
	expect(buf, 32, MICE_CLASS_INVALID, MICE_REASON_MH_LENGTH);
	buf[1] = 4;
	expect(buf, 32, MICE_CLASS_INVALID, MICE_REASON_MH_LENGTH);
	buf[1] = 3;
	expect(buf, 32, MICE_CLASS_MIP, MICE_REASON_NONE);
	/* payload not a multiple of 8 */
	expect(buf, 33, MICE_CLASS_INVALID, MICE_REASON_MH_LENGTH);
	expect(buf, 31, MICE_CLASS_INVALID, MICE_REASON_MH_LENGTH);
	/* a bad length wins over a bad type */
	buf[2] = 200;
	expect(buf, 33, MICE_CLASS_INVALID, MICE_REASON_MH_LENGTH);
}
END_TEST

/*
 * seed 004 s.12: an MH whose Checksum and first 16 bits of message data
 * equal the magic cookie is still MIP when there is no valid FINGERPRINT.
 */
START_TEST(test_mh_ambiguous)
{
	u8 buf[BUF];
	enum mice_reason reason;
	unsigned int type, hl;
	size_t len;

	for (hl = 2; hl < 8; hl++) {
		for (type = 0; type <= MICE_MH_TYPE_MAX; type++) {
			len = pkt_mh_ambiguous(buf, sizeof(buf), (u8)type,
					       (u8)hl);
			ck_assert_uint_eq(mice_get_be32(buf + 4),
					  MICE_STUN_COOKIE);
			expect(buf, (u32)len, MICE_CLASS_MIP,
			       MICE_REASON_NONE);
			/* the FINGERPRINT check needs every octet */
			ck_assert_uint_eq(need_of(buf, (u32)len), len);
			ck_assert_int_eq(mice_classify(buf, 8, (u32)len,
						       &reason),
					 MICE_CLASS_INVALID);
			ck_assert_int_eq(reason, MICE_REASON_SHORT_READ);
		}
	}
	/* ambiguous and bad: the MH reason, not a STUN one */
	len = pkt_mh_ambiguous(buf, sizeof(buf), 24, 3);
	expect(buf, (u32)len, MICE_CLASS_INVALID, MICE_REASON_MH_TYPE);
	len = pkt_mh_ambiguous(buf, sizeof(buf), 5, 3);
	buf[1] = 4;
	expect(buf, (u32)len, MICE_CLASS_INVALID, MICE_REASON_MH_LENGTH);
	/* under 20 octets the cookie is not looked at: only 8 needed */
	len = pkt_mh_ambiguous(buf, sizeof(buf), 5, 1);
	ck_assert_uint_eq(len, 16);
	ck_assert_uint_eq(need_of(buf, 16), 8);
	expect(buf, 16, MICE_CLASS_MIP, MICE_REASON_NONE);
}
END_TEST

/*
 * The other way round: a STUN message that starts with 59 (type 0x3b01)
 * and has a valid FINGERPRINT is STUN, even though its length also makes it
 * a well-formed MH. Break the FINGERPRINT and MIP wins.
 */
START_TEST(test_stun_beats_mh)
{
	u8 buf[BUF];
	size_t len;

	/* first octet 59, not a valid MH (Header Len 1 = 16 octets) */
	len = pkt_stun(buf, sizeof(buf), 0x3b01, 0);
	ck_assert_uint_eq(len, 28);
	expect(buf, 28, MICE_CLASS_STUN, MICE_REASON_NONE);

	/* type 0x3b03 with 4 attribute octets: also a valid 32-octet MH */
	len = pkt_stun(buf, sizeof(buf), 0x3b03, 4);
	ck_assert_uint_eq(len, 32);
	expect(buf, 32, MICE_CLASS_STUN, MICE_REASON_NONE);
	buf[len - 1] ^= 1;
	/* MH type is octet 2: Message Length high octet, 0 */
	expect(buf, 32, MICE_CLASS_MIP, MICE_REASON_NONE);

	/* cookie, bad FINGERPRINT, no MH lead: the STUN reason */
	len = pkt_stun(buf, sizeof(buf), PKT_STUN_BINDING_REQUEST, 4);
	buf[len - 1] ^= 1;
	expect(buf, (u32)len, MICE_CLASS_INVALID,
	       MICE_REASON_STUN_FINGERPRINT);
}
END_TEST

/* ---- IPv4 / IPv6 ---- */

START_TEST(test_ipv4)
{
	u8 buf[BUF];
	size_t len;

	len = pkt_ipv4(buf, sizeof(buf), 0);
	ck_assert_uint_eq(len, 20);
	expect(buf, 20, MICE_CLASS_DATA, MICE_REASON_NONE);
	len = pkt_ipv4(buf, sizeof(buf), 1480);
	expect(buf, (u32)len, MICE_CLASS_DATA, MICE_REASON_NONE);

	/* Total Length +-1 */
	pkt_put_be16(buf + 2, (u16)(len + 1));
	expect(buf, (u32)len, MICE_CLASS_INVALID, MICE_REASON_IPV4_LENGTH);
	pkt_put_be16(buf + 2, (u16)(len - 1));
	expect(buf, (u32)len, MICE_CLASS_INVALID, MICE_REASON_IPV4_LENGTH);
	pkt_put_be16(buf + 2, (u16)len);

	/* IHL below 5 */
	buf[0] = 0x44;
	expect(buf, (u32)len, MICE_CLASS_INVALID, MICE_REASON_IPV4_HEADER);
	buf[0] = 0x40;
	expect(buf, (u32)len, MICE_CLASS_INVALID, MICE_REASON_IPV4_HEADER);

	/* IHL up to and beyond the payload */
	len = pkt_ipv4(buf, sizeof(buf), 40);	/* 60 octets */
	buf[0] = 0x4f;
	expect(buf, 60, MICE_CLASS_DATA, MICE_REASON_NONE);
	pkt_put_be16(buf + 2, 56);
	expect(buf, 56, MICE_CLASS_INVALID, MICE_REASON_IPV4_HEADER);
	len = pkt_ipv4(buf, sizeof(buf), 4);	/* 24 octets */
	buf[0] = 0x46;
	expect(buf, 24, MICE_CLASS_DATA, MICE_REASON_NONE);
	buf[0] = 0x47;
	expect(buf, 24, MICE_CLASS_INVALID, MICE_REASON_IPV4_HEADER);

	/* shorter than a header, even if Total Length agrees */
	len = pkt_ipv4(buf, sizeof(buf), 0);
	pkt_put_be16(buf + 2, 19);
	expect(buf, 19, MICE_CLASS_INVALID, MICE_REASON_IPV4_HEADER);
}
END_TEST

START_TEST(test_ipv6)
{
	u8 buf[BUF];
	size_t len;

	len = pkt_ipv6(buf, sizeof(buf), 0);
	ck_assert_uint_eq(len, 40);
	expect(buf, 40, MICE_CLASS_DATA, MICE_REASON_NONE);
	expect(buf, 39, MICE_CLASS_INVALID, MICE_REASON_IPV6_HEADER);
	len = pkt_ipv6(buf, sizeof(buf), 1400);
	expect(buf, (u32)len, MICE_CLASS_DATA, MICE_REASON_NONE);
	pkt_put_be16(buf + 4, 1401);
	expect(buf, (u32)len, MICE_CLASS_INVALID, MICE_REASON_IPV6_LENGTH);
	pkt_put_be16(buf + 4, 1399);
	expect(buf, (u32)len, MICE_CLASS_INVALID, MICE_REASON_IPV6_LENGTH);
	/* traffic class and flow label bits do not matter */
	pkt_put_be16(buf + 4, 1400);
	buf[0] = 0x6f;
	buf[1] = 0xff;
	expect(buf, (u32)len, MICE_CLASS_DATA, MICE_REASON_NONE);
}
END_TEST

/* ---- need / short read ---- */

START_TEST(test_short_read)
{
	u8 buf[BUF];
	enum mice_reason reason;
	size_t len;
	u32 avail;

	len = pkt_ipv4(buf, sizeof(buf), 80);
	for (avail = 0; avail < 8; avail++) {
		ck_assert_int_eq(classify_avail(buf, avail, (u32)len, &reason),
				 MICE_CLASS_INVALID);
		ck_assert_int_eq(reason, MICE_REASON_SHORT_READ);
	}
	ck_assert_int_eq(classify_avail(buf, 8, (u32)len, &reason),
			 MICE_CLASS_DATA);

	len = pkt_stun(buf, sizeof(buf), PKT_STUN_BINDING_REQUEST, 0);
	for (avail = 0; avail < len; avail++) {
		ck_assert_int_eq(classify_avail(buf, avail, (u32)len, &reason),
				 MICE_CLASS_INVALID);
		ck_assert_int_eq(reason, MICE_REASON_SHORT_READ);
	}
	ck_assert_int_eq(classify_avail(buf, (u32)len, (u32)len, &reason),
			 MICE_CLASS_STUN);

	/* a 5-octet payload needs all 5 */
	memset(buf, 0x80, 5);
	ck_assert_int_eq(classify_avail(buf, 4, 5, &reason),
			 MICE_CLASS_INVALID);
	ck_assert_int_eq(reason, MICE_REASON_SHORT_READ);
	ck_assert_int_eq(classify_avail(buf, 5, 5, &reason),
			 MICE_CLASS_INVALID);
	ck_assert_int_eq(reason, MICE_REASON_UNKNOWN);
}
END_TEST

START_TEST(test_need)
{
	u8 buf[BUF];
	size_t len;

	len = pkt_stun(buf, sizeof(buf), PKT_STUN_BINDING_REQUEST, 972);
	ck_assert_uint_eq(len, 1000);
	/* too little to tell: ask for the head first */
	ck_assert_uint_eq(mice_classify_need(buf, 0, 1000), 8);
	ck_assert_uint_eq(mice_classify_need(buf, 7, 1000), 8);
	/* the head shows the cookie: everything */
	ck_assert_uint_eq(mice_classify_need(buf, 8, 1000), 1000);
	ck_assert_uint_eq(mice_classify_need(buf, 1000, 1000), 1000);
	/* the cookie on a candidate over MICE_STUN_MAX_LEN: the head only */
	ck_assert_uint_eq(mice_classify_need(buf, 8, MICE_STUN_MAX_LEN),
			  MICE_STUN_MAX_LEN);
	ck_assert_uint_eq(mice_classify_need(buf, 8, MICE_STUN_MAX_LEN + 1), 8);
	ck_assert_uint_eq(mice_classify_need(buf, 8, 0xffff), 8);
	/* the cookie but under 20 octets: no STUN candidate */
	ck_assert_uint_eq(mice_classify_need(buf, 8, 19), 8);
	ck_assert_uint_eq(mice_classify_need(buf, 8, 20), 20);
	/* short payloads: all of them, never more */
	ck_assert_uint_eq(mice_classify_need(buf, 0, 3), 3);
	ck_assert_uint_eq(mice_classify_need(buf, 3, 3), 3);
	ck_assert_uint_eq(mice_classify_need(buf, 100, 3), 3);

	len = pkt_ipv4(buf, sizeof(buf), 1000);
	ck_assert_uint_eq(mice_classify_need(buf, 8, (u32)len), 8);
	ck_assert_uint_eq(mice_classify_need(buf, (u32)len, (u32)len), 8);
	len = pkt_ipv6(buf, sizeof(buf), 1000);
	ck_assert_uint_eq(mice_classify_need(buf, 8, (u32)len), 8);
	len = pkt_mh(buf, sizeof(buf), 5, 10);
	ck_assert_uint_eq(mice_classify_need(buf, 8, (u32)len), 8);
	len = pkt_mh_ambiguous(buf, sizeof(buf), 5, 10);
	ck_assert_uint_eq(mice_classify_need(buf, 8, (u32)len), len);
	/* the cookie after a top bit: not STUN, head only */
	buf[0] = 0xbb;
	ck_assert_uint_eq(mice_classify_need(buf, 8, (u32)len), 8);
}
END_TEST

/* ---- names ---- */

START_TEST(test_names)
{
	static const char *const cls[] = { "stun", "mip", "data", "invalid" };
	static const char *const rsn[] = {
		"none", "empty", "unknown", "stun_length",
		"stun_no_fingerprint", "stun_fingerprint", "mh_length",
		"mh_type", "ipv4_header", "ipv4_length", "ipv6_header",
		"ipv6_length", "short_read", "data_no_pair",
		"data_inner_source", "data_no_gate", "data_policed", "nomem",
		"stun_oversize", "tx_inner_header",
	};
	unsigned int i;

	ck_assert_uint_eq(sizeof(cls) / sizeof(cls[0]), __MICE_CLASS_MAX);
	ck_assert_uint_eq(sizeof(rsn) / sizeof(rsn[0]), __MICE_REASON_MAX);
	for (i = 0; i < __MICE_CLASS_MAX; i++)
		ck_assert_str_eq(mice_class_name(i), cls[i]);
	for (i = 0; i < __MICE_REASON_MAX; i++)
		ck_assert_str_eq(mice_reason_name(i), rsn[i]);
	ck_assert_str_eq(mice_class_name(MICE_CLASS_MIP), "mip");
	ck_assert_str_eq(mice_reason_name(MICE_REASON_SHORT_READ),
			 "short_read");
	ck_assert_str_eq(mice_class_name(__MICE_CLASS_MAX), "?");
	ck_assert_str_eq(mice_class_name(~0u), "?");
	ck_assert_str_eq(mice_reason_name(__MICE_REASON_MAX), "?");
	ck_assert_str_eq(mice_reason_name(~0u), "?");
}
END_TEST

static Suite *classify_suite(void)
{
	Suite *s = suite_create("classify");
	TCase *tc = tcase_create("classify");

	tcase_add_test(tc, test_empty);
	tcase_add_test(tc, test_lengths_0_to_28);
	tcase_add_test(tc, test_every_first_octet);
	tcase_add_test(tc, test_rfc5769_request);
	tcase_add_test(tc, test_stun_sizes_and_types);
	tcase_add_test(tc, test_stun_oversize);
	tcase_add_test(tc, test_stun_padded_attributes);
	tcase_add_test(tc, test_stun_bad_cookie);
	tcase_add_test(tc, test_stun_bad_fingerprint);
	tcase_add_test(tc, test_stun_no_fingerprint);
	tcase_add_test(tc, test_stun_fingerprint_inside_attribute);
	tcase_add_test(tc, test_stun_length_mismatch);
	tcase_add_test(tc, test_crc_only_last);
	tcase_add_test(tc, test_mh_types);
	tcase_add_test(tc, test_mh_lengths);
	tcase_add_test(tc, test_mh_ambiguous);
	tcase_add_test(tc, test_stun_beats_mh);
	tcase_add_test(tc, test_ipv4);
	tcase_add_test(tc, test_ipv6);
	tcase_add_test(tc, test_short_read);
	tcase_add_test(tc, test_need);
	tcase_add_test(tc, test_names);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(classify_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
