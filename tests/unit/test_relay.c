// SPDX-License-Identifier: GPL-2.0
/*
 * The MN <-> Home Agent framing of relayed checks (agent/relay.c): Send
 * and Data indications as in RFC 8656 s.11 with XOR-PEER-ADDRESS and
 * DATA, plus mice's bind (seed 004 s.1.1 item 3, s.3).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "relay.h"
#include "replay.h"
#include "stun.h"

static const uint8_t check_msg[] = "a STUN check would be here, 36 bytes";

static struct ice_addr peer(int family)
{
	struct ice_addr a;

	ice_addr_set(&a, family, family == AF_INET ? "\xc6\x33\x64\x07" :
		     "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x07", 51234);
	return a;
}

START_TEST(round_trip)
{
	int family = _i & 1 ? AF_INET6 : AF_INET;
	uint16_t method = _i & 2 ? RELAY_METHOD_DATA : RELAY_METHOD_SEND;
	struct ice_addr p = peer(family);
	uint8_t buf[RELAY_FRAME_MAX];
	struct relay_frame f;
	const char *why = NULL;
	struct stun_msg m;
	size_t n;

	n = relay_frame_build(method, &p, check_msg, sizeof(check_msg), false,
			      buf, sizeof(buf));
	ck_assert_uint_gt(n, 20);
	ck_assert(relay_frame_is(buf, n));
	ck_assert_int_eq(relay_frame_parse(buf, n, &f, &why), 0);
	ck_assert_uint_eq(f.method, method);
	ck_assert(ice_addr_eq(&f.peer, &p));
	ck_assert(!f.bind);
	ck_assert_uint_eq(f.payload_len, sizeof(check_msg));
	ck_assert_mem_eq(f.payload, check_msg, sizeof(check_msg));
	/* a plain RFC 8489 indication of the TURN method, with FINGERPRINT */
	ck_assert_int_eq(stun_decode(buf, n, &m, NULL), STUN_OK);
	ck_assert_int_eq(m.cls, STUN_INDICATION);
	ck_assert_uint_eq(m.method, method);
	ck_assert(stun_msg_has(&m, STUN_K_FINGERPRINT));
	/* the peer address is XORed on the wire: the port's bytes differ */
	ck_assert_ptr_null(memmem(buf, n, "\xc8\x22", 2));
}
END_TEST

static const uint8_t mnha[] = "the-MN-HA-key-of-this-node-32byt";
static const uint8_t wrong[] = "not-the-MN-HA-key-of-this-node!!";

/* A Send the node signs: verifies under its key only, and only whole. */
START_TEST(signed_send)
{
	struct ice_addr p = peer(_i ? AF_INET6 : AF_INET);
	uint8_t buf[RELAY_FRAME_MAX], copy[RELAY_FRAME_MAX];
	struct relay_frame f;
	const char *why = NULL;
	unsigned int refused = 0;
	size_t n, i;

	n = relay_send_build(&p, check_msg, sizeof(check_msg), _i == 1,
			     0x0102030405060708ULL, mnha, 32, buf, sizeof(buf));
	ck_assert_uint_gt(n, 0);
	ck_assert_int_eq(relay_frame_parse(buf, n, &f, &why), 0);
	ck_assert(f.has_seq && f.has_integrity);
	ck_assert_uint_eq(f.seq, 0x0102030405060708ULL);
	ck_assert(f.bind == (_i == 1));
	ck_assert_int_eq(relay_send_verify(buf, n, &f, mnha, 32, &why), 0);
	ck_assert_int_eq(relay_send_verify(buf, n, &f, wrong, 32, &why), -1);
	ck_assert_str_eq(why, "MESSAGE-INTEGRITY-SHA256 does not verify (wrong key or tampered)");
	ck_assert_int_eq(relay_send_verify(buf, n, &f, NULL, 0, &why), -1);
	/* no octet can change and still verify */
	for (i = 0; i < n; i++) {
		struct relay_frame g;

		memcpy(copy, buf, n);
		copy[i] ^= 0x40;
		if (relay_frame_parse(copy, n, &g, &why) ||
		    relay_send_verify(copy, n, &g, mnha, 32, &why))
			refused++;
	}
	ck_assert_uint_eq(refused, n);
	/* no key, no signed Send */
	ck_assert_uint_eq(relay_send_build(&p, check_msg, 4, false, 1, NULL, 0,
					   buf, sizeof(buf)), 0);
}
END_TEST

/* What the HA refuses: unsigned, unnumbered, a Data indication. */
START_TEST(unsigned_send_refused)
{
	struct ice_addr p = peer(AF_INET);
	uint8_t buf[RELAY_FRAME_MAX];
	struct stun_builder b;
	struct stun_addr sa;
	struct relay_frame f;
	const char *why = NULL;
	size_t n;

	n = relay_frame_build(RELAY_METHOD_SEND, &p, NULL, 0, true, buf,
			      sizeof(buf));
	ck_assert_int_eq(relay_frame_parse(buf, n, &f, &why), 0);
	ck_assert_int_eq(relay_send_verify(buf, n, &f, mnha, 32, &why), -1);
	ck_assert_str_eq(why, "unsigned: no MICE-RELAY-SEQ");
	/* numbered, but no integrity */
	sa.family = AF_INET;
	memcpy(sa.ip, p.ip, sizeof(sa.ip));
	sa.port = p.port;
	stun_build_init(&b, buf, sizeof(buf), RELAY_METHOD_SEND, STUN_INDICATION, NULL);
	stun_build_xor_addr(&b, RELAY_ATTR_XOR_PEER, &sa);
	stun_build_attr(&b, RELAY_ATTR_BIND, NULL, 0);
	stun_build_u64(&b, RELAY_ATTR_SEQ, 9);
	stun_build_fingerprint(&b);
	n = stun_build_len(&b);
	ck_assert_int_eq(relay_frame_parse(buf, n, &f, &why), 0);
	ck_assert_int_eq(relay_send_verify(buf, n, &f, mnha, 32, &why), -1);
	ck_assert_str_eq(why, "unsigned: no full MESSAGE-INTEGRITY-SHA256");
	/* a sequence attribute of the wrong size */
	stun_build_init(&b, buf, sizeof(buf), RELAY_METHOD_SEND, STUN_INDICATION, NULL);
	stun_build_xor_addr(&b, RELAY_ATTR_XOR_PEER, &sa);
	stun_build_attr(&b, RELAY_ATTR_BIND, NULL, 0);
	stun_build_u32(&b, RELAY_ATTR_SEQ, 9);
	n = stun_build_len(&b);
	ck_assert_int_eq(relay_frame_parse(buf, n, &f, &why), -1);
	ck_assert_str_eq(why, "MICE-RELAY-SEQ not 8 octets");
	n = relay_frame_build(RELAY_METHOD_DATA, &p, check_msg, 8, false, buf,
			      sizeof(buf));
	ck_assert_int_eq(relay_frame_parse(buf, n, &f, &why), 0);
	ck_assert_int_eq(relay_send_verify(buf, n, &f, mnha, 32, &why), -1);
	ck_assert_str_eq(why, "not a Send indication");
}
END_TEST

#define T0 1800000000ULL

/* agent/replay.h: numbers grow with the clock; the window refuses replays */
START_TEST(replay_window)
{
	struct replay_window w = { 0 };
	uint64_t last = 0, s1, s2, s3;
	const char *why = NULL;
	unsigned int i;

	s1 = replay_next_seq(&last, T0);
	s2 = replay_next_seq(&last, T0);
	ck_assert_uint_eq(s1, T0 << 32);
	ck_assert_uint_eq(s2, s1 + 1);
	/* a clock that went back does not make numbers go back */
	s3 = replay_next_seq(&last, T0 - 5);
	ck_assert_uint_eq(s3, s2 + 1);
	ck_assert_uint_eq(replay_next_seq(&last, T0 + 1), (T0 + 1) << 32);

	ck_assert_int_eq(replay_check(&w, s2, T0, &why), 0);
	replay_accept(&w, s2);
	ck_assert_int_eq(replay_check(&w, s2, T0, &why), -1);
	ck_assert_str_eq(why, "sequence number already seen (replay)");
	/* reordered within the window: once */
	ck_assert_int_eq(replay_check(&w, s1, T0, &why), 0);
	replay_accept(&w, s1);
	ck_assert_int_eq(replay_check(&w, s1, T0, &why), -1);
	for (i = 0; i < REPLAY_WINDOW + 1; i++)
		replay_accept(&w, s2 + 1 + i);
	ck_assert_int_eq(replay_check(&w, s2, T0, &why), -1);
	ck_assert_str_eq(why, "sequence number below the replay window");
	ck_assert_int_eq(replay_check(&w, s2 + 1 + REPLAY_WINDOW, T0, &why), -1);
	ck_assert_int_eq(replay_check(&w, s2 + 2 + REPLAY_WINDOW, T0, &why), 0);
	/* a jump forward clears the window; the old top is then below it */
	replay_accept(&w, (T0 + 1) << 32);
	ck_assert_int_eq(replay_check(&w, s2 + 2 + REPLAY_WINDOW, T0 + 1, &why), -1);
	ck_assert_str_eq(why, "sequence number below the replay window");
	ck_assert_int_eq(replay_check(&w, ((T0 + 1) << 32) - 1, T0 + 1, &why), 0);
	/* time-bound: an empty window (a restarted HA) refuses old numbers */
	memset(&w, 0, sizeof(w));
	ck_assert_int_eq(replay_check(&w, (T0 - REPLAY_MAX_SKEW_S - 1) << 32, T0,
				      &why), -1);
	ck_assert_str_eq(why, "sequence number too old (replay or clock skew)");
	ck_assert_int_eq(replay_check(&w, (T0 - REPLAY_MAX_SKEW_S) << 32, T0, &why), 0);
	ck_assert_int_eq(replay_check(&w, (T0 + REPLAY_MAX_SKEW_S + 1) << 32, T0,
				      &why), -1);
	ck_assert_str_eq(why, "sequence number from the future (clock skew)");
}
END_TEST

/* Where no relay sends, whoever signs the request (docs/security.md). */
START_TEST(destinations_refused)
{
	static const struct {
		int family;
		const char *ip;
		const char *why;	/* NULL: allowed */
	} t[] = {
		{ AF_INET, "\x7f\x00\x00\x01", "toward a loopback or 0/8 address" },
		{ AF_INET, "\x7f\x05\x06\x07", "toward a loopback or 0/8 address" },
		{ AF_INET, "\x00\x00\x00\x00", "toward an unspecified address" },
		{ AF_INET, "\x00\x01\x02\x03", "toward a loopback or 0/8 address" },
		{ AF_INET, "\xa9\xfe\x01\x01", "toward a link-local address" },
		{ AF_INET, "\xe0\x00\x00\xfb", "toward a multicast address" },
		{ AF_INET, "\xef\x01\x02\x03", "toward a multicast address" },
		{ AF_INET, "\xff\xff\xff\xff", "toward a reserved or broadcast address" },
		{ AF_INET, "\xf0\x00\x00\x01", "toward a reserved or broadcast address" },
		{ AF_INET, "\xc6\x33\x64\x07", NULL },
		{ AF_INET, "\x0a\x63\x14\x07", NULL },
		{ AF_INET, "\xdf\xff\xff\xff", NULL },
		{ AF_INET6, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\1", "toward a loopback address" },
		{ AF_INET6, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", "toward an unspecified address" },
		{ AF_INET6, "\xfe\x80\0\0\0\0\0\0\0\0\0\0\0\0\0\1", "toward a link-local address" },
		{ AF_INET6, "\xff\x02\0\0\0\0\0\0\0\0\0\0\0\0\0\1", "toward a multicast address" },
		{ AF_INET6, "\0\0\0\0\0\0\0\0\0\0\xff\xff\x7f\0\0\1", "toward an IPv4-mapped address" },
		{ AF_INET6, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x07", NULL },
	};
	struct ice_addr a;
	unsigned int i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		const char *why;

		ice_addr_set(&a, t[i].family, t[i].ip, 9999);
		why = relay_dest_refused(&a);
		if (t[i].why)
			ck_assert_msg(why && !strcmp(why, t[i].why), "case %u: %s", i,
				      why ? why : "allowed");
		else
			ck_assert_msg(!why, "case %u: %s", i, why);
	}
	ice_addr_set(&a, AF_INET, "\xc6\x33\x64\x07", 0);
	ck_assert_str_eq(relay_dest_refused(&a), "toward an unspecified address");
}
END_TEST

START_TEST(bind_without_data)
{
	struct ice_addr p = peer(AF_INET);
	uint8_t buf[RELAY_FRAME_MAX];
	struct relay_frame f;
	const char *why = NULL;
	size_t n;

	n = relay_frame_build(RELAY_METHOD_SEND, &p, NULL, 0, true, buf,
			      sizeof(buf));
	ck_assert_uint_gt(n, 0);
	ck_assert_int_eq(relay_frame_parse(buf, n, &f, &why), 0);
	ck_assert(f.bind);
	ck_assert_uint_eq(f.payload_len, 0);
	/* a Data indication must carry data; nothing at all is refused */
	n = relay_frame_build(RELAY_METHOD_DATA, &p, NULL, 0, true, buf,
			      sizeof(buf));
	ck_assert_int_eq(relay_frame_parse(buf, n, &f, &why), -1);
	ck_assert_str_eq(why, "neither DATA nor a bind");
	ck_assert_uint_eq(relay_frame_build(RELAY_METHOD_SEND, &p, NULL, 0,
					    false, buf, sizeof(buf)), 0);
}
END_TEST

START_TEST(bad_frames_named)
{
	struct ice_addr p = peer(AF_INET), none = { 0 };
	uint8_t buf[RELAY_FRAME_MAX + 600], big[RELAY_PAYLOAD_MAX + 1] = { 0 };
	struct stun_builder b;
	struct relay_frame f;
	const char *why = NULL;
	size_t n;

	/* builder refuses what it must not frame */
	ck_assert_uint_eq(relay_frame_build(0x001, &p, check_msg, 4, false, buf,
					    sizeof(buf)), 0);
	ck_assert_uint_eq(relay_frame_build(RELAY_METHOD_SEND, &none, check_msg,
					    4, false, buf, sizeof(buf)), 0);
	ck_assert_uint_eq(relay_frame_build(RELAY_METHOD_SEND, &p, big,
					    sizeof(big), false, buf,
					    sizeof(buf)), 0);
	ck_assert_uint_eq(relay_frame_build(RELAY_METHOD_SEND, &p, check_msg,
					    sizeof(check_msg), false, buf, 40), 0);
	/* not STUN */
	ck_assert_int_eq(relay_frame_parse(check_msg, sizeof(check_msg), &f,
					   &why), -1);
	ck_assert_str_eq(why, "not a well-formed STUN message");
	/* a Binding request is no relay frame */
	stun_build_init(&b, buf, sizeof(buf), STUN_METHOD_BINDING, STUN_REQUEST,
			NULL);
	n = stun_build_len(&b);
	ck_assert(!relay_frame_is(buf, n));
	ck_assert_int_eq(relay_frame_parse(buf, n, &f, &why), -1);
	ck_assert_str_eq(why, "not a Send or Data indication");
	/* a Send indication without XOR-PEER-ADDRESS */
	stun_build_init(&b, buf, sizeof(buf), RELAY_METHOD_SEND, STUN_INDICATION,
			NULL);
	stun_build_attr(&b, RELAY_ATTR_DATA, check_msg, 8);
	n = stun_build_len(&b);
	ck_assert(relay_frame_is(buf, n));
	ck_assert_int_eq(relay_frame_parse(buf, n, &f, &why), -1);
	ck_assert_str_eq(why, "missing or malformed XOR-PEER-ADDRESS");
	/* DATA larger than a relayed check */
	stun_build_init(&b, buf, sizeof(buf), RELAY_METHOD_SEND, STUN_INDICATION,
			NULL);
	{
		struct stun_addr sa = { .family = AF_INET, .port = 9 };

		stun_build_xor_addr(&b, RELAY_ATTR_XOR_PEER, &sa);
	}
	stun_build_attr(&b, RELAY_ATTR_DATA, big, sizeof(big));
	n = stun_build_len(&b);
	ck_assert_int_eq(relay_frame_parse(buf, n, &f, &why), -1);
	ck_assert_str_eq(why, "DATA larger than a relayed check may be");
	/* unknown comprehension-required attribute */
	stun_build_init(&b, buf, sizeof(buf), RELAY_METHOD_DATA, STUN_INDICATION,
			NULL);
	{
		struct stun_addr sa = { .family = AF_INET, .port = 9 };

		stun_build_xor_addr(&b, RELAY_ATTR_XOR_PEER, &sa);
	}
	stun_build_attr(&b, RELAY_ATTR_DATA, check_msg, 8);
	stun_build_attr(&b, 0x7777, check_msg, 4);
	n = stun_build_len(&b);
	ck_assert_int_eq(relay_frame_parse(buf, n, &f, &why), -1);
	ck_assert_str_eq(why, "unknown comprehension-required attribute");
	/* truncations never parse */
	n = relay_frame_build(RELAY_METHOD_DATA, &p, check_msg, sizeof(check_msg),
			      false, buf, sizeof(buf));
	for (size_t k = 0; k < n; k++)
		ck_assert_int_eq(relay_frame_parse(buf, k, &f, &why), -1);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("relay");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_loop_test(tc, round_trip, 0, 4);
	tcase_add_test(tc, bind_without_data);
	tcase_add_test(tc, bad_frames_named);
	tcase_add_loop_test(tc, signed_send, 0, 2);
	tcase_add_test(tc, unsigned_send_refused);
	tcase_add_test(tc, replay_window);
	tcase_add_test(tc, destinations_refused);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
