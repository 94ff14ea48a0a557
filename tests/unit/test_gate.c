// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of kmod/gate_match.c: gate classifier checks and matching at
 * every prefix length and port edge (seed 001 s.6.2 gates), 5-tuple
 * extraction from good and bad IPv4/IPv6 packets (RFC 791, RFC 8200 s.4),
 * and the flow-key hash. Packets are parsed from heap copies of exactly the
 * given length so the ASan build catches over-reads.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "gate_match.h"

/* ---- helpers ---------------------------------------------------------- */

static struct mice_gate_classifier cls_any(void)
{
	struct mice_gate_classifier c;

	memset(&c, 0, sizeof(c));
	c.sport.hi = 65535;
	c.dport.hi = 65535;
	return c;
}

static struct mice_flow_key key4(u32 src, u32 dst, u16 sp, u16 dp)
{
	struct mice_flow_key k;

	memset(&k, 0, sizeof(k));
	k.family = MICE_AF_INET;
	k.proto = MICE_GATE_PROTO_UDP;
	k.src[0] = src >> 24; k.src[1] = src >> 16; k.src[2] = src >> 8; k.src[3] = src;
	k.dst[0] = dst >> 24; k.dst[1] = dst >> 16; k.dst[2] = dst >> 8; k.dst[3] = dst;
	k.sport = sp;
	k.dport = dp;
	return k;
}

static void flip_bit(u8 *a, unsigned int bit)
{
	a[bit / 8] ^= (u8)(0x80 >> (bit % 8));
}

/* @p := @addr masked to @len bits. */
static void make_prefix(struct mice_prefix *p, u8 family, const u8 *addr,
			unsigned int len)
{
	unsigned int i;

	memset(p, 0, sizeof(*p));
	p->family = family;
	p->len = (u8)len;
	for (i = 0; i < len; i++)
		if (addr[i / 8] & (0x80 >> (i % 8)))
			p->addr[i / 8] |= (u8)(0x80 >> (i % 8));
}

/* Parse @len octets of which only @avail are readable, from a heap copy. */
static int parse_avail(const u8 *pkt, u32 avail, u32 len,
		       struct mice_flow_key *k)
{
	u8 *copy = malloc(avail ? avail : 1);
	int rc;

	ck_assert_ptr_nonnull(copy);
	memcpy(copy, pkt, avail);
	rc = mice_flow_key_parse(copy, avail, len, k);
	free(copy);
	return rc;
}

/*
 * Parse all @len octets of @pkt from a heap copy of exactly that size (so
 * ASan sees an over-read), then again with every shorter @avail the module
 * might hand over: each gives the same answer or SHORT_READ, and once an
 * @avail gives the answer every longer one does too.
 */
static int parse_copy(const u8 *pkt, u32 len, struct mice_flow_key *k)
{
	struct mice_flow_key k2;
	bool answered = false;
	u32 avail;
	int rc, rc2;

	rc = parse_avail(pkt, len, len, k);
	ck_assert_int_ne(rc, MICE_FLOW_E_SHORT_READ);
	for (avail = 0; avail < len; avail++) {
		rc2 = parse_avail(pkt, avail, len, &k2);
		if (rc2 == MICE_FLOW_E_SHORT_READ) {
			ck_assert_msg(!answered, "avail %u of %u: short read "
				      "after an answer", avail, len);
			continue;
		}
		answered = true;
		ck_assert_msg(rc2 == rc, "avail %u of %u: rc %d, all: %d",
			      avail, len, rc2, rc);
		ck_assert(!memcmp(&k2, k, sizeof(k2)));
	}
	return rc;
}

static void put16(u8 *p, u16 v)
{
	p[0] = v >> 8;
	p[1] = (u8)v;
}

/* IPv4 header (IHL 5 + @opt_words) + UDP/TCP header + @pay octets. */
static u32 build4(u8 *b, u8 proto, u32 opt_words, u32 pay)
{
	u32 ihl = 20 + 4 * opt_words;
	u32 l4 = proto == MICE_GATE_PROTO_TCP ? 20 : 8;
	u32 tot = ihl + l4 + pay;

	memset(b, 0, tot);
	b[0] = (u8)(0x40 | (5 + opt_words));
	put16(b + 2, (u16)tot);
	b[8] = 64;
	b[9] = proto;
	b[12] = 192; b[13] = 0; b[14] = 2; b[15] = 1;
	b[16] = 198; b[17] = 51; b[18] = 100; b[19] = 7;
	put16(b + ihl, 5004);
	put16(b + ihl + 2, 6006);
	if (proto == MICE_GATE_PROTO_TCP)
		b[ihl + 12] = 5 << 4;
	else
		put16(b + ihl + 4, (u16)(8 + pay));
	return tot;
}

/*
 * IPv6 header, then the extension headers in @ext (next-header values,
 * each 8 octets, AH 12 octets), then a UDP/TCP header and @pay octets.
 */
static u32 build6(u8 *b, const u8 *ext, u32 next, u8 proto, u32 pay)
{
	u32 off = 40, i;
	u8 *nh = b + 6;

	memset(b, 0, 40);
	b[0] = 0x60;
	b[7] = 64;
	for (i = 0; i < 16; i++) {
		b[8 + i] = (u8)(0x20 + i);
		b[24 + i] = (u8)(0x40 + i);
	}
	for (i = 0; i < next; i++) {
		*nh = ext[i];
		memset(b + off, 0, 16);
		nh = b + off;
		if (ext[i] == 51) {	/* AH: (len + 2) * 4 = 12 */
			b[off + 1] = 1;
			off += 12;
		} else {
			b[off + 1] = 0;
			off += 8;
		}
	}
	*nh = proto;
	memset(b + off, 0, 20 + pay);
	put16(b + off, 5004);
	put16(b + off + 2, 6006);
	if (proto == MICE_GATE_PROTO_TCP) {
		b[off + 12] = 5 << 4;
		off += 20;
	} else {
		off += 8;
	}
	off += pay;
	put16(b + 4, (u16)(off - 40));
	return off;
}

/* ---- classifier checks ------------------------------------------------ */

START_TEST(test_check)
{
	struct mice_gate_classifier c = cls_any();

	ck_assert_int_eq(mice_gate_classifier_check(&c), MICE_GATE_OK);
	c.proto = 1;
	ck_assert_int_eq(mice_gate_classifier_check(&c), MICE_GATE_E_PROTO);
	c.proto = MICE_GATE_PROTO_TCP;
	ck_assert_int_eq(mice_gate_classifier_check(&c), MICE_GATE_OK);
	c.dir = 3;
	ck_assert_int_eq(mice_gate_classifier_check(&c), MICE_GATE_E_DIR);
	c.dir = MICE_GATE_DIR_DOWN;
	c.src.family = 5;
	ck_assert_int_eq(mice_gate_classifier_check(&c), MICE_GATE_E_FAMILY);
	c.src.family = MICE_AF_ANY;
	c.src.len = 1;
	ck_assert_int_eq(mice_gate_classifier_check(&c), MICE_GATE_E_PREFIX_LEN);
	c.src.len = 0;
	c.src.addr[15] = 1;
	ck_assert_int_eq(mice_gate_classifier_check(&c), MICE_GATE_E_HOST_BITS);
	c.src.addr[15] = 0;
	c.src.family = MICE_AF_INET;
	c.src.len = 33;
	ck_assert_int_eq(mice_gate_classifier_check(&c), MICE_GATE_E_PREFIX_LEN);
	c.src.len = 32;
	ck_assert_int_eq(mice_gate_classifier_check(&c), MICE_GATE_OK);
	c.src.addr[4] = 1;	/* beyond the 4 octets of IPv4 */
	ck_assert_int_eq(mice_gate_classifier_check(&c), MICE_GATE_E_HOST_BITS);
	c.src.addr[4] = 0;
	c.src.len = 24;
	c.src.addr[3] = 0x80;
	ck_assert_int_eq(mice_gate_classifier_check(&c), MICE_GATE_E_HOST_BITS);
	c.src.len = 25;
	ck_assert_int_eq(mice_gate_classifier_check(&c), MICE_GATE_OK);
	c.dst.family = MICE_AF_INET6;
	ck_assert_int_eq(mice_gate_classifier_check(&c), MICE_GATE_E_FAMILY_MIX);
	c.dst.family = MICE_AF_INET;
	c.dst.len = 0;
	ck_assert_int_eq(mice_gate_classifier_check(&c), MICE_GATE_OK);
	c.dst.family = MICE_AF_INET6;
	c.src.family = MICE_AF_ANY;
	c.src.len = 0;
	c.src.addr[3] = 0;
	c.dst.len = 129;
	ck_assert_int_eq(mice_gate_classifier_check(&c), MICE_GATE_E_PREFIX_LEN);
	c.dst.len = 128;
	c.dst.addr[15] = 1;
	ck_assert_int_eq(mice_gate_classifier_check(&c), MICE_GATE_OK);
	c.sport.lo = 10;
	c.sport.hi = 9;
	ck_assert_int_eq(mice_gate_classifier_check(&c), MICE_GATE_E_PORT_RANGE);
	c.sport.hi = 10;
	c.dport.lo = 65535;
	c.dport.hi = 0;
	ck_assert_int_eq(mice_gate_classifier_check(&c), MICE_GATE_E_PORT_RANGE);
	ck_assert_str_eq(mice_gate_err_name(MICE_GATE_E_PORT_RANGE),
			 "port range low end above high end");
	ck_assert_str_eq(mice_gate_err_name(999), "unknown");
}
END_TEST

/* ---- prefix matching at every length ----------------------------------- */

/*
 * For every prefix length 0..bits: the address itself matches; flipping any
 * bit inside the prefix breaks the match; flipping any bit after it keeps
 * it. Done for the source and the destination side.
 */
static void prefix_sweep(u8 family, unsigned int bits, const u8 *addr)
{
	unsigned int len, bit, side;

	for (side = 0; side < 2; side++) {
		for (len = 0; len <= bits; len++) {
			struct mice_gate_classifier c = cls_any();
			struct mice_flow_key k;
			struct mice_prefix *p = side ? &c.dst : &c.src;
			u8 *ka;

			memset(&k, 0, sizeof(k));
			k.family = family;
			k.proto = MICE_GATE_PROTO_UDP;
			ka = side ? k.dst : k.src;
			memcpy(ka, addr, bits / 8);
			make_prefix(p, family, addr, len);
			ck_assert_int_eq(mice_gate_classifier_check(&c), MICE_GATE_OK);
			ck_assert_msg(mice_gate_classifier_match(&c, &k),
				      "family %u /%u side %u: own address", family, len, side);
			for (bit = 0; bit < bits; bit++) {
				flip_bit(ka, bit);
				ck_assert_msg(mice_gate_classifier_match(&c, &k) == (bit >= len),
					      "family %u /%u side %u bit %u", family, len, side, bit);
				flip_bit(ka, bit);
			}
			/* The other family never matches a non-any prefix. */
			k.family = family == MICE_AF_INET ? MICE_AF_INET6 : MICE_AF_INET;
			ck_assert(!mice_gate_classifier_match(&c, &k));
		}
	}
}

START_TEST(test_prefix_v4_all_lengths)
{
	const u8 a[4] = { 203, 0, 113, 0xa5 };
	const u8 ones[4] = { 255, 255, 255, 255 };
	const u8 zeros[4] = { 0, 0, 0, 0 };

	prefix_sweep(MICE_AF_INET, 32, a);
	prefix_sweep(MICE_AF_INET, 32, ones);
	prefix_sweep(MICE_AF_INET, 32, zeros);
}
END_TEST

START_TEST(test_prefix_v6_all_lengths)
{
	const u8 a[16] = { 0x20, 0x01, 0x0d, 0xb8, 0x12, 0x34, 0x56, 0x78,
			   0x9a, 0xbc, 0xde, 0xf0, 0x0f, 0xed, 0xcb, 0xa9 };
	u8 ones[16];

	memset(ones, 0xff, sizeof(ones));
	prefix_sweep(MICE_AF_INET6, 128, a);
	prefix_sweep(MICE_AF_INET6, 128, ones);
}
END_TEST

START_TEST(test_prefix_named_edges)
{
	struct mice_gate_classifier c = cls_any();
	struct mice_flow_key k;

	/* 10.0.0.0/24: .0 and .255 in, 10.0.1.0 and 9.255.255.255 out. */
	c.dst.family = MICE_AF_INET;
	c.dst.len = 24;
	c.dst.addr[0] = 10;
	k = key4(1, 0x0a000000, 1, 1);
	ck_assert(mice_gate_classifier_match(&c, &k));
	k = key4(1, 0x0a0000ff, 1, 1);
	ck_assert(mice_gate_classifier_match(&c, &k));
	k = key4(1, 0x0a000100, 1, 1);
	ck_assert(!mice_gate_classifier_match(&c, &k));
	k = key4(1, 0x09ffffff, 1, 1);
	ck_assert(!mice_gate_classifier_match(&c, &k));

	/* /0 of family 4 takes every IPv4 address but no IPv6 one. */
	c.dst.len = 0;
	c.dst.addr[0] = 0;
	k = key4(1, 0xffffffff, 1, 1);
	ck_assert(mice_gate_classifier_match(&c, &k));
	k.family = MICE_AF_INET6;
	ck_assert(!mice_gate_classifier_match(&c, &k));
	/* An "any" prefix takes both families. */
	c.dst.family = MICE_AF_ANY;
	ck_assert(mice_gate_classifier_match(&c, &k));

	/* 2001:db8::/127 holds ::0 and ::1, not ::2. */
	c = cls_any();
	c.src.family = MICE_AF_INET6;
	c.src.len = 127;
	c.src.addr[0] = 0x20; c.src.addr[1] = 0x01;
	c.src.addr[2] = 0x0d; c.src.addr[3] = 0xb8;
	memset(&k, 0, sizeof(k));
	k.family = MICE_AF_INET6;
	k.proto = MICE_GATE_PROTO_UDP;
	memcpy(k.src, c.src.addr, 16);
	ck_assert(mice_gate_classifier_match(&c, &k));
	k.src[15] = 1;
	ck_assert(mice_gate_classifier_match(&c, &k));
	k.src[15] = 2;
	ck_assert(!mice_gate_classifier_match(&c, &k));
	/* /128 holds exactly one. */
	c.src.len = 128;
	k.src[15] = 0;
	ck_assert(mice_gate_classifier_match(&c, &k));
	k.src[15] = 1;
	ck_assert(!mice_gate_classifier_match(&c, &k));
}
END_TEST

/* An unchecked classifier with an absurd length must not over-read. */
START_TEST(test_prefix_unchecked_len)
{
	struct mice_gate_classifier c = cls_any();
	struct mice_flow_key k = key4(0x0a000001, 1, 1, 1);

	c.src.family = MICE_AF_INET;
	c.src.len = 255;
	c.src.addr[0] = 10;
	c.src.addr[3] = 1;
	ck_assert_int_eq(mice_gate_classifier_check(&c), MICE_GATE_E_PREFIX_LEN);
	ck_assert(mice_gate_classifier_match(&c, &k));	/* clamped to /32 */
	k.src[3] = 2;
	ck_assert(!mice_gate_classifier_match(&c, &k));
}
END_TEST

/* ---- ports, protocol, direction --------------------------------------- */

START_TEST(test_port_edges)
{
	static const struct { u16 lo, hi; } r[] = {
		{ 1000, 2000 }, { 0, 0 }, { 65535, 65535 }, { 0, 65535 },
		{ 1, 1 }, { 5004, 5005 },
	};
	unsigned int i, side;
	u32 p;

	for (i = 0; i < sizeof(r) / sizeof(r[0]); i++) {
		for (side = 0; side < 2; side++) {
			struct mice_gate_classifier c = cls_any();
			struct mice_port_range *pr = side ? &c.dport : &c.sport;

			pr->lo = r[i].lo;
			pr->hi = r[i].hi;
			/* Every port at and around both edges, plus 0/65535. */
			for (p = 0; p <= 65535; p++) {
				struct mice_flow_key k;
				bool want = p >= r[i].lo && p <= r[i].hi;

				if (p > 2 && p < 65533 &&
				    (p + 2 < r[i].lo || p > (u32)r[i].lo + 2) &&
				    (p + 2 < r[i].hi || p > (u32)r[i].hi + 2))
					continue;
				k = key4(1, 2, side ? 7 : (u16)p, side ? (u16)p : 7);
				if (!side)
					want = want && 7 >= c.dport.lo && 7 <= c.dport.hi;
				ck_assert_msg(mice_gate_classifier_match(&c, &k) == want,
					      "range %u-%u side %u port %u", r[i].lo,
					      r[i].hi, side, p);
			}
		}
	}
}
END_TEST

START_TEST(test_proto_dir)
{
	struct mice_gate_classifier c = cls_any();
	struct mice_flow_key k = key4(1, 2, 3, 4);

	ck_assert(mice_gate_classifier_match(&c, &k));	/* any / UDP */
	k.proto = MICE_GATE_PROTO_TCP;
	ck_assert(mice_gate_classifier_match(&c, &k));	/* any / TCP */
	c.proto = MICE_GATE_PROTO_UDP;
	ck_assert(!mice_gate_classifier_match(&c, &k));
	k.proto = MICE_GATE_PROTO_UDP;
	ck_assert(mice_gate_classifier_match(&c, &k));
	c.proto = MICE_GATE_PROTO_TCP;
	ck_assert(!mice_gate_classifier_match(&c, &k));

	c.proto = MICE_GATE_PROTO_ANY;
	c.dir = MICE_GATE_DIR_UP;
	k.dir = MICE_GATE_DIR_UP;
	ck_assert(mice_gate_classifier_match(&c, &k));
	k.dir = MICE_GATE_DIR_DOWN;
	ck_assert(!mice_gate_classifier_match(&c, &k));
	c.dir = MICE_GATE_DIR_ANY;
	ck_assert(mice_gate_classifier_match(&c, &k));
}
END_TEST

/* ---- flow key parsing ------------------------------------------------- */

START_TEST(test_parse_v4_good)
{
	u8 b[256];
	struct mice_flow_key k;
	u32 len;

	len = build4(b, MICE_GATE_PROTO_UDP, 0, 12);
	ck_assert_int_eq(parse_copy(b, len, &k), 0);
	ck_assert_int_eq(k.family, MICE_AF_INET);
	ck_assert_int_eq(k.proto, MICE_GATE_PROTO_UDP);
	ck_assert_int_eq(k.sport, 5004);
	ck_assert_int_eq(k.dport, 6006);
	ck_assert_int_eq(k.src[0], 192);
	ck_assert_int_eq(k.dst[3], 7);
	ck_assert_int_eq(k.src[4] | k.dst[15] | k.dir | k.pad, 0);
	/* Trailing link-layer padding beyond Total Length is ignored. */
	ck_assert_int_eq(parse_copy(b, len + 6, &k), 0);
	/* Options (IHL 15 = 60 octets). */
	len = build4(b, MICE_GATE_PROTO_UDP, 10, 0);
	ck_assert_int_eq(parse_copy(b, len, &k), 0);
	ck_assert_int_eq(k.dport, 6006);
	len = build4(b, MICE_GATE_PROTO_TCP, 1, 3);
	ck_assert_int_eq(parse_copy(b, len, &k), 0);
	ck_assert_int_eq(k.proto, MICE_GATE_PROTO_TCP);
	ck_assert_int_eq(k.sport, 5004);
	/* DF set is not a fragment. */
	b[6] = 0x40;
	ck_assert_int_eq(parse_copy(b, len, &k), 0);
}
END_TEST

START_TEST(test_parse_v4_bad)
{
	u8 b[256] = { 0 };
	struct mice_flow_key k;
	u32 len, l;

	ck_assert_int_eq(parse_copy(b, 0, &k), MICE_FLOW_E_EMPTY);
	len = build4(b, MICE_GATE_PROTO_UDP, 0, 4);
	/* Every truncation fails, and leaves the key zeroed. */
	for (l = 1; l < len; l++) {
		int rc = parse_copy(b, l, &k);

		ck_assert_msg(rc != 0, "len %u parsed", l);
		ck_assert_int_eq(k.family | k.proto | k.sport | k.dport, 0);
		if (l < 20)
			ck_assert_int_eq(rc, MICE_FLOW_E_IPV4_HEADER);
		else
			ck_assert_int_eq(rc, MICE_FLOW_E_IPV4_LENGTH);
	}
	b[0] = 0x44;	/* IHL 4 */
	ck_assert_int_eq(parse_copy(b, len, &k), MICE_FLOW_E_IPV4_HEADER);
	b[0] = 0x4f;	/* IHL 15 = 60 > 32 */
	ck_assert_int_eq(parse_copy(b, len, &k), MICE_FLOW_E_IPV4_HEADER);
	b[0] = 0x45;
	put16(b + 2, 19);	/* Total Length < IHL */
	ck_assert_int_eq(parse_copy(b, len, &k), MICE_FLOW_E_IPV4_LENGTH);
	put16(b + 2, 27);	/* UDP header cut by Total Length */
	ck_assert_int_eq(parse_copy(b, len, &k), MICE_FLOW_E_L4_HEADER);
	put16(b + 2, (u16)len);
	b[6] = 0x20;		/* MF */
	ck_assert_int_eq(parse_copy(b, len, &k), MICE_FLOW_E_FRAGMENT);
	b[6] = 0x00;
	b[7] = 0x01;		/* offset 8 */
	ck_assert_int_eq(parse_copy(b, len, &k), MICE_FLOW_E_FRAGMENT);
	b[7] = 0;
	b[9] = 1;		/* ICMP */
	ck_assert_int_eq(parse_copy(b, len, &k), MICE_FLOW_E_PROTO);
	b[0] = 0x55;
	ck_assert_int_eq(parse_copy(b, len, &k), MICE_FLOW_E_VERSION);
	b[0] = 0x05;
	ck_assert_int_eq(parse_copy(b, 1, &k), MICE_FLOW_E_VERSION);

	len = build4(b, MICE_GATE_PROTO_TCP, 0, 0);
	b[20 + 12] = 4 << 4;	/* Data Offset 4 */
	ck_assert_int_eq(parse_copy(b, len, &k), MICE_FLOW_E_L4_HEADER);
	b[20 + 12] = 6 << 4;	/* 24 octets > 20 present */
	ck_assert_int_eq(parse_copy(b, len, &k), MICE_FLOW_E_L4_HEADER);
	ck_assert_str_eq(mice_flow_err_name(MICE_FLOW_E_FRAGMENT), "fragment");
	ck_assert_str_eq(mice_flow_err_name(1000), "unknown");
}
END_TEST

START_TEST(test_parse_v6)
{
	static const u8 chain[] = { 0, 60, 43, 51, 60 };
	u8 nine[MICE_FLOW_MAX_EXT + 1];
	u8 b[512];
	struct mice_flow_key k;
	u32 len, l, n;

	len = build6(b, NULL, 0, MICE_GATE_PROTO_UDP, 20);
	ck_assert_int_eq(parse_copy(b, len, &k), 0);
	ck_assert_int_eq(k.family, MICE_AF_INET6);
	ck_assert_int_eq(k.sport, 5004);
	ck_assert_int_eq(k.dport, 6006);
	ck_assert_int_eq(k.src[0], 0x20);
	ck_assert_int_eq(k.dst[15], 0x4f);
	for (l = 1; l < len; l++)
		ck_assert_int_ne(parse_copy(b, l, &k), 0);
	ck_assert_int_eq(parse_copy(b, 39, &k), MICE_FLOW_E_IPV6_HEADER);
	ck_assert_int_eq(parse_copy(b, 41, &k), MICE_FLOW_E_IPV6_LENGTH);

	/* Every prefix of the extension chain, TCP and UDP. */
	for (n = 0; n <= sizeof(chain); n++) {
		len = build6(b, chain, n, MICE_GATE_PROTO_TCP, 0);
		ck_assert_msg(parse_copy(b, len, &k) == 0, "chain %u", n);
		ck_assert_int_eq(k.proto, MICE_GATE_PROTO_TCP);
		ck_assert_int_eq(k.dport, 6006);
		for (l = 40; l < len; l++)
			ck_assert_int_ne(parse_copy(b, l, &k), 0);
	}
	/* Truncated inside the chain: Payload Length says so. */
	len = build6(b, chain, 3, MICE_GATE_PROTO_UDP, 0);
	put16(b + 4, 12);	/* HBH + 4 octets of DSTOPTS */
	ck_assert_int_eq(parse_copy(b, len, &k), MICE_FLOW_E_EXT_HEADER);
	put16(b + 4, 20);	/* DSTOPTS header present, body cut */
	b[48 + 1] = 1;		/* DSTOPTS says 16 octets */
	ck_assert_int_eq(parse_copy(b, len, &k), MICE_FLOW_E_EXT_HEADER);

	memset(nine, 0, sizeof(nine));
	for (n = 1; n < sizeof(nine); n++)
		nine[n] = 60;
	len = build6(b, nine, MICE_FLOW_MAX_EXT, MICE_GATE_PROTO_UDP, 0);
	ck_assert_int_eq(parse_copy(b, len, &k), 0);
	len = build6(b, nine, MICE_FLOW_MAX_EXT + 1, MICE_GATE_PROTO_UDP, 0);
	ck_assert_int_eq(parse_copy(b, len, &k), MICE_FLOW_E_EXT_CHAIN);

	len = build6(b, (const u8 *)"\x00\x2c", 2, MICE_GATE_PROTO_UDP, 0);
	ck_assert_int_eq(parse_copy(b, len, &k), MICE_FLOW_E_FRAGMENT);
	len = build6(b, NULL, 0, 58, 0);	/* ICMPv6 */
	ck_assert_int_eq(parse_copy(b, len, &k), MICE_FLOW_E_PROTO);
	len = build6(b, NULL, 0, 59, 0);	/* No Next Header */
	ck_assert_int_eq(parse_copy(b, len, &k), MICE_FLOW_E_PROTO);
	len = build6(b, NULL, 0, MICE_GATE_PROTO_UDP, 0);
	put16(b + 4, 0);
	ck_assert_int_eq(parse_copy(b, len, &k), MICE_FLOW_E_IPV6_JUMBO);
	put16(b + 4, 7);
	ck_assert_int_eq(parse_copy(b, len, &k), MICE_FLOW_E_L4_HEADER);
}
END_TEST

/*
 * What the module hands the parser: the first MICE_FLOW_HEAD_MAX octets of
 * a longer packet. Headers within them parse as in full; a transport
 * header beyond them is SHORT_READ, never an over-read; a packet that is
 * itself too short is refused for its length, whatever was read.
 */
START_TEST(test_parse_head_only)
{
	static const u8 eight[MICE_FLOW_MAX_EXT] = { 0, 60, 60, 60, 60, 60, 60, 60 };
	struct mice_flow_key k;
	u8 b[2048];
	u32 len, need;

	/* IPv4 with 60 octets of header and TCP: 80 octets suffice. */
	len = build4(b, MICE_GATE_PROTO_TCP, 10, 1200);
	ck_assert_int_eq(parse_avail(b, MICE_FLOW_HEAD_MAX, len, &k), 0);
	ck_assert_int_eq(k.dport, 6006);
	ck_assert_int_eq(parse_avail(b, 80, len, &k), 0);
	ck_assert_int_eq(parse_avail(b, 79, len, &k), MICE_FLOW_E_SHORT_READ);
	ck_assert_int_eq(k.family | k.proto | k.sport | k.dport, 0);
	ck_assert_int_eq(parse_avail(b, 19, len, &k), MICE_FLOW_E_SHORT_READ);
	ck_assert_int_eq(parse_avail(b, 0, len, &k), MICE_FLOW_E_SHORT_READ);
	/* the lengths come first: a packet cut short is not a short read */
	ck_assert_int_eq(parse_avail(b, 19, 19, &k), MICE_FLOW_E_IPV4_HEADER);
	put16(b + 2, (u16)(len + 1));
	ck_assert_int_eq(parse_avail(b, 40, len, &k), MICE_FLOW_E_IPV4_LENGTH);

	/* IPv6 with eight extension headers (64 octets) and UDP: 112 */
	len = build6(b, eight, MICE_FLOW_MAX_EXT, MICE_GATE_PROTO_UDP, 1000);
	need = 40 + 8 * MICE_FLOW_MAX_EXT + 8;
	ck_assert_uint_le(need, MICE_FLOW_HEAD_MAX);
	ck_assert_int_eq(parse_avail(b, MICE_FLOW_HEAD_MAX, len, &k), 0);
	ck_assert_int_eq(parse_avail(b, need, len, &k), 0);
	ck_assert_int_eq(parse_avail(b, need - 1, len, &k),
			 MICE_FLOW_E_SHORT_READ);
	/* an extension header's length octet beyond the head */
	ck_assert_int_eq(parse_avail(b, 40 + 8 * 3 + 1, len, &k),
			 MICE_FLOW_E_SHORT_READ);
	/* one Destination Options header of 256 octets: past the head */
	len = build6(b, eight, 2, MICE_GATE_PROTO_UDP, 1000);
	b[48 + 1] = 31;		/* (31 + 1) * 8 = 256 octets */
	ck_assert_int_eq(parse_avail(b, MICE_FLOW_HEAD_MAX, len, &k),
			 MICE_FLOW_E_SHORT_READ);
	ck_assert_str_eq(mice_flow_err_name(MICE_FLOW_E_SHORT_READ),
			 "short_read");
}
END_TEST

/* Parse then match: a gate for the packet's own flow takes it. */
START_TEST(test_parse_then_match)
{
	struct mice_gate_classifier c = cls_any();
	struct mice_flow_key k;
	u8 b[256];
	u32 len = build4(b, MICE_GATE_PROTO_UDP, 0, 100);

	c.proto = MICE_GATE_PROTO_UDP;
	c.src.family = c.dst.family = MICE_AF_INET;
	c.src.len = 24;
	c.src.addr[0] = 192; c.src.addr[1] = 0; c.src.addr[2] = 2;
	c.dst.len = 32;
	c.dst.addr[0] = 198; c.dst.addr[1] = 51; c.dst.addr[2] = 100;
	c.dst.addr[3] = 7;
	c.sport.lo = c.sport.hi = 5004;
	c.dport.lo = 6000;
	c.dport.hi = 6010;
	ck_assert_int_eq(mice_gate_classifier_check(&c), MICE_GATE_OK);
	ck_assert_int_eq(parse_copy(b, len, &k), 0);
	ck_assert(mice_gate_classifier_match(&c, &k));
	c.dport.hi = 6005;
	ck_assert(!mice_gate_classifier_match(&c, &k));
}
END_TEST

/* ---- hash ------------------------------------------------------------- */

START_TEST(test_hash)
{
	struct mice_flow_key a = key4(0x0a000001, 0x0a000002, 5004, 6006);
	struct mice_flow_key b = a;
	static u32 seen[4096];
	unsigned int i, j, coll = 0, bit;
	u32 h0 = mice_flow_key_hash(&a, 1);

	ck_assert_uint_eq(h0, mice_flow_key_hash(&b, 1));
	ck_assert_uint_ne(h0, mice_flow_key_hash(&a, 2));
	/* Every single-bit change of a field changes the hash. */
	for (bit = 0; bit < 32; bit++) {
		b = a;
		flip_bit(b.src, bit);
		ck_assert_uint_ne(h0, mice_flow_key_hash(&b, 1));
		b = a;
		flip_bit(b.dst, bit);
		ck_assert_uint_ne(h0, mice_flow_key_hash(&b, 1));
	}
	for (bit = 0; bit < 16; bit++) {
		b = a;
		b.sport ^= (u16)(1u << bit);
		ck_assert_uint_ne(h0, mice_flow_key_hash(&b, 1));
		b = a;
		b.dport ^= (u16)(1u << bit);
		ck_assert_uint_ne(h0, mice_flow_key_hash(&b, 1));
	}
	b = a;
	b.proto = MICE_GATE_PROTO_TCP;
	ck_assert_uint_ne(h0, mice_flow_key_hash(&b, 1));
	b = a;
	b.dir = 1;
	ck_assert_uint_ne(h0, mice_flow_key_hash(&b, 1));
	/* Padding and unused IPv4 octets are not hashed. */
	b = a;
	b.pad = 9;
	b.src[9] = 1;
	ck_assert_uint_eq(h0, mice_flow_key_hash(&b, 1));

	/*
	 * 4096 keys differing only in the source port into 4096 buckets: a
	 * uniform hash leaves 4096/e = 1507 empty, standard deviation about
	 * 31; allow +-10% (about 5 sigma).
	 */
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < 4096; i++) {
		b = a;
		b.sport = (u16)i;
		seen[mice_flow_key_hash(&b, 0x9e3779b9u) & 4095]++;
	}
	for (j = 0; j < 4096; j++)
		coll += seen[j] == 0;
	ck_assert_msg(coll > 1356 && coll < 1658,
		      "%u empty buckets", coll);
}
END_TEST

static Suite *gate_suite(void)
{
	Suite *s = suite_create("gate");
	TCase *tc = tcase_create("gate");

	tcase_add_test(tc, test_check);
	tcase_add_test(tc, test_prefix_v4_all_lengths);
	tcase_add_test(tc, test_prefix_v6_all_lengths);
	tcase_add_test(tc, test_prefix_named_edges);
	tcase_add_test(tc, test_prefix_unchecked_len);
	tcase_add_test(tc, test_port_edges);
	tcase_add_test(tc, test_proto_dir);
	tcase_add_test(tc, test_parse_v4_good);
	tcase_add_test(tc, test_parse_v4_bad);
	tcase_add_test(tc, test_parse_v6);
	tcase_add_test(tc, test_parse_head_only);
	tcase_add_test(tc, test_parse_then_match);
	tcase_add_test(tc, test_hash);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(gate_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
