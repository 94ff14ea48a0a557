// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the media authorization token (kmod/token.c,
 * agent/token.c; RFC 3313 s.5 1*HEXDIG, docs/token-format.md).
 *
 * 1. The input as a presented token: verify under a fixed key. Invariants:
 *    a token that verifies re-encodes to the input (case aside); NOT_HEX
 *    points at a non-hex octet; every other reason is consistent with the
 *    length.
 * 2. The input as binary fields: when it is long enough, build a token and
 *    a classifier from it, mint, and check that the minted token verifies,
 *    that deserialize(serialize(t)) == t, and that flipping any one octet
 *    after the version makes the tag check fail.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../agent/token.h"

#define FUZZ_KEY "6d6963652066757a7a206b6579203031323334353637383961626364656630"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct token_key key;
static int key_ready;

static int is_hex(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

static int lower(int c)
{
	return c >= 'A' && c <= 'F' ? c + 32 : c;
}

static void check_presented(const uint8_t *data, size_t size)
{
	struct mice_token t;
	u32 pos = 0;
	size_t i;
	int rc;

	rc = token_verify(&key, (const char *)data, size, 1700000000, NULL, &t, &pos);
	switch (rc) {
	case MICE_TOKEN_OK:
	case MICE_TOKEN_E_EXPIRED: {
		u8 bin[MICE_TOKEN_LEN];
		char hex[MICE_TOKEN_HEX_LEN + 1];

		if (size != MICE_TOKEN_HEX_LEN)
			abort();
		mice_token_serialize(&t, bin);
		mice_hex_encode(bin, MICE_TOKEN_LEN, hex);
		for (i = 0; i < size; i++)
			if (hex[i] != lower(data[i]))
				abort();
		break;
	}
	case MICE_TOKEN_E_NOT_HEX:
		if (pos >= size || is_hex(data[pos]))
			abort();
		for (i = 0; i < pos; i++)
			if (!is_hex(data[i]))
				abort();
		break;
	case MICE_TOKEN_E_EMPTY:
		if (size)
			abort();
		break;
	case MICE_TOKEN_E_ODD:
		if (!(size & 1))
			abort();
		break;
	case MICE_TOKEN_E_LENGTH:
	case MICE_TOKEN_E_VERSION:
		if (size == MICE_TOKEN_HEX_LEN && rc == MICE_TOKEN_E_LENGTH)
			abort();
		break;
	case MICE_TOKEN_E_TAG:
		if (size != MICE_TOKEN_HEX_LEN)
			abort();
		break;
	default:
		abort();	/* no classifier given, crypto cannot fail */
	}
}

/* Make @p a valid prefix: family any/4/6, length in range, host bits 0. */
static void sanitize_prefix(struct mice_prefix *p)
{
	static const u8 fam[] = { MICE_AF_ANY, MICE_AF_INET, MICE_AF_INET6 };
	u32 bits, i;

	p->family = fam[p->family % 3];
	bits = p->family == MICE_AF_ANY ? 0 : p->family == MICE_AF_INET ? 32 : 128;
	p->len = (u8)(p->len % (bits + 1));
	for (i = p->len; i < 128; i++)
		p->addr[i / 8] &= (u8)~(0x80u >> (i % 8));
}

static void sanitize(struct mice_gate_classifier *c)
{
	static const u8 proto[] = { MICE_GATE_PROTO_ANY, MICE_GATE_PROTO_UDP,
				    MICE_GATE_PROTO_TCP };
	u16 t;

	c->proto = proto[c->proto % 3];
	c->dir %= 3;
	sanitize_prefix(&c->src);
	sanitize_prefix(&c->dst);
	if (c->src.family && c->dst.family && c->src.family != c->dst.family)
		c->dst.family = c->src.family, c->dst.len = 0,
		memset(c->dst.addr, 0, 16);
	if (c->sport.lo > c->sport.hi)
		t = c->sport.lo, c->sport.lo = c->sport.hi, c->sport.hi = t;
	if (c->dport.lo > c->dport.hi)
		t = c->dport.lo, c->dport.lo = c->dport.hi, c->dport.hi = t;
}

/*
 * The module's order (kmod/gate.c): verify without a classifier, look up
 * the gate the token names, then mice_token_check_cls() with its
 * classifier. The same token and classifier pass; a classifier with one
 * port bound moved fails, as in one call.
 */
static void check_two_steps(const char *hex, u64 expiry,
			    const struct mice_gate_classifier *c, u8 which)
{
	struct mice_gate_classifier other = *c;
	struct mice_token_crypto cr;
	struct mice_token t;
	u32 pos;

	token_crypto_init(&cr, &key);
	if (mice_token_verify_hex(hex, MICE_TOKEN_HEX_LEN, expiry - 1, NULL,
				  &cr, &t, &pos) ||
	    mice_token_check_cls(&t, c, &cr))
		abort();
	if (which & 1) {
		if (other.dport.lo == 0)
			other.dport.lo = 1, other.dport.hi |= 1;
		else
			other.dport.lo--;
	} else {
		other.dir = (u8)((other.dir + 1) % 3);
	}
	if (mice_token_check_cls(&t, &other, &cr) != MICE_TOKEN_E_CLASSIFIER ||
	    token_verify(&key, hex, MICE_TOKEN_HEX_LEN, expiry - 1, &other, &t,
			 &pos) != MICE_TOKEN_E_CLASSIFIER)
		abort();
}

static void check_minted(const uint8_t *data, size_t size)
{
	struct mice_gate_classifier c;
	struct mice_token t, t2;
	char hex[MICE_TOKEN_HEX_LEN + 1];
	u8 bin[MICE_TOKEN_LEN];
	u32 pos, i;
	u64 expiry;
	int rc;

	if (size < sizeof(c) + 19)
		return;
	memcpy(&c, data, sizeof(c));
	data += sizeof(c);
	/* Mostly valid classifiers; raw ones exercise the refusal. */
	if (data[18] & 3)
		sanitize(&c);
	memcpy(&expiry, data, 8);
	if (expiry <= 1)
		expiry = 2;
	rc = token_mint(&key, (u32)data[8] << 24 | data[9], expiry, &c,
			(u32)data[10] << 8 | data[11], (u32)data[12] << 16 | data[13],
			(u16)(data[14] << 8 | data[15]), hex);
	if (rc == MICE_TOKEN_E_BAD_CLASSIFIER) {
		if (mice_gate_classifier_check(&c) == MICE_GATE_OK)
			abort();
		return;
	}
	if (rc || mice_gate_classifier_check(&c) != MICE_GATE_OK)
		abort();
	if (token_verify(&key, hex, MICE_TOKEN_HEX_LEN, expiry - 1, &c, &t, &pos))
		abort();
	if (token_verify(&key, hex, MICE_TOKEN_HEX_LEN, expiry, &c, &t, &pos) !=
	    MICE_TOKEN_E_EXPIRED)
		abort();
	check_two_steps(hex, expiry, &c, data[16]);
	mice_token_serialize(&t, bin);
	if (mice_token_deserialize(bin, MICE_TOKEN_LEN, &t2) ||
	    memcmp(&t.cls_digest, &t2.cls_digest, sizeof(t.cls_digest)) ||
	    t.gate_id != t2.gate_id || t.expiry != t2.expiry || t.rate != t2.rate ||
	    t.burst != t2.burst || t.max_packet != t2.max_packet ||
	    memcmp(t.tag, t2.tag, sizeof(t.tag)))
		abort();
	i = 1 + data[16] % (MICE_TOKEN_LEN - 1);
	bin[i] ^= data[17] | 1;
	mice_hex_encode(bin, MICE_TOKEN_LEN, hex);
	if (token_verify(&key, hex, MICE_TOKEN_HEX_LEN, expiry - 1, NULL, &t, &pos) !=
	    MICE_TOKEN_E_TAG)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[TOKEN_ERR_LEN];

	if (!key_ready) {
		if (token_key_from_hex(&key, FUZZ_KEY, err, sizeof(err)))
			abort();
		key_ready = 1;
	}
	check_presented(data, size);
	check_minted(data, size);
	return 0;
}
