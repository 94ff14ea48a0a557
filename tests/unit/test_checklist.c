// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of agent/checklist.c: RFC 8445 s.6.1.2.3 pair priority (hand
 * computed), s.6.1.2.2 pairing rules, s.6.1.2.4 pruning, s.6.1.2.5 / seed
 * 004 s.14.4.2 limit of 100, sort order, states with and without the
 * frozen algorithm (seed 004 s.1.4, RFC 8445 s.6.1.2.6), lookup and
 * peer-reflexive pairs.
 */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checklist.h"
#include "mh.h"

static struct ice_addr A(const char *ip, uint16_t port)
{
	struct ice_addr a;
	uint8_t b[16];
	int fam = strchr(ip, ':') ? AF_INET6 : AF_INET;

	ck_assert_int_eq(inet_pton(fam, ip, b), 1);
	ice_addr_set(&a, fam, b, port);
	return a;
}

static struct ice_cand C(enum ice_cand_type t, const char *ip,
			 uint16_t port, uint8_t comp, uint16_t lp)
{
	struct ice_cand c;

	memset(&c, 0, sizeof(c));
	c.type = t;
	c.transport = ICE_TRANSPORT_UDP;
	c.component = comp;
	c.local_pref = lp;
	c.addr = A(ip, port);
	c.base = c.addr;
	ice_cand_compute_priority(&c);
	return c;
}

static struct checklist cl;

static void init(bool controlling, bool frozen, unsigned int max)
{
	struct cl_config cfg = {
		.controlling = controlling, .use_frozen = frozen,
		.max_pairs = max,
	};

	ck_assert_int_eq(cl_init(&cl, &cfg), 0);
}

static void assert_sorted(void)
{
	unsigned int i;

	for (i = 1; i < cl.n; i++)
		ck_assert_uint_ge(cl.pairs[i - 1].priority,
				  cl.pairs[i].priority);
}

START_TEST(test_pair_priority_formula)
{
	/* G = D = 2130706431 = 0x7effffff:
	 * 2^32 * 0x7effffff + 2 * 0x7effffff + 0
	 * = 0x7effffff00000000 + 0xfdfffffe */
	ck_assert_uint_eq(cl_pair_priority(2130706431u, 2130706431u),
			  0x7efffffffdfffffeull);
	/* G=2, D=1: 2^32*1 + 2*2 + 1 = 4294967301 */
	ck_assert_uint_eq(cl_pair_priority(2, 1), 4294967301ull);
	/* G=1, D=2: 2^32*1 + 2*2 + 0 = 4294967300: the tie-break bit */
	ck_assert_uint_eq(cl_pair_priority(1, 2), 4294967300ull);
	/* the top of the range needs 64 bits: G = D = 2^31-1
	 * 2^32 * 0x7fffffff + 2 * 0x7fffffff = 0x7ffffffffffffffe */
	ck_assert_uint_eq(cl_pair_priority(0x7fffffffu, 0x7fffffffu),
			  0x7ffffffffffffffeull);
	/* G=2^31-1, D=1: 2^32 + 4294967294 + 1 = 8589934591 */
	ck_assert_uint_eq(cl_pair_priority(0x7fffffffu, 1), 8589934591ull);
	ck_assert_uint_eq(cl_pair_priority(1, 0x7fffffffu), 8589934590ull);
}
END_TEST

START_TEST(test_form_prune_sort)
{
	struct ice_cand local[3], remote[3];
	unsigned int i;

	local[0] = C(ICE_CAND_HOST, "10.0.0.1", 5000, 1, 65279);
	local[1] = C(ICE_CAND_SRFLX, "198.51.100.1", 6000, 1, 65279);
	local[1].base = A("10.0.0.1", 5000);
	local[2] = C(ICE_CAND_HOST, "2001:db8::1", 5000, 1, 65535);
	remote[0] = C(ICE_CAND_HOST, "192.0.2.1", 7000, 1, 65535);
	remote[1] = C(ICE_CAND_SRFLX, "203.0.113.5", 8000, 1, 65535);
	remote[1].base = A("192.168.1.2", 8000);
	remote[2] = C(ICE_CAND_HOST, "2001:db8::2", 7000, 1, 65535);
	strcpy(local[0].foundation, "L1");
	strcpy(local[1].foundation, "L2");
	strcpy(local[2].foundation, "L3");

	init(true, false, 0);
	/* 2x2 IPv4 + 1x1 IPv6 = 5 pairs; the two with the srflx local
	 * become (host base, remote) duplicates of lower priority: 3 left */
	ck_assert_int_eq(cl_form(&cl, local, 3, remote, 3), 3);
	assert_sorted();
	for (i = 0; i < cl.n; i++) {
		ck_assert_int_eq(cl.pairs[i].local.type, ICE_CAND_HOST);
		ck_assert_int_eq(cl.pairs[i].state, CL_WAITING);
		ck_assert_uint_eq(cl.pairs[i].priority,
				  cl_pair_priority(cl.pairs[i].local.priority,
						   cl.pairs[i].remote.priority));
		ck_assert_uint_ne(cl.pairs[i].id, 0);
	}
	/* highest first: v6 host/host (local pref 65535) */
	ck_assert_uint_eq(cl.pairs[0].local.addr.family, AF_INET6);
	ck_assert_uint_eq(cl.pairs[0].remote.addr.family, AF_INET6);
	ck_assert_int_eq(cl.pairs[2].remote.type, ICE_CAND_SRFLX);
	/* derived remote foundations, pair foundation local:remote */
	ck_assert_str_eq(cl.pairs[0].foundation, "L3:R3");
	ck_assert_str_eq(cl.pairs[1].foundation, "L1:R1");
	ck_assert_str_eq(cl.pairs[2].foundation, "L1:R2");
	cl_free(&cl);
}
END_TEST

START_TEST(test_srflx_without_host_kept_as_base)
{
	struct ice_cand local, remote;

	/* only the srflx is known locally: the pair's local is its base */
	local = C(ICE_CAND_SRFLX, "198.51.100.1", 6000, 1, 10);
	local.base = A("10.0.0.9", 4000);
	remote = C(ICE_CAND_HOST, "192.0.2.1", 7000, 1, 10);
	init(true, false, 0);
	ck_assert_int_eq(cl_form(&cl, &local, 1, &remote, 1), 1);
	ck_assert(ice_addr_eq(&cl.pairs[0].local.addr, &local.base));
	/* the pair keeps the priority computed with the srflx */
	ck_assert_uint_eq(cl.pairs[0].priority,
			  cl_pair_priority(local.priority, remote.priority));
	ck_assert_ptr_eq(cl_find(&cl, &local.base, &remote.addr),
			 &cl.pairs[0]);
	ck_assert_ptr_null(cl_find(&cl, &local.addr, &remote.addr));
	cl_free(&cl);
}
END_TEST

START_TEST(test_pairing_rules)
{
	struct ice_cand local[3], remote[3];

	local[0] = C(ICE_CAND_HOST, "10.0.0.1", 1, 1, 1);
	local[1] = C(ICE_CAND_HOST, "10.0.0.1", 2, 2, 1);
	local[2] = C(ICE_CAND_HOST, "fe80::1", 3, 1, 1);
	remote[0] = C(ICE_CAND_HOST, "192.0.2.1", 1, 2, 1);	/* comp 2 */
	remote[1] = C(ICE_CAND_HOST, "2001:db8::1", 1, 1, 1);	/* global */
	remote[2] = C(ICE_CAND_HOST, "fe80::2", 1, 1, 1);	/* link-local */
	init(true, false, 0);
	/* only local[1]-remote[0] (comp 2, v4) and the link-local pair */
	ck_assert_int_eq(cl_form(&cl, local, 3, remote, 3), 2);
	ck_assert_ptr_nonnull(cl_find(&cl, &local[1].addr, &remote[0].addr));
	ck_assert_ptr_nonnull(cl_find(&cl, &local[2].addr, &remote[2].addr));
	ck_assert_ptr_null(cl_find(&cl, &local[2].addr, &remote[1].addr));
	ck_assert_ptr_null(cl_find(&cl, &local[0].addr, &remote[0].addr));
	cl_free(&cl);
}
END_TEST

START_TEST(test_limit_100)
{
	struct ice_cand local[11], remote[10];
	uint64_t all[110], cut;
	unsigned int i, j, k = 0;
	char ip[32];

	for (i = 0; i < 11; i++) {
		snprintf(ip, sizeof(ip), "10.0.0.%u", i + 1);
		local[i] = C(ICE_CAND_HOST, ip, 1000, 1,
			     (uint16_t)(100 * i + 7));
	}
	for (j = 0; j < 10; j++) {
		snprintf(ip, sizeof(ip), "192.0.2.%u", j + 1);
		remote[j] = C(ICE_CAND_HOST, ip, 2000, 1,
			      (uint16_t)(1000 * j + 3));
	}
	for (i = 0; i < 11; i++)
		for (j = 0; j < 10; j++)
			all[k++] = cl_pair_priority(local[i].priority,
						    remote[j].priority);
	/* the 100th highest of the 110 */
	for (i = 0; i < 110; i++)
		for (j = i + 1; j < 110; j++)
			if (all[j] > all[i]) {
				uint64_t t = all[i];

				all[i] = all[j];
				all[j] = t;
			}
	cut = all[99];

	init(true, false, 0);
	ck_assert_uint_eq(cl.cfg.max_pairs, 100);
	ck_assert_int_eq(cl_form(&cl, local, 11, remote, 10), 100);
	assert_sorted();
	ck_assert_uint_eq(cl.pairs[0].priority, all[0]);
	ck_assert_uint_eq(cl.pairs[99].priority, cut);
	cl_free(&cl);

	init(true, false, 7);
	ck_assert_int_eq(cl_form(&cl, local, 11, remote, 10), 7);
	ck_assert_uint_eq(cl.pairs[6].priority, all[6]);
	cl_free(&cl);
}
END_TEST

START_TEST(test_controlled_role)
{
	struct ice_cand l = C(ICE_CAND_HOST, "10.0.0.1", 1, 1, 5);
	struct ice_cand r = C(ICE_CAND_SRFLX, "192.0.2.1", 1, 1, 5);

	init(false, false, 0);
	ck_assert_int_eq(cl_form(&cl, &l, 1, &r, 1), 1);
	/* controlled: G is the remote's priority. l > r, so no +1 bit. */
	ck_assert_uint_eq(cl.pairs[0].priority,
			  cl_pair_priority(r.priority, l.priority));
	ck_assert_uint_eq(cl.pairs[0].priority & 1, 0);
	cl_free(&cl);
	init(true, false, 0);
	ck_assert_int_eq(cl_form(&cl, &l, 1, &r, 1), 1);
	ck_assert_uint_eq(cl.pairs[0].priority & 1, 1);
	cl_free(&cl);
}
END_TEST

START_TEST(test_states_no_frozen)
{
	struct ice_cand l[2], r;
	struct cl_pair *p;

	l[0] = C(ICE_CAND_HOST, "10.0.0.1", 1, 1, 9);
	l[1] = C(ICE_CAND_HOST, "10.0.0.2", 1, 1, 8);
	r = C(ICE_CAND_HOST, "192.0.2.1", 1, 1, 5);
	init(true, false, 0);
	ck_assert_int_eq(cl_form(&cl, l, 2, &r, 1), 2);
	p = cl_next_waiting(&cl);
	ck_assert_ptr_eq(p, &cl.pairs[0]);
	ck_assert(ice_addr_eq(&p->local.addr, &l[0].addr));
	ck_assert_int_eq(cl_set_state(&cl, p->id, CL_IN_PROGRESS), 0);
	ck_assert_ptr_eq(cl_next_waiting(&cl), &cl.pairs[1]);
	ck_assert_int_eq(cl_set_state(&cl, cl.pairs[1].id, CL_FAILED), 0);
	ck_assert_ptr_null(cl_next_waiting(&cl));
	ck_assert_ptr_null(cl_unfreeze_one(&cl));	/* not in frozen mode */
	ck_assert_int_eq(cl_set_state(&cl, 9999, CL_WAITING), -1);
	ck_assert_str_eq(cl_state_name(CL_IN_PROGRESS), "in-progress");
	cl_free(&cl);
}
END_TEST

START_TEST(test_states_frozen)
{
	struct ice_cand l[3], r[3];

	/* l0/l1 share a foundation (same type and base IP), as do r0/r1 */
	l[0] = C(ICE_CAND_HOST, "10.0.0.1", 1, 1, 9);
	l[1] = C(ICE_CAND_HOST, "10.0.0.1", 2, 2, 9);
	l[2] = C(ICE_CAND_HOST, "10.0.0.3", 1, 1, 1);
	r[0] = C(ICE_CAND_HOST, "192.0.2.1", 1, 1, 9);
	r[1] = C(ICE_CAND_HOST, "192.0.2.1", 2, 2, 9);
	r[2] = C(ICE_CAND_HOST, "192.0.2.3", 1, 1, 1);
	init(true, true, 0);
	/* comp 1: l0,l2 x r0,r2 = 4; comp 2: l1 x r1 = 1 */
	ck_assert_int_eq(cl_form(&cl, l, 3, r, 3), 5);
	{
		struct cl_pair *c1 = cl_find(&cl, &l[0].addr, &r[0].addr);
		struct cl_pair *c2 = cl_find(&cl, &l[1].addr, &r[1].addr);
		struct cl_pair *x = cl_find(&cl, &l[2].addr, &r[2].addr);
		unsigned int id2 = c2->id, i, waiting = 0;

		ck_assert_str_eq(c1->foundation, c2->foundation);
		/* s.6.1.2.6: lowest component of the foundation waits */
		ck_assert_int_eq(c1->state, CL_WAITING);
		ck_assert_int_eq(c2->state, CL_FROZEN);
		/* every foundation has exactly one Waiting pair */
		ck_assert_int_eq(x->state, CL_WAITING);
		for (i = 0; i < cl.n; i++)
			waiting += cl.pairs[i].state == CL_WAITING;
		ck_assert_uint_eq(waiting, 4);	/* 4 foundations */
		/* success unfreezes the same foundation (s.7.2.5.3.3) */
		ck_assert_int_eq(cl_set_state(&cl, c1->id, CL_SUCCEEDED), 0);
		ck_assert_int_eq(cl_by_id(&cl, id2)->state, CL_WAITING);
	}
	cl_free(&cl);

	/* s.6.1.4.2: nothing waiting -> unfreeze one */
	init(true, true, 0);
	ck_assert_int_eq(cl_form(&cl, l, 2, r, 2), 2);
	ck_assert_int_eq(cl_set_state(&cl, cl.pairs[0].state == CL_WAITING ?
				      cl.pairs[0].id : cl.pairs[1].id,
				      CL_FAILED), 0);
	ck_assert_ptr_null(cl_next_waiting(&cl));
	{
		struct cl_pair *u = cl_unfreeze_one(&cl);

		ck_assert_ptr_nonnull(u);
		ck_assert_int_eq(u->state, CL_WAITING);
		ck_assert_uint_eq(u->local.component, 2);
		ck_assert_ptr_null(cl_unfreeze_one(&cl));	/* one waits */
	}
	cl_free(&cl);
}
END_TEST

START_TEST(test_add_prflx)
{
	struct ice_cand l[2], r[2];
	struct ice_addr pa = A("203.0.113.77", 9999);
	struct cl_pair *p, *q;
	uint64_t want;

	l[0] = C(ICE_CAND_HOST, "10.0.0.1", 1, 1, 100);
	l[1] = C(ICE_CAND_HOST, "10.0.0.2", 1, 1, 1);
	r[0] = C(ICE_CAND_HOST, "192.0.2.1", 1, 1, 100);
	r[1] = C(ICE_CAND_HOST, "192.0.2.2", 1, 1, 1);
	init(true, false, 0);
	ck_assert_int_eq(cl_form(&cl, l, 2, r, 2), 4);
	/* priority of a prflx remote, host-ish local: sorted insert */
	p = cl_add_prflx(&cl, &l[0], &pa, 1862270975u, CL_WAITING);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(cl.n, 5);
	want = cl_pair_priority(l[0].priority, 1862270975u);
	ck_assert_uint_eq(p->priority, want);
	ck_assert_int_eq(p->remote.type, ICE_CAND_PRFLX);
	ck_assert_str_eq(p->remote.foundation, "P1");
	assert_sorted();
	/* again: the existing pair, not a new one */
	q = cl_add_prflx(&cl, &l[0], &pa, 5, CL_WAITING);
	ck_assert_ptr_eq(q, cl_find(&cl, &l[0].addr, &pa));
	ck_assert_uint_eq(cl.n, 5);
	ck_assert_uint_eq(q->priority, want);
	/* family mismatch refused */
	ck_assert_ptr_null(cl_add_prflx(&cl, &l[0],
					&(struct ice_addr){ 0 }, 5,
					CL_WAITING));
	cl_free(&cl);

	/* at the cap: replaces the lowest Waiting pair if lower */
	init(true, false, 4);
	ck_assert_int_eq(cl_form(&cl, l, 2, r, 2), 4);
	ck_assert_ptr_null(cl_add_prflx(&cl, &l[1], &pa, 1, CL_WAITING));
	p = cl_add_prflx(&cl, &l[0], &pa, 2130706431u, CL_WAITING);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(cl.n, 4);
	assert_sorted();
	ck_assert_ptr_null(cl_find(&cl, &l[1].addr, &r[1].addr)); /* dropped */
	/* nothing Waiting/Frozen to drop: refused */
	{
		unsigned int i;

		for (i = 0; i < cl.n; i++)
			cl.pairs[i].state = CL_IN_PROGRESS;
	}
	pa = A("203.0.113.1", 1);
	ck_assert_ptr_null(cl_add_prflx(&cl, &l[0], &pa, 2100000000u,
					CL_WAITING));
	cl_free(&cl);
}
END_TEST


/*
 * End to end: the peer's candidate set goes out in a BU's MIP-ICE option
 * (seed 004 s.4, s.11), comes back through the decoders and becomes the
 * remote side of our check list (seed 004 s.5/s.6).
 */
START_TEST(test_offer_to_checklist)
{
	static struct ice_cand_set peer, mine;
	static struct mh_msg bu, rx;
	static uint8_t wire[MH_MAX_LEN];
	struct ice_cand remote[MIPICE_CAND_MAX], c;
	enum mipice_err ie;
	size_t n = 0;
	unsigned int i;

	ice_cand_set_init(&peer, 0, 'L');
	c = C(ICE_CAND_HOST, "192.168.1.5", 4191, 1,
	      ice_local_pref(AF_INET, 0, 0));
	ck_assert_int_eq(ice_cand_set_add(&peer, &c, NULL), ICE_ADD_NEW);
	c = C(ICE_CAND_SRFLX, "198.51.100.20", 61000, 1,
	      ice_local_pref(AF_INET, 0, 0));
	c.base = A("192.168.1.5", 4191);
	c.rel = c.base;
	ck_assert_int_eq(ice_cand_set_add(&peer, &c, NULL), ICE_ADD_NEW);
	c = C(ICE_CAND_HOST, "2001:db8:1::5", 4191, 1,
	      ice_local_pref(AF_INET6, 0, 0));
	ck_assert_int_eq(ice_cand_set_add(&peer, &c, NULL), ICE_ADD_NEW);
	ice_cand_set_sort(&peer);

	mh_bu_init(&bu, 1, MH_BU_A, mh_lifetime_units(60));
	bu.has_ice = true;
	strcpy(bu.ice.ufrag, "peer");
	strcpy(bu.ice.pwd, "peerpasswordpeerpassword");
	bu.ice.n_cand = peer.n;
	for (i = 0; i < peer.n; i++)
		mipice_cand_from_ice(&peer.c[i], &bu.ice.cand[i]);
	ck_assert_int_eq(mh_encode(&bu, wire, sizeof(wire), &n, &ie), MH_OK);
	ck_assert_int_eq(mh_decode(wire, n, NULL, &rx, &ie), MH_OK);
	ck_assert_uint_eq(rx.ice.n_cand, 3);
	for (i = 0; i < rx.ice.n_cand; i++)
		mipice_cand_to_ice(&rx.ice.cand[i], &remote[i]);
	/* the srflx's base is recovered from its related address */
	ck_assert(ice_addr_eq(&remote[1].base, &peer.c[1].base));

	ice_cand_set_init(&mine, 0, 'L');
	c = C(ICE_CAND_HOST, "10.0.0.1", 5000, 1,
	      ice_local_pref(AF_INET, 0, 0));
	ice_cand_set_add(&mine, &c, NULL);
	c = C(ICE_CAND_HOST, "2001:db8:2::1", 5000, 1,
	      ice_local_pref(AF_INET6, 0, 0));
	ice_cand_set_add(&mine, &c, NULL);

	init(false, false, 0);
	/* v4 host x {host, srflx} + v6 x v6 = 3 pairs, all Waiting */
	ck_assert_int_eq(cl_form(&cl, mine.c, mine.n, remote, rx.ice.n_cand),
			 3);
	assert_sorted();
	ck_assert_uint_eq(cl.pairs[0].local.addr.family, AF_INET6);
	for (i = 0; i < cl.n; i++)
		ck_assert_int_eq(cl.pairs[i].state, CL_WAITING);
	/* remote foundations derived: srflx and host differ */
	ck_assert_str_ne(cl.pairs[1].remote.foundation,
			 cl.pairs[2].remote.foundation);
	cl_free(&cl);
	mh_msg_clear(&bu);
	mh_msg_clear(&rx);
}
END_TEST

static Suite *checklist_suite(void)
{
	Suite *s = suite_create("checklist");
	TCase *tc = tcase_create("checklist");

	tcase_add_test(tc, test_pair_priority_formula);
	tcase_add_test(tc, test_form_prune_sort);
	tcase_add_test(tc, test_srflx_without_host_kept_as_base);
	tcase_add_test(tc, test_pairing_rules);
	tcase_add_test(tc, test_limit_100);
	tcase_add_test(tc, test_controlled_role);
	tcase_add_test(tc, test_states_no_frozen);
	tcase_add_test(tc, test_states_frozen);
	tcase_add_test(tc, test_add_prflx);
	tcase_add_test(tc, test_offer_to_checklist);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(checklist_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
