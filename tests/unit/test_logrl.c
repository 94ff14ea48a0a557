// SPDX-License-Identifier: GPL-2.0
/*
 * The daemon's log under a flood (docs/security.md, "Logs under a
 * flood"): the per-reason rate limit (agent/logrl.c) on the fake clock,
 * and the output that never blocks (agent/logsink.c) on a pipe nobody
 * reads.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../../agent/clock.h"
#include "../../agent/logrl.h"
#include "../../agent/logsink.h"

static const char *const MH = "mobility header from %s: %s";
static const char *const OFFER = "offer from %s: %s";

static struct logrl rl;
static struct mice_clock clk;
static struct mice_fake_clock fake;

static void setup(void)
{
	logrl_init(&rl);
	mice_clock_fake(&clk, &fake, 5000);
}

static uint64_t now(void)
{
	return mice_clock_now(&clk);
}

/* How many of @n lines of (@event, @fmt) at the current time pass. */
static unsigned int admit_n(const char *event, const char *fmt, unsigned int n)
{
	unsigned int i, passed = 0;
	uint64_t held;

	for (i = 0; i < n; i++)
		passed += logrl_admit(&rl, event, fmt, now(), &held);
	return passed;
}

START_TEST(burst_then_suppressed)
{
	ck_assert_uint_eq(admit_n("drop", MH, 1000), LOGRL_BURST);
	ck_assert_uint_eq(rl.suppressed_total, 1000 - LOGRL_BURST);
}
END_TEST

START_TEST(one_line_per_period_sustained)
{
	unsigned int s, passed = 0;

	admit_n("drop", MH, 100);
	/* 60 s of a flood at 1000 lines a second: one line a second passes */
	for (s = 0; s < 60; s++) {
		unsigned int ms;

		for (ms = 0; ms < 1000; ms++) {
			mice_fake_clock_advance(&fake, 1);
			passed += admit_n("drop", MH, 1);
		}
	}
	ck_assert_uint_eq(passed, 60 * 1000 / LOGRL_PERIOD_MS);
}
END_TEST

START_TEST(count_comes_with_the_next_line)
{
	uint64_t held = 99;

	ck_assert_uint_eq(admit_n("drop", MH, LOGRL_BURST + 37), LOGRL_BURST);
	ck_assert(!logrl_admit(&rl, "drop", MH, now(), &held));
	mice_fake_clock_advance(&fake, LOGRL_PERIOD_MS);
	ck_assert(logrl_admit(&rl, "drop", MH, now(), &held));
	ck_assert_uint_eq(held, 38);
	/* reported once */
	mice_fake_clock_advance(&fake, LOGRL_PERIOD_MS);
	ck_assert(logrl_admit(&rl, "drop", MH, now(), &held));
	ck_assert_uint_eq(held, 0);
}
END_TEST

START_TEST(reasons_are_limited_separately)
{
	uint64_t held;

	ck_assert_uint_eq(admit_n("drop", MH, 100000), LOGRL_BURST);
	/* a flood of one cause hides no line of another */
	ck_assert_uint_eq(admit_n("drop", OFFER, 3), 3);
	/* nor of the same format under another event */
	ck_assert_uint_eq(admit_n("error", MH, 3), 3);
	ck_assert(logrl_admit(&rl, "drop", OFFER, now(), &held));
	ck_assert_uint_eq(held, 0);
}
END_TEST

START_TEST(equal_formats_are_one_reason)
{
	char copy[64];

	/* the same literal at two call sites need not be one pointer */
	snprintf(copy, sizeof(copy), "%s", MH);
	ck_assert_uint_eq(admit_n("drop", MH, LOGRL_BURST), LOGRL_BURST);
	ck_assert_uint_eq(admit_n("drop", copy, 5), 0);
}
END_TEST

START_TEST(count_reported_after_the_flood_stops)
{
	const char *event, *fmt;
	uint64_t n;

	admit_n("drop", MH, 500);
	admit_n("drop", OFFER, 2);
	/* no token yet: nothing to report */
	ck_assert(!logrl_take_suppressed(&rl, now(), &event, &fmt, &n));
	mice_fake_clock_advance(&fake, LOGRL_PERIOD_MS - 1);
	ck_assert(!logrl_take_suppressed(&rl, now(), &event, &fmt, &n));
	mice_fake_clock_advance(&fake, 1);
	ck_assert(logrl_take_suppressed(&rl, now(), &event, &fmt, &n));
	ck_assert_str_eq(event, "drop");
	ck_assert_ptr_eq(fmt, MH);
	ck_assert_uint_eq(n, 500 - LOGRL_BURST);
	/* once; OFFER never lost a line */
	ck_assert(!logrl_take_suppressed(&rl, now(), &event, &fmt, &n));
	/* the report took a token: a new flood passes one line less */
	ck_assert_uint_eq(admit_n("drop", MH, 10), 0);
}
END_TEST

START_TEST(bucket_refills_to_the_burst_only)
{
	admit_n("drop", MH, LOGRL_BURST);
	mice_fake_clock_advance(&fake, 3600 * 1000);
	ck_assert_uint_eq(admit_n("drop", MH, 1000), LOGRL_BURST);
}
END_TEST

START_TEST(clock_going_back_refills_nothing)
{
	admit_n("drop", MH, LOGRL_BURST);
	mice_fake_clock_set(&fake, 1000);
	ck_assert_uint_eq(admit_n("drop", MH, 5), 0);
	mice_fake_clock_set(&fake, 5000 + LOGRL_PERIOD_MS);
	ck_assert_uint_eq(admit_n("drop", MH, 5), 1);
}
END_TEST

START_TEST(more_reasons_than_slots_share_one_limit)
{
	static char fmts[LOGRL_REASONS * 2][32];
	unsigned int i, passed = 0;
	const char *event, *fmt;
	uint64_t n, held;

	for (i = 0; i < LOGRL_REASONS * 2; i++) {
		snprintf(fmts[i], sizeof(fmts[i]), "reason %u: %%s", i);
		passed += logrl_admit(&rl, "drop", fmts[i], now(), &held);
		passed += logrl_admit(&rl, "drop", fmts[i], now(), &held);
	}
	/* each own slot passes its 2; the shared one its burst */
	ck_assert_uint_eq(passed, (LOGRL_REASONS - 1) * 2 + LOGRL_BURST);
	mice_fake_clock_advance(&fake, LOGRL_PERIOD_MS);
	ck_assert(logrl_take_suppressed(&rl, now(), &event, &fmt, &n));
	ck_assert_ptr_null(fmt);
	ck_assert_uint_eq(n, (LOGRL_REASONS + 1) * 2 - LOGRL_BURST);
}
END_TEST

/* ---- logsink -------------------------------------------------------------- */

static int pfd[2];
static struct logsink sink;

static void sink_setup(void)
{
	ck_assert_int_eq(pipe(pfd), 0);
	ck_assert_int_eq(logsink_open(&sink, pfd[1]), 0);
}

static void sink_teardown(void)
{
	logsink_close(&sink, 0);
	close(pfd[0]);
	close(pfd[1]);
}

static size_t drain(char *buf, size_t cap)
{
	size_t got = 0;
	ssize_t n;
	int fl = fcntl(pfd[0], F_GETFL);

	fcntl(pfd[0], F_SETFL, fl | O_NONBLOCK);
	while (got < cap && (n = read(pfd[0], buf + got, cap - got)) > 0)
		got += (size_t)n;
	fcntl(pfd[0], F_SETFL, fl);
	return got;
}

START_TEST(lines_reach_the_reader)
{
	char buf[64];

	ck_assert(logsink_line(&sink, "t=0.001 start a\n", 16));
	ck_assert(logsink_line(&sink, "t=0.002 stop b\n", 15));
	ck_assert(!logsink_pending(&sink));
	ck_assert_uint_eq(drain(buf, sizeof(buf)), 31);
	ck_assert(!memcmp(buf, "t=0.001 start a\nt=0.002 stop b\n", 31));
}
END_TEST

static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

START_TEST(stalled_reader_never_blocks_and_lines_are_counted)
{
	static char line[200], all[1 << 20];
	unsigned int i, kept = 0, tries = 20000;
	size_t got, expect;
	double t0 = mono_s();

	memset(line, 'x', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\n';
	/* 4 MB into a 64 kB pipe that nobody reads: each call returns */
	for (i = 0; i < tries; i++)
		kept += logsink_line(&sink, line, sizeof(line));
	ck_assert(mono_s() - t0 < 2.0);
	ck_assert_uint_lt(kept, tries);
	ck_assert_uint_eq(sink.dropped, tries - kept);
	ck_assert_uint_eq(sink.dropped_total, tries - kept);
	ck_assert(logsink_pending(&sink));
	ck_assert_uint_lt(logsink_room(&sink), sizeof(line));
	/* what was kept arrives whole and in order once the reader reads */
	expect = (size_t)kept * sizeof(line);
	got = 0;
	while (got < expect) {
		got += drain(all + got, sizeof(all) - got);
		logsink_flush(&sink);
	}
	ck_assert_uint_eq(got, expect);
	ck_assert(!logsink_pending(&sink));
	for (i = 0; i < kept; i++)
		ck_assert(!memcmp(all + (size_t)i * sizeof(line), line, sizeof(line)));
	ck_assert(logsink_line(&sink, line, sizeof(line)));
}
END_TEST

START_TEST(the_callers_descriptor_stays_blocking)
{
	/* the pipe was opened again: the shell's end keeps its mode */
	ck_assert(sink.own_fd);
	ck_assert_int_ne(sink.fd, pfd[1]);
	ck_assert_int_eq(fcntl(pfd[1], F_GETFL) & O_NONBLOCK, 0);
	ck_assert_int_ne(fcntl(sink.fd, F_GETFL) & O_NONBLOCK, 0);
}
END_TEST

START_TEST(close_waits_a_bounded_time)
{
	static char line[4096];
	double t0;

	memset(line, 'y', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\n';
	while (logsink_room(&sink) >= sizeof(line))
		logsink_line(&sink, line, sizeof(line));
	t0 = mono_s();
	logsink_close(&sink, 200);
	ck_assert(mono_s() - t0 < 1.0);
	ck_assert_int_eq(sink.fd, -1);
}
END_TEST

START_TEST(socket_gets_its_flags_back)
{
	struct logsink s;
	int sv[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	ck_assert_int_eq(logsink_open(&s, sv[1]), 0);
	ck_assert_int_ne(fcntl(sv[1], F_GETFL) & O_NONBLOCK, 0);
	ck_assert(logsink_line(&s, "a\n", 2));
	logsink_close(&s, 0);
	ck_assert_int_eq(fcntl(sv[1], F_GETFL) & O_NONBLOCK, 0);
	close(sv[0]);
	close(sv[1]);
}
END_TEST

START_TEST(regular_file_is_written_as_it_is)
{
	char path[] = "/tmp/mice-logsink-XXXXXX", buf[16];
	struct logsink s;
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	unlink(path);
	ck_assert_int_eq(logsink_open(&s, fd), 0);
	ck_assert_int_eq(s.fd, fd);
	ck_assert(logsink_line(&s, "t=0.000 a b\n", 12));
	logsink_close(&s, 0);
	ck_assert_int_eq(pread(fd, buf, sizeof(buf), 0), 12);
	close(fd);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("logrl");
	TCase *tc = tcase_create("limit");
	TCase *ts = tcase_create("sink");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, burst_then_suppressed);
	tcase_add_test(tc, one_line_per_period_sustained);
	tcase_add_test(tc, count_comes_with_the_next_line);
	tcase_add_test(tc, reasons_are_limited_separately);
	tcase_add_test(tc, equal_formats_are_one_reason);
	tcase_add_test(tc, count_reported_after_the_flood_stops);
	tcase_add_test(tc, bucket_refills_to_the_burst_only);
	tcase_add_test(tc, clock_going_back_refills_nothing);
	tcase_add_test(tc, more_reasons_than_slots_share_one_limit);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(ts, sink_setup, sink_teardown);
	tcase_add_test(ts, lines_reach_the_reader);
	tcase_add_test(ts, stalled_reader_never_blocks_and_lines_are_counted);
	tcase_add_test(ts, the_callers_descriptor_stays_blocking);
	tcase_add_test(ts, close_waits_a_bounded_time);
	tcase_add_test(ts, socket_gets_its_flags_back);
	tcase_add_test(ts, regular_file_is_written_as_it_is);
	suite_add_tcase(s, ts);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
