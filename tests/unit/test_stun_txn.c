// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of agent/stun_txn.c and agent/clock.c: the RFC 8489 s.6.2.1
 * retransmission schedule on a fake clock (sends at 0, 500, 1500, 3500,
 * 7500, 15500, 31500 ms, timeout at 39500 ms by default), configurable
 * RTO/Rc/Rm, the 500 ms RTO floor, response matching by transaction ID,
 * and the bounded transaction table.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "stun.h"
#include "stun_txn.h"

#define MAXEV 64

/* Drives @t on the fake clock from its start until it times out, jumping
 * to each deadline; records the send times and the timeout time. Also
 * checks nothing happens 1 ms before each deadline. */
static unsigned int run(struct stun_txn *t, struct mice_clock *c,
			struct mice_fake_clock *f, uint64_t *sends,
			uint64_t *timeout)
{
	unsigned int n = 0;

	ck_assert_int_eq(stun_txn_start(t, mice_clock_now(c)), STUN_TXN_SEND);
	sends[n++] = mice_clock_now(c);
	*timeout = 0;
	while (n < MAXEV) {
		uint64_t d = stun_txn_next_deadline(t);
		enum stun_txn_action a;

		ck_assert(d != STUN_TXN_NEVER);
		ck_assert_uint_gt(d, mice_clock_now(c));
		mice_fake_clock_set(f, d - 1);
		ck_assert_int_eq(stun_txn_on_timer(t, mice_clock_now(c)),
				 STUN_TXN_WAIT);
		mice_fake_clock_set(f, d);
		a = stun_txn_on_timer(t, mice_clock_now(c));
		if (a == STUN_TXN_TIMEOUT) {
			*timeout = mice_clock_now(c);
			break;
		}
		ck_assert_int_eq(a, STUN_TXN_SEND);
		sends[n++] = mice_clock_now(c);
	}
	ck_assert_int_eq(t->state, STUN_TXN_TIMED_OUT);
	ck_assert(stun_txn_next_deadline(t) == STUN_TXN_NEVER);
	ck_assert_int_eq(stun_txn_on_timer(t, *timeout + 100000),
			 STUN_TXN_WAIT);
	return n;
}

START_TEST(test_default_schedule)
{
	static const uint64_t want[] = { 0, 500, 1500, 3500, 7500, 15500,
					 31500 };
	struct mice_fake_clock f;
	struct mice_clock c;
	struct stun_txn t;
	uint64_t sends[MAXEV], to;
	unsigned int n, i;

	mice_clock_fake(&c, &f, 0);
	ck_assert_int_eq(stun_txn_init(&t, NULL, STUN_METHOD_BINDING, NULL),
			 STUN_OK);
	ck_assert_int_eq(t.state, STUN_TXN_IDLE);
	ck_assert(stun_txn_next_deadline(&t) == STUN_TXN_NEVER);
	n = run(&t, &c, &f, sends, &to);
	ck_assert_uint_eq(n, 7);		/* Rc = 7 */
	for (i = 0; i < n; i++)
		ck_assert_uint_eq(sends[i], want[i]);
	ck_assert_uint_eq(to, 39500);		/* 31500 + 16 * 500 */
}
END_TEST

/* Same schedule shifted when the clock does not start at zero. */
START_TEST(test_schedule_offset_start)
{
	struct mice_fake_clock f;
	struct mice_clock c;
	struct stun_txn t;
	uint64_t sends[MAXEV], to;

	mice_clock_fake(&c, &f, 1000000);
	stun_txn_init(&t, NULL, STUN_METHOD_BINDING, NULL);
	ck_assert_uint_eq(run(&t, &c, &f, sends, &to), 7);
	ck_assert_uint_eq(sends[6], 1000000 + 31500);
	ck_assert_uint_eq(to, 1000000 + 39500);
}
END_TEST

START_TEST(test_configurable_rto)
{
	static const uint64_t want1000[] = { 0, 1000, 3000, 7000, 15000,
					     31000, 63000 };
	struct mice_fake_clock f;
	struct mice_clock c;
	struct stun_txn_cfg cfg;
	struct stun_txn t;
	uint64_t sends[MAXEV], to;
	unsigned int n, i;

	mice_clock_fake(&c, &f, 0);
	stun_txn_cfg_default(&cfg);
	cfg.rto_ms = 1000;
	ck_assert_int_eq(stun_txn_init(&t, NULL, 1, &cfg), STUN_OK);
	n = run(&t, &c, &f, sends, &to);
	ck_assert_uint_eq(n, 7);
	for (i = 0; i < n; i++)
		ck_assert_uint_eq(sends[i], want1000[i]);
	ck_assert_uint_eq(to, 63000 + 16000);

	/* Rc = 3, Rm = 4, RTO 100 ms (explicitly allowed below the floor) */
	mice_clock_fake(&c, &f, 0);
	cfg.rto_ms = 100;
	cfg.rc = 3;
	cfg.rm = 4;
	cfg.allow_short_rto = true;
	ck_assert_int_eq(stun_txn_init(&t, NULL, 1, &cfg), STUN_OK);
	n = run(&t, &c, &f, sends, &to);
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(sends[1], 100);
	ck_assert_uint_eq(sends[2], 300);
	ck_assert_uint_eq(to, 700);

	/* Rc = 1: one request, then the final wait */
	mice_clock_fake(&c, &f, 0);
	cfg.rc = 1;
	ck_assert_int_eq(stun_txn_init(&t, NULL, 1, &cfg), STUN_OK);
	n = run(&t, &c, &f, sends, &to);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(to, 400);
}
END_TEST

/* RFC 8489 s.6.2.1: RTO SHOULD be >= 500 ms; lower only on request. */
START_TEST(test_rto_floor)
{
	struct stun_txn_cfg cfg;
	struct stun_txn t;

	stun_txn_cfg_default(&cfg);
	ck_assert_uint_eq(cfg.rto_ms, 500);
	ck_assert_uint_eq(cfg.rc, 7);
	ck_assert_uint_eq(cfg.rm, 16);
	ck_assert_int_eq(stun_txn_cfg_check(&cfg), STUN_OK);
	cfg.rto_ms = 499;
	ck_assert_int_eq(stun_txn_cfg_check(&cfg), STUN_E_ARG);
	ck_assert_int_eq(stun_txn_init(&t, NULL, 1, &cfg), STUN_E_ARG);
	cfg.allow_short_rto = true;
	ck_assert_int_eq(stun_txn_cfg_check(&cfg), STUN_OK);
	cfg.rto_ms = 0;
	ck_assert_int_eq(stun_txn_cfg_check(&cfg), STUN_E_ARG);
	stun_txn_cfg_default(&cfg);
	cfg.rc = 0;
	ck_assert_int_eq(stun_txn_cfg_check(&cfg), STUN_E_ARG);
	cfg.rc = STUN_TXN_RC_MAX + 1;
	ck_assert_int_eq(stun_txn_cfg_check(&cfg), STUN_E_ARG);
	stun_txn_cfg_default(&cfg);
	cfg.rm = 0;
	ck_assert_int_eq(stun_txn_cfg_check(&cfg), STUN_E_ARG);
	ck_assert_int_eq(stun_txn_cfg_check(NULL), STUN_E_ARG);
}
END_TEST

/* A late timer call does not shift the schedule. */
START_TEST(test_late_timer)
{
	struct stun_txn t;

	stun_txn_init(&t, NULL, 1, NULL);
	stun_txn_start(&t, 0);
	ck_assert_int_eq(stun_txn_on_timer(&t, 700), STUN_TXN_SEND);
	ck_assert_uint_eq(stun_txn_next_deadline(&t), 1500);
	/* a second start is refused */
	ck_assert_int_eq(stun_txn_start(&t, 800), STUN_TXN_WAIT);
	ck_assert_uint_eq(t.sent, 2);
}
END_TEST

static size_t response(uint8_t *buf, size_t cap, uint16_t method,
		       enum stun_class cls, const uint8_t *tid,
		       struct stun_msg *m)
{
	struct stun_builder b;
	size_t n;

	ck_assert_int_eq(stun_build_init(&b, buf, cap, method, cls, tid),
			 STUN_OK);
	stun_build_fingerprint(&b);
	n = stun_build_len(&b);
	ck_assert_int_eq(stun_decode(buf, n, m, NULL), STUN_OK);
	return n;
}

START_TEST(test_match)
{
	uint8_t buf[64], other[STUN_TID_LEN];
	struct stun_txn t;
	struct stun_msg m;

	ck_assert_int_eq(stun_txn_init(&t, NULL, STUN_METHOD_BINDING, NULL),
			 STUN_OK);
	response(buf, sizeof(buf), 1, STUN_SUCCESS, t.tid, &m);
	ck_assert(!stun_txn_match(&t, &m));	/* not started */
	stun_txn_start(&t, 0);
	ck_assert(stun_txn_match(&t, &m));
	response(buf, sizeof(buf), 1, STUN_ERROR, t.tid, &m);
	ck_assert(stun_txn_match(&t, &m));
	response(buf, sizeof(buf), 1, STUN_REQUEST, t.tid, &m);
	ck_assert(!stun_txn_match(&t, &m));
	response(buf, sizeof(buf), 1, STUN_INDICATION, t.tid, &m);
	ck_assert(!stun_txn_match(&t, &m));
	response(buf, sizeof(buf), 2, STUN_SUCCESS, t.tid, &m);
	ck_assert(!stun_txn_match(&t, &m));
	memcpy(other, t.tid, STUN_TID_LEN);
	other[11] ^= 1;
	response(buf, sizeof(buf), 1, STUN_SUCCESS, other, &m);
	ck_assert(!stun_txn_match(&t, &m));
	other[11] ^= 1;
	other[0] ^= 0x80;
	response(buf, sizeof(buf), 1, STUN_SUCCESS, other, &m);
	ck_assert(!stun_txn_match(&t, &m));

	/* a rejected decode never matches */
	response(buf, sizeof(buf), 1, STUN_SUCCESS, t.tid, &m);
	m.err = STUN_E_FP_BAD;
	ck_assert(!stun_txn_match(&t, &m));

	response(buf, sizeof(buf), 1, STUN_SUCCESS, t.tid, &m);
	stun_txn_complete(&t);
	ck_assert_int_eq(t.state, STUN_TXN_DONE);
	ck_assert(stun_txn_next_deadline(&t) == STUN_TXN_NEVER);
	ck_assert_int_eq(stun_txn_on_timer(&t, 100000), STUN_TXN_WAIT);
	ck_assert(!stun_txn_match(&t, &m));	/* done: no longer */
	ck_assert_str_eq(stun_txn_state_name(t.state), "done");
}
END_TEST

static void tid_of(uint8_t *tid, uint8_t v)
{
	memset(tid, 0, STUN_TID_LEN);
	tid[0] = 0x42;
	tid[11] = v;
}

START_TEST(test_table_bound_and_lookup)
{
	struct stun_txn_table tab;
	struct stun_txn *t[5];
	uint8_t tid[STUN_TID_LEN], buf[64];
	struct stun_msg m;
	unsigned int i;

	stun_txn_table_init(&tab, 4);
	ck_assert_uint_eq(tab.max, 4);
	for (i = 0; i < 4; i++) {
		tid_of(tid, (uint8_t)i);
		t[i] = stun_txn_table_add(&tab, tid, 1, NULL, 0);
		ck_assert_ptr_nonnull(t[i]);
		ck_assert_int_eq(t[i]->state, STUN_TXN_RUNNING);
	}
	ck_assert_uint_eq(tab.n, 4);
	tid_of(tid, 9);
	ck_assert_ptr_null(stun_txn_table_add(&tab, tid, 1, NULL, 0));
	ck_assert_uint_eq(tab.n, 4);

	tid_of(tid, 2);
	ck_assert_ptr_eq(stun_txn_table_find(&tab, tid), t[2]);
	tid_of(tid, 7);
	ck_assert_ptr_null(stun_txn_table_find(&tab, tid));

	stun_txn_table_remove(&tab, t[1]);
	ck_assert_uint_eq(tab.n, 3);
	tid_of(tid, 1);
	ck_assert_ptr_null(stun_txn_table_find(&tab, tid));
	/* duplicate IDs are refused, a fresh one fits the freed slot */
	tid_of(tid, 3);
	ck_assert_ptr_null(stun_txn_table_add(&tab, tid, 1, NULL, 0));
	tid_of(tid, 9);
	ck_assert_ptr_nonnull(stun_txn_table_add(&tab, tid, 1, NULL, 0));
	ck_assert_uint_eq(tab.n, 4);

	/* responses find their transaction by ID */
	tid_of(tid, 2);
	response(buf, sizeof(buf), 1, STUN_SUCCESS, tid, &m);
	ck_assert_ptr_eq(stun_txn_table_match(&tab, &m), t[2]);
	tid_of(tid, 8);
	response(buf, sizeof(buf), 1, STUN_SUCCESS, tid, &m);
	ck_assert_ptr_null(stun_txn_table_match(&tab, &m));

	/* bounds of init */
	stun_txn_table_init(&tab, 0);
	ck_assert_uint_eq(tab.max, STUN_TXN_TABLE_DEFAULT);
	stun_txn_table_init(&tab, 100000);
	ck_assert_uint_eq(tab.max, STUN_TXN_TABLE_MAX);
	for (i = 0; i < STUN_TXN_TABLE_MAX; i++)
		ck_assert_ptr_nonnull(stun_txn_table_add(&tab, NULL, 1, NULL,
							 0));
	ck_assert_ptr_null(stun_txn_table_add(&tab, NULL, 1, NULL, 0));
}
END_TEST

/* Two transactions started 200 ms apart, driven through the table. */
START_TEST(test_table_due)
{
	struct mice_fake_clock f;
	struct mice_clock c;
	struct stun_txn_table tab;
	struct stun_txn *a, *b, *t;
	enum stun_txn_action act;
	uint8_t tid[STUN_TID_LEN];
	unsigned int sends_a = 1, sends_b = 1, timeouts = 0;
	uint64_t d, last_a = 0, last_b = 0;

	mice_clock_fake(&c, &f, 0);
	stun_txn_table_init(&tab, 8);
	ck_assert(stun_txn_table_next_deadline(&tab) == STUN_TXN_NEVER);
	tid_of(tid, 1);
	a = stun_txn_table_add(&tab, tid, 1, NULL, mice_clock_now(&c));
	mice_fake_clock_advance(&f, 200);
	tid_of(tid, 2);
	b = stun_txn_table_add(&tab, tid, 1, NULL, mice_clock_now(&c));
	ck_assert_uint_eq(stun_txn_table_next_deadline(&tab), 500);

	while ((d = stun_txn_table_next_deadline(&tab)) != STUN_TXN_NEVER) {
		mice_fake_clock_set(&f, d);
		while ((t = stun_txn_table_due(&tab, mice_clock_now(&c),
					       &act))) {
			if (act == STUN_TXN_TIMEOUT) {
				timeouts++;
				ck_assert_uint_eq(mice_clock_now(&c),
						  t == a ? 39500 : 39700);
				stun_txn_table_remove(&tab, t);
				continue;
			}
			ck_assert_int_eq(act, STUN_TXN_SEND);
			if (t == a) {
				sends_a++;
				last_a = mice_clock_now(&c);
			} else {
				ck_assert_ptr_eq(t, b);
				sends_b++;
				last_b = mice_clock_now(&c);
			}
		}
		ck_assert_int_eq(act, STUN_TXN_WAIT);
	}
	ck_assert_uint_eq(sends_a, 7);
	ck_assert_uint_eq(sends_b, 7);
	ck_assert_uint_eq(last_a, 31500);
	ck_assert_uint_eq(last_b, 31700);
	ck_assert_uint_eq(timeouts, 2);
	ck_assert_uint_eq(tab.n, 0);
}
END_TEST

START_TEST(test_monotonic_clock)
{
	struct mice_clock c;
	uint64_t a, b;

	mice_clock_monotonic(&c);
	a = mice_clock_now(&c);
	b = mice_clock_now(&c);
	ck_assert_uint_gt(a, 0);
	ck_assert_uint_ge(b, a);
}
END_TEST

static Suite *txn_suite(void)
{
	Suite *s = suite_create("stun_txn");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_default_schedule);
	tcase_add_test(tc, test_schedule_offset_start);
	tcase_add_test(tc, test_configurable_rto);
	tcase_add_test(tc, test_rto_floor);
	tcase_add_test(tc, test_late_timer);
	tcase_add_test(tc, test_match);
	tcase_add_test(tc, test_table_bound_and_lookup);
	tcase_add_test(tc, test_table_due);
	tcase_add_test(tc, test_monotonic_clock);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(txn_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
