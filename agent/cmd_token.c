// SPDX-License-Identifier: GPL-2.0
/*
 * `mice token mint|verify`: media authorization tokens (seed 001 s.6.2,
 * RFC 3313 s.5, docs/token-format.md).
 *
 *   mice token mint (--key-file F | --group-key-file F) --gate-id N
 *        (--expires SECONDS | --expires-at UNIX) [--proto udp|tcp|any]
 *        [--dir up|down|any] [--src PREFIX] [--dst PREFIX]
 *        [--sport A[-B]] [--dport A[-B]] --rate BYTES/S --burst BYTES
 *        [--max-packet N]
 *   mice token verify --key-file F [--now UNIX]
 *        [classifier options as for mint: then the digest is checked]
 *        [--header] TOKEN
 *
 * With --header, TOKEN is a whole P-Media-Authorization (or
 * Media-Authorization) header field and every token in it is verified.
 * Exit 0 when every token is valid, 1 when one is not, 2 on usage errors.
 * Keys come from files ("-": standard input) only: --key HEX and
 * --group-key HEX, which `ps` would show, are refused.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "json.h"
#include "sipauth.h"
#include "groupkey.h"
#include "keyfile.h"
#include "token.h"

enum {
	OPT_KEY = 1000, OPT_KEY_FILE, OPT_GROUP_KEY, OPT_GATE_ID, OPT_EXPIRES, OPT_EXPIRES_AT,
	OPT_PROTO, OPT_DIR, OPT_SRC, OPT_DST, OPT_SPORT, OPT_DPORT, OPT_RATE,
	OPT_BURST, OPT_MAX_PACKET, OPT_NOW, OPT_HEADER, OPT_HELP,
	OPT_GROUP_KEY_FILE,
};

static const struct option token_longopts[] = {
	{ "key", required_argument, NULL, OPT_KEY },
	{ "key-file", required_argument, NULL, OPT_KEY_FILE },
	{ "group-key", required_argument, NULL, OPT_GROUP_KEY },
	{ "group-key-file", required_argument, NULL, OPT_GROUP_KEY_FILE },
	{ "gate-id", required_argument, NULL, OPT_GATE_ID },
	{ "expires", required_argument, NULL, OPT_EXPIRES },
	{ "expires-at", required_argument, NULL, OPT_EXPIRES_AT },
	{ "proto", required_argument, NULL, OPT_PROTO },
	{ "dir", required_argument, NULL, OPT_DIR },
	{ "src", required_argument, NULL, OPT_SRC },
	{ "dst", required_argument, NULL, OPT_DST },
	{ "sport", required_argument, NULL, OPT_SPORT },
	{ "dport", required_argument, NULL, OPT_DPORT },
	{ "rate", required_argument, NULL, OPT_RATE },
	{ "burst", required_argument, NULL, OPT_BURST },
	{ "max-packet", required_argument, NULL, OPT_MAX_PACKET },
	{ "now", required_argument, NULL, OPT_NOW },
	{ "header", no_argument, NULL, OPT_HEADER },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

struct token_args {
	struct token_key key;
	bool have_key;
	bool have_gate_id, have_expiry, have_rate, have_burst, have_cls;
	bool header;
	uint32_t gate_id;
	uint64_t expiry;
	uint64_t now;
	uint32_t rate, burst;
	uint16_t max_packet;
	struct mice_gate_classifier cls;
};

static void token_usage(FILE *f)
{
	fputs("usage: mice token mint (--key-file F | --group-key-file F) --gate-id N\n"
	      "                  (--expires SECONDS | --expires-at UNIX)\n"
	      "                  [--proto udp|tcp|any] [--dir up|down|any]\n"
	      "                  [--src PREFIX] [--dst PREFIX] [--sport A[-B]] [--dport A[-B]]\n"
	      "                  --rate BYTES/S --burst BYTES [--max-packet N]\n"
	      "       mice token verify --key-file F [--now UNIX]\n"
	      "                  [classifier options, to check the digest] [--header] TOKEN\n"
	      "  a key file holds hex digits; F may be - for standard input\n",
	      f);
}

/* An unsigned decimal in [0, max], nothing else. */
static int parse_u64(const char *opt, const char *s, uint64_t max, uint64_t *v)
{
	char *end;

	errno = 0;
	if (*s < '0' || *s > '9')
		goto bad;
	*v = strtoull(s, &end, 10);
	if (errno || *end || *v > max)
		goto bad;
	return 0;
bad:
	cli_err("--%s '%s': want a whole number 0..%" PRIu64, opt, s, max);
	return -1;
}

/* @how: 'f' key file, 'g' group key file to derive it from. */
static int set_key(struct token_args *a, const char *arg, char how)
{
	char err[KEYFILE_ERR_MAX + 32];
	int rc;

	if (a->have_key) {
		cli_err("give the key once, with --key-file or --group-key-file");
		return -1;
	}
	rc = how == 'f' ? token_key_from_file(&a->key, arg, err, sizeof(err)) :
			  token_key_from_group_file(&a->key, arg, err, sizeof(err));
	if (rc) {
		cli_err("%s", err);
		return -1;
	}
	a->have_key = true;
	return 0;
}

static int parse_opts(int argc, char **argv, struct token_args *a)
{
	char err[TOKEN_ERR_LEN];
	uint64_t v;
	int c;

	memset(a, 0, sizeof(*a));
	a->cls.sport.hi = 65535;
	a->cls.dport.hi = 65535;
	a->now = (uint64_t)time(NULL);
	optind = 0;	/* full getopt reset: argv[0] is the action name */
	while ((c = getopt_long(argc, argv, "h", token_longopts, NULL)) != -1) {
		int rc = 0;

		switch (c) {
		case OPT_KEY:
		case OPT_GROUP_KEY:
			cli_err("%s HEX is refused: a key in the command line is "
				"seen by every local user (ps, /proc/PID/cmdline); "
				"use %s FILE (a file of hex digits, mode 0600, or "
				"- for standard input)",
				c == OPT_KEY ? "--key" : "--group-key",
				c == OPT_KEY ? "--key-file" : "--group-key-file");
			return -1;
		case OPT_KEY_FILE:
			rc = set_key(a, optarg, 'f');
			break;
		case OPT_GROUP_KEY_FILE:
			rc = set_key(a, optarg, 'g');
			break;
		case OPT_GATE_ID:
			rc = parse_u64("gate-id", optarg, UINT32_MAX, &v);
			a->gate_id = (uint32_t)v;
			a->have_gate_id = true;
			break;
		case OPT_EXPIRES:
			rc = parse_u64("expires", optarg, UINT32_MAX, &v);
			if (!rc && !v) {
				cli_err("--expires 0: the token would be born expired; give a lifetime in seconds");
				rc = -1;
			}
			a->expiry = (uint64_t)time(NULL) + v;
			a->have_expiry = true;
			break;
		case OPT_EXPIRES_AT:
			rc = parse_u64("expires-at", optarg, UINT64_MAX, &a->expiry);
			a->have_expiry = true;
			break;
		case OPT_NOW:
			rc = parse_u64("now", optarg, UINT64_MAX, &a->now);
			break;
		case OPT_RATE:
			rc = parse_u64("rate", optarg, UINT32_MAX, &v);
			a->rate = (uint32_t)v;
			a->have_rate = true;
			break;
		case OPT_BURST:
			rc = parse_u64("burst", optarg, UINT32_MAX, &v);
			a->burst = (uint32_t)v;
			a->have_burst = true;
			break;
		case OPT_MAX_PACKET:
			rc = parse_u64("max-packet", optarg, UINT16_MAX, &v);
			a->max_packet = (uint16_t)v;
			break;
		case OPT_PROTO:
			rc = token_parse_proto(optarg, &a->cls.proto, err, sizeof(err));
			a->have_cls = true;
			break;
		case OPT_DIR:
			rc = token_parse_dir(optarg, &a->cls.dir, err, sizeof(err));
			a->have_cls = true;
			break;
		case OPT_SRC:
			rc = token_parse_prefix(optarg, &a->cls.src, err, sizeof(err));
			a->have_cls = true;
			break;
		case OPT_DST:
			rc = token_parse_prefix(optarg, &a->cls.dst, err, sizeof(err));
			a->have_cls = true;
			break;
		case OPT_SPORT:
			rc = token_parse_ports(optarg, &a->cls.sport, err, sizeof(err));
			a->have_cls = true;
			break;
		case OPT_DPORT:
			rc = token_parse_ports(optarg, &a->cls.dport, err, sizeof(err));
			a->have_cls = true;
			break;
		case OPT_HEADER:
			a->header = true;
			break;
		case OPT_HELP:
		case 'h':
			token_usage(stdout);
			return 1;
		default:
			token_usage(stderr);
			return -1;
		}
		if (rc) {
			if (c >= OPT_PROTO && c <= OPT_DPORT)
				cli_err("%s", err);
			return -1;
		}
	}
	if (!a->have_key) {
		cli_err("no key: give --key-file FILE or --group-key-file FILE (at least %d octets)",
			TOKEN_KEY_MIN);
		return -1;
	}
	return 0;
}

static void print_token(struct json *j, const struct mice_token *t,
			uint64_t now, bool json)
{
	char hex[2 * MICE_TOKEN_DIGEST_LEN + 1];

	mice_hex_encode(t->cls_digest, MICE_TOKEN_DIGEST_LEN, hex);
	if (json) {
		json_u64(j, "version", t->version);
		json_u64(j, "gate_id", t->gate_id);
		json_u64(j, "expiry", t->expiry);
		json_str(j, "classifier_digest", hex);
		json_u64(j, "rate", t->rate);
		json_u64(j, "burst", t->burst);
		json_u64(j, "max_packet", t->max_packet);
		return;
	}
	printf("  version: %u\n  gate-id: %" PRIu32 "\n", t->version, t->gate_id);
	if (t->expiry > now)
		printf("  expires: %" PRIu64 " (in %" PRIu64 " s)\n", t->expiry,
		       t->expiry - now);
	else
		printf("  expires: %" PRIu64 " (%" PRIu64 " s ago)\n", t->expiry,
		       now - t->expiry);
	printf("  classifier-digest: %s\n  rate: %" PRIu32 " B/s\n"
	       "  burst: %" PRIu32 " B\n  max-packet: %u B\n", hex, t->rate,
	       t->burst, t->max_packet);
}

/* Verify one token; prints it and returns true when valid. */
static bool verify_one(struct json *j, const struct token_args *a,
		       const char *hex, size_t len, bool json)
{
	struct mice_token t;
	uint32_t pos = 0;
	int rc;
	bool parsed;

	rc = token_verify(&a->key, hex, len, a->now,
			  a->have_cls ? &a->cls : NULL, &t, &pos);
	parsed = rc == MICE_TOKEN_OK || rc == MICE_TOKEN_E_TAG ||
		 rc == MICE_TOKEN_E_EXPIRED || rc == MICE_TOKEN_E_CLASSIFIER ||
		 rc == MICE_TOKEN_E_BAD_CLASSIFIER || rc == MICE_TOKEN_E_CRYPTO;
	if (json) {
		json_obj_open(j, NULL);
		json_bool(j, "valid", rc == MICE_TOKEN_OK);
		if (rc) {
			json_str(j, "reason", mice_token_err_name(rc));
			if (rc == MICE_TOKEN_E_NOT_HEX)
				json_u64(j, "offset", pos);
		}
		/* Fields of a token whose tag failed are attacker-chosen. */
		if (parsed) {
			json_bool(j, "authenticated", rc != MICE_TOKEN_E_TAG &&
				  rc != MICE_TOKEN_E_CRYPTO);
			print_token(j, &t, a->now, true);
		}
		json_obj_close(j);
	} else {
		if (!rc)
			printf("token: valid\n");
		else if (rc == MICE_TOKEN_E_NOT_HEX)
			printf("token: invalid: %s (offset %" PRIu32 ")\n",
			       mice_token_err_name(rc), pos);
		else
			printf("token: invalid: %s\n", mice_token_err_name(rc));
		if (parsed) {
			if (rc == MICE_TOKEN_E_TAG || rc == MICE_TOKEN_E_CRYPTO)
				printf("  (fields below are NOT authenticated)\n");
			print_token(j, &t, a->now, false);
		}
	}
	return rc == MICE_TOKEN_OK;
}

static int token_verify_cmd(int argc, char **argv, const struct cli_opts *opts)
{
	struct token_args a;
	struct sipauth_header h;
	struct sipauth_error e;
	struct json j;
	const char *arg;
	bool ok = true;
	size_t i;
	int rc;

	rc = parse_opts(argc, argv, &a);
	if (rc)
		goto out_usage;
	if (optind != argc - 1) {
		cli_err("token verify takes exactly one TOKEN (or --header FIELD)");
		rc = -1;
		goto out_usage;
	}
	arg = argv[optind];
	if (a.header) {
		char msg[200];

		if (sipauth_parse(arg, strlen(arg), &h, &e)) {
			sipauth_strerror(&e, msg, sizeof(msg));
			cli_err("bad header field: %s", msg);
			token_key_clear(&a.key);
			return CLI_FAIL;
		}
	} else {
		h.ntokens = 1;
		h.tok[0].off = 0;
		h.tok[0].len = strlen(arg);
	}
	json_init(&j, stdout);
	if (opts->json)
		json_arr_open(&j, NULL);
	for (i = 0; i < h.ntokens; i++)
		ok &= verify_one(&j, &a, arg + h.tok[i].off, h.tok[i].len,
				 opts->json);
	if (opts->json) {
		json_arr_close(&j);
		json_end(&j);
	}
	token_key_clear(&a.key);
	return ok ? CLI_OK : CLI_FAIL;
out_usage:
	token_key_clear(&a.key);
	return rc > 0 ? CLI_OK : CLI_USAGE;
}

static int token_mint_cmd(int argc, char **argv, const struct cli_opts *opts)
{
	char out[MICE_TOKEN_HEX_LEN + 1];
	struct token_args a;
	struct json j;
	int rc;

	rc = parse_opts(argc, argv, &a);
	if (rc)
		goto out_usage;
	rc = -1;
	if (optind != argc) {
		cli_err("unexpected argument '%s'", argv[optind]);
		goto out_usage;
	}
	if (!a.have_gate_id || !a.have_expiry || !a.have_rate || !a.have_burst) {
		cli_err("token mint needs --gate-id, --expires (or --expires-at), --rate and --burst");
		goto out_usage;
	}
	if (a.max_packet && a.max_packet > a.burst) {
		cli_err("--max-packet %u exceeds --burst %" PRIu32 ": such packets could never pass",
			a.max_packet, a.burst);
		goto out_usage;
	}
	rc = token_mint(&a.key, a.gate_id, a.expiry, &a.cls, a.rate, a.burst,
			a.max_packet, out);
	token_key_clear(&a.key);
	if (rc == MICE_TOKEN_E_BAD_CLASSIFIER) {
		cli_err("invalid classifier: %s",
			mice_gate_err_name(mice_gate_classifier_check(&a.cls)));
		return CLI_USAGE;
	}
	if (rc) {
		cli_err("cannot mint: %s", mice_token_err_name(rc));
		return CLI_FAIL;
	}
	if (opts->json) {
		json_init(&j, stdout);
		json_obj_open(&j, NULL);
		json_str(&j, "token", out);
		json_u64(&j, "gate_id", a.gate_id);
		json_u64(&j, "expiry", a.expiry);
		json_obj_close(&j);
		json_end(&j);
	} else {
		printf("%s\n", out);
	}
	return CLI_OK;
out_usage:
	token_key_clear(&a.key);
	return rc > 0 ? CLI_OK : CLI_USAGE;
}

int cmd_token(int argc, char **argv, const struct cli_opts *opts);

int cmd_token(int argc, char **argv, const struct cli_opts *opts)
{
	if (argc < 2 || !strcmp(argv[1], "help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "--help")) {
		token_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? CLI_USAGE : CLI_OK;
	}
	if (!strcmp(argv[1], "mint"))
		return token_mint_cmd(argc - 1, argv + 1, opts);
	if (!strcmp(argv[1], "verify"))
		return token_verify_cmd(argc - 1, argv + 1, opts);
	cli_err("unknown token action '%s': want mint or verify", argv[1]);
	return CLI_USAGE;
}
