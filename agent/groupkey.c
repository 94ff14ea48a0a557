// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "groupkey.h"
#include "keyfile.h"
#include "mikey_prf.h"

/* The token key from the group key's octets (docs/token-format.md). */
static int token_key_derive(struct token_key *key, const unsigned char *group,
			    size_t len, char *err, size_t errlen)
{
	_Static_assert(sizeof(key->k) >= 32, "a token key holds 32 octets");
	if (mikey_derive(MIKEY_KEY_AUTH, group, len, 0, 0,
			 (const uint8_t *)GROUPKEY_RAND, strlen(GROUPKEY_RAND),
			 key->k, 32)) {
		snprintf(err, errlen, "group key: derivation failed");
		return -1;
	}
	key->len = 32;
	return 0;
}

int token_key_from_group_hex(struct token_key *key, const char *hex,
			     char *err, size_t errlen)
{
	unsigned char group[GROUPKEY_MAX];
	size_t n = strlen(hex), i;
	int rc = -1;

	memset(key, 0, sizeof(*key));
	if (n % 2 || n / 2 < GROUPKEY_MIN || n / 2 > GROUPKEY_MAX) {
		snprintf(err, errlen, "group key: want %d-%d octets as hex digits, "
			 "got %zu digits", GROUPKEY_MIN, GROUPKEY_MAX, n);
		return -1;
	}
	for (i = 0; i < n / 2; i++) {
		unsigned int v;

		if (sscanf(hex + 2 * i, "%2x", &v) != 1 ||
		    !strchr("0123456789abcdefABCDEF", hex[2 * i]) ||
		    !strchr("0123456789abcdefABCDEF", hex[2 * i + 1])) {
			snprintf(err, errlen, "group key: non-hex character at "
				 "offset %zu", 2 * i);
			goto out;
		}
		group[i] = (unsigned char)v;
	}
	rc = token_key_derive(key, group, n / 2, err, errlen);
out:
	OPENSSL_cleanse(group, sizeof(group));
	return rc;
}

int token_key_from_group_file(struct token_key *key, const char *path,
			      char *err, size_t errlen)
{
	unsigned char group[GROUPKEY_MAX];
	char why[KEYFILE_ERR_MAX];
	size_t len;
	int rc = -1;

	memset(key, 0, sizeof(*key));
	if (keyfile_load_hex(path, group, GROUPKEY_MIN, GROUPKEY_MAX, &len, why,
			     sizeof(why))) {
		snprintf(err, errlen, "group key file %s", why);
		goto out;
	}
	rc = token_key_derive(key, group, len, err, errlen);
out:
	OPENSSL_cleanse(group, sizeof(group));
	return rc;
}
