/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Self-verifying media authorization tokens (docs/token-format.md).
 *
 * Seed 001 s.6.2 leaves the token opaque (1*HEXDIG, or a 32-bit GateID)
 * and RFC 3313 s.5 only fixes its grammar, P-Media-Authorization-Token =
 * 1*HEXDIG. mice goes further: the token carries the GateID, an expiry, a
 * digest of the gate classifier and the envelope, authenticated by a
 * truncated HMAC-SHA256 under a key the policy point shares with the
 * enforcement point, so the enforcement point can check it without a
 * round trip.
 *
 * Binary layout, version 1, 55 octets, all integers big-endian:
 *   0  version       8  = 1
 *   1  gate id      32  seed 001 s.6.2 GateID
 *   5  expiry       64  unix seconds; invalid from this second on
 *  13  cls digest  128  SHA-256(canonical classifier)[0..15]
 *  29  rate         32  octets per second
 *  33  burst        32  octets
 *  37  max packet   16  octets, 0 = no limit beyond burst
 *  39  tag         128  HMAC-SHA256(key, label || octets 0..38)[0..15]
 * where label is the 16 ASCII octets "MICE-MEDIA-AUTH1". On the wire it is
 * 110 hex digits (either case accepted, lower case produced).
 *
 * Freestanding: no crypto here. HMAC-SHA256 and SHA-256 come in through
 * struct mice_token_crypto (OpenSSL in the agent, the kernel crypto API
 * in the module), over exactly the octets this file builds.
 */
#ifndef MICE_TOKEN_H
#define MICE_TOKEN_H

#include "freestanding.h"
#include "gate_match.h"

#define MICE_TOKEN_VERSION	1
#define MICE_TOKEN_LEN		55
#define MICE_TOKEN_HEX_LEN	(2 * MICE_TOKEN_LEN)
#define MICE_TOKEN_SIGNED_LEN	39	/* octets 0..38 */
#define MICE_TOKEN_TAG_OFF	39
#define MICE_TOKEN_TAG_LEN	16
#define MICE_TOKEN_DIGEST_LEN	16
#define MICE_TOKEN_LABEL	"MICE-MEDIA-AUTH1"
#define MICE_TOKEN_LABEL_LEN	16
#define MICE_TOKEN_MAC_INPUT_LEN (MICE_TOKEN_LABEL_LEN + MICE_TOKEN_SIGNED_LEN)
#define MICE_SHA256_LEN		32

/* Canonical classifier encoding, version 1 (what the digest covers). */
#define MICE_CLS_ENC_VERSION	1
#define MICE_CLS_ENC_LEN	47

struct mice_token {
	u8 version;
	u32 gate_id;
	u64 expiry;
	u8 cls_digest[MICE_TOKEN_DIGEST_LEN];
	u32 rate;
	u32 burst;
	u16 max_packet;
	u8 tag[MICE_TOKEN_TAG_LEN];
};

enum mice_token_err {
	MICE_TOKEN_OK = 0,
	MICE_TOKEN_E_EMPTY,		/* no hex digits at all */
	MICE_TOKEN_E_NOT_HEX,		/* a character outside HEXDIG */
	MICE_TOKEN_E_ODD,		/* odd number of hex digits */
	MICE_TOKEN_E_LENGTH,		/* decodes to the wrong octet count */
	MICE_TOKEN_E_VERSION,		/* version octet not 1 */
	MICE_TOKEN_E_TAG,		/* HMAC tag does not match */
	MICE_TOKEN_E_EXPIRED,		/* now >= expiry */
	MICE_TOKEN_E_CLASSIFIER,	/* classifier digest does not match */
	MICE_TOKEN_E_BAD_CLASSIFIER,	/* classifier fails its own check */
	MICE_TOKEN_E_CRYPTO,		/* the HMAC/SHA-256 hook failed */
	__MICE_TOKEN_E_MAX
};

/*
 * The crypto the caller supplies. Each hook returns 0 and writes 32 octets
 * to @out, or non-zero on failure. @hmac_sha256 keys with the token key.
 */
struct mice_token_crypto {
	int (*hmac_sha256)(void *ctx, const u8 *msg, u32 len,
			   u8 out[MICE_SHA256_LEN]);
	int (*sha256)(void *ctx, const u8 *msg, u32 len,
		      u8 out[MICE_SHA256_LEN]);
	void *ctx;
};

/*
 * Decode @slen hex digits at @s into @out (room for @cap octets). Returns
 * MICE_TOKEN_OK with *@out_len set, or NOT_HEX (*@err_pos = offset of the
 * first bad character), EMPTY, ODD or LENGTH (more than @cap octets).
 * Non-hex characters are reported before length problems.
 */
int mice_hex_decode(const char *s, u32 slen, u8 *out, u32 cap, u32 *out_len,
		    u32 *err_pos);

#ifndef __KERNEL__
/*
 * 2 * @len lower-case hex digits and a NUL into @out. Userspace only, as
 * mice_token_sign(): the module verifies tokens, it never mints them.
 */
void mice_hex_encode(const u8 *in, u32 len, char *out);
#endif

void mice_token_serialize(const struct mice_token *t, u8 out[MICE_TOKEN_LEN]);

/* VERSION if octet 0 is not 1 (checked first), LENGTH if @len != 55. */
int mice_token_deserialize(const u8 *buf, u32 len, struct mice_token *t);

/* label || octets 0..38 of @t: the exact input of the tag's HMAC. */
void mice_token_mac_input(const struct mice_token *t,
			  u8 out[MICE_TOKEN_MAC_INPUT_LEN]);

/*
 * Canonical classifier encoding, 47 octets (docs/token-format.md):
 * enc version 1, proto, dir, src family, src len, src addr[16], dst family,
 * dst len, dst addr[16], sport lo, sport hi, dport lo, dport hi (be16).
 * BAD_CLASSIFIER unless mice_gate_classifier_check() passes, so equal
 * classifiers always encode equally.
 */
int mice_cls_encode(const struct mice_gate_classifier *c,
		    u8 out[MICE_CLS_ENC_LEN]);

/* SHA-256 of the canonical encoding, truncated to 16 octets. */
int mice_cls_digest(const struct mice_gate_classifier *c,
		    const struct mice_token_crypto *cr,
		    u8 out[MICE_TOKEN_DIGEST_LEN]);

#ifndef __KERNEL__
/* Compute and store @t->tag (version is forced to 1). Userspace only. */
int mice_token_sign(struct mice_token *t, const struct mice_token_crypto *cr);
#endif

/* Compare in time independent of where the buffers differ. */
bool mice_ct_memeq(const void *a, const void *b, u32 n);

/* MICE_TOKEN_OK while @now_s < expiry, else MICE_TOKEN_E_EXPIRED. */
int mice_token_check_expiry(const struct mice_token *t, u64 now_s);

/*
 * The whole check of a presented token: hex decode, layout, tag (constant
 * time), expiry against @now_s, and, when @c is not NULL, the classifier
 * digest. Fields are trusted only after the tag, so the expiry and the
 * classifier are checked after it. @t is filled as soon as the layout
 * parses (for diagnostics) even when a later check fails. *@err_pos is set
 * for NOT_HEX.
 */
int mice_token_verify_hex(const char *hex, u32 hexlen, u64 now_s,
			  const struct mice_gate_classifier *c,
			  const struct mice_token_crypto *cr,
			  struct mice_token *t, u32 *err_pos);

/*
 * The last step of mice_token_verify_hex(), for a caller that learns the
 * classifier only from the verified token (the module looks up the gate
 * its GateID names): does @c hash to @t's digest? Only for a @t that
 * mice_token_verify_hex() accepted. MICE_TOKEN_OK, CLASSIFIER,
 * BAD_CLASSIFIER or CRYPTO.
 */
int mice_token_check_cls(const struct mice_token *t,
			 const struct mice_gate_classifier *c,
			 const struct mice_token_crypto *cr);

const char *mice_token_err_name(unsigned int err);

#endif /* MICE_TOKEN_H */
