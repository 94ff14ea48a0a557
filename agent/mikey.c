// SPDX-License-Identifier: GPL-2.0
/* MIKEY message codec, RFC 3830 s.6 (payload formats), RFC 4650 s.5. */
#include "mikey.h"

#include <string.h>

/* ---- bounded reader ---- */
struct rd {
	const uint8_t *b;
	size_t len;
	size_t off;
};

static bool rd_has(const struct rd *r, size_t n)
{
	return r->off <= r->len && n <= r->len - r->off;
}

static uint8_t rd_u8(struct rd *r)
{
	return r->b[r->off++];
}

static uint16_t rd_u16(struct rd *r)
{
	uint16_t v = (uint16_t)((r->b[r->off] << 8) | r->b[r->off + 1]);

	r->off += 2;
	return v;
}

static uint32_t rd_u32(struct rd *r)
{
	uint32_t v = ((uint32_t)r->b[r->off] << 24) |
		     ((uint32_t)r->b[r->off + 1] << 16) |
		     ((uint32_t)r->b[r->off + 2] << 8) | r->b[r->off + 3];

	r->off += 4;
	return v;
}

static const uint8_t *rd_ptr(struct rd *r, size_t n)
{
	const uint8_t *p = r->b + r->off;

	r->off += n;
	return p;
}

#define NEED(r, n, msg)				\
	do {					\
		if (!rd_has((r), (n))) {	\
			*why = (msg);		\
			return -1;		\
		}				\
	} while (0)

size_t mikey_dh_len(uint8_t group)
{
	switch (group) {	/* s.6.4: group sizes of OAKLEY 5, 1, 2 */
	case MIKEY_DH_OAKLEY5:
		return 192;
	case MIKEY_DH_OAKLEY1:
		return 96;
	case MIKEY_DH_OAKLEY2:
		return 128;
	}
	return 0;
}

int mikey_mac_len(uint8_t alg)
{
	switch (alg) {		/* s.6.2 MAC alg */
	case MIKEY_MAC_NULL:
		return 0;
	case MIKEY_MAC_HMAC_SHA1_160:
		return MIKEY_MAC_LEN;
	}
	return -1;
}

/* KV data, s.6.14 */
static int rd_kv(struct rd *r, uint8_t kv_type, struct mikey_kv *kv,
		 const char **why)
{
	memset(kv, 0, sizeof(*kv));
	kv->type = kv_type;
	switch (kv_type) {
	case MIKEY_KV_NULL:
		return 0;
	case MIKEY_KV_SPI:
		NEED(r, 1, "KV SPI: truncated length");
		kv->spi_len = rd_u8(r);
		NEED(r, kv->spi_len, "KV SPI: truncated SPI");
		kv->spi = rd_ptr(r, kv->spi_len);
		return 0;
	case MIKEY_KV_INTERVAL:
		NEED(r, 1, "KV interval: truncated VF length");
		kv->vf_len = rd_u8(r);
		NEED(r, kv->vf_len, "KV interval: truncated Valid From");
		kv->vf = rd_ptr(r, kv->vf_len);
		NEED(r, 1, "KV interval: truncated VT length");
		kv->vt_len = rd_u8(r);
		NEED(r, kv->vt_len, "KV interval: truncated Valid To");
		kv->vt = rd_ptr(r, kv->vt_len);
		return 0;
	}
	*why = "KV: unknown key validity type";
	return -1;
}

/* Common header, s.6.1 */
static int rd_hdr(struct rd *r, struct mikey_hdr *h, const char **why)
{
	uint8_t b;

	NEED(r, 10, "header: shorter than 10 bytes");
	h->version = rd_u8(r);
	if (h->version != MIKEY_VERSION) {
		*why = "header: version is not 1";
		return -1;
	}
	h->data_type = rd_u8(r);
	h->next_payload = rd_u8(r);
	b = rd_u8(r);
	h->v = b >> 7;
	h->prf_func = b & 0x7f;
	h->csb_id = rd_u32(r);
	h->n_cs = rd_u8(r);
	h->map_type = rd_u8(r);
	if (h->map_type != MIKEY_MAP_SRTP_ID) {
		*why = "header: unsupported CS ID map type";
		return -1;
	}
	if (h->n_cs > MIKEY_MAX_CS) {
		*why = "header: too many crypto sessions";
		return -1;
	}
	/* SRTP-ID map info, s.6.1.1: policy(8) SSRC(32) ROC(32) per CS */
	NEED(r, (size_t)h->n_cs * 9, "header: truncated SRTP-ID map");
	for (unsigned int i = 0; i < h->n_cs; i++) {
		h->cs[i].policy_no = rd_u8(r);
		h->cs[i].ssrc = rd_u32(r);
		h->cs[i].roc = rd_u32(r);
	}
	return 0;
}

/* One payload of @type at r->off (its next-payload byte already read into
 * *next unless SIGN). */
static int rd_payload(struct rd *r, uint8_t type, struct mikey_payload *p,
		      uint8_t *next, const char **why)
{
	uint8_t b;
	int ml;

	p->type = type;
	p->off = r->off;
	if (type != MIKEY_PT_SIGN) {
		NEED(r, 1, "payload: truncated next-payload field");
		*next = rd_u8(r);
	} else {
		*next = MIKEY_PT_LAST;	/* s.6.5: SIGN is always last */
	}
	switch (type) {
	case MIKEY_PT_T:	/* s.6.6 */
		NEED(r, 1, "T: truncated");
		p->u.t.ts_type = rd_u8(r);
		if (p->u.t.ts_type == MIKEY_TS_NTP_UTC ||
		    p->u.t.ts_type == MIKEY_TS_NTP) {
			NEED(r, 8, "T: truncated 64-bit timestamp");
			p->u.t.value = (uint64_t)rd_u32(r) << 32;
			p->u.t.value |= rd_u32(r);
		} else if (p->u.t.ts_type == MIKEY_TS_COUNTER) {
			NEED(r, 4, "T: truncated counter");
			p->u.t.value = rd_u32(r);
		} else {
			*why = "T: unknown TS type";
			return -1;
		}
		break;
	case MIKEY_PT_RAND:	/* s.6.11 */
		NEED(r, 1, "RAND: truncated");
		p->u.rand.len = rd_u8(r);
		if (p->u.rand.len == 0) {
			*why = "RAND: empty";
			return -1;
		}
		NEED(r, p->u.rand.len, "RAND: truncated value");
		p->u.rand.data = rd_ptr(r, p->u.rand.len);
		break;
	case MIKEY_PT_ID:	/* s.6.7 */
		NEED(r, 3, "ID: truncated");
		p->u.id.id_type = rd_u8(r);
		p->u.id.len = rd_u16(r);
		NEED(r, p->u.id.len, "ID: truncated data");
		p->u.id.data = rd_ptr(r, p->u.id.len);
		break;
	case MIKEY_PT_KEMAC:	/* s.6.2 */
		NEED(r, 3, "KEMAC: truncated");
		p->u.kemac.encr_alg = rd_u8(r);
		p->u.kemac.encr_len = rd_u16(r);
		NEED(r, p->u.kemac.encr_len, "KEMAC: truncated encrypted data");
		p->u.kemac.encr_off = r->off;
		p->u.kemac.encr = rd_ptr(r, p->u.kemac.encr_len);
		NEED(r, 1, "KEMAC: truncated MAC alg");
		p->u.kemac.mac_alg = rd_u8(r);
		ml = mikey_mac_len(p->u.kemac.mac_alg);
		if (ml < 0) {
			*why = "KEMAC: unknown MAC algorithm";
			return -1;
		}
		NEED(r, (size_t)ml, "KEMAC: truncated MAC");
		p->u.kemac.mac_len = (uint8_t)ml;
		p->u.kemac.mac_off = r->off;
		p->u.kemac.mac = rd_ptr(r, (size_t)ml);
		break;
	case MIKEY_PT_DH: {	/* s.6.4 */
		size_t dl;

		NEED(r, 1, "DH: truncated");
		p->u.dh.group = rd_u8(r);
		dl = mikey_dh_len(p->u.dh.group);
		if (!dl) {
			*why = "DH: unknown DH group";
			return -1;
		}
		NEED(r, dl, "DH: truncated DH value");
		p->u.dh.value_len = (uint16_t)dl;
		p->u.dh.value = rd_ptr(r, dl);
		NEED(r, 1, "DH: truncated KV field");
		b = rd_u8(r);
		if (rd_kv(r, b & 0x0f, &p->u.dh.kv, why))
			return -1;
		break;
	}
	case MIKEY_PT_V:	/* s.6.9 */
		NEED(r, 1, "V: truncated");
		p->u.v.mac_alg = rd_u8(r);
		ml = mikey_mac_len(p->u.v.mac_alg);
		if (ml < 0) {
			*why = "V: unknown MAC algorithm";
			return -1;
		}
		NEED(r, (size_t)ml, "V: truncated MAC");
		p->u.v.mac_len = (uint8_t)ml;
		p->u.v.mac_off = r->off;
		p->u.v.mac = rd_ptr(r, (size_t)ml);
		break;
	case MIKEY_PT_SP: {	/* s.6.10 */
		struct rd pr;

		NEED(r, 4, "SP: truncated");
		p->u.sp.policy_no = rd_u8(r);
		p->u.sp.prot_type = rd_u8(r);
		p->u.sp.params_len = rd_u16(r);
		NEED(r, p->u.sp.params_len, "SP: truncated policy params");
		p->u.sp.params = rd_ptr(r, p->u.sp.params_len);
		/* Each param is type(8) length(8) value; they must tile
		 * the params field exactly. */
		pr = (struct rd){ p->u.sp.params, p->u.sp.params_len, 0 };
		while (pr.off < pr.len) {
			uint8_t l;

			NEED(&pr, 2, "SP: truncated policy param header");
			pr.off++;
			l = rd_u8(&pr);
			NEED(&pr, l, "SP: policy param overruns SP payload");
			pr.off += l;
		}
		break;
	}
	case MIKEY_PT_ERR:	/* s.6.12 */
		NEED(r, 3, "ERR: truncated");
		p->u.err.code = rd_u8(r);
		r->off += 2;	/* reserved */
		break;
	case MIKEY_PT_GEXT:	/* s.6.15 */
		NEED(r, 3, "General Extension: truncated");
		p->u.gext.type = rd_u8(r);
		p->u.gext.len = rd_u16(r);
		NEED(r, p->u.gext.len, "General Extension: truncated data");
		p->u.gext.data = rd_ptr(r, p->u.gext.len);
		break;
	case MIKEY_PT_PKE:	/* s.6.3: C(2) | data len(14) */
		NEED(r, 2, "PKE: truncated");
		{
			uint16_t w = rd_u16(r);

			p->u.opaque.subtype = (uint8_t)(w >> 14);
			p->u.opaque.len = w & 0x3fff;
		}
		NEED(r, p->u.opaque.len, "PKE: truncated data");
		p->u.opaque.data = rd_ptr(r, p->u.opaque.len);
		break;
	case MIKEY_PT_CERT:	/* s.6.7 */
		NEED(r, 3, "CERT: truncated");
		p->u.opaque.subtype = rd_u8(r);
		p->u.opaque.len = rd_u16(r);
		NEED(r, p->u.opaque.len, "CERT: truncated data");
		p->u.opaque.data = rd_ptr(r, p->u.opaque.len);
		break;
	case MIKEY_PT_CHASH:	/* s.6.8: SHA-1 0 (160 bits), MD5 1 (128) */
		NEED(r, 1, "CHASH: truncated");
		p->u.opaque.subtype = rd_u8(r);
		if (p->u.opaque.subtype > 1) {
			*why = "CHASH: unknown hash function";
			return -1;
		}
		p->u.opaque.len = p->u.opaque.subtype == 0 ? 20 : 16;
		NEED(r, p->u.opaque.len, "CHASH: truncated hash");
		p->u.opaque.data = rd_ptr(r, p->u.opaque.len);
		break;
	case MIKEY_PT_SIGN: {	/* s.6.5: S type(4) | len(12) */
		uint16_t w;

		NEED(r, 2, "SIGN: truncated");
		w = rd_u16(r);
		p->u.opaque.subtype = (uint8_t)(w >> 12);
		p->u.opaque.len = w & 0x0fff;
		NEED(r, p->u.opaque.len, "SIGN: truncated signature");
		p->u.opaque.data = rd_ptr(r, p->u.opaque.len);
		break;
	}
	case MIKEY_PT_KEYDATA:
		*why = "Key Data outside a KEMAC";
		return -1;
	default:
		*why = "unknown payload type";
		return -1;
	}
	p->len = r->off - p->off;
	return 0;
}

int mikey_decode(const uint8_t *buf, size_t len, struct mikey_msg *msg,
		 const char **why)
{
	struct rd r = { buf, len, 0 };
	uint8_t next;
	const char *dummy;

	if (!why)
		why = &dummy;
	memset(msg, 0, sizeof(*msg));
	if (!buf) {
		*why = "no message";
		return -1;
	}
	msg->buf = buf;
	msg->len = len;
	if (rd_hdr(&r, &msg->hdr, why))
		return -1;
	next = msg->hdr.next_payload;
	while (next != MIKEY_PT_LAST) {
		if (msg->n == MIKEY_MAX_PAYLOADS) {
			*why = "too many payloads";
			return -1;
		}
		if (rd_payload(&r, next, &msg->p[msg->n], &next, why))
			return -1;
		msg->n++;
	}
	if (r.off != len) {
		*why = "trailing bytes after the last payload";
		return -1;
	}
	return 0;
}

int mikey_keydata_decode(const uint8_t *buf, size_t len,
			 struct mikey_keydata *kd, size_t max, size_t *n,
			 const char **why)
{
	struct rd r = { buf, len, 0 };
	uint8_t next = len ? MIKEY_PT_KEYDATA : MIKEY_PT_LAST;
	const char *dummy;

	if (!why)
		why = &dummy;
	*n = 0;
	while (next != MIKEY_PT_LAST) {
		struct mikey_keydata *k;
		uint8_t b;

		if (next != MIKEY_PT_KEYDATA) {
			*why = "KEMAC: sub-payload is not Key Data";
			return -1;
		}
		if (*n == max) {
			*why = "KEMAC: too many Key Data sub-payloads";
			return -1;
		}
		k = &kd[*n];
		memset(k, 0, sizeof(*k));
		/* s.6.13: next(8) type(4)|KV(4) key len(16) key
		 * [salt len(16) salt] [KV data] */
		NEED(&r, 4, "Key Data: truncated");
		next = rd_u8(&r);
		b = rd_u8(&r);
		k->type = b >> 4;
		if (k->type > MIKEY_KD_TEK_SALT) {
			*why = "Key Data: unknown type";
			return -1;
		}
		k->key_len = rd_u16(&r);
		NEED(&r, k->key_len, "Key Data: truncated key");
		k->key = rd_ptr(&r, k->key_len);
		if (k->type == MIKEY_KD_TGK_SALT ||
		    k->type == MIKEY_KD_TEK_SALT) {
			NEED(&r, 2, "Key Data: truncated salt length");
			k->salt_len = rd_u16(&r);
			NEED(&r, k->salt_len, "Key Data: truncated salt");
			k->salt = rd_ptr(&r, k->salt_len);
		}
		if (rd_kv(&r, b & 0x0f, &k->kv, why))
			return -1;
		(*n)++;
	}
	if (r.off != len) {
		*why = "KEMAC: trailing bytes after the last Key Data";
		return -1;
	}
	return 0;
}

const struct mikey_payload *mikey_find(const struct mikey_msg *msg,
				       uint8_t type, size_t *from)
{
	size_t i = from ? *from : 0;

	for (; i < msg->n; i++) {
		if (msg->p[i].type == type) {
			if (from)
				*from = i + 1;
			return &msg->p[i];
		}
	}
	if (from)
		*from = msg->n;
	return NULL;
}

const char *mikey_data_type_name(uint8_t dt)
{
	static const char *const names[] = {
		"PSK init", "PSK verify", "PK init", "PK verify", "DH init",
		"DH resp", "Error", "DHHMAC init", "DHHMAC resp",
		"RSA-R init", "RSA-R resp",
	};

	return dt < sizeof(names) / sizeof(names[0]) ? names[dt] : "unknown";
}

const char *mikey_payload_name(uint8_t pt)
{
	switch (pt) {
	case MIKEY_PT_LAST: return "Last";
	case MIKEY_PT_KEMAC: return "KEMAC";
	case MIKEY_PT_PKE: return "PKE";
	case MIKEY_PT_DH: return "DH";
	case MIKEY_PT_SIGN: return "SIGN";
	case MIKEY_PT_T: return "T";
	case MIKEY_PT_ID: return "ID";
	case MIKEY_PT_CERT: return "CERT";
	case MIKEY_PT_CHASH: return "CHASH";
	case MIKEY_PT_V: return "V";
	case MIKEY_PT_SP: return "SP";
	case MIKEY_PT_RAND: return "RAND";
	case MIKEY_PT_ERR: return "ERR";
	case MIKEY_PT_KEYDATA: return "Key data";
	case MIKEY_PT_GEXT: return "General Ext.";
	}
	return "unknown";
}

const char *mikey_err_name(uint8_t code)
{
	static const char *const names[] = {	/* s.6.12 */
		"Auth failure", "Invalid TS", "Invalid PRF", "Invalid MAC",
		"Invalid EA", "Invalid HA", "Invalid DH", "Invalid ID",
		"Invalid Cert", "Invalid SP", "Invalid SPpar", "Invalid DT",
		"Unspecified error",
	};

	return code < sizeof(names) / sizeof(names[0]) ? names[code]
						       : "unknown";
}

/* ---- encoder ---- */
void mikey_enc_init(struct mikey_enc *e, uint8_t *buf, size_t cap)
{
	e->p = buf;
	e->len = 0;
	e->cap = cap;
	e->np_off = SIZE_MAX;
	e->err = !buf;
}

static bool room(struct mikey_enc *e, size_t n)
{
	if (e->err || n > e->cap - e->len) {
		e->err = true;
		return false;
	}
	return true;
}

static void put8(struct mikey_enc *e, uint8_t v)
{
	e->p[e->len++] = v;
}

static void put16(struct mikey_enc *e, uint16_t v)
{
	put8(e, (uint8_t)(v >> 8));
	put8(e, (uint8_t)v);
}

static void put32(struct mikey_enc *e, uint32_t v)
{
	put16(e, (uint16_t)(v >> 16));
	put16(e, (uint16_t)v);
}

static void putn(struct mikey_enc *e, const uint8_t *d, size_t n)
{
	if (n)
		memcpy(e->p + e->len, d, n);
	e->len += n;
}

/* Links the previous next-payload field to @type and writes this
 * payload's own (0 = Last until another payload follows). */
static bool begin(struct mikey_enc *e, uint8_t type, size_t body)
{
	if (!room(e, 1 + body))
		return false;
	if (e->np_off != SIZE_MAX)
		e->p[e->np_off] = type;
	e->np_off = e->len;
	put8(e, MIKEY_PT_LAST);
	return true;
}

void mikey_enc_hdr(struct mikey_enc *e, const struct mikey_hdr *h)
{
	if (h->n_cs > MIKEY_MAX_CS || (h->prf_func & 0x80)) {
		e->err = true;
		return;
	}
	if (!room(e, 10 + (size_t)h->n_cs * 9))
		return;
	put8(e, h->version ? h->version : MIKEY_VERSION);
	put8(e, h->data_type);
	e->np_off = e->len;
	put8(e, MIKEY_PT_LAST);
	put8(e, (uint8_t)((h->v ? 0x80 : 0) | h->prf_func));
	put32(e, h->csb_id);
	put8(e, h->n_cs);
	put8(e, h->map_type);
	for (unsigned int i = 0; i < h->n_cs; i++) {
		put8(e, h->cs[i].policy_no);
		put32(e, h->cs[i].ssrc);
		put32(e, h->cs[i].roc);
	}
}

void mikey_enc_t(struct mikey_enc *e, uint8_t ts_type, uint64_t value)
{
	size_t vl = ts_type == MIKEY_TS_COUNTER ? 4 : 8;

	if (ts_type > MIKEY_TS_COUNTER || !begin(e, MIKEY_PT_T, 1 + vl)) {
		e->err = true;
		return;
	}
	put8(e, ts_type);
	if (vl == 8)
		put32(e, (uint32_t)(value >> 32));
	put32(e, (uint32_t)value);
}

void mikey_enc_rand(struct mikey_enc *e, const uint8_t *r, size_t len)
{
	if (!len || len > 255 || !begin(e, MIKEY_PT_RAND, 1 + len)) {
		e->err = true;
		return;
	}
	put8(e, (uint8_t)len);
	putn(e, r, len);
}

void mikey_enc_id(struct mikey_enc *e, uint8_t id_type, const uint8_t *id,
		  size_t len)
{
	if (len > 0xffff || !begin(e, MIKEY_PT_ID, 3 + len)) {
		e->err = true;
		return;
	}
	put8(e, id_type);
	put16(e, (uint16_t)len);
	putn(e, id, len);
}

void mikey_enc_kemac(struct mikey_enc *e, uint8_t encr_alg,
		     const uint8_t *encr, size_t encr_len, uint8_t mac_alg,
		     size_t *mac_off)
{
	int ml = mikey_mac_len(mac_alg);

	if (ml < 0 || encr_len > 0xffff ||
	    !begin(e, MIKEY_PT_KEMAC, 4 + encr_len + (size_t)ml)) {
		e->err = true;
		return;
	}
	put8(e, encr_alg);
	put16(e, (uint16_t)encr_len);
	putn(e, encr, encr_len);
	put8(e, mac_alg);
	if (mac_off)
		*mac_off = e->len;
	memset(e->p + e->len, 0, (size_t)ml);
	e->len += (size_t)ml;
}

static size_t kv_len(const struct mikey_kv *kv)
{
	if (!kv || kv->type == MIKEY_KV_NULL)
		return 0;
	if (kv->type == MIKEY_KV_SPI)
		return 1 + (size_t)kv->spi_len;
	if (kv->type == MIKEY_KV_INTERVAL)
		return 2 + (size_t)kv->vf_len + kv->vt_len;
	return SIZE_MAX / 2;
}

static void put_kv(struct mikey_enc *e, const struct mikey_kv *kv)
{
	if (!kv || kv->type == MIKEY_KV_NULL)
		return;
	if (kv->type == MIKEY_KV_SPI) {
		put8(e, kv->spi_len);
		putn(e, kv->spi, kv->spi_len);
	} else {
		put8(e, kv->vf_len);
		putn(e, kv->vf, kv->vf_len);
		put8(e, kv->vt_len);
		putn(e, kv->vt, kv->vt_len);
	}
}

void mikey_enc_dh(struct mikey_enc *e, uint8_t group, const uint8_t *value,
		  size_t len, const struct mikey_kv *kv)
{
	size_t kl = kv_len(kv);

	if (!mikey_dh_len(group) || len != mikey_dh_len(group) ||
	    kl > 1024 || !begin(e, MIKEY_PT_DH, 2 + len + kl)) {
		e->err = true;
		return;
	}
	put8(e, group);
	putn(e, value, len);
	put8(e, kv ? kv->type & 0x0f : MIKEY_KV_NULL);
	put_kv(e, kv);
}

void mikey_enc_v(struct mikey_enc *e, uint8_t mac_alg, size_t *mac_off)
{
	int ml = mikey_mac_len(mac_alg);

	if (ml < 0 || !begin(e, MIKEY_PT_V, 1 + (size_t)ml)) {
		e->err = true;
		return;
	}
	put8(e, mac_alg);
	if (mac_off)
		*mac_off = e->len;
	memset(e->p + e->len, 0, (size_t)ml);
	e->len += (size_t)ml;
}

void mikey_enc_sp(struct mikey_enc *e, uint8_t policy_no, uint8_t prot,
		  const uint8_t *params, size_t len)
{
	if (len > 0xffff || !begin(e, MIKEY_PT_SP, 4 + len)) {
		e->err = true;
		return;
	}
	put8(e, policy_no);
	put8(e, prot);
	put16(e, (uint16_t)len);
	putn(e, params, len);
}

void mikey_enc_err(struct mikey_enc *e, uint8_t code)
{
	if (!begin(e, MIKEY_PT_ERR, 3)) {
		e->err = true;
		return;
	}
	put8(e, code);
	put16(e, 0);	/* reserved */
}

void mikey_enc_gext(struct mikey_enc *e, uint8_t type, const uint8_t *data,
		    size_t len)
{
	if (len > 0xffff || !begin(e, MIKEY_PT_GEXT, 3 + len)) {
		e->err = true;
		return;
	}
	put8(e, type);
	put16(e, (uint16_t)len);
	putn(e, data, len);
}

void mikey_enc_keydata(struct mikey_enc *e, const struct mikey_keydata *kd)
{
	bool salted = kd->type == MIKEY_KD_TGK_SALT ||
		      kd->type == MIKEY_KD_TEK_SALT;
	size_t kl = kv_len(&kd->kv);

	if (kd->type > MIKEY_KD_TEK_SALT || kd->kv.type > MIKEY_KV_INTERVAL ||
	    !begin(e, MIKEY_PT_KEYDATA,
		   3 + (size_t)kd->key_len + (salted ? 2 + (size_t)kd->salt_len : 0) + kl)) {
		e->err = true;
		return;
	}
	put8(e, (uint8_t)((kd->type << 4) | kd->kv.type));
	put16(e, kd->key_len);
	putn(e, kd->key, kd->key_len);
	if (salted) {
		put16(e, kd->salt_len);
		putn(e, kd->salt, kd->salt_len);
	}
	put_kv(e, &kd->kv);
}

void mikey_enc_opaque(struct mikey_enc *e, uint8_t type, uint8_t subtype,
		      const uint8_t *data, size_t len)
{
	switch (type) {
	case MIKEY_PT_PKE:
		if (subtype > 3 || len > 0x3fff || !begin(e, type, 2 + len))
			break;
		put16(e, (uint16_t)((subtype << 14) | len));
		putn(e, data, len);
		return;
	case MIKEY_PT_CERT:
		if (len > 0xffff || !begin(e, type, 3 + len))
			break;
		put8(e, subtype);
		put16(e, (uint16_t)len);
		putn(e, data, len);
		return;
	case MIKEY_PT_CHASH:
		if (subtype > 1 || len != (subtype ? 16u : 20u) ||
		    !begin(e, type, 1 + len))
			break;
		put8(e, subtype);
		putn(e, data, len);
		return;
	case MIKEY_PT_SIGN:
		/* No next-payload field (s.6.5): link the previous one and
		 * end the chain here. */
		if (subtype > 15 || len > 0x0fff || !room(e, 2 + len))
			break;
		if (e->np_off != SIZE_MAX)
			e->p[e->np_off] = MIKEY_PT_SIGN;
		e->np_off = SIZE_MAX;
		put16(e, (uint16_t)((subtype << 12) | len));
		putn(e, data, len);
		return;
	}
	e->err = true;
}

size_t mikey_enc_finish(struct mikey_enc *e)
{
	return e->err ? 0 : e->len;
}
