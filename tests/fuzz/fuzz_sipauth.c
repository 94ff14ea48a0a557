// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the P-Media-Authorization header parser
 * (agent/sipauth.c; RFC 3313 s.5, seed 001 s.5.1, RFC 3261 s.25.1).
 * Invariants: a refusal points inside the input (or at its end, then with
 * found == -1) and reports the octet there; an accepted field has 1..16
 * tokens of 1..512 hex digits, in order and inside the input, and the
 * canonical re-serialization "P-Media-Authorization: t1,t2,..." parses to
 * the same tokens.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sipauth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int is_hex(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char canon[32 + SIPAUTH_MAX_TOKENS * (SIPAUTH_MAX_TOKEN_LEN + 1)];
	const char *s = (const char *)data;
	struct sipauth_header h, h2;
	struct sipauth_error e;
	size_t i, j, n, prev_end = 0;
	char msg[256];

	if (sipauth_parse(s, size, &h, &e)) {
		if (e.pos > size || !e.what)
			abort();
		if (e.pos == size ? e.found != -1 : e.found != data[e.pos])
			abort();
		sipauth_strerror(&e, msg, sizeof(msg));
		return 0;
	}
	if (h.ntokens < 1 || h.ntokens > SIPAUTH_MAX_TOKENS)
		abort();
	n = (size_t)snprintf(canon, sizeof(canon), "P-Media-Authorization: ");
	for (i = 0; i < h.ntokens; i++) {
		if (h.tok[i].len < 1 || h.tok[i].len > SIPAUTH_MAX_TOKEN_LEN ||
		    h.tok[i].off < prev_end || h.tok[i].off + h.tok[i].len > size)
			abort();
		for (j = 0; j < h.tok[i].len; j++)
			if (!is_hex(data[h.tok[i].off + j]))
				abort();
		prev_end = h.tok[i].off + h.tok[i].len;
		if (i)
			canon[n++] = ',';
		memcpy(canon + n, s + h.tok[i].off, h.tok[i].len);
		n += h.tok[i].len;
	}
	if (sipauth_parse(canon, n, &h2, &e) || h2.ntokens != h.ntokens)
		abort();
	for (i = 0; i < h.ntokens; i++)
		if (h2.tok[i].len != h.tok[i].len ||
		    memcmp(canon + h2.tok[i].off, s + h.tok[i].off, h.tok[i].len))
			abort();
	return 0;
}
