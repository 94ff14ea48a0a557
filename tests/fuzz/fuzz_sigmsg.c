// SPDX-License-Identifier: GPL-2.0
/* libFuzzer: the signalling decoder and verifier (agent/sigmsg.c). */
#include <stdint.h>
#include <stdlib.h>

#include "sigmsg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t key[32] = "0123456789abcdef0123456789abcdef";
	static struct sig_msg m;
	const char *why = NULL;

	if (sig_decode(data, size, 30, &m, &why)) {
		if (!why)
			abort();	/* every rejection names its reason */
		return 0;
	}
	if (m.kind == SIG_OFFER || m.kind == SIG_ANSWER) {
		why = NULL;
		if (sig_verify(data, size, 30, key, sizeof(key), m.timestamp, &why) &&
		    !why)
			abort();
	}
	return 0;
}
