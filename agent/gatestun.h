/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Presenting a media-authorization token over STUN (seed 001 s.5.2, s.6:
 * the user agent presents its token on the flow it wants admitted; seed
 * 001 sends RSVP or DSA-REQ, mice a STUN Binding request). docs/gates.md
 * gives the format:
 *
 *   Binding request from the media source address and port to the
 *   gateway's port, with
 *     MICE-MEDIA-AUTH (0xC0A1): the token, 1*HEXDIG as in RFC 3313;
 *     MICE-MEDIA-DEST (0xC0A2): the media destination, MAPPED-ADDRESS
 *                               layout (RFC 8489 s.14.1);
 *     FINGERPRINT.
 *   Success: the gate is committed to udp(source -> destination).
 *   Error 403 with the gateway's reason (expired, forged, wrong flow...),
 *   400 for a malformed request.
 */
#ifndef MICE_GATESTUN_H
#define MICE_GATESTUN_H

#include <stddef.h>
#include <stdint.h>

#include "stun.h"

#define GATESTUN_ATTR_AUTH	0xC0A1
#define GATESTUN_ATTR_DEST	0xC0A2
#define GATESTUN_TOKEN_MAX	512

/* A presentation request; returns its length or 0. */
size_t gatestun_build_request(uint8_t *buf, size_t cap, const char *token,
			      const struct stun_addr *dest, uint8_t tid[12]);

/*
 * Parses a presentation request: the token (NUL-terminated into @token)
 * and the destination. Returns 0, or -1 with *@why set.
 */
int gatestun_parse_request(const uint8_t *buf, size_t len, char *token,
			   size_t tokcap, struct stun_addr *dest,
			   uint8_t tid[12], const char **why);

int gate_serve(int argc, char **argv);
int gate_present(int argc, char **argv);

#endif /* MICE_GATESTUN_H */
