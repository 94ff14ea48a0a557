/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minting and verifying media authorization tokens in the agent with
 * OpenSSL HMAC-SHA256 (format: kmod/token.h, docs/token-format.md; seed
 * 001 s.6.2, RFC 3313 s.5). Also the command-line parsers for the parts of
 * a gate classifier, so `mice token` and the tests share them.
 */
#ifndef MICE_AGENT_TOKEN_H
#define MICE_AGENT_TOKEN_H

#include <stddef.h>
#include <stdint.h>

#include "../kmod/token.h"

#define TOKEN_KEY_MIN	16	/* octets; HMAC keys shorter than this refused */
#define TOKEN_KEY_MAX	64	/* SHA-256 block size; longer keys are refused */
#define TOKEN_ERR_LEN	160

/* A token key. Clear with token_key_clear() (OPENSSL_cleanse). */
struct token_key {
	unsigned char k[TOKEN_KEY_MAX];
	size_t len;
};

/*
 * The key from hex digits (2*16..2*64 of them, nothing else). Returns 0,
 * or -1 with a message in @err.
 */
int token_key_from_hex(struct token_key *key, const char *hex, char *err,
		       size_t errlen);

/*
 * The key from a file that holds it as hex digits ("-": standard input),
 * through the agent's key-file loader (agent/keyfile.h: mode 0600 or
 * refused, no symlink, size limits); leading and trailing whitespace (a
 * final newline) is ignored. Returns 0 or -1 with @err.
 */
int token_key_from_file(struct token_key *key, const char *path, char *err,
			size_t errlen);

void token_key_clear(struct token_key *key);

/* The OpenSSL hooks for the freestanding code, keyed with @key. */
void token_crypto_init(struct mice_token_crypto *cr, const struct token_key *key);

/*
 * Mint a token into @out (110 hex digits and a NUL). Returns MICE_TOKEN_OK
 * or an enum mice_token_err (BAD_CLASSIFIER, CRYPTO).
 */
int token_mint(const struct token_key *key, uint32_t gate_id, uint64_t expiry,
	       const struct mice_gate_classifier *c, uint32_t rate,
	       uint32_t burst, uint16_t max_packet,
	       char out[MICE_TOKEN_HEX_LEN + 1]);

/*
 * Verify @len hex digits at @hex at unix time @now; @c may be NULL to skip
 * the classifier check. Returns an enum mice_token_err; @t holds the
 * fields whenever the layout parsed, *@err_pos the offset for NOT_HEX.
 */
int token_verify(const struct token_key *key, const char *hex, size_t len,
		 uint64_t now, const struct mice_gate_classifier *c,
		 struct mice_token *t, uint32_t *err_pos);

/*
 * "A.B.C.D/N", "X:Y::Z/N", or an address alone (/32 or /128), or "any".
 * Host bits must be zero. Returns 0 or -1 with @err.
 */
int token_parse_prefix(const char *s, struct mice_prefix *p, char *err,
		       size_t errlen);

/* "N" or "A-B" with 0 <= A <= B <= 65535, or "any". 0 or -1 with @err. */
int token_parse_ports(const char *s, struct mice_port_range *r, char *err,
		      size_t errlen);

/* "udp", "tcp" or "any"; "up", "down" or "any". 0 or -1 with @err. */
int token_parse_proto(const char *s, uint8_t *proto, char *err, size_t errlen);
int token_parse_dir(const char *s, uint8_t *dir, char *err, size_t errlen);

/* Format @p as text ("any", "10.0.0.0/8", "2001:db8::/32"). */
void token_format_prefix(const struct mice_prefix *p, char *buf, size_t len);

#endif /* MICE_AGENT_TOKEN_H */
