// SPDX-License-Identifier: GPL-2.0
/*
 * Self-verifying media authorization tokens: layout, hex, canonical
 * classifier encoding and the verification order. The format is in
 * token.h and docs/token-format.md; the token's outer grammar is RFC 3313
 * s.5 (1*HEXDIG), its GateID seed 001 s.6.2.
 *
 * Freestanding: includes only token.h (and through it gate_match.h);
 * compiled unchanged by the module, the agent, the unit tests and the
 * fuzzers. The HMAC and SHA-256 come from the caller's hooks.
 */
#include "token.h"

/* Value of one HEXDIG (RFC 5234 B.1 allows only upper case; RFC 3261
 * s.25.1 and RFC 3313 read it case-insensitively), or -1.
 */
static int mice_hex_val(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

int mice_hex_decode(const char *s, u32 slen, u8 *out, u32 cap, u32 *out_len,
		    u32 *err_pos)
{
	u32 i;

	*out_len = 0;
	for (i = 0; i < slen; i++) {
		if (mice_hex_val(s[i]) < 0) {
			*err_pos = i;
			return MICE_TOKEN_E_NOT_HEX;
		}
	}
	if (!slen)
		return MICE_TOKEN_E_EMPTY;
	if (slen & 1)
		return MICE_TOKEN_E_ODD;
	if (slen / 2 > cap)
		return MICE_TOKEN_E_LENGTH;
	for (i = 0; i < slen / 2; i++)
		out[i] = (u8)(mice_hex_val(s[2 * i]) << 4 |
			      mice_hex_val(s[2 * i + 1]));
	*out_len = slen / 2;
	return MICE_TOKEN_OK;
}

#ifndef __KERNEL__
/* Minting is the policy point's job (the agent): not in the module. */
static const char mice_hex_digits[] = "0123456789abcdef";

void mice_hex_encode(const u8 *in, u32 len, char *out)
{
	u32 i;

	for (i = 0; i < len; i++) {
		out[2 * i] = mice_hex_digits[in[i] >> 4];
		out[2 * i + 1] = mice_hex_digits[in[i] & 0x0f];
	}
	out[2 * len] = '\0';
}
#endif /* !__KERNEL__ */

static void mice_put_be16(u8 *p, u16 v)
{
	p[0] = (u8)(v >> 8);
	p[1] = (u8)v;
}

static void mice_put_be32(u8 *p, u32 v)
{
	p[0] = (u8)(v >> 24);
	p[1] = (u8)(v >> 16);
	p[2] = (u8)(v >> 8);
	p[3] = (u8)v;
}

static void mice_put_be64(u8 *p, u64 v)
{
	mice_put_be32(p, (u32)(v >> 32));
	mice_put_be32(p + 4, (u32)v);
}

static void mice_copy(u8 *dst, const u8 *src, u32 n)
{
	u32 i;

	for (i = 0; i < n; i++)
		dst[i] = src[i];
}

void mice_token_serialize(const struct mice_token *t, u8 out[MICE_TOKEN_LEN])
{
	out[0] = t->version;
	mice_put_be32(out + 1, t->gate_id);
	mice_put_be64(out + 5, t->expiry);
	mice_copy(out + 13, t->cls_digest, MICE_TOKEN_DIGEST_LEN);
	mice_put_be32(out + 29, t->rate);
	mice_put_be32(out + 33, t->burst);
	mice_put_be16(out + 37, t->max_packet);
	mice_copy(out + MICE_TOKEN_TAG_OFF, t->tag, MICE_TOKEN_TAG_LEN);
}

int mice_token_deserialize(const u8 *buf, u32 len, struct mice_token *t)
{
	if (!len)
		return MICE_TOKEN_E_LENGTH;
	/* The version octet decides the layout, so it is read first. */
	if (buf[0] != MICE_TOKEN_VERSION)
		return MICE_TOKEN_E_VERSION;
	if (len != MICE_TOKEN_LEN)
		return MICE_TOKEN_E_LENGTH;
	t->version = buf[0];
	t->gate_id = mice_get_be32(buf + 1);
	t->expiry = (u64)mice_get_be32(buf + 5) << 32 | mice_get_be32(buf + 9);
	mice_copy(t->cls_digest, buf + 13, MICE_TOKEN_DIGEST_LEN);
	t->rate = mice_get_be32(buf + 29);
	t->burst = mice_get_be32(buf + 33);
	t->max_packet = mice_get_be16(buf + 37);
	mice_copy(t->tag, buf + MICE_TOKEN_TAG_OFF, MICE_TOKEN_TAG_LEN);
	return MICE_TOKEN_OK;
}

void mice_token_mac_input(const struct mice_token *t,
			  u8 out[MICE_TOKEN_MAC_INPUT_LEN])
{
	u8 buf[MICE_TOKEN_LEN];

	mice_copy(out, (const u8 *)MICE_TOKEN_LABEL, MICE_TOKEN_LABEL_LEN);
	mice_token_serialize(t, buf);
	mice_copy(out + MICE_TOKEN_LABEL_LEN, buf, MICE_TOKEN_SIGNED_LEN);
}

static void mice_put_prefix(u8 *p, const struct mice_prefix *pf)
{
	p[0] = pf->family;
	p[1] = pf->len;
	mice_copy(p + 2, pf->addr, 16);
}

int mice_cls_encode(const struct mice_gate_classifier *c,
		    u8 out[MICE_CLS_ENC_LEN])
{
	if (mice_gate_classifier_check(c) != MICE_GATE_OK)
		return MICE_TOKEN_E_BAD_CLASSIFIER;
	out[0] = MICE_CLS_ENC_VERSION;
	out[1] = c->proto;
	out[2] = c->dir;
	mice_put_prefix(out + 3, &c->src);
	mice_put_prefix(out + 21, &c->dst);
	mice_put_be16(out + 39, c->sport.lo);
	mice_put_be16(out + 41, c->sport.hi);
	mice_put_be16(out + 43, c->dport.lo);
	mice_put_be16(out + 45, c->dport.hi);
	return MICE_TOKEN_OK;
}

int mice_cls_digest(const struct mice_gate_classifier *c,
		    const struct mice_token_crypto *cr,
		    u8 out[MICE_TOKEN_DIGEST_LEN])
{
	u8 enc[MICE_CLS_ENC_LEN];
	u8 md[MICE_SHA256_LEN];
	int err;

	err = mice_cls_encode(c, enc);
	if (err)
		return err;
	if (cr->sha256(cr->ctx, enc, MICE_CLS_ENC_LEN, md))
		return MICE_TOKEN_E_CRYPTO;
	mice_copy(out, md, MICE_TOKEN_DIGEST_LEN);
	return MICE_TOKEN_OK;
}

static int mice_token_tag(const struct mice_token *t,
			  const struct mice_token_crypto *cr,
			  u8 tag[MICE_TOKEN_TAG_LEN])
{
	u8 in[MICE_TOKEN_MAC_INPUT_LEN];
	u8 md[MICE_SHA256_LEN];
	u32 i;
	int ret = MICE_TOKEN_OK;

	mice_token_mac_input(t, in);
	if (cr->hmac_sha256(cr->ctx, in, MICE_TOKEN_MAC_INPUT_LEN, md))
		ret = MICE_TOKEN_E_CRYPTO;
	else
		mice_copy(tag, md, MICE_TOKEN_TAG_LEN);
	/* The full MAC is not secret, but do not leave it lying around. */
	for (i = 0; i < MICE_SHA256_LEN; i++)
		((volatile u8 *)md)[i] = 0;
	return ret;
}

#ifndef __KERNEL__
int mice_token_sign(struct mice_token *t, const struct mice_token_crypto *cr)
{
	t->version = MICE_TOKEN_VERSION;
	return mice_token_tag(t, cr, t->tag);
}
#endif /* !__KERNEL__ */

bool mice_ct_memeq(const void *a, const void *b, u32 n)
{
	const volatile u8 *x = a;
	const volatile u8 *y = b;
	u8 diff = 0;
	u32 i;

	/* Read every octet whatever the outcome; no early exit. */
	for (i = 0; i < n; i++)
		diff |= x[i] ^ y[i];
	return diff == 0;
}

int mice_token_check_expiry(const struct mice_token *t, u64 now_s)
{
	return now_s < t->expiry ? MICE_TOKEN_OK : MICE_TOKEN_E_EXPIRED;
}

int mice_token_verify_hex(const char *hex, u32 hexlen, u64 now_s,
			  const struct mice_gate_classifier *c,
			  const struct mice_token_crypto *cr,
			  struct mice_token *t, u32 *err_pos)
{
	u8 buf[MICE_TOKEN_LEN];
	u8 tag[MICE_TOKEN_TAG_LEN];
	u32 len;
	int err;

	err = mice_hex_decode(hex, hexlen, buf, sizeof(buf), &len, err_pos);
	if (err)
		return err;
	err = mice_token_deserialize(buf, len, t);
	if (err)
		return err;
	err = mice_token_tag(t, cr, tag);
	if (err)
		return err;
	if (!mice_ct_memeq(tag, t->tag, MICE_TOKEN_TAG_LEN))
		return MICE_TOKEN_E_TAG;
	err = mice_token_check_expiry(t, now_s);
	if (err)
		return err;
	if (!c)
		return MICE_TOKEN_OK;
	return mice_token_check_cls(t, c, cr);
}

int mice_token_check_cls(const struct mice_token *t,
			 const struct mice_gate_classifier *c,
			 const struct mice_token_crypto *cr)
{
	u8 digest[MICE_TOKEN_DIGEST_LEN];
	int err;

	err = mice_cls_digest(c, cr, digest);
	if (err)
		return err;
	if (!mice_ct_memeq(digest, t->cls_digest, MICE_TOKEN_DIGEST_LEN))
		return MICE_TOKEN_E_CLASSIFIER;
	return MICE_TOKEN_OK;
}

const char *mice_token_err_name(unsigned int err)
{
	static const char *const names[__MICE_TOKEN_E_MAX] = {
		[MICE_TOKEN_OK] = "ok",
		[MICE_TOKEN_E_EMPTY] = "empty token",
		[MICE_TOKEN_E_NOT_HEX] = "character is not a hex digit",
		[MICE_TOKEN_E_ODD] = "odd number of hex digits",
		[MICE_TOKEN_E_LENGTH] = "wrong length (version 1 is 110 hex digits)",
		[MICE_TOKEN_E_VERSION] = "unsupported token version",
		[MICE_TOKEN_E_TAG] = "authentication tag mismatch (forged, altered or wrong key)",
		[MICE_TOKEN_E_EXPIRED] = "token expired",
		[MICE_TOKEN_E_CLASSIFIER] = "flow classifier does not match the token",
		[MICE_TOKEN_E_BAD_CLASSIFIER] = "invalid flow classifier",
		[MICE_TOKEN_E_CRYPTO] = "crypto backend failed",
	};

	return err < __MICE_TOKEN_E_MAX ? names[err] : "unknown";
}
