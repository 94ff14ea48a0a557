// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of agent/candidate.c: RFC 8445 s.5.1.2.1 priorities (expected
 * values computed by hand in the comments), the local-preference rule of
 * candidate.h, s.5.1.1.3 foundations, s.5.1.3 redundancy pruning, the cap.
 */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "candidate.h"

static struct ice_addr v4(const char *ip, uint16_t port)
{
	struct ice_addr a;
	uint8_t b[4];

	ck_assert_int_eq(inet_pton(AF_INET, ip, b), 1);
	ice_addr_set(&a, AF_INET, b, port);
	return a;
}

static struct ice_addr v6(const char *ip, uint16_t port)
{
	struct ice_addr a;
	uint8_t b[16];

	ck_assert_int_eq(inet_pton(AF_INET6, ip, b), 1);
	ice_addr_set(&a, AF_INET6, b, port);
	return a;
}

static struct ice_cand mk(enum ice_cand_type t, struct ice_addr addr,
			  struct ice_addr base, uint16_t lp, uint8_t comp)
{
	struct ice_cand c;

	memset(&c, 0, sizeof(c));
	c.type = t;
	c.transport = ICE_TRANSPORT_UDP;
	c.component = comp;
	c.local_pref = lp;
	c.addr = addr;
	c.base = base;
	ice_cand_compute_priority(&c);
	return c;
}

START_TEST(test_priority_exact)
{
	/* 126*2^24 + 65535*2^8 + (256-1)
	 * = 2113929216 + 16776960 + 255 = 2130706431 */
	ck_assert_uint_eq(ice_priority(126, 65535, 1), 2130706431u);
	/* 100*2^24 + 65535*2^8 + 255 = 1677721600 + 16776960 + 255 */
	ck_assert_uint_eq(ice_priority(100, 65535, 1), 1694498815u);
	/* 110*2^24 + 65535*2^8 + 255 = 1845493760 + 16776960 + 255 */
	ck_assert_uint_eq(ice_priority(110, 65535, 1), 1862270975u);
	/* 0*2^24 + 65535*2^8 + (256-2) = 16776960 + 254 */
	ck_assert_uint_eq(ice_priority(0, 65535, 2), 16777214u);
	/* 126*2^24 + 0 + (256-256) = 2113929216 */
	ck_assert_uint_eq(ice_priority(126, 0, 256), 2113929216u);
	/* 126*2^24 + 65279*2^8 + 255 = 2113929216 + 16711424 + 255 */
	ck_assert_uint_eq(ice_priority(126, 65279, 1), 2130640895u);
}
END_TEST

START_TEST(test_priority_out_of_range)
{
	ck_assert_uint_eq(ice_priority(126, 65535, 0), 0);
	ck_assert_uint_eq(ice_priority(126, 65535, 257), 0);
	ck_assert_uint_eq(ice_priority(127, 0, 1), 0);
	ck_assert_uint_eq(ice_priority(126, 65536, 1), 0);
}
END_TEST

START_TEST(test_type_prefs)
{
	ck_assert_int_eq(ice_type_pref(ICE_CAND_HOST), 126);
	ck_assert_int_eq(ice_type_pref(ICE_CAND_PRFLX), 110);
	ck_assert_int_eq(ice_type_pref(ICE_CAND_SRFLX), 100);
	ck_assert_int_eq(ice_type_pref(ICE_CAND_RELAY), 0);
	ck_assert_int_eq(ice_type_pref((enum ice_cand_type)9), -1);
	ck_assert_str_eq(ice_cand_type_name(ICE_CAND_SRFLX), "srflx");
}
END_TEST

START_TEST(test_compute_priority)
{
	struct ice_cand c = mk(ICE_CAND_HOST, v4("192.0.2.1", 4191),
			       v4("192.0.2.1", 4191), 65535, 1);

	ck_assert_uint_eq(c.priority, 2130706431u);
	c.type = ICE_CAND_RELAY;
	c.component = 2;
	ice_cand_compute_priority(&c);
	ck_assert_uint_eq(c.priority, 16777214u);
}
END_TEST

START_TEST(test_local_pref)
{
	/* hi = 255 - 2*rank - v4, lo = 255 - idx */
	ck_assert_uint_eq(ice_local_pref(AF_INET6, 0, 0), 65535);	/* ff ff */
	ck_assert_uint_eq(ice_local_pref(AF_INET, 0, 0), 65279);	/* fe ff */
	ck_assert_uint_eq(ice_local_pref(AF_INET6, 1, 0), 65023);	/* fd ff */
	ck_assert_uint_eq(ice_local_pref(AF_INET, 1, 2), 64765);	/* fc fd */
	/* rank clamps at 127: v4 -> hi 0, v6 -> hi 1 */
	ck_assert_uint_eq(ice_local_pref(AF_INET, 200, 0), 255);
	ck_assert_uint_eq(ice_local_pref(AF_INET6, 127, 0), 511);
	/* idx clamps at 255 */
	ck_assert_uint_eq(ice_local_pref(AF_INET6, 0, 999), 0xff00);
	/* interleaving: if0 v4 above if1 v6 */
	ck_assert_uint_gt(ice_local_pref(AF_INET, 0, 0),
			  ice_local_pref(AF_INET6, 1, 0));
}
END_TEST

START_TEST(test_foundation_rules)
{
	struct ice_addr base = v4("10.0.0.2", 5000);
	struct ice_cand h1 = mk(ICE_CAND_HOST, base, base, 1, 1);
	struct ice_cand h2 = mk(ICE_CAND_HOST, v4("10.0.0.2", 6000),
				v4("10.0.0.2", 6000), 1, 1);
	struct ice_cand h3 = mk(ICE_CAND_HOST, v4("10.0.0.3", 5000),
				v4("10.0.0.3", 5000), 1, 1);
	struct ice_cand s1 = mk(ICE_CAND_SRFLX, v4("198.51.100.1", 1),
				base, 1, 1);
	struct ice_cand s2 = mk(ICE_CAND_SRFLX, v4("198.51.100.1", 2),
				base, 1, 1);
	struct ice_cand s3 = s1;

	s1.server = v4("203.0.113.9", 3478);
	s2.server = v4("203.0.113.9", 3479);	/* port does not matter */
	s3.server = v4("203.0.113.10", 3478);
	ck_assert(ice_foundation_match(&h1, &h2));	/* same base IP */
	ck_assert(!ice_foundation_match(&h1, &h3));	/* other base IP */
	ck_assert(!ice_foundation_match(&h1, &s1));	/* other type */
	ck_assert(ice_foundation_match(&s1, &s2));	/* same server IP */
	ck_assert(!ice_foundation_match(&s1, &s3));	/* other server */
	h2.transport = 6;
	ck_assert(!ice_foundation_match(&h1, &h2));	/* other transport */
}
END_TEST

START_TEST(test_set_foundations)
{
	struct ice_cand_set s;
	struct ice_addr base = v4("10.0.0.2", 5000);
	struct ice_cand h1 = mk(ICE_CAND_HOST, base, base, 10, 1);
	struct ice_cand h2 = mk(ICE_CAND_HOST, v4("10.0.0.2", 5001),
				v4("10.0.0.2", 5001), 10, 2);
	struct ice_cand h3 = mk(ICE_CAND_HOST, v6("2001:db8::1", 5000),
				v6("2001:db8::1", 5000), 10, 1);
	struct ice_cand s1 = mk(ICE_CAND_SRFLX, v4("198.51.100.1", 7),
				base, 10, 1);

	s1.server = v4("203.0.113.9", 3478);
	ice_cand_set_init(&s, 0, 'L');
	ck_assert_uint_eq(s.max, ICE_CAND_SET_DEFAULT_MAX);
	ck_assert_int_eq(ice_cand_set_add(&s, &h1, NULL), ICE_ADD_NEW);
	ck_assert_int_eq(ice_cand_set_add(&s, &h2, NULL), ICE_ADD_NEW);
	ck_assert_int_eq(ice_cand_set_add(&s, &h3, NULL), ICE_ADD_NEW);
	ck_assert_int_eq(ice_cand_set_add(&s, &s1, NULL), ICE_ADD_NEW);
	ck_assert_str_eq(s.c[0].foundation, "L1");
	ck_assert_str_eq(s.c[1].foundation, "L1");	/* same type+base IP */
	ck_assert_str_eq(s.c[2].foundation, "L2");
	ck_assert_str_eq(s.c[3].foundation, "L3");
}
END_TEST

START_TEST(test_prune_redundant)
{
	struct ice_cand_set s;
	struct ice_addr a = v4("192.0.2.7", 4191);
	struct ice_cand host = mk(ICE_CAND_HOST, a, a, 65535, 1);
	/* no NAT: the STUN server reports the host address itself */
	struct ice_cand srflx = mk(ICE_CAND_SRFLX, a, a, 65535, 1);
	unsigned int idx = 99;

	ice_cand_set_init(&s, 5, 'L');
	ck_assert(ice_cand_redundant(&host, &srflx));
	ck_assert_int_eq(ice_cand_set_add(&s, &host, NULL), ICE_ADD_NEW);
	ck_assert_int_eq(ice_cand_set_add(&s, &srflx, NULL),
			 ICE_ADD_REDUNDANT);
	ck_assert_uint_eq(s.n, 1);
	ck_assert_int_eq(s.c[0].type, ICE_CAND_HOST);

	/* reverse order: the host replaces the srflx */
	ice_cand_set_init(&s, 5, 'L');
	ck_assert_int_eq(ice_cand_set_add(&s, &srflx, NULL), ICE_ADD_NEW);
	ck_assert_int_eq(ice_cand_set_add(&s, &host, &idx), ICE_ADD_REPLACED);
	ck_assert_uint_eq(idx, 0);
	ck_assert_uint_eq(s.n, 1);
	ck_assert_int_eq(s.c[0].type, ICE_CAND_HOST);
	ck_assert_uint_eq(s.c[0].priority, 2130706431u);

	/* same address, different base: not redundant */
	srflx.base = v4("10.1.1.1", 4191);
	ck_assert(!ice_cand_redundant(&host, &srflx));
	ck_assert_int_eq(ice_cand_set_add(&s, &srflx, NULL), ICE_ADD_NEW);
	ck_assert_uint_eq(s.n, 2);
}
END_TEST

START_TEST(test_cap_and_invalid)
{
	struct ice_cand_set s;
	struct ice_cand c;
	unsigned int i;

	ice_cand_set_init(&s, 3, 'L');
	for (i = 0; i < 4; i++) {
		c = mk(ICE_CAND_HOST, v4("10.0.0.1", (uint16_t)(1000 + i)),
		       v4("10.0.0.1", (uint16_t)(1000 + i)), 1, 1);
		ck_assert_int_eq(ice_cand_set_add(&s, &c, NULL),
				 i < 3 ? ICE_ADD_NEW : ICE_ADD_FULL);
	}
	ck_assert_uint_eq(s.n, 3);

	ice_cand_set_init(&s, 100000, 'L');
	ck_assert_uint_eq(s.max, ICE_CAND_SET_HARD_MAX);
	c = mk(ICE_CAND_HOST, v4("10.0.0.1", 1), v4("10.0.0.1", 1), 1, 1);
	c.component = 0;
	ck_assert_int_eq(ice_cand_set_add(&s, &c, NULL), ICE_ADD_INVALID);
	c = mk(ICE_CAND_HOST, v4("10.0.0.1", 0), v4("10.0.0.1", 0), 1, 1);
	ck_assert_int_eq(ice_cand_set_add(&s, &c, NULL), ICE_ADD_INVALID);
	c = mk(ICE_CAND_HOST, v4("0.0.0.0", 9), v4("0.0.0.0", 9), 1, 1);
	ck_assert_int_eq(ice_cand_set_add(&s, &c, NULL), ICE_ADD_INVALID);
	c = mk(ICE_CAND_SRFLX, v4("10.0.0.1", 9), v4("10.0.0.1", 9), 1, 1);
	memset(&c.base, 0, sizeof(c.base));
	ck_assert_int_eq(ice_cand_set_add(&s, &c, NULL), ICE_ADD_INVALID);
	c = mk(ICE_CAND_HOST, v4("10.0.0.1", 9), v4("10.0.0.1", 9), 1, 1);
	c.transport = 6;
	ck_assert_int_eq(ice_cand_set_add(&s, &c, NULL), ICE_ADD_INVALID);
	ck_assert_uint_eq(s.n, 0);
	/* host without a base gets itself as base */
	c = mk(ICE_CAND_HOST, v4("10.0.0.1", 9), v4("10.0.0.1", 9), 1, 1);
	memset(&c.base, 0, sizeof(c.base));
	ck_assert_int_eq(ice_cand_set_add(&s, &c, NULL), ICE_ADD_NEW);
	ck_assert(ice_addr_eq(&s.c[0].base, &s.c[0].addr));
}
END_TEST

START_TEST(test_sort_and_find)
{
	struct ice_cand_set s;
	struct ice_cand r = mk(ICE_CAND_RELAY, v4("10.9.9.9", 1),
			       v4("10.9.9.9", 1), 65535, 1);
	struct ice_cand h = mk(ICE_CAND_HOST, v4("10.0.0.1", 2),
			       v4("10.0.0.1", 2), 65535, 1);
	struct ice_cand x = mk(ICE_CAND_SRFLX, v4("10.5.5.5", 3),
			       v4("10.0.0.1", 2), 65535, 1);
	struct ice_addr q = v4("10.5.5.5", 3);

	ice_cand_set_init(&s, 0, 'L');
	ice_cand_set_add(&s, &r, NULL);
	ice_cand_set_add(&s, &h, NULL);
	ice_cand_set_add(&s, &x, NULL);
	ice_cand_set_sort(&s);
	ck_assert_int_eq(s.c[0].type, ICE_CAND_HOST);
	ck_assert_int_eq(s.c[1].type, ICE_CAND_SRFLX);
	ck_assert_int_eq(s.c[2].type, ICE_CAND_RELAY);
	ck_assert_int_eq(ice_cand_set_find(&s, &q), 1);
	q.port = 4;
	ck_assert_int_eq(ice_cand_set_find(&s, &q), -1);
}
END_TEST

START_TEST(test_addr_helpers)
{
	struct ice_addr a = v6("2001:db8::5", 4191), b;
	struct sockaddr_storage ss;
	socklen_t sl;
	char buf[64];

	ck_assert_int_eq(ice_addr_to_sockaddr(&a, &ss, &sl), 0);
	ck_assert_uint_eq(sl, sizeof(struct sockaddr_in6));
	ck_assert_int_eq(ice_addr_from_sockaddr(&b, (struct sockaddr *)&ss), 0);
	ck_assert(ice_addr_eq(&a, &b));
	ck_assert_str_eq(ice_addr_str(&a, buf, sizeof(buf)),
			 "[2001:db8::5]:4191");
	a = v4("192.0.2.1", 3478);
	ck_assert_int_eq(ice_addr_to_sockaddr(&a, &ss, &sl), 0);
	ck_assert_int_eq(ice_addr_from_sockaddr(&b, (struct sockaddr *)&ss), 0);
	ck_assert(ice_addr_eq(&a, &b));
	ck_assert_str_eq(ice_addr_str(&a, buf, sizeof(buf)), "192.0.2.1:3478");
	b.port = 1;
	ck_assert(!ice_addr_eq(&a, &b));
	ck_assert(ice_addr_ip_eq(&a, &b));
	ck_assert(ice_addr_is_multicast(&(struct ice_addr){ AF_INET, {239}, 1 }));
	ck_assert(ice_addr_is_v6_linklocal(
		&(struct ice_addr){ AF_INET6, {0xfe, 0x80}, 1 }));
	ck_assert(!ice_addr_is_v6_linklocal(
		&(struct ice_addr){ AF_INET6, {0xfe, 0xc0}, 1 }));
}
END_TEST

static Suite *candidate_suite(void)
{
	Suite *s = suite_create("candidate");
	TCase *tc = tcase_create("candidate");

	tcase_add_test(tc, test_priority_exact);
	tcase_add_test(tc, test_priority_out_of_range);
	tcase_add_test(tc, test_type_prefs);
	tcase_add_test(tc, test_compute_priority);
	tcase_add_test(tc, test_local_pref);
	tcase_add_test(tc, test_foundation_rules);
	tcase_add_test(tc, test_set_foundations);
	tcase_add_test(tc, test_prune_redundant);
	tcase_add_test(tc, test_cap_and_invalid);
	tcase_add_test(tc, test_sort_and_find);
	tcase_add_test(tc, test_addr_helpers);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(candidate_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
