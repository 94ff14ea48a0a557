// SPDX-License-Identifier: GPL-2.0
/*
 * `mice kdf` (RFC 3830 s.4.1.3 / s.4.1.4 key derivation) and
 * `mice mikey decode|example|selftest` (RFC 3830 s.6 message decoder,
 * sample messages, an in-process PSK + DH-HMAC exchange).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "cli.h"
#include "json.h"
#include "keyfile.h"
#include "mikey.h"
#include "mikey_exchange.h"
#include "mikey_prf.h"

/* Dispatched from main.c (declared in commands.h by the lead). */
int cmd_kdf(int argc, char **argv, const struct cli_opts *opts);
int cmd_mikey(int argc, char **argv, const struct cli_opts *opts);

/* Hex to bytes; whitespace and ':' are ignored. Returns the length or -1. */
static long parse_hex(const char *s, uint8_t *out, size_t cap)
{
	size_t n = 0;
	int hi = -1;

	for (; *s; s++) {
		int v;

		if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' ||
		    *s == ':')
			continue;
		v = OPENSSL_hexchar2int((unsigned char)*s);
		if (v < 0)
			return -1;
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (n == cap)
			return -1;
		out[n++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	return hi < 0 ? (long)n : -1;
}

static int parse_u32(const char *s, uint32_t max, uint32_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end || s[0] == '-' || v > max)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static void print_hex(FILE *f, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%02x", b[i]);
}

/* ---- mice kdf ---- */
static void kdf_usage(void)
{
	fprintf(stderr,
		"usage: mice kdf (--tgk-file F | --psk-file F) --rand HEX "
		"--key tek|auth|enc|salt\n"
		"                [--cs-id N] [--csb-id N] [--len BYTES]\n"
		"  --tgk-file: keys from a TGK (RFC 3830 s.4.1.3)\n"
		"  --psk-file: keys from a pre-shared key, cs_id 0xFF "
		"(s.4.1.4; no tek)\n"
		"  the file holds the key as hex digits (mode 0600); - is "
		"standard input\n");
}

int cmd_kdf(int argc, char **argv, const struct cli_opts *opts)
{
	static const struct option lo[] = {
		{ "tgk", required_argument, NULL, 'T' },
		{ "psk", required_argument, NULL, 'P' },
		{ "tgk-file", required_argument, NULL, 't' },
		{ "psk-file", required_argument, NULL, 'p' },
		{ "cs-id", required_argument, NULL, 'c' },
		{ "csb-id", required_argument, NULL, 'b' },
		{ "rand", required_argument, NULL, 'r' },
		{ "key", required_argument, NULL, 'k' },
		{ "len", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint8_t inkey[1024], rand[256], out[MIKEY_PRF_OUT_MAX];
	char kerr[KEYFILE_ERR_MAX];
	size_t klen;
	long inkey_len = -1, rand_len = -1;
	uint32_t cs_id = 0, csb_id = 0, len = 16;
	const char *key = NULL;
	bool psk = false;
	enum mikey_key_kind kind;
	int c, ret = CLI_USAGE;

	optind = 0;	/* GNU: full reset */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+h", lo, NULL)) != -1) {
		switch (c) {
		case 'T':
		case 'P':
			cli_err("kdf: --%s HEX is refused: a key in the command "
				"line is seen by every local user (ps, "
				"/proc/PID/cmdline); use --%s-file FILE (hex "
				"digits, mode 0600, or - for standard input)",
				c == 'T' ? "tgk" : "psk", c == 'T' ? "tgk" : "psk");
			goto out;
		case 't':
		case 'p':
			if (inkey_len >= 0) {
				cli_err("kdf: give one of --tgk-file and --psk-file");
				goto out;
			}
			psk = c == 'p';
			if (keyfile_load_hex(optarg, inkey, 1, sizeof(inkey), &klen,
					     kerr, sizeof(kerr))) {
				cli_err("kdf: --%s-file %s", psk ? "psk" : "tgk",
					kerr);
				goto out;
			}
			inkey_len = (long)klen;
			break;
		case 'c':
			if (parse_u32(optarg, 255, &cs_id)) {
				cli_err("kdf: --cs-id wants 0..255, not '%s'",
					optarg);
				goto out;
			}
			break;
		case 'b':
			if (parse_u32(optarg, UINT32_MAX, &csb_id)) {
				cli_err("kdf: --csb-id wants a 32-bit number, not '%s'",
					optarg);
				goto out;
			}
			break;
		case 'r':
			rand_len = parse_hex(optarg, rand, sizeof(rand));
			if (rand_len < 0 || rand_len > 255) {
				cli_err("kdf: --rand wants 0 to 255 bytes of hex");
				goto out;
			}
			break;
		case 'k':
			key = optarg;
			break;
		case 'l':
			if (parse_u32(optarg, MIKEY_PRF_OUT_MAX, &len) || !len) {
				cli_err("kdf: --len wants 1..%d bytes, not '%s'",
					MIKEY_PRF_OUT_MAX, optarg);
				goto out;
			}
			break;
		case 'h':
			kdf_usage();
			ret = CLI_OK;
			goto out;
		default:
			cli_err("kdf: unknown or incomplete option '%s'",
				argv[optind - 1]);
			kdf_usage();
			goto out;
		}
	}
	if (optind < argc) {
		cli_err("kdf: unexpected argument '%s'", argv[optind]);
		goto out;
	}
	if (inkey_len < 0) {
		cli_err("kdf: --tgk-file or --psk-file is required");
		goto out;
	}
	if (rand_len < 0) {
		cli_err("kdf: --rand is required (the RAND of the I_MESSAGE)");
		goto out;
	}
	if (!key) {
		cli_err("kdf: --key is required: tek, auth, enc or salt");
		goto out;
	}
	if (!strcmp(key, "tek") && !psk)
		kind = MIKEY_KEY_TEK;
	else if (!strcmp(key, "auth"))
		kind = psk ? MIKEY_KEY_PSK_AUTH : MIKEY_KEY_AUTH;
	else if (!strcmp(key, "enc"))
		kind = psk ? MIKEY_KEY_PSK_ENC : MIKEY_KEY_ENC;
	else if (!strcmp(key, "salt"))
		kind = psk ? MIKEY_KEY_PSK_SALT : MIKEY_KEY_SALT;
	else {
		cli_err("kdf: --key '%s': use tek, auth, enc or salt%s", key,
			psk ? " (no tek from a PSK, s.4.1.4)" : "");
		goto out;
	}
	if (mikey_derive(kind, inkey, (size_t)inkey_len, (uint8_t)cs_id,
			 csb_id, rand, (size_t)rand_len, out, len)) {
		cli_err("kdf: derivation failed");
		ret = CLI_FAIL;
		goto out;
	}
	if (opts && opts->json) {
		struct json j;

		json_init(&j, stdout);
		json_obj_open(&j, NULL);
		json_hex(&j, "key", out, len);
		json_u64(&j, "len", len);
		json_obj_close(&j);
		json_end(&j);
	} else {
		print_hex(stdout, out, len);
		putchar('\n');
	}
	ret = CLI_OK;
out:
	OPENSSL_cleanse(inkey, sizeof(inkey));
	OPENSSL_cleanse(out, sizeof(out));
	return ret;
}

/* ---- mice mikey decode ---- */
static const char *ts_name(uint8_t t)
{
	return t == MIKEY_TS_NTP_UTC ? "NTP-UTC" : t == MIKEY_TS_NTP ? "NTP"
		: t == MIKEY_TS_COUNTER ? "COUNTER" : "unknown";
}

static const char *encr_name(uint8_t a)
{
	return a == MIKEY_ENCR_NULL ? "NULL" : a == MIKEY_ENCR_AES_CM_128
		? "AES-CM-128" : a == MIKEY_ENCR_AES_KW_128 ? "AES-KW-128"
		: "unknown";
}

static const char *mac_name(uint8_t a)
{
	return a == MIKEY_MAC_NULL ? "NULL" : a == MIKEY_MAC_HMAC_SHA1_160
		? "HMAC-SHA-1-160" : "unknown";
}

static const char *kd_name(uint8_t t)
{
	static const char *const n[] = { "TGK", "TGK+SALT", "TEK", "TEK+SALT" };

	return t < 4 ? n[t] : "unknown";
}

/* Key Data of a NULL-encrypted KEMAC: types and lengths, never keys. */
static void show_keydata(const struct mikey_payload *p, struct json *j)
{
	struct mikey_keydata kd[MIKEY_MAX_KEYDATA];
	size_t n = 0;
	const char *why = "";

	if (p->u.kemac.encr_alg != MIKEY_ENCR_NULL || !p->u.kemac.encr_len)
		return;
	if (mikey_keydata_decode(p->u.kemac.encr, p->u.kemac.encr_len, kd,
				 MIKEY_MAX_KEYDATA, &n, &why)) {
		if (j)
			json_str(j, "key_data_error", why);
		else
			printf("  key data: %s\n", why);
		return;
	}
	if (j)
		json_arr_open(j, "key_data");
	for (size_t i = 0; i < n; i++) {
		if (j) {
			json_obj_open(j, NULL);
			json_str(j, "type", kd_name(kd[i].type));
			json_u64(j, "key_len", kd[i].key_len);
			json_u64(j, "salt_len", kd[i].salt_len);
			json_u64(j, "kv", kd[i].kv.type);
			json_obj_close(j);
		} else {
			printf("  key data: %s key %u bytes salt %u bytes KV %u\n",
			       kd_name(kd[i].type), kd[i].key_len,
			       kd[i].salt_len, kd[i].kv.type);
		}
	}
	if (j)
		json_arr_close(j);
	OPENSSL_cleanse(kd, sizeof(kd));
}

static void show_text(const struct mikey_msg *m)
{
	const struct mikey_hdr *h = &m->hdr;

	printf("HDR version %u data-type %u (%s) V %u PRF %u CSB-ID 0x%08" PRIx32
	       " #CS %u map %s\n", h->version, h->data_type,
	       mikey_data_type_name(h->data_type), h->v, h->prf_func,
	       h->csb_id, h->n_cs,
	       h->map_type == MIKEY_MAP_SRTP_ID ? "SRTP-ID" : "unknown");
	for (unsigned int i = 0; i < h->n_cs; i++)
		printf("  CS %u policy %u SSRC 0x%08" PRIx32 " ROC %" PRIu32 "\n",
		       i + 1, h->cs[i].policy_no, h->cs[i].ssrc, h->cs[i].roc);
	for (size_t i = 0; i < m->n; i++) {
		const struct mikey_payload *p = &m->p[i];

		printf("%s", mikey_payload_name(p->type));
		switch (p->type) {
		case MIKEY_PT_T:
			printf(" %s 0x%016" PRIx64 "\n", ts_name(p->u.t.ts_type),
			       p->u.t.value);
			break;
		case MIKEY_PT_RAND:
			printf(" len %u ", p->u.rand.len);
			print_hex(stdout, p->u.rand.data, p->u.rand.len);
			putchar('\n');
			break;
		case MIKEY_PT_ID:
			printf(" type %s '%.*s'\n",
			       p->u.id.id_type == MIKEY_ID_NAI ? "NAI"
			       : p->u.id.id_type == MIKEY_ID_URI ? "URI" : "?",
			       (int)p->u.id.len, (const char *)p->u.id.data);
			break;
		case MIKEY_PT_KEMAC:
			printf(" encr %s len %u mac %s\n",
			       encr_name(p->u.kemac.encr_alg), p->u.kemac.encr_len,
			       mac_name(p->u.kemac.mac_alg));
			show_keydata(p, NULL);
			break;
		case MIKEY_PT_DH:
			printf(" group %u (%u bits) KV %u\n", p->u.dh.group,
			       p->u.dh.value_len * 8, p->u.dh.kv.type);
			break;
		case MIKEY_PT_V:
			printf(" mac %s\n", mac_name(p->u.v.mac_alg));
			break;
		case MIKEY_PT_SP:
			printf(" policy %u prot %s params %u bytes\n",
			       p->u.sp.policy_no,
			       p->u.sp.prot_type == MIKEY_PROT_SRTP ? "SRTP" : "?",
			       p->u.sp.params_len);
			break;
		case MIKEY_PT_ERR:
			printf(" %u (%s)\n", p->u.err.code,
			       mikey_err_name(p->u.err.code));
			break;
		case MIKEY_PT_GEXT:
			printf(" type %u len %u\n", p->u.gext.type, p->u.gext.len);
			break;
		default:
			printf(" subtype %u len %u\n", p->u.opaque.subtype,
			       p->u.opaque.len);
		}
	}
}

static void show_json(const struct mikey_msg *m)
{
	const struct mikey_hdr *h = &m->hdr;
	struct json j;

	json_init(&j, stdout);
	json_obj_open(&j, NULL);
	json_u64(&j, "version", h->version);
	json_u64(&j, "data_type", h->data_type);
	json_str(&j, "data_type_name", mikey_data_type_name(h->data_type));
	json_bool(&j, "v", h->v);
	json_u64(&j, "prf_func", h->prf_func);
	json_u64(&j, "csb_id", h->csb_id);
	json_u64(&j, "cs_id_map_type", h->map_type);
	json_arr_open(&j, "cs");
	for (unsigned int i = 0; i < h->n_cs; i++) {
		json_obj_open(&j, NULL);
		json_u64(&j, "policy_no", h->cs[i].policy_no);
		json_u64(&j, "ssrc", h->cs[i].ssrc);
		json_u64(&j, "roc", h->cs[i].roc);
		json_obj_close(&j);
	}
	json_arr_close(&j);
	json_arr_open(&j, "payloads");
	for (size_t i = 0; i < m->n; i++) {
		const struct mikey_payload *p = &m->p[i];

		json_obj_open(&j, NULL);
		json_str(&j, "type", mikey_payload_name(p->type));
		json_u64(&j, "len", p->len);
		switch (p->type) {
		case MIKEY_PT_T:
			json_str(&j, "ts_type", ts_name(p->u.t.ts_type));
			json_u64(&j, "value", p->u.t.value);
			break;
		case MIKEY_PT_RAND:
			json_hex(&j, "rand", p->u.rand.data, p->u.rand.len);
			break;
		case MIKEY_PT_ID:
			json_u64(&j, "id_type", p->u.id.id_type);
			json_hex(&j, "id", p->u.id.data, p->u.id.len);
			break;
		case MIKEY_PT_KEMAC:
			json_str(&j, "encr_alg", encr_name(p->u.kemac.encr_alg));
			json_u64(&j, "encr_len", p->u.kemac.encr_len);
			json_str(&j, "mac_alg", mac_name(p->u.kemac.mac_alg));
			show_keydata(p, &j);
			break;
		case MIKEY_PT_DH:
			json_u64(&j, "group", p->u.dh.group);
			json_u64(&j, "value_len", p->u.dh.value_len);
			json_u64(&j, "kv", p->u.dh.kv.type);
			break;
		case MIKEY_PT_V:
			json_str(&j, "mac_alg", mac_name(p->u.v.mac_alg));
			break;
		case MIKEY_PT_SP:
			json_u64(&j, "policy_no", p->u.sp.policy_no);
			json_u64(&j, "prot_type", p->u.sp.prot_type);
			json_hex(&j, "params", p->u.sp.params,
				 p->u.sp.params_len);
			break;
		case MIKEY_PT_ERR:
			json_u64(&j, "code", p->u.err.code);
			json_str(&j, "name", mikey_err_name(p->u.err.code));
			break;
		case MIKEY_PT_GEXT:
			json_u64(&j, "ext_type", p->u.gext.type);
			json_hex(&j, "data", p->u.gext.data, p->u.gext.len);
			break;
		default:
			json_u64(&j, "subtype", p->u.opaque.subtype);
			json_u64(&j, "data_len", p->u.opaque.len);
		}
		json_obj_close(&j);
	}
	json_arr_close(&j);
	json_obj_close(&j);
	json_end(&j);
}

static int mikey_decode_cmd(int argc, char **argv, const struct cli_opts *opts)
{
	static char text[2 * MIKEY_MSG_MAX * 2 + 2];
	uint8_t buf[MIKEY_MSG_MAX];
	struct mikey_msg m;
	const char *src, *why = "";
	long n;

	if (argc != 2) {
		cli_err("mikey decode: give one message as HEX, or '-' for stdin");
		return CLI_USAGE;
	}
	src = argv[1];
	if (!strcmp(src, "-")) {
		size_t got = fread(text, 1, sizeof(text) - 1, stdin);

		if (!feof(stdin)) {
			cli_err("mikey decode: stdin is longer than %zu bytes",
				sizeof(text) - 1);
			return CLI_USAGE;
		}
		text[got] = '\0';
		src = text;
	}
	n = parse_hex(src, buf, sizeof(buf));
	if (n < 0) {
		cli_err("mikey decode: not an even-length hex string of at most %d bytes",
			MIKEY_MSG_MAX);
		return CLI_USAGE;
	}
	if (mikey_decode(buf, (size_t)n, &m, &why)) {
		cli_err("mikey decode: %s", why);
		return CLI_FAIL;
	}
	if (opts && opts->json)
		show_json(&m);
	else
		show_text(&m);
	return CLI_OK;
}

/* ---- mice mikey example / selftest ---- */
static const uint8_t demo_psk[] = "mice-demo-psk-not-secret";
static const uint8_t demo_idi[] = "initiator@mice.invalid";
static const uint8_t demo_idr[] = "responder@mice.invalid";

static struct mikey_cfg demo_cfg(void)
{
	struct mikey_cfg c = {
		.psk = demo_psk, .psk_len = sizeof(demo_psk) - 1,
		.id_type = MIKEY_ID_NAI,
		.id_i = demo_idi, .id_i_len = sizeof(demo_idi) - 1,
		.id_r = demo_idr, .id_r_len = sizeof(demo_idr) - 1,
	};
	return c;
}

static struct mikey_init_params demo_params(uint8_t encr)
{
	/* SRTP policy params (s.6.10.1): encr alg AES-CM (0 -> 1),
	 * session encr key length (1 -> 16) */
	static const uint8_t sp[] = { 0, 1, 1, 1, 1, 16 };
	struct mikey_init_params p = {
		.csb_id = 0x4D494345, .n_cs = 1, .encr_alg = encr,
		.verify = true, .sp = sp, .sp_len = sizeof(sp),
	};

	p.cs[0] = (struct mikey_srtp_cs){ 0, 0x12345678, 0 };
	return p;
}

/* One exchange of @kind; prints the two messages as hex lines when
 * @print. Returns 0 when both sides agree on the TGK. */
static int run_exchange(const char *kind, bool print, const char **why)
{
	struct mikey_cfg cfg = demo_cfg();
	struct mikey_init_params ip;
	struct mikey_init_state st;
	struct mikey_replay rc;
	struct mikey_result ri, rr;
	uint8_t im[MIKEY_MSG_MAX], rm[MIKEY_MSG_MAX];
	size_t il = 0, rl = 0;
	uint64_t now = mikey_ntp_now();
	bool dh = !strcmp(kind, "dhhmac");
	int ret = -1;

	if (!dh && strcmp(kind, "psk") && strcmp(kind, "psk-aes")) {
		*why = "kind must be psk, psk-aes or dhhmac";
		return -2;
	}
	ip = demo_params(!strcmp(kind, "psk-aes") ? MIKEY_ENCR_AES_CM_128
						  : MIKEY_ENCR_NULL);
	memset(&ri, 0, sizeof(ri));
	memset(&rr, 0, sizeof(rr));
	if (mikey_replay_init(&rc, 16, MIKEY_DEFAULT_SKEW)) {
		*why = "out of memory";
		return -1;
	}
	if (dh ? mikey_dhhmac_init_create(&cfg, &ip, now, &st, im, sizeof(im),
					  &il, why)
	       : mikey_psk_init_create(&cfg, &ip, now, &st, im, sizeof(im),
				       &il, why))
		goto out_rc;
	if (dh ? mikey_dhhmac_resp_process(&cfg, &rc, now, im, il, &rr, rm,
					   sizeof(rm), &rl, why)
	       : mikey_psk_resp_process(&cfg, &rc, now, im, il, &rr, rm,
					sizeof(rm), &rl, why))
		goto out;
	if (dh ? mikey_dhhmac_init_finish(&cfg, &st, &rc, now, rm, rl, &ri, why)
	       : mikey_psk_init_finish(&cfg, &st, &rc, now, rm, rl, &ri, why))
		goto out;
	if (ri.tgk_len != rr.tgk_len ||
	    CRYPTO_memcmp(ri.tgk, rr.tgk, ri.tgk_len)) {
		*why = "the two sides derived different TGKs";
		goto out;
	}
	if (print) {
		print_hex(stdout, im, il);
		putchar('\n');
		print_hex(stdout, rm, rl);
		putchar('\n');
	}
	ret = 0;
out:
	mikey_init_state_clear(&st);
out_rc:
	mikey_result_clear(&ri);
	mikey_result_clear(&rr);
	mikey_replay_free(&rc);
	return ret;
}

static int mikey_example_cmd(int argc, char **argv)
{
	const char *why = "";
	int r;

	if (argc != 2) {
		cli_err("mikey example: give psk, psk-aes or dhhmac");
		return CLI_USAGE;
	}
	r = run_exchange(argv[1], true, &why);
	if (r == -2) {
		cli_err("mikey example: '%s': %s", argv[1], why);
		return CLI_USAGE;
	}
	if (r) {
		cli_err("mikey example: %s", why);
		return CLI_FAIL;
	}
	return CLI_OK;
}

static int mikey_selftest_cmd(const struct cli_opts *opts)
{
	static const char *const kinds[] = { "psk", "psk-aes", "dhhmac" };
	struct json j;
	int failed = 0;

	if (opts && opts->json) {
		json_init(&j, stdout);
		json_obj_open(&j, NULL);
	}
	for (size_t i = 0; i < 3; i++) {
		const char *why = "";
		int r = run_exchange(kinds[i], false, &why);

		failed += r != 0;
		if (opts && opts->json)
			json_str(&j, kinds[i], r ? why : "ok");
		else
			printf("%-8s %s\n", kinds[i], r ? why : "ok");
	}
	if (opts && opts->json) {
		json_obj_close(&j);
		json_end(&j);
	}
	return failed ? CLI_FAIL : CLI_OK;
}

static void mikey_usage(void)
{
	fprintf(stderr,
		"usage: mice mikey decode HEX|-       decode a MIKEY message (RFC 3830 s.6)\n"
		"       mice mikey example psk|psk-aes|dhhmac\n"
		"                                     run a demo exchange, print I_ and R_MESSAGE hex\n"
		"       mice mikey selftest           PSK, PSK+AES-CM and DH-HMAC in-process\n");
}

int cmd_mikey(int argc, char **argv, const struct cli_opts *opts)
{
	if (argc < 2) {
		cli_err("mikey: a subcommand is needed: decode, example or selftest");
		mikey_usage();
		return CLI_USAGE;
	}
	if (!strcmp(argv[1], "decode"))
		return mikey_decode_cmd(argc - 1, argv + 1, opts);
	if (!strcmp(argv[1], "example"))
		return mikey_example_cmd(argc - 1, argv + 1);
	if (!strcmp(argv[1], "selftest")) {
		if (argc != 2) {
			cli_err("mikey selftest: unexpected argument '%s'", argv[2]);
			return CLI_USAGE;
		}
		return mikey_selftest_cmd(opts);
	}
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "--help")) {
		mikey_usage();
		return CLI_OK;
	}
	cli_err("mikey: unknown subcommand '%s' (decode, example, selftest)",
		argv[1]);
	return CLI_USAGE;
}
