// SPDX-License-Identifier: GPL-2.0
/* Token key from a group key (agent/groupkey.c, docs/token-format.md). */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "groupkey.h"
#include "mikey_prf.h"

#define G1 "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

START_TEST(derivation_is_the_documented_one)
{
	struct token_key k;
	uint8_t group[32], want[32];
	char err[128];
	int i;

	for (i = 0; i < 32; i++)
		group[i] = (uint8_t)i;
	ck_assert_int_eq(token_key_from_group_hex(&k, G1, err, sizeof(err)), 0);
	ck_assert_uint_eq(k.len, 32);
	/* RFC 3830 s.4.1.3 auth-key derivation, cs_id 0, csb_id 0 */
	ck_assert_int_eq(mikey_derive(MIKEY_KEY_AUTH, group, 32, 0, 0,
				      (const uint8_t *)"mice gate tokens", 16,
				      want, 32), 0);
	ck_assert_mem_eq(k.k, want, 32);
	/* not the group key itself, and another label gives another key */
	ck_assert(memcmp(k.k, group, 32));
	ck_assert_int_eq(mikey_derive(MIKEY_KEY_ENC, group, 32, 0, 0,
				      (const uint8_t *)"mice gate tokens", 16,
				      want, 32), 0);
	ck_assert(memcmp(k.k, want, 32));
}
END_TEST

START_TEST(different_groups_different_keys)
{
	struct token_key a, b;
	char err[128], g2[] = G1;

	g2[63] = '0';
	ck_assert_int_eq(token_key_from_group_hex(&a, G1, err, sizeof(err)), 0);
	ck_assert_int_eq(token_key_from_group_hex(&b, g2, err, sizeof(err)), 0);
	ck_assert(memcmp(a.k, b.k, 32));
}
END_TEST

START_TEST(bad_group_keys)
{
	struct token_key k;
	char err[128];

	ck_assert_int_eq(token_key_from_group_hex(&k, "00112233", err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "16-64 octets"));
	ck_assert_int_eq(token_key_from_group_hex(&k, G1 "0", err, sizeof(err)), -1);
	ck_assert_int_eq(token_key_from_group_hex(&k, "zz0102030405060708090a0b0c0d0e0f",
						  err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "non-hex character at offset 0"));
	ck_assert_uint_eq(k.len, 0);
}
END_TEST

/* A group key file gives the same token key as the hex; 0644 is refused. */
START_TEST(group_key_file)
{
	char path[] = "/tmp/mice-groupkey-XXXXXX";
	struct token_key a, b;
	char err[600];
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, G1 "\n", 65), 65);
	close(fd);
	ck_assert_int_eq(token_key_from_group_hex(&a, G1, err, sizeof(err)), 0);
	ck_assert_msg(token_key_from_group_file(&b, path, err, sizeof(err)) == 0,
		      "%s", err);
	ck_assert_uint_eq(b.len, 32);
	ck_assert_mem_eq(a.k, b.k, 32);
	ck_assert_int_eq(chmod(path, 0644), 0);
	ck_assert_int_eq(token_key_from_group_file(&b, path, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "chmod 600"), "%s", err);
	ck_assert_uint_eq(b.len, 0);
	unlink(path);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("groupkey");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, derivation_is_the_documented_one);
	tcase_add_test(tc, different_groups_different_keys);
	tcase_add_test(tc, bad_group_keys);
	tcase_add_test(tc, group_key_file);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
