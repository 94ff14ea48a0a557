// SPDX-License-Identifier: GPL-2.0
/*
 * Media authorization tokens in the agent: OpenSSL HMAC-SHA256 and SHA-256
 * behind the freestanding format code of kmod/token.c (seed 001 s.6.2,
 * RFC 3313 s.5, docs/token-format.md).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "keyfile.h"
#include "token.h"

static int ossl_hmac_sha256(void *ctx, const u8 *msg, u32 len,
			    u8 out[MICE_SHA256_LEN])
{
	const struct token_key *key = ctx;
	unsigned int olen = 0;

	if (!key || key->len < TOKEN_KEY_MIN)
		return -1;
	if (!HMAC(EVP_sha256(), key->k, (int)key->len, msg, len, out, &olen))
		return -1;
	return olen == MICE_SHA256_LEN ? 0 : -1;
}

static int ossl_sha256(void *ctx, const u8 *msg, u32 len,
		       u8 out[MICE_SHA256_LEN])
{
	unsigned int olen = 0;

	(void)ctx;
	if (!EVP_Digest(msg, len, out, &olen, EVP_sha256(), NULL))
		return -1;
	return olen == MICE_SHA256_LEN ? 0 : -1;
}

void token_crypto_init(struct mice_token_crypto *cr, const struct token_key *key)
{
	cr->hmac_sha256 = ossl_hmac_sha256;
	cr->sha256 = ossl_sha256;
	cr->ctx = (void *)key;
}

void token_key_clear(struct token_key *key)
{
	OPENSSL_cleanse(key, sizeof(*key));
}

static int key_from_span(struct token_key *key, const char *hex, size_t n,
			 char *err, size_t errlen)
{
	u32 len = 0, pos = 0;
	int rc;

	memset(key, 0, sizeof(*key));
	if (n > 2 * TOKEN_KEY_MAX) {
		snprintf(err, errlen,
			 "key is %zu hex digits; at most %d (%d octets) allowed",
			 n, 2 * TOKEN_KEY_MAX, TOKEN_KEY_MAX);
		return -1;
	}
	rc = mice_hex_decode(hex, (u32)n, key->k, sizeof(key->k), &len, &pos);
	if (rc == MICE_TOKEN_E_NOT_HEX) {
		snprintf(err, errlen,
			 "key: character at offset %u is not a hex digit", pos);
		goto fail;
	}
	if (rc) {
		snprintf(err, errlen, "key: %s", rc == MICE_TOKEN_E_ODD ?
			 "odd number of hex digits" : "empty");
		goto fail;
	}
	if (len < TOKEN_KEY_MIN) {
		snprintf(err, errlen,
			 "key is %u octets; at least %d needed (%d hex digits), e.g. from `openssl rand -hex 32`",
			 len, TOKEN_KEY_MIN, 2 * TOKEN_KEY_MIN);
		goto fail;
	}
	key->len = len;
	return 0;
fail:
	token_key_clear(key);
	return -1;
}

int token_key_from_hex(struct token_key *key, const char *hex, char *err,
		       size_t errlen)
{
	return key_from_span(key, hex, strlen(hex), err, errlen);
}

int token_key_from_file(struct token_key *key, const char *path, char *err,
			size_t errlen)
{
	char why[KEYFILE_ERR_MAX];
	size_t len;

	memset(key, 0, sizeof(*key));
	if (keyfile_load_hex(path, key->k, TOKEN_KEY_MIN, TOKEN_KEY_MAX, &len,
			     why, sizeof(why))) {
		snprintf(err, errlen, "key file %s", why);
		token_key_clear(key);
		return -1;
	}
	key->len = len;
	return 0;
}

int token_mint(const struct token_key *key, uint32_t gate_id, uint64_t expiry,
	       const struct mice_gate_classifier *c, uint32_t rate,
	       uint32_t burst, uint16_t max_packet,
	       char out[MICE_TOKEN_HEX_LEN + 1])
{
	struct mice_token_crypto cr;
	struct mice_token t;
	u8 bin[MICE_TOKEN_LEN];
	int rc;

	memset(&t, 0, sizeof(t));
	token_crypto_init(&cr, key);
	t.version = MICE_TOKEN_VERSION;
	t.gate_id = gate_id;
	t.expiry = expiry;
	t.rate = rate;
	t.burst = burst;
	t.max_packet = max_packet;
	rc = mice_cls_digest(c, &cr, t.cls_digest);
	if (rc)
		return rc;
	rc = mice_token_sign(&t, &cr);
	if (rc)
		return rc;
	mice_token_serialize(&t, bin);
	mice_hex_encode(bin, MICE_TOKEN_LEN, out);
	return MICE_TOKEN_OK;
}

int token_verify(const struct token_key *key, const char *hex, size_t len,
		 uint64_t now, const struct mice_gate_classifier *c,
		 struct mice_token *t, uint32_t *err_pos)
{
	struct mice_token_crypto cr;

	memset(t, 0, sizeof(*t));
	*err_pos = 0;
	token_crypto_init(&cr, key);
	/* Anything this long is already the wrong length; keep u32 safe. */
	if (len > 4 * MICE_TOKEN_HEX_LEN)
		len = 4 * MICE_TOKEN_HEX_LEN;
	return mice_token_verify_hex(hex, (u32)len, now, c, &cr, t, err_pos);
}

int token_parse_prefix(const char *s, struct mice_prefix *p, char *err,
		       size_t errlen)
{
	char addr[INET6_ADDRSTRLEN + 1];
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	unsigned long plen;
	char *end;
	u32 maxbits;
	struct mice_gate_classifier tmp;

	memset(p, 0, sizeof(*p));
	if (!strcmp(s, "any"))
		return 0;
	if (alen == 0 || alen >= sizeof(addr)) {
		snprintf(err, errlen, "'%s' is not an address prefix (want A.B.C.D/N or X::Y/N)", s);
		return -1;
	}
	memcpy(addr, s, alen);
	addr[alen] = '\0';
	if (inet_pton(AF_INET, addr, p->addr) == 1) {
		p->family = MICE_AF_INET;
		maxbits = 32;
	} else if (inet_pton(AF_INET6, addr, p->addr) == 1) {
		p->family = MICE_AF_INET6;
		maxbits = 128;
	} else {
		snprintf(err, errlen, "'%s' is not an IPv4 or IPv6 address", addr);
		return -1;
	}
	plen = maxbits;
	if (slash) {
		errno = 0;
		if (!isdigit((unsigned char)slash[1]))
			goto badlen;
		plen = strtoul(slash + 1, &end, 10);
		if (errno || *end || plen > maxbits)
			goto badlen;
	}
	p->len = (u8)plen;
	memset(&tmp, 0, sizeof(tmp));
	tmp.src = *p;
	tmp.sport.hi = tmp.dport.hi = 0xffff;
	if (mice_gate_classifier_check(&tmp) == MICE_GATE_E_HOST_BITS) {
		snprintf(err, errlen,
			 "prefix '%s' has bits set beyond /%lu; give the network address",
			 s, plen);
		return -1;
	}
	return 0;
badlen:
	snprintf(err, errlen, "prefix length in '%s' must be 0..%u", s, maxbits);
	return -1;
}

static int parse_port(const char *s, const char *end, u16 *port)
{
	unsigned long v = 0;
	const char *q;

	if (s == end || end - s > 5)
		return -1;
	for (q = s; q < end; q++) {
		if (!isdigit((unsigned char)*q))
			return -1;
		v = v * 10 + (unsigned long)(*q - '0');
	}
	if (v > 65535)
		return -1;
	*port = (u16)v;
	return 0;
}

int token_parse_ports(const char *s, struct mice_port_range *r, char *err,
		      size_t errlen)
{
	const char *dash = strchr(s, '-');
	const char *end = s + strlen(s);

	if (!strcmp(s, "any")) {
		r->lo = 0;
		r->hi = 65535;
		return 0;
	}
	if (parse_port(s, dash ? dash : end, &r->lo) ||
	    (dash && parse_port(dash + 1, end, &r->hi))) {
		snprintf(err, errlen,
			 "'%s' is not a port or port range (want N or A-B, 0..65535)", s);
		return -1;
	}
	if (!dash)
		r->hi = r->lo;
	if (r->lo > r->hi) {
		snprintf(err, errlen, "port range '%s' has its low end above its high end", s);
		return -1;
	}
	return 0;
}

int token_parse_proto(const char *s, uint8_t *proto, char *err, size_t errlen)
{
	if (!strcasecmp(s, "udp"))
		*proto = MICE_GATE_PROTO_UDP;
	else if (!strcasecmp(s, "tcp"))
		*proto = MICE_GATE_PROTO_TCP;
	else if (!strcasecmp(s, "any"))
		*proto = MICE_GATE_PROTO_ANY;
	else {
		snprintf(err, errlen, "protocol '%s' is not udp, tcp or any", s);
		return -1;
	}
	return 0;
}

int token_parse_dir(const char *s, uint8_t *dir, char *err, size_t errlen)
{
	if (!strcasecmp(s, "up"))
		*dir = MICE_GATE_DIR_UP;
	else if (!strcasecmp(s, "down"))
		*dir = MICE_GATE_DIR_DOWN;
	else if (!strcasecmp(s, "any"))
		*dir = MICE_GATE_DIR_ANY;
	else {
		snprintf(err, errlen, "direction '%s' is not up, down or any", s);
		return -1;
	}
	return 0;
}

void token_format_prefix(const struct mice_prefix *p, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	if (p->family == MICE_AF_ANY) {
		snprintf(buf, len, "any");
		return;
	}
	if (!inet_ntop(p->family == MICE_AF_INET ? AF_INET : AF_INET6, p->addr,
		       a, sizeof(a)))
		snprintf(a, sizeof(a), "?");
	snprintf(buf, len, "%s/%u", a, p->len);
}
