// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for kmod/classify.c. The input is one UDP payload.
 * Beyond memory safety (each call gets a heap copy of exactly the octets it
 * may read, so ASan sees any over-read), every result is checked against
 * the rules of seed 004 s.12, RFC 8489 and RFC 6275 s.6.1.1; a violation
 * aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define check(cond)							\
	do {								\
		if (!(cond))						\
			abort();					\
	} while (0)

static enum mice_class run(const u8 *data, u32 avail, u32 len,
			   enum mice_reason *reason)
{
	u8 *copy = malloc(avail ? avail : 1);
	enum mice_class cls;

	check(copy != NULL);
	memcpy(copy, data, avail);
	cls = mice_classify(copy, avail, len, reason);
	free(copy);
	return cls;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum mice_reason reason, r2;
	enum mice_class cls, c2;
	u32 len, need, head, fp;

	if (size > 0xffff)
		return 0;
	len = (u32)size;
	cls = run(data, len, len, &reason);

	/* a known class and a classifier reason, NONE iff delivered */
	check(cls <= MICE_CLASS_INVALID);
	check(reason <= MICE_REASON_SHORT_READ ||
	      reason == MICE_REASON_STUN_OVERSIZE);
	check((reason == MICE_REASON_NONE) == (cls != MICE_CLASS_INVALID));
	check(reason != MICE_REASON_SHORT_READ);
	check(strcmp(mice_class_name(cls), "?") != 0);
	check(strcmp(mice_reason_name(reason), "?") != 0);
	check((reason == MICE_REASON_EMPTY) == (len == 0));
	if (!len)
		return 0;

	/* need: between the head and the whole, the same from any head */
	head = len < MICE_CLASSIFY_HEAD ? len : MICE_CLASSIFY_HEAD;
	need = mice_classify_need(data, len, len);
	check(need == head || need == len);
	check(mice_classify_need(data, head, len) == need);
	check(mice_classify_need(data, 0, len) == head);
	if (need > head)	/* only a cookie-bearing STUN candidate */
		check(len >= 20 && (data[0] & 0xc0) == 0 &&
		      mice_get_be32(data + 4) == MICE_STUN_COOKIE);
	/* never more than MICE_STUN_MAX_LEN, however long the datagram */
	check(need <= MICE_STUN_MAX_LEN);
	/* oversize exactly for a cookie-bearing candidate over the limit */
	check((reason == MICE_REASON_STUN_OVERSIZE) ==
	      (len > MICE_STUN_MAX_LEN && (data[0] & 0xc0) == 0 &&
	       mice_get_be32(data + 4) == MICE_STUN_COOKIE));

	/* need octets give the same answer; one fewer is a short read */
	c2 = run(data, need, len, &r2);
	check(c2 == cls && r2 == reason);
	c2 = run(data, need - 1, len, &r2);
	check(c2 == MICE_CLASS_INVALID && r2 == MICE_REASON_SHORT_READ);

	switch (cls) {
	case MICE_CLASS_STUN:	/* RFC 8489 s.5, s.14.7 */
		check(len >= 28 && len % 4 == 0 && (data[0] & 0xc0) == 0);
		check(len <= MICE_STUN_MAX_LEN);
		check(mice_get_be32(data + 4) == MICE_STUN_COOKIE);
		check(mice_get_be16(data + 2) + 20u == len);
		fp = len - 8;
		check(mice_get_be16(data + fp) == MICE_STUN_ATTR_FINGERPRINT);
		check(mice_get_be16(data + fp + 2) == 4);
		check(mice_get_be32(data + fp + 4) ==
		      (mice_crc32(data, fp) ^ MICE_STUN_FINGERPRINT_XOR));
		break;
	case MICE_CLASS_MIP:	/* RFC 6275 s.6.1.1 */
		check(data[0] == MICE_MH_PAYLOAD_PROTO);
		check(((u32)data[1] + 1) * 8 == len);
		check(data[2] <= MICE_MH_TYPE_MAX);
		break;
	case MICE_CLASS_DATA:	/* RFC 791, RFC 8200 */
		if (data[0] >> 4 == 4) {
			check(len >= 20 && (data[0] & 0x0f) >= 5 &&
			      (u32)(data[0] & 0x0f) * 4 <= len);
			check(mice_get_be16(data + 2) == len);
		} else {
			check(data[0] >> 4 == 6);
			check(len >= 40 && 40u + mice_get_be16(data + 4) == len);
		}
		break;
	default:
		/* the reason matches the leading octet's family */
		switch (reason) {
		case MICE_REASON_IPV4_HEADER:
		case MICE_REASON_IPV4_LENGTH:
			check(data[0] >> 4 == 4);
			break;
		case MICE_REASON_IPV6_HEADER:
		case MICE_REASON_IPV6_LENGTH:
			check(data[0] >> 4 == 6);
			break;
		case MICE_REASON_MH_LENGTH:
		case MICE_REASON_MH_TYPE:
			check(data[0] == MICE_MH_PAYLOAD_PROTO);
			break;
		case MICE_REASON_STUN_LENGTH:
		case MICE_REASON_STUN_NO_FINGERPRINT:
		case MICE_REASON_STUN_FINGERPRINT:
			check(need == len && data[0] != MICE_MH_PAYLOAD_PROTO);
			break;
		case MICE_REASON_STUN_OVERSIZE:
			check(need == head);
			break;
		case MICE_REASON_UNKNOWN:
			check(data[0] != MICE_MH_PAYLOAD_PROTO &&
			      data[0] >> 4 != 4 && data[0] >> 4 != 6);
			break;
		default:
			check(0);
		}
	}
	return 0;
}
