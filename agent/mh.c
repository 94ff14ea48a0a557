// SPDX-License-Identifier: GPL-2.0
/* Mobility Header framing for BU/BA (RFC 6275 s.6.1, s.6.2); see mh.h. */
#include <string.h>

#include "mh.h"

#define MH_HDR_LEN	6	/* Proto, Len, Type, Reserved, Checksum */
#define MH_BODY_LEN	6	/* BU and BA message data before options */
#define MH_OPTS_OFF	(MH_HDR_LEN + MH_BODY_LEN)

static const char *const mh_err_names[MH_E_MAX_] = {
	[MH_OK]			= "ok",
	[MH_E_SHORT]		= "mobility header too short",
	[MH_E_PROTO]		= "Payload Proto is not 59",
	[MH_E_LENGTH]		= "Header Len does not match the datagram length",
	[MH_E_TYPE]		= "MH type is not Binding Update/Acknowledgement",
	[MH_E_CHECKSUM]		= "bad mobility header checksum",
	[MH_E_OPT_TRUNC]	= "mobility option runs past the header",
	[MH_E_PAD]		= "PadN option with non-zero data",
	[MH_E_ICE_ALIGN]	= "MIP-ICE option not 8-octet aligned",
	[MH_E_ICE_DUP]		= "more than one MIP-ICE option",
	[MH_E_ICE]		= "bad MIP-ICE option",
	[MH_E_TOO_MANY_OPTS]	= "too many mobility options",
	[MH_E_NOSPACE]		= "buffer too small",
	[MH_E_INVAL]		= "invalid message to encode",
};

const char *mh_strerror(enum mh_err e)
{
	if ((unsigned int)e >= MH_E_MAX_ || !mh_err_names[e])
		return "unknown error";
	return mh_err_names[e];
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

uint16_t mh_lifetime_units(uint32_t seconds)
{
	uint32_t u = seconds / 4;	/* RFC 6275 s.6.1.7: 4-second units */

	return u > 0xffff ? 0xffff : (uint16_t)u;
}

uint32_t mh_lifetime_seconds(uint16_t units)
{
	return (uint32_t)units * 4;
}

void mh_bu_init(struct mh_msg *m, uint16_t seq, uint16_t flags,
		uint16_t lifetime_units)
{
	memset(m, 0, sizeof(*m));
	m->type = MH_TYPE_BU;
	m->seq = seq;
	m->flags = flags;
	m->lifetime = lifetime_units;
}

void mh_ba_init(struct mh_msg *m, uint8_t status, bool k, uint16_t seq,
		uint16_t lifetime_units)
{
	memset(m, 0, sizeof(*m));
	m->type = MH_TYPE_BA;
	m->status = status;
	m->flags = k ? MH_BA_K : 0;
	m->seq = seq;
	m->lifetime = lifetime_units;
}

int mh_add_tlv(struct mh_msg *m, uint8_t type, const void *data,
	       uint8_t len)
{
	struct mh_tlv *t;

	if (m->n_tlv >= MH_TLV_MAX || type == MH_OPT_PAD1 ||
	    type == MH_OPT_PADN || type == MIPICE_OPT_TYPE)
		return -1;
	t = &m->tlv[m->n_tlv++];
	t->type = type;
	t->len = len;
	memset(t->data, 0, sizeof(t->data));
	if (len)
		memcpy(t->data, data, len);
	return 0;
}

/* Pad1 / PadN filling @n octets at @p (RFC 6275 s.6.2.2, s.6.2.3). */
static void put_pad(uint8_t *p, size_t n)
{
	if (n == 0)
		return;
	memset(p, 0, n);
	if (n == 1)
		return;			/* Pad1 is a single zero octet */
	p[0] = MH_OPT_PADN;
	p[1] = (uint8_t)(n - 2);
}

enum mh_err mh_encode(const struct mh_msg *m, uint8_t *buf, size_t cap,
		      size_t *len, enum mipice_err *ice_err)
{
	size_t off = MH_OPTS_OFF, i, pad;

	if ((m->type != MH_TYPE_BU && m->type != MH_TYPE_BA) ||
	    m->n_tlv > MH_TLV_MAX ||
	    (m->type == MH_TYPE_BA && m->flags > 0xff))
		return MH_E_INVAL;
	if (cap > MH_MAX_LEN)
		cap = MH_MAX_LEN;
	if (cap < 16)
		return MH_E_NOSPACE;
	memset(buf, 0, MH_OPTS_OFF);
	buf[0] = MH_PAYLOAD_PROTO;
	buf[2] = m->type;
	if (m->type == MH_TYPE_BU) {
		put16(buf + 6, m->seq);
		put16(buf + 8, m->flags);
	} else {
		buf[6] = m->status;
		buf[7] = (uint8_t)m->flags;
		put16(buf + 8, m->seq);
	}
	put16(buf + 10, m->lifetime);

	for (i = 0; i < m->n_tlv; i++) {
		const struct mh_tlv *t = &m->tlv[i];

		if (t->type == MH_OPT_PAD1 || t->type == MH_OPT_PADN ||
		    t->type == MIPICE_OPT_TYPE)
			return MH_E_INVAL;
		if (cap - off < 2 + (size_t)t->len)
			return MH_E_NOSPACE;
		buf[off] = t->type;
		buf[off + 1] = t->len;
		memcpy(buf + off + 2, t->data, t->len);
		off += 2 + (size_t)t->len;
	}
	if (m->has_ice) {
		size_t olen = 0;
		enum mipice_err e;

		/* 8n alignment (doc s.3): Pad1/PadN up to the next 8n. */
		pad = (8 - off % 8) % 8;
		if (cap - off < pad)
			return MH_E_NOSPACE;
		put_pad(buf + off, pad);
		off += pad;
		e = mipice_encode(&m->ice, buf + off, cap - off, &olen);
		if (ice_err)
			*ice_err = e;
		if (e == MIPICE_E_NOSPACE)
			return MH_E_NOSPACE;
		if (e)
			return MH_E_ICE;
		off += olen;
	}
	pad = (8 - off % 8) % 8;
	if (cap - off < pad)
		return MH_E_NOSPACE;
	put_pad(buf + off, pad);
	off += pad;
	buf[1] = (uint8_t)(off / 8 - 1);	/* RFC 6275 s.6.1.1 */
	put16(buf + 4, mipice_inet_csum(buf, off));
	*len = off;
	return MH_OK;
}

enum mh_err mh_decode(const uint8_t *buf, size_t len,
		      const struct mipice_limits *lim, struct mh_msg *m,
		      enum mipice_err *ice_err)
{
	size_t off, i;
	uint8_t tmp[MH_MAX_LEN];
	enum mh_err err;

	memset(m, 0, sizeof(*m));
	if (ice_err)
		*ice_err = MIPICE_OK;
	if (len < 8)
		return MH_E_SHORT;
	if (buf[0] != MH_PAYLOAD_PROTO)
		return MH_E_PROTO;
	if (((size_t)buf[1] + 1) * 8 != len)
		return MH_E_LENGTH;
	if (buf[2] != MH_TYPE_BU && buf[2] != MH_TYPE_BA)
		return MH_E_TYPE;
	if (len < MH_OPTS_OFF)
		return MH_E_SHORT;
	/* Checksum of the MH with the field as zero, no pseudo-header. */
	memcpy(tmp, buf, len);
	tmp[4] = tmp[5] = 0;
	if (mipice_inet_csum(tmp, len) != get16(buf + 4))
		return MH_E_CHECKSUM;
	/* Reserved (octet 3) is ignored on receipt, RFC 6275 s.6.1.1. */
	m->type = buf[2];
	if (m->type == MH_TYPE_BU) {
		m->seq = get16(buf + 6);
		m->flags = get16(buf + 8);
	} else {
		m->status = buf[6];
		m->flags = buf[7];
		m->seq = get16(buf + 8);
	}
	m->lifetime = get16(buf + 10);

	off = MH_OPTS_OFF;
	while (off < len) {
		uint8_t t = buf[off], l;

		if (t == MH_OPT_PAD1) {
			off++;
			continue;
		}
		if (len - off < 2) {
			err = MH_E_OPT_TRUNC;
			goto fail;
		}
		if (t == MIPICE_OPT_TYPE) {
			size_t used = 0;
			enum mipice_err e;

			if (m->has_ice) {
				err = MH_E_ICE_DUP;
				goto fail;
			}
			if (off % 8) {
				err = MH_E_ICE_ALIGN;
				goto fail;
			}
			e = mipice_decode(buf + off, len - off, lim, &m->ice,
					  &used);
			if (ice_err)
				*ice_err = e;
			if (e) {
				err = MH_E_ICE;
				goto fail;
			}
			m->has_ice = true;
			off += used;
			continue;
		}
		l = buf[off + 1];
		if (len - off - 2 < l) {
			err = MH_E_OPT_TRUNC;
			goto fail;
		}
		if (t == MH_OPT_PADN) {
			for (i = 0; i < l; i++) {
				if (buf[off + 2 + i]) {
					err = MH_E_PAD;
					goto fail;
				}
			}
		} else {
			struct mh_tlv *tl;

			if (m->n_tlv >= MH_TLV_MAX) {
				err = MH_E_TOO_MANY_OPTS;
				goto fail;
			}
			tl = &m->tlv[m->n_tlv++];
			tl->type = t;
			tl->len = l;
			memcpy(tl->data, buf + off + 2, l);
		}
		off += 2 + (size_t)l;
	}
	return MH_OK;
fail:
	mh_msg_clear(m);
	return err;
}

bool mh_msg_eq(const struct mh_msg *a, const struct mh_msg *b)
{
	unsigned int i;

	if (a->type != b->type || a->seq != b->seq || a->flags != b->flags ||
	    a->status != b->status || a->lifetime != b->lifetime ||
	    a->has_ice != b->has_ice || a->n_tlv != b->n_tlv ||
	    a->n_tlv > MH_TLV_MAX)
		return false;
	if (a->has_ice && !mipice_opt_eq(&a->ice, &b->ice))
		return false;
	for (i = 0; i < a->n_tlv; i++) {
		if (a->tlv[i].type != b->tlv[i].type ||
		    a->tlv[i].len != b->tlv[i].len ||
		    memcmp(a->tlv[i].data, b->tlv[i].data, a->tlv[i].len))
			return false;
	}
	return true;
}

void mh_msg_clear(struct mh_msg *m)
{
	explicit_bzero(m, sizeof(*m));
}
