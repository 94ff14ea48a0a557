// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the token bucket kmod/policer.c (seed 001 s.6.2 envelope,
 * PacketCable r/b/M) with a fake nanosecond clock: long-run accuracy at
 * media rates, the hard bound burst + rate * t, burst, max packet size,
 * idle periods of days and more, zero rate, a clock stepping back, GSO
 * and GRO aggregates charged per segment.
 * The test uses 128-bit integers for its reference arithmetic only.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "policer.h"

#define NS	1000000000ull

typedef unsigned __int128 u128;

/* ns to fill an empty bucket of @burst octets at @rate (> 0), rounded up. */
static u64 fill_time_ns(u32 rate, u32 burst)
{
	return ((u64)burst * NS + rate - 1) / rate;
}

static u64 lcg_state;

static u32 lcg(void)
{
	lcg_state = lcg_state * 6364136223846793005ull + 1442695040888963407ull;
	return (u32)(lcg_state >> 33);
}

/* Octets passed by the bucket may never exceed burst + rate * t / 1e9. */
static void assert_bound(u64 passed, u32 rate, u32 burst, u64 t_ns)
{
	u128 lhs = (u128)passed * NS;
	u128 rhs = (u128)burst * NS + (u128)rate * t_ns;

	ck_assert_msg(lhs <= rhs, "passed %llu > burst %u + rate %u * %llu ns",
		      (unsigned long long)passed, burst, rate,
		      (unsigned long long)t_ns);
}

/*
 * Offer @pkt-octet packets at @load_pct percent of @rate for @secs
 * simulated seconds (evenly spaced, or with inter-arrival times uniform in
 * [0, 2 * mean] when @jitter), starting at an arbitrary epoch. Returns the
 * octets passed; checks the hard bound after every packet.
 */
static u64 offer(u32 rate, u32 burst, u32 pkt, u32 load_pct, u32 secs,
		 bool jitter)
{
	struct mice_policer p;
	const u64 t0 = 123456789012345ull;
	u64 mean = (u64)pkt * NS * 100 / ((u64)rate * load_pct);
	u64 t = t0, end = t0 + secs * NS, passed = 0;

	lcg_state = rate ^ ((u64)pkt << 32);
	mice_policer_init(&p, rate, burst, 0, t0);
	while (t < end) {
		if (mice_policer_admit(&p, t, pkt) == MICE_POLICE_PASS) {
			passed += pkt;
			assert_bound(passed, rate, burst, t - t0);
		}
		t += jitter ? (u64)lcg() % (2 * mean + 1) : mean;
	}
	return passed;
}

/*
 * Over 10 s at twice the envelope, the sustained part (octets passed less
 * the initial burst) is within +-1% of rate * 10 s, at media rates from
 * 64 kbit/s to 100 Mbit/s, and never above burst + rate * t.
 */
START_TEST(test_accuracy)
{
	static const struct { u32 rate, pkt; } cases[] = {
		{ 8000, 80 },		/* 64 kbit/s, G.711 10 ms */
		{ 8000, 200 },		/* 64 kbit/s, G.711 20 ms + RTP/UDP/IP */
		{ 16000, 172 },		/* 128 kbit/s */
		{ 125000, 200 },	/* 1 Mbit/s */
		{ 125000, 1200 },
		{ 1250000, 1200 },	/* 10 Mbit/s video */
		{ 1250000, 1500 },
		{ 12500000, 1500 },	/* 100 Mbit/s */
		{ 12500000, 100 },
		{ 1250000000u, 60000 },	/* 10 Gbit/s, GSO-sized, beyond media */
	};
	unsigned int i, j;
	double worst = 0;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (j = 0; j < 2; j++) {
			u32 rate = cases[i].rate, pkt = cases[i].pkt;
			u32 burst = rate / 50 > 2 * pkt ? rate / 50 : 2 * pkt;
			u64 want = (u64)rate * 10;
			u64 got = offer(rate, burst, pkt, 200, 10, j);
			u64 sustained = got - burst;
			double err = ((double)sustained - (double)want) / (double)want;

			ck_assert_msg(got >= burst, "rate %u pkt %u: burst not passed", rate, pkt);
			ck_assert_msg(err > -0.01 && err < 0.01,
				      "rate %u pkt %u jitter %u: %llu octets sustained, want %llu (%.3f%%)",
				      rate, pkt, j, (unsigned long long)sustained,
				      (unsigned long long)want, err * 100);
			if (err < 0 ? -err > worst : err > worst)
				worst = err < 0 ? -err : err;
		}
	}
	printf("policer accuracy: worst sustained-rate error %.4f%% over %zu cases\n",
	       worst * 100, 2 * sizeof(cases) / sizeof(cases[0]));
}
END_TEST

/* Under the envelope nothing is dropped. */
START_TEST(test_under_envelope)
{
	u32 rate = 125000, pkt = 200;
	u64 got = offer(rate, 4 * pkt, pkt, 90, 10, false);
	u64 sent = 0, t;

	/* 90% load, evenly spaced: every packet offered passes. */
	for (t = 0; t < 10 * NS; t += (u64)pkt * NS * 100 / ((u64)rate * 90))
		sent += pkt;
	ck_assert_uint_eq(got, sent);
}
END_TEST

START_TEST(test_burst)
{
	struct mice_policer p;
	u32 n = 0;

	/* A full bucket passes floor(burst / pkt) back-to-back packets. */
	mice_policer_init(&p, 8000, 1000, 0, 5 * NS);
	while (mice_policer_admit(&p, 5 * NS, 300) == MICE_POLICE_PASS)
		n++;
	ck_assert_uint_eq(n, 3);
	ck_assert_int_eq(mice_policer_admit(&p, 5 * NS, 100), MICE_POLICE_PASS);
	ck_assert_int_eq(mice_policer_admit(&p, 5 * NS, 1), MICE_POLICE_DROP_RATE);
	/* 100 ms at 8000 B/s refills 800 octets, not more. */
	ck_assert_int_eq(mice_policer_admit(&p, 5 * NS + NS / 10, 801),
			 MICE_POLICE_DROP_RATE);
	ck_assert_int_eq(mice_policer_admit(&p, 5 * NS + NS / 10, 800),
			 MICE_POLICE_PASS);
	/* The bucket never holds more than the burst, however long idle. */
	ck_assert_int_eq(mice_policer_admit(&p, 100 * NS, 1000), MICE_POLICE_PASS);
	ck_assert_int_eq(mice_policer_admit(&p, 100 * NS, 1), MICE_POLICE_DROP_RATE);
	/* A partial refill on top of a part-full bucket stops at the burst. */
	mice_policer_init(&p, 8000, 1000, 0, 0);
	ck_assert_int_eq(mice_policer_admit(&p, 0, 100), MICE_POLICE_PASS);
	ck_assert_int_eq(mice_policer_admit(&p, NS / 10, 1000), MICE_POLICE_PASS);
	ck_assert_int_eq(mice_policer_admit(&p, NS / 10, 1), MICE_POLICE_DROP_RATE);
	ck_assert_uint_eq(p.tokens, 0);
	/* A packet larger than the burst can never pass. */
	ck_assert_int_eq(mice_policer_admit(&p, 200 * NS, 1001), MICE_POLICE_DROP_SIZE);
	ck_assert_int_eq(mice_policer_admit(&p, 200 * NS, 1000), MICE_POLICE_PASS);
}
END_TEST

/*
 * Refill timing is exact: @bytes octets accrue at rate r after exactly
 * ceil(bytes * 1e9 / r) ns, not one ns earlier, at every rate.
 */
START_TEST(test_refill_timing)
{
	static const u32 rates[] = { 1, 7, 8000, 12345, 125000, 250000,
				     12500000, 1250000000u, 0xffffffffu };
	static const u32 sizes[] = { 1, 80, 1000, 1500, 65535 };
	unsigned int i, j;

	for (i = 0; i < sizeof(rates) / sizeof(rates[0]); i++) {
		for (j = 0; j < sizeof(sizes) / sizeof(sizes[0]); j++) {
			struct mice_policer p;
			u32 rate = rates[i], bytes = sizes[j];
			u64 exact = ((u64)bytes * NS + rate - 1) / rate;
			u64 t0 = 1000 * NS;

			mice_policer_init(&p, rate, bytes, 0, t0);
			ck_assert_int_eq(mice_policer_admit(&p, t0, bytes),
					 MICE_POLICE_PASS);
			ck_assert_msg(mice_policer_admit(&p, t0 + exact - 1, bytes) ==
				      MICE_POLICE_DROP_RATE,
				      "rate %u size %u: refilled early", rate, bytes);
			ck_assert_msg(mice_policer_admit(&p, t0 + exact, bytes) ==
				      MICE_POLICE_PASS,
				      "rate %u size %u: not refilled at %llu ns", rate,
				      bytes, (unsigned long long)exact);
		}
	}
}
END_TEST

START_TEST(test_max_packet)
{
	struct mice_policer p;

	mice_policer_init(&p, 8000, 2000, 200, 0);
	ck_assert_int_eq(mice_policer_admit(&p, 0, 201), MICE_POLICE_DROP_SIZE);
	ck_assert_int_eq(mice_policer_admit(&p, 0, 0xffffffffu), MICE_POLICE_DROP_SIZE);
	/* Oversized drops take no tokens: ten 200-octet packets still pass. */
	for (int i = 0; i < 10; i++)
		ck_assert_int_eq(mice_policer_admit(&p, 0, 200), MICE_POLICE_PASS);
	ck_assert_int_eq(mice_policer_admit(&p, 0, 1), MICE_POLICE_DROP_RATE);
	ck_assert_str_eq(mice_police_verdict_name(MICE_POLICE_DROP_SIZE), "drop_size");
	ck_assert_str_eq(mice_police_verdict_name(MICE_POLICE_PASS), "pass");
	ck_assert_str_eq(mice_police_verdict_name(77), "unknown");
}
END_TEST

/*
 * Idle periods of days, years and up to the end of u64 time at the highest
 * rate and burst: the bucket is full, not wrapped, and exactly the burst
 * passes. Also every elapsed time just below the fill time.
 */
START_TEST(test_long_idle)
{
	static const u64 idle[] = { NS, 86400 * NS, 10 * 86400 * NS,
				    3650 * 86400 * NS, 1ull << 62,
				    UINT64_MAX - 1 };
	static const u32 rates[] = { 1, 8000, 1250000000u, 0xffffffffu };
	unsigned int i, r;

	for (r = 0; r < sizeof(rates) / sizeof(rates[0]); r++) {
		for (i = 0; i < sizeof(idle) / sizeof(idle[0]); i++) {
			struct mice_policer p;
			u32 burst = 0xffffffffu;

			mice_policer_init(&p, rates[r], burst, 0, 0);
			ck_assert_int_eq(mice_policer_admit(&p, 0, burst), MICE_POLICE_PASS);
			ck_assert_int_eq(mice_policer_admit(&p, 0, 1), MICE_POLICE_DROP_RATE);
			if (idle[i] < fill_time_ns(rates[r], burst))
				continue;
			ck_assert_int_eq(mice_policer_admit(&p, idle[i], burst),
					 MICE_POLICE_PASS);
			ck_assert_int_eq(mice_policer_admit(&p, idle[i], 1),
					 MICE_POLICE_DROP_RATE);
		}
	}
}
END_TEST

/*
 * Just below the fill time the multiplication is at its largest without
 * filling the bucket; at the fill time it is full, and past 2^64 / rate the
 * product overflows and must fill, not wrap.
 */
START_TEST(test_near_fill_no_overflow)
{
	static const u32 rates[] = { 1, 3, 8000, 1250000000u, 0xffffffffu };
	static const u32 bursts[] = { 1, 1500, 0xffffu, 0xffffffffu };
	unsigned int r, b;

	for (r = 0; r < sizeof(rates) / sizeof(rates[0]); r++) {
		for (b = 0; b < sizeof(bursts) / sizeof(bursts[0]); b++) {
			struct mice_policer p;
			u64 dt;

			mice_policer_init(&p, rates[r], bursts[b], 0, 0);
			ck_assert_int_eq(mice_policer_admit(&p, 0, bursts[b]),
					 MICE_POLICE_PASS);
			dt = fill_time_ns(rates[r], bursts[b]) - 1;
			mice_policer_admit(&p, dt, 0);	/* refill only */
			/* Exactly rate * dt nano-octets, below the cap. */
			ck_assert((u128)p.tokens == (u128)rates[r] * dt);
			ck_assert(p.tokens < (u64)bursts[b] * NS);
			mice_policer_admit(&p, dt + 1, 0);
			ck_assert(p.tokens == (u64)bursts[b] * NS);
			/* Empty again, then idle until rate * t passes 2^64. */
			ck_assert_int_eq(mice_policer_admit(&p, dt + 1, bursts[b]),
					 MICE_POLICE_PASS);
			dt = dt + 1 + UINT64_MAX / rates[r] + 1;
			if (dt < UINT64_MAX / rates[r])
				continue;	/* the sum wrapped: no such time */
			mice_policer_admit(&p, dt, 0);
			ck_assert(p.tokens == (u64)bursts[b] * NS);
		}
	}
}
END_TEST

START_TEST(test_zero_rate)
{
	struct mice_policer p;

	mice_policer_init(&p, 0, 500, 0, 0);
	ck_assert_int_eq(mice_policer_admit(&p, 0, 300), MICE_POLICE_PASS);
	ck_assert_int_eq(mice_policer_admit(&p, 0, 300), MICE_POLICE_DROP_RATE);
	ck_assert_int_eq(mice_policer_admit(&p, 365 * 86400 * NS, 200), MICE_POLICE_PASS);
	ck_assert_int_eq(mice_policer_admit(&p, UINT64_MAX, 1), MICE_POLICE_DROP_RATE);
	/* Not even after the longest representable idle (found by fuzz_gate). */
	mice_policer_init(&p, 0, 500, 0, 0);
	ck_assert_int_eq(mice_policer_admit(&p, 0, 500), MICE_POLICE_PASS);
	ck_assert_int_eq(mice_policer_admit(&p, UINT64_MAX, 1), MICE_POLICE_DROP_RATE);
	/* Zero rate and zero burst: a closed gate passes nothing but 0 octets. */
	mice_policer_init(&p, 0, 0, 0, 0);
	ck_assert_int_eq(mice_policer_admit(&p, NS, 1), MICE_POLICE_DROP_SIZE);
	ck_assert_int_eq(mice_policer_admit(&p, NS, 0), MICE_POLICE_PASS);
}
END_TEST

START_TEST(test_clock_back)
{
	struct mice_policer p;

	mice_policer_init(&p, 1000, 1000, 0, 10 * NS);
	ck_assert_int_eq(mice_policer_admit(&p, 10 * NS, 1000), MICE_POLICE_PASS);
	/* Stepping back gives nothing and does not move the refill point. */
	ck_assert_int_eq(mice_policer_admit(&p, 1 * NS, 1), MICE_POLICE_DROP_RATE);
	ck_assert_int_eq(mice_policer_admit(&p, 10 * NS + NS / 2, 501),
			 MICE_POLICE_DROP_RATE);
	ck_assert_int_eq(mice_policer_admit(&p, 10 * NS + NS / 2, 500),
			 MICE_POLICE_PASS);
}
END_TEST

/*
 * A GSO or GRO aggregate (issue 15): the size limits apply to its largest
 * segment, not its length, and it takes the tokens of all its segments
 * at once, passing whole or not at all.
 */
START_TEST(test_gso_segments)
{
	struct mice_policer p, q;
	unsigned int i;

	/* 44 segments of 1500 octets: fine under max_packet 1500. */
	mice_policer_init(&p, 125000, 100000, 1500, 0);
	ck_assert_int_eq(mice_policer_admit_gso(&p, 0, 1500, 44 * 1500),
			 MICE_POLICE_PASS);
	ck_assert_uint_eq(p.tokens, (100000ull - 44 * 1500) * NS);
	/* Before, the aggregate was one datagram of 66000 octets. */
	ck_assert_int_eq(mice_policer_admit(&p, 0, 44 * 1500), MICE_POLICE_DROP_SIZE);
	/* One segment above max_packet refuses the aggregate, no tokens taken. */
	ck_assert_int_eq(mice_policer_admit_gso(&p, 0, 1501, 3000),
			 MICE_POLICE_DROP_SIZE);
	ck_assert_uint_eq(p.tokens, (100000ull - 44 * 1500) * NS);
	/* Not enough tokens for all of it: none taken, a smaller one passes. */
	ck_assert_int_eq(mice_policer_admit_gso(&p, 0, 1500, 34001),
			 MICE_POLICE_DROP_RATE);
	ck_assert_int_eq(mice_policer_admit_gso(&p, 0, 1500, 34000),
			 MICE_POLICE_PASS);
	ck_assert_uint_eq(p.tokens, 0);
	/* An aggregate above the burst never passes, even with a full bucket. */
	ck_assert_int_eq(mice_policer_admit_gso(&p, 1000 * NS, 1500, 100001),
			 MICE_POLICE_DROP_RATE);
	ck_assert_int_eq(mice_policer_admit_gso(&p, 1000 * NS, 1500, UINT64_MAX),
			 MICE_POLICE_DROP_RATE);
	ck_assert_uint_eq(p.tokens, 100000ull * NS);
	/* A segment above the burst is a size drop, as a datagram is. */
	mice_policer_init(&p, 8000, 1000, 0, 0);
	ck_assert_int_eq(mice_policer_admit_gso(&p, 0, 1001, 1001),
			 MICE_POLICE_DROP_SIZE);
	/* The aggregate costs what its segments cost one by one. */
	mice_policer_init(&p, 8000, 20000, 1500, 5 * NS);
	mice_policer_init(&q, 8000, 20000, 1500, 5 * NS);
	ck_assert_int_eq(mice_policer_admit_gso(&p, 6 * NS, 1448, 9 * 1448 + 100),
			 MICE_POLICE_PASS);
	for (i = 0; i < 9; i++)
		ck_assert_int_eq(mice_policer_admit(&q, 6 * NS, 1448), MICE_POLICE_PASS);
	ck_assert_int_eq(mice_policer_admit(&q, 6 * NS, 100), MICE_POLICE_PASS);
	ck_assert_uint_eq(p.tokens, q.tokens);
	ck_assert_uint_eq(p.last_ns, q.last_ns);
}
END_TEST

/* Random aggregates at twice the envelope keep the hard bound. */
START_TEST(test_gso_bound)
{
	const u32 rate = 1250000, burst = 200000;
	const u64 t0 = 77 * NS;
	struct mice_policer p;
	u64 t = t0, passed = 0;
	unsigned int i;

	lcg_state = 42;
	mice_policer_init(&p, rate, burst, 1500, t0);
	for (i = 0; i < 200000; i++) {
		u32 segs = 1 + lcg() % 45, seg = 1 + lcg() % 1500;
		u64 total = (u64)(segs - 1) * seg + 1 + lcg() % seg;

		if (mice_policer_admit_gso(&p, t, seg, total) == MICE_POLICE_PASS) {
			passed += total;
			assert_bound(passed, rate, burst, t - t0);
		}
		/* mean aggregate ~ 23 * 750 octets, offered at ~2x the rate */
		t += lcg() % (23 * 750 * (NS / rate) + 1);
	}
	ck_assert(passed > 0);
}
END_TEST

static Suite *policer_suite(void)
{
	Suite *s = suite_create("policer");
	TCase *tc = tcase_create("policer");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_accuracy);
	tcase_add_test(tc, test_under_envelope);
	tcase_add_test(tc, test_burst);
	tcase_add_test(tc, test_refill_timing);
	tcase_add_test(tc, test_max_packet);
	tcase_add_test(tc, test_long_idle);
	tcase_add_test(tc, test_near_fill_no_overflow);
	tcase_add_test(tc, test_zero_rate);
	tcase_add_test(tc, test_clock_back);
	tcase_add_test(tc, test_gso_segments);
	tcase_add_test(tc, test_gso_bound);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(policer_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
