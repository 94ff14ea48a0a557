// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of agent/mh.c: Binding Update / Binding Acknowledgement
 * Mobility Header framing (RFC 6275 s.6.1.7, s.6.1.8) with Pad1/PadN, the
 * MIP-ICE option and generic options (s.6.2), the checksum decision of
 * mh.h, one crafted rejection per reason, and that every encoded message
 * satisfies the kernel classifier's MIP rule (kmod/classify.c, seed 004
 * s.12): octet 0 == 59, (Header Len + 1) * 8 == length, MH type <= 23.
 */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "mh.h"

static uint8_t buf[4096];
static struct mh_msg m, d;

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

/* MH checksum, no pseudo-header, after a crafted edit. */
static void refix(uint8_t *p, size_t n)
{
	uint16_t c;

	p[4] = p[5] = 0;
	c = ref_csum(p, n);
	p[4] = (uint8_t)(c >> 8);
	p[5] = (uint8_t)c;
}

/* The classifier's MIP length/type rule, computed from the bytes. */
static void assert_classifies_as_mip(const uint8_t *p, size_t n)
{
	ck_assert_uint_ge(n, 8);
	ck_assert_uint_eq(p[0], 59);
	ck_assert_uint_eq(((size_t)p[1] + 1) * 8, n);
	ck_assert_uint_le(p[2], 23);
}

static void ice_opt(struct mipice_opt *o, unsigned int n_cand)
{
	unsigned int i;

	memset(o, 0, sizeof(*o));
	strcpy(o->ufrag, "UfRg");
	strcpy(o->pwd, "abcdefghijklmnopqrstuv");
	o->n_cand = n_cand;
	for (i = 0; i < n_cand; i++) {
		uint8_t ip[4] = { 192, 0, 2, (uint8_t)(i + 1) };

		o->cand[i].type = ICE_CAND_HOST;
		o->cand[i].component = 1;
		o->cand[i].transport = ICE_TRANSPORT_UDP;
		o->cand[i].priority = 2130706431u - i;
		ice_addr_set(&o->cand[i].addr, AF_INET, ip, 4191);
	}
}

static size_t enc(const struct mh_msg *x)
{
	size_t n = 0;
	enum mipice_err ie = MIPICE_E_MAX_;

	ck_assert_int_eq(mh_encode(x, buf, sizeof(buf), &n, &ie), MH_OK);
	assert_classifies_as_mip(buf, n);
	return n;
}

static enum mh_err dec(size_t n, enum mipice_err *ie)
{
	return mh_decode(buf, n, NULL, &d, ie);
}

START_TEST(test_bu_bare_layout)
{
	size_t n;

	mh_bu_init(&m, 0xbeef, MH_BU_A | MH_BU_K, mh_lifetime_units(600));
	n = enc(&m);
	ck_assert_uint_eq(n, 16);
	ck_assert_uint_eq(buf[1], 1);			/* (16 / 8) - 1 */
	ck_assert_uint_eq(buf[2], MH_TYPE_BU);
	ck_assert_uint_eq(buf[3], 0);
	ck_assert_uint_eq(buf[6] << 8 | buf[7], 0xbeef);
	ck_assert_uint_eq(buf[8] << 8 | buf[9], 0x9000);	/* A|K */
	ck_assert_uint_eq(buf[10] << 8 | buf[11], 150);	/* 600 s / 4 */
	ck_assert_mem_eq(buf + 12, "\x01\x02\x00\x00", 4);	/* PadN */
	/* checksum: RFC 1071 over the MH alone, field zero */
	{
		uint16_t c = (uint16_t)(buf[4] << 8 | buf[5]);

		buf[4] = buf[5] = 0;
		ck_assert_uint_eq(c, ref_csum(buf, n));
		buf[4] = (uint8_t)(c >> 8);
		buf[5] = (uint8_t)c;
	}
	ck_assert_int_eq(dec(n, NULL), MH_OK);
	ck_assert(mh_msg_eq(&m, &d));
	ck_assert_uint_eq(mh_lifetime_seconds(d.lifetime), 600);
}
END_TEST

START_TEST(test_bu_with_ice_and_tlvs)
{
	size_t n;
	enum mipice_err ie = MIPICE_E_MAX_;

	mh_bu_init(&m, 7, MH_BU_A | MH_BU_F, 0xffff);
	m.has_ice = true;
	ice_opt(&m.ice, 3);
	strcpy(m.ice.options, "trickle");
	m.ice.lite = true;
	ck_assert_int_eq(mh_add_tlv(&m, 3, "\x11\x22\x33", 3), 0);
	ck_assert_int_eq(mh_add_tlv(&m, 200, NULL, 0), 0);
	n = enc(&m);
	/* TLVs at 12 (5 + 2 octets), PadN of 5 at 19, option at 24 (8n) */
	ck_assert_uint_eq(buf[12], 3);
	ck_assert_uint_eq(buf[17], 200);
	ck_assert_mem_eq(buf + 19, "\x01\x03\x00\x00\x00", 5);
	ck_assert_uint_eq(buf[24], MIPICE_OPT_TYPE);
	ck_assert_int_eq(dec(n, &ie), MH_OK);
	ck_assert_int_eq(ie, MIPICE_OK);
	ck_assert(d.has_ice);
	ck_assert_uint_eq(d.n_tlv, 2);
	ck_assert_uint_eq(d.tlv[0].type, 3);
	ck_assert_mem_eq(d.tlv[0].data, "\x11\x22\x33", 3);
	ck_assert(mh_msg_eq(&m, &d));
	ck_assert_str_eq(d.ice.pwd, "abcdefghijklmnopqrstuv");
}
END_TEST

START_TEST(test_ba_roundtrip)
{
	size_t n;

	mh_ba_init(&m, 0, true, 0x1234, 37);
	m.has_ice = true;
	ice_opt(&m.ice, 1);
	n = enc(&m);
	ck_assert_uint_eq(buf[2], MH_TYPE_BA);
	ck_assert_uint_eq(buf[6], 0);				/* Status */
	ck_assert_uint_eq(buf[7], 0x80);			/* K */
	ck_assert_uint_eq(buf[8] << 8 | buf[9], 0x1234);
	ck_assert_uint_eq(buf[10] << 8 | buf[11], 37);
	ck_assert_int_eq(dec(n, NULL), MH_OK);
	ck_assert(mh_msg_eq(&m, &d));
	ck_assert_uint_eq(d.flags, MH_BA_K);

	mh_ba_init(&m, 129, false, 1, 0);	/* a rejection status */
	n = enc(&m);
	ck_assert_int_eq(dec(n, NULL), MH_OK);
	ck_assert_uint_eq(d.status, 129);
	ck_assert_uint_eq(d.flags, 0);
	ck_assert(mh_msg_eq(&m, &d));
}
END_TEST

START_TEST(test_padding_all_lengths)
{
	uint8_t len;

	/* every generic option length 0..20 ends on an 8-octet boundary */
	for (len = 0; len <= 20; len++) {
		size_t n;
		uint8_t data[20];

		memset(data, 0xa5, sizeof(data));
		mh_bu_init(&m, len, 0, 1);
		ck_assert_int_eq(mh_add_tlv(&m, 42, data, len), 0);
		n = enc(&m);
		ck_assert_int_eq(dec(n, NULL), MH_OK);
		ck_assert(mh_msg_eq(&m, &d));
	}
}
END_TEST

START_TEST(test_lifetime_units)
{
	ck_assert_uint_eq(mh_lifetime_units(600), 150);
	ck_assert_uint_eq(mh_lifetime_units(3), 0);	/* rounds down */
	ck_assert_uint_eq(mh_lifetime_units(7), 1);
	ck_assert_uint_eq(mh_lifetime_units(262140), 0xffff);
	ck_assert_uint_eq(mh_lifetime_units(4000000), 0xffff);
	ck_assert_uint_eq(mh_lifetime_seconds(0xffff), 262140);
}
END_TEST

START_TEST(test_reject_header)
{
	size_t n;

	mh_bu_init(&m, 1, 0, 1);
	n = enc(&m);
	ck_assert_int_eq(dec(7, NULL), MH_E_SHORT);
	buf[0] = 58;
	ck_assert_int_eq(dec(n, NULL), MH_E_PROTO);
	n = enc(&m);
	ck_assert_int_eq(dec(n + 8, NULL), MH_E_LENGTH);
	buf[1] = 2;
	ck_assert_int_eq(dec(n, NULL), MH_E_LENGTH);
	n = enc(&m);
	buf[2] = 7;		/* Binding Error: not handled here */
	refix(buf, n);
	ck_assert_int_eq(dec(n, NULL), MH_E_TYPE);
	buf[2] = 24;
	refix(buf, n);
	ck_assert_int_eq(dec(n, NULL), MH_E_TYPE);
	n = enc(&m);
	buf[7] ^= 1;
	ck_assert_int_eq(dec(n, NULL), MH_E_CHECKSUM);
	n = enc(&m);
	buf[1] = 0;		/* an 8-octet BU: no room for its body */
	refix(buf, 8);
	ck_assert_int_eq(dec(8, NULL), MH_E_SHORT);
	/* Reserved octet is ignored */
	n = enc(&m);
	buf[3] = 0xff;
	refix(buf, n);
	ck_assert_int_eq(dec(n, NULL), MH_OK);
}
END_TEST

START_TEST(test_reject_options)
{
	size_t n;
	unsigned int i;

	mh_bu_init(&m, 1, 0, 1);
	n = enc(&m);
	buf[14] = 1;		/* PadN data not zero */
	refix(buf, n);
	ck_assert_int_eq(dec(n, NULL), MH_E_PAD);

	n = enc(&m);
	buf[13] = 3;		/* PadN runs one octet past the end */
	refix(buf, n);
	ck_assert_int_eq(dec(n, NULL), MH_E_OPT_TRUNC);

	n = enc(&m);		/* Pad1 x3 then a lone option type octet */
	buf[12] = buf[13] = buf[14] = 0;
	buf[15] = 42;
	refix(buf, n);
	ck_assert_int_eq(dec(n, NULL), MH_E_OPT_TRUNC);
	buf[15] = 0;		/* four Pad1s are fine */
	refix(buf, n);
	ck_assert_int_eq(dec(n, NULL), MH_OK);

	mh_bu_init(&m, 1, 0, 1);
	for (i = 0; i < MH_TLV_MAX; i++)
		ck_assert_int_eq(mh_add_tlv(&m, 42, "x", 1), 0);
	ck_assert_int_eq(mh_add_tlv(&m, 42, "x", 1), -1);
	ck_assert_int_eq(mh_add_tlv(&m, MH_OPT_PADN, "x", 1), -1);
	ck_assert_int_eq(mh_add_tlv(&m, MIPICE_OPT_TYPE, "x", 1), -1);
	n = enc(&m);
	/* turn the padding at the end into a ninth generic option */
	ck_assert_uint_eq(n, 40);	/* 12 + 8 * 3 = 36, padded to 40 */
	buf[36] = 43;
	buf[37] = 2;
	refix(buf, n);
	ck_assert_int_eq(dec(n, NULL), MH_E_TOO_MANY_OPTS);
}
END_TEST

START_TEST(test_reject_ice)
{
	uint8_t opt[512];
	size_t n, olen = 0;
	enum mipice_err ie;

	ice_opt(&m.ice, 1);
	ck_assert_int_eq(mipice_encode(&m.ice, opt, sizeof(opt), &olen),
			 MIPICE_OK);
	ck_assert_uint_eq(olen, 80);

	/* at offset 12: misaligned; PadN 2 at the end: 12 + 80 + 4 = 96 */
	mh_bu_init(&m, 1, 0, 1);
	n = enc(&m);
	memcpy(buf + 12, opt, olen);
	memcpy(buf + 92, "\x01\x02\x00\x00", 4);
	buf[1] = 96 / 8 - 1;
	refix(buf, 96);
	ck_assert_int_eq(dec(96, NULL), MH_E_ICE_ALIGN);

	/* two options at 16 and 96: 176 octets */
	memcpy(buf + 12, "\x01\x02\x00\x00", 4);
	memcpy(buf + 16, opt, olen);
	memcpy(buf + 96, opt, olen);
	buf[1] = 176 / 8 - 1;
	refix(buf, 176);
	ck_assert_int_eq(dec(176, NULL), MH_E_ICE_DUP);
	/* only the first (PadN 4 + 80-octet option = 96): fine */
	buf[1] = 96 / 8 - 1;
	refix(buf, 96);
	ck_assert_int_eq(dec(96, NULL), MH_OK);
	ck_assert(d.has_ice);

	/* the option's reason comes through */
	mh_bu_init(&m, 1, 0, 1);
	m.has_ice = true;
	ice_opt(&m.ice, 1);
	n = enc(&m);
	buf[16 + 56 + 3] = 0;		/* comp-id 0 */
	buf[16 + 4] = buf[16 + 5] = 0;	/* fix the option checksum */
	{
		uint16_t c = ref_csum(buf + 16, 80);

		buf[20] = (uint8_t)(c >> 8);
		buf[21] = (uint8_t)c;
	}
	refix(buf, n);
	ie = MIPICE_OK;
	ck_assert_int_eq(dec(n, &ie), MH_E_ICE);
	ck_assert_int_eq(ie, MIPICE_E_CAND_COMP);
	ck_assert_str_eq(d.ice.pwd, "");	/* nothing left behind */

	/* peer cap (seed 004 s.14.4.2) through the MH decoder */
	mh_bu_init(&m, 1, 0, 1);
	m.has_ice = true;
	ice_opt(&m.ice, 3);
	n = enc(&m);
	{
		struct mipice_limits lim = { .max_cand = 2 };

		ck_assert_int_eq(mh_decode(buf, n, &lim, &d, &ie), MH_E_ICE);
		ck_assert_int_eq(ie, MIPICE_E_TOO_MANY);
		lim.max_cand = 3;
		ck_assert_int_eq(mh_decode(buf, n, &lim, &d, &ie), MH_OK);
	}
}
END_TEST

START_TEST(test_encode_limits)
{
	size_t n = 0;
	enum mipice_err ie = MIPICE_OK;

	mh_bu_init(&m, 1, 0, 1);
	ck_assert_int_eq(mh_encode(&m, buf, 15, &n, NULL), MH_E_NOSPACE);
	ck_assert_int_eq(mh_encode(&m, buf, 16, &n, NULL), MH_OK);
	m.type = 7;
	ck_assert_int_eq(mh_encode(&m, buf, sizeof(buf), &n, NULL),
			 MH_E_INVAL);
	mh_ba_init(&m, 0, false, 1, 1);
	m.flags = 0x100;
	ck_assert_int_eq(mh_encode(&m, buf, sizeof(buf), &n, NULL),
			 MH_E_INVAL);
	/* 84 IPv4 candidates: 56 + 84 * 24 = 2072 > 2048 - 16 */
	mh_bu_init(&m, 1, 0, 1);
	m.has_ice = true;
	ice_opt(&m.ice, 84);
	ck_assert_int_eq(mh_encode(&m, buf, sizeof(buf), &n, &ie),
			 MH_E_NOSPACE);
	/* 83: 16 + 56 + 1992 = 2064 still too big; 82: 2040 fits */
	ice_opt(&m.ice, 82);
	ck_assert_int_eq(mh_encode(&m, buf, sizeof(buf), &n, &ie), MH_OK);
	ck_assert_uint_eq(n, 2040);
	assert_classifies_as_mip(buf, n);
	/* a bad option to encode */
	strcpy(m.ice.pwd, "short");
	ck_assert_int_eq(mh_encode(&m, buf, sizeof(buf), &n, &ie), MH_E_ICE);
	ck_assert_int_eq(ie, MIPICE_E_PWD);
}
END_TEST

START_TEST(test_names_and_clear)
{
	static const uint8_t zero[sizeof(struct mh_msg)];
	int e;

	for (e = 0; e < MH_E_MAX_; e++)
		ck_assert_str_ne(mh_strerror((enum mh_err)e), "unknown error");
	mh_bu_init(&m, 1, 0, 1);
	m.has_ice = true;
	ice_opt(&m.ice, 1);
	mh_msg_clear(&m);
	ck_assert_mem_eq(&m, zero, sizeof(m));
}
END_TEST

static Suite *mh_suite(void)
{
	Suite *s = suite_create("mh");
	TCase *tc = tcase_create("mh");

	tcase_add_test(tc, test_bu_bare_layout);
	tcase_add_test(tc, test_bu_with_ice_and_tlvs);
	tcase_add_test(tc, test_ba_roundtrip);
	tcase_add_test(tc, test_padding_all_lengths);
	tcase_add_test(tc, test_lifetime_units);
	tcase_add_test(tc, test_reject_header);
	tcase_add_test(tc, test_reject_options);
	tcase_add_test(tc, test_reject_ice);
	tcase_add_test(tc, test_encode_limits);
	tcase_add_test(tc, test_names_and_clear);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(mh_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
