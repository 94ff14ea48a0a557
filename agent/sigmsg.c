// SPDX-License-Identifier: GPL-2.0
#include <string.h>
#include <sys/socket.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "sigmsg.h"

const char *sig_kind_name(enum sig_kind k)
{
	switch (k) {
	case SIG_REGISTER: return "register";
	case SIG_REGISTERED: return "registered";
	case SIG_OFFER: return "offer";
	case SIG_ANSWER: return "answer";
	}
	return "?";
}

const char *sig_status_name(uint8_t status)
{
	switch (status) {
	case 0: return "accepted";
	case SIG_STATUS_PROHIBITED: return "administratively prohibited (not a node this home agent serves)";
	case SIG_STATUS_ID_MISMATCH: return "replayed or stale registration (RFC 4285 MIPV6-ID-MISMATCH)";
	case SIG_STATUS_AUTH_FAIL: return "authentication failed (RFC 4285 MIPV6-AUTH-FAIL: wrong or missing home-agent key)";
	}
	return status < 128 ? "accepted (unknown code)" : "refused (unknown code)";
}

static int add_mn_id(struct mh_msg *mh, uint8_t subtype, const char *name)
{
	uint8_t data[1 + SIG_NAME_MAX];
	size_t n = strlen(name);

	if (!n || n > SIG_NAME_MAX)
		return -1;
	data[0] = subtype;
	memcpy(data + 1, name, n);
	return mh_add_tlv(mh, SIG_OPT_MN_ID, data, (uint8_t)(n + 1));
}

static int add_timestamp(struct mh_msg *mh, uint64_t ts)
{
	uint8_t data[8];
	int i;

	for (i = 0; i < 8; i++)
		data[i] = (uint8_t)(ts >> (56 - 8 * i));
	return mh_add_tlv(mh, SIG_OPT_TIMESTAMP, data, 8);
}

/*
 * A transport address as options 251 and 252 carry it: family (4 or 6),
 * reserved, port, address. Returns its length (8 or 20), 0 if unusable.
 */
static size_t put_addr(uint8_t *data, const struct ice_addr *a)
{
	size_t n = a->family == AF_INET ? 4 : 16;

	if ((a->family != AF_INET && a->family != AF_INET6) || !a->port)
		return 0;
	data[0] = a->family == AF_INET ? 4 : 6;
	data[1] = 0;
	data[2] = (uint8_t)(a->port >> 8);
	data[3] = (uint8_t)a->port;
	memcpy(data + 4, a->ip, n);
	return 4 + n;
}

static int add_relay(struct mh_msg *mh, const struct ice_addr *a)
{
	uint8_t data[4 + 16];
	size_t n = put_addr(data, a);

	return n ? mh_add_tlv(mh, SIG_OPT_RELAY, data, (uint8_t)n) : -1;
}

/* The address at the start of @t's value; @extra octets may follow it. */
static int get_addr(const struct mh_tlv *t, size_t extra, struct ice_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (t->len == 8 + extra && t->data[0] == 4)
		a->family = AF_INET;
	else if (t->len == 20 + extra && t->data[0] == 6)
		a->family = AF_INET6;
	else
		return -1;
	a->port = (uint16_t)(t->data[2] << 8 | t->data[3]);
	memcpy(a->ip, t->data + 4, t->len - 4u - extra);
	return a->port ? 0 : -1;
}

static int get_relay(const struct mh_tlv *t, struct ice_addr *a)
{
	return get_addr(t, 0, a);
}

/* The option of @type in @mh, or NULL. */
static struct mh_tlv *find_tlv(struct mh_msg *mh, uint8_t type)
{
	unsigned int i;

	for (i = 0; i < mh->n_tlv; i++)
		if (mh->tlv[i].type == type)
			return &mh->tlv[i];
	return NULL;
}

/* Removes the options of @type, keeping the others' order (it is signed). */
static void drop_tlv(struct mh_msg *mh, uint8_t type)
{
	unsigned int i, k = 0;

	for (i = 0; i < mh->n_tlv; i++)
		if (mh->tlv[i].type != type)
			mh->tlv[k++] = mh->tlv[i];
	mh->n_tlv = k;
}

static int add_auth(struct mh_msg *mh, const uint8_t tag[SIG_AUTH_LEN])
{
	uint8_t data[1 + 4 + SIG_AUTH_LEN];

	data[0] = SIG_AUTH_SUBTYPE;
	data[1] = (uint8_t)(SIG_AUTH_SPI >> 24);
	data[2] = (uint8_t)(SIG_AUTH_SPI >> 16);
	data[3] = (uint8_t)(SIG_AUTH_SPI >> 8);
	data[4] = (uint8_t)SIG_AUTH_SPI;
	memcpy(data + 5, tag, SIG_AUTH_LEN);
	return mh_add_tlv(mh, SIG_OPT_AUTH, data, sizeof(data));
}

/* The authenticator TLV of @mh, or NULL. */
static struct mh_tlv *find_auth(struct mh_msg *mh)
{
	unsigned int i;

	for (i = 0; i < mh->n_tlv; i++)
		if (mh->tlv[i].type == SIG_OPT_AUTH &&
		    mh->tlv[i].len == 1 + 4 + SIG_AUTH_LEN)
			return &mh->tlv[i];
	return NULL;
}

/*
 * The Home Agent's tag on the address it saw an offer or answer come from
 * (option 252): HMAC-SHA256-128 under the target's MN-HA key over the
 * address part of the option and the message's end-to-end authenticator,
 * so that it vouches for this one message only.
 */
static int observed_tag(const uint8_t *addr, size_t addr_len,
			const uint8_t e2e[SIG_AUTH_LEN], const uint8_t *key,
			size_t keylen, uint8_t tag[SIG_AUTH_LEN])
{
	uint8_t in[20 + SIG_AUTH_LEN], md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	memcpy(in, addr, addr_len);
	memcpy(in + addr_len, e2e, SIG_AUTH_LEN);
	if (!HMAC(EVP_sha256(), key, (int)keylen, in, addr_len + SIG_AUTH_LEN,
		  md, &mdlen) || mdlen < SIG_AUTH_LEN)
		return -1;
	memcpy(tag, md, SIG_AUTH_LEN);
	OPENSSL_cleanse(md, sizeof(md));
	return 0;
}

/* @tag NULL: the registered BA's form, which the BA's authenticator covers. */
static int add_observed(struct mh_msg *mh, const struct ice_addr *a,
			const uint8_t *tag)
{
	uint8_t data[20 + SIG_AUTH_LEN];
	size_t n = put_addr(data, a);

	if (!n)
		return -1;
	if (tag) {
		memcpy(data + n, tag, SIG_AUTH_LEN);
		n += SIG_AUTH_LEN;
	}
	return mh_add_tlv(mh, SIG_OPT_OBSERVED, data, (uint8_t)n);
}

/*
 * HMAC-SHA256-128 over the encoding of @mh with its authenticator zeroed.
 * In an offer or answer (@relayed) the observed-address option is left
 * out: the Home Agent adds it on the way, under a key of its own.
 */
static int auth_tag(const struct mh_msg *mh_in, bool relayed,
		    const uint8_t *key, size_t keylen, uint8_t tag[SIG_AUTH_LEN])
{
	static struct mh_msg mh;
	uint8_t buf[MH_MAX_LEN], md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	struct mh_tlv *auth;
	size_t len;

	mh = *mh_in;
	if (relayed) {
		drop_tlv(&mh, SIG_OPT_OBSERVED);
		drop_tlv(&mh, SIG_OPT_HOP);
	}
	auth = find_auth(&mh);
	if (!auth)
		return -1;
	memset(auth->data + 5, 0, SIG_AUTH_LEN);
	if (mh_encode(&mh, buf, sizeof(buf), &len, NULL) != MH_OK)
		return -1;
	if (!HMAC(EVP_sha256(), key, (int)keylen, buf, len, md, &mdlen) ||
	    mdlen < SIG_AUTH_LEN)
		return -1;
	memcpy(tag, md, SIG_AUTH_LEN);
	OPENSSL_cleanse(md, sizeof(md));
	return 0;
}

int sig_encode(const struct sig_msg *m, const uint8_t *key, size_t keylen,
	       uint8_t *buf, size_t cap, size_t *len, const char **why)
{
	static struct mh_msg mh;
	uint8_t tag[SIG_AUTH_LEN] = { 0 };
	bool relayed = m->kind == SIG_OFFER || m->kind == SIG_ANSWER;
	bool authed = relayed || (key && keylen);
	struct mh_tlv *auth;

	*why = NULL;
	if (m->kind == SIG_REGISTER || m->kind == SIG_OFFER)
		mh_bu_init(&mh, m->seq, MH_BU_A | (m->kind == SIG_REGISTER ?
						   MH_BU_H : 0),
			   mh_lifetime_units(SIG_LIFETIME_S));
	else
		mh_ba_init(&mh, m->status, false, m->seq,
			   mh_lifetime_units(SIG_LIFETIME_S));
	if (m->from[0] && add_mn_id(&mh, SIG_MN_ID_NAI, m->from)) {
		*why = "bad source name";
		return -1;
	}
	if (m->mikey_len &&
	    (m->mikey_len > SIG_MIKEY_MAX ||
	     mh_add_tlv(&mh, SIG_OPT_MIKEY, m->mikey, (uint8_t)m->mikey_len))) {
		*why = "MIKEY message too large";
		return -1;
	}
	if (m->kind == SIG_REGISTERED && m->relay.family &&
	    ((m->relay.family != AF_INET && m->relay.family != AF_INET6) ||
	     !m->relay.port || add_relay(&mh, &m->relay))) {
		*why = "bad relayed address";
		return -1;
	}
	if (m->kind == SIG_REGISTERED && m->observed.family &&
	    add_observed(&mh, &m->observed, NULL)) {
		*why = "bad observed address";
		return -1;
	}
	if (relayed && (!key || !keylen)) {
		*why = "offers and answers need a key";
		return -1;
	}
	if (relayed && add_mn_id(&mh, SIG_MN_ID_TARGET, m->to)) {
		*why = "bad target name";
		return -1;
	}
	if (authed && (add_timestamp(&mh, m->timestamp) || add_auth(&mh, tag))) {
		*why = "too many options";
		return -1;
	}
	if (m->has_ice) {
		mh.has_ice = true;
		mh.ice = m->ice;
	}
	if (authed) {
		if (auth_tag(&mh, relayed, key, keylen, tag)) {
			*why = "cannot compute the authenticator";
			return -1;
		}
		auth = find_auth(&mh);
		memcpy(auth->data + 5, tag, SIG_AUTH_LEN);
	}
	if (mh_encode(&mh, buf, cap, len, NULL) != MH_OK) {
		*why = "message does not encode (too large?)";
		return -1;
	}
	return 0;
}

static void copy_name(char *dst, const struct mh_tlv *t)
{
	size_t n = t->len - 1u;

	if (n > SIG_NAME_MAX)
		n = SIG_NAME_MAX;
	memcpy(dst, t->data + 1, n);
	dst[n] = '\0';
}

int sig_decode(const uint8_t *buf, size_t len, unsigned int max_cand,
	       struct sig_msg *m, const char **why)
{
	static struct mh_msg mh;
	struct mipice_limits lim = { .max_cand = max_cand };
	enum mipice_err ierr = MIPICE_OK;
	enum mh_err err;
	unsigned int i;
	int k;

	memset(m, 0, sizeof(*m));
	err = mh_decode(buf, len, &lim, &mh, &ierr);
	if (err != MH_OK) {
		*why = err == MH_E_ICE ? mipice_strerror(ierr) : mh_strerror(err);
		return -1;
	}
	m->seq = mh.seq;
	m->status = mh.status;
	for (i = 0; i < mh.n_tlv; i++) {
		const struct mh_tlv *t = &mh.tlv[i];

		if (t->type == SIG_OPT_MN_ID && t->len >= 2) {
			for (k = 1; k < t->len; k++)
				if (t->data[k] < 0x21 || t->data[k] > 0x7e) {
					*why = "identifier is not printable";
					return -1;
				}
			if (t->data[0] == SIG_MN_ID_NAI)
				copy_name(m->from, t);
			else if (t->data[0] == SIG_MN_ID_TARGET)
				copy_name(m->to, t);
		} else if (t->type == SIG_OPT_MIKEY) {
			memcpy(m->mikey, t->data, t->len);
			m->mikey_len = t->len;
		} else if (t->type == SIG_OPT_RELAY) {
			if (get_relay(t, &m->relay)) {
				*why = "malformed relayed-address option";
				return -1;
			}
		} else if (t->type == SIG_OPT_OBSERVED) {
			if (m->observed.family) {
				*why = "more than one observed-address option";
				return -1;
			}
			if (get_addr(t, 0, &m->observed) &&
			    get_addr(t, SIG_AUTH_LEN, &m->observed)) {
				*why = "malformed observed-address option";
				return -1;
			}
			m->observed_tagged = t->len == 8 + SIG_AUTH_LEN ||
					     t->len == 20 + SIG_AUTH_LEN;
		} else if (t->type == SIG_OPT_HOP) {
			if (m->has_hop || t->len != SIG_HOP_LEN) {
				*why = "malformed or repeated hop authenticator";
				return -1;
			}
			for (k = 0; k < 8; k++)
				m->hop_seq = m->hop_seq << 8 | t->data[k];
			m->has_hop = true;
		} else if (t->type == SIG_OPT_TIMESTAMP && t->len == 8) {
			for (k = 0; k < 8; k++)
				m->timestamp = m->timestamp << 8 | t->data[k];
		}
	}
	if (mh.has_ice) {
		m->has_ice = true;
		m->ice = mh.ice;
	}
	if (mh.type == MH_TYPE_BU)
		m->kind = m->to[0] ? SIG_OFFER :
			  (mh.flags & MH_BU_H) ? SIG_REGISTER : SIG_OFFER;
	else
		m->kind = m->to[0] ? SIG_ANSWER : SIG_REGISTERED;
	if ((m->kind == SIG_OFFER || m->kind == SIG_ANSWER) &&
	    (!m->to[0] || !m->from[0] || !m->has_ice)) {
		*why = "offer/answer without source, target or MIP-ICE option";
		return -1;
	}
	/* the HA vouches for an address in relayed messages, signs it in a BA */
	if (m->observed.family &&
	    (m->observed_tagged ? m->kind != SIG_OFFER && m->kind != SIG_ANSWER :
	     m->kind != SIG_REGISTERED)) {
		*why = "observed-address option of the wrong form for this message";
		return -1;
	}
	if (m->has_hop && m->kind != SIG_OFFER && m->kind != SIG_ANSWER) {
		*why = "hop authenticator in a message that is not relayed";
		return -1;
	}
	if (m->kind == SIG_REGISTER && !m->from[0]) {
		*why = "registration without an identifier";
		return -1;
	}
	return 0;
}

int sig_verify(const uint8_t *buf, size_t len, unsigned int max_cand,
	       const uint8_t *key, size_t keylen, uint64_t now_s,
	       const char **why)
{
	static struct mh_msg mh;
	struct mipice_limits lim = { .max_cand = max_cand };
	uint8_t tag[SIG_AUTH_LEN];
	struct mh_tlv *auth;
	struct sig_msg m;

	if (sig_decode(buf, len, max_cand, &m, why))
		return -1;
	if (mh_decode(buf, len, &lim, &mh, NULL) != MH_OK) {
		*why = "does not decode";
		return -1;
	}
	auth = find_auth(&mh);
	if (!auth) {
		*why = "no authenticator";
		return -1;
	}
	if (auth->data[0] != SIG_AUTH_SUBTYPE ||
	    ((uint32_t)auth->data[1] << 24 | (uint32_t)auth->data[2] << 16 |
	     (uint32_t)auth->data[3] << 8 | auth->data[4]) != SIG_AUTH_SPI) {
		*why = "unknown authenticator subtype or SPI";
		return -1;
	}
	if (auth_tag(&mh, m.kind == SIG_OFFER || m.kind == SIG_ANSWER, key,
		     keylen, tag)) {
		*why = "cannot compute the authenticator";
		return -1;
	}
	if (CRYPTO_memcmp(tag, auth->data + 5, SIG_AUTH_LEN)) {
		*why = "authenticator does not match (wrong key or tampered)";
		return -1;
	}
	if (m.timestamp + SIG_MAX_SKEW_S < now_s ||
	    m.timestamp > now_s + SIG_MAX_SKEW_S) {
		*why = "timestamp outside the window (replay or clock skew)";
		return -1;
	}
	return 0;
}

/* Decodes a relayed message into @mh and copies its authenticator tag. */
static int decode_relayed(const uint8_t *buf, size_t len, unsigned int max_cand,
			  struct sig_msg *m, struct mh_msg *mh,
			  uint8_t e2e[SIG_AUTH_LEN], const char **why)
{
	struct mipice_limits lim = { .max_cand = max_cand };
	struct mh_tlv *auth;

	if (sig_decode(buf, len, max_cand, m, why))
		return -1;
	if (m->kind != SIG_OFFER && m->kind != SIG_ANSWER) {
		*why = "not an offer or answer";
		return -1;
	}
	if (mh_decode(buf, len, &lim, mh, NULL) != MH_OK) {
		*why = "does not decode";
		return -1;
	}
	auth = find_auth(mh);
	if (!auth) {
		*why = "no authenticator";
		return -1;
	}
	memcpy(e2e, auth->data + 5, SIG_AUTH_LEN);
	return 0;
}

int sig_set_observed(const uint8_t *in, size_t len, unsigned int max_cand,
		     const struct ice_addr *obs, const uint8_t *key,
		     size_t keylen, uint8_t *out, size_t cap, size_t *outlen,
		     const char **why)
{
	static struct mh_msg mh;
	uint8_t e2e[SIG_AUTH_LEN], tag[SIG_AUTH_LEN] = { 0 }, addr[20];
	struct sig_msg m;
	size_t n;

	*why = NULL;
	if (decode_relayed(in, len, max_cand, &m, &mh, e2e, why))
		return -1;
	drop_tlv(&mh, SIG_OPT_OBSERVED);
	drop_tlv(&mh, SIG_OPT_HOP);
	if (obs && obs->family) {
		n = put_addr(addr, obs);
		if (!n) {
			*why = "bad observed address";
			return -1;
		}
		if (key && observed_tag(addr, n, e2e, key, keylen, tag)) {
			*why = "cannot compute the observed-address tag";
			return -1;
		}
		if (add_observed(&mh, obs, tag)) {
			*why = "too many options";
			return -1;
		}
	}
	if (mh_encode(&mh, out, cap, outlen, NULL) != MH_OK) {
		*why = "message does not encode (too large?)";
		return -1;
	}
	return 0;
}

int sig_observed_verify(const uint8_t *buf, size_t len, unsigned int max_cand,
			const uint8_t *key, size_t keylen,
			struct ice_addr *obs, const char **why)
{
	static struct mh_msg mh;
	uint8_t e2e[SIG_AUTH_LEN], tag[SIG_AUTH_LEN];
	const struct mh_tlv *t;
	struct sig_msg m;
	size_t n;

	*why = NULL;
	if (decode_relayed(buf, len, max_cand, &m, &mh, e2e, why))
		return -1;
	t = find_tlv(&mh, SIG_OPT_OBSERVED);
	if (!t || !m.observed.family) {
		*why = "no observed address";
		return -1;
	}
	n = t->len - SIG_AUTH_LEN;
	if (!key || !keylen || observed_tag(t->data, n, e2e, key, keylen, tag) ||
	    CRYPTO_memcmp(tag, t->data + n, SIG_AUTH_LEN)) {
		*why = "observed address not vouched for under our home-agent key";
		return -1;
	}
	/* the address under the tag just checked (sig_decode allows one) */
	return get_addr(t, SIG_AUTH_LEN, obs);
}

/* The hop tag of @mh, whose hop option @hop holds a zeroed tag. */
static int hop_tag(const struct mh_msg *mh, const uint8_t *key, size_t keylen,
		   uint8_t tag[SIG_AUTH_LEN])
{
	static const char label[] = "mice-hop";
	uint8_t buf[sizeof(label) - 1 + MH_MAX_LEN], md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	size_t len;

	/* the label keeps a hop tag apart from any other tag under this key */
	memcpy(buf, label, sizeof(label) - 1);
	if (!key || !keylen ||
	    mh_encode(mh, buf + sizeof(label) - 1, MH_MAX_LEN, &len, NULL) != MH_OK)
		return -1;
	if (!HMAC(EVP_sha256(), key, (int)keylen, buf, sizeof(label) - 1 + len,
		  md, &mdlen) || mdlen < SIG_AUTH_LEN)
		return -1;
	memcpy(tag, md, SIG_AUTH_LEN);
	OPENSSL_cleanse(md, sizeof(md));
	return 0;
}

int sig_hop_sign(const uint8_t *in, size_t len, unsigned int max_cand,
		 uint64_t seq, const uint8_t *key, size_t keylen, uint8_t *out,
		 size_t cap, size_t *outlen, const char **why)
{
	static struct mh_msg mh;
	uint8_t e2e[SIG_AUTH_LEN], data[SIG_HOP_LEN] = { 0 };
	struct mh_tlv *t;
	struct sig_msg m;
	int i;

	*why = NULL;
	if (!key || !keylen) {
		*why = "no key for the hop authenticator";
		return -1;
	}
	if (decode_relayed(in, len, max_cand, &m, &mh, e2e, why))
		return -1;
	drop_tlv(&mh, SIG_OPT_HOP);
	for (i = 0; i < 8; i++)
		data[i] = (uint8_t)(seq >> (56 - 8 * i));
	if (mh_add_tlv(&mh, SIG_OPT_HOP, data, sizeof(data))) {
		*why = "too many options";
		return -1;
	}
	t = find_tlv(&mh, SIG_OPT_HOP);
	if (hop_tag(&mh, key, keylen, t->data + 8)) {
		*why = "cannot compute the hop authenticator";
		return -1;
	}
	if (mh_encode(&mh, out, cap, outlen, NULL) != MH_OK) {
		*why = "message does not encode (too large?)";
		return -1;
	}
	return 0;
}

int sig_hop_verify(const uint8_t *buf, size_t len, unsigned int max_cand,
		   const uint8_t *key, size_t keylen, uint64_t *seq,
		   const char **why)
{
	static struct mh_msg mh;
	uint8_t e2e[SIG_AUTH_LEN], got[SIG_AUTH_LEN], tag[SIG_AUTH_LEN];
	struct mh_tlv *t;
	struct sig_msg m;
	int bad;

	*why = NULL;
	if (decode_relayed(buf, len, max_cand, &m, &mh, e2e, why))
		return -1;
	t = find_tlv(&mh, SIG_OPT_HOP);
	if (!t || !m.has_hop) {
		*why = "no hop authenticator";
		return -1;
	}
	memcpy(got, t->data + 8, SIG_AUTH_LEN);
	memset(t->data + 8, 0, SIG_AUTH_LEN);
	if (hop_tag(&mh, key, keylen, tag)) {
		*why = "cannot compute the hop authenticator (no key?)";
		return -1;
	}
	bad = CRYPTO_memcmp(tag, got, SIG_AUTH_LEN);
	OPENSSL_cleanse(tag, sizeof(tag));
	if (bad) {
		*why = "hop authenticator does not match (wrong key or tampered)";
		return -1;
	}
	*seq = m.hop_seq;
	return 0;
}

bool sig_newer(uint64_t ts, uint16_t seq, uint64_t last_ts, uint16_t last_seq)
{
	uint16_t ahead = (uint16_t)(seq - last_seq);

	if (ts != last_ts)
		return ts > last_ts;
	return ahead != 0 && ahead < 0x8000;
}

enum sig_fresh sig_replay_check(const struct sig_replay *r, uint64_t ts,
				uint16_t seq)
{
	if (!r->seen || sig_newer(ts, seq, r->ts, r->seq))
		return SIG_FRESH_NEWER;
	if (ts == r->ts && seq == r->seq)
		return SIG_FRESH_SAME;
	return SIG_FRESH_OLDER;
}

void sig_replay_accept(struct sig_replay *r, uint64_t ts, uint16_t seq)
{
	if (sig_replay_check(r, ts, seq) != SIG_FRESH_NEWER)
		return;		/* never moves backwards */
	r->seen = true;
	r->ts = ts;
	r->seq = seq;
}
