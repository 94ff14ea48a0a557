// SPDX-License-Identifier: GPL-2.0
/* Token presentation over STUN (agent/gatestun.c, seed 001 s.5.2). */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "gatestun.h"

static const char tok[] = "0100000007000000006b043e7bba954988e8a555";

START_TEST(round_trip)
{
	uint8_t buf[700], tid[12], tid2[12];
	char out[GATESTUN_TOKEN_MAX + 1];
	struct stun_addr dest, got;
	const char *why = NULL;
	size_t len;

	stun_addr_set(&dest, AF_INET, "\x0a\x02\x00\x02", 6040);
	len = gatestun_build_request(buf, sizeof(buf), tok, &dest, tid);
	ck_assert_uint_gt(len, 20);
	ck_assert_int_eq(gatestun_parse_request(buf, len, out, sizeof(out), &got,
						tid2, &why), 0);
	ck_assert_str_eq(out, tok);
	ck_assert_uint_eq(got.family, AF_INET);
	ck_assert_uint_eq(got.port, 6040);
	ck_assert_mem_eq(got.ip, dest.ip, 4);
	ck_assert_mem_eq(tid, tid2, 12);
	/* it is STUN with a FINGERPRINT: the kernel hands it to the agent */
	ck_assert_uint_eq(buf[len - 8], 0x80);
	ck_assert_uint_eq(buf[len - 7], 0x28);
}
END_TEST

START_TEST(rejections)
{
	uint8_t buf[700], tid[12];
	char out[GATESTUN_TOKEN_MAX + 1];
	struct stun_addr dest, got;
	const char *why;
	size_t len, n;

	stun_addr_set(&dest, AF_INET, "\x0a\x02\x00\x02", 6040);
	/* not hex: RFC 3313 tokens are 1*HEXDIG */
	len = gatestun_build_request(buf, sizeof(buf), "01zz", &dest, tid);
	why = NULL;
	ck_assert_int_eq(gatestun_parse_request(buf, len, out, sizeof(out), &got,
						tid, &why), -1);
	ck_assert_ptr_nonnull(strstr(why, "HEXDIG"));
	/* a token longer than the caller's buffer */
	len = gatestun_build_request(buf, sizeof(buf), tok, &dest, tid);
	why = NULL;
	ck_assert_int_eq(gatestun_parse_request(buf, len, out, 8, &got, tid, &why), -1);
	ck_assert_ptr_nonnull(why);
	/* every truncation is refused */
	for (n = 0; n < len; n++) {
		why = NULL;
		ck_assert_int_eq(gatestun_parse_request(buf, n, out, sizeof(out),
							&got, tid, &why), -1);
		ck_assert_ptr_nonnull(why);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("gatestun");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, round_trip);
	tcase_add_test(tc, rejections);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
