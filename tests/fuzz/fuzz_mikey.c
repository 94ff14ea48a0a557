// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the MIKEY decoder (RFC 3830 s.6) and for the PSK
 * and DH-HMAC responders with a fixed PSK. The first input byte picks the
 * target; the rest is the message. Checks: decoded payloads lie inside
 * the input, and a responder never accepts without a TGK.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mikey.h"
#include "mikey_exchange.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t psk[] = "mice-demo-psk-not-secret";

static void check_decoded(const struct mikey_msg *m, size_t len)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->p[i].off > len || m->p[i].len > len - m->p[i].off)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct mikey_replay rc;
	static bool init;
	struct mikey_cfg cfg = { .psk = psk, .psk_len = sizeof(psk) - 1 };
	struct mikey_msg m;
	struct mikey_result res;
	struct mikey_keydata kd[MIKEY_MAX_KEYDATA];
	uint8_t out[MIKEY_MSG_MAX], *msg;
	size_t n, out_len = 0, nkd;
	const char *why = NULL;
	uint8_t sel;
	int r;

	if (!init) {
		if (mikey_replay_init(&rc, 64, MIKEY_DEFAULT_SKEW))
			abort();
		init = true;
	}
	if (!size)
		return 0;
	sel = data[0];
	n = size - 1;
	/* exact-size copy so ASan sees any over-read */
	msg = malloc(n ? n : 1);
	if (!msg)
		return 0;
	memcpy(msg, data + 1, n);
	switch (sel % 4) {
	case 0:
		if (mikey_decode(msg, n, &m, &why) == 0) {
			check_decoded(&m, n);
		} else if (!why) {
			abort();	/* every rejection has a reason */
		}
		break;
	case 1:
		if (mikey_keydata_decode(msg, n, kd, MIKEY_MAX_KEYDATA, &nkd,
					 &why) && !why)
			abort();
		break;
	case 2:
		r = mikey_psk_resp_process(&cfg, &rc, mikey_ntp_now(), msg, n,
					   &res, out, sizeof(out), &out_len,
					   &why);
		if (r == 0 && !res.tgk_len)
			abort();
		if (out_len && mikey_decode(out, out_len, &m, &why))
			abort();	/* our answers always decode */
		mikey_result_clear(&res);
		break;
	case 3:
		r = mikey_dhhmac_resp_process(&cfg, &rc, mikey_ntp_now(), msg, n,
					      &res, out, sizeof(out), &out_len,
					      &why);
		if (r == 0 && res.tgk_len != 192)
			abort();
		if (out_len && mikey_decode(out, out_len, &m, &why))
			abort();
		mikey_result_clear(&res);
		break;
	}
	free(msg);
	return 0;
}
