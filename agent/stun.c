// SPDX-License-Identifier: GPL-2.0
/*
 * STUN message codec (RFC 8489) with the ICE attributes (RFC 8445 s.16.1).
 * See stun.h for the choices (limits, credentials). HMAC comes from
 * OpenSSL, CRC-32 from zlib; nothing here is hand-written crypto.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <zlib.h>

#include "stun.h"

/* ---- byte helpers ---- */

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static uint32_t rd32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	       ((uint32_t)p[2] << 8) | p[3];
}

static void wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void wr32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static size_t pad4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

static uint32_t fingerprint_of(const uint8_t *p, size_t n)
{
	/* RFC 8489 s.14.7: CRC-32 (ITU V.42, zlib's) XOR 0x5354554e. */
	return (uint32_t)crc32(0L, p, (uInt)n) ^ STUN_FINGERPRINT_XOR;
}

/* ---- message type, RFC 8489 s.5 Figure 3:
 *   M11 M10 M9 M8 M7 C1 M6 M5 M4 C0 M3 M2 M1 M0 ---- */

uint16_t stun_msg_type(uint16_t method, enum stun_class cls)
{
	unsigned int m = method & STUN_METHOD_MAX, c = (unsigned int)cls & 3;

	return (uint16_t)((m & 0x000F) | ((m & 0x0070) << 1) |
			  ((m & 0x0F80) << 2) | ((c & 1) << 4) |
			  ((c & 2) << 7));
}

uint16_t stun_type_method(uint16_t t)
{
	return (uint16_t)((t & 0x000F) | ((t >> 1) & 0x0070) |
			  ((t >> 2) & 0x0F80));
}

enum stun_class stun_type_class(uint16_t t)
{
	return (enum stun_class)(((t >> 4) & 1) | ((t >> 7) & 2));
}

/* ---- names ---- */

static const char *const err_names[STUN_E__COUNT] = {
	[STUN_OK] = "ok",
	[STUN_E_ARG] = "bad argument",
	[STUN_E_TOO_SHORT] = "shorter than the 20-byte header",
	[STUN_E_TOO_LONG] = "longer than the 1500-byte limit",
	[STUN_E_TOP_BITS] = "two most significant bits not zero",
	[STUN_E_BAD_COOKIE] = "magic cookie is not 0x2112A442",
	[STUN_E_LEN_UNALIGNED] = "length field not a multiple of 4",
	[STUN_E_LEN_MISMATCH] = "length field does not match the datagram",
	[STUN_E_ATTR_OVERRUN] = "attribute runs past the end of the message",
	[STUN_E_ATTR_LEN] = "attribute length invalid for its type",
	[STUN_E_ATTR_VALUE] = "attribute value invalid",
	[STUN_E_BAD_FAMILY] = "address family is not IPv4 (1) or IPv6 (2)",
	[STUN_E_TOO_MANY_ATTRS] = "too many attributes",
	[STUN_E_FP_NOT_LAST] = "FINGERPRINT is not the last attribute",
	[STUN_E_FP_BAD] = "FINGERPRINT does not match",
	[STUN_E_AFTER_MI] = "attribute after MESSAGE-INTEGRITY other than "
			    "MESSAGE-INTEGRITY-SHA256 or FINGERPRINT",
	[STUN_E_AFTER_MI256] = "attribute after MESSAGE-INTEGRITY-SHA256 "
			       "other than FINGERPRINT",
	[STUN_E_NOSPACE] = "buffer too small",
	[STUN_E_ORDER] = "attribute not allowed after integrity/fingerprint",
	[STUN_E_CRYPTO] = "crypto library failure",
};

const char *stun_err_str(enum stun_err e)
{
	if ((unsigned int)e >= STUN_E__COUNT)
		return "unknown error";
	return err_names[e];
}

const char *stun_class_name(enum stun_class c)
{
	switch (c) {
	case STUN_REQUEST: return "request";
	case STUN_INDICATION: return "indication";
	case STUN_SUCCESS: return "success response";
	case STUN_ERROR: return "error response";
	}
	return "?";
}

const char *stun_method_name(uint16_t method)
{
	return method == STUN_METHOD_BINDING ? "Binding" : "unknown-method";
}

const char *stun_attr_name(uint16_t type)
{
	switch (type) {
	case STUN_ATTR_MAPPED_ADDRESS: return "MAPPED-ADDRESS";
	case STUN_ATTR_USERNAME: return "USERNAME";
	case STUN_ATTR_MESSAGE_INTEGRITY: return "MESSAGE-INTEGRITY";
	case STUN_ATTR_ERROR_CODE: return "ERROR-CODE";
	case STUN_ATTR_UNKNOWN_ATTRIBUTES: return "UNKNOWN-ATTRIBUTES";
	case STUN_ATTR_REALM: return "REALM";
	case STUN_ATTR_NONCE: return "NONCE";
	case STUN_ATTR_MESSAGE_INTEGRITY_SHA256:
		return "MESSAGE-INTEGRITY-SHA256";
	case STUN_ATTR_PASSWORD_ALGORITHM: return "PASSWORD-ALGORITHM";
	case STUN_ATTR_USERHASH: return "USERHASH";
	case STUN_ATTR_XOR_MAPPED_ADDRESS: return "XOR-MAPPED-ADDRESS";
	case STUN_ATTR_PRIORITY: return "PRIORITY";
	case STUN_ATTR_USE_CANDIDATE: return "USE-CANDIDATE";
	case STUN_ATTR_PASSWORD_ALGORITHMS: return "PASSWORD-ALGORITHMS";
	case STUN_ATTR_ALTERNATE_DOMAIN: return "ALTERNATE-DOMAIN";
	case STUN_ATTR_SOFTWARE: return "SOFTWARE";
	case STUN_ATTR_ALTERNATE_SERVER: return "ALTERNATE-SERVER";
	case STUN_ATTR_FINGERPRINT: return "FINGERPRINT";
	case STUN_ATTR_ICE_CONTROLLED: return "ICE-CONTROLLED";
	case STUN_ATTR_ICE_CONTROLLING: return "ICE-CONTROLLING";
	}
	return type < 0x8000 ? "unknown-required" : "unknown-optional";
}

const char *stun_integrity_str(enum stun_integrity r)
{
	switch (r) {
	case STUN_INTEGRITY_OK: return "ok";
	case STUN_INTEGRITY_ABSENT: return "absent";
	case STUN_INTEGRITY_BAD: return "bad";
	case STUN_INTEGRITY_ERROR: return "error";
	}
	return "?";
}

/* ---- addresses ---- */

void stun_addr_set(struct stun_addr *a, int family, const void *ip,
		   uint16_t port)
{
	memset(a, 0, sizeof(*a));
	a->family = (uint8_t)family;
	a->port = port;
	if (family == AF_INET)
		memcpy(a->ip, ip, 4);
	else if (family == AF_INET6)
		memcpy(a->ip, ip, 16);
}

const char *stun_addr_str(const struct stun_addr *a, char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN];

	if (!buf || len == 0)
		return "";
	if (!a || (a->family != AF_INET && a->family != AF_INET6) ||
	    !inet_ntop(a->family, a->ip, ip, sizeof(ip))) {
		snprintf(buf, len, "-");
		return buf;
	}
	if (a->family == AF_INET)
		snprintf(buf, len, "%s:%u", ip, a->port);
	else
		snprintf(buf, len, "[%s]:%u", ip, a->port);
	return buf;
}

/* MAPPED-ADDRESS (s.14.1) / XOR-MAPPED-ADDRESS (s.14.2) value. The first
 * byte is reserved and ignored by receivers. */
static enum stun_err decode_addr(const uint8_t *v, uint16_t len, bool xor,
				 const uint8_t *tid, struct stun_addr *out)
{
	uint8_t mask[16];
	unsigned int i, n;

	if (len < 4)
		return STUN_E_ATTR_LEN;
	if (v[1] == 0x01) {
		if (len != 8)
			return STUN_E_ATTR_LEN;
		n = 4;
		out->family = AF_INET;
	} else if (v[1] == 0x02) {
		if (len != 20)
			return STUN_E_ATTR_LEN;
		n = 16;
		out->family = AF_INET6;
	} else {
		return STUN_E_BAD_FAMILY;
	}
	wr32(mask, STUN_MAGIC_COOKIE);
	memcpy(mask + 4, tid, STUN_TID_LEN);
	out->port = rd16(v + 2);
	if (xor)
		out->port ^= (uint16_t)(STUN_MAGIC_COOKIE >> 16);
	memset(out->ip, 0, sizeof(out->ip));
	for (i = 0; i < n; i++)
		out->ip[i] = xor ? v[4 + i] ^ mask[i] : v[4 + i];
	return STUN_OK;
}

enum stun_err stun_attr_xor_addr(const struct stun_msg *m,
				 const struct stun_attr_ref *a,
				 struct stun_addr *out)
{
	if (!m || !a || !out)
		return STUN_E_ARG;
	return decode_addr(m->buf + a->off, a->len, true, m->tid, out);
}

/* ---- decoder ---- */

bool stun_looks_like(const uint8_t *buf, size_t len)
{
	uint16_t mlen;

	if (!buf || len < STUN_HDR_LEN || len > STUN_MAX_MSG)
		return false;
	mlen = rd16(buf + 2);
	return (buf[0] & 0xC0) == 0 && rd32(buf + 4) == STUN_MAGIC_COOKIE &&
	       (mlen & 3) == 0 && (size_t)mlen + STUN_HDR_LEN == len;
}

static int known_slot(uint16_t type)
{
	switch (type) {
	case STUN_ATTR_MAPPED_ADDRESS: return STUN_K_MAPPED_ADDRESS;
	case STUN_ATTR_XOR_MAPPED_ADDRESS: return STUN_K_XOR_MAPPED_ADDRESS;
	case STUN_ATTR_USERNAME: return STUN_K_USERNAME;
	case STUN_ATTR_MESSAGE_INTEGRITY: return STUN_K_MESSAGE_INTEGRITY;
	case STUN_ATTR_MESSAGE_INTEGRITY_SHA256:
		return STUN_K_MESSAGE_INTEGRITY_SHA256;
	case STUN_ATTR_FINGERPRINT: return STUN_K_FINGERPRINT;
	case STUN_ATTR_ERROR_CODE: return STUN_K_ERROR_CODE;
	case STUN_ATTR_UNKNOWN_ATTRIBUTES: return STUN_K_UNKNOWN_ATTRIBUTES;
	case STUN_ATTR_SOFTWARE: return STUN_K_SOFTWARE;
	case STUN_ATTR_PRIORITY: return STUN_K_PRIORITY;
	case STUN_ATTR_USE_CANDIDATE: return STUN_K_USE_CANDIDATE;
	case STUN_ATTR_ICE_CONTROLLED: return STUN_K_ICE_CONTROLLED;
	case STUN_ATTR_ICE_CONTROLLING: return STUN_K_ICE_CONTROLLING;
	}
	return -1;
}

static bool opt_known(const struct stun_decode_opts *o, uint16_t type)
{
	size_t i;

	if (!o || !o->known_types)
		return false;
	for (i = 0; i < o->n_known_types; i++)
		if (o->known_types[i] == type)
			return true;
	return false;
}

/* Checks one attribute's length/value for its type and, on its first
 * occurrence (@first), stores the decoded value. */
static enum stun_err check_attr(struct stun_msg *m, uint16_t type,
				const uint8_t *v, uint16_t len, bool first)
{
	struct stun_addr tmp;
	enum stun_err e;
	unsigned int cls, num;

	switch (type) {
	case STUN_ATTR_MAPPED_ADDRESS:		/* s.14.1 */
		e = decode_addr(v, len, false, m->tid, &tmp);
		if (e == STUN_OK && first)
			m->mapped = tmp;
		return e;
	case STUN_ATTR_XOR_MAPPED_ADDRESS:	/* s.14.2 */
		e = decode_addr(v, len, true, m->tid, &tmp);
		if (e == STUN_OK && first)
			m->xor_mapped = tmp;
		return e;
	case STUN_ATTR_USERNAME:		/* s.14.3 */
		if (len > STUN_USERNAME_RECV_MAX)
			return STUN_E_ATTR_LEN;
		if (first) {
			m->username = (const char *)v;
			m->username_len = len;
		}
		return STUN_OK;
	case STUN_ATTR_MESSAGE_INTEGRITY:	/* s.14.5: 20 bytes */
		return len == STUN_MI_LEN ? STUN_OK : STUN_E_ATTR_LEN;
	case STUN_ATTR_MESSAGE_INTEGRITY_SHA256:
		/* s.14.6: at least 16, at most 32, a multiple of 4 */
		if (len < STUN_MI256_MIN_LEN || len > STUN_MI256_LEN ||
		    (len & 3))
			return STUN_E_ATTR_LEN;
		return STUN_OK;
	case STUN_ATTR_FINGERPRINT:		/* s.14.7: 32 bits */
		return len == 4 ? STUN_OK : STUN_E_ATTR_LEN;
	case STUN_ATTR_ERROR_CODE:
		/* s.14.8: 21 reserved bits, Class (3 bits, 3..6),
		 * Number (8 bits, 0..99), reason <= 763 bytes */
		if (len < 4 || len > 4 + STUN_REASON_MAX)
			return STUN_E_ATTR_LEN;
		cls = v[2] & 0x07;
		num = v[3];
		if (cls < 3 || cls > 6 || num > 99)
			return STUN_E_ATTR_VALUE;
		if (first) {
			m->error_code = (int)(cls * 100 + num);
			m->reason = (const char *)v + 4;
			m->reason_len = (uint16_t)(len - 4);
		}
		return STUN_OK;
	case STUN_ATTR_UNKNOWN_ATTRIBUTES:	/* s.14.9: 16-bit values */
		return (len & 1) ? STUN_E_ATTR_LEN : STUN_OK;
	case STUN_ATTR_SOFTWARE:		/* s.14.10 */
		if (len > STUN_SOFTWARE_MAX)
			return STUN_E_ATTR_LEN;
		if (first) {
			m->software = (const char *)v;
			m->software_len = len;
		}
		return STUN_OK;
	case STUN_ATTR_PRIORITY:		/* RFC 8445 s.16.1: 32 bits */
		if (len != 4)
			return STUN_E_ATTR_LEN;
		if (first)
			m->priority = rd32(v);
		return STUN_OK;
	case STUN_ATTR_USE_CANDIDATE:		/* RFC 8445 s.16.1: empty */
		return len == 0 ? STUN_OK : STUN_E_ATTR_LEN;
	case STUN_ATTR_ICE_CONTROLLED:		/* RFC 8445 s.16.1: 64 bits */
	case STUN_ATTR_ICE_CONTROLLING:
		if (len != 8)
			return STUN_E_ATTR_LEN;
		if (first && m->idx[STUN_K_ICE_CONTROLLED] < 0 &&
		    m->idx[STUN_K_ICE_CONTROLLING] < 0)
			m->tiebreaker = ((uint64_t)rd32(v) << 32) | rd32(v + 4);
		return STUN_OK;
	}
	return STUN_OK;
}

static enum stun_err reject(struct stun_msg *m, enum stun_err e,
			    uint16_t attr, size_t off)
{
	m->err = e;
	m->err_attr = attr;
	m->err_off = (uint16_t)off;
	return e;
}

enum stun_err stun_decode(const uint8_t *buf, size_t len, struct stun_msg *m,
			  const struct stun_decode_opts *opts)
{
	enum { OPEN, AFTER_MI, AFTER_MI256, AFTER_FP } stage = OPEN;
	size_t off, end;
	unsigned int i;
	uint16_t mlen;

	if (!m)
		return STUN_E_ARG;
	memset(m, 0, sizeof(*m));
	for (i = 0; i < STUN_K__COUNT; i++)
		m->idx[i] = -1;
	if (!buf)
		return reject(m, STUN_E_ARG, 0, 0);
	/* RFC 8489 s.6.3: header checks first. */
	if (len < STUN_HDR_LEN)
		return reject(m, STUN_E_TOO_SHORT, 0, 0);
	if (len > STUN_MAX_MSG)
		return reject(m, STUN_E_TOO_LONG, 0, 0);
	if (buf[0] & 0xC0)			/* s.5 */
		return reject(m, STUN_E_TOP_BITS, 0, 0);
	if (rd32(buf + 4) != STUN_MAGIC_COOKIE)	/* s.5 */
		return reject(m, STUN_E_BAD_COOKIE, 0, 4);
	mlen = rd16(buf + 2);
	if (mlen & 3)				/* s.5: last 2 bits zero */
		return reject(m, STUN_E_LEN_UNALIGNED, 0, 2);
	if ((size_t)mlen + STUN_HDR_LEN != len)
		return reject(m, STUN_E_LEN_MISMATCH, 0, 2);

	m->buf = buf;
	m->len = len;
	m->type = rd16(buf);
	m->method = stun_type_method(m->type);
	m->cls = stun_type_class(m->type);
	memcpy(m->tid, buf + 8, STUN_TID_LEN);

	end = len;
	for (off = STUN_HDR_LEN; off < end;) {
		uint16_t type, alen;
		enum stun_err e;
		int slot;
		bool first;

		if (end - off < 4)
			return reject(m, STUN_E_ATTR_OVERRUN, 0, off);
		type = rd16(buf + off);
		alen = rd16(buf + off + 2);
		if ((size_t)alen > end - off - 4)
			return reject(m, STUN_E_ATTR_OVERRUN, type, off);
		/* s.14.7: FINGERPRINT is last. s.14.5/s.14.6: only
		 * MI-SHA256 and FINGERPRINT may follow MI, only FINGERPRINT
		 * MI-SHA256. The RFC has receivers ignore such trailing
		 * attributes; no conforming sender emits them, so we reject
		 * the message outright rather than carry attributes the
		 * integrity does not cover. */
		if (stage == AFTER_FP)
			return reject(m, STUN_E_FP_NOT_LAST, type, off);
		if (stage == AFTER_MI256 && type != STUN_ATTR_FINGERPRINT)
			return reject(m, STUN_E_AFTER_MI256, type, off);
		if (stage == AFTER_MI && type != STUN_ATTR_FINGERPRINT &&
		    type != STUN_ATTR_MESSAGE_INTEGRITY_SHA256)
			return reject(m, STUN_E_AFTER_MI, type, off);
		if (m->nattrs >= STUN_MAX_ATTRS)
			return reject(m, STUN_E_TOO_MANY_ATTRS, type, off);

		slot = known_slot(type);
		first = slot >= 0 && m->idx[slot] < 0;
		e = check_attr(m, type, buf + off + 4, alen, first);
		if (e != STUN_OK)
			return reject(m, e, type, off);
		if (type == STUN_ATTR_FINGERPRINT &&
		    rd32(buf + off + 4) != fingerprint_of(buf, off))
			return reject(m, STUN_E_FP_BAD, type, off);

		m->attrs[m->nattrs].type = type;
		m->attrs[m->nattrs].len = alen;
		m->attrs[m->nattrs].off = (uint16_t)(off + 4);
		if (first)
			m->idx[slot] = (int)m->nattrs;
		m->nattrs++;

		if (slot < 0 && type < 0x8000 && !opt_known(opts, type)) {
			/* comprehension-required and unknown: s.6.3.1.1 */
			for (i = 0; i < m->n_unknown; i++)
				if (m->unknown[i] == type)
					break;
			if (i == m->n_unknown)
				m->unknown[m->n_unknown++] = type;
		}

		if (type == STUN_ATTR_MESSAGE_INTEGRITY)
			stage = AFTER_MI;
		else if (type == STUN_ATTR_MESSAGE_INTEGRITY_SHA256)
			stage = AFTER_MI256;
		else if (type == STUN_ATTR_FINGERPRINT)
			stage = AFTER_FP;
		/* end is 20 + a multiple of 4 and off is aligned, so the
		 * padded value fits too. */
		off += 4 + pad4(alen);
	}
	m->err = STUN_OK;
	return STUN_OK;
}

const struct stun_attr_ref *stun_msg_get(const struct stun_msg *m,
					 uint16_t type)
{
	unsigned int i;

	if (!m)
		return NULL;
	for (i = 0; i < m->nattrs; i++)
		if (m->attrs[i].type == type)
			return &m->attrs[i];
	return NULL;
}

/* ---- integrity ---- */

/* HMAC over @msg[0..aoff) with the header length set to @patched_len
 * (s.14.5: "adjusted to point to the end of the MESSAGE-INTEGRITY"). */
static bool mac_prefix(const EVP_MD *md, const uint8_t *key, size_t keylen,
		       const uint8_t *msg, size_t aoff, uint16_t patched_len,
		       uint8_t *out, unsigned int *outlen)
{
	static const uint8_t nokey;
	uint8_t tmp[STUN_MAX_MSG];

	if (aoff > sizeof(tmp) || aoff < STUN_HDR_LEN || keylen > INT32_MAX)
		return false;
	memcpy(tmp, msg, aoff);
	wr16(tmp + 2, patched_len);
	return HMAC(md, key ? key : &nokey, (int)keylen, tmp, aoff, out,
		    outlen) != NULL;
}

enum stun_integrity stun_check_integrity(const uint8_t *msg, size_t len,
					 const struct stun_msg *p,
					 const uint8_t *key, size_t keylen)
{
	uint8_t mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;
	bool bad = false;
	int i;

	if (!msg || !p || (!key && keylen) || p->err != STUN_OK ||
	    p->buf != msg || p->len != len)
		return STUN_INTEGRITY_ERROR;
	if (p->idx[STUN_K_MESSAGE_INTEGRITY] < 0 &&
	    p->idx[STUN_K_MESSAGE_INTEGRITY_SHA256] < 0)
		return STUN_INTEGRITY_ABSENT;

	i = p->idx[STUN_K_MESSAGE_INTEGRITY];
	if (i >= 0) {
		const struct stun_attr_ref *a = &p->attrs[i];
		size_t aoff = a->off - 4u;

		if (!mac_prefix(EVP_sha1(), key, keylen, msg, aoff,
				(uint16_t)(aoff + 4 + STUN_MI_LEN -
					   STUN_HDR_LEN), mac, &maclen) ||
		    maclen != STUN_MI_LEN || a->len != STUN_MI_LEN)
			return STUN_INTEGRITY_ERROR;
		if (CRYPTO_memcmp(mac, msg + a->off, STUN_MI_LEN) != 0)
			bad = true;
	}
	i = p->idx[STUN_K_MESSAGE_INTEGRITY_SHA256];
	if (i >= 0) {
		const struct stun_attr_ref *a = &p->attrs[i];
		size_t aoff = a->off - 4u;

		/* s.14.6: a truncated value compares the leftmost bytes */
		if (!mac_prefix(EVP_sha256(), key, keylen, msg, aoff,
				(uint16_t)(aoff + 4 + a->len - STUN_HDR_LEN),
				mac, &maclen) ||
		    maclen != STUN_MI256_LEN || a->len > STUN_MI256_LEN)
			return STUN_INTEGRITY_ERROR;
		if (CRYPTO_memcmp(mac, msg + a->off, a->len) != 0)
			bad = true;
	}
	OPENSSL_cleanse(mac, sizeof(mac));
	return bad ? STUN_INTEGRITY_BAD : STUN_INTEGRITY_OK;
}

/* ---- builder ---- */

enum { ST_OPEN, ST_MI, ST_MI256, ST_FP };

void stun_random_tid(uint8_t tid[STUN_TID_LEN])
{
	if (RAND_bytes(tid, STUN_TID_LEN) != 1) {
		/* Never send a predictable ID; abort is the honest answer
		 * to a broken CSPRNG. */
		fprintf(stderr, "mice: RAND_bytes failed\n");
		abort();
	}
}

static enum stun_err fail(struct stun_builder *b, enum stun_err e)
{
	if (b->err == STUN_OK)
		b->err = e;
	return e;
}

enum stun_err stun_build_init(struct stun_builder *b, uint8_t *buf, size_t cap,
			      uint16_t method, enum stun_class cls,
			      const uint8_t *tid)
{
	if (!b)
		return STUN_E_ARG;
	memset(b, 0, sizeof(*b));
	if (!buf || method > STUN_METHOD_MAX || (unsigned int)cls > 3)
		return fail(b, STUN_E_ARG);
	b->buf = buf;
	/* Never produce what our own decoder would refuse. */
	b->cap = cap > STUN_MAX_MSG ? STUN_MAX_MSG : cap;
	if (b->cap < STUN_HDR_LEN)
		return fail(b, STUN_E_NOSPACE);
	wr16(buf, stun_msg_type(method, cls));
	wr16(buf + 2, 0);
	wr32(buf + 4, STUN_MAGIC_COOKIE);
	if (tid)
		memcpy(buf + 8, tid, STUN_TID_LEN);
	else
		stun_random_tid(buf + 8);
	b->len = STUN_HDR_LEN;
	return STUN_OK;
}

/* Reserves an attribute of @vlen value bytes (zero padding written) and
 * returns a pointer to its value, or NULL. @max_stage: the latest stage at
 * which this attribute may still be appended. */
static uint8_t *reserve(struct stun_builder *b, uint16_t type, size_t vlen,
			int max_stage)
{
	size_t need = 4 + pad4(vlen);
	uint8_t *p;

	if (!b || !b->buf)
		return NULL;
	if (b->err != STUN_OK)
		return NULL;
	if (b->stage > max_stage) {
		fail(b, STUN_E_ORDER);
		return NULL;
	}
	if (vlen > 0xFFFF) {
		fail(b, STUN_E_ARG);
		return NULL;
	}
	if (need > b->cap - b->len) {
		fail(b, STUN_E_NOSPACE);
		return NULL;
	}
	p = b->buf + b->len;
	wr16(p, type);
	wr16(p + 2, (uint16_t)vlen);
	memset(p + 4, 0, pad4(vlen));		/* s.14: zero padding */
	b->len += need;
	wr16(b->buf + 2, (uint16_t)(b->len - STUN_HDR_LEN));
	return p + 4;
}

static enum stun_err result(const struct stun_builder *b)
{
	return b ? (b->err != STUN_OK ? b->err : STUN_OK) : STUN_E_ARG;
}

enum stun_err stun_build_attr(struct stun_builder *b, uint16_t type,
			      const void *val, size_t len)
{
	uint8_t *p;

	if (!b)
		return STUN_E_ARG;
	/* The integrity and fingerprint attributes have their own calls,
	 * which compute them and keep the order rules. */
	if (type == STUN_ATTR_MESSAGE_INTEGRITY ||
	    type == STUN_ATTR_MESSAGE_INTEGRITY_SHA256 ||
	    type == STUN_ATTR_FINGERPRINT || (!val && len))
		return fail(b, STUN_E_ARG);
	p = reserve(b, type, len, ST_OPEN);
	if (p && len)
		memcpy(p, val, len);
	return result(b);
}

enum stun_err stun_build_u32(struct stun_builder *b, uint16_t type,
			     uint32_t v)
{
	uint8_t raw[4];

	wr32(raw, v);
	return stun_build_attr(b, type, raw, sizeof(raw));
}

enum stun_err stun_build_u64(struct stun_builder *b, uint16_t type,
			     uint64_t v)
{
	uint8_t raw[8];

	wr32(raw, (uint32_t)(v >> 32));
	wr32(raw + 4, (uint32_t)v);
	return stun_build_attr(b, type, raw, sizeof(raw));
}

static enum stun_err build_addr(struct stun_builder *b, uint16_t type,
				const struct stun_addr *a, bool xor)
{
	uint8_t raw[20], mask[16];
	unsigned int i, n;
	uint16_t port;

	if (!b)
		return STUN_E_ARG;
	if (b->err != STUN_OK)
		return b->err;
	if (!a)
		return fail(b, STUN_E_ARG);
	if (a->family == AF_INET)
		n = 4;
	else if (a->family == AF_INET6)
		n = 16;
	else
		return fail(b, STUN_E_ARG);
	wr32(mask, STUN_MAGIC_COOKIE);
	memcpy(mask + 4, b->buf + 8, STUN_TID_LEN);	/* s.14.2 */
	port = a->port;
	if (xor)
		port ^= (uint16_t)(STUN_MAGIC_COOKIE >> 16);
	raw[0] = 0;
	raw[1] = n == 4 ? 0x01 : 0x02;
	wr16(raw + 2, port);
	for (i = 0; i < n; i++)
		raw[4 + i] = xor ? a->ip[i] ^ mask[i] : a->ip[i];
	return stun_build_attr(b, type, raw, 4 + n);
}

enum stun_err stun_build_addr(struct stun_builder *b, uint16_t type,
			      const struct stun_addr *a)
{
	return build_addr(b, type, a, false);
}

enum stun_err stun_build_xor_addr(struct stun_builder *b, uint16_t type,
				  const struct stun_addr *a)
{
	return build_addr(b, type, a, true);
}

enum stun_err stun_build_username(struct stun_builder *b, const char *user)
{
	if (!b)
		return STUN_E_ARG;
	if (!user || strlen(user) > STUN_USERNAME_SEND_MAX)	/* s.14.3 */
		return fail(b, STUN_E_ARG);
	return stun_build_attr(b, STUN_ATTR_USERNAME, user, strlen(user));
}

enum stun_err stun_build_software(struct stun_builder *b, const char *sw)
{
	if (!b)
		return STUN_E_ARG;
	if (!sw || strlen(sw) > STUN_SOFTWARE_MAX)		/* s.14.10 */
		return fail(b, STUN_E_ARG);
	return stun_build_attr(b, STUN_ATTR_SOFTWARE, sw, strlen(sw));
}

enum stun_err stun_build_error_code(struct stun_builder *b, int code,
				    const char *reason)
{
	uint8_t raw[4 + STUN_REASON_MAX];
	size_t rlen;

	if (!b)
		return STUN_E_ARG;
	if (!reason)
		reason = "";
	rlen = strlen(reason);
	/* s.14.8: class 3..6, number 0..99, reason <= 763 bytes */
	if (code < 300 || code > 699 || rlen > STUN_REASON_MAX)
		return fail(b, STUN_E_ARG);
	raw[0] = 0;
	raw[1] = 0;
	raw[2] = (uint8_t)(code / 100);
	raw[3] = (uint8_t)(code % 100);
	memcpy(raw + 4, reason, rlen);
	return stun_build_attr(b, STUN_ATTR_ERROR_CODE, raw, 4 + rlen);
}

enum stun_err stun_build_unknown_attrs(struct stun_builder *b,
				       const uint16_t *types, size_t n)
{
	uint8_t *p;
	size_t i;

	if (!b)
		return STUN_E_ARG;
	if ((!types && n) || n > STUN_MAX_ATTRS)
		return fail(b, STUN_E_ARG);
	p = reserve(b, STUN_ATTR_UNKNOWN_ATTRIBUTES, 2 * n, ST_OPEN);
	for (i = 0; p && i < n; i++)
		wr16(p + 2 * i, types[i]);
	return result(b);
}

enum stun_err stun_build_priority(struct stun_builder *b, uint32_t prio)
{
	return stun_build_u32(b, STUN_ATTR_PRIORITY, prio);
}

enum stun_err stun_build_use_candidate(struct stun_builder *b)
{
	return stun_build_attr(b, STUN_ATTR_USE_CANDIDATE, NULL, 0);
}

enum stun_err stun_build_ice_controlled(struct stun_builder *b, uint64_t tb)
{
	return stun_build_u64(b, STUN_ATTR_ICE_CONTROLLED, tb);
}

enum stun_err stun_build_ice_controlling(struct stun_builder *b, uint64_t tb)
{
	return stun_build_u64(b, STUN_ATTR_ICE_CONTROLLING, tb);
}

static enum stun_err build_mac(struct stun_builder *b, const EVP_MD *md,
			       uint16_t type, size_t maclen, int max_stage,
			       int new_stage, const uint8_t *key,
			       size_t keylen)
{
	uint8_t mac[EVP_MAX_MD_SIZE];
	unsigned int outlen = 0;
	size_t aoff;
	uint8_t *p;

	if (!b)
		return STUN_E_ARG;
	if (!key && keylen)
		return fail(b, STUN_E_ARG);
	if (b->err != STUN_OK)
		return b->err;
	aoff = b->len;
	/* reserve() sets the length field to end after this attribute,
	 * which is what the HMAC input needs (s.14.5, s.14.6). */
	p = reserve(b, type, maclen, max_stage);
	if (!p)
		return result(b);
	if (!mac_prefix(md, key, keylen, b->buf, aoff,
			(uint16_t)(b->len - STUN_HDR_LEN), mac, &outlen) ||
	    outlen != maclen) {
		OPENSSL_cleanse(mac, sizeof(mac));
		return fail(b, STUN_E_CRYPTO);
	}
	memcpy(p, mac, maclen);
	OPENSSL_cleanse(mac, sizeof(mac));
	b->stage = (uint8_t)new_stage;
	return STUN_OK;
}

enum stun_err stun_build_integrity(struct stun_builder *b, const uint8_t *key,
				   size_t keylen)
{
	return build_mac(b, EVP_sha1(), STUN_ATTR_MESSAGE_INTEGRITY,
			 STUN_MI_LEN, ST_OPEN, ST_MI, key, keylen);
}

enum stun_err stun_build_integrity_sha256(struct stun_builder *b,
					  const uint8_t *key, size_t keylen)
{
	return build_mac(b, EVP_sha256(), STUN_ATTR_MESSAGE_INTEGRITY_SHA256,
			 STUN_MI256_LEN, ST_MI, ST_MI256, key, keylen);
}

enum stun_err stun_build_fingerprint(struct stun_builder *b)
{
	size_t aoff;
	uint8_t *p;

	if (!b)
		return STUN_E_ARG;
	aoff = b->len;
	/* The length field covers the FINGERPRINT before the CRC is taken
	 * (s.14.7); reserve() has set it. */
	p = reserve(b, STUN_ATTR_FINGERPRINT, 4, ST_MI256);
	if (!p)
		return result(b);
	wr32(p, fingerprint_of(b->buf, aoff));
	b->stage = ST_FP;
	return STUN_OK;
}

size_t stun_build_len(const struct stun_builder *b)
{
	if (!b || b->err != STUN_OK || !b->buf)
		return 0;
	return b->len;
}
