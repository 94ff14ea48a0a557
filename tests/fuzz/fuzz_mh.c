// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the BU/BA Mobility Header decoder (agent/mh.c,
 * RFC 6275 s.6.1). The input is one UDP payload. If it decodes, it is
 * re-encoded and decoded again; the messages must be equal, and both the
 * input and the re-encoding must satisfy the kernel classifier's MIP rule
 * (octet 0 == 59, (Header Len + 1) * 8 == length, MH type <= 23).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mh.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define check(cond)							\
	do {								\
		if (!(cond))						\
			abort();					\
	} while (0)

static struct mh_msg a, b;
static uint8_t out[MH_MAX_LEN];

static int is_mip(const uint8_t *p, size_t n)
{
	return n >= 8 && p[0] == 59 && ((size_t)p[1] + 1) * 8 == n &&
	       p[2] <= 23;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mipice_limits lim = { .max_cand = MIPICE_CAND_MAX };
	enum mipice_err ie = MIPICE_OK;
	uint8_t *copy = malloc(size ? size : 1);
	size_t olen = 0;
	enum mh_err e;

	check(copy != NULL);
	memcpy(copy, data, size);
	e = mh_decode(copy, size, &lim, &a, &ie);
	free(copy);
	check(e < MH_E_MAX_ && ie < MIPICE_E_MAX_);
	check(e == MH_E_ICE || ie == MIPICE_OK);
	if (e != MH_OK)
		return 0;
	check(is_mip(data, size));
	e = mh_encode(&a, out, sizeof(out), &olen, &ie);
	/* The re-encoding is never longer than the input: the MIP-ICE
	 * option moves to offset 16, the lowest 8n offset it could have. */
	check(e == MH_OK && olen <= size);
	check(is_mip(out, olen));
	e = mh_decode(out, olen, &lim, &b, &ie);
	check(e == MH_OK);
	check(mh_msg_eq(&a, &b));
	mh_msg_clear(&a);
	mh_msg_clear(&b);
	return 0;
}
