// SPDX-License-Identifier: GPL-2.0
/*
 * MIKEY benchmark: key derivations (RFC 3830 s.4.1), PSK exchanges
 * (s.3.1, NULL and AES-CM-128), DH-HMAC exchanges (RFC 4650), next to the
 * raw OpenSSL primitives they are built on, so the protocol overhead
 * shows as a ratio. Usage: mikey_bench [seconds per item, default 1].
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "mikey.h"
#include "mikey_exchange.h"
#include "mikey_prf.h"

static double secs = 1.0;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Runs fn until `secs` elapse; returns operations per second. */
static double rate(int (*fn)(void))
{
	double t0 = now_s(), t;
	unsigned long n = 0;

	do {
		for (int i = 0; i < 16; i++)
			if (fn()) {
				fprintf(stderr, "benchmark step failed\n");
				exit(1);
			}
		n += 16;
		t = now_s() - t0;
	} while (t < secs);
	return n / t;
}

static uint8_t tgk[16] = { 1, 2, 3 }, rnd[16] = { 4, 5, 6 }, out[64];
static uint8_t label[25], buf45[45];

/* The cheapest raw form: one keyed HMAC-SHA-1 context made up front, each
 * operation only re-initialises, updates and finalises it. */
static EVP_MAC_CTX *raw_ctx;

static int raw_hmac(const uint8_t *a, size_t al, const uint8_t *b, size_t bl,
		    uint8_t *o)
{
	size_t ol;

	return EVP_MAC_init(raw_ctx, NULL, 0, NULL) &&
	       EVP_MAC_update(raw_ctx, a, al) &&
	       (!bl || EVP_MAC_update(raw_ctx, b, bl)) &&
	       EVP_MAC_final(raw_ctx, o, &ol, 20) ? 0 : -1;
}

/* s.4.1.2 with m = 1: A_1 = HMAC(s, label), out = HMAC(s, A_1 || label) */
static int raw_hmac_pair(void)
{
	return raw_hmac(label, sizeof(label), NULL, 0, buf45) ||
	       raw_hmac(buf45, 20, label, sizeof(label), out);
}

static int derive_tek(void)
{
	return mikey_derive(MIKEY_KEY_TEK, tgk, sizeof(tgk), 1, 0x1234, rnd,
			    sizeof(rnd), out, 16);
}

static const uint8_t psk[] = "benchmark-pre-shared-key";
static struct mikey_cfg cfg = { .psk = psk, .psk_len = sizeof(psk) - 1 };
static struct mikey_replay rc;
static uint64_t clk;
static uint8_t encr;

static int psk_exchange(void)
{
	struct mikey_init_params ip = { .csb_id = 7, .n_cs = 1,
					.encr_alg = encr, .verify = true };
	struct mikey_init_state st;
	struct mikey_result ri, rr;
	uint8_t im[512], rm[512];
	size_t il, rl;
	const char *why;
	int r;

	clk += 1;	/* distinct T per message keeps the replay cache happy */
	r = mikey_psk_init_create(&cfg, &ip, clk, &st, im, sizeof(im), &il,
				  &why) ||
	    mikey_psk_resp_process(&cfg, &rc, clk, im, il, &rr, rm, sizeof(rm),
				   &rl, &why) ||
	    mikey_psk_init_finish(&cfg, &st, &rc, clk, rm, rl, &ri, &why) ||
	    memcmp(ri.tgk, rr.tgk, 16);
	mikey_init_state_clear(&st);
	return r ? -1 : 0;
}

static int dhhmac_exchange(void)
{
	struct mikey_init_params ip = { .csb_id = 7, .n_cs = 1 };
	struct mikey_init_state st;
	struct mikey_result ri, rr;
	uint8_t im[1024], rm[1024];
	size_t il, rl;
	const char *why;
	int r;

	clk += 1;
	r = mikey_dhhmac_init_create(&cfg, &ip, clk, &st, im, sizeof(im), &il,
				     &why) ||
	    mikey_dhhmac_resp_process(&cfg, &rc, clk, im, il, &rr, rm,
				      sizeof(rm), &rl, &why) ||
	    mikey_dhhmac_init_finish(&cfg, &st, &rc, clk, rm, rl, &ri, &why) ||
	    memcmp(ri.tgk, rr.tgk, 192);
	mikey_init_state_clear(&st);
	return r ? -1 : 0;
}

/* One side of a DH exchange in raw OpenSSL: keygen + derive. */
static void *peer_key;
static uint8_t peer_pub[192];

static int raw_dh(void)
{
	uint8_t pub[192], sec[192];
	void *k = mikey_dh_keygen(pub, sizeof(pub));
	int r = k ? mikey_dh_derive(k, peer_pub, sizeof(peer_pub), sec, 192) : -1;

	mikey_dh_free(k);
	return r;
}

/* HMAC-SHA-1 over a message-sized buffer (an I_MESSAGE is ~100 bytes). */
static uint8_t msgbuf[120];

static int raw_hmac_msg(void)
{
	return raw_hmac(msgbuf, sizeof(msgbuf), NULL, 0, out);
}

int main(int argc, char **argv)
{
	double r_pair, r_msg, r_der, r_psk, r_aes, r_dhx, r_dh;

	if (argc > 1)
		secs = atof(argv[1]);
	if (secs <= 0)
		secs = 1.0;
	mikey_label(label, MIKEY_CONST_TEK, 1, 0x1234, rnd, sizeof(rnd));
	if (mikey_replay_init(&rc, MIKEY_DEFAULT_REPLAY, 1u << 30))
		return 1;
	clk = mikey_ntp_now();
	peer_key = mikey_dh_keygen(peer_pub, sizeof(peer_pub));
	raw_ctx = mikey_hmac_sha1_new(tgk, sizeof(tgk));
	if (!peer_key || !raw_ctx)
		return 1;

	r_pair = rate(raw_hmac_pair);
	r_msg = rate(raw_hmac_msg);
	r_der = rate(derive_tek);
	encr = MIKEY_ENCR_NULL;
	r_psk = rate(psk_exchange);
	encr = MIKEY_ENCR_AES_CM_128;
	r_aes = rate(psk_exchange);
	r_dh = rate(raw_dh);
	r_dhx = rate(dhhmac_exchange);

	printf("raw HMAC-SHA-1 pair, keyed ctx reused %11.0f /s  (the PRF work for m=1)\n", r_pair);
	printf("raw HMAC-SHA-1 over 120 B, ctx reused %11.0f /s\n", r_msg);
	printf("mikey_derive TEK 16 B (PRF)         %12.0f /s  (%.2fx raw pair)\n",
	       r_der, r_pair / r_der);
	printf("PSK exchange NULL, V                %12.0f /s  (%.1f raw 120-B HMACs each)\n",
	       r_psk, r_msg / r_psk);
	printf("PSK exchange AES-CM-128, V          %12.0f /s  (%.1f raw 120-B HMACs each)\n",
	       r_aes, r_msg / r_aes);
	printf("raw DH-1536 keygen+derive           %12.1f /s\n", r_dh);
	printf("DH-HMAC exchange (2 sides)          %12.1f /s  (%.2fx the time of 2 raw keygen+derive)\n",
	       r_dhx, (r_dh / 2) / r_dhx);
	mikey_dh_free(peer_key);
	EVP_MAC_CTX_free(raw_ctx);
	mikey_replay_free(&rc);
	return 0;
}
