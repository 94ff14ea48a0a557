/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one loader of secrets for the whole agent: the daemon's PSKs and
 * MN-HA keys, token keys, group keys, `mice kdf`'s TGK or PSK. Secrets
 * never come from argv (where `ps` shows them): only from a file, or
 * from standard input when the path is "-".
 *
 * A key file is refused, with a message naming the file and the fix,
 * when it is not a regular file (a directory, a FIFO, a device), when it
 * is a symbolic link (opened with O_NOFOLLOW: a link in a directory
 * others can write to could point anywhere), when it is not owned by
 * root or by the user running mice, when its mode gives group or others
 * any access (as ssh does: "chmod 600 FILE" fixes it), when it is empty,
 * shorter than the caller's minimum or longer than its maximum (never
 * cut). Trailing CR and LF are not part of the key. Every buffer that
 * held the key on the way is cleansed (OPENSSL_cleanse).
 */
#ifndef MICE_KEYFILE_H
#define MICE_KEYFILE_H

#include <stddef.h>
#include <stdint.h>

/* The most a caller may ask for, and thus what is ever read. */
#define KEYFILE_MAX		4096
#define KEYFILE_ERR_MAX		512	/* a buffer this big holds any error */

/*
 * Reads the key in @path ("-": standard input) into @key: between @min
 * and @max octets (max <= KEYFILE_MAX), trailing CR/LF removed. Returns 0
 * with *@len set, or -1 with "PATH: what is wrong" in @err (@key cleansed).
 */
int keyfile_load(const char *path, uint8_t *key, size_t min, size_t max,
		 size_t *len, char *err, size_t errlen);

/*
 * As keyfile_load for a file that holds the key as hex digits (whitespace
 * around them ignored): @min..@max octets of key once decoded.
 */
int keyfile_load_hex(const char *path, uint8_t *key, size_t min, size_t max,
		     size_t *len, char *err, size_t errlen);

/*
 * The hex part of keyfile_load_hex, on @n octets of @text already read
 * from @path (named in errors only): @min..@max octets of key. The
 * fuzzer runs it. Returns 0 with *@len set, or -1 with @err set (@key
 * cleansed).
 */
int keyfile_parse_hex(const char *path, const uint8_t *text, size_t n,
		      uint8_t *key, size_t min, size_t max, size_t *len,
		      char *err, size_t errlen);

#endif /* MICE_KEYFILE_H */
