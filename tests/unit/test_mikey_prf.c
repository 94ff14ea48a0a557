// SPDX-License-Identifier: GPL-2.0
/* MIKEY PRF and key derivation (RFC 3830 s.4.1.2 - s.4.1.4). The expected
 * values come from an independent re-implementation below that uses
 * OpenSSL's one-shot HMAC() and materialises the whole A_i chain first. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "mikey_prf.h"

/* Reference P(s, label, m): build A_1..A_m, then the blocks. */
static void ref_p(const uint8_t *s, size_t sl, const uint8_t *label,
		  size_t ll, unsigned int m, uint8_t *out)
{
	uint8_t a[64][20];
	uint8_t buf[20 + MIKEY_LABEL_MAX];
	unsigned int len;

	ck_assert_uint_le(m, 64);
	HMAC(EVP_sha1(), s, (int)sl, label, ll, a[0], &len);
	for (unsigned int i = 1; i < m; i++)
		HMAC(EVP_sha1(), s, (int)sl, a[i - 1], 20, a[i], &len);
	for (unsigned int i = 0; i < m; i++) {
		memcpy(buf, a[i], 20);
		memcpy(buf + 20, label, ll);
		HMAC(EVP_sha1(), s, (int)sl, buf, 20 + ll, out + 20 * i, &len);
	}
}

/* Reference PRF: pieces are [32i, min(32i + 32, len)). If @buggy, the
 * last piece has the length len % 32 (the known public mistake). */
static void ref_prf(const uint8_t *k, size_t kl, const uint8_t *label,
		    size_t ll, uint8_t *out, size_t ol, int buggy)
{
	unsigned int m = (unsigned int)((ol * 8 + 159) / 160);
	uint8_t p[64 * 20];

	memset(out, 0, ol);
	for (size_t start = 0; start < kl; start += 32) {
		size_t end = start + 32 < kl ? start + 32 : kl;

		if (buggy && end == kl)
			end = start + kl % 32;
		ref_p(k + start, end - start, label, ll, m, p);
		for (size_t j = 0; j < ol; j++)
			out[j] ^= p[j];
	}
}

static void fill(uint8_t *b, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)(seed + i * 7 + (i >> 3));
}

static const size_t inkey_lens[] = { 1, 16, 20, 31, 32, 33, 63, 64, 65, 96,
				     192 };
static const size_t out_lens[] = { 1, 14, 16, 20, 21, 32, 40, 100 };

START_TEST(prf_matches_reference_for_all_lengths)
{
	uint8_t key[192], label[9 + 16], got[100], want[100];

	fill(label, sizeof(label), 3);
	for (size_t i = 0; i < sizeof(inkey_lens) / sizeof(inkey_lens[0]); i++) {
		for (size_t j = 0; j < sizeof(out_lens) / sizeof(out_lens[0]); j++) {
			size_t kl = inkey_lens[i], ol = out_lens[j];

			fill(key, kl, (uint8_t)(kl + 1));
			ck_assert_int_eq(mikey_prf(key, kl, label, sizeof(label),
						   got, ol), 0);
			ref_prf(key, kl, label, sizeof(label), want, ol, 0);
			ck_assert_msg(!memcmp(got, want, ol),
				      "inkey %zu out %zu differs", kl, ol);
		}
	}
}
END_TEST

/* Changing a byte of the last inkey piece must change the output, for
 * every length that has more than one piece (in particular 64: a
 * "len % 32" last piece would be empty and ignore bytes 32..63). */
START_TEST(prf_last_piece_matters)
{
	static const size_t lens[] = { 33, 63, 64, 65, 96 };
	uint8_t key[96], label[25], a[32], b[32];

	fill(label, sizeof(label), 9);
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		size_t kl = lens[i];

		fill(key, kl, 1);
		ck_assert_int_eq(mikey_prf(key, kl, label, sizeof(label), a, 32), 0);
		key[kl - 1] ^= 0x01;
		ck_assert_int_eq(mikey_prf(key, kl, label, sizeof(label), b, 32), 0);
		ck_assert_msg(memcmp(a, b, 32), "len %zu: last byte ignored", kl);
		/* and the first byte of the last piece */
		key[kl - 1] ^= 0x01;
		key[((kl - 1) / 32) * 32] ^= 0x80;
		ck_assert_int_eq(mikey_prf(key, kl, label, sizeof(label), b, 32), 0);
		ck_assert_msg(memcmp(a, b, 32), "len %zu: last piece ignored", kl);
	}
}
END_TEST

/* For multiples of 32 the result must differ from the buggy variant
 * (whose last piece is empty), and agree with it otherwise. */
START_TEST(prf_not_the_len_mod_32_bug)
{
	uint8_t key[96], label[25], got[20], bug[20];

	fill(label, sizeof(label), 5);
	fill(key, sizeof(key), 11);
	for (size_t kl = 32; kl <= 96; kl += 32) {
		mikey_prf(key, kl, label, sizeof(label), got, 20);
		ref_prf(key, kl, label, sizeof(label), bug, 20, 1);
		ck_assert_msg(memcmp(got, bug, 20), "len %zu equals bug", kl);
	}
	mikey_prf(key, 33, label, sizeof(label), got, 20);
	ref_prf(key, 33, label, sizeof(label), bug, 20, 1);
	ck_assert_mem_eq(got, bug, 20);
}
END_TEST

START_TEST(prf_p_single_block_definition)
{
	/* P(s, label, 1) = HMAC(s, HMAC(s, label) || label) */
	uint8_t s[20], label[13], a1[20], buf[33], want[20], got[20];
	unsigned int l;

	fill(s, sizeof(s), 2);
	fill(label, sizeof(label), 4);
	HMAC(EVP_sha1(), s, 20, label, 13, a1, &l);
	memcpy(buf, a1, 20);
	memcpy(buf + 20, label, 13);
	HMAC(EVP_sha1(), s, 20, buf, 33, want, &l);
	ck_assert_int_eq(mikey_prf_p(s, 20, label, 13, 1, got), 0);
	ck_assert_mem_eq(got, want, 20);
}
END_TEST

START_TEST(prf_rejects_bad_arguments)
{
	uint8_t k[16] = { 1 }, l[9] = { 0 }, o[16];

	ck_assert_int_eq(mikey_prf(k, 0, l, 9, o, 16), -1);
	ck_assert_int_eq(mikey_prf(NULL, 16, l, 9, o, 16), -1);
	ck_assert_int_eq(mikey_prf(k, 16, l, 9, o, 0), -1);
	ck_assert_int_eq(mikey_prf(k, 16, l, 9, o, MIKEY_PRF_OUT_MAX + 1), -1);
}
END_TEST

START_TEST(label_layout)
{
	uint8_t rand[16], label[MIKEY_LABEL_MAX];
	static const uint8_t head[9] = { 0x2A, 0xD0, 0x1C, 0x64, 0x07,
					 0x12, 0x34, 0x56, 0x78 };

	fill(rand, sizeof(rand), 1);
	ck_assert_uint_eq(mikey_label(label, MIKEY_CONST_TEK, 7, 0x12345678,
				      rand, 16), 25);
	ck_assert_mem_eq(label, head, 9);
	ck_assert_mem_eq(label + 9, rand, 16);
	ck_assert_uint_eq(mikey_label(label, 1, 0, 0, rand, 256), 0);
}
END_TEST

/* RFC 3830 s.4.1.3/s.4.1.4: the constants are 9-digit chunks of e. */
START_TEST(constants_are_digits_of_e)
{
	ck_assert_uint_eq(MIKEY_CONST_TEK, 718281828u);
	ck_assert_uint_eq(MIKEY_CONST_AUTH, 459045235u);
	ck_assert_uint_eq(MIKEY_CONST_ENC, 360287471u);
	ck_assert_uint_eq(MIKEY_CONST_PSK_ENC, 352662497u);
	ck_assert_uint_eq(MIKEY_CONST_PSK_AUTH, 757247093u);
	ck_assert_uint_eq(MIKEY_CONST_PSK_SALT, 699959574u);
	ck_assert_uint_eq(MIKEY_CONST_SALT, 966967627u);
}
END_TEST

/* Each derivation equals the reference PRF over a label assembled by
 * hand from the constant's bytes. */
START_TEST(derivations_use_their_constant)
{
	static const struct {
		enum mikey_key_kind kind;
		uint8_t c[4];
		int psk;
	} cases[] = {
		{ MIKEY_KEY_TEK, { 0x2A, 0xD0, 0x1C, 0x64 }, 0 },
		{ MIKEY_KEY_AUTH, { 0x1B, 0x5C, 0x79, 0x73 }, 0 },
		{ MIKEY_KEY_ENC, { 0x15, 0x79, 0x8C, 0xEF }, 0 },
		{ MIKEY_KEY_SALT, { 0x39, 0xA2, 0xC1, 0x4B }, 0 },
		{ MIKEY_KEY_PSK_ENC, { 0x15, 0x05, 0x33, 0xE1 }, 1 },
		{ MIKEY_KEY_PSK_AUTH, { 0x2D, 0x22, 0xAC, 0x75 }, 1 },
		{ MIKEY_KEY_PSK_SALT, { 0x29, 0xB8, 0x89, 0x16 }, 1 },
	};
	uint8_t tgk[40], rand[16], label[25], got[30], want[30], other[30];

	fill(tgk, sizeof(tgk), 42);
	fill(rand, sizeof(rand), 77);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memcpy(label, cases[i].c, 4);
		label[4] = cases[i].psk ? 0xFF : 0x03;
		label[5] = 0xCA; label[6] = 0xFE; label[7] = 0xBA; label[8] = 0xBE;
		memcpy(label + 9, rand, 16);
		ck_assert_int_eq(mikey_derive(cases[i].kind, tgk, sizeof(tgk), 3,
					      0xCAFEBABE, rand, 16, got, 30), 0);
		ref_prf(tgk, sizeof(tgk), label, 25, want, 30, 0);
		ck_assert_msg(!memcmp(got, want, 30), "case %zu", i);
		/* distinct kinds give distinct keys */
		mikey_derive(cases[(i + 1) % 7].kind, tgk, sizeof(tgk), 3,
			     0xCAFEBABE, rand, 16, other, 30);
		ck_assert(memcmp(got, other, 30));
	}
}
END_TEST

START_TEST(derivation_depends_on_every_input)
{
	uint8_t tgk[16], rand[16], base[16], o[16];

	fill(tgk, 16, 1);
	fill(rand, 16, 2);
	mikey_derive(MIKEY_KEY_TEK, tgk, 16, 1, 100, rand, 16, base, 16);
	mikey_derive(MIKEY_KEY_TEK, tgk, 16, 2, 100, rand, 16, o, 16);
	ck_assert(memcmp(base, o, 16));
	mikey_derive(MIKEY_KEY_TEK, tgk, 16, 1, 101, rand, 16, o, 16);
	ck_assert(memcmp(base, o, 16));
	rand[15] ^= 1;
	mikey_derive(MIKEY_KEY_TEK, tgk, 16, 1, 100, rand, 16, o, 16);
	ck_assert(memcmp(base, o, 16));
	rand[15] ^= 1;
	tgk[0] ^= 1;
	mikey_derive(MIKEY_KEY_TEK, tgk, 16, 1, 100, rand, 16, o, 16);
	ck_assert(memcmp(base, o, 16));
	/* PSK kinds ignore the cs_id argument: always 0xFF (s.4.1.4) */
	mikey_derive(MIKEY_KEY_PSK_AUTH, tgk, 16, 1, 100, rand, 16, base, 16);
	mikey_derive(MIKEY_KEY_PSK_AUTH, tgk, 16, 9, 100, rand, 16, o, 16);
	ck_assert_mem_eq(base, o, 16);
}
END_TEST

/* RFC 8445 s.5.3: at least 128 bits of randomness in an ICE password. */
START_TEST(derived_ice_passwords_carry_128_bits)
{
	uint8_t tgk[16], rand[16], k[MIKEY_ICE_PWD_OCTETS];
	char pi[MIKEY_ICE_PWD_HEX + 1], pr[MIKEY_ICE_PWD_HEX + 1];
	char ur[MIKEY_ICE_UFRAG_HEX + 1], want[MIKEY_ICE_PWD_HEX + 1];
	unsigned int i;

	memset(tgk, 0x5a, sizeof(tgk));
	memset(rand, 0x33, sizeof(rand));
	ck_assert_int_eq(mikey_ice_creds(tgk, sizeof(tgk), 0x01020304, rand,
					 sizeof(rand), pi, pr, ur), 0);
	ck_assert_uint_ge(strlen(pi) * 4, 128);
	ck_assert_uint_ge(strlen(pr) * 4, 128);
	ck_assert_uint_eq(strlen(pi), MIKEY_ICE_PWD_HEX);
	ck_assert_uint_eq(strlen(ur), MIKEY_ICE_UFRAG_HEX);
	ck_assert_uint_ge(strlen(ur) * 4, 24);
	ck_assert_str_ne(pi, pr);
	/* the documented derivation: TEK, cs_id 2 for the responder's */
	ck_assert_int_eq(mikey_derive(MIKEY_KEY_TEK, tgk, sizeof(tgk), 2,
				      0x01020304, rand, sizeof(rand), k,
				      sizeof(k)), 0);
	for (i = 0; i < sizeof(k); i++)
		snprintf(want + 2 * i, 3, "%02x", k[i]);
	ck_assert_str_eq(pr, want);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("mikey_prf");
	TCase *tc = tcase_create("prf");

	tcase_add_test(tc, prf_matches_reference_for_all_lengths);
	tcase_add_test(tc, prf_last_piece_matters);
	tcase_add_test(tc, prf_not_the_len_mod_32_bug);
	tcase_add_test(tc, prf_p_single_block_definition);
	tcase_add_test(tc, prf_rejects_bad_arguments);
	tcase_add_test(tc, label_layout);
	tcase_add_test(tc, constants_are_digits_of_e);
	tcase_add_test(tc, derivations_use_their_constant);
	tcase_add_test(tc, derivation_depends_on_every_input);
	tcase_add_test(tc, derived_ice_passwords_carry_128_bits);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
