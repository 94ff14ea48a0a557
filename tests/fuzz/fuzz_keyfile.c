// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the hex key parser of the agent's key loader
 * (agent/keyfile.c, keyfile_parse_hex). The first two octets pick the
 * caller's limits (min <= max <= KEYFILE_MAX / 2); the rest is the file.
 * Invariants: an accepted key has min..max octets and is exactly the
 * file's digits once the whitespace around them is trimmed; a refusal
 * leaves no length, names the file and says why, and leaves no octet of
 * the key behind.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "keyfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int is_ws(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	       c == '\f';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t key[KEYFILE_MAX / 2];
	char err[KEYFILE_ERR_MAX];
	size_t min, max, len = 99, b = 0, n, i;

	if (size < 2)
		return 0;
	max = data[1] % 65;
	min = data[0] % (max + 1);
	data += 2;
	size -= 2;
	memset(key, 0xA5, sizeof(key));
	err[0] = '\0';
	if (keyfile_parse_hex("fuzz.key", data, size, key, min, max, &len, err,
			      sizeof(err))) {
		if (len != 0 || strncmp(err, "fuzz.key: ", 10) || !err[10])
			abort();
		for (i = 0; i < sizeof(key); i++)
			if (key[i] != 0xA5 && key[i] != 0)
				abort();	/* a refused key left behind */
		return 0;
	}
	n = size;
	while (b < n && is_ws(data[b]))
		b++;
	while (n > b && is_ws(data[n - 1]))
		n--;
	if (len < min || len > max || 2 * len != n - b)
		abort();
	for (i = 0; i < len; i++) {
		int hi = OPENSSL_hexchar2int(data[b + 2 * i]);
		int lo = OPENSSL_hexchar2int(data[b + 2 * i + 1]);

		if (hi < 0 || lo < 0 || key[i] != (uint8_t)(hi << 4 | lo))
			abort();
	}
	return 0;
}
