// SPDX-License-Identifier: GPL-2.0
/*
 * P-Media-Authorization / Media-Authorization header parser (RFC 3313 s.5,
 * seed 001 s.5.1, RFC 3261 s.25.1 for HCOLON/COMMA/SWS/LWS). The grammar
 * and the decisions taken are in sipauth.h.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sipauth.h"

struct cursor {
	const char *buf;
	size_t len;
	size_t pos;
};

static int peek(const struct cursor *c, size_t ahead)
{
	if (c->pos + ahead >= c->len)
		return -1;
	return (unsigned char)c->buf[c->pos + ahead];
}

static int fail(const struct cursor *c, struct sipauth_error *e,
		const char *what)
{
	e->pos = c->pos;
	e->what = what;
	e->found = peek(c, 0);
	return -1;
}

static int is_wsp(int ch)
{
	return ch == ' ' || ch == '\t';
}

static int is_hexdig(int ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') ||
	       (ch >= 'A' && ch <= 'F');
}

/* RFC 3261 s.25.1 token characters, for reading the header name. */
static int is_token_char(int ch)
{
	if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	    (ch >= '0' && ch <= '9'))
		return 1;
	return ch > 0 && strchr("-.!%*_+`'~", ch) != NULL;
}

/*
 * SWS = [LWS], LWS = [*WSP CRLF] 1*WSP. Consumes the longest SWS at the
 * cursor. A CRLF not followed by WSP is not part of it and stays unread.
 */
static void skip_sws(struct cursor *c)
{
	while (is_wsp(peek(c, 0)))
		c->pos++;
	if (peek(c, 0) == '\r' && peek(c, 1) == '\n' && is_wsp(peek(c, 2))) {
		c->pos += 2;
		while (is_wsp(peek(c, 0)))
			c->pos++;
	}
}

/* At the end of the field: end of input, or a single final CRLF. */
static int at_end(const struct cursor *c)
{
	return c->pos == c->len ||
	       (c->pos + 2 == c->len && c->buf[c->pos] == '\r' &&
		c->buf[c->pos + 1] == '\n');
}

static int name_is(const char *s, size_t n, const char *want)
{
	return strlen(want) == n && !strncasecmp(s, want, n);
}

int sipauth_parse(const char *buf, size_t len, struct sipauth_header *h,
		  struct sipauth_error *e)
{
	struct cursor c = { .buf = buf, .len = len, .pos = 0 };
	size_t start, before;

	memset(h, 0, sizeof(*h));
	memset(e, 0, sizeof(*e));

	/* Header name (RFC 3261 s.7.3.1: case-insensitive). */
	while (is_token_char(peek(&c, 0)))
		c.pos++;
	if (name_is(buf, c.pos, "P-Media-Authorization")) {
		h->name = SIPAUTH_P_MEDIA_AUTHORIZATION;
	} else if (name_is(buf, c.pos, "Media-Authorization")) {
		h->name = SIPAUTH_MEDIA_AUTHORIZATION;
	} else {
		c.pos = 0;
		return fail(&c, e,
			    "expected header name P-Media-Authorization or Media-Authorization");
	}

	/* HCOLON = *( SP / HTAB ) ":" SWS */
	while (is_wsp(peek(&c, 0)))
		c.pos++;
	if (peek(&c, 0) != ':')
		return fail(&c, e, "expected ':' after the header name");
	c.pos++;
	skip_sws(&c);

	for (;;) {
		/* P-Media-Authorization-Token = 1*HEXDIG (RFC 3313 s.5) */
		if (h->ntokens == SIPAUTH_MAX_TOKENS)
			return fail(&c, e, "too many tokens (at most 16)");
		start = c.pos;
		while (is_hexdig(peek(&c, 0))) {
			if (c.pos - start == SIPAUTH_MAX_TOKEN_LEN)
				return fail(&c, e,
					    "token too long (at most 512 hex digits)");
			c.pos++;
		}
		if (c.pos == start)
			return fail(&c, e, "expected HEXDIG (a token)");
		h->tok[h->ntokens].off = start;
		h->tok[h->ntokens].len = c.pos - start;
		h->ntokens++;

		if (at_end(&c))
			return 0;
		/* COMMA = SWS "," SWS */
		before = c.pos;
		skip_sws(&c);
		if (peek(&c, 0) == ',') {
			c.pos++;
			skip_sws(&c);
			continue;
		}
		if (c.pos != before && at_end(&c)) {
			c.pos = before;
			return fail(&c, e,
				    "trailing whitespace (expected ',' or end of header)");
		}
		return fail(&c, e, "expected ',' or end of header");
	}
}

void sipauth_strerror(const struct sipauth_error *e, char *buf, size_t len)
{
	const char *what = e->what ? e->what : "parse error";

	if (e->found < 0)
		snprintf(buf, len, "offset %zu: %s, found end of input", e->pos,
			 what);
	else if (e->found > 0x20 && e->found < 0x7f)
		snprintf(buf, len, "offset %zu: %s, found '%c'", e->pos, what,
			 e->found);
	else
		snprintf(buf, len, "offset %zu: %s, found 0x%02x", e->pos, what,
			 e->found);
}

const char *sipauth_name_str(enum sipauth_name n)
{
	return n == SIPAUTH_MEDIA_AUTHORIZATION ? "Media-Authorization" :
						  "P-Media-Authorization";
}
