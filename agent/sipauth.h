/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Parser of one SIP media authorization header field:
 *
 *   P-Media-Authorization = "P-Media-Authorization" HCOLON
 *       P-Media-Authorization-Token *(COMMA P-Media-Authorization-Token)
 *   P-Media-Authorization-Token = 1*HEXDIG                (RFC 3313 s.5)
 *
 * and the same value under the draft's name "Media-Authorization" (seed 001
 * s.5.1). HCOLON, COMMA, SWS and LWS are RFC 3261 s.25.1:
 *   HCOLON = *( SP / HTAB ) ":" SWS
 *   COMMA  = SWS "," SWS
 *   SWS    = [LWS]
 *   LWS    = [*WSP CRLF] 1*WSP
 *
 * Decisions:
 *  - the header name is matched case-insensitively (RFC 3261 s.7.3.1);
 *  - line folding (CRLF followed by SP/HTAB) is accepted wherever the
 *    grammar has SWS, at most one fold per SWS as LWS allows; folding is
 *    not allowed before the colon (HCOLON has no LWS there);
 *  - the field may end with one CRLF; nothing may follow it, and trailing
 *    whitespace before the end is refused (it is not in the grammar);
 *  - HEXDIG is read case-insensitively (RFC 3261 s.25: hex digits "a"-"f"
 *    in either case);
 *  - at most SIPAUTH_MAX_TOKENS tokens of at most SIPAUTH_MAX_TOKEN_LEN hex
 *    digits each (a mice token is 110; RFC 3313 sets no limit).
 */
#ifndef MICE_SIPAUTH_H
#define MICE_SIPAUTH_H

#include <stddef.h>

#define SIPAUTH_MAX_TOKENS	16
#define SIPAUTH_MAX_TOKEN_LEN	512

enum sipauth_name {
	SIPAUTH_P_MEDIA_AUTHORIZATION,	/* RFC 3313 */
	SIPAUTH_MEDIA_AUTHORIZATION,	/* seed 001 s.5.1 */
};

/* One token: @len hex digits at offset @off of the parsed buffer. */
struct sipauth_token {
	size_t off;
	size_t len;
};

struct sipauth_header {
	enum sipauth_name name;
	size_t ntokens;
	struct sipauth_token tok[SIPAUTH_MAX_TOKENS];
};

/* Where parsing stopped and why. */
struct sipauth_error {
	size_t pos;		/* offset of the offending octet */
	const char *what;	/* e.g. "expected HEXDIG" */
	int found;		/* the octet there, or -1 at end of input */
};

/*
 * Parse the @len octets at @buf as one header field. Returns 0 and fills
 * @h, or -1 and fills @e. Never reads beyond @len; @buf need not be
 * NUL-terminated.
 */
int sipauth_parse(const char *buf, size_t len, struct sipauth_header *h,
		  struct sipauth_error *e);

/* "offset N: <what>, found 'c'" (or "found end of input", "found 0xNN"). */
void sipauth_strerror(const struct sipauth_error *e, char *buf, size_t len);

const char *sipauth_name_str(enum sipauth_name n);

#endif /* MICE_SIPAUTH_H */
