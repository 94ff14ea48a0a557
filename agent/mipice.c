// SPDX-License-Identifier: GPL-2.0
/*
 * MIP-ICE mobility option codec (seed 004 s.11, Figure 2). Wire format and
 * every decision about the figure's ambiguities: docs/mipice-option.md
 * ("doc s.N" below).
 */
#include <netinet/in.h>
#include <string.h>

#include "mipice.h"

static const char *const mipice_err_names[MIPICE_E_MAX_] = {
	[MIPICE_OK]			= "ok",
	[MIPICE_E_SHORT]		= "option shorter than its fixed part or Header Len",
	[MIPICE_E_TYPE]			= "not a MIP-ICE option type",
	[MIPICE_E_LENGTH]		= "Header Len does not match the contents",
	[MIPICE_E_CHECKSUM]		= "bad option checksum",
	[MIPICE_E_TOO_MANY]		= "more candidates than the configured cap",
	[MIPICE_E_ICEOPT_LEN]		= "ice-options Length runs past the option",
	[MIPICE_E_SUBOPT]		= "truncated ice-options sub-option",
	[MIPICE_E_SUBOPT_UNKNOWN]	= "unknown ice-options sub-option",
	[MIPICE_E_SUBOPT_DUP]		= "duplicate ice-options sub-option",
	[MIPICE_E_UFRAG]		= "ice-ufrag missing or invalid",
	[MIPICE_E_PWD]			= "ice-pwd missing or invalid",
	[MIPICE_E_OPTIONS]		= "invalid ice-options tag list",
	[MIPICE_E_PACING]		= "ice-pacing is not 2 octets of 1..65535 ms",
	[MIPICE_E_PREFIX]		= "fixed ice-pwd/ice-ufrag fields disagree with the full values",
	[MIPICE_E_PAD]			= "non-zero padding before the candidates",
	[MIPICE_E_CAND_TRUNC]		= "candidate runs past the option",
	[MIPICE_E_CAND_VER]		= "candidate ver is neither 4 nor 6",
	[MIPICE_E_CAND_LEN]		= "candidate Length does not match its ver",
	[MIPICE_E_CAND_TYPE]		= "unknown candidate type",
	[MIPICE_E_CAND_COMP]		= "candidate comp-id 0",
	[MIPICE_E_CAND_TRANSPORT]	= "candidate transport is not UDP",
	[MIPICE_E_CAND_PRIO]		= "candidate priority 0 or above 2^31-1",
	[MIPICE_E_CAND_ADDR]		= "candidate address unspecified or multicast",
	[MIPICE_E_CAND_PORT]		= "candidate port 0",
	[MIPICE_E_CAND_REL]		= "bad candidate related address",
	[MIPICE_E_TRAILING]		= "octets after the last candidate",
	[MIPICE_E_NOSPACE]		= "buffer too small",
	[MIPICE_E_INVAL]		= "invalid option to encode",
};

const char *mipice_strerror(enum mipice_err e)
{
	if ((unsigned int)e >= MIPICE_E_MAX_ || !mipice_err_names[e])
		return "unknown error";
	return mipice_err_names[e];
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += get16(p + i);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

uint16_t mipice_inet_csum(const uint8_t *p, size_t len)
{
	/* RFC 1071: one's complement of the one's complement sum. */
	return csum_fold(csum_add(0, p, len));
}

/* ice-char = ALPHA / DIGIT / "+" / "/" (RFC 8839 s.5.4, RFC 8445 s.5.3). */
static bool ice_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       (ch >= '0' && ch <= '9') || ch == '+' || ch == '/';
}

static bool ice_chars(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!ice_char(s[i]))
			return false;
	return true;
}

/* ice-options = ice-option-tag *(SP ice-option-tag), RFC 8839 s.5.6. */
static bool options_valid(const char *s, size_t n)
{
	size_t i;

	if (n == 0)
		return true;
	if (s[0] == ' ' || s[n - 1] == ' ')
		return false;
	for (i = 0; i < n; i++) {
		if (s[i] == ' ') {
			if (s[i + 1] == ' ')
				return false;
		} else if (!ice_char(s[i])) {
			return false;
		}
	}
	return true;
}

static size_t ip_len(uint8_t family)
{
	return family == AF_INET ? 4 : 16;
}

static enum mipice_err cand_check(const struct mipice_cand *c)
{
	if (c->addr.family != AF_INET && c->addr.family != AF_INET6)
		return MIPICE_E_CAND_VER;
	if ((unsigned int)c->type > ICE_CAND_RELAY)
		return MIPICE_E_CAND_TYPE;
	if (c->component == 0)
		return MIPICE_E_CAND_COMP;
	if (c->transport != ICE_TRANSPORT_UDP)
		return MIPICE_E_CAND_TRANSPORT;
	if (c->priority == 0 || c->priority > 0x7fffffffu)
		return MIPICE_E_CAND_PRIO;
	if (ice_addr_is_unspecified(&c->addr) ||
	    ice_addr_is_multicast(&c->addr))
		return MIPICE_E_CAND_ADDR;
	if (c->addr.port == 0)
		return MIPICE_E_CAND_PORT;
	/* doc s.6: host has no related address; others share ver. */
	if (c->rel.family != 0 &&
	    (c->type == ICE_CAND_HOST || c->rel.family != c->addr.family))
		return MIPICE_E_CAND_REL;
	return MIPICE_OK;
}

static size_t cand_wire_len(const struct mipice_cand *c)
{
	return c->addr.family == AF_INET ? MIPICE_CAND_V4_LEN
					 : MIPICE_CAND_V6_LEN;
}

static size_t align8(size_t n)
{
	return (n + MIPICE_ALIGN - 1) & ~(size_t)(MIPICE_ALIGN - 1);
}

static uint8_t *put_sub(uint8_t *p, uint8_t type, const char *s, size_t n)
{
	p[0] = type;
	p[1] = (uint8_t)n;
	memcpy(p + 2, s, n);
	return p + 2 + n;
}

enum mipice_err mipice_encode(const struct mipice_opt *o, uint8_t *buf,
			      size_t cap, size_t *len)
{
	size_t ul = strnlen(o->ufrag, sizeof(o->ufrag));
	size_t pl = strnlen(o->pwd, sizeof(o->pwd));
	size_t ol = strnlen(o->options, sizeof(o->options));
	size_t sub, cstart, total, i;
	uint8_t *p;
	enum mipice_err e;

	if (o->n_cand > MIPICE_CAND_MAX)
		return MIPICE_E_INVAL;
	if (ul < MIPICE_UFRAG_MIN || ul > MIPICE_UFRAG_MAX ||
	    !ice_chars(o->ufrag, ul))
		return MIPICE_E_UFRAG;
	if (pl < MIPICE_PWD_MIN || pl > MIPICE_PWD_MAX ||
	    !ice_chars(o->pwd, pl))
		return MIPICE_E_PWD;
	if (ol > MIPICE_OPTIONS_MAX || !options_valid(o->options, ol))
		return MIPICE_E_OPTIONS;
	sub = 2 + ul + 2 + pl + (ol ? 2 + ol : 0) +
	      (o->pacing_ms ? 4 : 0);			/* <= 234 < 256 */
	cstart = align8(MIPICE_FIXED_LEN + sub);
	total = cstart;
	for (i = 0; i < o->n_cand; i++) {
		e = cand_check(&o->cand[i]);
		if (e)
			return e;
		total += cand_wire_len(&o->cand[i]);
	}
	if (total - 3 > 0xffff)
		return MIPICE_E_INVAL;
	if (total > cap)
		return MIPICE_E_NOSPACE;

	memset(buf, 0, total);
	buf[0] = MIPICE_OPT_TYPE;
	put16(buf + 1, (uint16_t)(total - 3));		/* doc s.3 */
	buf[3] = (uint8_t)o->n_cand;
	put16(buf + 6, (uint16_t)((o->lite ? MIPICE_FLAG_L : 0) |
				  (o->mismatch ? MIPICE_FLAG_M : 0)));
	/* doc s.5: the fixed fields carry the leading octets. */
	memcpy(buf + 8, o->pwd, MIPICE_PWD_FIELD_LEN);
	memcpy(buf + 20, o->ufrag, MIPICE_UFRAG_FIELD_LEN);
	buf[22] = (uint8_t)sub;
	p = put_sub(buf + 23, MIPICE_SUB_UFRAG, o->ufrag, ul);
	p = put_sub(p, MIPICE_SUB_PWD, o->pwd, pl);
	if (ol)
		p = put_sub(p, MIPICE_SUB_OPTIONS, o->options, ol);
	if (o->pacing_ms) {
		uint8_t v[2];

		put16(v, o->pacing_ms);
		put_sub(p, MIPICE_SUB_PACING, (const char *)v, sizeof(v));
	}

	p = buf + cstart;
	for (i = 0; i < o->n_cand; i++) {
		const struct mipice_cand *c = &o->cand[i];
		size_t cl = cand_wire_len(c), al = ip_len(c->addr.family);
		uint8_t ver = c->addr.family == AF_INET ? 4 : 6;

		/* ver(4) | Length(16) | type(4) | comp-id(8), doc s.6 */
		p[0] = (uint8_t)(ver << 4 | (cl >> 12));
		p[1] = (uint8_t)(cl >> 4);
		p[2] = (uint8_t)((cl & 0xf) << 4 | (unsigned int)c->type);
		p[3] = c->component;
		p[4] = c->transport;
		put32(p + 8, c->priority);
		memcpy(p + 12, c->addr.ip, al);
		put16(p + 12 + al, c->addr.port);
		if (c->rel.family) {
			put16(p + 14 + al, c->rel.port);
			memcpy(p + 16 + al, c->rel.ip, al);
		}
		p += cl;
	}
	put16(buf + 4, mipice_inet_csum(buf, total));	/* doc s.4 */
	*len = total;
	return MIPICE_OK;
}

static enum mipice_err parse_subs(const uint8_t *p, size_t n,
				  struct mipice_opt *o)
{
	bool seen[MIPICE_SUB_MAX + 1] = { false };
	size_t off = 0;

	while (off < n) {
		uint8_t t, l;

		if (n - off < 2)
			return MIPICE_E_SUBOPT;
		t = p[off];
		l = p[off + 1];
		if (n - off - 2 < l)
			return MIPICE_E_SUBOPT;
		if (t < MIPICE_SUB_UFRAG || t > MIPICE_SUB_MAX)
			return MIPICE_E_SUBOPT_UNKNOWN;
		if (seen[t])
			return MIPICE_E_SUBOPT_DUP;
		seen[t] = true;
		switch (t) {
		case MIPICE_SUB_UFRAG:
			if (l < MIPICE_UFRAG_MIN || l > MIPICE_UFRAG_MAX ||
			    !ice_chars((const char *)p + off + 2, l))
				return MIPICE_E_UFRAG;
			memcpy(o->ufrag, p + off + 2, l);
			o->ufrag[l] = '\0';
			break;
		case MIPICE_SUB_PWD:
			if (l < MIPICE_PWD_MIN || l > MIPICE_PWD_MAX ||
			    !ice_chars((const char *)p + off + 2, l))
				return MIPICE_E_PWD;
			memcpy(o->pwd, p + off + 2, l);
			o->pwd[l] = '\0';
			break;
		case MIPICE_SUB_PACING:
			if (l != 2 || !get16(p + off + 2))
				return MIPICE_E_PACING;
			o->pacing_ms = get16(p + off + 2);
			break;
		default:
			/* Present means non-empty (doc s.5). */
			if (l == 0 || l > MIPICE_OPTIONS_MAX ||
			    !options_valid((const char *)p + off + 2, l))
				return MIPICE_E_OPTIONS;
			memcpy(o->options, p + off + 2, l);
			o->options[l] = '\0';
			break;
		}
		off += 2 + (size_t)l;
	}
	if (!seen[MIPICE_SUB_UFRAG])
		return MIPICE_E_UFRAG;
	if (!seen[MIPICE_SUB_PWD])
		return MIPICE_E_PWD;
	return MIPICE_OK;
}

static enum mipice_err parse_cand(const uint8_t *p, size_t avail,
				  struct mipice_cand *c, size_t *clen)
{
	unsigned int ver, cl;
	size_t al;
	enum mipice_err e;

	if (avail < 4)
		return MIPICE_E_CAND_TRUNC;
	ver = p[0] >> 4;
	cl = (unsigned int)(p[0] & 0xf) << 12 | (unsigned int)p[1] << 4 |
	     p[2] >> 4;
	if (ver != 4 && ver != 6)
		return MIPICE_E_CAND_VER;
	if (cl != (ver == 4 ? MIPICE_CAND_V4_LEN : MIPICE_CAND_V6_LEN))
		return MIPICE_E_CAND_LEN;
	if (avail < cl)
		return MIPICE_E_CAND_TRUNC;
	al = ver == 4 ? 4 : 16;
	memset(c, 0, sizeof(*c));
	c->type = (enum ice_cand_type)(p[2] & 0xf);
	c->component = p[3];
	c->transport = p[4];
	/* p[5..7] Reserved: ignored on receipt (RFC 6275 convention). */
	c->priority = get32(p + 8);
	ice_addr_set(&c->addr, ver == 4 ? AF_INET : AF_INET6, p + 12,
		     get16(p + 12 + al));
	ice_addr_set(&c->rel, c->addr.family, p + 16 + al, get16(p + 14 + al));
	if (c->rel.port == 0 && ice_addr_is_unspecified(&c->rel))
		memset(&c->rel, 0, sizeof(c->rel));	/* absent, doc s.6 */
	if ((p[2] & 0xf) > ICE_CAND_RELAY)
		return MIPICE_E_CAND_TYPE;
	e = cand_check(c);
	if (e)
		return e;
	*clen = cl;
	return MIPICE_OK;
}

enum mipice_err mipice_decode(const uint8_t *buf, size_t len,
			      const struct mipice_limits *lim,
			      struct mipice_opt *o, size_t *used)
{
	unsigned int max_cand = lim && lim->max_cand ? lim->max_cand
						     : MIPICE_DEFAULT_MAX_CAND;
	size_t total, sub, cstart, off, i;
	enum mipice_err e;

	memset(o, 0, sizeof(*o));
	if (len < MIPICE_FIXED_LEN)
		return MIPICE_E_SHORT;
	if (buf[0] != MIPICE_OPT_TYPE)
		return MIPICE_E_TYPE;
	total = 3 + (size_t)get16(buf + 1);
	if (total > len)
		return MIPICE_E_SHORT;
	if (total < MIPICE_FIXED_LEN || total % MIPICE_ALIGN)
		return MIPICE_E_LENGTH;
	/* Checksum over the whole option with the field as zero (doc s.4):
	 * recompute exactly what the sender computed and compare. */
	if (csum_fold(csum_add(csum_add(0, buf, 4), buf + 6, total - 6)) !=
	    get16(buf + 4))
		return MIPICE_E_CHECKSUM;
	if (buf[3] > max_cand)
		return MIPICE_E_TOO_MANY;	/* seed 004 s.14.4.2 */
	o->n_cand = buf[3];
	o->lite = (get16(buf + 6) & MIPICE_FLAG_L) != 0;
	o->mismatch = (get16(buf + 6) & MIPICE_FLAG_M) != 0;
	sub = buf[22];
	if (MIPICE_FIXED_LEN + sub > total) {
		e = MIPICE_E_ICEOPT_LEN;
		goto fail;
	}
	e = parse_subs(buf + MIPICE_FIXED_LEN, sub, o);
	if (e)
		goto fail;
	if (memcmp(buf + 8, o->pwd, MIPICE_PWD_FIELD_LEN) ||
	    memcmp(buf + 20, o->ufrag, MIPICE_UFRAG_FIELD_LEN)) {
		e = MIPICE_E_PREFIX;
		goto fail;
	}
	cstart = align8(MIPICE_FIXED_LEN + sub);
	if (cstart > total) {
		e = MIPICE_E_LENGTH;
		goto fail;
	}
	for (off = MIPICE_FIXED_LEN + sub; off < cstart; off++) {
		if (buf[off]) {
			e = MIPICE_E_PAD;
			goto fail;
		}
	}
	off = cstart;
	for (i = 0; i < o->n_cand; i++) {
		size_t cl = 0;

		e = parse_cand(buf + off, total - off, &o->cand[i], &cl);
		if (e)
			goto fail;
		off += cl;
	}
	if (off != total) {
		e = MIPICE_E_TRAILING;
		goto fail;
	}
	if (used)
		*used = total;
	return MIPICE_OK;
fail:
	mipice_opt_clear(o);
	return e;
}

void mipice_opt_clear(struct mipice_opt *o)
{
	explicit_bzero(o, sizeof(*o));
}

bool mipice_cand_eq(const struct mipice_cand *a, const struct mipice_cand *b)
{
	return a->type == b->type && a->component == b->component &&
	       a->transport == b->transport && a->priority == b->priority &&
	       ice_addr_eq(&a->addr, &b->addr) &&
	       ice_addr_eq(&a->rel, &b->rel);
}

bool mipice_opt_eq(const struct mipice_opt *a, const struct mipice_opt *b)
{
	unsigned int i;

	if (a->lite != b->lite || a->mismatch != b->mismatch ||
	    a->n_cand != b->n_cand || a->n_cand > MIPICE_CAND_MAX ||
	    strcmp(a->ufrag, b->ufrag) || strcmp(a->pwd, b->pwd) ||
	    strcmp(a->options, b->options) || a->pacing_ms != b->pacing_ms)
		return false;
	for (i = 0; i < a->n_cand; i++)
		if (!mipice_cand_eq(&a->cand[i], &b->cand[i]))
			return false;
	return true;
}

void mipice_cand_to_ice(const struct mipice_cand *w, struct ice_cand *c)
{
	memset(c, 0, sizeof(*c));
	c->type = w->type;
	c->component = w->component;
	c->transport = w->transport;
	c->priority = w->priority;
	c->addr = w->addr;
	c->rel = w->rel;
	if ((w->type == ICE_CAND_SRFLX || w->type == ICE_CAND_PRFLX) &&
	    w->rel.family)
		c->base = w->rel;
	else
		c->base = w->addr;
}

void mipice_cand_from_ice(const struct ice_cand *c, struct mipice_cand *w)
{
	memset(w, 0, sizeof(*w));
	w->type = c->type;
	w->component = c->component;
	w->transport = c->transport;
	w->priority = c->priority;
	w->addr = c->addr;
	if (c->type != ICE_CAND_HOST && c->rel.family == c->addr.family)
		w->rel = c->rel;
}

enum mipice_change mipice_compare(const struct mipice_opt *prev,
				  const struct mipice_opt *next)
{
	bool uf = strcmp(prev->ufrag, next->ufrag) != 0;
	bool pw = strcmp(prev->pwd, next->pwd) != 0;

	/* RFC 8445 s.9: a restart changes both ufrag and pwd. */
	if (uf && pw)
		return MIPICE_RESTART;
	if (uf || pw)
		return MIPICE_BAD_RESTART;
	return mipice_opt_eq(prev, next) ? MIPICE_SAME : MIPICE_UPDATE;
}

const char *mipice_change_name(enum mipice_change c)
{
	switch (c) {
	case MIPICE_SAME:		return "same";
	case MIPICE_UPDATE:		return "update";
	case MIPICE_RESTART:		return "restart";
	case MIPICE_BAD_RESTART:	return "bad_restart";
	}
	return "unknown";
}
