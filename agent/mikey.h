/* SPDX-License-Identifier: GPL-2.0 */
/*
 * MIKEY message codec (RFC 3830 s.6, RFC 4650 s.5 data types 7/8).
 *
 * The decoder is zero-copy: decoded payloads point into the caller's
 * buffer, which must outlive the struct mikey_msg. It reads only inside
 * [buf, buf + len), bounds every count and gives a reason for each
 * rejection. The encoder appends to a caller-provided buffer and chains
 * the next-payload fields itself.
 */
#ifndef MICE_MIKEY_H
#define MICE_MIKEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MIKEY_PORT		2269
#define MIKEY_VERSION		1

/* Data types, RFC 3830 s.6.1 and RFC 4650 s.5 */
enum mikey_data_type {
	MIKEY_DT_PSK_INIT = 0,
	MIKEY_DT_PSK_RESP = 1,
	MIKEY_DT_PK_INIT = 2,
	MIKEY_DT_PK_RESP = 3,
	MIKEY_DT_DH_INIT = 4,
	MIKEY_DT_DH_RESP = 5,
	MIKEY_DT_ERROR = 6,
	MIKEY_DT_DHHMAC_INIT = 7,
	MIKEY_DT_DHHMAC_RESP = 8,
};

/* Next-payload values, RFC 3830 s.6.1 table */
enum mikey_payload_type {
	MIKEY_PT_LAST = 0,
	MIKEY_PT_KEMAC = 1,
	MIKEY_PT_PKE = 2,
	MIKEY_PT_DH = 3,
	MIKEY_PT_SIGN = 4,
	MIKEY_PT_T = 5,
	MIKEY_PT_ID = 6,
	MIKEY_PT_CERT = 7,
	MIKEY_PT_CHASH = 8,
	MIKEY_PT_V = 9,
	MIKEY_PT_SP = 10,
	MIKEY_PT_RAND = 11,
	MIKEY_PT_ERR = 12,
	MIKEY_PT_KEYDATA = 20,
	MIKEY_PT_GEXT = 21,
};

#define MIKEY_PRF_MIKEY_1	0	/* s.6.1 PRF func */
#define MIKEY_MAP_SRTP_ID	0	/* s.6.1 CS ID map type */

enum mikey_encr_alg {		/* s.6.2 */
	MIKEY_ENCR_NULL = 0,
	MIKEY_ENCR_AES_CM_128 = 1,
	MIKEY_ENCR_AES_KW_128 = 2,
};
enum mikey_mac_alg {		/* s.6.2 */
	MIKEY_MAC_NULL = 0,
	MIKEY_MAC_HMAC_SHA1_160 = 1,
};
enum mikey_dh_group {		/* s.6.4 */
	MIKEY_DH_OAKLEY5 = 0,	/* 1536-bit MODP */
	MIKEY_DH_OAKLEY1 = 1,	/* 768-bit */
	MIKEY_DH_OAKLEY2 = 2,	/* 1024-bit */
};
enum mikey_ts_type {		/* s.6.6 */
	MIKEY_TS_NTP_UTC = 0,
	MIKEY_TS_NTP = 1,
	MIKEY_TS_COUNTER = 2,
};
enum mikey_id_type {		/* s.6.7 */
	MIKEY_ID_NAI = 0,
	MIKEY_ID_URI = 1,
};
enum mikey_err_code {		/* s.6.12 */
	MIKEY_ERR_AUTH_FAILURE = 0,
	MIKEY_ERR_INVALID_TS = 1,
	MIKEY_ERR_INVALID_PRF = 2,
	MIKEY_ERR_INVALID_MAC = 3,
	MIKEY_ERR_INVALID_EA = 4,
	MIKEY_ERR_INVALID_HA = 5,
	MIKEY_ERR_INVALID_DH = 6,
	MIKEY_ERR_INVALID_ID = 7,
	MIKEY_ERR_INVALID_CERT = 8,
	MIKEY_ERR_INVALID_SP = 9,
	MIKEY_ERR_INVALID_SPPAR = 10,
	MIKEY_ERR_INVALID_DT = 11,
	MIKEY_ERR_UNSPECIFIED = 12,
};
enum mikey_kd_type {		/* s.6.13 */
	MIKEY_KD_TGK = 0,
	MIKEY_KD_TGK_SALT = 1,
	MIKEY_KD_TEK = 2,
	MIKEY_KD_TEK_SALT = 3,
};
enum mikey_kv_type {		/* s.6.13 */
	MIKEY_KV_NULL = 0,
	MIKEY_KV_SPI = 1,
	MIKEY_KV_INTERVAL = 2,
};
#define MIKEY_PROT_SRTP		0	/* s.6.10 */
#define MIKEY_GEXT_VENDOR_ID	0	/* s.6.15 */
#define MIKEY_GEXT_SDP_IDS	1

#define MIKEY_MAX_CS		16
#define MIKEY_MAX_PAYLOADS	32
#define MIKEY_MAX_KEYDATA	8
#define MIKEY_MAC_LEN		20	/* HMAC-SHA-1-160 */
#define MIKEY_MSG_MAX		4096

/* One SRTP-ID map entry (s.6.1.1). */
struct mikey_srtp_cs {
	uint8_t policy_no;
	uint32_t ssrc;
	uint32_t roc;
};

struct mikey_hdr {
	uint8_t version;
	uint8_t data_type;
	uint8_t next_payload;
	bool v;
	uint8_t prf_func;
	uint32_t csb_id;
	uint8_t n_cs;
	uint8_t map_type;
	struct mikey_srtp_cs cs[MIKEY_MAX_CS];
};

/* Key validity data (s.6.13). */
struct mikey_kv {
	uint8_t type;
	const uint8_t *spi;
	uint8_t spi_len;
	const uint8_t *vf;
	uint8_t vf_len;
	const uint8_t *vt;
	uint8_t vt_len;
};

/* A Key Data sub-payload (s.6.13). */
struct mikey_keydata {
	uint8_t type;			/* enum mikey_kd_type */
	const uint8_t *key;
	uint16_t key_len;
	const uint8_t *salt;		/* TGK+SALT / TEK+SALT only */
	uint16_t salt_len;
	struct mikey_kv kv;
};

struct mikey_payload {
	uint8_t type;		/* enum mikey_payload_type */
	size_t off;		/* where the payload starts in the message */
	size_t len;		/* its length in bytes */
	union {
		struct {	/* T, s.6.6 */
			uint8_t ts_type;
			uint64_t value;	/* COUNTER: 32 bits */
		} t;
		struct {	/* RAND, s.6.11 */
			const uint8_t *data;
			uint8_t len;
		} rand;
		struct {	/* ID, s.6.7 */
			uint8_t id_type;
			const uint8_t *data;
			uint16_t len;
		} id;
		struct {	/* KEMAC, s.6.2 */
			uint8_t encr_alg;
			const uint8_t *encr;
			uint16_t encr_len;
			size_t encr_off;
			uint8_t mac_alg;
			const uint8_t *mac;
			uint8_t mac_len;
			size_t mac_off;	/* MAC field offset in message */
		} kemac;
		struct {	/* DH, s.6.4 */
			uint8_t group;
			const uint8_t *value;
			uint16_t value_len;
			struct mikey_kv kv;
		} dh;
		struct {	/* V, s.6.9 */
			uint8_t mac_alg;
			const uint8_t *mac;
			uint8_t mac_len;
			size_t mac_off;
		} v;
		struct {	/* SP, s.6.10 */
			uint8_t policy_no;
			uint8_t prot_type;
			const uint8_t *params;	/* type(8) len(8) value */
			uint16_t params_len;
		} sp;
		struct {	/* ERR, s.6.12 */
			uint8_t code;
		} err;
		struct {	/* General Extension, s.6.15 */
			uint8_t type;
			const uint8_t *data;
			uint16_t len;
		} gext;
		struct {	/* PKE s.6.3, CERT s.6.7, CHASH s.6.8,
				 * SIGN s.6.5: decoded as opaque data */
			uint8_t subtype;	/* C / cert type / hash / S type */
			const uint8_t *data;
			uint16_t len;
		} opaque;
	} u;
};

struct mikey_msg {
	const uint8_t *buf;
	size_t len;
	struct mikey_hdr hdr;
	size_t n;
	struct mikey_payload p[MIKEY_MAX_PAYLOADS];
};

/*
 * Decodes a whole MIKEY message. Returns 0, or -1 with *why set to a
 * static string naming the problem. Never reads outside the buffer.
 */
int mikey_decode(const uint8_t *buf, size_t len, struct mikey_msg *msg,
		 const char **why);

/* Decodes the Key Data sub-payloads of a (decrypted) KEMAC (s.6.13).
 * Returns 0 or -1 with *why. */
int mikey_keydata_decode(const uint8_t *buf, size_t len,
			 struct mikey_keydata *kd, size_t max, size_t *n,
			 const char **why);

/* The first payload of @type after index *@from (start with 0), or NULL;
 * *@from is advanced past it. */
const struct mikey_payload *mikey_find(const struct mikey_msg *msg,
				       uint8_t type, size_t *from);

/* DH value length in bytes for a group, 0 if unknown (s.6.4). */
size_t mikey_dh_len(uint8_t group);
/* MAC length for a MAC algorithm, -1 if unknown (s.6.2). */
int mikey_mac_len(uint8_t alg);

const char *mikey_data_type_name(uint8_t dt);
const char *mikey_payload_name(uint8_t pt);
const char *mikey_err_name(uint8_t code);

/* ---- encoder ---- */
struct mikey_enc {
	uint8_t *p;
	size_t len;
	size_t cap;
	size_t np_off;	/* offset of the last next-payload field, or SIZE_MAX */
	bool err;	/* set on overflow or bad argument; sticky */
};

/* Starts a message (or, with hdr NULL, a chain of Key Data
 * sub-payloads for a KEMAC). */
void mikey_enc_init(struct mikey_enc *e, uint8_t *buf, size_t cap);
void mikey_enc_hdr(struct mikey_enc *e, const struct mikey_hdr *hdr);
void mikey_enc_t(struct mikey_enc *e, uint8_t ts_type, uint64_t value);
void mikey_enc_rand(struct mikey_enc *e, const uint8_t *r, size_t len);
void mikey_enc_id(struct mikey_enc *e, uint8_t id_type, const uint8_t *id,
		  size_t len);
/* Writes a KEMAC with @encr as the (already encrypted) Key Data; the MAC
 * field of mikey_mac_len(mac_alg) bytes is zeroed and its offset returned
 * in *@mac_off for the caller to fill. */
void mikey_enc_kemac(struct mikey_enc *e, uint8_t encr_alg,
		     const uint8_t *encr, size_t encr_len, uint8_t mac_alg,
		     size_t *mac_off);
void mikey_enc_dh(struct mikey_enc *e, uint8_t group, const uint8_t *value,
		  size_t len, const struct mikey_kv *kv);
void mikey_enc_v(struct mikey_enc *e, uint8_t mac_alg, size_t *mac_off);
void mikey_enc_sp(struct mikey_enc *e, uint8_t policy_no, uint8_t prot,
		  const uint8_t *params, size_t len);
void mikey_enc_err(struct mikey_enc *e, uint8_t code);
void mikey_enc_gext(struct mikey_enc *e, uint8_t type, const uint8_t *data,
		    size_t len);
void mikey_enc_keydata(struct mikey_enc *e, const struct mikey_keydata *kd);
/* Opaque payloads: PKE (subtype = C), CERT (cert type), CHASH (hash
 * func), SIGN (S type, must be last). */
void mikey_enc_opaque(struct mikey_enc *e, uint8_t type, uint8_t subtype,
		      const uint8_t *data, size_t len);
/* Final length, or 0 if anything failed. */
size_t mikey_enc_finish(struct mikey_enc *e);

#endif /* MICE_MIKEY_H */
