// SPDX-License-Identifier: GPL-2.0
/* The Home Agent's STUN Binding server; see stun_server.h. */
#include <string.h>
#include <sys/socket.h>

#include "stun_server.h"

void stun_server_init(struct stun_server *s, const struct stun_server_cfg *cfg)
{
	memset(s, 0, sizeof(*s));
	if (cfg)
		s->cfg = *cfg;
	else
		s->cfg.software = STUN_SERVER_SOFTWARE;
	if (s->cfg.rate_pps && !s->cfg.burst)
		s->cfg.burst = s->cfg.rate_pps;
}

/* Token bucket in milli-tokens: rate_pps tokens per second are rate_pps
 * milli-tokens per millisecond. */
static bool take_token(struct stun_server *s, uint64_t now)
{
	uint64_t cap = (uint64_t)s->cfg.burst * 1000;

	if (!s->cfg.rate_pps)
		return true;
	if (!s->primed) {
		s->primed = 1;
		s->tokens = cap;
		s->last_ms = now;
	}
	if (now > s->last_ms) {
		uint64_t add = (now - s->last_ms) * s->cfg.rate_pps;

		s->tokens = s->tokens + add > cap ? cap : s->tokens + add;
		s->last_ms = now;
	}
	if (s->tokens < 1000)
		return false;
	s->tokens -= 1000;
	return true;
}

/* Header-level failures: not a STUN message at all (RFC 8489 s.6.3). */
static bool header_level(enum stun_err e)
{
	switch (e) {
	case STUN_E_ARG:
	case STUN_E_TOO_SHORT:
	case STUN_E_TOO_LONG:
	case STUN_E_TOP_BITS:
	case STUN_E_BAD_COOKIE:
	case STUN_E_LEN_UNALIGNED:
	case STUN_E_LEN_MISMATCH:
	case STUN_E_FP_BAD:	/* s.7.3 and s.6.3: discard silently */
		return true;
	default:
		return false;
	}
}

enum resp_kind { R_SUCCESS, R_400, R_420 };

struct resp_plan {
	enum resp_kind kind;
	const uint8_t *tid;
	const struct stun_addr *from;
	const uint16_t *unknown;
	size_t n_unknown;
	bool software;
	bool reason;
};

static size_t build(const struct stun_server *s, const struct resp_plan *p,
		    uint8_t *out, size_t outcap)
{
	struct stun_builder b;

	if (stun_build_init(&b, out, outcap, STUN_METHOD_BINDING,
			    p->kind == R_SUCCESS ? STUN_SUCCESS : STUN_ERROR,
			    p->tid) != STUN_OK)
		return 0;
	switch (p->kind) {
	case R_SUCCESS:
		stun_build_xor_addr(&b, STUN_ATTR_XOR_MAPPED_ADDRESS, p->from);
		break;
	case R_400:
		stun_build_error_code(&b, 400, p->reason ? "Bad Request" : NULL);
		break;
	case R_420:
		stun_build_error_code(&b, 420, p->reason ? "Unknown Attribute" :
				      NULL);
		stun_build_unknown_attrs(&b, p->unknown, p->n_unknown);
		break;
	}
	if (p->software && s->cfg.software)
		stun_build_software(&b, s->cfg.software);
	stun_build_fingerprint(&b);
	return stun_build_len(&b);
}

/* Builds the richest answer that fits the amplification budget. */
static size_t answer(struct stun_server *s, struct resp_plan *p,
		     size_t req_len, uint8_t *out, size_t outcap)
{
	size_t budget = req_len > STUN_SERVER_MIN_BUDGET ? req_len :
			STUN_SERVER_MIN_BUDGET;
	static const bool steps[3][2] = {
		{ true, true }, { false, true }, { false, false },
	};
	unsigned int i;

	if (budget > outcap)
		budget = outcap;
	for (i = 0; i < 3; i++) {
		size_t n;

		p->software = steps[i][0];
		p->reason = steps[i][1];
		n = build(s, p, out, budget);
		if (n)
			return n;
	}
	s->st.too_big++;
	return 0;
}

size_t stun_server_handle(struct stun_server *s, uint64_t now_ms,
			  const uint8_t *req, size_t len,
			  const struct stun_addr *from, uint8_t *out,
			  size_t outcap)
{
	struct stun_msg m;
	struct resp_plan p;
	uint16_t unknown[STUN_MAX_ATTRS];
	enum stun_err e;
	uint16_t type;
	size_t n = 0;
	unsigned int i, j;

	s->st.received++;
	if (!req || !from || !out ||
	    (from->family != AF_INET && from->family != AF_INET6)) {
		s->st.discarded++;
		return 0;
	}
	e = stun_decode(req, len, &m, NULL);
	if (header_level(e)) {
		s->st.discarded++;
		return 0;
	}
	/* The header is sound from here on, even if an attribute is not. */
	type = (uint16_t)(req[0] << 8 | req[1]);
	if (stun_type_class(type) != STUN_REQUEST) {
		s->st.ignored++;	/* s.6.3.2-s.6.3.4 */
		return 0;
	}
	if (stun_type_method(type) != STUN_METHOD_BINDING) {
		s->st.discarded++;	/* s.6.3: unsupported method */
		return 0;
	}
	memset(&p, 0, sizeof(p));
	p.tid = req + 8;	/* s.6.3.1.1: the request's transaction ID */
	p.from = from;
	if (e != STUN_OK) {
		p.kind = R_400;		/* s.14.8: the request was malformed */
	} else if (m.n_unknown) {
		/* s.6.3.1: 420 listing the unknown comprehension-required
		 * attributes, each once. */
		for (i = 0; i < m.n_unknown; i++) {
			for (j = 0; j < n; j++)
				if (unknown[j] == m.unknown[i])
					break;
			if (j == n)
				unknown[n++] = m.unknown[i];
		}
		p.kind = R_420;
		p.unknown = unknown;
		p.n_unknown = n;
	} else {
		p.kind = R_SUCCESS;
	}
	if (!take_token(s, now_ms)) {
		s->st.rate_limited++;
		return 0;
	}
	n = answer(s, &p, len, out, outcap);
	if (!n)
		return 0;
	if (p.kind == R_SUCCESS)
		s->st.success++;
	else if (p.kind == R_400)
		s->st.err400++;
	else
		s->st.err420++;
	return n;
}
