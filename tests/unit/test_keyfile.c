// SPDX-License-Identifier: GPL-2.0
/* The agent's key-file loader (agent/keyfile.c): what it takes and refuses. */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "keyfile.h"

static char dir[] = "/tmp/mice-keyfile-XXXXXX";
static char path[256];
static uint8_t key[128];
static size_t len;
static char err[KEYFILE_ERR_MAX];

static void setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/k", dir);
	memset(key, 0xaa, sizeof(key));
	len = 99;
	err[0] = '\0';
}

static void teardown(void)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
	strcpy(dir, "/tmp/mice-keyfile-XXXXXX");
}

static void put(const char *p, const char *text, size_t n, mode_t mode)
{
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, n), (ssize_t)n);
	close(fd);
	ck_assert_int_eq(chmod(p, mode), 0);
}

static int load(const char *p)
{
	return keyfile_load(p, key, 16, 64, &len, err, sizeof(err));
}

#define KEY32 "0123456789abcdef0123456789abcdef"

START_TEST(good_key_newline_stripped)
{
	put(path, KEY32 "\n", 33, 0600);
	ck_assert_int_eq(load(path), 0);
	ck_assert_uint_eq(len, 32);
	ck_assert_mem_eq(key, KEY32, 32);
	put(path, KEY32 "\r\n", 34, 0400);
	ck_assert_int_eq(load(path), 0);
	ck_assert_uint_eq(len, 32);
	/* exactly the maximum, with and without a newline */
	put(path, KEY32 KEY32, 64, 0600);
	ck_assert_int_eq(load(path), 0);
	ck_assert_uint_eq(len, 64);
	put(path, KEY32 KEY32 "\n", 65, 0600);
	ck_assert_int_eq(load(path), 0);
	ck_assert_uint_eq(len, 64);
}
END_TEST

START_TEST(too_short_refused)
{
	put(path, "0123456789abcde\n", 16, 0600);
	ck_assert_int_eq(load(path), -1);
	ck_assert_uint_eq(len, 0);
	ck_assert_msg(strstr(err, path) && strstr(err, "15 bytes") &&
		      strstr(err, "at least 16"), "%s", err);
}
END_TEST

START_TEST(too_long_refused_not_cut)
{
	/* 65 bytes: the old loader kept the first 64 */
	put(path, KEY32 KEY32 "x", 65, 0600);
	ck_assert_int_eq(load(path), -1);
	ck_assert_uint_eq(len, 0);
	ck_assert_msg(strstr(err, path) && strstr(err, "at most 64") &&
		      strstr(err, "cutting"), "%s", err);
	/* a big file, refused by its size before any read */
	{
		char big[5000];

		memset(big, 'k', sizeof(big));
		put(path, big, sizeof(big), 0600);
		ck_assert_int_eq(load(path), -1);
		ck_assert_msg(strstr(err, "5000 bytes"), "%s", err);
	}
}
END_TEST

START_TEST(mode_0644_refused_with_the_chmod)
{
	char want[300];

	put(path, KEY32, 32, 0644);
	ck_assert_int_eq(load(path), -1);
	snprintf(want, sizeof(want), "chmod 600 %s", path);
	ck_assert_msg(strstr(err, want) && strstr(err, "0644") &&
		      strstr(err, "too open"), "%s", err);
}
END_TEST

START_TEST(mode_0640_and_group_write_refused)
{
	put(path, KEY32, 32, 0640);
	ck_assert_int_eq(load(path), -1);
	ck_assert_msg(strstr(err, "0640") && strstr(err, "chmod 600"), "%s", err);
	put(path, KEY32, 32, 0620);
	ck_assert_int_eq(load(path), -1);
	ck_assert_msg(strstr(err, "0620"), "%s", err);
	put(path, KEY32, 32, 0602);
	ck_assert_int_eq(load(path), -1);
}
END_TEST

START_TEST(symlink_refused)
{
	char link[300];

	put(path, KEY32, 32, 0600);
	snprintf(link, sizeof(link), "%s/link", dir);
	ck_assert_int_eq(symlink(path, link), 0);
	ck_assert_int_eq(load(link), -1);
	ck_assert_msg(strstr(err, link) && strstr(err, "symbolic link"), "%s", err);
}
END_TEST

START_TEST(directory_refused)
{
	ck_assert_int_eq(chmod(dir, 0700), 0);
	ck_assert_int_eq(load(dir), -1);
	ck_assert_msg(strstr(err, dir) && strstr(err, "directory"), "%s", err);
}
END_TEST

START_TEST(fifo_refused_without_hanging)
{
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	ck_assert_int_eq(load(path), -1);
	ck_assert_msg(strstr(err, "not a regular file"), "%s", err);
}
END_TEST

START_TEST(empty_refused)
{
	put(path, "", 0, 0600);
	ck_assert_int_eq(load(path), -1);
	ck_assert_msg(strstr(err, path) && strstr(err, "empty"), "%s", err);
	put(path, "\n", 1, 0600);
	ck_assert_int_eq(load(path), -1);
	ck_assert_msg(strstr(err, "empty"), "%s", err);
}
END_TEST

START_TEST(missing_names_the_file)
{
	ck_assert_int_eq(load(path), -1);
	ck_assert_msg(strstr(err, path) && strstr(err, "No such file"), "%s", err);
}
END_TEST

START_TEST(other_owner_refused)
{
	if (geteuid() != 0)
		return;		/* chown to another user needs root */
	put(path, KEY32, 32, 0600);
	ck_assert_int_eq(chown(path, 4242, 4242), 0);
	ck_assert_int_eq(load(path), -1);
	ck_assert_msg(strstr(err, "uid 4242"), "%s", err);
}
END_TEST

static void stdin_from(const char *text, size_t n)
{
	int p[2];

	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(write(p[1], text, n), (ssize_t)n);
	close(p[1]);
	ck_assert_int_eq(dup2(p[0], STDIN_FILENO), STDIN_FILENO);
	close(p[0]);
}

START_TEST(stdin_dash)
{
	stdin_from(KEY32 "\n", 33);
	ck_assert_int_eq(load("-"), 0);
	ck_assert_uint_eq(len, 32);
	ck_assert_mem_eq(key, KEY32, 32);
	/* too long on standard input is refused as well */
	stdin_from(KEY32 KEY32 KEY32, 96);
	ck_assert_int_eq(load("-"), -1);
	ck_assert_msg(strstr(err, "standard input") && strstr(err, "at most 64"),
		      "%s", err);
	stdin_from("", 0);
	ck_assert_int_eq(load("-"), -1);
	ck_assert_msg(strstr(err, "standard input") && strstr(err, "empty"),
		      "%s", err);
}
END_TEST

START_TEST(hex_keys)
{
	uint8_t want[16] = { 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
			     0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef };

	put(path, "  " KEY32 "\n", 35, 0600);
	ck_assert_int_eq(keyfile_load_hex(path, key, 16, 64, &len, err,
					  sizeof(err)), 0);
	ck_assert_uint_eq(len, 16);
	ck_assert_mem_eq(key, want, 16);
	put(path, KEY32 "0", 33, 0600);
	ck_assert_int_eq(keyfile_load_hex(path, key, 16, 64, &len, err,
					  sizeof(err)), -1);
	ck_assert_msg(strstr(err, "odd"), "%s", err);
	put(path, "0123456789abcdef0123456789abcdeg", 32, 0600);
	ck_assert_int_eq(keyfile_load_hex(path, key, 16, 64, &len, err,
					  sizeof(err)), -1);
	ck_assert_msg(strstr(err, "offset 31"), "%s", err);
	put(path, "0123", 4, 0600);
	ck_assert_int_eq(keyfile_load_hex(path, key, 16, 64, &len, err,
					  sizeof(err)), -1);
	ck_assert_msg(strstr(err, "16 to 64 octets"), "%s", err);
	put(path, KEY32, 32, 0644);
	ck_assert_int_eq(keyfile_load_hex(path, key, 16, 64, &len, err,
					  sizeof(err)), -1);
	ck_assert_msg(strstr(err, "chmod 600"), "%s", err);
}
END_TEST

static Suite *keyfile_suite(void)
{
	Suite *s = suite_create("keyfile");
	TCase *tc = tcase_create("load");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, good_key_newline_stripped);
	tcase_add_test(tc, too_short_refused);
	tcase_add_test(tc, too_long_refused_not_cut);
	tcase_add_test(tc, mode_0644_refused_with_the_chmod);
	tcase_add_test(tc, mode_0640_and_group_write_refused);
	tcase_add_test(tc, symlink_refused);
	tcase_add_test(tc, directory_refused);
	tcase_add_test(tc, fifo_refused_without_hanging);
	tcase_add_test(tc, empty_refused);
	tcase_add_test(tc, missing_names_the_file);
	tcase_add_test(tc, other_owner_refused);
	tcase_add_test(tc, stdin_dash);
	tcase_add_test(tc, hex_keys);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(keyfile_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
