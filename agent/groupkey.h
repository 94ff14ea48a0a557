/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The media-authorization token key from a group key shared by the policy
 * point and a group of gateways (issue: key derivation, RFC 3830 s.4.1.3).
 * token key = the MIKEY authentication-key derivation (constant 0x1B5C7973)
 * from the group key, cs_id 0, csb_id 0, RAND = "mice gate tokens",
 * 32 octets. docs/token-format.md documents it.
 */
#ifndef MICE_GROUPKEY_H
#define MICE_GROUPKEY_H

#include <stddef.h>

#include "token.h"

#define GROUPKEY_MIN		16
#define GROUPKEY_MAX		64
#define GROUPKEY_RAND		"mice gate tokens"

/* @hex: the group key as hex digits. 0, or -1 with @err set. */
int token_key_from_group_hex(struct token_key *key, const char *hex,
			     char *err, size_t errlen);

/*
 * The group key from a file of hex digits ("-": standard input), through
 * the agent's key-file loader (agent/keyfile.h). 0, or -1 with @err set.
 */
int token_key_from_group_file(struct token_key *key, const char *path,
			      char *err, size_t errlen);

#endif /* MICE_GROUPKEY_H */
