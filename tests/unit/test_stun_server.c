// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of agent/stun_server.c (the Home Agent's Binding server,
 * RFC 8489 s.6.3) and agent/srflx.c (server-reflexive discovery, seed 004
 * s.1.1) with crafted requests and responses: success answers, 400, 420
 * with UNKNOWN-ATTRIBUTES, silent discards, the amplification budget, the
 * rate limit, and a srflx query against the server through a simulated
 * NAT on a fake clock.
 */
#include <arpa/inet.h>
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "srflx.h"
#include "stun.h"
#include "stun_server.h"
#include "stun_txn.h"

static const uint8_t TID[12] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };

static struct stun_addr v4from(const char *ip, uint16_t port)
{
	struct stun_addr a;
	uint8_t raw[4];

	ck_assert_int_eq(inet_pton(AF_INET, ip, raw), 1);
	stun_addr_set(&a, AF_INET, raw, port);
	return a;
}

static struct stun_addr v6from(const char *ip, uint16_t port)
{
	struct stun_addr a;
	uint8_t raw[16];

	ck_assert_int_eq(inet_pton(AF_INET6, ip, raw), 1);
	stun_addr_set(&a, AF_INET6, raw, port);
	return a;
}

static struct ice_addr ice4(const char *ip, uint16_t port)
{
	struct ice_addr a;
	uint8_t raw[4];

	ck_assert_int_eq(inet_pton(AF_INET, ip, raw), 1);
	ice_addr_set(&a, AF_INET, raw, port);
	return a;
}

/* A Binding request; @extra_type != 0 adds that attribute with @extra_len
 * zero bytes; @fp adds FINGERPRINT. */
static size_t mkreq(uint8_t *buf, size_t cap, enum stun_class cls,
		    uint16_t method, uint16_t extra_type, size_t extra_len,
		    bool fp)
{
	static const uint8_t zeros[512];
	struct stun_builder b;

	ck_assert_int_eq(stun_build_init(&b, buf, cap, method, cls, TID),
			 STUN_OK);
	if (extra_type)
		stun_build_attr(&b, extra_type, zeros, extra_len);
	if (fp)
		stun_build_fingerprint(&b);
	return stun_build_len(&b);
}

static size_t handle(struct stun_server *s, const uint8_t *req, size_t len,
		     const struct stun_addr *from, uint8_t *out)
{
	size_t n = stun_server_handle(s, 0, req, len, from, out, STUN_MAX_MSG);
	size_t budget = len > STUN_SERVER_MIN_BUDGET ? len :
			STUN_SERVER_MIN_BUDGET;

	/* The amplification rule holds for every answer. */
	ck_assert_uint_le(n, budget);
	return n;
}

/* Decodes an answer and checks the parts every answer has. */
static void decode_answer(const uint8_t *out, size_t n, struct stun_msg *m,
			  enum stun_class cls)
{
	ck_assert_uint_gt(n, 0);
	ck_assert_int_eq(stun_decode(out, n, m, NULL), STUN_OK);
	ck_assert_int_eq(m->method, STUN_METHOD_BINDING);
	ck_assert_int_eq(m->cls, cls);
	ck_assert_mem_eq(m->tid, TID, 12);
	/* FINGERPRINT present and last (verified by the decoder). */
	ck_assert(stun_msg_has(m, STUN_K_FINGERPRINT));
	ck_assert_uint_eq(m->attrs[m->nattrs - 1].type, STUN_ATTR_FINGERPRINT);
	ck_assert(!stun_msg_has(m, STUN_K_MAPPED_ADDRESS));
}

START_TEST(test_success_v4)
{
	struct stun_server s;
	struct stun_addr from = v4from("192.0.2.7", 40001);
	uint8_t req[64], out[STUN_MAX_MSG];
	struct stun_msg m;
	size_t rl, n;

	stun_server_init(&s, NULL);
	rl = mkreq(req, sizeof(req), STUN_REQUEST, STUN_METHOD_BINDING, 0, 0,
		   false);
	ck_assert_uint_eq(rl, 20);
	n = handle(&s, req, rl, &from, out);
	decode_answer(out, n, &m, STUN_SUCCESS);
	ck_assert(stun_msg_has(&m, STUN_K_XOR_MAPPED_ADDRESS));
	ck_assert_int_eq(m.xor_mapped.family, AF_INET);
	ck_assert_mem_eq(m.xor_mapped.ip, from.ip, 4);
	ck_assert_uint_eq(m.xor_mapped.port, 40001);
	ck_assert(stun_msg_has(&m, STUN_K_SOFTWARE));
	ck_assert_uint_eq(m.software_len, 4);
	ck_assert_mem_eq(m.software, "mice", 4);
	/* 20 header + 12 XMA + 8 SOFTWARE + 8 FINGERPRINT */
	ck_assert_uint_eq(n, 48);
	ck_assert_uint_eq(s.st.received, 1);
	ck_assert_uint_eq(s.st.success, 1);
	/* The XOR is on the wire: the raw port is not the plain port. */
	ck_assert_uint_ne((unsigned)(out[26] << 8 | out[27]), 40001u);
}
END_TEST

START_TEST(test_success_v6_no_software)
{
	struct stun_server_cfg cfg = { .software = NULL };
	struct stun_server s;
	struct stun_addr from = v6from("2001:db8::42", 3478);
	uint8_t req[64], out[STUN_MAX_MSG];
	struct stun_msg m;
	size_t rl, n;

	stun_server_init(&s, &cfg);
	rl = mkreq(req, sizeof(req), STUN_REQUEST, STUN_METHOD_BINDING, 0, 0,
		   true);
	n = handle(&s, req, rl, &from, out);
	decode_answer(out, n, &m, STUN_SUCCESS);
	ck_assert_int_eq(m.xor_mapped.family, AF_INET6);
	ck_assert_mem_eq(m.xor_mapped.ip, from.ip, 16);
	ck_assert_uint_eq(m.xor_mapped.port, 3478);
	ck_assert(!stun_msg_has(&m, STUN_K_SOFTWARE));
	ck_assert_uint_eq(n, 52);	/* 20 + 24 + 8: the IPv6 minimum */
}
END_TEST

START_TEST(test_ignores_integrity_and_optional)
{
	struct stun_server s;
	struct stun_addr from = v4from("198.51.100.1", 9);
	uint8_t req[128], out[STUN_MAX_MSG];
	struct stun_builder b;
	struct stun_msg m;
	size_t n;

	stun_server_init(&s, NULL);
	/* USERNAME + MESSAGE-INTEGRITY + an unknown optional attribute. */
	stun_build_init(&b, req, sizeof(req), STUN_METHOD_BINDING,
			STUN_REQUEST, TID);
	stun_build_username(&b, "a:b");
	stun_build_attr(&b, 0x8123, "xyz", 3);
	stun_build_integrity(&b, (const uint8_t *)"pw", 2);
	stun_build_fingerprint(&b);
	n = handle(&s, req, stun_build_len(&b), &from, out);
	decode_answer(out, n, &m, STUN_SUCCESS);
	ck_assert_mem_eq(m.xor_mapped.ip, from.ip, 4);
}
END_TEST

START_TEST(test_420_unknown)
{
	struct stun_server s;
	struct stun_addr from = v4from("192.0.2.7", 1);
	uint8_t req[128], out[STUN_MAX_MSG];
	const struct stun_attr_ref *ua;
	struct stun_builder b;
	struct stun_msg m;
	size_t n;

	stun_server_init(&s, NULL);
	stun_build_init(&b, req, sizeof(req), STUN_METHOD_BINDING,
			STUN_REQUEST, TID);
	stun_build_attr(&b, 0x0033, "a", 1);
	stun_build_attr(&b, 0x8033, "b", 1);	/* optional: not listed */
	stun_build_attr(&b, 0x7fff, "c", 1);
	stun_build_attr(&b, 0x0033, "d", 1);	/* listed once */
	n = handle(&s, req, stun_build_len(&b), &from, out);
	decode_answer(out, n, &m, STUN_ERROR);
	ck_assert_int_eq(m.error_code, 420);
	ua = stun_msg_get(&m, STUN_ATTR_UNKNOWN_ATTRIBUTES);
	ck_assert_ptr_nonnull(ua);
	ck_assert_uint_eq(ua->len, 4);
	ck_assert_uint_eq((unsigned)(out[ua->off] << 8 | out[ua->off + 1]),
			  0x0033u);
	ck_assert_uint_eq((unsigned)(out[ua->off + 2] << 8 | out[ua->off + 3]),
			  0x7fffu);
	ck_assert(!stun_msg_has(&m, STUN_K_XOR_MAPPED_ADDRESS));
	ck_assert_uint_eq(s.st.err420, 1);
}
END_TEST

START_TEST(test_400_malformed)
{
	struct stun_server s;
	struct stun_addr from = v4from("192.0.2.7", 1);
	uint8_t req[64], out[STUN_MAX_MSG];
	struct stun_msg m;
	size_t rl, n;

	stun_server_init(&s, NULL);
	/* An XOR-MAPPED-ADDRESS of 4 bytes: wrong length for its type. */
	rl = mkreq(req, sizeof(req), STUN_REQUEST, STUN_METHOD_BINDING,
		   STUN_ATTR_XOR_MAPPED_ADDRESS, 4, false);
	n = handle(&s, req, rl, &from, out);
	decode_answer(out, n, &m, STUN_ERROR);
	ck_assert_int_eq(m.error_code, 400);
	ck_assert_uint_eq(m.reason_len, 11);
	ck_assert_mem_eq(m.reason, "Bad Request", 11);

	/* An attribute whose length runs past the message. */
	rl = mkreq(req, sizeof(req), STUN_REQUEST, STUN_METHOD_BINDING,
		   0x8001, 4, false);
	req[22] = 0;
	req[23] = 200;
	n = handle(&s, req, rl, &from, out);
	decode_answer(out, n, &m, STUN_ERROR);
	ck_assert_int_eq(m.error_code, 400);

	/* An ERROR-CODE whose class is 9 (s.14.8 allows 3-6). */
	rl = mkreq(req, sizeof(req), STUN_REQUEST, STUN_METHOD_BINDING,
		   STUN_ATTR_ERROR_CODE, 4, false);
	req[26] = 9;
	n = handle(&s, req, rl, &from, out);
	decode_answer(out, n, &m, STUN_ERROR);
	ck_assert_int_eq(m.error_code, 400);
	ck_assert_uint_eq(s.st.err400, 3);
}
END_TEST

START_TEST(test_discards)
{
	struct stun_server s;
	struct stun_addr from = v4from("192.0.2.7", 1);
	uint8_t req[64], out[STUN_MAX_MSG];
	size_t rl;

	stun_server_init(&s, NULL);
	rl = mkreq(req, sizeof(req), STUN_REQUEST, STUN_METHOD_BINDING, 0, 0,
		   true);
	/* too short */
	ck_assert_uint_eq(handle(&s, req, 19, &from, out), 0);
	/* length field disagrees with the datagram */
	ck_assert_uint_eq(handle(&s, req, rl - 4, &from, out), 0);
	/* bad FINGERPRINT */
	req[rl - 1] ^= 1;
	ck_assert_uint_eq(handle(&s, req, rl, &from, out), 0);
	req[rl - 1] ^= 1;
	/* bad magic cookie (an RFC 3489 client) */
	req[4] ^= 0xff;
	ck_assert_uint_eq(handle(&s, req, rl, &from, out), 0);
	req[4] ^= 0xff;
	/* top bits set (e.g. a MIP or RTP packet on a shared port) */
	req[0] |= 0x80;
	ck_assert_uint_eq(handle(&s, req, rl, &from, out), 0);
	req[0] &= 0x3f;
	/* a method other than Binding */
	rl = mkreq(req, sizeof(req), STUN_REQUEST, 0x003, 0, 0, false);
	ck_assert_uint_eq(handle(&s, req, rl, &from, out), 0);
	/* no source address */
	rl = mkreq(req, sizeof(req), STUN_REQUEST, STUN_METHOD_BINDING, 0, 0,
		   false);
	ck_assert_uint_eq(stun_server_handle(&s, 0, req, rl, NULL, out,
					     sizeof(out)), 0);
	ck_assert_uint_eq(s.st.discarded, 7);
	ck_assert_uint_eq(s.st.success + s.st.err400 + s.st.err420, 0);
	/* the untouched request is still answered */
	ck_assert_uint_gt(handle(&s, req, rl, &from, out), 0);
}
END_TEST

START_TEST(test_ignores_non_requests)
{
	struct stun_server s;
	struct stun_addr from = v4from("192.0.2.7", 1);
	uint8_t req[64], out[STUN_MAX_MSG];
	size_t rl;

	stun_server_init(&s, NULL);
	rl = mkreq(req, sizeof(req), STUN_INDICATION, STUN_METHOD_BINDING, 0, 0,
		   false);
	ck_assert_uint_eq(handle(&s, req, rl, &from, out), 0);
	rl = mkreq(req, sizeof(req), STUN_SUCCESS, STUN_METHOD_BINDING, 0, 0,
		   true);
	ck_assert_uint_eq(handle(&s, req, rl, &from, out), 0);
	rl = mkreq(req, sizeof(req), STUN_ERROR, STUN_METHOD_BINDING, 0, 0,
		   false);
	ck_assert_uint_eq(handle(&s, req, rl, &from, out), 0);
	ck_assert_uint_eq(s.st.ignored, 3);
}
END_TEST

START_TEST(test_amplification_budget)
{
	static const char longsw[] = "a SOFTWARE description that is much "
				     "longer than any request";
	struct stun_server_cfg cfg = { .software = longsw };
	struct stun_server s;
	struct stun_addr from6 = v6from("2001:db8::1", 1);
	uint8_t req[STUN_MAX_MSG], out[STUN_MAX_MSG];
	struct stun_builder b;
	struct stun_msg m;
	size_t rl, n;
	int i;

	stun_server_init(&s, &cfg);
	/* A minimal request: SOFTWARE does not fit, the answer is the bare
	 * 52-byte IPv6 success. */
	rl = mkreq(req, sizeof(req), STUN_REQUEST, STUN_METHOD_BINDING, 0, 0,
		   false);
	n = handle(&s, req, rl, &from6, out);
	decode_answer(out, n, &m, STUN_SUCCESS);
	ck_assert(!stun_msg_has(&m, STUN_K_SOFTWARE));
	ck_assert_uint_eq(n, 52);
	/* A request padded with an optional attribute: now it fits. */
	rl = mkreq(req, sizeof(req), STUN_REQUEST, STUN_METHOD_BINDING, 0x8fff,
		   200, false);
	n = handle(&s, req, rl, &from6, out);
	decode_answer(out, n, &m, STUN_SUCCESS);
	ck_assert(stun_msg_has(&m, STUN_K_SOFTWARE));
	ck_assert_uint_le(n, rl);
	/* 420 for a 24-byte request with one 0-length unknown attribute:
	 * 20 + ERROR-CODE 28 ("Unknown Attribute") + UNKNOWN-ATTRIBUTES 8 +
	 * FINGERPRINT 8 = 64 fits exactly; SOFTWARE does not. */
	rl = mkreq(req, sizeof(req), STUN_REQUEST, STUN_METHOD_BINDING, 0x0077,
		   0, false);
	ck_assert_uint_eq(rl, 24);
	n = handle(&s, req, rl, &from6, out);
	decode_answer(out, n, &m, STUN_ERROR);
	ck_assert_int_eq(m.error_code, 420);
	ck_assert_uint_eq(n, 64);
	ck_assert_uint_eq(m.reason_len, 17);
	ck_assert(!stun_msg_has(&m, STUN_K_SOFTWARE));
	/* Three unknown attributes in 32 bytes: with the reason the answer
	 * would be 68 > 64, so the reason phrase is dropped (48 bytes). */
	stun_build_init(&b, req, sizeof(req), STUN_METHOD_BINDING,
			STUN_REQUEST, TID);
	for (i = 0; i < 3; i++)
		stun_build_attr(&b, (uint16_t)(0x0200 + i), NULL, 0);
	rl = stun_build_len(&b);
	ck_assert_uint_eq(rl, 32);
	n = handle(&s, req, rl, &from6, out);
	decode_answer(out, n, &m, STUN_ERROR);
	ck_assert_int_eq(m.error_code, 420);
	ck_assert_uint_eq(m.reason_len, 0);
	ck_assert_uint_eq(n, 48);
	ck_assert_uint_eq(stun_msg_get(&m, STUN_ATTR_UNKNOWN_ATTRIBUTES)->len,
			  6);
	/* The most unknown attributes a request can carry: the answer is
	 * still no larger than the request. */
	stun_build_init(&b, req, sizeof(req), STUN_METHOD_BINDING,
			STUN_REQUEST, TID);
	for (i = 0; i < STUN_MAX_ATTRS; i++)
		stun_build_attr(&b, (uint16_t)(0x0100 + i), NULL, 0);
	rl = stun_build_len(&b);
	n = handle(&s, req, rl, &from6, out);
	decode_answer(out, n, &m, STUN_ERROR);
	ck_assert_int_eq(m.error_code, 420);
	ck_assert_uint_eq(stun_msg_get(&m, STUN_ATTR_UNKNOWN_ATTRIBUTES)->len,
			  2 * STUN_MAX_ATTRS);
	/* An output buffer too small for anything: nothing is sent. */
	rl = mkreq(req, sizeof(req), STUN_REQUEST, STUN_METHOD_BINDING, 0, 0,
		   false);
	ck_assert_uint_eq(stun_server_handle(&s, 0, req, rl, &from6, out, 40),
			  0);
	ck_assert_uint_eq(s.st.too_big, 1);
}
END_TEST

START_TEST(test_rate_limit)
{
	struct stun_server_cfg cfg = { .software = NULL, .rate_pps = 10,
				       .burst = 2 };
	struct stun_server s;
	struct stun_addr from = v4from("192.0.2.7", 1);
	uint8_t req[64], out[STUN_MAX_MSG];
	size_t rl;

	stun_server_init(&s, &cfg);
	rl = mkreq(req, sizeof(req), STUN_REQUEST, STUN_METHOD_BINDING, 0, 0,
		   false);
	ck_assert_uint_gt(stun_server_handle(&s, 1000, req, rl, &from, out,
					     sizeof(out)), 0);
	ck_assert_uint_gt(stun_server_handle(&s, 1000, req, rl, &from, out,
					     sizeof(out)), 0);
	ck_assert_uint_eq(stun_server_handle(&s, 1000, req, rl, &from, out,
					     sizeof(out)), 0);
	/* 10 per second: one token after 100 ms, not after 99 ms. */
	ck_assert_uint_eq(stun_server_handle(&s, 1099, req, rl, &from, out,
					     sizeof(out)), 0);
	ck_assert_uint_gt(stun_server_handle(&s, 1100, req, rl, &from, out,
					     sizeof(out)), 0);
	ck_assert_uint_eq(s.st.rate_limited, 2);
	ck_assert_uint_eq(s.st.success, 3);
}
END_TEST

/* Mutated requests (fixed-seed xorshift): whatever arrives, the answer
 * respects the budget, decodes, and echoes the transaction ID. */
START_TEST(test_mutations_keep_invariants)
{
	struct stun_server s;
	struct stun_addr from = v4from("192.0.2.7", 1);
	uint8_t base[96], req[96], out[STUN_MAX_MSG];
	struct stun_builder b;
	struct stun_msg m;
	uint32_t x = 0x12345678;
	size_t bl, n;
	int i, k, answered = 0;

	stun_server_init(&s, NULL);
	stun_build_init(&b, base, sizeof(base), STUN_METHOD_BINDING,
			STUN_REQUEST, TID);
	stun_build_username(&b, "user:name");
	stun_build_priority(&b, 12345);
	stun_build_attr(&b, 0x0055, "zz", 2);
	stun_build_fingerprint(&b);
	bl = stun_build_len(&b);
	for (i = 0; i < 20000; i++) {
		size_t len = bl;

		memcpy(req, base, bl);
		for (k = 0; k < 1 + i % 4; k++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			/* Mostly past the header, so some stay STUN. */
			req[20 + x % (bl - 20)] ^= (uint8_t)(x >> 8);
		}
		if (i % 7 == 0)
			len = 20 + (x >> 3) % (bl - 19);
		n = handle(&s, req, len, &from, out);
		if (!n)
			continue;
		answered++;
		ck_assert_int_eq(stun_decode(out, n, &m, NULL), STUN_OK);
		ck_assert_mem_eq(m.tid, TID, 12);
		ck_assert(m.cls == STUN_SUCCESS || m.cls == STUN_ERROR);
	}
	ck_assert_uint_eq(s.st.received, 20000);
	ck_assert_uint_eq(s.st.success + s.st.err400 + s.st.err420,
			  (uint64_t)answered);
	/* The mix reached 400, 420 and silent discards. */
	ck_assert_uint_gt(s.st.err400, 0);
	ck_assert_uint_gt(s.st.err420, 0);
	ck_assert_uint_gt(s.st.discarded, 0);
}
END_TEST

/* ---- srflx ---- */

static void ice_to_stun(struct stun_addr *d, const struct ice_addr *s)
{
	stun_addr_set(d, s->family, s->ip, s->port);
}

START_TEST(test_srflx_through_nat)
{
	struct ice_addr base = ice4("10.0.0.2", 5000);
	struct ice_addr server = ice4("198.51.100.1", 3478);
	struct ice_addr nat = ice4("203.0.113.9", 61000);
	struct stun_server s;
	struct srflx_query q;
	struct stun_addr seen;
	struct ice_cand c;
	uint8_t out[STUN_MAX_MSG];
	size_t n;

	stun_server_init(&s, NULL);
	ck_assert_int_eq(srflx_start(&q, &base, &server, NULL, 1000),
			 STUN_TXN_SEND);
	ck_assert_int_eq(q.state, SRFLX_RUNNING);
	ck_assert_uint_eq(srflx_next_deadline(&q), 1500);
	/* The server sees the NAT's address (RFC 8445 s.5.1.1.2). */
	ice_to_stun(&seen, &nat);
	n = stun_server_handle(&s, 0, q.req, q.req_len, &seen, out,
			       sizeof(out));
	ck_assert_uint_gt(n, 0);
	ck_assert_int_eq(srflx_input(&q, 1042, out, n, &server), SRFLX_IN_DONE);
	ck_assert_int_eq(q.state, SRFLX_DONE);
	ck_assert(q.mapped_from_xor);
	ck_assert(ice_addr_eq(&q.mapped, &nat));
	ck_assert_str_eq(q.software, "mice");
	ck_assert_uint_eq(q.end_ms - q.start_ms, 42);
	ck_assert_uint_eq(srflx_next_deadline(&q), STUN_TXN_NEVER);
	ck_assert_int_eq(srflx_candidate(&q, 1, 0xfe00, &c), 0);
	ck_assert_int_eq(c.type, ICE_CAND_SRFLX);
	ck_assert(ice_addr_eq(&c.addr, &nat));
	ck_assert(ice_addr_eq(&c.base, &base));
	ck_assert(ice_addr_eq(&c.rel, &base));
	ck_assert(ice_addr_eq(&c.server, &server));
	/* RFC 8445 s.5.1.2.1 */
	ck_assert_uint_eq(c.priority, (100u << 24) + (0xfe00u << 8) + 255);
	/* A second response changes nothing. */
	ck_assert_int_eq(srflx_input(&q, 1043, out, n, &server),
			 SRFLX_IN_IGNORED);
}
END_TEST

START_TEST(test_srflx_ignores_forgeries_then_times_out)
{
	struct ice_addr base = ice4("10.0.0.2", 5000);
	struct ice_addr server = ice4("198.51.100.1", 3478);
	struct ice_addr other = ice4("198.51.100.66", 3478);
	struct stun_server s;
	struct srflx_query q;
	struct stun_addr seen = v4from("203.0.113.9", 61000);
	uint8_t out[STUN_MAX_MSG], req2[64];
	uint64_t t, sends = 1;
	struct ice_cand c;
	size_t n;

	stun_server_init(&s, NULL);
	srflx_start(&q, &base, &server, NULL, 0);
	n = stun_server_handle(&s, 0, q.req, q.req_len, &seen, out,
			       sizeof(out));
	/* right answer, wrong source address */
	ck_assert_int_eq(srflx_input(&q, 1, out, n, &other), SRFLX_IN_IGNORED);
	ck_assert_str_eq(q.why, "not from the STUN server's address");
	/* corrupted (bad FINGERPRINT) */
	out[n - 1] ^= 1;
	ck_assert_int_eq(srflx_input(&q, 1, out, n, &server), SRFLX_IN_IGNORED);
	out[n - 1] ^= 1;
	/* another transaction */
	n = mkreq(req2, sizeof(req2), STUN_REQUEST, STUN_METHOD_BINDING, 0, 0,
		  false);
	n = stun_server_handle(&s, 0, req2, n, &seen, out, sizeof(out));
	ck_assert_int_eq(srflx_input(&q, 1, out, n, &server), SRFLX_IN_IGNORED);
	ck_assert_str_eq(q.why, "not a Binding response to our transaction");
	ck_assert_uint_eq(q.ignored, 3);
	/* No answer: RFC 8489 s.6.2.1 schedule, 7 sends, timeout 39.5 s. */
	for (t = 1; t <= 40000; t++) {
		enum stun_txn_action a = srflx_on_timer(&q, t);

		if (a == STUN_TXN_SEND)
			sends++;
		if (a == STUN_TXN_TIMEOUT)
			break;
	}
	ck_assert_uint_eq(sends, 7);
	ck_assert_uint_eq(t, 39500);
	ck_assert_int_eq(q.state, SRFLX_TIMED_OUT);
	ck_assert_int_eq(srflx_candidate(&q, 1, 1, &c), -1);
}
END_TEST

START_TEST(test_srflx_error_and_compat)
{
	struct ice_addr base = ice4("10.0.0.2", 5000);
	struct ice_addr server = ice4("198.51.100.1", 3478);
	struct ice_addr base6;
	struct stun_addr mapped6 = v6from("2001:db8::9", 7), m4;
	uint8_t out[128];
	struct stun_builder b;
	struct srflx_query q;
	uint8_t raw6[16] = { 0x20, 0x01, 0x0d, 0xb8 };

	/* An error response ends the query with its code. */
	srflx_start(&q, &base, &server, NULL, 0);
	stun_build_init(&b, out, sizeof(out), STUN_METHOD_BINDING, STUN_ERROR,
			q.txn.tid);
	stun_build_error_code(&b, 500, "Server Error\x01");
	ck_assert_int_eq(srflx_input(&q, 5, out, stun_build_len(&b), &server),
			 SRFLX_IN_ERROR);
	ck_assert_int_eq(q.error_code, 500);
	ck_assert_str_eq(q.reason, "Server Error?");
	ck_assert_int_eq(q.state, SRFLX_ERROR);

	/* MAPPED-ADDRESS alone is accepted; another family is not. */
	srflx_start(&q, &base, &server, NULL, 0);
	stun_build_init(&b, out, sizeof(out), STUN_METHOD_BINDING, STUN_SUCCESS,
			q.txn.tid);
	stun_build_addr(&b, STUN_ATTR_XOR_MAPPED_ADDRESS, &mapped6);
	ck_assert_int_eq(srflx_input(&q, 5, out, stun_build_len(&b), &server),
			 SRFLX_IN_IGNORED);
	ck_assert_str_eq(q.why, "mapped address of another address family");
	m4 = v4from("203.0.113.1", 9999);
	stun_build_init(&b, out, sizeof(out), STUN_METHOD_BINDING, STUN_SUCCESS,
			q.txn.tid);
	stun_build_addr(&b, STUN_ATTR_MAPPED_ADDRESS, &m4);
	ck_assert_int_eq(srflx_input(&q, 5, out, stun_build_len(&b), &server),
			 SRFLX_IN_DONE);
	ck_assert(!q.mapped_from_xor);
	ck_assert_uint_eq(q.mapped.port, 9999);

	/* Mixed families are refused at start. */
	raw6[15] = 1;
	ice_addr_set(&base6, AF_INET6, raw6, 1);
	ck_assert_int_eq(srflx_start(&q, &base6, &server, NULL, 0),
			 STUN_TXN_TIMEOUT);
	ck_assert_int_eq(q.state, SRFLX_TIMED_OUT);
}
END_TEST

static Suite *server_suite(void)
{
	Suite *s = suite_create("stun_server");
	TCase *tc = tcase_create("server");
	TCase *tq = tcase_create("srflx");

	tcase_add_test(tc, test_success_v4);
	tcase_add_test(tc, test_success_v6_no_software);
	tcase_add_test(tc, test_ignores_integrity_and_optional);
	tcase_add_test(tc, test_420_unknown);
	tcase_add_test(tc, test_400_malformed);
	tcase_add_test(tc, test_discards);
	tcase_add_test(tc, test_ignores_non_requests);
	tcase_add_test(tc, test_amplification_budget);
	tcase_add_test(tc, test_rate_limit);
	tcase_add_test(tc, test_mutations_keep_invariants);
	suite_add_tcase(s, tc);
	tcase_add_test(tq, test_srflx_through_nat);
	tcase_add_test(tq, test_srflx_ignores_forgeries_then_times_out);
	tcase_add_test(tq, test_srflx_error_and_compat);
	suite_add_tcase(s, tq);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(server_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
