// SPDX-License-Identifier: GPL-2.0
/*
 * The daemon's control socket (agent/control.c): request lines, and that
 * no client can hold the loop (docs/design.md, "Monitoring").
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "../../agent/control.h"

static char dir[64];
static char path[96];
static int statuses, attached_json, attached_text;

static void status_cb(void *arg, FILE *f)
{
	(void)arg;
	statuses++;
	fputs("{\"state\":\"test\"}\n", f);
}

static void attached_cb(void *arg, bool json)
{
	(void)arg;
	if (json)
		attached_json++;
	else
		attached_text++;
}

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/mice-ctl-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/t.ctl", dir);
	statuses = attached_json = attached_text = 0;
}

static void teardown(void)
{
	unlink(path);
	rmdir(dir);
}

static int client(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	ck_assert_int_ge(fd, 0);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	return fd;
}

static void say(int fd, const char *s)
{
	ck_assert_int_eq(write(fd, s, strlen(s)), (ssize_t)strlen(s));
}

/* One turn of a daemon's loop: wait up to 1 s for the server's fds. */
static void turn(struct ctl_server *s, uint64_t now)
{
	struct pollfd pfd[CTL_POLLFDS];
	unsigned int n = ctl_pollfds(s, pfd);

	ck_assert_int_ge(poll(pfd, n, 1000), 1);
	ctl_on_poll(s, pfd, n, now);
}

/* What the server sent @fd so far, without waiting. */
static const char *got(int fd)
{
	static char buf[4096];
	ssize_t n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);

	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static unsigned int pending(const struct ctl_server *s)
{
	unsigned int i, n = 0;

	for (i = 0; i < CTL_MAX_PENDING; i++)
		n += s->pend[i].fd >= 0;
	return n;
}

static unsigned int monitors(const struct ctl_server *s)
{
	unsigned int i, n = 0;

	for (i = 0; i < CTL_MAX_MONITORS; i++)
		n += s->mon[i].fd >= 0;
	return n;
}

/* A server on @path with one client, accepted at @now. */
static int open_with_client(struct ctl_server *s, uint64_t now)
{
	int c;

	ck_assert_int_eq(ctl_open(s, path, status_cb, attached_cb, NULL), 0);
	c = client();
	turn(s, now);
	ck_assert_int_eq(pending(s), 1);
	return c;
}

START_TEST(test_parse)
{
	static const struct {
		const char *in;
		bool eof;
		enum ctl_request want;
	} t[] = {
		{ "status\n", false, CTL_REQ_STATUS },
		{ "status\r\n", false, CTL_REQ_STATUS },
		{ "status  \n", false, CTL_REQ_STATUS },
		{ "\n", false, CTL_REQ_STATUS },
		{ "", true, CTL_REQ_STATUS },
		{ "status", true, CTL_REQ_STATUS },
		{ "monitor json\n", false, CTL_REQ_MONITOR_JSON },
		{ "monitor  json \r\n", false, CTL_REQ_MONITOR_JSON },
		{ "monitor text\n", false, CTL_REQ_MONITOR_TEXT },
		{ "monitor\n", false, CTL_REQ_MONITOR_TEXT },
		{ "monitor xml\n", false, CTL_REQ_UNKNOWN },
		{ "monitor json extra\n", false, CTL_REQ_UNKNOWN },
		{ "statusx\n", false, CTL_REQ_UNKNOWN },
		{ "status now\n", false, CTL_REQ_UNKNOWN },
		{ "bogus\n", false, CTL_REQ_UNKNOWN },
		{ "stat", false, CTL_REQ_INCOMPLETE },
		{ "stat", true, CTL_REQ_UNKNOWN },
		{ "monitor json", false, CTL_REQ_INCOMPLETE },
		{ "status\nmonitor json\n", false, CTL_REQ_STATUS },
	};
	char full[CTL_REQUEST_MAX];
	unsigned int i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		ck_assert_msg(ctl_parse_request(t[i].in, strlen(t[i].in), t[i].eof) == t[i].want,
			      "request '%s' eof %d", t[i].in, t[i].eof);
	/* A full buffer with no end of line is over, and not a request. */
	memset(full, 's', sizeof(full));
	ck_assert_int_eq(ctl_parse_request(full, sizeof(full), false), CTL_REQ_UNKNOWN);
	ck_assert_int_eq(ctl_parse_request(full, sizeof(full) - 1, false),
			 CTL_REQ_INCOMPLETE);
}
END_TEST

/* A client that connects and says nothing waits; the loop does not. */
START_TEST(test_silent_client_does_not_hold_the_loop)
{
	struct ctl_server s;
	int c;

	c = open_with_client(&s, 1000);
	ck_assert_str_eq(got(c), "");
	ck_assert_int_eq(ctl_next_deadline(&s), 1000 + CTL_REQUEST_WAIT_MS);
	ctl_timers(&s, 1000 + CTL_REQUEST_WAIT_MS - 1);
	ck_assert_int_eq(statuses, 0);
	ctl_timers(&s, 1000 + CTL_REQUEST_WAIT_MS);
	ck_assert_int_eq(statuses, 1);
	ck_assert_int_eq(pending(&s), 0);
	ck_assert_int_eq(ctl_next_deadline(&s), UINT64_MAX);
	ck_assert_str_eq(got(c), "{\"state\":\"test\"}\n");
	ck_assert_str_eq(got(c), "");	/* closed: EOF */
	close(c);
	ctl_close(&s);
	ck_assert_int_eq(access(path, F_OK), -1);
}
END_TEST

/* A request may come in pieces; each piece is one turn of the loop. */
START_TEST(test_request_in_pieces)
{
	struct ctl_server s;
	int c;

	c = open_with_client(&s, 0);
	say(c, "moni");
	turn(&s, 1);
	ck_assert_int_eq(pending(&s), 1);
	ck_assert_int_eq(attached_json, 0);
	say(c, "tor json\n");
	turn(&s, 2);
	ck_assert_int_eq(pending(&s), 0);
	ck_assert_int_eq(monitors(&s), 1);
	ck_assert_int_eq(attached_json, 1);
	ctl_broadcast(&s, 1234, "pair", "1 succeeded");
	ck_assert_str_eq(got(c), "{\"t_ms\":1234,\"event\":\"pair\",\"detail\":\"1 succeeded\"}\n");
	close(c);
	ctl_close(&s);
}
END_TEST

START_TEST(test_unknown_request_refused)
{
	struct ctl_server s;
	int c;

	c = open_with_client(&s, 0);
	say(c, "bogus\n");
	turn(&s, 0);
	ck_assert_str_eq(got(c), "error: unknown request (expected status or monitor)\n");
	ck_assert_int_eq(statuses, 0);
	close(c);
	ctl_close(&s);
}
END_TEST

START_TEST(test_limits)
{
	int mon[CTL_MAX_MONITORS + 1], wait[CTL_MAX_PENDING + 1];
	struct ctl_server s;
	unsigned int i;

	ck_assert_int_eq(ctl_open(&s, path, status_cb, attached_cb, NULL), 0);
	for (i = 0; i <= CTL_MAX_MONITORS; i++) {
		mon[i] = client();
		turn(&s, 0);
		say(mon[i], "monitor text\n");
		turn(&s, 0);
	}
	ck_assert_int_eq(monitors(&s), CTL_MAX_MONITORS);
	ck_assert_int_eq(attached_text, CTL_MAX_MONITORS);
	ck_assert_str_eq(got(mon[CTL_MAX_MONITORS]), "error: at most 8 monitors\n");
	/* Silent clients: the one past the limit is turned away at once. */
	for (i = 0; i <= CTL_MAX_PENDING; i++) {
		wait[i] = client();
		turn(&s, 0);
	}
	ck_assert_int_eq(pending(&s), CTL_MAX_PENDING);
	ck_assert_str_eq(got(wait[CTL_MAX_PENDING]), "error: busy, try again\n");
	ctl_timers(&s, CTL_REQUEST_WAIT_MS);
	ck_assert_int_eq(statuses, CTL_MAX_PENDING);
	for (i = 0; i <= CTL_MAX_MONITORS; i++)
		close(mon[i]);
	for (i = 0; i <= CTL_MAX_PENDING; i++)
		close(wait[i]);
	ctl_close(&s);
}
END_TEST

/* A monitor that does not read is dropped, not waited for. */
START_TEST(test_slow_monitor_dropped)
{
	struct ctl_server s;
	unsigned int i;
	int c, fast;

	ck_assert_int_eq(ctl_open(&s, path, status_cb, attached_cb, NULL), 0);
	c = client();
	fast = client();
	turn(&s, 0);
	if (pending(&s) < 2)
		turn(&s, 0);
	say(c, "monitor text\n");
	say(fast, "monitor text\n");
	while (monitors(&s) < 2)
		turn(&s, 0);
	for (i = 0; i < 100000 && monitors(&s) == 2; i++) {
		ctl_broadcast(&s, i, "pair", "a line that takes a little room");
		got(fast);
	}
	ck_assert_int_eq(monitors(&s), 1);
	ck_assert_int_lt(i, 100000);
	close(c);
	close(fast);
	ctl_close(&s);
}
END_TEST

/* The daemon's own log lines (agent/daemon.c, log_write): whole lines. */
START_TEST(test_event_format)
{
	char buf[CTL_EVENT_MAX], small[16], big[1000];
	size_t n;

	n = ctl_event_format(buf, sizeof(buf), false, 61234, "drop", "x y");
	ck_assert_uint_eq(n, strlen("t=61.234 drop x y\n"));
	ck_assert(!memcmp(buf, "t=61.234 drop x y\n", n));
	n = ctl_event_format(buf, sizeof(buf), true, 5, "drop", "a \"b\"");
	ck_assert(!memcmp(buf, "{\"t_ms\":5,\"event\":\"drop\",\"detail\":\"a \\\"b\\\"\"}\n", n));
	/* too long: cut, still one line */
	memset(big, 'z', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	n = ctl_event_format(small, sizeof(small), false, 0, "drop", big);
	ck_assert_uint_eq(n, sizeof(small) - 1);
	ck_assert_int_eq(small[n - 1], '\n');
	ck_assert_ptr_null(memchr(small, '\n', n - 1));
}
END_TEST

START_TEST(test_open_errors)
{
	struct ctl_server s;
	char longpath[200];

	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[sizeof(longpath) - 1] = '\0';
	ck_assert_int_eq(ctl_open(&s, longpath, status_cb, NULL, NULL), -1);
	ck_assert_int_eq(errno, ENAMETOOLONG);
	ck_assert_int_eq(ctl_pollfds(&s, NULL), 0);
	ck_assert_int_eq(ctl_open(&s, "/nonexistent-dir/x.ctl", status_cb, NULL, NULL), -1);
	ck_assert_int_eq(s.fd, -1);
	ctl_close(&s);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("control");
	TCase *tc = tcase_create("control");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_parse);
	tcase_add_test(tc, test_silent_client_does_not_hold_the_loop);
	tcase_add_test(tc, test_request_in_pieces);
	tcase_add_test(tc, test_unknown_request_refused);
	tcase_add_test(tc, test_limits);
	tcase_add_test(tc, test_slow_monitor_dropped);
	tcase_add_test(tc, test_event_format);
	tcase_add_test(tc, test_open_errors);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
