// SPDX-License-Identifier: GPL-2.0
/*
 * MIKEY PSK (RFC 3830 s.3.1, s.5) and DH-HMAC (RFC 4650) exchanges, replay
 * protection (RFC 3830 s.5.4). Crypto: OpenSSL libcrypto.
 */
#include "mikey_exchange.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/dh.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>

#include "mikey_prf.h"

#define NTP_UNIX_OFFSET 2208988800ULL	/* 1900-01-01 to 1970-01-01 */
#define AES_KEY_LEN	16		/* AES-CM-128, s.4.2.3 */
#define SALT_LEN	14		/* 112-bit salting key, s.4.2.3 */
#define AUTH_KEY_LEN	20		/* HMAC-SHA-1-160 key, s.4.2.1 */
#define DH5_LEN		192

uint64_t mikey_ntp_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (((uint64_t)ts.tv_sec + NTP_UNIX_OFFSET) << 32) |
	       (((uint64_t)ts.tv_nsec << 32) / 1000000000ULL);
}

/* ---- replay cache, s.5.4 ---- */
static int rand_hash(const uint8_t *rand, size_t len, uint8_t h[32])
{
	unsigned int hl = 0;

	return EVP_Digest(rand, len, h, &hl, EVP_sha256(), NULL) && hl == 32
		       ? 0 : -1;
}

int mikey_replay_init(struct mikey_replay *rc, size_t cap,
		      unsigned int skew_sec)
{
	memset(rc, 0, sizeof(*rc));
	if (!cap)
		return -1;
	rc->ent = calloc(cap, sizeof(*rc->ent));
	if (!rc->ent)
		return -1;
	rc->cap = cap;
	rc->skew = mikey_ntp_secs(skew_sec);
	return 0;
}

void mikey_replay_free(struct mikey_replay *rc)
{
	free(rc->ent);
	memset(rc, 0, sizeof(*rc));
}

static bool in_window(uint64_t skew, uint64_t now, uint64_t t)
{
	return (t >= now ? t - now : now - t) <= skew;
}

int mikey_replay_check(const struct mikey_replay *rc, uint64_t now,
		       uint64_t t, const uint8_t *rand, size_t rand_len)
{
	uint8_t h[32];

	if (!in_window(rc->skew, now, t))
		return MIKEY_ERR_INVALID_TS;
	if (rc->floor && t <= rc->floor)
		return -2;	/* may have been evicted: refuse */
	if (rand_hash(rand, rand_len, h))
		return -2;
	for (size_t i = 0; i < rc->n; i++)
		if (rc->ent[i].t == t && !memcmp(rc->ent[i].h, h, sizeof(h)))
			return -2;
	return 0;
}

int mikey_replay_add(struct mikey_replay *rc, uint64_t t,
		     const uint8_t *rand, size_t rand_len)
{
	struct mikey_replay_ent *e = &rc->ent[rc->head];

	if (rc->n == rc->cap && e->t > rc->floor)
		rc->floor = e->t;
	if (rand_hash(rand, rand_len, e->h))
		return -1;
	e->t = t;
	rc->head = (rc->head + 1) % rc->cap;
	if (rc->n < rc->cap)
		rc->n++;
	return 0;
}

/* ---- helpers ---- */
static int get_rand(const struct mikey_cfg *cfg, uint8_t *b, size_t n)
{
	if (cfg->rng)
		return cfg->rng(cfg->rng_arg, b, n);
	return RAND_bytes(b, (int)n) == 1 ? 0 : -1;
}

struct part {
	const uint8_t *p;
	size_t n;
};

/* HMAC-SHA-1-160 over the concatenated parts. */
static int hmac_sha1(const uint8_t *key, size_t key_len,
		     const struct part *parts, size_t np,
		     uint8_t out[MIKEY_MAC_LEN])
{
	EVP_MAC_CTX *ctx = mikey_hmac_sha1_new(key, key_len);
	size_t ol = 0;
	int ok = ctx != NULL;

	for (size_t i = 0; ok && i < np; i++)
		if (parts[i].n)
			ok = EVP_MAC_update(ctx, parts[i].p, parts[i].n);
	ok = ok && EVP_MAC_final(ctx, out, &ol, MIKEY_MAC_LEN) &&
	     ol == MIKEY_MAC_LEN;
	EVP_MAC_CTX_free(ctx);
	return ok ? 0 : -1;
}

/* Keys from the pre-shared key, s.4.1.4 (cs_id 0xFF, RAND of I_MESSAGE). */
static int psk_key(const struct mikey_cfg *cfg, enum mikey_key_kind kind,
		   uint32_t csb_id, const uint8_t *rand, size_t rand_len,
		   uint8_t *out, size_t len)
{
	return mikey_derive(kind, cfg->psk, cfg->psk_len, MIKEY_CS_ID_PSK,
			    csb_id, rand, rand_len, out, len);
}

static EVP_CIPHER *aes_ctr;
static pthread_once_t aes_once = PTHREAD_ONCE_INIT;

static void aes_fetch(void)
{
	aes_ctr = EVP_CIPHER_fetch(NULL, "AES-128-CTR", NULL);
}

/* AES-CM-128 of the Key Data, s.4.2.3:
 * IV = (S XOR (0x0000 || CSB ID || T)) || 0x0000, S the 112-bit salt. */
static int aes_cm(const struct mikey_cfg *cfg, uint32_t csb_id, uint64_t t,
		  const uint8_t *rand, size_t rand_len, const uint8_t *in,
		  size_t len, uint8_t *out)
{
	uint8_t key[AES_KEY_LEN], salt[SALT_LEN], iv[16];
	EVP_CIPHER_CTX *c = NULL;
	int ol = 0, fl = 0, ret = -1;

	if (psk_key(cfg, MIKEY_KEY_PSK_ENC, csb_id, rand, rand_len, key,
		    sizeof(key)) ||
	    psk_key(cfg, MIKEY_KEY_PSK_SALT, csb_id, rand, rand_len, salt,
		    sizeof(salt)))
		goto out;
	memset(iv, 0, sizeof(iv));
	for (int i = 0; i < 4; i++)
		iv[2 + i] = (uint8_t)(csb_id >> (24 - 8 * i));
	for (int i = 0; i < 8; i++)
		iv[6 + i] = (uint8_t)(t >> (56 - 8 * i));
	for (int i = 0; i < SALT_LEN; i++)
		iv[i] ^= salt[i];
	pthread_once(&aes_once, aes_fetch);
	c = aes_ctr ? EVP_CIPHER_CTX_new() : NULL;
	if (!c || !EVP_EncryptInit_ex2(c, aes_ctr, key, iv, NULL) ||
	    !EVP_EncryptUpdate(c, out, &ol, in, (int)len) ||
	    !EVP_EncryptFinal_ex(c, out + ol, &fl) || (size_t)(ol + fl) != len)
		goto out;
	ret = 0;
out:
	EVP_CIPHER_CTX_free(c);
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(salt, sizeof(salt));
	OPENSSL_cleanse(iv, sizeof(iv));
	return ret;
}

/* MAC over msg[0, mac_off) with the auth key derived from the PSK
 * (s.5.2 / RFC 4650 s.3: the MAC covers the whole message up to the MAC
 * field), optionally followed by @extra parts (V payload, s.5.2). */
static int msg_mac(const struct mikey_cfg *cfg, uint32_t csb_id,
		   const uint8_t *rand, size_t rand_len, const uint8_t *msg,
		   size_t mac_off, const struct part *extra, size_t nextra,
		   uint8_t mac[MIKEY_MAC_LEN])
{
	uint8_t ak[AUTH_KEY_LEN];
	struct part parts[4];
	int ret;

	if (nextra > 3)
		return -1;
	if (psk_key(cfg, MIKEY_KEY_PSK_AUTH, csb_id, rand, rand_len, ak,
		    sizeof(ak)))
		return -1;
	parts[0] = (struct part){ msg, mac_off };
	for (size_t i = 0; i < nextra; i++)
		parts[1 + i] = extra[i];
	ret = hmac_sha1(ak, sizeof(ak), parts, 1 + nextra, mac);
	OPENSSL_cleanse(ak, sizeof(ak));
	return ret;
}

/* The V payload MAC (s.5.2): R_MESSAGE up to the MAC || IDi || IDr || T,
 * where IDi, IDr and T are the identities and the timestamp value of the
 * I_MESSAGE (we take the ID data and the 8-byte TS value). */
static int v_mac(const struct mikey_cfg *cfg, uint32_t csb_id,
		 const uint8_t *rand, size_t rand_len, const uint8_t *msg,
		 size_t mac_off, uint64_t t_i, uint8_t mac[MIKEY_MAC_LEN])
{
	uint8_t tb[8];
	struct part ex[3];

	for (int i = 0; i < 8; i++)
		tb[i] = (uint8_t)(t_i >> (56 - 8 * i));
	ex[0] = (struct part){ cfg->id_i, cfg->id_i ? cfg->id_i_len : 0 };
	ex[1] = (struct part){ cfg->id_r, cfg->id_r ? cfg->id_r_len : 0 };
	ex[2] = (struct part){ tb, 8 };
	return msg_mac(cfg, csb_id, rand, rand_len, msg, mac_off, ex, 3, mac);
}

static void hdr_from(struct mikey_hdr *h, uint8_t dt, bool v, uint32_t csb,
		     uint8_t n_cs, const struct mikey_srtp_cs *cs)
{
	memset(h, 0, sizeof(*h));
	h->version = MIKEY_VERSION;
	h->data_type = dt;
	h->v = v;
	h->prf_func = MIKEY_PRF_MIKEY_1;
	h->csb_id = csb;
	h->map_type = MIKEY_MAP_SRTP_ID;
	h->n_cs = n_cs;
	if (n_cs)
		memcpy(h->cs, cs, n_cs * sizeof(*cs));
}

/* [IDi], [IDr] of an I_MESSAGE (s.3.1, RFC 4650 s.3) */
static void enc_ids(struct mikey_enc *e, const struct mikey_cfg *cfg)
{
	if (cfg->id_i)
		mikey_enc_id(e, cfg->id_type, cfg->id_i, cfg->id_i_len);
	if (cfg->id_r)
		mikey_enc_id(e, cfg->id_type, cfg->id_r, cfg->id_r_len);
}

/*
 * Error message, s.5.1.2: HDR, T, ERR, [V]. The V payload is added only
 * when the I_MESSAGE authenticated (@rand non-NULL); an authentication
 * failure is answered unauthenticated.
 */
static void build_err(const struct mikey_cfg *cfg, const struct mikey_hdr *ih,
		      uint64_t now, uint8_t code, const uint8_t *rand,
		      size_t rand_len, uint64_t t_i, uint8_t *out, size_t cap,
		      size_t *out_len)
{
	struct mikey_enc e;
	struct mikey_hdr h;
	size_t mac_off = 0;

	hdr_from(&h, MIKEY_DT_ERROR, false, ih->csb_id, ih->n_cs, ih->cs);
	mikey_enc_init(&e, out, cap);
	mikey_enc_hdr(&e, &h);
	mikey_enc_t(&e, MIKEY_TS_NTP_UTC, now);
	mikey_enc_err(&e, code);
	if (rand)
		mikey_enc_v(&e, MIKEY_MAC_HMAC_SHA1_160, &mac_off);
	*out_len = mikey_enc_finish(&e);
	if (*out_len && rand &&
	    v_mac(cfg, h.csb_id, rand, rand_len, out, mac_off, t_i,
		  out + mac_off))
		*out_len = 0;
}

static int fail(struct mikey_result *res, int code, const char *msg,
		const char **why)
{
	if (res)
		res->err = code;
	*why = msg;
	return -1;
}

/* ---- common I_MESSAGE checks (PSK and DH-HMAC responders) ----
 * These return ACCEPT, DROP (no answer) or an ERR code (s.6.12, >= 0;
 * note that Auth failure is 0). */
#define ACCEPT	(-2)
#define DROP	(-1)
struct imsg {
	struct mikey_msg m;
	const struct mikey_payload *t, *rand, *kemac, *idi, *idr, *dh;
};

/* Returns ACCEPT, an ERR code to answer, or DROP, with *why. */
static int check_imsg(const struct mikey_cfg *cfg, uint8_t dt,
		      const uint8_t *msg, size_t len, struct imsg *im,
		      const char **why)
{
	struct mikey_msg *m = &im->m;
	size_t from;

	im->t = im->rand = im->kemac = im->idi = im->idr = im->dh = NULL;
	if (mikey_decode(msg, len, m, why))
		return -1;
	if (m->hdr.data_type != dt) {
		*why = "unexpected data type";
		return MIKEY_ERR_INVALID_DT;
	}
	if (m->hdr.prf_func != MIKEY_PRF_MIKEY_1) {
		*why = "PRF function not supported";
		return MIKEY_ERR_INVALID_PRF;
	}
	from = 0;
	im->t = mikey_find(m, MIKEY_PT_T, &from);
	from = 0;
	im->rand = mikey_find(m, MIKEY_PT_RAND, &from);
	from = 0;
	im->kemac = mikey_find(m, MIKEY_PT_KEMAC, &from);
	from = 0;
	im->dh = mikey_find(m, MIKEY_PT_DH, &from);
	/* [IDi], [IDr] in that order (s.3.1): a single ID payload is IDi,
	 * the second one is IDr. */
	{
		size_t f2 = 0;

		im->idi = mikey_find(m, MIKEY_PT_ID, &f2);
		im->idr = mikey_find(m, MIKEY_PT_ID, &f2);
	}
	if (!im->t || !im->rand || !im->kemac) {
		*why = "I_MESSAGE lacks T, RAND or KEMAC";
		return MIKEY_ERR_UNSPECIFIED;
	}
	/* The MAC must end the message: everything before it is covered. */
	if (im->kemac != &m->p[m->n - 1]) {
		*why = "KEMAC is not the last payload";
		return MIKEY_ERR_UNSPECIFIED;
	}
	if (im->kemac->u.kemac.mac_alg != MIKEY_MAC_HMAC_SHA1_160) {
		*why = "MAC algorithm not supported";
		return MIKEY_ERR_INVALID_MAC;
	}
	if (im->rand->u.rand.len < MIKEY_RAND_LEN) {
		*why = "RAND shorter than 128 bits";
		return MIKEY_ERR_UNSPECIFIED;
	}
	if (im->t->u.t.ts_type == MIKEY_TS_COUNTER) {
		*why = "COUNTER timestamps cannot be checked";
		return MIKEY_ERR_INVALID_TS;
	}
	for (size_t i = 0; i < m->n; i++)
		if (m->p[i].type == MIKEY_PT_SP &&
		    m->p[i].u.sp.prot_type != MIKEY_PROT_SRTP) {
			*why = "SP protocol type not supported";
			return MIKEY_ERR_INVALID_SP;
		}
	if (cfg->id_r && im->idr &&
	    (im->idr->u.id.len != cfg->id_r_len ||
	     memcmp(im->idr->u.id.data, cfg->id_r, cfg->id_r_len))) {
		*why = "IDr is not this responder";
		return MIKEY_ERR_INVALID_ID;
	}
	if (cfg->id_i && im->idi &&
	    (im->idi->u.id.len != cfg->id_i_len ||
	     memcmp(im->idi->u.id.data, cfg->id_i, cfg->id_i_len))) {
		*why = "IDi is not the configured peer";
		return MIKEY_ERR_INVALID_ID;
	}
	return ACCEPT;
}

/* MAC, window and replay checks once the structure is sound. Returns
 * ACCEPT, an ERR code, or DROP. Sets *authed when the MAC verified. */
static int auth_imsg(const struct mikey_cfg *cfg, struct mikey_replay *rc,
		     uint64_t now, struct imsg *im, bool *authed,
		     const char **why)
{
	uint8_t mac[MIKEY_MAC_LEN];
	const struct mikey_msg *m = &im->m;
	int r;

	*authed = false;
	if (msg_mac(cfg, m->hdr.csb_id, im->rand->u.rand.data,
		    im->rand->u.rand.len, m->buf, im->kemac->u.kemac.mac_off,
		    NULL, 0, mac)) {
		*why = "MAC computation failed";
		return -1;
	}
	/* Constant-time compare; never accept on a failed MAC. */
	r = CRYPTO_memcmp(mac, im->kemac->u.kemac.mac, MIKEY_MAC_LEN);
	OPENSSL_cleanse(mac, sizeof(mac));
	if (r) {
		*why = "MAC verification failed";
		return MIKEY_ERR_AUTH_FAILURE;
	}
	*authed = true;
	r = mikey_replay_check(rc, now, im->t->u.t.value,
			       im->rand->u.rand.data, im->rand->u.rand.len);
	if (r == MIKEY_ERR_INVALID_TS) {
		*why = "timestamp outside the allowed window";
		return r;
	}
	if (r) {
		*why = "replayed message";
		return -1;
	}
	return ACCEPT;
}

static void res_fill(struct mikey_result *res, const struct mikey_msg *m,
		     const struct mikey_payload *rand)
{
	res->csb_id = m->hdr.csb_id;
	res->n_cs = m->hdr.n_cs;
	memcpy(res->cs, m->hdr.cs, sizeof(res->cs));
	res->rand_len = rand->u.rand.len;
	memcpy(res->rand, rand->u.rand.data, rand->u.rand.len);
}

/* ---- PSK mode ---- */
int mikey_psk_init_create(const struct mikey_cfg *cfg,
			  const struct mikey_init_params *ip, uint64_t now,
			  struct mikey_init_state *st, uint8_t *out,
			  size_t cap, size_t *out_len, const char **why)
{
	uint8_t kd_plain[MIKEY_TGK_MAX + 16], kd_enc[MIKEY_TGK_MAX + 16];
	struct mikey_keydata kd;
	struct mikey_enc e, ke;
	struct mikey_hdr h;
	size_t kd_len, mac_off = 0;
	int ret = -1;

	*out_len = 0;
	memset(st, 0, sizeof(*st));
	if (!cfg->psk || !cfg->psk_len || ip->n_cs > MIKEY_MAX_CS ||
	    (ip->encr_alg != MIKEY_ENCR_NULL &&
	     ip->encr_alg != MIKEY_ENCR_AES_CM_128) ||
	    ip->tgk_len > MIKEY_TGK_MAX || (ip->tgk && !ip->tgk_len)) {
		*why = "bad PSK initiator parameters";
		return -1;
	}
	st->data_type = MIKEY_DT_PSK_INIT;
	st->csb_id = ip->csb_id;
	st->verify = ip->verify;
	st->t = now;
	st->rand_len = MIKEY_RAND_LEN;
	st->n_cs = ip->n_cs;
	memcpy(st->cs, ip->cs, ip->n_cs * sizeof(ip->cs[0]));
	if (ip->tgk) {
		st->tgk_len = ip->tgk_len;
		memcpy(st->tgk, ip->tgk, ip->tgk_len);
	} else {
		st->tgk_len = 16;
		if (get_rand(cfg, st->tgk, st->tgk_len)) {
			*why = "no randomness for the TGK";
			goto out;
		}
	}
	if (get_rand(cfg, st->rand, st->rand_len)) {
		*why = "no randomness for RAND";
		goto out;
	}
	/* KEMAC key data: one TGK sub-payload, KV null (s.6.13). */
	memset(&kd, 0, sizeof(kd));
	kd.type = MIKEY_KD_TGK;
	kd.key = st->tgk;
	kd.key_len = (uint16_t)st->tgk_len;
	mikey_enc_init(&ke, kd_plain, sizeof(kd_plain));
	mikey_enc_keydata(&ke, &kd);
	kd_len = mikey_enc_finish(&ke);
	if (!kd_len) {
		*why = "Key Data encoding failed";
		goto out;
	}
	if (ip->encr_alg == MIKEY_ENCR_AES_CM_128) {
		if (aes_cm(cfg, ip->csb_id, now, st->rand, st->rand_len,
			   kd_plain, kd_len, kd_enc)) {
			*why = "AES-CM encryption failed";
			goto out;
		}
	} else {
		memcpy(kd_enc, kd_plain, kd_len);
	}
	hdr_from(&h, MIKEY_DT_PSK_INIT, ip->verify, ip->csb_id, ip->n_cs,
		 ip->cs);
	mikey_enc_init(&e, out, cap);
	mikey_enc_hdr(&e, &h);
	mikey_enc_t(&e, MIKEY_TS_NTP_UTC, now);
	mikey_enc_rand(&e, st->rand, st->rand_len);
	enc_ids(&e, cfg);
	if (ip->sp)
		mikey_enc_sp(&e, ip->sp_policy_no, MIKEY_PROT_SRTP, ip->sp,
			     ip->sp_len);
	mikey_enc_kemac(&e, ip->encr_alg, kd_enc, kd_len,
			MIKEY_MAC_HMAC_SHA1_160, &mac_off);
	*out_len = mikey_enc_finish(&e);
	if (!*out_len) {
		*why = "I_MESSAGE does not fit";
		goto out;
	}
	if (msg_mac(cfg, ip->csb_id, st->rand, st->rand_len, out, mac_off,
		    NULL, 0, out + mac_off)) {
		*out_len = 0;
		*why = "MAC computation failed";
		goto out;
	}
	ret = 0;
out:
	OPENSSL_cleanse(kd_plain, sizeof(kd_plain));
	OPENSSL_cleanse(kd_enc, sizeof(kd_enc));
	if (ret)
		mikey_init_state_clear(st);
	return ret;
}

int mikey_psk_resp_process(const struct mikey_cfg *cfg,
			   struct mikey_replay *rc, uint64_t now,
			   const uint8_t *msg, size_t len,
			   struct mikey_result *res, uint8_t *out, size_t cap,
			   size_t *out_len, const char **why)
{
	uint8_t plain[MIKEY_MSG_MAX];
	struct mikey_keydata kd[MIKEY_MAX_KEYDATA];
	struct imsg im;
	const struct mikey_keydata *tgk = NULL;
	const char *w = "";
	size_t nkd = 0, elen;
	bool authed = false;
	int code, ret = -1;

	*out_len = 0;
	memset(res, 0, sizeof(*res));
	res->err = -1;
	if (!rc)
		return fail(res, -1, "no replay cache", why);
	if (!cfg->psk || !cfg->psk_len)
		return fail(res, -1, "no pre-shared key", why);
	code = check_imsg(cfg, MIKEY_DT_PSK_INIT, msg, len, &im, &w);
	if (code == ACCEPT) {
		const struct mikey_payload *k = im.kemac;

		if (k->u.kemac.encr_alg != MIKEY_ENCR_NULL &&
		    k->u.kemac.encr_alg != MIKEY_ENCR_AES_CM_128) {
			w = "encryption algorithm not supported";
			code = MIKEY_ERR_INVALID_EA;
		}
	}
	if (code == ACCEPT)
		code = auth_imsg(cfg, rc, now, &im, &authed, &w);
	if (code == ACCEPT) {
		const struct mikey_payload *k = im.kemac;

		elen = k->u.kemac.encr_len;
		if (elen > sizeof(plain)) {
			w = "KEMAC key data longer than supported";
			code = MIKEY_ERR_UNSPECIFIED;
		} else if (k->u.kemac.encr_alg == MIKEY_ENCR_AES_CM_128) {
			if (aes_cm(cfg, im.m.hdr.csb_id, im.t->u.t.value,
				   im.rand->u.rand.data, im.rand->u.rand.len,
				   k->u.kemac.encr, elen, plain)) {
				w = "AES-CM decryption failed";
				code = MIKEY_ERR_UNSPECIFIED;
			}
		} else {
			memcpy(plain, k->u.kemac.encr, elen);
		}
		if (code == ACCEPT &&
		    mikey_keydata_decode(plain, elen, kd, MIKEY_MAX_KEYDATA,
					 &nkd, &w))
			code = MIKEY_ERR_UNSPECIFIED;
		for (size_t i = 0; code == ACCEPT && i < nkd && !tgk; i++)
			if (kd[i].type == MIKEY_KD_TGK ||
			    kd[i].type == MIKEY_KD_TGK_SALT)
				tgk = &kd[i];
		if (code == ACCEPT && (!tgk || !tgk->key_len ||
			      tgk->key_len > MIKEY_TGK_MAX)) {
			w = "KEMAC carries no usable TGK";
			code = MIKEY_ERR_UNSPECIFIED;
		}
	}
	if (code != ACCEPT) {
		if (code >= 0)
			build_err(cfg, &im.m.hdr, now, (uint8_t)code,
				  authed ? im.rand->u.rand.data : NULL,
				  authed ? im.rand->u.rand.len : 0,
				  authed ? im.t->u.t.value : 0, out, cap,
				  out_len);
		ret = fail(res, code, w, why);
		goto out;
	}
	if (mikey_replay_add(rc, im.t->u.t.value, im.rand->u.rand.data,
			     im.rand->u.rand.len)) {
		ret = fail(res, -1, "replay cache failure", why);
		goto out;
	}
	res_fill(res, &im.m, im.rand);
	res->tgk_len = tgk->key_len;
	memcpy(res->tgk, tgk->key, tgk->key_len);
	if (im.m.hdr.v) {
		/* R_MESSAGE = HDR, T, [IDr], V (s.3.1) */
		struct mikey_enc e;
		struct mikey_hdr h;
		size_t mac_off = 0;

		hdr_from(&h, MIKEY_DT_PSK_RESP, false, im.m.hdr.csb_id,
			 im.m.hdr.n_cs, im.m.hdr.cs);
		mikey_enc_init(&e, out, cap);
		mikey_enc_hdr(&e, &h);
		mikey_enc_t(&e, MIKEY_TS_NTP_UTC, now);
		if (cfg->id_r)
			mikey_enc_id(&e, cfg->id_type, cfg->id_r,
				     cfg->id_r_len);
		mikey_enc_v(&e, MIKEY_MAC_HMAC_SHA1_160, &mac_off);
		*out_len = mikey_enc_finish(&e);
		if (!*out_len ||
		    v_mac(cfg, h.csb_id, im.rand->u.rand.data,
			  im.rand->u.rand.len, out, mac_off, im.t->u.t.value,
			  out + mac_off)) {
			*out_len = 0;
			mikey_result_clear(res);
			ret = fail(res, -1, "R_MESSAGE encoding failed", why);
			goto out;
		}
	}
	ret = 0;
out:
	OPENSSL_cleanse(plain, sizeof(plain));
	OPENSSL_cleanse(kd, sizeof(kd));
	return ret;
}

/* An error message from the responder (s.5.1.2). */
static int got_err(const struct mikey_cfg *cfg, struct mikey_init_state *st,
		   const struct mikey_msg *m, struct mikey_result *res,
		   const char **why)
{
	size_t from = 0;
	const struct mikey_payload *err = mikey_find(m, MIKEY_PT_ERR, &from);
	const struct mikey_payload *v;
	uint8_t mac[MIKEY_MAC_LEN];

	from = 0;
	v = mikey_find(m, MIKEY_PT_V, &from);
	res->err = err ? err->u.err.code : MIKEY_ERR_UNSPECIFIED;
	if (v && v == &m->p[m->n - 1] &&
	    v->u.v.mac_alg == MIKEY_MAC_HMAC_SHA1_160 &&
	    m->hdr.csb_id == st->csb_id &&
	    !v_mac(cfg, st->csb_id, st->rand, st->rand_len, m->buf,
		   v->u.v.mac_off, st->t, mac) &&
	    !CRYPTO_memcmp(mac, v->u.v.mac, MIKEY_MAC_LEN))
		res->err_authenticated = true;
	*why = "responder answered with an error message";
	return -1;
}

static void res_from_state(struct mikey_result *res,
			   const struct mikey_init_state *st)
{
	res->csb_id = st->csb_id;
	res->n_cs = st->n_cs;
	memcpy(res->cs, st->cs, sizeof(res->cs));
	res->rand_len = st->rand_len;
	memcpy(res->rand, st->rand, st->rand_len);
	res->tgk_len = st->tgk_len;
	memcpy(res->tgk, st->tgk, st->tgk_len);
}

/* Common R_MESSAGE checks: decode, error message, data type, CSB ID,
 * timestamp window. Returns the T payload or NULL. */
static const struct mikey_payload *
check_rmsg(const struct mikey_cfg *cfg, struct mikey_init_state *st,
	   const struct mikey_replay *rc, uint64_t now, const uint8_t *msg,
	   size_t len, uint8_t dt, struct mikey_msg *m,
	   struct mikey_result *res, const char **why)
{
	size_t from = 0;
	const struct mikey_payload *t;
	uint64_t skew = rc ? rc->skew : mikey_ntp_secs(MIKEY_DEFAULT_SKEW);

	if (mikey_decode(msg, len, m, why))
		return NULL;
	if (m->hdr.data_type == MIKEY_DT_ERROR) {
		got_err(cfg, st, m, res, why);
		return NULL;
	}
	if (m->hdr.data_type != dt) {
		*why = "unexpected data type in the response";
		return NULL;
	}
	if (m->hdr.csb_id != st->csb_id) {
		*why = "response is for another CSB ID";
		return NULL;
	}
	t = mikey_find(m, MIKEY_PT_T, &from);
	if (!t || t->u.t.ts_type == MIKEY_TS_COUNTER) {
		*why = "response lacks an NTP timestamp";
		return NULL;
	}
	if (!in_window(skew, now, t->u.t.value)) {
		*why = "response timestamp outside the allowed window";
		return NULL;
	}
	return t;
}

int mikey_psk_init_finish(const struct mikey_cfg *cfg,
			  struct mikey_init_state *st,
			  const struct mikey_replay *rc, uint64_t now,
			  const uint8_t *msg, size_t len,
			  struct mikey_result *res, const char **why)
{
	struct mikey_msg m;
	const struct mikey_payload *v;
	uint8_t mac[MIKEY_MAC_LEN];
	size_t from = 0;
	int r;

	memset(res, 0, sizeof(*res));
	res->err = -1;
	if (st->data_type != MIKEY_DT_PSK_INIT)
		return fail(res, -1, "no PSK exchange in progress", why);
	if (!st->verify) {
		res_from_state(res, st);
		return 0;
	}
	if (!msg)
		return fail(res, -1, "verification message expected", why);
	if (!check_rmsg(cfg, st, rc, now, msg, len, MIKEY_DT_PSK_RESP, &m,
			res, why))
		return -1;
	v = mikey_find(&m, MIKEY_PT_V, &from);
	if (!v || v != &m.p[m.n - 1] ||
	    v->u.v.mac_alg != MIKEY_MAC_HMAC_SHA1_160)
		return fail(res, -1, "R_MESSAGE lacks a final HMAC V payload",
			    why);
	if (v_mac(cfg, st->csb_id, st->rand, st->rand_len, m.buf,
		  v->u.v.mac_off, st->t, mac))
		return fail(res, -1, "MAC computation failed", why);
	r = CRYPTO_memcmp(mac, v->u.v.mac, MIKEY_MAC_LEN);
	OPENSSL_cleanse(mac, sizeof(mac));
	if (r)
		return fail(res, -1, "verification MAC failed", why);
	res_from_state(res, st);
	return 0;
}

/* ---- DH (OAKLEY 5 = RFC 3526 1536-bit MODP, OpenSSL "modp_1536") ---- */
void *mikey_dh_keygen(uint8_t *pub, size_t pub_len)
{
	EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL);
	EVP_PKEY *k = NULL;
	BIGNUM *bn = NULL;
	OSSL_PARAM prm[2];

	prm[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME,
						  (char *)"modp_1536", 0);
	prm[1] = OSSL_PARAM_construct_end();
	if (!pc || EVP_PKEY_keygen_init(pc) <= 0 ||
	    EVP_PKEY_CTX_set_params(pc, prm) <= 0 ||
	    EVP_PKEY_generate(pc, &k) <= 0)
		goto bad;
	if (!EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_PUB_KEY, &bn) ||
	    BN_bn2binpad(bn, pub, (int)pub_len) != (int)pub_len)
		goto bad;
	BN_free(bn);
	EVP_PKEY_CTX_free(pc);
	return k;
bad:
	BN_free(bn);
	EVP_PKEY_free(k);
	EVP_PKEY_CTX_free(pc);
	return NULL;
}

int mikey_dh_derive(void *key, const uint8_t *peer, size_t peer_len,
		    uint8_t *secret, size_t secret_len)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *prm = NULL;
	EVP_PKEY_CTX *fc = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL);
	EVP_PKEY_CTX *dc = NULL;
	EVP_PKEY *pk = NULL;
	BIGNUM *bn = BN_bin2bn(peer, (int)peer_len, NULL);
	size_t sl = secret_len;
	int ret = -1;

	if (!bld || !fc || !bn || !key ||
	    !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
					     "modp_1536", 0) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PUB_KEY, bn))
		goto out;
	prm = OSSL_PARAM_BLD_to_param(bld);
	if (!prm || EVP_PKEY_fromdata_init(fc) <= 0 ||
	    EVP_PKEY_fromdata(fc, &pk, EVP_PKEY_PUBLIC_KEY, prm) <= 0)
		goto out;
	dc = EVP_PKEY_CTX_new(key, NULL);
	/* derive_set_peer validates the peer value (1 < y < p - 1 ...). */
	if (!dc || EVP_PKEY_derive_init(dc) <= 0 ||
	    EVP_PKEY_CTX_set_dh_pad(dc, 1) <= 0 ||
	    EVP_PKEY_derive_set_peer(dc, pk) <= 0 ||
	    EVP_PKEY_derive(dc, secret, &sl) <= 0 || sl != secret_len)
		goto out;
	ret = 0;
out:
	EVP_PKEY_CTX_free(dc);
	EVP_PKEY_free(pk);
	OSSL_PARAM_free(prm);
	OSSL_PARAM_BLD_free(bld);
	EVP_PKEY_CTX_free(fc);
	BN_free(bn);
	return ret;
}

void mikey_dh_free(void *key)
{
	EVP_PKEY_free(key);
}

/* ---- DH-HMAC mode, RFC 4650 ---- */
int mikey_dhhmac_init_create(const struct mikey_cfg *cfg,
			     const struct mikey_init_params *ip, uint64_t now,
			     struct mikey_init_state *st, uint8_t *out,
			     size_t cap, size_t *out_len, const char **why)
{
	struct mikey_enc e;
	struct mikey_hdr h;
	size_t mac_off = 0;

	*out_len = 0;
	memset(st, 0, sizeof(*st));
	if (!cfg->psk || !cfg->psk_len || ip->n_cs > MIKEY_MAX_CS) {
		*why = "bad DH-HMAC initiator parameters";
		return -1;
	}
	st->data_type = MIKEY_DT_DHHMAC_INIT;
	st->csb_id = ip->csb_id;
	st->t = now;
	st->rand_len = MIKEY_RAND_LEN;
	st->n_cs = ip->n_cs;
	memcpy(st->cs, ip->cs, ip->n_cs * sizeof(ip->cs[0]));
	if (get_rand(cfg, st->rand, st->rand_len)) {
		*why = "no randomness for RAND";
		goto bad;
	}
	st->dhi_len = DH5_LEN;
	st->dh = mikey_dh_keygen(st->dhi, st->dhi_len);
	if (!st->dh) {
		*why = "DH key generation failed";
		goto bad;
	}
	/* RFC 4650 s.3: the V flag has no meaning here, it is 0. */
	hdr_from(&h, MIKEY_DT_DHHMAC_INIT, false, ip->csb_id, ip->n_cs, ip->cs);
	mikey_enc_init(&e, out, cap);
	mikey_enc_hdr(&e, &h);
	mikey_enc_t(&e, MIKEY_TS_NTP_UTC, now);
	mikey_enc_rand(&e, st->rand, st->rand_len);
	enc_ids(&e, cfg);
	if (ip->sp)
		mikey_enc_sp(&e, ip->sp_policy_no, MIKEY_PROT_SRTP, ip->sp,
			     ip->sp_len);
	mikey_enc_dh(&e, MIKEY_DH_OAKLEY5, st->dhi, st->dhi_len, NULL);
	/* KEMAC with no key data, NULL encryption, HMAC (RFC 4650 s.3) */
	mikey_enc_kemac(&e, MIKEY_ENCR_NULL, NULL, 0, MIKEY_MAC_HMAC_SHA1_160,
			&mac_off);
	*out_len = mikey_enc_finish(&e);
	if (!*out_len) {
		*why = "I_MESSAGE does not fit";
		goto bad;
	}
	if (msg_mac(cfg, ip->csb_id, st->rand, st->rand_len, out, mac_off,
		    NULL, 0, out + mac_off)) {
		*why = "MAC computation failed";
		goto bad;
	}
	return 0;
bad:
	*out_len = 0;
	mikey_init_state_clear(st);
	return -1;
}

int mikey_dhhmac_resp_process(const struct mikey_cfg *cfg,
			      struct mikey_replay *rc, uint64_t now,
			      const uint8_t *msg, size_t len,
			      struct mikey_result *res, uint8_t *out,
			      size_t cap, size_t *out_len, const char **why)
{
	struct imsg im;
	uint8_t dhr[DH5_LEN];
	void *key = NULL;
	const char *w = "";
	bool authed = false;
	int code;

	*out_len = 0;
	memset(res, 0, sizeof(*res));
	res->err = -1;
	if (!rc)
		return fail(res, -1, "no replay cache", why);
	if (!cfg->psk || !cfg->psk_len)
		return fail(res, -1, "no pre-shared key", why);
	code = check_imsg(cfg, MIKEY_DT_DHHMAC_INIT, msg, len, &im, &w);
	if (code == ACCEPT && !im.dh) {
		w = "I_MESSAGE lacks DHi";
		code = MIKEY_ERR_UNSPECIFIED;
	}
	if (code == ACCEPT && im.dh->u.dh.group != MIKEY_DH_OAKLEY5) {
		w = "DH group not supported";
		code = MIKEY_ERR_INVALID_DH;
	}
	if (code == ACCEPT && im.kemac->u.kemac.encr_len) {
		w = "DH-HMAC KEMAC must not carry key data";
		code = MIKEY_ERR_UNSPECIFIED;
	}
	if (code == ACCEPT)
		code = auth_imsg(cfg, rc, now, &im, &authed, &w);
	if (code == ACCEPT) {
		key = mikey_dh_keygen(dhr, sizeof(dhr));
		res->tgk_len = DH5_LEN;
		/* TGK = g^(xi * xr) (RFC 3830 s.3.3, RFC 4650 s.3) */
		if (!key || mikey_dh_derive(key, im.dh->u.dh.value,
					    im.dh->u.dh.value_len, res->tgk,
					    res->tgk_len)) {
			w = "invalid DH value";
			code = MIKEY_ERR_INVALID_DH;
		}
	}
	if (code != ACCEPT) {
		mikey_dh_free(key);
		mikey_result_clear(res);
		if (code >= 0)
			build_err(cfg, &im.m.hdr, now, (uint8_t)code,
				  authed ? im.rand->u.rand.data : NULL,
				  authed ? im.rand->u.rand.len : 0,
				  authed ? im.t->u.t.value : 0, out, cap,
				  out_len);
		return fail(res, code, w, why);
	}
	mikey_dh_free(key);
	if (mikey_replay_add(rc, im.t->u.t.value, im.rand->u.rand.data,
			     im.rand->u.rand.len)) {
		mikey_result_clear(res);
		return fail(res, -1, "replay cache failure", why);
	}
	res_fill(res, &im.m, im.rand);
	{
		/* R_MESSAGE = HDR, T, [IDr], [IDi], DHr, DHi, KEMAC */
		struct mikey_enc e;
		struct mikey_hdr h;
		size_t mac_off = 0;

		hdr_from(&h, MIKEY_DT_DHHMAC_RESP, false, im.m.hdr.csb_id,
			 im.m.hdr.n_cs, im.m.hdr.cs);
		mikey_enc_init(&e, out, cap);
		mikey_enc_hdr(&e, &h);
		mikey_enc_t(&e, MIKEY_TS_NTP_UTC, now);
		/* [IDr], then IDi as the initiator sent it (RFC 4650 s.3) */
		if (cfg->id_r)
			mikey_enc_id(&e, cfg->id_type, cfg->id_r,
				     cfg->id_r_len);
		if (im.idi)
			mikey_enc_id(&e, im.idi->u.id.id_type,
				     im.idi->u.id.data, im.idi->u.id.len);
		else if (cfg->id_i)
			mikey_enc_id(&e, cfg->id_type, cfg->id_i,
				     cfg->id_i_len);
		mikey_enc_dh(&e, MIKEY_DH_OAKLEY5, dhr, sizeof(dhr), NULL);
		mikey_enc_dh(&e, MIKEY_DH_OAKLEY5, im.dh->u.dh.value,
			     im.dh->u.dh.value_len, NULL);
		mikey_enc_kemac(&e, MIKEY_ENCR_NULL, NULL, 0,
				MIKEY_MAC_HMAC_SHA1_160, &mac_off);
		*out_len = mikey_enc_finish(&e);
		if (!*out_len ||
		    msg_mac(cfg, h.csb_id, im.rand->u.rand.data,
			    im.rand->u.rand.len, out, mac_off, NULL, 0,
			    out + mac_off)) {
			*out_len = 0;
			mikey_result_clear(res);
			return fail(res, -1, "R_MESSAGE encoding failed", why);
		}
	}
	return 0;
}

int mikey_dhhmac_init_finish(const struct mikey_cfg *cfg,
			     struct mikey_init_state *st,
			     const struct mikey_replay *rc, uint64_t now,
			     const uint8_t *msg, size_t len,
			     struct mikey_result *res, const char **why)
{
	struct mikey_msg m;
	const struct mikey_payload *k, *dhr, *dhi;
	uint8_t mac[MIKEY_MAC_LEN];
	size_t from = 0;
	int r;

	memset(res, 0, sizeof(*res));
	res->err = -1;
	if (st->data_type != MIKEY_DT_DHHMAC_INIT || !st->dh)
		return fail(res, -1, "no DH-HMAC exchange in progress", why);
	if (!msg)
		return fail(res, -1, "R_MESSAGE expected", why);
	if (!check_rmsg(cfg, st, rc, now, msg, len, MIKEY_DT_DHHMAC_RESP, &m,
			res, why))
		return -1;
	k = mikey_find(&m, MIKEY_PT_KEMAC, &from);
	if (!k || k != &m.p[m.n - 1] ||
	    k->u.kemac.mac_alg != MIKEY_MAC_HMAC_SHA1_160)
		return fail(res, -1, "R_MESSAGE lacks a final HMAC KEMAC",
			    why);
	if (msg_mac(cfg, st->csb_id, st->rand, st->rand_len, m.buf,
		    k->u.kemac.mac_off, NULL, 0, mac))
		return fail(res, -1, "MAC computation failed", why);
	r = CRYPTO_memcmp(mac, k->u.kemac.mac, MIKEY_MAC_LEN);
	OPENSSL_cleanse(mac, sizeof(mac));
	if (r)
		return fail(res, -1, "R_MESSAGE MAC failed", why);
	from = 0;
	dhr = mikey_find(&m, MIKEY_PT_DH, &from);
	dhi = mikey_find(&m, MIKEY_PT_DH, &from);
	if (!dhr || !dhi || dhr->u.dh.group != MIKEY_DH_OAKLEY5 ||
	    dhi->u.dh.value_len != st->dhi_len ||
	    CRYPTO_memcmp(dhi->u.dh.value, st->dhi, st->dhi_len))
		return fail(res, -1, "R_MESSAGE DHi is not ours", why);
	if (mikey_dh_derive(st->dh, dhr->u.dh.value, dhr->u.dh.value_len,
			    st->tgk, DH5_LEN))
		return fail(res, -1, "invalid DHr value", why);
	st->tgk_len = DH5_LEN;
	res_from_state(res, st);
	return 0;
}

void mikey_init_state_clear(struct mikey_init_state *st)
{
	mikey_dh_free(st->dh);
	OPENSSL_cleanse(st, sizeof(*st));
}

void mikey_result_clear(struct mikey_result *res)
{
	int err = res->err;
	bool ea = res->err_authenticated;

	OPENSSL_cleanse(res, sizeof(*res));
	res->err = err;
	res->err_authenticated = ea;
}
