// SPDX-License-Identifier: GPL-2.0
/*
 * Driver for bench/classify_callgrind.sh: classifies one kind of packet N
 * times so that callgrind, collecting only inside mice_classify(), gives the
 * instructions per packet. Usage: classify_bench KIND [N]. Prints
 * "KIND LEN CLASS REASON" once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "pkt.h"

static size_t build(const char *kind, u8 *buf, size_t cap)
{
	if (!strcmp(kind, "stun28"))
		return pkt_stun(buf, cap, PKT_STUN_BINDING_REQUEST, 0);
	if (!strcmp(kind, "stun100"))
		return pkt_stun(buf, cap, PKT_STUN_BINDING_REQUEST, 72);
	if (!strcmp(kind, "stun500"))
		return pkt_stun(buf, cap, PKT_STUN_BINDING_REQUEST, 472);
	if (!strcmp(kind, "stun1000"))
		return pkt_stun(buf, cap, PKT_STUN_BINDING_REQUEST, 972);
	if (!strcmp(kind, "mh"))	/* Binding Update, 32 octets */
		return pkt_mh(buf, cap, 5, 3);
	if (!strcmp(kind, "mh_ambiguous"))
		return pkt_mh_ambiguous(buf, cap, 5, 3);
	if (!strcmp(kind, "ipv4"))
		return pkt_ipv4(buf, cap, 1000);
	if (!strcmp(kind, "ipv6"))
		return pkt_ipv6(buf, cap, 1000);
	if (!strcmp(kind, "garbage")) {	/* top bits set: unknown */
		memset(buf, 0xde, 200);
		return 200;
	}
	if (!strcmp(kind, "garbage00")) {	/* top bits 0, no cookie */
		memset(buf, 0x01, 200);
		return 200;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static u8 buf[2048];
	enum mice_reason reason = MICE_REASON_NONE;
	enum mice_class cls = MICE_CLASS_INVALID;
	volatile unsigned int sink = 0;
	unsigned long i, n;
	size_t len;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: %s KIND [N]\n", argv[0]);
		return 2;
	}
	len = build(argv[1], buf, sizeof(buf));
	if (!len) {
		fprintf(stderr, "unknown kind %s\n", argv[1]);
		return 2;
	}
	n = argc == 3 ? strtoul(argv[2], NULL, 0) : 10000;
	for (i = 0; i < n; i++) {
		cls = mice_classify(buf, (u32)len, (u32)len, &reason);
		sink += cls + reason;
	}
	printf("%s %zu %s %s\n", argv[1], len, mice_class_name(cls),
	       mice_reason_name(reason));
	return 0;
}
