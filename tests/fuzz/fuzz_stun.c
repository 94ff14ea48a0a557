// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the STUN decoder and integrity check (agent/stun.c,
 * RFC 8489). The input is one UDP payload, given in a heap copy of exactly
 * its size so ASan sees any over-read. Beyond memory safety, invariants
 * are checked and a violation aborts:
 *  - a rejection has a reason and the header-level reasons agree with
 *    stun_looks_like();
 *  - an accepted message respects the limits, every attribute lies inside
 *    it, the known-attribute index is consistent, FINGERPRINT is last and
 *    MI precedes MI-SHA256 (RFC 8489 s.14.5-14.7), unknown types are
 *    comprehension-required (< 0x8000);
 *  - the integrity check with a fixed key never errors on a decoded
 *    message and says ABSENT exactly when no MI/MI-SHA256 is present;
 *  - re-encoding its attributes with the builder (fresh MI, MI-SHA256,
 *    FINGERPRINT under the fixed key) gives a message that decodes to the
 *    same attributes and whose integrity verifies.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "stun.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define check(cond)							\
	do {								\
		if (!(cond))						\
			abort();					\
	} while (0)

/* RFC 5769 s.2 short-term password, so the seed corpus verifies. */
static const uint8_t KEY[] = "VOkJxbRl1RmTxUk/WvJxBt";
#define KEYLEN (sizeof(KEY) - 1)

static bool is_mac_or_fp(uint16_t t)
{
	return t == STUN_ATTR_MESSAGE_INTEGRITY ||
	       t == STUN_ATTR_MESSAGE_INTEGRITY_SHA256 ||
	       t == STUN_ATTR_FINGERPRINT;
}

static void check_accepted(const uint8_t *buf, size_t len,
			   const struct stun_msg *m)
{
	unsigned int i;
	int k;

	check(len >= STUN_HDR_LEN && len <= STUN_MAX_MSG && len % 4 == 0);
	check(stun_looks_like(buf, len));
	check(m->buf == buf && m->len == len);
	check(stun_msg_type(m->method, m->cls) == m->type);
	check(m->nattrs <= STUN_MAX_ATTRS);
	check(m->n_unknown <= m->nattrs);
	for (i = 0; i < m->nattrs; i++) {
		const struct stun_attr_ref *a = &m->attrs[i];

		check(a->off >= STUN_HDR_LEN + 4 && a->off % 4 == 0);
		check((size_t)a->off + a->len <= len);
		if (a->type == STUN_ATTR_FINGERPRINT)
			check(i == m->nattrs - 1);
	}
	for (i = 0; i < m->n_unknown; i++)
		check(m->unknown[i] < 0x8000);
	for (k = 0; k < STUN_K__COUNT; k++) {
		int ix = m->idx[k];

		check(ix >= -1 && ix < (int)m->nattrs);
		if (ix >= 0)
			check(stun_msg_get(m, m->attrs[ix].type) ==
			      &m->attrs[ix]);
	}
	if (stun_msg_has(m, STUN_K_MESSAGE_INTEGRITY) &&
	    stun_msg_has(m, STUN_K_MESSAGE_INTEGRITY_SHA256))
		check(m->idx[STUN_K_MESSAGE_INTEGRITY] <
		      m->idx[STUN_K_MESSAGE_INTEGRITY_SHA256]);
	check(m->username_len <= STUN_USERNAME_RECV_MAX);
	check(m->software_len <= STUN_SOFTWARE_MAX);
	if (stun_msg_has(m, STUN_K_ERROR_CODE))
		check(m->error_code >= 300 && m->error_code <= 699);
}

static void check_reencode(const struct stun_msg *m)
{
	uint8_t out[STUN_MAX_MSG];
	struct stun_builder b;
	struct stun_msg r;
	unsigned int i;
	size_t n;

	check(stun_build_init(&b, out, sizeof(out), m->method, m->cls,
			      m->tid) == STUN_OK);
	for (i = 0; i < m->nattrs; i++) {
		const struct stun_attr_ref *a = &m->attrs[i];

		if (!is_mac_or_fp(a->type))
			stun_build_attr(&b, a->type, m->buf + a->off, a->len);
	}
	if (stun_msg_has(m, STUN_K_MESSAGE_INTEGRITY))
		stun_build_integrity(&b, KEY, KEYLEN);
	if (stun_msg_has(m, STUN_K_MESSAGE_INTEGRITY_SHA256))
		stun_build_integrity_sha256(&b, KEY, KEYLEN);
	if (stun_msg_has(m, STUN_K_FINGERPRINT))
		stun_build_fingerprint(&b);
	n = stun_build_len(&b);
	if (n == 0) {
		/* only a truncated MI-SHA256 growing to 32 bytes can push a
		 * near-limit message over STUN_MAX_MSG */
		check(b.err == STUN_E_NOSPACE);
		return;
	}
	check(stun_decode(out, n, &r, NULL) == STUN_OK);
	check(r.nattrs == m->nattrs);
	check(r.n_unknown == m->n_unknown);
	for (i = 0; i < m->nattrs; i++) {
		const struct stun_attr_ref *a = &m->attrs[i];
		const struct stun_attr_ref *c = &r.attrs[i];

		check(a->type == c->type);
		if (is_mac_or_fp(a->type))
			continue;
		check(a->len == c->len);
		check(memcmp(m->buf + a->off, out + c->off, a->len) == 0);
	}
	if (stun_msg_has(m, STUN_K_MESSAGE_INTEGRITY) ||
	    stun_msg_has(m, STUN_K_MESSAGE_INTEGRITY_SHA256))
		check(stun_check_integrity(out, n, &r, KEY, KEYLEN) ==
		      STUN_INTEGRITY_OK);
	if (stun_msg_has(m, STUN_K_XOR_MAPPED_ADDRESS))
		check(r.xor_mapped.family == m->xor_mapped.family &&
		      r.xor_mapped.port == m->xor_mapped.port &&
		      memcmp(r.xor_mapped.ip, m->xor_mapped.ip, 16) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = malloc(size ? size : 1);
	struct stun_msg m;
	enum stun_err e;
	bool looks;

	check(buf != NULL);
	memcpy(buf, data, size);
	looks = stun_looks_like(buf, size);
	e = stun_decode(buf, size, &m, NULL);
	check(m.err == e);
	check((unsigned int)e < STUN_E__COUNT);
	check(stun_err_str(e) != NULL);
	if (e != STUN_OK) {
		bool header = e == STUN_E_TOO_SHORT || e == STUN_E_TOO_LONG ||
			      e == STUN_E_TOP_BITS || e == STUN_E_BAD_COOKIE ||
			      e == STUN_E_LEN_UNALIGNED ||
			      e == STUN_E_LEN_MISMATCH;

		check(header == !looks);
		check(stun_check_integrity(buf, size, &m, KEY, KEYLEN) ==
		      STUN_INTEGRITY_ERROR);
	} else {
		enum stun_integrity ir;
		bool has_mac = stun_msg_has(&m, STUN_K_MESSAGE_INTEGRITY) ||
			stun_msg_has(&m, STUN_K_MESSAGE_INTEGRITY_SHA256);

		check_accepted(buf, size, &m);
		ir = stun_check_integrity(buf, size, &m, KEY, KEYLEN);
		check(ir == STUN_INTEGRITY_OK || ir == STUN_INTEGRITY_ABSENT ||
		      ir == STUN_INTEGRITY_BAD);
		check((ir == STUN_INTEGRITY_ABSENT) == !has_mac);
		check_reencode(&m);
	}
	free(buf);
	return 0;
}
