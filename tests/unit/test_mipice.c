// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the MIP-ICE mobility option codec agent/mipice.c (seed 004
 * s.11 Figure 2, wire format in docs/mipice-option.md): exact layout,
 * round trips, one crafted rejection per reason, the peer candidate cap
 * (seed 004 s.14.4.2) and the subsequent-offer semantics (seed 004 s.9).
 */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mipice.h"

#define UFRAG	"abcd"
#define PWD	"0123456789ABCDEFGHIJKL"	/* 22 chars, RFC 8445 s.5.3 */

static uint8_t buf[MIPICE_MAX_LEN];

/* Independent RFC 1071 sum, so the test does not trust the codec's. */
static uint16_t ref_csum(const uint8_t *p, size_t n)
{
	uint32_t s = 0;
	size_t i;

	for (i = 0; i < n; i++)
		s += (i & 1) ? p[i] : (uint32_t)p[i] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* Recompute the option checksum after a crafted edit. */
static void refix(uint8_t *p, size_t n)
{
	uint16_t c;

	p[4] = p[5] = 0;
	c = ref_csum(p, n);
	p[4] = (uint8_t)(c >> 8);
	p[5] = (uint8_t)c;
}

static void set_hl(uint8_t *p, size_t total)
{
	p[1] = (uint8_t)((total - 3) >> 8);
	p[2] = (uint8_t)(total - 3);
}

static struct mipice_cand cand4(enum ice_cand_type t, const char *ip,
				uint16_t port, uint32_t prio)
{
	struct mipice_cand c;
	uint8_t b[4];

	memset(&c, 0, sizeof(c));
	ck_assert_int_eq(inet_pton(AF_INET, ip, b), 1);
	c.type = t;
	c.component = 1;
	c.transport = ICE_TRANSPORT_UDP;
	c.priority = prio;
	ice_addr_set(&c.addr, AF_INET, b, port);
	return c;
}

static struct mipice_cand cand6(enum ice_cand_type t, const char *ip,
				uint16_t port, uint32_t prio)
{
	struct mipice_cand c;
	uint8_t b[16];

	memset(&c, 0, sizeof(c));
	ck_assert_int_eq(inet_pton(AF_INET6, ip, b), 1);
	c.type = t;
	c.component = 2;
	c.transport = ICE_TRANSPORT_UDP;
	c.priority = prio;
	ice_addr_set(&c.addr, AF_INET6, b, port);
	return c;
}

static void base_opt(struct mipice_opt *o)
{
	memset(o, 0, sizeof(*o));
	strcpy(o->ufrag, UFRAG);
	strcpy(o->pwd, PWD);
}

static struct mipice_opt o, d;

static size_t enc(const struct mipice_opt *x)
{
	size_t n = 0;

	ck_assert_int_eq(mipice_encode(x, buf, sizeof(buf), &n), MIPICE_OK);
	ck_assert_uint_eq(n % 8, 0);
	return n;
}

static enum mipice_err dec(size_t n)
{
	size_t used = 0;
	enum mipice_err e = mipice_decode(buf, n, NULL, &d, &used);

	if (e == MIPICE_OK)
		ck_assert_uint_eq(used, n);
	return e;
}

/* One host IPv4 candidate; returns the encoded length (80). */
static size_t one_v4(void)
{
	base_opt(&o);
	o.n_cand = 1;
	o.cand[0] = cand4(ICE_CAND_HOST, "192.0.2.1", 4191, 2130706431u);
	return enc(&o);
}

START_TEST(test_layout_no_candidates)
{
	size_t n;

	base_opt(&o);
	o.lite = true;
	n = enc(&o);
	/* 23 fixed + (2+4) ufrag + (2+22) pwd = 53, padded to 56 */
	ck_assert_uint_eq(n, 56);
	ck_assert_uint_eq(buf[0], 18);			/* Type */
	ck_assert_uint_eq(buf[1], 0);			/* Header Len = 53 */
	ck_assert_uint_eq(buf[2], 53);
	ck_assert_uint_eq(buf[3], 0);			/* # of candidates */
	ck_assert_uint_eq(buf[6], 0x80);		/* L */
	ck_assert_uint_eq(buf[7], 0);
	ck_assert_mem_eq(buf + 8, "0123456789AB", 12);	/* pwd prefix */
	ck_assert_mem_eq(buf + 20, "ab", 2);		/* ufrag prefix */
	ck_assert_uint_eq(buf[22], 30);			/* ice-options len */
	ck_assert_uint_eq(buf[23], 1);
	ck_assert_uint_eq(buf[24], 4);
	ck_assert_mem_eq(buf + 25, UFRAG, 4);
	ck_assert_uint_eq(buf[29], 2);
	ck_assert_uint_eq(buf[30], 22);
	ck_assert_mem_eq(buf + 31, PWD, 22);
	ck_assert_uint_eq(buf[53] | buf[54] | buf[55], 0);	/* padding */
	/* the stored checksum is RFC 1071 over the option, field zero */
	{
		uint16_t c = (uint16_t)(buf[4] << 8 | buf[5]);

		buf[4] = buf[5] = 0;
		ck_assert_uint_eq(c, ref_csum(buf, n));
		buf[4] = (uint8_t)(c >> 8);
		buf[5] = (uint8_t)c;
		ck_assert_uint_eq(ref_csum(buf, n), 0);
	}
	ck_assert_int_eq(dec(n), MIPICE_OK);
	ck_assert(mipice_opt_eq(&o, &d));
	ck_assert(d.lite);
	ck_assert(!d.mismatch);
}
END_TEST

START_TEST(test_layout_candidates)
{
	size_t n;
	uint8_t *c;

	base_opt(&o);
	o.n_cand = 2;
	o.cand[0] = cand4(ICE_CAND_SRFLX, "198.51.100.7", 0x1234, 0x01020304);
	o.cand[0].component = 9;
	{
		uint8_t r[4] = { 10, 0, 0, 1 };

		ice_addr_set(&o.cand[0].rel, AF_INET, r, 0x5678);
	}
	o.cand[1] = cand6(ICE_CAND_RELAY, "2001:db8::9", 4191, 77);
	n = enc(&o);
	ck_assert_uint_eq(n, 56 + 24 + 48);
	ck_assert_uint_eq(buf[3], 2);
	c = buf + 56;
	/* ver 4 | Length 24 | type 1 | comp 9: 0x40 0x01 0x81 0x09 */
	ck_assert_uint_eq(c[0], 0x40);
	ck_assert_uint_eq(c[1], 0x01);
	ck_assert_uint_eq(c[2], 0x81);
	ck_assert_uint_eq(c[3], 9);
	ck_assert_uint_eq(c[4], 17);				/* UDP */
	ck_assert_uint_eq(c[5] | c[6] | c[7], 0);		/* Reserved */
	ck_assert_mem_eq(c + 8, "\x01\x02\x03\x04", 4);	/* Priority */
	ck_assert_mem_eq(c + 12, "\xc6\x33\x64\x07", 4);	/* 198.51.100.7 */
	ck_assert_mem_eq(c + 16, "\x12\x34\x56\x78", 4);	/* port, rel-port */
	ck_assert_mem_eq(c + 20, "\x0a\x00\x00\x01", 4);	/* rel-address */
	c += 24;
	/* ver 6 | Length 48 = 0x030 | type 3 | comp 2: 0x60 0x03 0x03 0x02 */
	ck_assert_uint_eq(c[0], 0x60);
	ck_assert_uint_eq(c[1], 0x03);
	ck_assert_uint_eq(c[2], 0x03);
	ck_assert_uint_eq(c[3], 2);
	ck_assert_uint_eq(c[11], 77);
	ck_assert_uint_eq(c[12], 0x20);
	ck_assert_uint_eq(c[27], 0x09);
	ck_assert_uint_eq(c[28] << 8 | c[29], 4191);
	ck_assert_uint_eq(c[30] | c[31], 0);			/* no rel */
	ck_assert_int_eq(dec(n), MIPICE_OK);
	ck_assert(mipice_opt_eq(&o, &d));
}
END_TEST

START_TEST(test_roundtrip_many_mixed)
{
	struct mipice_limits lim = { .max_cand = 255 };
	size_t n, used = 0;
	unsigned int i;

	base_opt(&o);
	strcpy(o.ufrag, "u+/9ZZ");
	strcpy(o.pwd, "pppppppppppppppppppppppppppppppppp/+");
	strcpy(o.options, "trickle ice2");
	o.lite = false;
	o.mismatch = true;
	o.n_cand = 255;
	for (i = 0; i < o.n_cand; i++) {
		char ip[64];

		if (i % 2) {
			snprintf(ip, sizeof(ip), "2001:db8::%x", i + 1);
			o.cand[i] = cand6((enum ice_cand_type)(i % 4), ip,
					  (uint16_t)(1000 + i), 1000 + i);
		} else {
			snprintf(ip, sizeof(ip), "10.0.%u.%u", i / 200,
				 i % 200 + 1);
			o.cand[i] = cand4((enum ice_cand_type)(i % 4), ip,
					  (uint16_t)(1000 + i), 1000 + i);
		}
		o.cand[i].component = (uint8_t)(i % 255 + 1);
		if (o.cand[i].type != ICE_CAND_HOST && (i % 3)) {
			o.cand[i].rel = o.cand[i].addr;
			o.cand[i].rel.port = 7;
		}
	}
	n = enc(&o);
	ck_assert_int_eq(mipice_decode(buf, n, &lim, &d, &used), MIPICE_OK);
	ck_assert_uint_eq(used, n);
	ck_assert(mipice_opt_eq(&o, &d));
	ck_assert_str_eq(d.options, "trickle ice2");
	ck_assert(d.mismatch);
	ck_assert_uint_eq(d.n_cand, 255);
	/* and with trailing data after the option, used stays the same */
	ck_assert_int_eq(mipice_decode(buf, n + 8, &lim, &d, &used),
			 MIPICE_OK);
	ck_assert_uint_eq(used, n);
}
END_TEST

START_TEST(test_cap)
{
	struct mipice_limits lim5 = { .max_cand = 5 };
	size_t n;
	unsigned int i;

	base_opt(&o);
	o.n_cand = MIPICE_DEFAULT_MAX_CAND + 1;
	for (i = 0; i < o.n_cand; i++)
		o.cand[i] = cand4(ICE_CAND_HOST, "10.1.1.1",
				  (uint16_t)(2000 + i), 5);
	n = enc(&o);
	ck_assert_int_eq(dec(n), MIPICE_E_TOO_MANY);
	ck_assert_uint_eq(d.n_cand, 0);		/* nothing kept */
	o.n_cand = MIPICE_DEFAULT_MAX_CAND;
	n = enc(&o);
	ck_assert_int_eq(dec(n), MIPICE_OK);
	o.n_cand = 6;
	n = enc(&o);
	ck_assert_int_eq(mipice_decode(buf, n, &lim5, &d, NULL),
			 MIPICE_E_TOO_MANY);
	o.n_cand = 5;
	n = enc(&o);
	ck_assert_int_eq(mipice_decode(buf, n, &lim5, &d, NULL), MIPICE_OK);
}
END_TEST

START_TEST(test_reject_header)
{
	size_t n = one_v4();	/* 56 + 24 = 80 */

	ck_assert_uint_eq(n, 80);
	ck_assert_int_eq(dec(22), MIPICE_E_SHORT);
	ck_assert_int_eq(dec(79), MIPICE_E_SHORT);	/* Header Len > len */

	buf[0] = 17;
	refix(buf, n);
	ck_assert_int_eq(dec(n), MIPICE_E_TYPE);
	one_v4();

	set_hl(buf, 79);	/* total not a multiple of 8 */
	refix(buf, 79);
	ck_assert_int_eq(dec(n), MIPICE_E_LENGTH);
	one_v4();

	buf[40] ^= 0x01;	/* no refix */
	ck_assert_int_eq(dec(n), MIPICE_E_CHECKSUM);
	one_v4();
	buf[4] ^= 0x80;
	ck_assert_int_eq(dec(n), MIPICE_E_CHECKSUM);
	one_v4();

	memset(buf + n, 0, 8);	/* 8 more octets, counted by Header Len */
	set_hl(buf, n + 8);
	refix(buf, n + 8);
	ck_assert_int_eq(dec(n + 8), MIPICE_E_TRAILING);
	one_v4();

	buf[3] = 2;		/* a second candidate that is not there */
	refix(buf, n);
	ck_assert_int_eq(dec(n), MIPICE_E_CAND_TRUNC);
}
END_TEST

START_TEST(test_reject_ice_options)
{
	size_t n = one_v4();

	buf[22] = 0xff;
	refix(buf, n);
	ck_assert_int_eq(dec(n), MIPICE_E_ICEOPT_LEN);
	one_v4();

	buf[30] = 40;		/* pwd sub-option runs past ice-options */
	refix(buf, n);
	ck_assert_int_eq(dec(n), MIPICE_E_SUBOPT);
	one_v4();

	buf[23] = 7;
	refix(buf, n);
	ck_assert_int_eq(dec(n), MIPICE_E_SUBOPT_UNKNOWN);
	one_v4();

	buf[29] = MIPICE_SUB_UFRAG;	/* pwd sub-option retyped: dup */
	refix(buf, n);
	ck_assert_int_eq(dec(n), MIPICE_E_SUBOPT_DUP);
	one_v4();

	buf[23] = MIPICE_SUB_OPTIONS;	/* ufrag retyped: ufrag missing */
	refix(buf, n);
	ck_assert_int_eq(dec(n), MIPICE_E_UFRAG);
	one_v4();

	buf[26] = '-';		/* not an ice-char */
	refix(buf, n);
	ck_assert_int_eq(dec(n), MIPICE_E_UFRAG);
	one_v4();

	buf[40] = '=';
	refix(buf, n);
	ck_assert_int_eq(dec(n), MIPICE_E_PWD);
	one_v4();

	buf[29] = MIPICE_SUB_OPTIONS;	/* pwd retyped: valid tag, no pwd */
	refix(buf, n);
	ck_assert_int_eq(dec(n), MIPICE_E_PWD);
	one_v4();

	buf[8] ^= 0x20;		/* fixed ice-pwd field disagrees */
	refix(buf, n);
	ck_assert_int_eq(dec(n), MIPICE_E_PREFIX);
	one_v4();
	buf[21] = 'x';		/* fixed ice-ufrag field disagrees */
	refix(buf, n);
	ck_assert_int_eq(dec(n), MIPICE_E_PREFIX);
	one_v4();

	buf[54] = 1;		/* padding before candidates */
	refix(buf, n);
	ck_assert_int_eq(dec(n), MIPICE_E_PAD);
}
END_TEST

/*
 * ice-pacing (doc s.5, RFC 8445 s.14.2): sub-option 4 after the others,
 * two octets of ms; absent decodes as 0 (the default Ta); a length other
 * than 2 or 0 ms is refused; a changed proposal is an update, not a
 * restart.
 */
START_TEST(test_pacing)
{
	static const uint8_t sub[4] = { MIPICE_SUB_PACING, 2, 0x01, 0x2c };
	struct mipice_opt prev;
	size_t n = one_v4();

	ck_assert_int_eq(buf[22], 30);		/* ufrag and pwd only */
	ck_assert_int_eq(dec(n), MIPICE_OK);
	ck_assert_uint_eq(d.pacing_ms, 0);

	o.pacing_ms = 300;
	n = enc(&o);
	ck_assert_int_eq(buf[22], 34);
	/* 23 + (2 + 4 ufrag) + (2 + 22 pwd) = 53 */
	ck_assert_mem_eq(buf + 53, sub, sizeof(sub));
	ck_assert_uint_eq(n, 88);	/* candidates at align8(57) = 64 */
	ck_assert_int_eq(dec(n), MIPICE_OK);
	ck_assert_uint_eq(d.pacing_ms, 300);
	ck_assert(mipice_opt_eq(&o, &d));

	prev = o;
	o.pacing_ms = 5;
	ck_assert_int_eq(mipice_compare(&prev, &o), MIPICE_UPDATE);

	enc(&prev);
	buf[54] = 1;			/* Len 1 */
	refix(buf, n);
	ck_assert_int_eq(dec(n), MIPICE_E_PACING);
	enc(&prev);
	buf[55] = buf[56] = 0;		/* 0 ms */
	refix(buf, n);
	ck_assert_int_eq(dec(n), MIPICE_E_PACING);
	enc(&prev);
	buf[53] = MIPICE_SUB_PWD;	/* pacing retyped: a second pwd */
	refix(buf, n);
	ck_assert_int_eq(dec(n), MIPICE_E_SUBOPT_DUP);
	ck_assert_str_eq(mipice_strerror(MIPICE_E_PACING),
			 "ice-pacing is not 2 octets of 1..65535 ms");
}
END_TEST

START_TEST(test_reject_options_syntax)
{
	static const char *const bad[] = { " a", "a ", "a  b", "a-b", "\t" };
	size_t n, i;

	base_opt(&o);
	strcpy(o.options, "abc def");
	n = enc(&o);
	ck_assert_int_eq(dec(n), MIPICE_OK);
	ck_assert_str_eq(d.options, "abc def");
	/* the options value sits at 23 + 6 + 24 + 2 = 55 */
	buf[59] = ' ';		/* "abc  ef": double space */
	refix(buf, n);
	ck_assert_int_eq(dec(n), MIPICE_E_OPTIONS);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		base_opt(&o);
		strcpy(o.options, bad[i]);
		ck_assert_int_eq(mipice_encode(&o, buf, sizeof(buf), &n),
				 MIPICE_E_OPTIONS);
	}
}
END_TEST

/* Edit the single candidate at offset 56 and expect @want. */
#define CAND_CASE(edit, want)					\
	do {							\
		uint8_t *c = buf + 56;				\
		n = one_v4();					\
		edit;						\
		refix(buf, n);					\
		ck_assert_int_eq(dec(n), (want));		\
	} while (0)

START_TEST(test_reject_candidate)
{
	size_t n;

	CAND_CASE(c[0] = 0x50, MIPICE_E_CAND_VER);
	CAND_CASE((c[1] = 0x03, c[2] = 0x00), MIPICE_E_CAND_LEN); /* 48, v4 */
	CAND_CASE(c[2] = 0x84, MIPICE_E_CAND_TYPE);
	CAND_CASE(c[2] = 0x8f, MIPICE_E_CAND_TYPE);
	CAND_CASE(c[3] = 0, MIPICE_E_CAND_COMP);
	CAND_CASE(c[4] = 6, MIPICE_E_CAND_TRANSPORT);
	CAND_CASE(memset(c + 8, 0, 4), MIPICE_E_CAND_PRIO);
	CAND_CASE(c[8] = 0x80, MIPICE_E_CAND_PRIO);
	CAND_CASE(memset(c + 12, 0, 4), MIPICE_E_CAND_ADDR);
	CAND_CASE(c[12] = 224, MIPICE_E_CAND_ADDR);
	CAND_CASE((c[16] = 0, c[17] = 0), MIPICE_E_CAND_PORT);
	CAND_CASE(c[19] = 1, MIPICE_E_CAND_REL);	/* host, rel-port 1 */
	CAND_CASE(c[23] = 1, MIPICE_E_CAND_REL);	/* host, rel-address */
	/* Reserved octets are ignored on receipt */
	CAND_CASE(c[5] = c[7] = 0xff, MIPICE_OK);
	/* ... and so are the option's reserved flag bits */
	n = one_v4();
	buf[7] = 0x01;
	refix(buf, n);
	ck_assert_int_eq(dec(n), MIPICE_OK);
	/* a srflx may carry a related address */
	CAND_CASE((c[2] = 0x81, c[23] = 1), MIPICE_OK);
	ck_assert_uint_eq(d.cand[0].rel.family, AF_INET);
	ck_assert_uint_eq(d.cand[0].rel.ip[3], 1);
}
END_TEST

START_TEST(test_encode_rejects)
{
	size_t n = 0;

	base_opt(&o);
	strcpy(o.ufrag, "abc");		/* < 4, RFC 8445 s.5.3 */
	ck_assert_int_eq(mipice_encode(&o, buf, sizeof(buf), &n),
			 MIPICE_E_UFRAG);
	base_opt(&o);
	strcpy(o.pwd, "012345678901234567890");	/* 21 < 22 */
	ck_assert_int_eq(mipice_encode(&o, buf, sizeof(buf), &n),
			 MIPICE_E_PWD);
	base_opt(&o);
	o.n_cand = 256;
	ck_assert_int_eq(mipice_encode(&o, buf, sizeof(buf), &n),
			 MIPICE_E_INVAL);
	base_opt(&o);
	ck_assert_int_eq(mipice_encode(&o, buf, 55, &n), MIPICE_E_NOSPACE);
	ck_assert_int_eq(mipice_encode(&o, buf, 56, &n), MIPICE_OK);
	o.n_cand = 1;
	o.cand[0] = cand4(ICE_CAND_HOST, "10.0.0.1", 1, 1);
	o.cand[0].rel = o.cand[0].addr;		/* host with related */
	ck_assert_int_eq(mipice_encode(&o, buf, sizeof(buf), &n),
			 MIPICE_E_CAND_REL);
	o.cand[0] = cand4(ICE_CAND_SRFLX, "10.0.0.1", 1, 1);
	o.cand[0].rel = cand6(ICE_CAND_HOST, "2001:db8::1", 1, 1).addr;
	ck_assert_int_eq(mipice_encode(&o, buf, sizeof(buf), &n),
			 MIPICE_E_CAND_REL);	/* family differs from ver */
	o.cand[0] = cand4(ICE_CAND_HOST, "10.0.0.1", 1, 1);
	o.cand[0].addr.family = 0;
	ck_assert_int_eq(mipice_encode(&o, buf, sizeof(buf), &n),
			 MIPICE_E_CAND_VER);
}
END_TEST

START_TEST(test_compare_restart)
{
	struct mipice_opt a, b;

	base_opt(&a);
	a.n_cand = 1;
	a.cand[0] = cand4(ICE_CAND_HOST, "10.0.0.1", 1, 1);
	b = a;
	ck_assert_int_eq(mipice_compare(&a, &b), MIPICE_SAME);
	b.cand[0].priority = 2;
	ck_assert_int_eq(mipice_compare(&a, &b), MIPICE_UPDATE);
	b = a;
	b.lite = true;
	ck_assert_int_eq(mipice_compare(&a, &b), MIPICE_UPDATE);
	strcpy(b.ufrag, "wxyz");
	ck_assert_int_eq(mipice_compare(&a, &b), MIPICE_BAD_RESTART);
	b = a;
	strcpy(b.pwd, "zzzzzzzzzzzzzzzzzzzzzzzz");
	ck_assert_int_eq(mipice_compare(&a, &b), MIPICE_BAD_RESTART);
	strcpy(b.ufrag, "wxyz");
	ck_assert_int_eq(mipice_compare(&a, &b), MIPICE_RESTART);
	ck_assert_str_eq(mipice_change_name(MIPICE_RESTART), "restart");
}
END_TEST

START_TEST(test_clear_and_names)
{
	static const uint8_t zero[sizeof(struct mipice_opt)];
	int e;

	base_opt(&o);
	mipice_opt_clear(&o);
	ck_assert_mem_eq(&o, zero, sizeof(o));
	for (e = 0; e < MIPICE_E_MAX_; e++)
		ck_assert_str_ne(mipice_strerror((enum mipice_err)e),
				 "unknown error");
	ck_assert_str_eq(mipice_strerror(MIPICE_E_MAX_), "unknown error");
	/* failed decodes leave no password behind */
	one_v4();
	buf[80 - 1] ^= 1;
	ck_assert_int_eq(dec(80), MIPICE_E_CHECKSUM);
	ck_assert_str_eq(d.pwd, "");
	one_v4();
	buf[56] = 0x50;
	refix(buf, 80);
	ck_assert_int_eq(dec(80), MIPICE_E_CAND_VER);
	ck_assert_str_eq(d.pwd, "");
}
END_TEST

START_TEST(test_to_from_ice)
{
	struct mipice_cand w = cand4(ICE_CAND_SRFLX, "198.51.100.1", 9, 5), w2;
	struct ice_cand c;

	w.rel = cand4(ICE_CAND_HOST, "10.0.0.1", 8, 1).addr;
	mipice_cand_to_ice(&w, &c);
	ck_assert(ice_addr_eq(&c.base, &w.rel));	/* base = rel-addr */
	mipice_cand_from_ice(&c, &w2);
	ck_assert(mipice_cand_eq(&w, &w2));
	w.type = ICE_CAND_HOST;
	memset(&w.rel, 0, sizeof(w.rel));
	mipice_cand_to_ice(&w, &c);
	ck_assert(ice_addr_eq(&c.base, &w.addr));
}
END_TEST

static Suite *mipice_suite(void)
{
	Suite *s = suite_create("mipice");
	TCase *tc = tcase_create("mipice");

	tcase_add_test(tc, test_layout_no_candidates);
	tcase_add_test(tc, test_layout_candidates);
	tcase_add_test(tc, test_roundtrip_many_mixed);
	tcase_add_test(tc, test_cap);
	tcase_add_test(tc, test_reject_header);
	tcase_add_test(tc, test_reject_ice_options);
	tcase_add_test(tc, test_pacing);
	tcase_add_test(tc, test_reject_options_syntax);
	tcase_add_test(tc, test_reject_candidate);
	tcase_add_test(tc, test_encode_rejects);
	tcase_add_test(tc, test_compare_restart);
	tcase_add_test(tc, test_clear_and_names);
	tcase_add_test(tc, test_to_from_ice);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(mipice_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
