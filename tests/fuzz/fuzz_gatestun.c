// SPDX-License-Identifier: GPL-2.0
/* libFuzzer: the token presentation parser (agent/gatestun.c). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gatestun.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char tok[GATESTUN_TOKEN_MAX + 1];
	struct stun_addr dest;
	const char *why = NULL;
	uint8_t tid[12];

	if (gatestun_parse_request(data, size, tok, sizeof(tok), &dest, tid, &why)) {
		if (!why)
			abort();
		return 0;
	}
	if (!tok[0] || strspn(tok, "0123456789abcdefABCDEF") != strlen(tok))
		abort();	/* accepted tokens are 1*HEXDIG */
	if (dest.family != 2 && dest.family != 10)
		abort();
	return 0;
}
