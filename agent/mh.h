/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Mobility Header framing (RFC 6275 s.6.1) of the two messages M-ICE uses
 * as its offer/answer (seed 004 s.3, s.11): Binding Update (MH type 5) and
 * Binding Acknowledgement (MH type 6), with mobility options (RFC 6275
 * s.6.2): Pad1, PadN, the MIP-ICE option (mipice.h) and generic TLVs.
 *
 * Transport (seed 004 s.12): the MH is the whole UDP payload. Decisions
 * (docs/mipice-option.md s.8):
 *  - Checksum: the Internet checksum (RFC 1071) of the MH alone, checksum
 *    field as zero, WITHOUT the RFC 6275 s.6.1.1 pseudo-header: the packet
 *    crosses NATs that rewrite the addresses a pseudo-header would cover,
 *    and the UDP checksum already covers the real addresses.
 *  - Options: generic TLVs first, unaligned (1n), from offset 12; then
 *    Pad1/PadN up to the next 8n offset and the MIP-ICE option (8n, so
 *    16 when there are no TLVs); then Pad1/PadN to a multiple of 8. This
 *    order is the most compact: a re-encoding is never longer than any
 *    valid input carrying the same options. The decoder accepts any order.
 * The result passes the kernel classifier's MIP rule (kmod/classify.c):
 * octet 0 == 59, (Header Len + 1) * 8 == payload length, MH type <= 23.
 */
#ifndef MICE_MH_H
#define MICE_MH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mipice.h"

#define MH_PAYLOAD_PROTO	59	/* IPPROTO_NONE, RFC 6275 s.6.1.1 */
#define MH_TYPE_BU		5	/* RFC 6275 s.6.1.7 */
#define MH_TYPE_BA		6	/* RFC 6275 s.6.1.8 */
#define MH_MAX_LEN		(256 * 8)	/* 8-bit Header Len */

/* Binding Update flags, RFC 6275 s.6.1.7 (and RFC 5555 s.4.2.1 for F). */
#define MH_BU_A			0x8000
#define MH_BU_H			0x4000
#define MH_BU_L			0x2000
#define MH_BU_K			0x1000
#define MH_BU_F			0x0100

/* Binding Acknowledgement flags octet, RFC 6275 s.6.1.8. */
#define MH_BA_K			0x80

/* Mobility option types, RFC 6275 s.6.2.2/6.2.3. */
#define MH_OPT_PAD1		0
#define MH_OPT_PADN		1

/* Generic (non-padding, non-MIP-ICE) options kept per message. */
#define MH_TLV_MAX		8

struct mh_tlv {
	uint8_t type;
	uint8_t len;
	uint8_t data[255];
};

struct mh_msg {
	uint8_t type;		/* MH_TYPE_BU or MH_TYPE_BA */
	uint16_t seq;
	uint16_t flags;		/* BU: 16-bit flags+reserved; BA: flags octet */
	uint8_t status;		/* BA only */
	uint16_t lifetime;	/* in 4-second units (RFC 6275 s.6.1.7) */
	bool has_ice;
	struct mipice_opt ice;
	unsigned int n_tlv;
	struct mh_tlv tlv[MH_TLV_MAX];
};

enum mh_err {
	MH_OK = 0,
	MH_E_SHORT,		/* fewer than 8 octets / than the BU/BA body */
	MH_E_PROTO,		/* Payload Proto != 59 */
	MH_E_LENGTH,		/* (Header Len + 1) * 8 != datagram length */
	MH_E_TYPE,		/* MH type other than BU/BA */
	MH_E_CHECKSUM,
	MH_E_OPT_TRUNC,		/* an option runs past the end */
	MH_E_PAD,		/* PadN with non-zero data */
	MH_E_ICE_ALIGN,		/* MIP-ICE option not at an 8n offset */
	MH_E_ICE_DUP,		/* two MIP-ICE options */
	MH_E_ICE,		/* the MIP-ICE option itself; see *ice_err */
	MH_E_TOO_MANY_OPTS,	/* more than MH_TLV_MAX generic options */
	MH_E_NOSPACE,		/* encode: buffer too small / MH over 2048 */
	MH_E_INVAL,		/* encode: bad message */
	MH_E_MAX_
};

const char *mh_strerror(enum mh_err e);

/* Seconds <-> 4-second units (rounded down, saturating at 0xffff). */
uint16_t mh_lifetime_units(uint32_t seconds);
uint32_t mh_lifetime_seconds(uint16_t units);

/* Initialise a BU / BA with no options. */
void mh_bu_init(struct mh_msg *m, uint16_t seq, uint16_t flags,
		uint16_t lifetime_units);
void mh_ba_init(struct mh_msg *m, uint8_t status, bool k, uint16_t seq,
		uint16_t lifetime_units);
/* Appends a generic option; -1 when full or @type is Pad1/PadN/MIP-ICE. */
int mh_add_tlv(struct mh_msg *m, uint8_t type, const void *data,
	       uint8_t len);

/*
 * Encodes @m into @buf; *@len gets the MH length (a multiple of 8, at most
 * 2048). When @m carries a MIP-ICE option that fails to encode, *@ice_err
 * (if not NULL) says why and MH_E_ICE is returned.
 */
enum mh_err mh_encode(const struct mh_msg *m, uint8_t *buf, size_t cap,
		      size_t *len, enum mipice_err *ice_err);

/*
 * Decodes the @len-octet UDP payload at @buf (the whole payload must be the
 * MH). @lim is passed to the MIP-ICE decoder (NULL: defaults). On MH_E_ICE,
 * *@ice_err (if not NULL) holds the option's reason.
 */
enum mh_err mh_decode(const uint8_t *buf, size_t len,
		      const struct mipice_limits *lim, struct mh_msg *m,
		      enum mipice_err *ice_err);

/* Field equality, including the options (for round-trip checks). */
bool mh_msg_eq(const struct mh_msg *a, const struct mh_msg *b);

/* Zeroizes @m (it may hold an ice-pwd). */
void mh_msg_clear(struct mh_msg *m);

#endif /* MICE_MH_H */
