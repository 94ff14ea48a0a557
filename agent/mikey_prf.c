// SPDX-License-Identifier: GPL-2.0
/* MIKEY PRF and key derivation, RFC 3830 s.4.1.2 - s.4.1.4. */
#include "mikey_prf.h"

#include <pthread.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

/* One HMAC-SHA-1 over two concatenated parts, keyed by an initialised
 * context (EVP_MAC_init with a NULL key re-uses the key). */
static int hmac2(EVP_MAC_CTX *ctx, const uint8_t *a, size_t a_len,
		 const uint8_t *b, size_t b_len, uint8_t out[MIKEY_SHA1_LEN])
{
	size_t olen = 0;

	if (!EVP_MAC_init(ctx, NULL, 0, NULL) ||
	    !EVP_MAC_update(ctx, a, a_len) ||
	    (b_len && !EVP_MAC_update(ctx, b, b_len)) ||
	    !EVP_MAC_final(ctx, out, &olen, MIKEY_SHA1_LEN) ||
	    olen != MIKEY_SHA1_LEN)
		return -1;
	return 0;
}

/* The HMAC implementation is fetched once per process (an explicit fetch
 * per call costs more than the HMAC itself on short inputs). */
static EVP_MAC *hmac_alg;
static pthread_once_t hmac_once = PTHREAD_ONCE_INIT;

static void hmac_fetch(void)
{
	hmac_alg = EVP_MAC_fetch(NULL, OSSL_MAC_NAME_HMAC, NULL);
}

EVP_MAC_CTX *mikey_hmac_sha1_new(const uint8_t *key, size_t key_len)
{
	EVP_MAC_CTX *ctx;
	OSSL_PARAM params[2];

	pthread_once(&hmac_once, hmac_fetch);
	ctx = hmac_alg ? EVP_MAC_CTX_new(hmac_alg) : NULL;
	if (!ctx)
		return NULL;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
						     (char *)"SHA1", 0);
	params[1] = OSSL_PARAM_construct_end();
	if (!EVP_MAC_init(ctx, key, key_len, params)) {
		EVP_MAC_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

int mikey_prf_p(const uint8_t *s, size_t s_len, const uint8_t *label,
		size_t label_len, unsigned int m, uint8_t *out)
{
	uint8_t a[MIKEY_SHA1_LEN];
	EVP_MAC_CTX *ctx;
	int ret = -1;

	if (!s || !s_len || !label)
		return -1;
	ctx = mikey_hmac_sha1_new(s, s_len);
	if (!ctx)
		return -1;
	/* A_1 = HMAC(s, A_0) with A_0 = label. */
	if (hmac2(ctx, label, label_len, NULL, 0, a))
		goto out;
	for (unsigned int i = 0; i < m; i++) {
		/* block_i = HMAC(s, A_i || label) */
		if (hmac2(ctx, a, sizeof(a), label, label_len,
			  out + (size_t)i * MIKEY_SHA1_LEN))
			goto out;
		/* A_{i+1} = HMAC(s, A_i) */
		if (i + 1 < m && hmac2(ctx, a, sizeof(a), NULL, 0, a))
			goto out;
	}
	ret = 0;
out:
	OPENSSL_cleanse(a, sizeof(a));
	EVP_MAC_CTX_free(ctx);
	return ret;
}

int mikey_prf(const uint8_t *inkey, size_t inkey_len, const uint8_t *label,
	      size_t label_len, uint8_t *out, size_t out_len)
{
	/* m = ceil(outkey_len_bits / 160), s.4.1.2 */
	unsigned int m = (unsigned int)((out_len * 8 + 159) / 160);
	uint8_t p[MIKEY_PRF_OUT_MAX + MIKEY_SHA1_LEN];
	size_t n, i;

	if (!inkey || !inkey_len || !out || !out_len ||
	    out_len > MIKEY_PRF_OUT_MAX)
		return -1;
	/* n = ceil(inkey_len_bits / 256) */
	n = (inkey_len + MIKEY_PRF_PIECE - 1) / MIKEY_PRF_PIECE;
	memset(out, 0, out_len);
	for (i = 0; i < n; i++) {
		/* Every piece is 256 bits except the last, which is
		 * inkey_len - 256 * (n - 1) bits: a full 32 bytes when the
		 * length is a multiple of 32 (never 0, s.4.1.2). */
		size_t plen = (i + 1 < n) ? MIKEY_PRF_PIECE
					  : inkey_len - MIKEY_PRF_PIECE * (n - 1);

		if (mikey_prf_p(inkey + i * MIKEY_PRF_PIECE, plen, label,
				label_len, m, p)) {
			OPENSSL_cleanse(p, sizeof(p));
			OPENSSL_cleanse(out, out_len);
			return -1;
		}
		for (size_t k = 0; k < out_len; k++)
			out[k] ^= p[k];
	}
	OPENSSL_cleanse(p, sizeof(p));
	return 0;
}

size_t mikey_label(uint8_t *label, uint32_t constant, uint8_t cs_id,
		   uint32_t csb_id, const uint8_t *rand, size_t rand_len)
{
	if (rand_len > 255 || (rand_len && !rand))
		return 0;
	label[0] = (uint8_t)(constant >> 24);
	label[1] = (uint8_t)(constant >> 16);
	label[2] = (uint8_t)(constant >> 8);
	label[3] = (uint8_t)constant;
	label[4] = cs_id;
	label[5] = (uint8_t)(csb_id >> 24);
	label[6] = (uint8_t)(csb_id >> 16);
	label[7] = (uint8_t)(csb_id >> 8);
	label[8] = (uint8_t)csb_id;
	if (rand_len)
		memcpy(label + 9, rand, rand_len);
	return 9 + rand_len;
}

uint32_t mikey_key_constant(enum mikey_key_kind kind)
{
	switch (kind) {
	case MIKEY_KEY_TEK:
		return MIKEY_CONST_TEK;
	case MIKEY_KEY_AUTH:
		return MIKEY_CONST_AUTH;
	case MIKEY_KEY_ENC:
		return MIKEY_CONST_ENC;
	case MIKEY_KEY_SALT:
		return MIKEY_CONST_SALT;
	case MIKEY_KEY_PSK_ENC:
		return MIKEY_CONST_PSK_ENC;
	case MIKEY_KEY_PSK_AUTH:
		return MIKEY_CONST_PSK_AUTH;
	case MIKEY_KEY_PSK_SALT:
		return MIKEY_CONST_PSK_SALT;
	}
	return 0;
}

int mikey_derive(enum mikey_key_kind kind, const uint8_t *inkey,
		 size_t inkey_len, uint8_t cs_id, uint32_t csb_id,
		 const uint8_t *rand, size_t rand_len, uint8_t *out,
		 size_t out_len)
{
	uint8_t label[MIKEY_LABEL_MAX];
	uint32_t c = mikey_key_constant(kind);
	size_t llen;
	int ret;

	if (!c)
		return -1;
	if (kind >= MIKEY_KEY_PSK_ENC)
		cs_id = MIKEY_CS_ID_PSK;	/* s.4.1.4 */
	llen = mikey_label(label, c, cs_id, csb_id, rand, rand_len);
	if (!llen)
		return -1;
	ret = mikey_prf(inkey, inkey_len, label, llen, out, out_len);
	OPENSSL_cleanse(label, sizeof(label));
	return ret;
}

int mikey_ice_creds(const uint8_t *tgk, size_t tgk_len, uint32_t csb_id,
		    const uint8_t *rand, size_t rand_len, char *pwd_i,
		    char *pwd_r, char *ufrag_r)
{
	static const size_t len[3] = {
		MIKEY_ICE_PWD_OCTETS, MIKEY_ICE_PWD_OCTETS, MIKEY_ICE_UFRAG_OCTETS
	};
	static const char hex[] = "0123456789abcdef";
	char *out[3] = { pwd_i, pwd_r, ufrag_r };
	uint8_t k[MIKEY_ICE_PWD_OCTETS];
	unsigned int i, cs;
	int ret = 0;

	for (cs = 0; cs < 3 && !ret; cs++) {
		ret = mikey_derive(MIKEY_KEY_TEK, tgk, tgk_len, (uint8_t)(cs + 1),
				   csb_id, rand, rand_len, k, len[cs]);
		for (i = 0; !ret && i < len[cs]; i++) {
			out[cs][2 * i] = hex[k[i] >> 4];
			out[cs][2 * i + 1] = hex[k[i] & 15];
		}
		out[cs][ret ? 0 : 2 * len[cs]] = '\0';
	}
	OPENSSL_cleanse(k, sizeof(k));
	return ret;
}
