/* SPDX-License-Identifier: GPL-2.0 */
/*
 * STUN message codec (RFC 8489) with the ICE attributes (RFC 8445 s.16.1),
 * used by the M-ICE connectivity checks (seed 004 s.3, s.12).
 *
 * Encoder: a builder that appends attributes to a caller buffer; the header
 * length is kept current after every append, so the buffer always holds a
 * well-formed message. Padding written is zero (RFC 8489 s.14).
 *
 * Decoder: strict. Every rejection has a reason (enum stun_err +
 * stun_err_str()). Receivers ignore padding bytes (RFC 8489 s.14), so the
 * RFC 5769 samples, padded with 0x20, decode; integrity is checked over the
 * bytes received, never over a re-encoding.
 *
 * Limits (our choice, documented): a message is at most STUN_MAX_MSG = 1500
 * bytes (the Ethernet MTU; RFC 8489 s.6.1 asks senders to stay under the
 * path MTU, and M-ICE checks are small), and holds at most STUN_MAX_ATTRS
 * attributes.
 *
 * Credentials: only short-term credentials are supported. For them the
 * HMAC key is the password after the OpaqueString profile (RFC 8489
 * s.9.1.1); for printable ASCII passwords, which ICE passwords are
 * (RFC 8445 s.5.3: ice-char), OpaqueString is the identity, so the key is
 * the password bytes as given. Long-term credentials (MD5 key, SASLprep /
 * OpaqueString of non-ASCII) are not implemented.
 */
#ifndef MICE_STUN_H
#define MICE_STUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define STUN_MAGIC_COOKIE	0x2112A442u	/* RFC 8489 s.5 */
#define STUN_HDR_LEN		20
#define STUN_TID_LEN		12		/* 96 bits, RFC 8489 s.5 */
#define STUN_MAX_MSG		1500
#define STUN_MAX_ATTRS		32
#define STUN_FINGERPRINT_XOR	0x5354554Eu	/* RFC 8489 s.14.7 */
#define STUN_MI_LEN		20		/* HMAC-SHA1, s.14.5 */
#define STUN_MI256_LEN		32		/* HMAC-SHA256, s.14.6 */
#define STUN_MI256_MIN_LEN	16

/* Message classes, RFC 8489 s.5 (C1 C0). */
enum stun_class {
	STUN_REQUEST = 0,
	STUN_INDICATION = 1,
	STUN_SUCCESS = 2,
	STUN_ERROR = 3,
};

/* Methods are 12 bits (RFC 8489 s.5). Binding is the only one RFC 8489
 * defines; a method for media-admission token presentation can be added
 * later without changing the codec. */
#define STUN_METHOD_BINDING	0x001
#define STUN_METHOD_MAX		0xFFF

/* Attribute types (RFC 8489 s.18.3, RFC 8445 s.16.1). 0x0000-0x7FFF are
 * comprehension-required, 0x8000-0xFFFF comprehension-optional (s.14). */
enum stun_attr_type {
	STUN_ATTR_MAPPED_ADDRESS	= 0x0001,
	STUN_ATTR_USERNAME		= 0x0006,
	STUN_ATTR_MESSAGE_INTEGRITY	= 0x0008,
	STUN_ATTR_ERROR_CODE		= 0x0009,
	STUN_ATTR_UNKNOWN_ATTRIBUTES	= 0x000A,
	STUN_ATTR_REALM			= 0x0014,
	STUN_ATTR_NONCE			= 0x0015,
	STUN_ATTR_MESSAGE_INTEGRITY_SHA256 = 0x001C,
	STUN_ATTR_PASSWORD_ALGORITHM	= 0x001D,
	STUN_ATTR_USERHASH		= 0x001E,
	STUN_ATTR_XOR_MAPPED_ADDRESS	= 0x0020,
	STUN_ATTR_PRIORITY		= 0x0024,
	STUN_ATTR_USE_CANDIDATE		= 0x0025,
	STUN_ATTR_PASSWORD_ALGORITHMS	= 0x8002,
	STUN_ATTR_ALTERNATE_DOMAIN	= 0x8003,
	STUN_ATTR_SOFTWARE		= 0x8022,
	STUN_ATTR_ALTERNATE_SERVER	= 0x8023,
	STUN_ATTR_FINGERPRINT		= 0x8028,
	STUN_ATTR_ICE_CONTROLLED	= 0x8029,
	STUN_ATTR_ICE_CONTROLLING	= 0x802A,
};

/* Size limits from RFC 8489 s.14.3, s.14.8, s.14.10. */
#define STUN_USERNAME_SEND_MAX	508	/* "fewer than 509 bytes" */
#define STUN_USERNAME_RECV_MAX	763	/* parse 763 for RFC 5389 compat */
#define STUN_REASON_MAX		763	/* < 128 characters, <= 763 bytes */
#define STUN_SOFTWARE_MAX	763

/* Why a message was rejected (or a builder call failed). */
enum stun_err {
	STUN_OK = 0,
	STUN_E_ARG,		/* NULL pointer or bad argument */
	STUN_E_TOO_SHORT,	/* fewer than 20 bytes */
	STUN_E_TOO_LONG,	/* more than STUN_MAX_MSG bytes */
	STUN_E_TOP_BITS,	/* the two most significant bits not zero */
	STUN_E_BAD_COOKIE,	/* magic cookie not 0x2112A442 */
	STUN_E_LEN_UNALIGNED,	/* length field not a multiple of 4 */
	STUN_E_LEN_MISMATCH,	/* 20 + length field != datagram size */
	STUN_E_ATTR_OVERRUN,	/* attribute header/value past the end */
	STUN_E_ATTR_LEN,	/* attribute length wrong for its type */
	STUN_E_ATTR_VALUE,	/* attribute value invalid (ERROR-CODE class) */
	STUN_E_BAD_FAMILY,	/* address family not 0x01 or 0x02 */
	STUN_E_TOO_MANY_ATTRS,	/* more than STUN_MAX_ATTRS */
	STUN_E_FP_NOT_LAST,	/* FINGERPRINT followed by an attribute */
	STUN_E_FP_BAD,		/* FINGERPRINT CRC does not match */
	STUN_E_AFTER_MI,	/* MI followed by other than MI-SHA256/FP */
	STUN_E_AFTER_MI256,	/* MI-SHA256 followed by other than FP */
	STUN_E_NOSPACE,		/* builder: buffer too small */
	STUN_E_ORDER,		/* builder: append after MI/MI-SHA256/FP */
	STUN_E_CRYPTO,		/* OpenSSL failed */
	STUN_E__COUNT
};

/* A transport address; same shape as struct ice_addr (agent/candidate.h).
 * family is AF_INET or AF_INET6; IPv4 lives in ip[0..3]; port host order. */
struct stun_addr {
	uint8_t family;
	uint8_t ip[16];
	uint16_t port;
};

/* One attribute as found in the received buffer. */
struct stun_attr_ref {
	uint16_t type;
	uint16_t len;		/* value length, without padding */
	uint16_t off;		/* offset of the value in the message */
};

/* Index of a known attribute in stun_msg.attrs[], -1 if absent. Only the
 * first occurrence counts (RFC 8489 s.14). */
enum stun_known {
	STUN_K_MAPPED_ADDRESS,
	STUN_K_XOR_MAPPED_ADDRESS,
	STUN_K_USERNAME,
	STUN_K_MESSAGE_INTEGRITY,
	STUN_K_MESSAGE_INTEGRITY_SHA256,
	STUN_K_FINGERPRINT,
	STUN_K_ERROR_CODE,
	STUN_K_UNKNOWN_ATTRIBUTES,
	STUN_K_SOFTWARE,
	STUN_K_PRIORITY,
	STUN_K_USE_CANDIDATE,
	STUN_K_ICE_CONTROLLED,
	STUN_K_ICE_CONTROLLING,
	STUN_K__COUNT
};

/* A decoded message. Pointers and offsets refer to the caller's buffer,
 * which must outlive this struct. */
struct stun_msg {
	const uint8_t *buf;
	size_t len;			/* whole message, header included */
	uint16_t type;			/* raw 14-bit message type */
	uint16_t method;
	enum stun_class cls;
	uint8_t tid[STUN_TID_LEN];

	unsigned int nattrs;
	struct stun_attr_ref attrs[STUN_MAX_ATTRS];
	int idx[STUN_K__COUNT];		/* into attrs[], -1 if absent */

	/* Decoded values of the known attributes (valid if idx >= 0). */
	struct stun_addr mapped;	/* MAPPED-ADDRESS */
	struct stun_addr xor_mapped;	/* XOR-MAPPED-ADDRESS, un-XORed */
	uint32_t priority;		/* PRIORITY */
	uint64_t tiebreaker;		/* ICE-CONTROLLED/CONTROLLING */
	int error_code;			/* ERROR-CODE: class*100 + number */
	const char *reason;		/* ERROR-CODE reason, not NUL-ended */
	uint16_t reason_len;
	const char *username;		/* not NUL-ended */
	uint16_t username_len;
	const char *software;		/* not NUL-ended */
	uint16_t software_len;

	/* Comprehension-required attributes (type < 0x8000) the decoder does
	 * not know: a server answers a request carrying any with 420 and
	 * UNKNOWN-ATTRIBUTES listing them (RFC 8489 s.6.3.1.1). */
	unsigned int n_unknown;
	uint16_t unknown[STUN_MAX_ATTRS];

	/* On rejection: the reason, and the attribute type/offset concerned
	 * (0 if none). */
	enum stun_err err;
	uint16_t err_attr;
	uint16_t err_off;
};

/* Extra comprehension-required types the caller understands (e.g. a
 * token-presentation attribute); they are not reported as unknown. */
struct stun_decode_opts {
	const uint16_t *known_types;
	size_t n_known_types;
};

/* ---- message type (RFC 8489 s.5, Figure 3) ---- */
uint16_t stun_msg_type(uint16_t method, enum stun_class cls);
uint16_t stun_type_method(uint16_t type);
enum stun_class stun_type_class(uint16_t type);

/* ---- decoder ---- */
/* Decodes @len bytes at @buf into @out. Returns STUN_OK or the reason of
 * the rejection (also in out->err). A FINGERPRINT, if present, is
 * verified. @opts may be NULL. */
enum stun_err stun_decode(const uint8_t *buf, size_t len, struct stun_msg *out,
			  const struct stun_decode_opts *opts);
/* Cheap pre-check: could @buf be a STUN message (s.5, s.7.3)? */
bool stun_looks_like(const uint8_t *buf, size_t len);
const struct stun_attr_ref *stun_msg_get(const struct stun_msg *m,
					 uint16_t type);
/* Decodes attribute @a of @m (XOR-MAPPED-ADDRESS layout, s.14.2), for
 * address attributes of other specs such as TURN's XOR-PEER-ADDRESS. */
enum stun_err stun_attr_xor_addr(const struct stun_msg *m,
				 const struct stun_attr_ref *a,
				 struct stun_addr *out);
static inline bool stun_msg_has(const struct stun_msg *m, enum stun_known k)
{
	return m->idx[k] >= 0;
}

/* ---- integrity (RFC 8489 s.14.5, s.14.6, s.9.1) ---- */
enum stun_integrity {
	STUN_INTEGRITY_OK = 0,	/* every MI / MI-SHA256 present verifies */
	STUN_INTEGRITY_ABSENT,	/* neither attribute present */
	STUN_INTEGRITY_BAD,	/* at least one does not verify */
	STUN_INTEGRITY_ERROR,	/* bad arguments or OpenSSL failure */
};
/* Verifies MESSAGE-INTEGRITY and/or MESSAGE-INTEGRITY-SHA256 of a message
 * that stun_decode() accepted, over the received bytes @msg/@len with the
 * length field patched to end after the attribute; constant-time compare.
 * @key is the short-term key (the password, see above). */
enum stun_integrity stun_check_integrity(const uint8_t *msg, size_t len,
					 const struct stun_msg *parsed,
					 const uint8_t *key, size_t keylen);
const char *stun_integrity_str(enum stun_integrity r);

/* ---- builder ---- */
struct stun_builder {
	uint8_t *buf;
	size_t cap;
	size_t len;
	enum stun_err err;	/* sticky: first failure */
	uint8_t stage;		/* 0 open, 1 after MI, 2 after MI-SHA256,
				 * 3 after FINGERPRINT */
};

/* Starts a message. @tid may be NULL for a fresh random one
 * (RAND_bytes, RFC 8489 s.5: "cryptographically random"). */
enum stun_err stun_build_init(struct stun_builder *b, uint8_t *buf, size_t cap,
			      uint16_t method, enum stun_class cls,
			      const uint8_t *tid);
/* Any attribute, zero-padded to 4 bytes (RFC 8489 s.14). */
enum stun_err stun_build_attr(struct stun_builder *b, uint16_t type,
			      const void *val, size_t len);
enum stun_err stun_build_u32(struct stun_builder *b, uint16_t type,
			     uint32_t v);
enum stun_err stun_build_u64(struct stun_builder *b, uint16_t type,
			     uint64_t v);
/* MAPPED-ADDRESS layout (s.14.1) under @type. */
enum stun_err stun_build_addr(struct stun_builder *b, uint16_t type,
			      const struct stun_addr *a);
/* XOR-MAPPED-ADDRESS layout (s.14.2) under @type. */
enum stun_err stun_build_xor_addr(struct stun_builder *b, uint16_t type,
				  const struct stun_addr *a);
enum stun_err stun_build_username(struct stun_builder *b, const char *user);
enum stun_err stun_build_software(struct stun_builder *b, const char *sw);
/* ERROR-CODE (s.14.8): @code 300-699, @reason may be NULL ("" then). */
enum stun_err stun_build_error_code(struct stun_builder *b, int code,
				    const char *reason);
enum stun_err stun_build_unknown_attrs(struct stun_builder *b,
				       const uint16_t *types, size_t n);
/* RFC 8445 s.16.1 */
enum stun_err stun_build_priority(struct stun_builder *b, uint32_t prio);
enum stun_err stun_build_use_candidate(struct stun_builder *b);
enum stun_err stun_build_ice_controlled(struct stun_builder *b, uint64_t tb);
enum stun_err stun_build_ice_controlling(struct stun_builder *b, uint64_t tb);
/* MESSAGE-INTEGRITY (HMAC-SHA1, s.14.5) and MESSAGE-INTEGRITY-SHA256
 * (full 32 bytes, s.14.6); FINGERPRINT (s.14.7) last. */
enum stun_err stun_build_integrity(struct stun_builder *b, const uint8_t *key,
				   size_t keylen);
enum stun_err stun_build_integrity_sha256(struct stun_builder *b,
					  const uint8_t *key, size_t keylen);
enum stun_err stun_build_fingerprint(struct stun_builder *b);
/* Length of the finished message, 0 if any builder call failed. */
size_t stun_build_len(const struct stun_builder *b);

/* ---- helpers ---- */
void stun_random_tid(uint8_t tid[STUN_TID_LEN]);
const char *stun_err_str(enum stun_err e);
const char *stun_class_name(enum stun_class c);
const char *stun_method_name(uint16_t method);
const char *stun_attr_name(uint16_t type);
/* "192.0.2.1:32853" or "[2001:db8::1]:32853"; "-" if family unknown. */
const char *stun_addr_str(const struct stun_addr *a, char *buf, size_t len);
#define STUN_ADDRSTRLEN 56
/* Sets @a from raw address bytes (4 or 16) of @family and host-order port. */
void stun_addr_set(struct stun_addr *a, int family, const void *ip,
		   uint16_t port);

#endif /* MICE_STUN_H */
