// SPDX-License-Identifier: GPL-2.0
/*
 * Micro-benchmark of the media admission fast path (seed 001 s.6.2):
 * mice_flow_key_parse(), mice_gate_classifier_match(),
 * mice_flow_key_hash() and mice_policer_admit(), plus token verification
 * (hex decode + HMAC-SHA256 via OpenSSL) for scale. Userspace, -O2,
 * clock_gettime(CLOCK_MONOTONIC) around N calls; reports ns per call (best
 * of 5 runs). The kernel build compiles the same freestanding code, so the
 * numbers are indicative of the per-packet cost there.
 *
 *   make build/bench/admission_bench && build/bench/admission_bench
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "gate_match.h"
#include "policer.h"
#include "token.h"

#define RUNS	5

/* Keep results alive so the compiler cannot drop the calls. */
static volatile u32 sink;

static u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ull + (u64)ts.tv_nsec;
}

static void report(const char *what, u64 best, u64 n)
{
	printf("%-40s %8.2f ns/call  (%llu calls, best of %d)\n", what,
	       (double)best / (double)n, (unsigned long long)n, RUNS);
}

static u32 build_v4_udp(u8 *b)
{
	memset(b, 0, 48);
	b[0] = 0x45;
	b[3] = 48;
	b[8] = 64;
	b[9] = 17;
	b[12] = 10; b[15] = 1;
	b[16] = 192; b[18] = 2; b[19] = 9;
	b[20] = 0x13; b[21] = 0x8c;	/* 5004 */
	b[22] = 0x15; b[23] = 0x7c;	/* 5500 */
	b[25] = 28;
	return 48;
}

static int hmac_hook(void *ctx, const u8 *msg, u32 len, u8 out[32])
{
	unsigned int olen;

	return HMAC(EVP_sha256(), ctx, 32, msg, len, out, &olen) ? 0 : -1;
}

static int sha_hook(void *ctx, const u8 *msg, u32 len, u8 out[32])
{
	unsigned int olen;

	(void)ctx;
	return EVP_Digest(msg, len, out, &olen, EVP_sha256(), NULL) ? 0 : -1;
}

int main(int argc, char **argv)
{
	u64 n = argc > 1 ? strtoull(argv[1], NULL, 10) : 10000000ull;
	struct mice_gate_classifier c[8];
	struct mice_flow_key k;
	struct mice_policer p;
	u8 pkt[64];
	u32 len = build_v4_udp(pkt);
	u64 i, t, best;
	int r, j;

	if (mice_flow_key_parse(pkt, len, len, &k))
		return 1;
	k.dir = MICE_GATE_DIR_UP;

	/* Eight gates; only the last one matches (worst case of a scan). */
	memset(c, 0, sizeof(c));
	for (j = 0; j < 8; j++) {
		c[j].proto = MICE_GATE_PROTO_UDP;
		c[j].dir = MICE_GATE_DIR_UP;
		c[j].src.family = c[j].dst.family = MICE_AF_INET;
		c[j].src.len = 24;
		c[j].src.addr[0] = 10;
		c[j].dst.len = 32;
		memcpy(c[j].dst.addr, k.dst, 4);
		c[j].sport.lo = 5000;
		c[j].sport.hi = 5010;
		c[j].dport.lo = c[j].dport.hi = (u16)(5500 - 7 + j);
	}

	best = UINT64_MAX;
	for (r = 0; r < RUNS; r++) {
		t = now_ns();
		for (i = 0; i < n; i++)
			sink += (u32)mice_flow_key_parse(pkt, len, len, &k);
		t = now_ns() - t;
		best = t < best ? t : best;
	}
	report("mice_flow_key_parse (IPv4/UDP)", best, n);
	k.dir = MICE_GATE_DIR_UP;

	best = UINT64_MAX;
	for (r = 0; r < RUNS; r++) {
		t = now_ns();
		for (i = 0; i < n; i++)
			sink += mice_gate_classifier_match(&c[7], &k);
		t = now_ns() - t;
		best = t < best ? t : best;
	}
	report("mice_gate_classifier_match (hit)", best, n);

	best = UINT64_MAX;
	for (r = 0; r < RUNS; r++) {
		t = now_ns();
		for (i = 0; i < n; i++) {
			k.sport = (u16)(5000 + (i & 7));
			sink += mice_gate_classifier_match(&c[0], &k);
		}
		t = now_ns() - t;
		best = t < best ? t : best;
	}
	report("mice_gate_classifier_match (port miss)", best, n);

	best = UINT64_MAX;
	for (r = 0; r < RUNS; r++) {
		t = now_ns();
		for (i = 0; i < n; i++) {
			k.sport = (u16)i;
			sink += mice_flow_key_hash(&k, 0x9e3779b9u);
		}
		t = now_ns() - t;
		best = t < best ? t : best;
	}
	report("mice_flow_key_hash (IPv4)", best, n);

	/* 100 Mbit/s envelope, 1200-octet packets every 50 us (~190 Mbit/s). */
	best = UINT64_MAX;
	for (r = 0; r < RUNS; r++) {
		mice_policer_init(&p, 12500000, 30000, 1500, 0);
		t = now_ns();
		for (i = 0; i < n; i++)
			sink += mice_policer_admit(&p, i * 50000, 1200);
		t = now_ns() - t;
		best = t < best ? t : best;
	}
	report("mice_policer_admit", best, n);

	{
		static u8 key[32] = "bench key bench key bench key!!";
		struct mice_token_crypto cr = { hmac_hook, sha_hook, key };
		struct mice_token tok;
		u8 bin[MICE_TOKEN_LEN];
		char hex[MICE_TOKEN_HEX_LEN + 1];
		u32 pos;
		u64 m = n / 100 ? n / 100 : 1;

		memset(&tok, 0, sizeof(tok));
		tok.expiry = UINT64_MAX;
		tok.rate = 8000;
		tok.burst = 1600;
		if (mice_cls_digest(&c[7], &cr, tok.cls_digest) ||
		    mice_token_sign(&tok, &cr))
			return 1;
		mice_token_serialize(&tok, bin);
		mice_hex_encode(bin, MICE_TOKEN_LEN, hex);
		best = UINT64_MAX;
		for (r = 0; r < RUNS; r++) {
			t = now_ns();
			for (i = 0; i < m; i++)
				sink += (u32)mice_token_verify_hex(hex, MICE_TOKEN_HEX_LEN,
								   1, &c[7], &cr, &tok, &pos);
			t = now_ns() - t;
			best = t < best ? t : best;
		}
		if (mice_token_verify_hex(hex, MICE_TOKEN_HEX_LEN, 1, &c[7], &cr, &tok, &pos))
			return 1;
		report("mice_token_verify_hex (+classifier)", best, m);
	}
	return 0;
}
