// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the transmit prefix trie kmod/lpm.c: the longest prefix
 * wins (/32 inside /24 inside /16, IPv4 and IPv6, a default route),
 * withdrawing the more specific prefix falls back to the shorter one, a
 * prefix held by another value is refused, failed allocations change
 * nothing, nodes are given back, and random tables agree with a
 * brute-force reference.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "lpm_ref.h"

#define V4	MICE_LPM_V4_BITS
#define V6	MICE_LPM_V6_BITS

static int peer_a, peer_b, peer_c, peer_d;

static const u8 *v4(u8 a, u8 b, u8 c, u8 d)
{
	static u8 buf[8][16];
	static unsigned int next;
	u8 *p = buf[next++ % 8];

	memset(p, 0, 16);
	p[0] = a;
	p[1] = b;
	p[2] = c;
	p[3] = d;
	return p;
}

/* fd00:<a>::<b>:<c>, enough to nest /32 /64 /128 */
static const u8 *v6(u16 a, u16 b, u16 c)
{
	static u8 buf[8][16];
	static unsigned int next;
	u8 *p = buf[next++ % 8];

	memset(p, 0, 16);
	p[0] = 0xfd;
	p[2] = (u8)(a >> 8);
	p[3] = (u8)a;
	p[12] = (u8)(b >> 8);
	p[13] = (u8)b;
	p[14] = (u8)(c >> 8);
	p[15] = (u8)c;
	return p;
}

START_TEST(test_nested_v4)
{
	struct mice_lpm t = { 0 };

	ck_assert_ptr_null(mice_lpm_lookup(&t, V4, v4(10, 1, 2, 3)));
	ck_assert_int_eq(mice_lpm_insert(&t, V4, v4(10, 1, 0, 0), 16, &peer_a), MICE_LPM_ADDED);
	ck_assert_int_eq(mice_lpm_insert(&t, V4, v4(10, 1, 2, 3), 32, &peer_c), MICE_LPM_ADDED);
	ck_assert_int_eq(mice_lpm_insert(&t, V4, v4(10, 1, 2, 0), 24, &peer_b), MICE_LPM_ADDED);
	ck_assert(lpm_check(&t));
	ck_assert_ptr_eq(mice_lpm_lookup(&t, V4, v4(10, 1, 2, 3)), &peer_c);
	ck_assert_ptr_eq(mice_lpm_lookup(&t, V4, v4(10, 1, 2, 4)), &peer_b);
	ck_assert_ptr_eq(mice_lpm_lookup(&t, V4, v4(10, 1, 3, 3)), &peer_a);
	ck_assert_ptr_null(mice_lpm_lookup(&t, V4, v4(10, 2, 2, 3)));
	/* the IPv6 trie is separate */
	ck_assert_ptr_null(mice_lpm_lookup(&t, V6, v4(10, 1, 2, 3)));

	ck_assert_int_eq(mice_lpm_remove(&t, V4, v4(10, 1, 2, 3), 32, &peer_c), MICE_LPM_REMOVED);
	ck_assert_ptr_eq(mice_lpm_lookup(&t, V4, v4(10, 1, 2, 3)), &peer_b);
	ck_assert_int_eq(mice_lpm_remove(&t, V4, v4(10, 1, 2, 0), 24, &peer_b), MICE_LPM_REMOVED);
	ck_assert_ptr_eq(mice_lpm_lookup(&t, V4, v4(10, 1, 2, 3)), &peer_a);
	ck_assert(lpm_check(&t));
	ck_assert_int_eq(mice_lpm_remove(&t, V4, v4(10, 1, 0, 0), 16, &peer_a), MICE_LPM_REMOVED);
	ck_assert_ptr_null(mice_lpm_lookup(&t, V4, v4(10, 1, 2, 3)));
	ck_assert_uint_eq(t.nodes, 0);
	ck_assert_int_eq(lpm_live_nodes, 0);
}
END_TEST

START_TEST(test_nested_v6_and_default)
{
	struct mice_lpm t = { 0 };

	ck_assert_int_eq(mice_lpm_insert(&t, V6, v6(1, 0, 0), 32, &peer_a), MICE_LPM_ADDED);
	ck_assert_int_eq(mice_lpm_insert(&t, V6, v6(1, 7, 0), 112, &peer_b), MICE_LPM_ADDED);
	ck_assert_int_eq(mice_lpm_insert(&t, V6, v6(1, 7, 9), 128, &peer_c), MICE_LPM_ADDED);
	ck_assert_int_eq(mice_lpm_insert(&t, V6, v6(0, 0, 0), 0, &peer_d), MICE_LPM_ADDED);
	ck_assert(lpm_check(&t));
	ck_assert_ptr_eq(mice_lpm_lookup(&t, V6, v6(1, 7, 9)), &peer_c);
	ck_assert_ptr_eq(mice_lpm_lookup(&t, V6, v6(1, 7, 8)), &peer_b);
	ck_assert_ptr_eq(mice_lpm_lookup(&t, V6, v6(1, 6, 9)), &peer_a);
	ck_assert_ptr_eq(mice_lpm_lookup(&t, V6, v6(2, 7, 9)), &peer_d);
	ck_assert_int_eq(mice_lpm_remove(&t, V6, v6(1, 0, 0), 32, &peer_a), MICE_LPM_REMOVED);
	ck_assert(lpm_check(&t));
	ck_assert_ptr_eq(mice_lpm_lookup(&t, V6, v6(1, 6, 9)), &peer_d);
	ck_assert_ptr_eq(mice_lpm_lookup(&t, V6, v6(1, 7, 9)), &peer_c);
	ck_assert_int_eq(mice_lpm_remove(&t, V6, v6(1, 7, 9), 128, &peer_c), MICE_LPM_REMOVED);
	ck_assert_int_eq(mice_lpm_remove(&t, V6, v6(1, 7, 0), 112, &peer_b), MICE_LPM_REMOVED);
	ck_assert_int_eq(mice_lpm_remove(&t, V6, v6(0, 0, 0), 0, &peer_d), MICE_LPM_REMOVED);
	ck_assert_uint_eq(t.nodes, 0);
	ck_assert_int_eq(lpm_live_nodes, 0);
}
END_TEST

START_TEST(test_owner_rules)
{
	struct mice_lpm t = { 0 };

	ck_assert_int_eq(mice_lpm_insert(&t, V4, v4(10, 9, 0, 0), 16, &peer_a), MICE_LPM_ADDED);
	/* host bits are ignored: the same prefix */
	ck_assert_int_eq(mice_lpm_insert(&t, V4, v4(10, 9, 77, 1), 16, &peer_a), MICE_LPM_PRESENT);
	ck_assert_int_eq(mice_lpm_insert(&t, V4, v4(10, 9, 0, 0), 16, &peer_b), MICE_LPM_TAKEN);
	ck_assert_ptr_eq(mice_lpm_exact(&t, V4, v4(10, 9, 0, 0), 16), &peer_a);
	ck_assert_ptr_null(mice_lpm_exact(&t, V4, v4(10, 9, 0, 0), 17));
	ck_assert_int_eq(mice_lpm_remove(&t, V4, v4(10, 9, 0, 0), 16, &peer_b), MICE_LPM_ABSENT);
	ck_assert_int_eq(mice_lpm_remove(&t, V4, v4(10, 9, 0, 0), 15, &peer_a), MICE_LPM_ABSENT);
	ck_assert_int_eq(mice_lpm_insert(&t, V4, v4(10, 9, 0, 0), 33, &peer_a), MICE_LPM_BAD_LENGTH);
	ck_assert_ptr_eq(mice_lpm_lookup(&t, V4, v4(10, 9, 1, 1)), &peer_a);
	ck_assert_int_eq(mice_lpm_remove(&t, V4, v4(10, 9, 0, 0), 16, &peer_a), MICE_LPM_REMOVED);
	ck_assert_int_eq(lpm_live_nodes, 0);
}
END_TEST

START_TEST(test_nomem_changes_nothing)
{
	struct mice_lpm t = { 0 };
	long budget;

	ck_assert_int_eq(mice_lpm_insert(&t, V4, v4(10, 0, 0, 1), 32, &peer_a), MICE_LPM_ADDED);
	/* a sibling needs a leaf and a branching node: fail either one */
	for (budget = 0; budget < 2; budget++) {
		lpm_alloc_budget = budget;
		ck_assert_int_eq(mice_lpm_insert(&t, V4, v4(10, 0, 0, 2), 32, &peer_b),
				 MICE_LPM_NOMEM);
		lpm_alloc_budget = -1;
		ck_assert(lpm_check(&t));
		ck_assert_uint_eq(t.nodes, 1);
		ck_assert_uint_eq(t.prefixes, 1);
		ck_assert_ptr_null(mice_lpm_lookup(&t, V4, v4(10, 0, 0, 2)));
		ck_assert_ptr_eq(mice_lpm_lookup(&t, V4, v4(10, 0, 0, 1)), &peer_a);
	}
	ck_assert_int_eq(mice_lpm_insert(&t, V4, v4(10, 0, 0, 2), 32, &peer_b), MICE_LPM_ADDED);
	ck_assert_int_eq(mice_lpm_remove(&t, V4, v4(10, 0, 0, 1), 32, &peer_a), MICE_LPM_REMOVED);
	ck_assert_int_eq(mice_lpm_remove(&t, V4, v4(10, 0, 0, 2), 32, &peer_b), MICE_LPM_REMOVED);
	ck_assert_int_eq(lpm_live_nodes, 0);
}
END_TEST

static u64 lcg_state = 42;

static u32 lcg(void)
{
	lcg_state = lcg_state * 6364136223846793005ull + 1442695040888963407ull;
	return (u32)(lcg_state >> 33);
}

/* Random prefixes near one another so that they nest and share paths. */
static void random_key(u8 *key, unsigned int bits)
{
	unsigned int i;

	memset(key, 0, 16);
	key[0] = 10;
	for (i = 1; i < bits / 8; i++)
		key[i] = (u8)(lcg() & (i == bits / 8 - 1 ? 0xff : 0x3));
}

START_TEST(test_random_against_reference)
{
	static int values[64];
	struct ref_table ref = { 0 };
	struct mice_lpm t = { 0 };
	unsigned int round, bits;
	u8 key[16], len;

	for (round = 0; round < 20000; round++) {
		enum mice_lpm_result want, got;
		void *value = &values[lcg() % 64];

		bits = lcg() & 1 ? V4 : V6;
		random_key(key, bits);
		len = (u8)(lcg() % (bits + 1));
		if (lcg() % 3) {
			want = ref_insert(&ref, bits, key, len, value);
			got = mice_lpm_insert(&t, bits, key, len, value);
		} else {
			want = ref_remove(&ref, bits, key, len, value);
			got = mice_lpm_remove(&t, bits, key, len, value);
		}
		ck_assert_int_eq(got, want);
		random_key(key, bits);
		ck_assert_ptr_eq(mice_lpm_lookup(&t, bits, key),
				 ref_lookup(&ref, bits, key));
		if (round % 500 == 0)
			ck_assert(lpm_check(&t));
	}
	ck_assert(lpm_check(&t));
	while (ref.n) {
		struct ref_entry e = ref.e[ref.n - 1];

		ck_assert_int_eq(mice_lpm_remove(&t, e.bits, e.key, e.len, e.value),
				 MICE_LPM_REMOVED);
		ref.n--;
	}
	ck_assert_uint_eq(t.nodes, 0);
	ck_assert_uint_eq(t.prefixes, 0);
	ck_assert_int_eq(lpm_live_nodes, 0);
	free(ref.e);
}
END_TEST

/* 100 000 host routes: at most 2n - 1 nodes, each one found. */
START_TEST(test_many_hosts)
{
	static int value;
	struct mice_lpm t = { 0 };
	unsigned int i;
	u8 key[16] = { 0 };

	for (i = 0; i < 100000; i++) {
		key[0] = 10;
		key[1] = (u8)(i >> 16);
		key[2] = (u8)(i >> 8);
		key[3] = (u8)i;
		ck_assert_int_eq(mice_lpm_insert(&t, V4, key, 32, &value), MICE_LPM_ADDED);
	}
	ck_assert_uint_le(t.nodes, 2 * 100000 - 1);
	ck_assert(lpm_check(&t));
	for (i = 0; i < 100000; i++) {
		key[1] = (u8)(i >> 16);
		key[2] = (u8)(i >> 8);
		key[3] = (u8)i;
		ck_assert_ptr_eq(mice_lpm_lookup(&t, V4, key), &value);
		ck_assert_int_eq(mice_lpm_remove(&t, V4, key, 32, &value), MICE_LPM_REMOVED);
	}
	ck_assert_uint_eq(t.nodes, 0);
	ck_assert_int_eq(lpm_live_nodes, 0);
}
END_TEST

static Suite *lpm_suite(void)
{
	Suite *s = suite_create("lpm");
	TCase *tc = tcase_create("lpm");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_nested_v4);
	tcase_add_test(tc, test_nested_v6_and_default);
	tcase_add_test(tc, test_owner_rules);
	tcase_add_test(tc, test_nomem_changes_nothing);
	tcase_add_test(tc, test_random_against_reference);
	tcase_add_test(tc, test_many_hosts);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(lpm_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
