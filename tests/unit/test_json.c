// SPDX-License-Identifier: GPL-2.0
/* The JSON writer behind every `-j` (agent/json.c). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

static char *render(void (*fn)(struct json *))
{
	static char out[1024];
	FILE *f = fmemopen(out, sizeof(out), "w");
	struct json j;

	json_init(&j, f);
	fn(&j);
	fclose(f);
	return out;
}

static void nested(struct json *j)
{
	json_obj_open(j, NULL);
	json_str(j, "a", "x");
	json_arr_open(j, "list");
	json_u64(j, NULL, 1);
	json_obj_open(j, NULL);
	json_bool(j, "t", true);
	json_obj_close(j);
	json_null(j, NULL);
	json_arr_close(j);
	json_s64(j, "neg", -5);
	json_obj_close(j);
	json_end(j);
}

static void escapes(struct json *j)
{
	json_obj_open(j, NULL);
	json_str(j, "s", "q\"b\\n\n\t\x01");
	json_hex(j, "h", "\x00\xff\x10", 3);
	json_obj_close(j);
	json_end(j);
}

static void two_values(struct json *j)
{
	json_obj_open(j, NULL);
	json_obj_close(j);
	json_end(j);
	json_obj_open(j, NULL);
	json_u64(j, "n", 18446744073709551615ULL);
	json_obj_close(j);
	json_end(j);
}

START_TEST(commas_and_nesting)
{
	ck_assert_str_eq(render(nested),
			 "{\"a\":\"x\",\"list\":[1,{\"t\":true},null],\"neg\":-5}\n");
}
END_TEST

START_TEST(string_escaping_and_hex)
{
	ck_assert_str_eq(render(escapes),
			 "{\"s\":\"q\\\"b\\\\n\\n\\t\\u0001\",\"h\":\"00ff10\"}\n");
}
END_TEST

START_TEST(one_value_per_line)
{
	ck_assert_str_eq(render(two_values),
			 "{}\n{\"n\":18446744073709551615}\n");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("json");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, commas_and_nesting);
	tcase_add_test(tc, string_escaping_and_hex);
	tcase_add_test(tc, one_value_per_line);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
