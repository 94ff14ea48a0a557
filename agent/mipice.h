/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The MIP-ICE mobility option (seed 004 s.11, Figure 2): the ICE offer or
 * answer (ice-ufrag, ice-pwd, ice-lite, ice-mismatch, ice-options and the
 * candidates) carried in a Binding Update / Binding Acknowledgement.
 * The exact wire format, with every ambiguity of the figure resolved, is in
 * docs/mipice-option.md; the comments below cite it as "doc".
 */
#ifndef MICE_MIPICE_H
#define MICE_MIPICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "candidate.h"

/*
 * Option Type: 18, the Experimental Mobility Option of RFC 5096 s.4, the
 * only mobility-option code point IANA sets aside for experiments (the
 * Mobility Options registry has no 253/254 experimental range). doc s.2.
 */
#define MIPICE_OPT_TYPE		18

#define MIPICE_FIXED_LEN	23	/* Type .. ice-options Length */
#define MIPICE_PWD_FIELD_LEN	12	/* 3 rows of 32 bits as drawn */
#define MIPICE_UFRAG_FIELD_LEN	2	/* 16 bits as drawn */
#define MIPICE_ALIGN		8	/* candidates & option length, doc s.3 */
#define MIPICE_CAND_V4_LEN	24
#define MIPICE_CAND_V6_LEN	48

/* Flags octet pair (doc s.4). */
#define MIPICE_FLAG_L		0x8000	/* ice-lite */
#define MIPICE_FLAG_M		0x4000	/* ice-mismatch */

/* ice-options sub-option types (doc s.5). */
#define MIPICE_SUB_UFRAG	1
#define MIPICE_SUB_PWD		2
#define MIPICE_SUB_OPTIONS	3
#define MIPICE_SUB_PACING	4	/* ice-pacing, RFC 8839 s.5.5 */
#define MIPICE_SUB_MAX		MIPICE_SUB_PACING

/* Credential lengths: RFC 8445 s.5.3 minima, our maxima (doc s.5). */
#define MIPICE_UFRAG_MIN	4
#define MIPICE_UFRAG_MAX	32
#define MIPICE_PWD_MIN		22
#define MIPICE_PWD_MAX		64
#define MIPICE_OPTIONS_MAX	128

/* "# of candidates" is 8 bits. */
#define MIPICE_CAND_MAX		255
/* Default cap on candidates accepted from a peer (seed 004 s.14.4.2). */
#define MIPICE_DEFAULT_MAX_CAND	30

/* Largest encoding: fixed part, full ice-options, pad, 255 IPv6 cands. */
#define MIPICE_MAX_LEN		(280 + MIPICE_CAND_MAX * MIPICE_CAND_V6_LEN)

/* One candidate as carried on the wire (seed 004 s.11, "Candidate"). */
struct mipice_cand {
	enum ice_cand_type type;	/* 4 bits: 0 host 1 srflx 2 prflx 3 relay */
	uint8_t component;		/* comp-id, 1..255 */
	uint8_t transport;		/* 17 = UDP, the only one accepted */
	uint32_t priority;		/* 1 .. 2^31-1, RFC 8445 s.5.1.2 */
	struct ice_addr addr;		/* ver picks AF_INET / AF_INET6 */
	struct ice_addr rel;		/* family 0: absent (all zero) */
};

struct mipice_opt {
	bool lite;					/* L */
	bool mismatch;					/* M */
	char ufrag[MIPICE_UFRAG_MAX + 1];
	char pwd[MIPICE_PWD_MAX + 1];			/* key material */
	char options[MIPICE_OPTIONS_MAX + 1];	/* "tag tag", may be "" */
	/* the Ta this agent proposes, ms (RFC 8445 s.14.2); 0: absent,
	 * which means the default 50 ms */
	uint16_t pacing_ms;
	unsigned int n_cand;
	struct mipice_cand cand[MIPICE_CAND_MAX];
};

struct mipice_limits {
	unsigned int max_cand;	/* 0: MIPICE_DEFAULT_MAX_CAND */
};

enum mipice_err {
	MIPICE_OK = 0,
	MIPICE_E_SHORT,		/* fewer octets than the fixed part / Header Len */
	MIPICE_E_TYPE,		/* Type is not MIPICE_OPT_TYPE */
	MIPICE_E_LENGTH,	/* Header Len: not a multiple of 8 in total, or
				 * not equal to what the contents need */
	MIPICE_E_CHECKSUM,
	MIPICE_E_TOO_MANY,	/* # of candidates above the configured cap */
	MIPICE_E_ICEOPT_LEN,	/* ice-options Length runs past the option */
	MIPICE_E_SUBOPT,	/* truncated sub-option */
	MIPICE_E_SUBOPT_UNKNOWN,
	MIPICE_E_SUBOPT_DUP,
	MIPICE_E_UFRAG,		/* missing, too short/long, not ice-char */
	MIPICE_E_PWD,
	MIPICE_E_OPTIONS,	/* ice-options tag list syntax */
	MIPICE_E_PACING,	/* ice-pacing: Len not 2, or 0 ms */
	MIPICE_E_PREFIX,	/* fixed ice-pwd/ice-ufrag fields disagree */
	MIPICE_E_PAD,		/* non-zero padding before the candidates */
	MIPICE_E_CAND_TRUNC,	/* a candidate runs past the option */
	MIPICE_E_CAND_VER,	/* ver is neither 4 nor 6 */
	MIPICE_E_CAND_LEN,	/* candidate Length not 24 (ver 4) / 48 (ver 6) */
	MIPICE_E_CAND_TYPE,
	MIPICE_E_CAND_COMP,	/* comp-id 0 */
	MIPICE_E_CAND_TRANSPORT,
	MIPICE_E_CAND_PRIO,	/* 0 or above 2^31-1 */
	MIPICE_E_CAND_ADDR,	/* unspecified or multicast */
	MIPICE_E_CAND_PORT,	/* port 0 */
	MIPICE_E_CAND_REL,	/* host with a related address; bad family */
	MIPICE_E_TRAILING,	/* octets after the last candidate */
	MIPICE_E_NOSPACE,	/* encode: buffer too small */
	MIPICE_E_INVAL,		/* encode: n_cand out of range */
	MIPICE_E_MAX_
};

const char *mipice_strerror(enum mipice_err e);

/*
 * Encodes @o at @buf (the option starts with Type; the caller places it at
 * an 8n offset of the Mobility Header, doc s.3). *@len gets the number of
 * octets (a multiple of 8). Validates @o with the decoder's rules.
 */
enum mipice_err mipice_encode(const struct mipice_opt *o, uint8_t *buf,
			      size_t cap, size_t *len);

/*
 * Decodes one option from the @len octets at @buf. The option's own length
 * comes from Header Len; *@used (if not NULL) gets 3 + Header Len. @lim may
 * be NULL for the defaults. On failure @o holds no key material.
 */
enum mipice_err mipice_decode(const uint8_t *buf, size_t len,
			      const struct mipice_limits *lim,
			      struct mipice_opt *o, size_t *used);

/* Zeroizes @o (the password is key material, docs/hacking.md). */
void mipice_opt_clear(struct mipice_opt *o);

/* Field-by-field equality (what a decode of an encode must give back). */
bool mipice_opt_eq(const struct mipice_opt *a, const struct mipice_opt *b);
bool mipice_cand_eq(const struct mipice_cand *a, const struct mipice_cand *b);

/* Wire candidate <-> ice_cand. The base of a remote srflx/prflx is taken to
 * be its related address (RFC 8839 s.5.1: rel-addr is the base for srflx),
 * else its own address; foundation is left empty (assigned by a set). */
void mipice_cand_to_ice(const struct mipice_cand *w, struct ice_cand *c);
void mipice_cand_from_ice(const struct ice_cand *c, struct mipice_cand *w);

/*
 * Subsequent offers (seed 004 s.9, RFC 8445 s.9): compare a peer's new
 * option with its previous one.
 */
enum mipice_change {
	MIPICE_SAME = 0,	/* nothing changed */
	MIPICE_UPDATE,		/* same credentials, candidates/flags differ */
	MIPICE_RESTART,		/* both ufrag and pwd changed: ICE restart */
	MIPICE_BAD_RESTART,	/* only one of them changed: RFC 8445 s.9
				 * requires both to change; refuse */
};
enum mipice_change mipice_compare(const struct mipice_opt *prev,
				  const struct mipice_opt *next);
const char *mipice_change_name(enum mipice_change c);

/* Internet checksum (RFC 1071) of @len octets, as stored in a header. */
uint16_t mipice_inet_csum(const uint8_t *p, size_t len);

#endif /* MICE_MIPICE_H */
