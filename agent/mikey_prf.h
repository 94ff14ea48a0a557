/* SPDX-License-Identifier: GPL-2.0 */
/*
 * MIKEY pseudo-random function and key derivation (RFC 3830 s.4.1).
 * HMAC-SHA-1 comes from OpenSSL libcrypto.
 */
#ifndef MICE_MIKEY_PRF_H
#define MICE_MIKEY_PRF_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

/* RFC 3830 s.4.1.3: constants for keys derived from the TGK. */
#define MIKEY_CONST_TEK		0x2AD01C64u
#define MIKEY_CONST_AUTH	0x1B5C7973u
#define MIKEY_CONST_ENC		0x15798CEFu
#define MIKEY_CONST_SALT	0x39A2C14Bu
/* RFC 3830 s.4.1.4: constants for keys derived from a pre-shared or
 * envelope key; the label uses cs_id 0xFF. */
#define MIKEY_CONST_PSK_ENC	0x150533E1u
#define MIKEY_CONST_PSK_AUTH	0x2D22AC75u
#define MIKEY_CONST_PSK_SALT	0x29B88916u
#define MIKEY_CS_ID_PSK		0xFF

/* RFC 3830 s.4.1.2: inkey pieces are 256 bits, HMAC-SHA-1 output 160. */
#define MIKEY_PRF_PIECE		32
#define MIKEY_SHA1_LEN		20
/* Longest label: constant(4) || cs_id(1) || csb_id(4) || RAND(<=255). */
#define MIKEY_LABEL_MAX		(4 + 1 + 4 + 255)
/* Longest PRF output we produce (keys are at most a few hundred bits). */
#define MIKEY_PRF_OUT_MAX	1024

enum mikey_key_kind {
	MIKEY_KEY_TEK,		/* from the TGK, s.4.1.3 */
	MIKEY_KEY_AUTH,
	MIKEY_KEY_ENC,
	MIKEY_KEY_SALT,
	MIKEY_KEY_PSK_ENC,	/* from the PSK/envelope key, s.4.1.4 */
	MIKEY_KEY_PSK_AUTH,
	MIKEY_KEY_PSK_SALT,
};

/*
 * P(s, label, m) of RFC 3830 s.4.1.2: m blocks of HMAC-SHA-1,
 * A_0 = label, A_i = HMAC(s, A_{i-1}), block_i = HMAC(s, A_i || label).
 * Writes m * 20 bytes to @out. Returns 0, or -1 on an OpenSSL failure.
 */
int mikey_prf_p(const uint8_t *s, size_t s_len, const uint8_t *label,
		size_t label_len, unsigned int m, uint8_t *out);

/*
 * PRF(inkey, label) of RFC 3830 s.4.1.2, truncated to @out_len bytes.
 * The inkey is cut into n = ceil(len/32) pieces of 32 bytes; the last
 * piece is len - 32 * (n - 1) bytes (32, not 0, when len is a multiple of
 * 32). The P outputs of all pieces are XORed. Returns 0, or -1 on bad
 * arguments (empty inkey, out_len 0 or > MIKEY_PRF_OUT_MAX) or failure.
 */
int mikey_prf(const uint8_t *inkey, size_t inkey_len, const uint8_t *label,
	      size_t label_len, uint8_t *out, size_t out_len);

/* Builds constant || cs_id || csb_id || RAND (s.4.1.3); returns its length,
 * 0 if rand_len > 255. @label must hold MIKEY_LABEL_MAX bytes. */
size_t mikey_label(uint8_t *label, uint32_t constant, uint8_t cs_id,
		   uint32_t csb_id, const uint8_t *rand, size_t rand_len);

/* The constant for @kind (s.4.1.3, s.4.1.4). */
uint32_t mikey_key_constant(enum mikey_key_kind kind);

/*
 * Derives a key of @out_len bytes from @inkey (the TGK, or the PSK for the
 * MIKEY_KEY_PSK_* kinds, which force cs_id 0xFF per s.4.1.4).
 * Returns 0 or -1.
 */
int mikey_derive(enum mikey_key_kind kind, const uint8_t *inkey,
		 size_t inkey_len, uint8_t cs_id, uint32_t csb_id,
		 const uint8_t *rand, size_t rand_len, uint8_t *out,
		 size_t out_len);

/*
 * The ICE credentials a TGK gives (seed 004 s.1.5: the passwords are
 * derived, never sent): the TEK derivation of RFC 3830 s.4.1.3 with cs_id 1
 * for the initiator's password, 2 for the responder's, each
 * MIKEY_ICE_PWD_OCTETS octets as twice as many hex characters, and cs_id 3
 * for the responder's ufrag, MIKEY_ICE_UFRAG_OCTETS octets as hex. RFC 8445
 * s.5.3: a password carries at least 128 bits of randomness, a ufrag at
 * least 24. @pwd_i and @pwd_r hold MIKEY_ICE_PWD_HEX + 1 bytes, @ufrag_r
 * MIKEY_ICE_UFRAG_HEX + 1. Returns 0 or -1.
 */
#define MIKEY_ICE_PWD_OCTETS	16
#define MIKEY_ICE_PWD_HEX	(2 * MIKEY_ICE_PWD_OCTETS)
#define MIKEY_ICE_UFRAG_OCTETS	4
#define MIKEY_ICE_UFRAG_HEX	(2 * MIKEY_ICE_UFRAG_OCTETS)
int mikey_ice_creds(const uint8_t *tgk, size_t tgk_len, uint32_t csb_id,
		    const uint8_t *rand, size_t rand_len, char *pwd_i,
		    char *pwd_r, char *ufrag_r);

/* A new HMAC-SHA-1 context keyed with @key (NULL on failure); free it
 * with EVP_MAC_CTX_free. */
EVP_MAC_CTX *mikey_hmac_sha1_new(const uint8_t *key, size_t key_len);

#endif /* MICE_MIKEY_PRF_H */
