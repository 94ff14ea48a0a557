/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small streaming JSON writer for `-j` output, in the spirit of
 * iproute2's json_print: callers emit keys and values in order, the writer
 * handles commas, nesting and string escaping.
 */
#ifndef MICE_JSON_H
#define MICE_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 32

struct json {
	FILE *out;
	int depth;
	bool need_comma[JSON_MAX_DEPTH];
};

void json_init(struct json *j, FILE *out);
/* @key is NULL inside arrays and at the top level. */
void json_obj_open(struct json *j, const char *key);
void json_obj_close(struct json *j);
void json_arr_open(struct json *j, const char *key);
void json_arr_close(struct json *j);
void json_str(struct json *j, const char *key, const char *val);
void json_u64(struct json *j, const char *key, uint64_t val);
void json_s64(struct json *j, const char *key, int64_t val);
void json_bool(struct json *j, const char *key, bool val);
void json_null(struct json *j, const char *key);
/* @len bytes as a lower-case hex string. */
void json_hex(struct json *j, const char *key, const void *buf, size_t len);
/* Ends a top-level value with a newline and flushes. */
void json_end(struct json *j);

#endif /* MICE_JSON_H */
