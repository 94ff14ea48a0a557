/* SPDX-License-Identifier: GPL-2.0 */
/*
 * MIKEY key exchanges: pre-shared key (RFC 3830 s.3.1, s.5) and
 * HMAC-authenticated Diffie-Hellman (RFC 4650), with the replay
 * protection of RFC 3830 s.5.4.
 *
 * Time is injected: every call takes @now, a 64-bit NTP-UTC timestamp
 * (mikey_ntp_now() gives the wall clock). Randomness comes from
 * cfg->rng when set (tests), else OpenSSL RAND_bytes. DH private keys
 * always come from OpenSSL.
 *
 * All calls return 0 on success or -1 on failure with *why set. When
 * something must be sent back (an R_MESSAGE, or an error message with an
 * ERR payload, s.5.1.2) *out_len is non-zero; otherwise nothing is sent
 * (malformed input and replays are dropped silently).
 */
#ifndef MICE_MIKEY_EXCHANGE_H
#define MICE_MIKEY_EXCHANGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mikey.h"

#define MIKEY_TGK_MAX		256
#define MIKEY_RAND_LEN		16	/* s.6.11: at least 128 bits */
#define MIKEY_DEFAULT_SKEW	300	/* seconds; s.5.4 leaves the allowed
					 * clock skew to the implementation */
#define MIKEY_DEFAULT_REPLAY	1024	/* replay cache entries */

typedef int (*mikey_rng_fn)(void *arg, uint8_t *buf, size_t len);

/* Static configuration of one agent. The PSK is the pre-shared key of
 * RFC 3830 s.3.1 (PSK mode) and RFC 4650 s.3 (DH-HMAC). */
struct mikey_cfg {
	const uint8_t *psk;
	size_t psk_len;
	uint8_t id_type;		/* MIKEY_ID_NAI / MIKEY_ID_URI */
	const uint8_t *id_i;		/* initiator identity, optional */
	uint16_t id_i_len;
	const uint8_t *id_r;		/* responder identity, optional */
	uint16_t id_r_len;
	mikey_rng_fn rng;		/* NULL: RAND_bytes */
	void *rng_arg;
};

/* What the initiator proposes. */
struct mikey_init_params {
	uint32_t csb_id;
	uint8_t n_cs;
	struct mikey_srtp_cs cs[MIKEY_MAX_CS];
	uint8_t encr_alg;		/* PSK: MIKEY_ENCR_NULL / _AES_CM_128 */
	bool verify;			/* PSK: V flag, ask for R_MESSAGE */
	const uint8_t *tgk;		/* PSK: NULL = 16 random bytes */
	size_t tgk_len;
	const uint8_t *sp;		/* optional SP payload (SRTP) params */
	size_t sp_len;
	uint8_t sp_policy_no;
};

/* Initiator state between create and finish; clear it when done. */
struct mikey_init_state {
	uint8_t data_type;
	uint32_t csb_id;
	bool verify;
	uint64_t t;
	uint8_t rand[255];
	uint8_t rand_len;
	uint8_t tgk[MIKEY_TGK_MAX];
	size_t tgk_len;
	void *dh;			/* EVP_PKEY *, DH-HMAC only */
	uint8_t dhi[192];
	size_t dhi_len;
	uint8_t n_cs;
	struct mikey_srtp_cs cs[MIKEY_MAX_CS];
};

/* Outcome of an exchange. On success the TGK and what the TEK
 * derivations need (s.4.1.3: cs_id, csb_id, RAND). */
struct mikey_result {
	uint32_t csb_id;
	uint8_t n_cs;
	struct mikey_srtp_cs cs[MIKEY_MAX_CS];
	uint8_t rand[255];
	uint8_t rand_len;
	uint8_t tgk[MIKEY_TGK_MAX];
	size_t tgk_len;
	int err;		/* ERR code sent or received (s.6.12), or -1 */
	bool err_authenticated;	/* a received ERR carried a valid V */
};

/* Replay protection, s.5.4: a timestamp window and a bounded cache of
 * the (T, RAND) of accepted messages. When the cache is full the oldest
 * entry is evicted and its T becomes a floor: messages with T at or
 * below the floor are refused, so an evicted entry cannot be replayed. */
struct mikey_replay_ent {
	uint64_t t;
	uint8_t h[32];		/* SHA-256 of RAND */
};

struct mikey_replay {
	uint64_t skew;		/* allowed |T - now|, NTP units */
	uint64_t floor;
	size_t cap;
	size_t n;
	size_t head;		/* next slot to write (oldest when full) */
	struct mikey_replay_ent *ent;
};

int mikey_replay_init(struct mikey_replay *rc, size_t cap,
		      unsigned int skew_sec);
void mikey_replay_free(struct mikey_replay *rc);
/* 0: fresh; MIKEY_ERR_INVALID_TS: outside the window; -2: a replay. */
int mikey_replay_check(const struct mikey_replay *rc, uint64_t now,
		       uint64_t t, const uint8_t *rand, size_t rand_len);
/* Records an accepted (T, RAND). Returns 0 or -1. */
int mikey_replay_add(struct mikey_replay *rc, uint64_t t,
		     const uint8_t *rand, size_t rand_len);

/* Wall clock as 64-bit NTP-UTC (s.6.6). */
uint64_t mikey_ntp_now(void);
/* Seconds to NTP units. */
static inline uint64_t mikey_ntp_secs(uint64_t s)
{
	return s << 32;
}

/* ---- PSK mode, RFC 3830 s.3.1 ----
 * I_MESSAGE = HDR, T, RAND, [IDi], [IDr], {SP}, KEMAC
 * R_MESSAGE = HDR, T, [IDr], V          (only when the V flag is set) */
int mikey_psk_init_create(const struct mikey_cfg *cfg,
			  const struct mikey_init_params *ip, uint64_t now,
			  struct mikey_init_state *st, uint8_t *out,
			  size_t cap, size_t *out_len, const char **why);
int mikey_psk_resp_process(const struct mikey_cfg *cfg,
			   struct mikey_replay *rc, uint64_t now,
			   const uint8_t *msg, size_t len,
			   struct mikey_result *res, uint8_t *out, size_t cap,
			   size_t *out_len, const char **why);
/* @msg may be NULL when no verification was requested. @rc gives the
 * timestamp window (NULL: the default). */
int mikey_psk_init_finish(const struct mikey_cfg *cfg,
			  struct mikey_init_state *st,
			  const struct mikey_replay *rc, uint64_t now,
			  const uint8_t *msg, size_t len,
			  struct mikey_result *res, const char **why);

/* ---- DH-HMAC mode, RFC 4650 s.3 ----
 * I_MESSAGE = HDR, T, RAND, [IDi], [IDr], {SP}, DHi, KEMAC
 * R_MESSAGE = HDR, T, [IDr], [IDi], DHr, DHi, KEMAC
 * KEMAC carries no key data, only the HMAC-SHA-1-160; TGK = g^(xi*xr)
 * in the OAKLEY 5 group (1536-bit MODP). */
int mikey_dhhmac_init_create(const struct mikey_cfg *cfg,
			     const struct mikey_init_params *ip, uint64_t now,
			     struct mikey_init_state *st, uint8_t *out,
			     size_t cap, size_t *out_len, const char **why);
int mikey_dhhmac_resp_process(const struct mikey_cfg *cfg,
			      struct mikey_replay *rc, uint64_t now,
			      const uint8_t *msg, size_t len,
			      struct mikey_result *res, uint8_t *out,
			      size_t cap, size_t *out_len, const char **why);
int mikey_dhhmac_init_finish(const struct mikey_cfg *cfg,
			     struct mikey_init_state *st,
			     const struct mikey_replay *rc, uint64_t now,
			     const uint8_t *msg, size_t len,
			     struct mikey_result *res, const char **why);

/* Zeroizes (and frees the DH key of) a state / result. */
void mikey_init_state_clear(struct mikey_init_state *st);
void mikey_result_clear(struct mikey_result *res);

/* DH primitives (OAKLEY 5 via OpenSSL's "modp_1536"), exposed for the
 * benchmark. */
void *mikey_dh_keygen(uint8_t *pub, size_t pub_len);
int mikey_dh_derive(void *key, const uint8_t *peer, size_t peer_len,
		    uint8_t *secret, size_t secret_len);
void mikey_dh_free(void *key);

#endif /* MICE_MIKEY_EXCHANGE_H */
