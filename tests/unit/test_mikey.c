// SPDX-License-Identifier: GPL-2.0
/* MIKEY codec (RFC 3830 s.6) and exchanges (RFC 3830 s.3.1, s.5.4;
 * RFC 4650). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "mikey.h"
#include "mikey_exchange.h"
#include "mikey_prf.h"

static const uint8_t PSK[] = "0123456789abcdef-shared-secret";
static const uint8_t IDI[] = "alice@example.org";
static const uint8_t IDR[] = "bob@example.org";
#define NOW (((uint64_t)3900000000u) << 32 | 0x12345678u)

static int test_rng(void *arg, uint8_t *b, size_t n)
{
	unsigned int *ctr = arg;

	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)(*ctr * 31 + i * 17 + 5);
	(*ctr)++;
	return 0;
}

static unsigned int rng_ctr;

static struct mikey_cfg cfg_i(void)
{
	struct mikey_cfg c = {
		.psk = PSK, .psk_len = sizeof(PSK) - 1,
		.id_type = MIKEY_ID_NAI,
		.id_i = IDI, .id_i_len = sizeof(IDI) - 1,
		.id_r = IDR, .id_r_len = sizeof(IDR) - 1,
		.rng = test_rng, .rng_arg = &rng_ctr,
	};
	return c;
}

static struct mikey_init_params params(uint8_t encr, bool verify)
{
	static const uint8_t sp[] = { 0, 1, 1, 1, 1, 16 };	/* SRTP params */
	struct mikey_init_params p = {
		.csb_id = 0xC0FFEE01, .n_cs = 2, .encr_alg = encr,
		.verify = verify, .sp = sp, .sp_len = sizeof(sp),
	};
	p.cs[0] = (struct mikey_srtp_cs){ 0, 0x11111111, 0 };
	p.cs[1] = (struct mikey_srtp_cs){ 0, 0x22222222, 5 };
	return p;
}

/* ---------------- codec ---------------- */

START_TEST(codec_round_trip_every_payload)
{
	uint8_t buf[2048], kdb[512];
	static const uint8_t rnd[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
					 13, 14, 15, 16 };
	static const uint8_t spp[] = { 0, 1, 1, 4, 1, 0x50 };
	static const uint8_t key[16] = { 0xAA }, salt[14] = { 0xBB };
	static const uint8_t spi[4] = { 9, 8, 7, 6 }, vf[6] = { 1 }, vt[6] = { 2 };
	static const uint8_t hash[20] = { 0x33 }, sig[5] = { 1, 2, 3, 4, 5 };
	uint8_t dh[192];
	struct mikey_hdr h = { .version = 1, .data_type = MIKEY_DT_PSK_INIT,
			       .v = true, .csb_id = 0xDEADBEEF, .n_cs = 2 };
	struct mikey_keydata kd[4] = {
		{ .type = MIKEY_KD_TGK, .key = key, .key_len = 16 },
		{ .type = MIKEY_KD_TGK_SALT, .key = key, .key_len = 16,
		  .salt = salt, .salt_len = 14 },
		{ .type = MIKEY_KD_TEK, .key = key, .key_len = 16,
		  .kv = { .type = MIKEY_KV_SPI, .spi = spi, .spi_len = 4 } },
		{ .type = MIKEY_KD_TEK_SALT, .key = key, .key_len = 16,
		  .salt = salt, .salt_len = 14,
		  .kv = { .type = MIKEY_KV_INTERVAL, .vf = vf, .vf_len = 6,
			  .vt = vt, .vt_len = 6 } },
	};
	struct mikey_kv dkv = { .type = MIKEY_KV_SPI, .spi = spi, .spi_len = 4 };
	struct mikey_enc e, ke;
	struct mikey_msg m;
	struct mikey_keydata out[MIKEY_MAX_KEYDATA];
	const struct mikey_payload *p;
	size_t len, kl, mac_off = 0, vmac_off = 0, n = 0;
	const char *why = NULL;

	memset(dh, 0x5A, sizeof(dh));
	h.cs[0] = (struct mikey_srtp_cs){ 1, 0xA1B2C3D4, 7 };
	h.cs[1] = (struct mikey_srtp_cs){ 2, 0x01020304, 0xFFFFFFFF };
	mikey_enc_init(&ke, kdb, sizeof(kdb));
	for (int i = 0; i < 4; i++)
		mikey_enc_keydata(&ke, &kd[i]);
	kl = mikey_enc_finish(&ke);
	ck_assert_uint_gt(kl, 0);

	mikey_enc_init(&e, buf, sizeof(buf));
	mikey_enc_hdr(&e, &h);
	mikey_enc_t(&e, MIKEY_TS_NTP_UTC, 0x0102030405060708ULL);
	mikey_enc_t(&e, MIKEY_TS_COUNTER, 0xCAFE);
	mikey_enc_rand(&e, rnd, sizeof(rnd));
	mikey_enc_id(&e, MIKEY_ID_URI, IDI, sizeof(IDI) - 1);
	mikey_enc_sp(&e, 3, MIKEY_PROT_SRTP, spp, sizeof(spp));
	mikey_enc_dh(&e, MIKEY_DH_OAKLEY5, dh, sizeof(dh), &dkv);
	mikey_enc_err(&e, MIKEY_ERR_INVALID_SPPAR);
	mikey_enc_gext(&e, MIKEY_GEXT_SDP_IDS, rnd, 5);
	mikey_enc_opaque(&e, MIKEY_PT_PKE, 2, rnd, 9);
	mikey_enc_opaque(&e, MIKEY_PT_CERT, 0, rnd, 3);
	mikey_enc_opaque(&e, MIKEY_PT_CHASH, 0, hash, 20);
	mikey_enc_v(&e, MIKEY_MAC_HMAC_SHA1_160, &vmac_off);
	mikey_enc_kemac(&e, MIKEY_ENCR_NULL, kdb, kl, MIKEY_MAC_HMAC_SHA1_160,
			&mac_off);
	mikey_enc_opaque(&e, MIKEY_PT_SIGN, 1, sig, sizeof(sig));
	len = mikey_enc_finish(&e);
	ck_assert_uint_gt(len, 0);

	ck_assert_msg(mikey_decode(buf, len, &m, &why) == 0, "%s", why);
	ck_assert_uint_eq(m.hdr.version, 1);
	ck_assert_uint_eq(m.hdr.data_type, MIKEY_DT_PSK_INIT);
	ck_assert(m.hdr.v);
	ck_assert_uint_eq(m.hdr.csb_id, 0xDEADBEEF);
	ck_assert_uint_eq(m.hdr.n_cs, 2);
	ck_assert_uint_eq(m.hdr.cs[0].ssrc, 0xA1B2C3D4);
	ck_assert_uint_eq(m.hdr.cs[1].roc, 0xFFFFFFFF);
	ck_assert_uint_eq(m.hdr.cs[1].policy_no, 2);
	ck_assert_uint_eq(m.n, 14);

	ck_assert_uint_eq(m.p[0].type, MIKEY_PT_T);
	ck_assert_uint_eq(m.p[0].u.t.value, 0x0102030405060708ULL);
	ck_assert_uint_eq(m.p[1].u.t.ts_type, MIKEY_TS_COUNTER);
	ck_assert_uint_eq(m.p[1].u.t.value, 0xCAFE);
	ck_assert_uint_eq(m.p[2].type, MIKEY_PT_RAND);
	ck_assert_mem_eq(m.p[2].u.rand.data, rnd, 16);
	ck_assert_uint_eq(m.p[3].u.id.id_type, MIKEY_ID_URI);
	ck_assert_uint_eq(m.p[3].u.id.len, sizeof(IDI) - 1);
	ck_assert_mem_eq(m.p[3].u.id.data, IDI, sizeof(IDI) - 1);
	ck_assert_uint_eq(m.p[4].u.sp.policy_no, 3);
	ck_assert_uint_eq(m.p[4].u.sp.params_len, sizeof(spp));
	ck_assert_uint_eq(m.p[5].u.dh.group, MIKEY_DH_OAKLEY5);
	ck_assert_uint_eq(m.p[5].u.dh.value_len, 192);
	ck_assert_uint_eq(m.p[5].u.dh.kv.type, MIKEY_KV_SPI);
	ck_assert_mem_eq(m.p[5].u.dh.kv.spi, spi, 4);
	ck_assert_uint_eq(m.p[6].u.err.code, MIKEY_ERR_INVALID_SPPAR);
	ck_assert_uint_eq(m.p[7].u.gext.type, MIKEY_GEXT_SDP_IDS);
	ck_assert_uint_eq(m.p[7].u.gext.len, 5);
	ck_assert_uint_eq(m.p[8].type, MIKEY_PT_PKE);
	ck_assert_uint_eq(m.p[8].u.opaque.subtype, 2);
	ck_assert_uint_eq(m.p[8].u.opaque.len, 9);
	ck_assert_uint_eq(m.p[9].type, MIKEY_PT_CERT);
	ck_assert_uint_eq(m.p[9].u.opaque.len, 3);
	ck_assert_uint_eq(m.p[10].type, MIKEY_PT_CHASH);
	ck_assert_mem_eq(m.p[10].u.opaque.data, hash, 20);
	ck_assert_uint_eq(m.p[11].type, MIKEY_PT_V);
	ck_assert_uint_eq(m.p[11].u.v.mac_off, vmac_off);
	ck_assert_uint_eq(m.p[11].u.v.mac_len, 20);
	ck_assert_uint_eq(m.p[12].type, MIKEY_PT_KEMAC);
	ck_assert_uint_eq(m.p[12].u.kemac.mac_off, mac_off);
	ck_assert_uint_eq(m.p[12].u.kemac.encr_len, kl);
	ck_assert_uint_eq(m.p[13].type, MIKEY_PT_SIGN);
	ck_assert_uint_eq(m.p[13].u.opaque.subtype, 1);
	ck_assert_mem_eq(m.p[13].u.opaque.data, sig, sizeof(sig));
	ck_assert_uint_eq(m.p[13].off + m.p[13].len, len);

	p = &m.p[12];
	ck_assert_msg(mikey_keydata_decode(p->u.kemac.encr, p->u.kemac.encr_len,
					   out, MIKEY_MAX_KEYDATA, &n, &why) == 0,
		      "%s", why);
	ck_assert_uint_eq(n, 4);
	for (int i = 0; i < 4; i++) {
		ck_assert_uint_eq(out[i].type, kd[i].type);
		ck_assert_uint_eq(out[i].key_len, 16);
		ck_assert_mem_eq(out[i].key, key, 16);
		ck_assert_uint_eq(out[i].kv.type, kd[i].kv.type);
	}
	ck_assert_uint_eq(out[1].salt_len, 14);
	ck_assert_mem_eq(out[3].salt, salt, 14);
	ck_assert_mem_eq(out[2].kv.spi, spi, 4);
	ck_assert_uint_eq(out[3].kv.vf_len, 6);
	ck_assert_mem_eq(out[3].kv.vt, vt, 6);

	/* Re-encoding the decoded header gives the same bytes. */
	{
		uint8_t b2[64];
		struct mikey_enc e2;

		mikey_enc_init(&e2, b2, sizeof(b2));
		mikey_enc_hdr(&e2, &m.hdr);
		ck_assert_uint_eq(mikey_enc_finish(&e2), 28);
		b2[2] = buf[2];	/* next payload is set by the chain */
		ck_assert_mem_eq(b2, buf, 28);
	}
}
END_TEST

START_TEST(codec_encoder_overflow_is_reported)
{
	uint8_t buf[20];
	struct mikey_enc e;
	struct mikey_hdr h = { .version = 1 };
	static const uint8_t r[16];

	mikey_enc_init(&e, buf, sizeof(buf));
	mikey_enc_hdr(&e, &h);
	mikey_enc_rand(&e, r, 16);	/* 10 + 18 > 20 */
	ck_assert_uint_eq(mikey_enc_finish(&e), 0);
	mikey_enc_init(&e, buf, sizeof(buf));
	mikey_enc_rand(&e, r, 0);	/* empty RAND is invalid */
	ck_assert_uint_eq(mikey_enc_finish(&e), 0);
}
END_TEST

static void expect_reject(const uint8_t *b, size_t len, const char *needle)
{
	struct mikey_msg m;
	const char *why = NULL;

	ck_assert_int_eq(mikey_decode(b, len, &m, &why), -1);
	ck_assert_ptr_nonnull(why);
	ck_assert_msg(strstr(why, needle), "reason '%s' lacks '%s'", why, needle);
}

START_TEST(codec_rejects_bad_input_with_reason)
{
	/* header: v1, PSK init, next=Last, V|PRF, CSB, #CS 0, map 0 */
	uint8_t b[64] = { 1, 0, 0, 0, 0, 0, 0, 1, 0, 0 };
	struct mikey_msg m;

	ck_assert_int_eq(mikey_decode(b, 10, &m, NULL), 0);
	b[0] = 2;
	expect_reject(b, 10, "version");
	b[0] = 1;
	b[9] = 7;
	expect_reject(b, 10, "map type");
	b[9] = 0;
	b[8] = 1;	/* one CS announced, no map info */
	expect_reject(b, 10, "SRTP-ID map");
	b[8] = MIKEY_MAX_CS + 1;
	expect_reject(b, 10, "too many crypto sessions");
	b[8] = 0;
	expect_reject(b, 11, "trailing");
	expect_reject(b, 9, "shorter");
	b[2] = 13;	/* unassigned payload type */
	b[10] = 0;
	expect_reject(b, 11, "unknown payload");
	b[2] = MIKEY_PT_KEYDATA;
	expect_reject(b, 11, "outside a KEMAC");
	b[2] = MIKEY_PT_DH;	/* DH with group 9 */
	b[10] = 0; b[11] = 9;
	expect_reject(b, 12, "DH group");
	b[2] = MIKEY_PT_KEMAC;	/* NULL encr, 0 bytes, MAC alg 7 */
	b[11] = 0; b[12] = 0; b[13] = 0; b[14] = 7;
	expect_reject(b, 15, "MAC algorithm");
	b[2] = MIKEY_PT_T;
	b[11] = 3;
	expect_reject(b, 20, "TS type");
	b[2] = MIKEY_PT_RAND;
	b[11] = 0;
	expect_reject(b, 12, "RAND: empty");
	b[2] = MIKEY_PT_SP;	/* params_len 3, one param claiming 5 bytes */
	b[11] = 0; b[12] = 0; b[13] = 0; b[14] = 3; b[15] = 1; b[16] = 5; b[17] = 0;
	expect_reject(b, 18, "overruns");
	b[2] = MIKEY_PT_ID;	/* ID claiming 200 bytes */
	b[11] = 0; b[12] = 0; b[13] = 200;
	expect_reject(b, 20, "ID: truncated");
	/* a chain of 33 ERR payloads exceeds the payload limit */
	{
		uint8_t big[10 + 33 * 4];

		memcpy(big, b, 10);
		big[2] = MIKEY_PT_ERR;
		for (int i = 0; i < 33; i++) {
			uint8_t *q = big + 10 + 4 * i;

			q[0] = i == 32 ? 0 : MIKEY_PT_ERR;
			q[1] = 0; q[2] = 0; q[3] = 0;
		}
		expect_reject(big, sizeof(big), "too many payloads");
	}
}
END_TEST

START_TEST(codec_keydata_rejects_bad_input)
{
	uint8_t b[16] = { 0, 0x40, 0, 0 };	/* type 4: unknown */
	struct mikey_keydata kd[2];
	size_t n;
	const char *why = NULL;

	ck_assert_int_eq(mikey_keydata_decode(b, 4, kd, 2, &n, &why), -1);
	ck_assert_ptr_nonnull(strstr(why, "unknown type"));
	b[1] = 0x03;	/* TGK, KV type 3 */
	ck_assert_int_eq(mikey_keydata_decode(b, 4, kd, 2, &n, &why), -1);
	ck_assert_ptr_nonnull(strstr(why, "key validity"));
	b[1] = 0x00; b[3] = 20;	/* key longer than the buffer */
	ck_assert_int_eq(mikey_keydata_decode(b, 8, kd, 2, &n, &why), -1);
	ck_assert_ptr_nonnull(strstr(why, "truncated key"));
	b[3] = 0; b[0] = MIKEY_PT_T;	/* chain to a non-key-data payload */
	ck_assert_int_eq(mikey_keydata_decode(b, 8, kd, 2, &n, &why), -1);
	ck_assert_ptr_nonnull(strstr(why, "not Key Data"));
	b[0] = 0;
	ck_assert_int_eq(mikey_keydata_decode(b, 4, kd, 2, &n, &why), 0);
	ck_assert_uint_eq(n, 1);
}
END_TEST

/* ---------------- exchanges ---------------- */

struct resp {
	struct mikey_replay rc;
	struct mikey_cfg cfg;
};

static void resp_init(struct resp *r)
{
	r->cfg = cfg_i();
	ck_assert_int_eq(mikey_replay_init(&r->rc, 64, MIKEY_DEFAULT_SKEW), 0);
}

static void psk_roundtrip(uint8_t encr, bool verify)
{
	struct mikey_cfg ci = cfg_i();
	struct mikey_init_params ip = params(encr, verify);
	struct mikey_init_state st;
	struct mikey_result ri, rr;
	struct resp r;
	uint8_t im[MIKEY_MSG_MAX], rm[MIKEY_MSG_MAX];
	uint8_t teki[16], tekr[16];
	size_t il, rl;
	const char *why = "";

	resp_init(&r);
	ck_assert_int_eq(mikey_psk_init_create(&ci, &ip, NOW, &st, im, sizeof(im),
					       &il, &why), 0);
	ck_assert_msg(mikey_psk_resp_process(&r.cfg, &r.rc, NOW + 1000, im, il,
					     &rr, rm, sizeof(rm), &rl, &why) == 0,
		      "%s", why);
	ck_assert_uint_eq(rl > 0, verify);
	ck_assert_msg(mikey_psk_init_finish(&ci, &st, &r.rc, NOW + 2000,
					    verify ? rm : NULL, rl, &ri, &why) == 0,
		      "%s", why);
	ck_assert_uint_eq(ri.tgk_len, 16);
	ck_assert_uint_eq(rr.tgk_len, 16);
	ck_assert_mem_eq(ri.tgk, rr.tgk, 16);
	ck_assert_uint_eq(rr.csb_id, 0xC0FFEE01);
	ck_assert_uint_eq(rr.n_cs, 2);
	ck_assert_uint_eq(rr.cs[1].ssrc, 0x22222222);
	ck_assert_mem_eq(ri.rand, rr.rand, 16);
	/* Both sides derive the same TEK for CS 1 (s.4.1.3). */
	ck_assert_int_eq(mikey_derive(MIKEY_KEY_TEK, ri.tgk, ri.tgk_len, 1,
				      ri.csb_id, ri.rand, ri.rand_len, teki, 16), 0);
	ck_assert_int_eq(mikey_derive(MIKEY_KEY_TEK, rr.tgk, rr.tgk_len, 1,
				      rr.csb_id, rr.rand, rr.rand_len, tekr, 16), 0);
	ck_assert_mem_eq(teki, tekr, 16);
	/* NULL encryption carries the TGK in the clear, AES-CM does not. */
	ck_assert_uint_eq(memmem(im, il, ri.tgk, 16) != NULL,
			  encr == MIKEY_ENCR_NULL);
	mikey_init_state_clear(&st);
	mikey_replay_free(&r.rc);
}

START_TEST(psk_exchange_null_verify)
{
	psk_roundtrip(MIKEY_ENCR_NULL, true);
}
END_TEST

START_TEST(psk_exchange_aes_cm_verify)
{
	psk_roundtrip(MIKEY_ENCR_AES_CM_128, true);
}
END_TEST

START_TEST(psk_exchange_aes_cm_no_verify)
{
	psk_roundtrip(MIKEY_ENCR_AES_CM_128, false);
}
END_TEST

/* The KEMAC MAC is HMAC-SHA-1 over the message up to the MAC with the
 * s.4.1.4 auth key; recompute it here from the public pieces. */
START_TEST(psk_mac_is_hmac_over_message)
{
	struct mikey_cfg ci = cfg_i();
	struct mikey_init_params ip = params(MIKEY_ENCR_NULL, false);
	struct mikey_init_state st;
	struct mikey_msg m;
	uint8_t im[1024], ak[20], mac[20];
	size_t il, from = 0;
	unsigned int l;
	const struct mikey_payload *k, *rnd;
	const char *why;

	ck_assert_int_eq(mikey_psk_init_create(&ci, &ip, NOW, &st, im, sizeof(im),
					       &il, &why), 0);
	ck_assert_int_eq(mikey_decode(im, il, &m, &why), 0);
	ck_assert_uint_eq(m.hdr.data_type, MIKEY_DT_PSK_INIT);
	k = mikey_find(&m, MIKEY_PT_KEMAC, &from);
	from = 0;
	rnd = mikey_find(&m, MIKEY_PT_RAND, &from);
	ck_assert_ptr_nonnull(k);
	ck_assert_ptr_nonnull(rnd);
	ck_assert_uint_eq(k->u.kemac.mac_off + 20, il);
	ck_assert_int_eq(mikey_derive(MIKEY_KEY_PSK_AUTH, PSK, sizeof(PSK) - 1,
				      0xFF, 0xC0FFEE01, rnd->u.rand.data,
				      rnd->u.rand.len, ak, 20), 0);
	HMAC(EVP_sha1(), ak, 20, im, k->u.kemac.mac_off, mac, &l);
	ck_assert_mem_eq(mac, k->u.kemac.mac, 20);
	mikey_init_state_clear(&st);
}
END_TEST

/* AES-CM-128 per s.4.2.3, recomputed here: key and salt from the PSK
 * (s.4.1.4), IV = (salt XOR (0x0000 || CSB ID || T)) || 0x0000; the
 * plaintext is one TGK Key Data sub-payload holding the agreed TGK. */
START_TEST(psk_aes_cm_matches_s4_2_3)
{
	struct mikey_cfg ci = cfg_i();
	struct mikey_init_params ip = params(MIKEY_ENCR_AES_CM_128, false);
	struct mikey_init_state st;
	struct mikey_msg m;
	uint8_t im[1024], key[16], salt[14], iv[16], plain[64];
	size_t il, from = 0;
	int ol = 0;
	const struct mikey_payload *k, *t, *rnd;
	EVP_CIPHER_CTX *c;
	const char *why;

	ck_assert_int_eq(mikey_psk_init_create(&ci, &ip, NOW, &st, im, sizeof(im),
					       &il, &why), 0);
	ck_assert_int_eq(mikey_decode(im, il, &m, &why), 0);
	k = mikey_find(&m, MIKEY_PT_KEMAC, &from);
	from = 0;
	t = mikey_find(&m, MIKEY_PT_T, &from);
	from = 0;
	rnd = mikey_find(&m, MIKEY_PT_RAND, &from);
	ck_assert_uint_eq(k->u.kemac.encr_alg, MIKEY_ENCR_AES_CM_128);
	ck_assert_uint_eq(k->u.kemac.encr_len, 4 + 16);
	ck_assert_uint_eq(t->u.t.value, NOW);
	mikey_derive(MIKEY_KEY_PSK_ENC, PSK, sizeof(PSK) - 1, 0xFF, 0xC0FFEE01,
		     rnd->u.rand.data, 16, key, 16);
	mikey_derive(MIKEY_KEY_PSK_SALT, PSK, sizeof(PSK) - 1, 0xFF, 0xC0FFEE01,
		     rnd->u.rand.data, 16, salt, 14);
	memset(iv, 0, sizeof(iv));
	iv[2] = 0xC0; iv[3] = 0xFF; iv[4] = 0xEE; iv[5] = 0x01;
	for (int i = 0; i < 8; i++)
		iv[6 + i] = (uint8_t)(NOW >> (56 - 8 * i));
	for (int i = 0; i < 14; i++)
		iv[i] ^= salt[i];
	c = EVP_CIPHER_CTX_new();
	ck_assert(EVP_DecryptInit_ex(c, EVP_aes_128_ctr(), NULL, key, iv));
	ck_assert(EVP_DecryptUpdate(c, plain, &ol, k->u.kemac.encr, 20));
	EVP_CIPHER_CTX_free(c);
	ck_assert_int_eq(ol, 20);
	/* next = Last, TGK | KV null, length 16, then the TGK */
	ck_assert_uint_eq(plain[0], 0);
	ck_assert_uint_eq(plain[1], 0x00);
	ck_assert_uint_eq(plain[2], 0);
	ck_assert_uint_eq(plain[3], 16);
	ck_assert_mem_eq(plain + 4, st.tgk, 16);
	mikey_init_state_clear(&st);
}
END_TEST

/* The V payload MAC (s.5.2) recomputed here: HMAC-SHA-1 with the s.4.1.4
 * auth key over the R_MESSAGE up to the MAC || IDi || IDr || T of the
 * I_MESSAGE (identity data and the 64-bit timestamp value). */
START_TEST(psk_v_mac_covers_message_ids_and_t)
{
	struct mikey_cfg ci = cfg_i();
	struct mikey_init_params ip = params(MIKEY_ENCR_NULL, true);
	struct mikey_init_state st;
	struct mikey_result rr;
	struct resp r;
	struct mikey_msg m;
	uint8_t im[1024], rm[1024], ak[20], in[1024], mac[20];
	size_t il, rl, from = 0, n;
	unsigned int l;
	const struct mikey_payload *v;
	const char *why;

	resp_init(&r);
	mikey_psk_init_create(&ci, &ip, NOW, &st, im, sizeof(im), &il, &why);
	ck_assert_int_eq(mikey_psk_resp_process(&r.cfg, &r.rc, NOW + 7, im, il,
						&rr, rm, sizeof(rm), &rl, &why), 0);
	ck_assert_int_eq(mikey_decode(rm, rl, &m, &why), 0);
	ck_assert_uint_eq(m.hdr.data_type, MIKEY_DT_PSK_RESP);
	v = mikey_find(&m, MIKEY_PT_V, &from);
	ck_assert_ptr_nonnull(v);
	ck_assert_uint_eq(v->u.v.mac_off + 20, rl);
	n = v->u.v.mac_off;
	memcpy(in, rm, n);
	memcpy(in + n, IDI, sizeof(IDI) - 1);
	n += sizeof(IDI) - 1;
	memcpy(in + n, IDR, sizeof(IDR) - 1);
	n += sizeof(IDR) - 1;
	for (int i = 0; i < 8; i++)
		in[n++] = (uint8_t)(NOW >> (56 - 8 * i));
	mikey_derive(MIKEY_KEY_PSK_AUTH, PSK, sizeof(PSK) - 1, 0xFF, 0xC0FFEE01,
		     st.rand, st.rand_len, ak, 20);
	HMAC(EVP_sha1(), ak, 20, in, n, mac, &l);
	ck_assert_mem_eq(mac, v->u.v.mac, 20);
	mikey_init_state_clear(&st);
	mikey_replay_free(&r.rc);
}
END_TEST

START_TEST(psk_replay_rejected)
{
	struct mikey_cfg ci = cfg_i();
	struct mikey_init_params ip = params(MIKEY_ENCR_AES_CM_128, true);
	struct mikey_init_state st;
	struct mikey_result rr;
	struct resp r;
	uint8_t im[1024], rm[1024];
	size_t il, rl;
	const char *why;

	resp_init(&r);
	mikey_psk_init_create(&ci, &ip, NOW, &st, im, sizeof(im), &il, &why);
	ck_assert_int_eq(mikey_psk_resp_process(&r.cfg, &r.rc, NOW, im, il, &rr,
						rm, sizeof(rm), &rl, &why), 0);
	ck_assert_int_eq(mikey_psk_resp_process(&r.cfg, &r.rc, NOW + 10, im, il,
						&rr, rm, sizeof(rm), &rl, &why), -1);
	ck_assert_uint_eq(rl, 0);		/* dropped, no answer */
	ck_assert_uint_eq(rr.tgk_len, 0);
	ck_assert_ptr_nonnull(strstr(why, "replay"));
	mikey_init_state_clear(&st);
	mikey_replay_free(&r.rc);
}
END_TEST

START_TEST(psk_stale_and_future_timestamps_rejected)
{
	struct mikey_cfg ci = cfg_i();
	struct mikey_init_params ip = params(MIKEY_ENCR_NULL, true);
	struct mikey_init_state st;
	struct mikey_result rr, ri;
	struct resp r;
	uint8_t im[1024], rm[1024];
	size_t il, rl;
	const char *why;
	const uint64_t skew = mikey_ntp_secs(MIKEY_DEFAULT_SKEW);

	resp_init(&r);
	mikey_psk_init_create(&ci, &ip, NOW, &st, im, sizeof(im), &il, &why);
	/* just outside the window, both directions */
	ck_assert_int_eq(mikey_psk_resp_process(&r.cfg, &r.rc, NOW + skew + 1,
						im, il, &rr, rm, sizeof(rm), &rl,
						&why), -1);
	ck_assert_int_eq(rr.err, MIKEY_ERR_INVALID_TS);
	ck_assert_uint_eq(rr.tgk_len, 0);
	ck_assert_uint_gt(rl, 0);
	/* The initiator gets an authenticated Invalid TS error (s.5.1.2). */
	ck_assert_int_eq(mikey_psk_init_finish(&ci, &st, &r.rc, NOW, rm, rl, &ri,
					       &why), -1);
	ck_assert_int_eq(ri.err, MIKEY_ERR_INVALID_TS);
	ck_assert(ri.err_authenticated);
	ck_assert_uint_eq(ri.tgk_len, 0);
	ck_assert_int_eq(mikey_psk_resp_process(&r.cfg, &r.rc, NOW - skew - 1,
						im, il, &rr, rm, sizeof(rm), &rl,
						&why), -1);
	ck_assert_int_eq(rr.err, MIKEY_ERR_INVALID_TS);
	/* at the edge of the window it is accepted */
	ck_assert_int_eq(mikey_psk_resp_process(&r.cfg, &r.rc, NOW + skew, im,
						il, &rr, rm, sizeof(rm), &rl,
						&why), 0);
	/* a stale R_MESSAGE is refused by the initiator */
	ck_assert_int_eq(mikey_psk_init_finish(&ci, &st, &r.rc, NOW + 2 * skew + 1,
					       rm, rl, &ri, &why), -1);
	ck_assert_ptr_nonnull(strstr(why, "window"));
	ck_assert_int_eq(mikey_psk_init_finish(&ci, &st, &r.rc, NOW + skew, rm,
					       rl, &ri, &why), 0);
	mikey_init_state_clear(&st);
	mikey_replay_free(&r.rc);
}
END_TEST

/* Flip every bit of the I_MESSAGE (all of it is MACed, the MAC included):
 * the responder must never accept, and must not crash. Then the same for
 * the R_MESSAGE at the initiator. */
START_TEST(psk_any_bit_flip_rejected)
{
	struct mikey_cfg ci = cfg_i();
	struct mikey_init_params ip = params(MIKEY_ENCR_AES_CM_128, true);
	struct mikey_init_state st;
	struct mikey_result rr, ri;
	struct resp r;
	uint8_t im[1024], rm[1024], x[1024], good_rm[1024];
	size_t il, rl, grl;
	const char *why;
	unsigned int rejected = 0;

	resp_init(&r);
	mikey_psk_init_create(&ci, &ip, NOW, &st, im, sizeof(im), &il, &why);
	for (size_t bit = 0; bit < il * 8; bit++) {
		memcpy(x, im, il);
		x[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		ck_assert_int_eq(mikey_psk_resp_process(&r.cfg, &r.rc, NOW, x, il,
							&rr, rm, sizeof(rm), &rl,
							&why), -1);
		ck_assert_uint_eq(rr.tgk_len, 0);
		rejected++;
	}
	ck_assert_uint_eq(rejected, il * 8);
	/* the untouched message still goes through afterwards */
	ck_assert_int_eq(mikey_psk_resp_process(&r.cfg, &r.rc, NOW, im, il, &rr,
						good_rm, sizeof(good_rm), &grl,
						&why), 0);
	for (size_t bit = 0; bit < grl * 8; bit++) {
		memcpy(x, good_rm, grl);
		x[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		ck_assert_int_eq(mikey_psk_init_finish(&ci, &st, &r.rc, NOW, x, grl,
						       &ri, &why), -1);
		ck_assert_uint_eq(ri.tgk_len, 0);
	}
	ck_assert_int_eq(mikey_psk_init_finish(&ci, &st, &r.rc, NOW, good_rm, grl,
					       &ri, &why), 0);
	mikey_init_state_clear(&st);
	mikey_replay_free(&r.rc);
}
END_TEST

START_TEST(psk_wrong_key_is_auth_failure)
{
	struct mikey_cfg ci = cfg_i();
	struct mikey_init_params ip = params(MIKEY_ENCR_NULL, true);
	struct mikey_init_state st;
	struct mikey_result rr, ri;
	struct resp r;
	struct mikey_msg m;
	uint8_t im[1024], rm[1024];
	size_t il, rl, from = 0;
	const char *why;
	static const uint8_t other[] = "another key";

	resp_init(&r);
	r.cfg.psk = other;
	r.cfg.psk_len = sizeof(other) - 1;
	mikey_psk_init_create(&ci, &ip, NOW, &st, im, sizeof(im), &il, &why);
	ck_assert_int_eq(mikey_psk_resp_process(&r.cfg, &r.rc, NOW, im, il, &rr,
						rm, sizeof(rm), &rl, &why), -1);
	ck_assert_int_eq(rr.err, MIKEY_ERR_AUTH_FAILURE);
	ck_assert_uint_gt(rl, 0);
	ck_assert_int_eq(mikey_decode(rm, rl, &m, &why), 0);
	ck_assert_uint_eq(m.hdr.data_type, MIKEY_DT_ERROR);
	ck_assert_uint_eq(mikey_find(&m, MIKEY_PT_ERR, &from)->u.err.code,
			  MIKEY_ERR_AUTH_FAILURE);
	from = 0;
	ck_assert_ptr_null(mikey_find(&m, MIKEY_PT_V, &from));	/* unauth. */
	ck_assert_int_eq(mikey_psk_init_finish(&ci, &st, &r.rc, NOW, rm, rl, &ri,
					       &why), -1);
	ck_assert_int_eq(ri.err, MIKEY_ERR_AUTH_FAILURE);
	ck_assert(!ri.err_authenticated);
	mikey_init_state_clear(&st);
	mikey_replay_free(&r.rc);
}
END_TEST

/* Builds a MACed I_MESSAGE by hand (for unsupported-value tests). */
static size_t craft(uint8_t *b, size_t cap, uint8_t dt, uint8_t encr,
		    int dh_group, const uint8_t *idr, size_t idr_len)
{
	static const uint8_t rnd[16] = { 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,
					 7, 7, 7, 7 };
	uint8_t kd[32], dh[192], ak[20];
	struct mikey_keydata k = { .type = MIKEY_KD_TGK, .key = rnd, .key_len = 16 };
	struct mikey_hdr h = { .version = 1, .data_type = dt, .csb_id = 77 };
	struct mikey_enc e, ke;
	size_t kl = 0, mac_off = 0, len;
	unsigned int l;

	memset(dh, 3, sizeof(dh));
	if (dh_group < 0) {
		mikey_enc_init(&ke, kd, sizeof(kd));
		mikey_enc_keydata(&ke, &k);
		kl = mikey_enc_finish(&ke);
	}
	mikey_enc_init(&e, b, cap);
	mikey_enc_hdr(&e, &h);
	mikey_enc_t(&e, MIKEY_TS_NTP_UTC, NOW);
	mikey_enc_rand(&e, rnd, 16);
	if (idr) {
		mikey_enc_id(&e, MIKEY_ID_NAI, IDI, sizeof(IDI) - 1);
		mikey_enc_id(&e, MIKEY_ID_NAI, idr, idr_len);
	}
	if (dh_group >= 0)
		mikey_enc_dh(&e, (uint8_t)dh_group, dh,
			     mikey_dh_len((uint8_t)dh_group), NULL);
	mikey_enc_kemac(&e, encr, kd, kl, MIKEY_MAC_HMAC_SHA1_160, &mac_off);
	len = mikey_enc_finish(&e);
	ck_assert_uint_gt(len, 0);
	mikey_derive(MIKEY_KEY_PSK_AUTH, PSK, sizeof(PSK) - 1, 0xFF, 77, rnd, 16,
		     ak, 20);
	HMAC(EVP_sha1(), ak, 20, b, mac_off, b + mac_off, &l);
	return len;
}

/* MACed PSK I_MESSAGEs with one defect each: 0 COUNTER timestamp,
 * 1 SP of an unknown protocol, 2 RAND of 8 bytes, 3 no KEMAC at the end
 * (an ERR payload after it), 4 PRF func 1. */
static size_t craft_defect(uint8_t *b, size_t cap, int defect)
{
	static const uint8_t rnd[16] = { 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9,
					 9, 9, 9, 9 };
	static const uint8_t spp[] = { 0, 1, 1 };
	static const uint8_t key[16] = { 1 };
	struct mikey_keydata k = { .type = MIKEY_KD_TGK, .key = key, .key_len = 16 };
	struct mikey_hdr h = { .version = 1, .data_type = MIKEY_DT_PSK_INIT,
			       .csb_id = 78, .prf_func = defect == 4 };
	uint8_t kd[32], ak[20];
	struct mikey_enc e, ke;
	size_t kl, mac_off = 0, len, rl = defect == 2 ? 8 : 16;
	unsigned int l;

	mikey_enc_init(&ke, kd, sizeof(kd));
	mikey_enc_keydata(&ke, &k);
	kl = mikey_enc_finish(&ke);
	mikey_enc_init(&e, b, cap);
	mikey_enc_hdr(&e, &h);
	if (defect == 0)
		mikey_enc_t(&e, MIKEY_TS_COUNTER, 5);
	else
		mikey_enc_t(&e, MIKEY_TS_NTP_UTC, NOW);
	mikey_enc_rand(&e, rnd, rl);
	mikey_enc_sp(&e, 0, defect == 1 ? 5 : MIKEY_PROT_SRTP, spp, sizeof(spp));
	mikey_enc_kemac(&e, MIKEY_ENCR_NULL, kd, kl, MIKEY_MAC_HMAC_SHA1_160,
			&mac_off);
	if (defect == 3)
		mikey_enc_err(&e, 0);
	len = mikey_enc_finish(&e);
	ck_assert_uint_gt(len, 0);
	mikey_derive(MIKEY_KEY_PSK_AUTH, PSK, sizeof(PSK) - 1, 0xFF, 78, rnd, rl,
		     ak, 20);
	HMAC(EVP_sha1(), ak, 20, b, mac_off, b + mac_off, &l);
	return len;
}

static int err_answer(const uint8_t *rm, size_t rl)
{
	struct mikey_msg m;
	size_t from = 0;
	const struct mikey_payload *p;

	if (!rl || mikey_decode(rm, rl, &m, NULL) ||
	    m.hdr.data_type != MIKEY_DT_ERROR)
		return -1;
	p = mikey_find(&m, MIKEY_PT_ERR, &from);
	return p ? p->u.err.code : -1;
}

START_TEST(responder_answers_rfc_error_codes)
{
	struct resp r;
	struct mikey_result rr;
	uint8_t im[1024], rm[1024];
	size_t il, rl;
	const char *why;

	resp_init(&r);
	/* a crafted, correctly MACed message is accepted (control) */
	il = craft(im, sizeof(im), MIKEY_DT_PSK_INIT, MIKEY_ENCR_NULL, -1, NULL, 0);
	ck_assert_msg(mikey_psk_resp_process(&r.cfg, &r.rc, NOW, im, il, &rr, rm,
					     sizeof(rm), &rl, &why) == 0, "%s", why);
	ck_assert_uint_eq(rr.tgk_len, 16);
	mikey_replay_free(&r.rc);
	resp_init(&r);
	il = craft(im, sizeof(im), MIKEY_DT_PSK_INIT, MIKEY_ENCR_AES_KW_128, -1,
		   NULL, 0);
	ck_assert_int_eq(mikey_psk_resp_process(&r.cfg, &r.rc, NOW, im, il, &rr,
						rm, sizeof(rm), &rl, &why), -1);
	ck_assert_int_eq(err_answer(rm, rl), MIKEY_ERR_INVALID_EA);
	il = craft(im, sizeof(im), MIKEY_DT_PK_INIT, MIKEY_ENCR_NULL, -1, NULL, 0);
	ck_assert_int_eq(mikey_psk_resp_process(&r.cfg, &r.rc, NOW, im, il, &rr,
						rm, sizeof(rm), &rl, &why), -1);
	ck_assert_int_eq(err_answer(rm, rl), MIKEY_ERR_INVALID_DT);
	il = craft(im, sizeof(im), MIKEY_DT_PSK_INIT, MIKEY_ENCR_NULL, -1,
		   (const uint8_t *)"mallory", 7);
	ck_assert_int_eq(mikey_psk_resp_process(&r.cfg, &r.rc, NOW, im, il, &rr,
						rm, sizeof(rm), &rl, &why), -1);
	ck_assert_int_eq(err_answer(rm, rl), MIKEY_ERR_INVALID_ID);
	il = craft(im, sizeof(im), MIKEY_DT_DHHMAC_INIT, MIKEY_ENCR_NULL,
		   MIKEY_DH_OAKLEY1, NULL, 0);
	ck_assert_int_eq(mikey_dhhmac_resp_process(&r.cfg, &r.rc, NOW, im, il,
						   &rr, rm, sizeof(rm), &rl,
						   &why), -1);
	ck_assert_int_eq(err_answer(rm, rl), MIKEY_ERR_INVALID_DH);
	/* the right IDi/IDr pair is accepted (control for Invalid ID) */
	mikey_replay_free(&r.rc);
	resp_init(&r);
	il = craft(im, sizeof(im), MIKEY_DT_PSK_INIT, MIKEY_ENCR_NULL, -1, IDR,
		   sizeof(IDR) - 1);
	ck_assert_msg(mikey_psk_resp_process(&r.cfg, &r.rc, NOW, im, il, &rr, rm,
					     sizeof(rm), &rl, &why) == 0, "%s", why);
	mikey_replay_free(&r.rc);
}
END_TEST

START_TEST(responder_refuses_defective_messages)
{
	static const int want[] = { MIKEY_ERR_INVALID_TS, MIKEY_ERR_INVALID_SP,
				    MIKEY_ERR_UNSPECIFIED, MIKEY_ERR_UNSPECIFIED,
				    MIKEY_ERR_INVALID_PRF };
	struct resp r;
	struct mikey_result rr;
	uint8_t im[1024], rm[1024];
	size_t il, rl;
	const char *why;

	resp_init(&r);
	for (int d = 0; d < 5; d++) {
		il = craft_defect(im, sizeof(im), d);
		ck_assert_int_eq(mikey_psk_resp_process(&r.cfg, &r.rc, NOW, im, il,
							&rr, rm, sizeof(rm), &rl,
							&why), -1);
		ck_assert_uint_eq(rr.tgk_len, 0);
		ck_assert_msg(err_answer(rm, rl) == want[d], "defect %d: %d (%s)",
			      d, err_answer(rm, rl), why);
	}
	mikey_replay_free(&r.rc);
}
END_TEST

/* Key Data larger than the responder's work buffer (MIKEY_MSG_MAX) in a
 * correctly MACed message: refused, nothing overflows (ASan build). */
START_TEST(responder_refuses_oversized_key_data)
{
	static uint8_t big[6000], kd[6100], im[6400], rm[256];
	static const uint8_t rnd[16] = { 4 };
	struct mikey_keydata k = { .type = MIKEY_KD_TGK, .key = big,
				   .key_len = sizeof(big) };
	struct mikey_hdr h = { .version = 1, .data_type = MIKEY_DT_PSK_INIT,
			       .csb_id = 79 };
	struct mikey_enc e, ke;
	struct mikey_result rr;
	struct resp r;
	size_t kl, il, rl, mac_off = 0;
	uint8_t ak[20];
	unsigned int l;
	const char *why;

	mikey_enc_init(&ke, kd, sizeof(kd));
	mikey_enc_keydata(&ke, &k);
	kl = mikey_enc_finish(&ke);
	ck_assert_uint_eq(kl, 4 + sizeof(big));
	mikey_enc_init(&e, im, sizeof(im));
	mikey_enc_hdr(&e, &h);
	mikey_enc_t(&e, MIKEY_TS_NTP_UTC, NOW);
	mikey_enc_rand(&e, rnd, 16);
	mikey_enc_kemac(&e, MIKEY_ENCR_NULL, kd, kl, MIKEY_MAC_HMAC_SHA1_160,
			&mac_off);
	il = mikey_enc_finish(&e);
	ck_assert_uint_gt(il, MIKEY_MSG_MAX);
	mikey_derive(MIKEY_KEY_PSK_AUTH, PSK, sizeof(PSK) - 1, 0xFF, 79, rnd, 16,
		     ak, 20);
	HMAC(EVP_sha1(), ak, 20, im, mac_off, im + mac_off, &l);
	resp_init(&r);
	ck_assert_int_eq(mikey_psk_resp_process(&r.cfg, &r.rc, NOW, im, il, &rr,
						rm, sizeof(rm), &rl, &why), -1);
	ck_assert_int_eq(rr.err, MIKEY_ERR_UNSPECIFIED);
	ck_assert_uint_eq(rr.tgk_len, 0);
	mikey_replay_free(&r.rc);
}
END_TEST

START_TEST(dhhmac_exchange_agrees_on_tgk)
{
	struct mikey_cfg ci = cfg_i();
	struct mikey_init_params ip = params(MIKEY_ENCR_NULL, false);
	struct mikey_init_state st;
	struct mikey_result ri, rr;
	struct resp r;
	struct mikey_msg m;
	uint8_t im[MIKEY_MSG_MAX], rm[MIKEY_MSG_MAX], salt_i[14], salt_r[14];
	size_t il, rl, from = 0;
	const char *why = "";

	resp_init(&r);
	ck_assert_msg(mikey_dhhmac_init_create(&ci, &ip, NOW, &st, im, sizeof(im),
					       &il, &why) == 0, "%s", why);
	ck_assert_int_eq(mikey_decode(im, il, &m, &why), 0);
	ck_assert_uint_eq(m.hdr.data_type, MIKEY_DT_DHHMAC_INIT);
	ck_assert_ptr_nonnull(mikey_find(&m, MIKEY_PT_DH, &from));
	ck_assert_msg(mikey_dhhmac_resp_process(&r.cfg, &r.rc, NOW, im, il, &rr,
						rm, sizeof(rm), &rl, &why) == 0,
		      "%s", why);
	ck_assert_uint_gt(rl, 0);
	ck_assert_int_eq(mikey_decode(rm, rl, &m, &why), 0);
	ck_assert_uint_eq(m.hdr.data_type, MIKEY_DT_DHHMAC_RESP);
	ck_assert_msg(mikey_dhhmac_init_finish(&ci, &st, &r.rc, NOW + 5, rm, rl,
					       &ri, &why) == 0, "%s", why);
	ck_assert_uint_eq(ri.tgk_len, 192);
	ck_assert_uint_eq(rr.tgk_len, 192);
	ck_assert_mem_eq(ri.tgk, rr.tgk, 192);
	/* the TGK is secret: it is in neither message */
	ck_assert_ptr_null(memmem(im, il, ri.tgk + 64, 32));
	ck_assert_ptr_null(memmem(rm, rl, ri.tgk + 64, 32));
	mikey_derive(MIKEY_KEY_SALT, ri.tgk, ri.tgk_len, 0, ri.csb_id, ri.rand,
		     ri.rand_len, salt_i, 14);
	mikey_derive(MIKEY_KEY_SALT, rr.tgk, rr.tgk_len, 0, rr.csb_id, rr.rand,
		     rr.rand_len, salt_r, 14);
	ck_assert_mem_eq(salt_i, salt_r, 14);
	/* replay of the I_MESSAGE is dropped */
	ck_assert_int_eq(mikey_dhhmac_resp_process(&r.cfg, &r.rc, NOW, im, il,
						   &rr, rm, sizeof(rm), &rl,
						   &why), -1);
	ck_assert_uint_eq(rl, 0);
	mikey_init_state_clear(&st);
	mikey_replay_free(&r.rc);
}
END_TEST

/* Degenerate peer values (0, 1, p) give no shared secret. */
START_TEST(dh_rejects_degenerate_peer_values)
{
	uint8_t pub[192], peer[192], s1[192], s2[192];
	void *a = mikey_dh_keygen(pub, sizeof(pub));
	void *b = mikey_dh_keygen(peer, sizeof(peer));

	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_int_eq(mikey_dh_derive(a, peer, 192, s1, 192), 0);
	ck_assert_int_eq(mikey_dh_derive(b, pub, 192, s2, 192), 0);
	ck_assert_mem_eq(s1, s2, 192);
	memset(peer, 0, sizeof(peer));
	ck_assert_int_eq(mikey_dh_derive(a, peer, 192, s1, 192), -1);
	peer[191] = 1;
	ck_assert_int_eq(mikey_dh_derive(a, peer, 192, s1, 192), -1);
	memset(peer, 0xFF, sizeof(peer));	/* > p */
	ck_assert_int_eq(mikey_dh_derive(a, peer, 192, s1, 192), -1);
	mikey_dh_free(a);
	mikey_dh_free(b);
}
END_TEST

START_TEST(dhhmac_bit_flips_rejected)
{
	struct mikey_cfg ci = cfg_i();
	struct mikey_init_params ip = params(MIKEY_ENCR_NULL, false);
	struct mikey_init_state st;
	struct mikey_result ri, rr;
	struct resp r;
	uint8_t im[MIKEY_MSG_MAX], rm[MIKEY_MSG_MAX], x[MIKEY_MSG_MAX];
	size_t il, rl, xl;
	const char *why = "";

	resp_init(&r);
	ck_assert_int_eq(mikey_dhhmac_init_create(&ci, &ip, NOW, &st, im,
						  sizeof(im), &il, &why), 0);
	/* one bit in every byte of the I_MESSAGE, rotating position */
	for (size_t i = 0; i < il; i++) {
		memcpy(x, im, il);
		x[i] ^= (uint8_t)(1u << (i % 8));
		ck_assert_int_eq(mikey_dhhmac_resp_process(&r.cfg, &r.rc, NOW, x,
							   il, &rr, rm, sizeof(rm),
							   &xl, &why), -1);
		ck_assert_uint_eq(rr.tgk_len, 0);
	}
	ck_assert_int_eq(mikey_dhhmac_resp_process(&r.cfg, &r.rc, NOW, im, il,
						   &rr, rm, sizeof(rm), &rl,
						   &why), 0);
	for (size_t i = 0; i < rl; i++) {
		memcpy(x, rm, rl);
		x[i] ^= (uint8_t)(0x80u >> (i % 8));
		ck_assert_int_eq(mikey_dhhmac_init_finish(&ci, &st, &r.rc, NOW, x,
							  rl, &ri, &why), -1);
		ck_assert_uint_eq(ri.tgk_len, 0);
	}
	ck_assert_int_eq(mikey_dhhmac_init_finish(&ci, &st, &r.rc, NOW, rm, rl,
						  &ri, &why), 0);
	mikey_init_state_clear(&st);
	mikey_replay_free(&r.rc);
}
END_TEST

/* An R_MESSAGE answering another exchange that used the same RAND (so
 * its MAC verifies) is refused because it echoes another DHi. */
START_TEST(dhhmac_rmsg_for_other_dhi_rejected)
{
	struct mikey_cfg ci = cfg_i();
	struct mikey_init_params ip = params(MIKEY_ENCR_NULL, false);
	struct mikey_init_state st1, st2;
	struct mikey_result ri, rr;
	struct resp r;
	uint8_t im1[MIKEY_MSG_MAX], im2[MIKEY_MSG_MAX], rm[MIKEY_MSG_MAX];
	size_t il1, il2, rl;
	const char *why = "";

	resp_init(&r);
	rng_ctr = 100;
	ck_assert_int_eq(mikey_dhhmac_init_create(&ci, &ip, NOW, &st1, im1,
						  sizeof(im1), &il1, &why), 0);
	rng_ctr = 100;	/* same RAND, fresh DH key */
	ck_assert_int_eq(mikey_dhhmac_init_create(&ci, &ip, NOW, &st2, im2,
						  sizeof(im2), &il2, &why), 0);
	ck_assert_mem_eq(st1.rand, st2.rand, st1.rand_len);
	ck_assert(memcmp(st1.dhi, st2.dhi, 192));
	ck_assert_int_eq(mikey_dhhmac_resp_process(&r.cfg, &r.rc, NOW, im1, il1,
						   &rr, rm, sizeof(rm), &rl,
						   &why), 0);
	ck_assert_int_eq(mikey_dhhmac_init_finish(&ci, &st2, &r.rc, NOW, rm, rl,
						  &ri, &why), -1);
	ck_assert_ptr_nonnull(strstr(why, "DHi"));
	ck_assert_uint_eq(ri.tgk_len, 0);
	ck_assert_int_eq(mikey_dhhmac_init_finish(&ci, &st1, &r.rc, NOW, rm, rl,
						  &ri, &why), 0);
	mikey_init_state_clear(&st1);
	mikey_init_state_clear(&st2);
	mikey_replay_free(&r.rc);
}
END_TEST

/* Every strict prefix of valid messages is rejected without a crash
 * (run under ASan in build/asan). */
START_TEST(truncated_messages_rejected)
{
	struct mikey_cfg ci = cfg_i();
	struct mikey_init_params ip = params(MIKEY_ENCR_AES_CM_128, true);
	struct mikey_init_state st, st2;
	struct mikey_result rr, ri;
	struct resp r;
	struct mikey_msg m;
	uint8_t im[MIKEY_MSG_MAX], dm[MIKEY_MSG_MAX], rm[MIKEY_MSG_MAX],
		out[MIKEY_MSG_MAX];
	size_t il, dl, rl, ol;
	const char *why;

	resp_init(&r);
	mikey_psk_init_create(&ci, &ip, NOW, &st, im, sizeof(im), &il, &why);
	mikey_dhhmac_init_create(&ci, &ip, NOW, &st2, dm, sizeof(dm), &dl, &why);
	for (size_t n = 0; n < il; n++) {
		uint8_t *cp = malloc(n ? n : 1);	/* exact size for ASan */

		memcpy(cp, im, n);
		ck_assert_int_eq(mikey_decode(cp, n, &m, &why), -1);
		ck_assert_int_eq(mikey_psk_resp_process(&r.cfg, &r.rc, NOW, cp, n,
							&rr, out, sizeof(out),
							&ol, &why), -1);
		ck_assert_uint_eq(ol, 0);
		free(cp);
	}
	for (size_t n = 0; n < dl; n++) {
		uint8_t *cp = malloc(n ? n : 1);

		memcpy(cp, dm, n);
		ck_assert_int_eq(mikey_dhhmac_resp_process(&r.cfg, &r.rc, NOW, cp,
							   n, &rr, out, sizeof(out),
							   &ol, &why), -1);
		free(cp);
	}
	ck_assert_int_eq(mikey_dhhmac_resp_process(&r.cfg, &r.rc, NOW, dm, dl, &rr,
						   rm, sizeof(rm), &rl, &why), 0);
	for (size_t n = 0; n < rl; n++) {
		uint8_t *cp = malloc(n ? n : 1);

		memcpy(cp, rm, n);
		ck_assert_int_eq(mikey_dhhmac_init_finish(&ci, &st2, &r.rc, NOW, cp,
							  n, &ri, &why), -1);
		free(cp);
	}
	mikey_init_state_clear(&st);
	mikey_init_state_clear(&st2);
	mikey_replay_free(&r.rc);
}
END_TEST

START_TEST(replay_cache_bounded_with_floor)
{
	struct mikey_replay rc;
	uint8_t a[16] = { 1 }, b[16] = { 2 }, c[16] = { 3 };
	const uint64_t s = mikey_ntp_secs(1);

	ck_assert_int_eq(mikey_replay_init(&rc, 2, 300), 0);
	ck_assert_int_eq(mikey_replay_check(&rc, NOW, NOW, a, 16), 0);
	mikey_replay_add(&rc, NOW, a, 16);
	ck_assert_int_eq(mikey_replay_check(&rc, NOW, NOW, a, 16), -2);
	ck_assert_int_eq(mikey_replay_check(&rc, NOW, NOW, b, 16), 0);
	mikey_replay_add(&rc, NOW + s, b, 16);
	mikey_replay_add(&rc, NOW + 2 * s, c, 16);	/* evicts (NOW, a) */
	ck_assert_uint_eq(rc.n, 2);
	/* the evicted entry is still refused, by the floor */
	ck_assert_int_eq(mikey_replay_check(&rc, NOW, NOW, a, 16), -2);
	ck_assert_int_eq(mikey_replay_check(&rc, NOW, NOW + 2 * s, c, 16), -2);
	ck_assert_int_eq(mikey_replay_check(&rc, NOW, NOW + 3 * s, a, 16), 0);
	ck_assert_int_eq(mikey_replay_check(&rc, NOW, NOW + 301 * s, a, 16),
			 MIKEY_ERR_INVALID_TS);
	mikey_replay_free(&rc);
}
END_TEST

START_TEST(ntp_clock_is_sane)
{
	uint64_t t = mikey_ntp_now();

	/* after 2020-01-01 (NTP 3786825600) */
	ck_assert_uint_gt(t >> 32, 3786825600u);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("mikey");
	TCase *c = tcase_create("codec");
	TCase *x = tcase_create("exchange");

	tcase_add_test(c, codec_round_trip_every_payload);
	tcase_add_test(c, codec_encoder_overflow_is_reported);
	tcase_add_test(c, codec_rejects_bad_input_with_reason);
	tcase_add_test(c, codec_keydata_rejects_bad_input);
	suite_add_tcase(s, c);
	tcase_set_timeout(x, 120);
	tcase_add_test(x, psk_exchange_null_verify);
	tcase_add_test(x, psk_exchange_aes_cm_verify);
	tcase_add_test(x, psk_exchange_aes_cm_no_verify);
	tcase_add_test(x, psk_mac_is_hmac_over_message);
	tcase_add_test(x, psk_aes_cm_matches_s4_2_3);
	tcase_add_test(x, psk_v_mac_covers_message_ids_and_t);
	tcase_add_test(x, psk_replay_rejected);
	tcase_add_test(x, psk_stale_and_future_timestamps_rejected);
	tcase_add_test(x, psk_any_bit_flip_rejected);
	tcase_add_test(x, psk_wrong_key_is_auth_failure);
	tcase_add_test(x, responder_answers_rfc_error_codes);
	tcase_add_test(x, responder_refuses_defective_messages);
	tcase_add_test(x, responder_refuses_oversized_key_data);
	tcase_add_test(x, dhhmac_exchange_agrees_on_tgk);
	tcase_add_test(x, dh_rejects_degenerate_peer_values);
	tcase_add_test(x, dhhmac_bit_flips_rejected);
	tcase_add_test(x, dhhmac_rmsg_for_other_dhi_rejected);
	tcase_add_test(x, truncated_messages_rejected);
	tcase_add_test(x, replay_cache_bounded_with_floor);
	tcase_add_test(x, ntp_clock_is_sane);
	suite_add_tcase(s, x);
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
