// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the P-Media-Authorization / Media-Authorization header
 * parser agent/sipauth.c (RFC 3313 s.5 ABNF, seed 001 s.5.1, RFC 3261
 * s.25.1 HCOLON/COMMA/LWS). Every input is parsed from a heap copy of
 * exactly its length (no NUL), so the ASan build catches over-reads; bad
 * inputs are checked for the exact offset, message and offending octet.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sipauth.h"

static int parse_n(const char *s, size_t n, struct sipauth_header *h,
		   struct sipauth_error *e)
{
	char *copy = malloc(n ? n : 1);
	int rc;

	ck_assert_ptr_nonnull(copy);
	memcpy(copy, s, n);
	rc = sipauth_parse(copy, n, h, e);
	free(copy);
	return rc;
}

/* Parse @s and expect the tokens listed in @want (NULL-terminated). */
#define GOOD(s, ...) good_at(__LINE__, (s), strlen(s), (const char *[]){ __VA_ARGS__, NULL })

static void good_at(int line, const char *s, size_t n, const char **want)
{
	struct sipauth_header h;
	struct sipauth_error e;
	size_t i;
	char msg[200];

	if (parse_n(s, n, &h, &e)) {
		sipauth_strerror(&e, msg, sizeof(msg));
		ck_abort_msg("line %d: refused: %s", line, msg);
	}
	for (i = 0; want[i]; i++) {
		ck_assert_msg(i < h.ntokens, "line %d: only %zu tokens", line, h.ntokens);
		ck_assert_msg(h.tok[i].len == strlen(want[i]) &&
			      !memcmp(s + h.tok[i].off, want[i], h.tok[i].len),
			      "line %d: token %zu is '%.*s', want '%s'", line, i,
			      (int)h.tok[i].len, s + h.tok[i].off, want[i]);
	}
	ck_assert_msg(h.ntokens == i, "line %d: %zu tokens, want %zu", line,
		      h.ntokens, i);
}

/* Parse @s and expect a refusal at @pos with @what and @found. */
#define BAD(s, pos, what, found) bad_at(__LINE__, (s), strlen(s), (pos), (what), (found))

static void bad_at(int line, const char *s, size_t n, size_t pos,
		   const char *what, int found)
{
	struct sipauth_header h;
	struct sipauth_error e;

	ck_assert_msg(parse_n(s, n, &h, &e) == -1, "line %d: accepted", line);
	ck_assert_msg(e.pos == pos && !strcmp(e.what, what) && e.found == found,
		      "line %d: got offset %zu '%s' found %d, want %zu '%s' %d",
		      line, e.pos, e.what, e.found, pos, what, found);
}

#define E_NAME	"expected header name P-Media-Authorization or Media-Authorization"
#define E_COLON	"expected ':' after the header name"
#define E_HEX	"expected HEXDIG (a token)"
#define E_COMMA	"expected ',' or end of header"
#define E_TRAIL	"trailing whitespace (expected ',' or end of header)"

START_TEST(test_good_basic)
{
	GOOD("P-Media-Authorization: 0123456789abcdefABCDEF", "0123456789abcdefABCDEF");
	GOOD("P-Media-Authorization:a", "a");
	GOOD("P-Media-Authorization:0", "0");
	GOOD("Media-Authorization: 00ff", "00ff");
	GOOD("p-media-authorization: 1", "1");
	GOOD("P-MEDIA-AUTHORIZATION: 1", "1");
	GOOD("mEdIa-AuThOrIzAtIoN: 1", "1");
	GOOD("P-Media-Authorization \t : \t 1", "1");
	GOOD("P-Media-Authorization: 1\r\n", "1");
}
END_TEST

START_TEST(test_good_lists)
{
	GOOD("P-Media-Authorization: a1,b2", "a1", "b2");
	GOOD("P-Media-Authorization: a1 , b2 ,c3, d4", "a1", "b2", "c3", "d4");
	GOOD("P-Media-Authorization: a1\t,\tb2", "a1", "b2");
	GOOD("P-Media-Authorization: 1,2,3,4,5,6,7,8,9,a,b,c,d,e,f,0",
	     "1", "2", "3", "4", "5", "6", "7", "8", "9", "a", "b", "c", "d",
	     "e", "f", "0");
	GOOD("P-Media-Authorization: 1,2\r\n", "1", "2");
}
END_TEST

/* RFC 3261 s.25.1: LWS = [*WSP CRLF] 1*WSP, once per SWS. */
START_TEST(test_good_folding)
{
	GOOD("P-Media-Authorization:\r\n a1", "a1");
	GOOD("P-Media-Authorization: \r\n\ta1", "a1");
	GOOD("P-Media-Authorization: a1,\r\n b2", "a1", "b2");
	GOOD("P-Media-Authorization: a1\r\n ,b2", "a1", "b2");
	GOOD("P-Media-Authorization: a1 \r\n , \r\n b2\r\n", "a1", "b2");
}
END_TEST

START_TEST(test_good_limits)
{
	char buf[64 + SIPAUTH_MAX_TOKEN_LEN];
	int n;

	n = snprintf(buf, sizeof(buf), "P-Media-Authorization: ");
	memset(buf + n, 'f', SIPAUTH_MAX_TOKEN_LEN);
	buf[n + SIPAUTH_MAX_TOKEN_LEN] = '\0';
	GOOD(buf, buf + n);
}
END_TEST

START_TEST(test_bad_name)
{
	BAD("", 0, E_NAME, -1);
	BAD(":a", 0, E_NAME, ':');
	BAD("X-Media-Authorization: a", 0, E_NAME, 'X');
	BAD("P-Media-Authorizatio: a", 0, E_NAME, 'P');
	BAD("P-Media-Authorizationx: a", 0, E_NAME, 'P');
	BAD("Authorization: a", 0, E_NAME, 'A');
	BAD(" P-Media-Authorization: a", 0, E_NAME, ' ');
}
END_TEST

START_TEST(test_bad_colon)
{
	BAD("P-Media-Authorization", 21, E_COLON, -1);
	BAD("P-Media-Authorization a", 22, E_COLON, 'a');
	BAD("P-Media-Authorization=a", 21, E_COLON, '=');
	/* HCOLON has no line folding before the colon. */
	BAD("P-Media-Authorization\r\n : a", 21, E_COLON, '\r');
	BAD("Media-Authorization;a", 19, E_COLON, ';');
}
END_TEST

START_TEST(test_bad_tokens)
{
	BAD("P-Media-Authorization:", 22, E_HEX, -1);
	BAD("P-Media-Authorization: ", 23, E_HEX, -1);
	BAD("P-Media-Authorization: xyz", 23, E_HEX, 'x');
	BAD("P-Media-Authorization: \"ab\"", 23, E_HEX, '"');
	BAD("P-Media-Authorization: ,a", 23, E_HEX, ',');
	BAD("P-Media-Authorization: a,,b", 25, E_HEX, ',');
	BAD("P-Media-Authorization: a,", 25, E_HEX, -1);
	BAD("P-Media-Authorization: a, ", 26, E_HEX, -1);
	BAD("P-Media-Authorization: 0x12", 24, E_COMMA, 'x');
	BAD("P-Media-Authorization: a b", 25, E_COMMA, 'b');
	BAD("P-Media-Authorization: ab;c", 25, E_COMMA, ';');
	BAD("P-Media-Authorization: abg", 25, E_COMMA, 'g');
	BAD("P-Media-Authorization: a\r\n\r\n", 24, E_COMMA, '\r');
	BAD("P-Media-Authorization: a\r\nX: b", 24, E_COMMA, '\r');
	BAD("P-Media-Authorization: a\n", 24, E_COMMA, '\n');
	BAD("P-Media-Authorization: a\r", 24, E_COMMA, '\r');
	BAD("P-Media-Authorization: a ", 24, E_TRAIL, ' ');
	BAD("P-Media-Authorization: a\t\r\n", 24, E_TRAIL, '\t');
	/* Two folds in one SWS are not an LWS. */
	BAD("P-Media-Authorization: a,\r\n \r\n b", 28, E_HEX, '\r');
	/* A NUL inside the field is just a bad octet. */
	bad_at(__LINE__, "P-Media-Authorization: a\0b", 26, 24, E_COMMA, 0);
	/* Non-ASCII. */
	BAD("P-Media-Authorization: \xc3\xa9", 23, E_HEX, 0xc3);
}
END_TEST

START_TEST(test_bad_limits)
{
	char buf[128 + SIPAUTH_MAX_TOKEN_LEN];
	int n, i;

	n = snprintf(buf, sizeof(buf), "P-Media-Authorization: ");
	memset(buf + n, 'f', SIPAUTH_MAX_TOKEN_LEN + 1);
	buf[n + SIPAUTH_MAX_TOKEN_LEN + 1] = '\0';
	BAD(buf, (size_t)n + SIPAUTH_MAX_TOKEN_LEN,
	    "token too long (at most 512 hex digits)", 'f');

	n = snprintf(buf, sizeof(buf), "P-Media-Authorization: 0");
	for (i = 1; i <= SIPAUTH_MAX_TOKENS; i++)
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, ",%x", i % 16);
	/* 17 tokens: refused at the 17th. */
	BAD(buf, (size_t)n - 1, "too many tokens (at most 16)", '0');
}
END_TEST

START_TEST(test_strerror)
{
	struct sipauth_error e = { .pos = 25, .what = E_HEX, .found = ',' };
	char msg[128];

	sipauth_strerror(&e, msg, sizeof(msg));
	ck_assert_str_eq(msg, "offset 25: expected HEXDIG (a token), found ','");
	e.found = -1;
	sipauth_strerror(&e, msg, sizeof(msg));
	ck_assert_str_eq(msg, "offset 25: expected HEXDIG (a token), found end of input");
	e.found = '\r';
	sipauth_strerror(&e, msg, sizeof(msg));
	ck_assert_str_eq(msg, "offset 25: expected HEXDIG (a token), found 0x0d");
	e.found = ' ';
	sipauth_strerror(&e, msg, sizeof(msg));
	ck_assert_str_eq(msg, "offset 25: expected HEXDIG (a token), found 0x20");
	ck_assert_str_eq(sipauth_name_str(SIPAUTH_MEDIA_AUTHORIZATION), "Media-Authorization");
	ck_assert_str_eq(sipauth_name_str(SIPAUTH_P_MEDIA_AUTHORIZATION), "P-Media-Authorization");
}
END_TEST

START_TEST(test_name_reported)
{
	struct sipauth_header h;
	struct sipauth_error e;

	ck_assert_int_eq(parse_n("media-authorization: 1", 22, &h, &e), 0);
	ck_assert_int_eq(h.name, SIPAUTH_MEDIA_AUTHORIZATION);
	ck_assert_int_eq(parse_n("P-Media-Authorization: 1", 24, &h, &e), 0);
	ck_assert_int_eq(h.name, SIPAUTH_P_MEDIA_AUTHORIZATION);
}
END_TEST

static Suite *sipauth_suite(void)
{
	Suite *s = suite_create("sipauth");
	TCase *tc = tcase_create("sipauth");

	tcase_add_test(tc, test_good_basic);
	tcase_add_test(tc, test_good_lists);
	tcase_add_test(tc, test_good_folding);
	tcase_add_test(tc, test_good_limits);
	tcase_add_test(tc, test_bad_name);
	tcase_add_test(tc, test_bad_colon);
	tcase_add_test(tc, test_bad_tokens);
	tcase_add_test(tc, test_bad_limits);
	tcase_add_test(tc, test_strerror);
	tcase_add_test(tc, test_name_reported);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(sipauth_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
