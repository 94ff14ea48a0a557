// SPDX-License-Identifier: GPL-2.0
/*
 * gateprobe: sends one malformed or edge-case media admission request
 * (docs/gates.md) and checks the kernel's answer: the errno, and that a
 * rejection carries an extended-ack message. Exit 0 when both are as
 * expected.
 *
 *   gateprobe CASE
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <linux/genetlink.h>

#include "../../agent/nl.h"
#include "../../agent/nlmsg.h"

static void put_prefix(struct nlmsghdr *nlh, int type, const char *addr,
		       unsigned int len)
{
	struct nlattr *n = mnl_attr_nest_start(nlh, type);
	unsigned char a[4];

	inet_pton(AF_INET, addr, a);
	mnl_attr_put(nlh, MICE_PREFIX_A_ADDR, 4, a);
	mnl_attr_put_u8(nlh, MICE_PREFIX_A_LEN, (uint8_t)len);
	mnl_attr_nest_end(nlh, n);
}

static int run_case(struct mice_nl *nl, const char *name, int *expect)
{
	static char buf[MICE_NL_MSGBUF];
	struct nlmsghdr *nlh;
	struct nlattr *top, *n;
	unsigned char a4[4] = { 10, 0, 0, 1 }, a6[16] = { 0xfd };

	*expect = -EINVAL;
	if (!strcmp(name, "del-with-rate")) {
		/* GATE_DEL's policy knows only ID: strict validation */
		nlh = mice_msg_request(buf, nl->family_id, MICE_CMD_GATE_DEL, 0, 0);
		top = mnl_attr_nest_start(nlh, MICE_A_GATE);
		mnl_attr_put_u32(nlh, MICE_GATE_A_ID, 1);
		mnl_attr_put_u32(nlh, MICE_GATE_A_RATE, 1);
	} else if (!strcmp(name, "add-id-zero")) {
		*expect = -ERANGE;
		nlh = mice_msg_request(buf, nl->family_id, MICE_CMD_GATE_ADD, 0, 0);
		top = mnl_attr_nest_start(nlh, MICE_A_GATE);
		mnl_attr_put_u32(nlh, MICE_GATE_A_ID, 0);
		mnl_attr_put_u32(nlh, MICE_GATE_A_RATE, 1);
		mnl_attr_put_u32(nlh, MICE_GATE_A_BURST, 1);
	} else if (!strcmp(name, "add-no-burst")) {
		nlh = mice_msg_request(buf, nl->family_id, MICE_CMD_GATE_ADD, 0, 0);
		top = mnl_attr_nest_start(nlh, MICE_A_GATE);
		mnl_attr_put_u32(nlh, MICE_GATE_A_ID, 900);
		mnl_attr_put_u32(nlh, MICE_GATE_A_RATE, 1);
	} else if (!strcmp(name, "add-host-bits")) {
		/* 10.0.0.1/24: one flow set, one encoding (token-format.md) */
		nlh = mice_msg_request(buf, nl->family_id, MICE_CMD_GATE_ADD, 0, 0);
		top = mnl_attr_nest_start(nlh, MICE_A_GATE);
		mnl_attr_put_u32(nlh, MICE_GATE_A_ID, 901);
		mnl_attr_put_u32(nlh, MICE_GATE_A_RATE, 1);
		mnl_attr_put_u32(nlh, MICE_GATE_A_BURST, 1);
		n = mnl_attr_nest_start(nlh, MICE_GATE_A_CLASSIFIER);
		put_prefix(nlh, MICE_CLS_A_SRC, "10.0.0.1", 24);
		mnl_attr_nest_end(nlh, n);
	} else if (!strcmp(name, "add-port-range")) {
		nlh = mice_msg_request(buf, nl->family_id, MICE_CMD_GATE_ADD, 0, 0);
		top = mnl_attr_nest_start(nlh, MICE_A_GATE);
		mnl_attr_put_u32(nlh, MICE_GATE_A_ID, 902);
		mnl_attr_put_u32(nlh, MICE_GATE_A_RATE, 1);
		mnl_attr_put_u32(nlh, MICE_GATE_A_BURST, 1);
		n = mnl_attr_nest_start(nlh, MICE_GATE_A_CLASSIFIER);
		mnl_attr_put_u16(nlh, MICE_CLS_A_DPORT_LO, 7000);
		mnl_attr_put_u16(nlh, MICE_CLS_A_DPORT_HI, 6000);
		mnl_attr_nest_end(nlh, n);
	} else if (!strcmp(name, "add-token-not-hex")) {
		nlh = mice_msg_request(buf, nl->family_id, MICE_CMD_GATE_ADD, 0, 0);
		top = mnl_attr_nest_start(nlh, MICE_A_GATE);
		mnl_attr_put_u32(nlh, MICE_GATE_A_ID, 903);
		mnl_attr_put_u32(nlh, MICE_GATE_A_RATE, 1);
		mnl_attr_put_u32(nlh, MICE_GATE_A_BURST, 1);
		mnl_attr_put_strz(nlh, MICE_GATE_A_TOKEN, "00zz");
	} else if (!strcmp(name, "add-token-too-long")) {
		static char tok[MICE_GATE_TOKEN_MAX + 2];

		memset(tok, 'a', MICE_GATE_TOKEN_MAX + 1);
		nlh = mice_msg_request(buf, nl->family_id, MICE_CMD_GATE_ADD, 0, 0);
		top = mnl_attr_nest_start(nlh, MICE_A_GATE);
		mnl_attr_put_u32(nlh, MICE_GATE_A_ID, 904);
		mnl_attr_put_u32(nlh, MICE_GATE_A_RATE, 1);
		mnl_attr_put_u32(nlh, MICE_GATE_A_BURST, 1);
		mnl_attr_put_strz(nlh, MICE_GATE_A_TOKEN, tok);
	} else if (!strcmp(name, "commit-mixed-family")) {
		nlh = mice_msg_request(buf, nl->family_id, MICE_CMD_GATE_COMMIT, 0, 0);
		top = mnl_attr_nest_start(nlh, MICE_A_GATE);
		mnl_attr_put_u32(nlh, MICE_GATE_A_ID, 1);
		n = mnl_attr_nest_start(nlh, MICE_GATE_A_FLOW);
		mnl_attr_put_u8(nlh, MICE_FLOW_A_PROTO, 17);
		mnl_attr_put(nlh, MICE_FLOW_A_SRC, 4, a4);
		mnl_attr_put(nlh, MICE_FLOW_A_DST, 16, a6);
		mnl_attr_put_u16(nlh, MICE_FLOW_A_SPORT, htons(1));
		mnl_attr_put_u16(nlh, MICE_FLOW_A_DPORT, htons(1));
		mnl_attr_nest_end(nlh, n);
	} else if (!strcmp(name, "commit-flow-dir")) {
		/* DIR is reported in events, never taken in a request */
		nlh = mice_msg_request(buf, nl->family_id, MICE_CMD_GATE_COMMIT, 0, 0);
		top = mnl_attr_nest_start(nlh, MICE_A_GATE);
		mnl_attr_put_u32(nlh, MICE_GATE_A_ID, 1);
		n = mnl_attr_nest_start(nlh, MICE_GATE_A_FLOW);
		mnl_attr_put_u8(nlh, MICE_FLOW_A_DIR, 1);
		mnl_attr_nest_end(nlh, n);
	} else if (!strcmp(name, "commit-not-nested")) {
		nlh = mice_msg_request(buf, nl->family_id, MICE_CMD_GATE_COMMIT, 0, 0);
		mnl_attr_put_u32(nlh, MICE_A_GATE, 1);
		return mice_nl_talk(nl, nlh, NULL, NULL);
	} else if (!strcmp(name, "key-short")) {
		unsigned char k[15] = { 1 };

		*expect = -ERANGE;
		nlh = mice_msg_request(buf, nl->family_id, MICE_CMD_KEY_SET, 0, 0);
		top = mnl_attr_nest_start(nlh, MICE_A_KEY);
		mnl_attr_put(nlh, MICE_KEY_A_SECRET, sizeof(k), k);
	} else if (!strcmp(name, "key-del-with-attr")) {
		nlh = mice_msg_request(buf, nl->family_id, MICE_CMD_KEY_DEL, 0, 0);
		top = mnl_attr_nest_start(nlh, MICE_A_KEY);
	} else if (!strcmp(name, "mode-bad-dir")) {
		*expect = -ERANGE;
		nlh = mice_msg_request(buf, nl->family_id, MICE_CMD_MODE_SET, 0, 0);
		top = mnl_attr_nest_start(nlh, MICE_A_MODE);
		n = mnl_attr_nest_start(nlh, MICE_MODE_A_IF);
		mnl_attr_put_u32(nlh, MICE_MODE_IF_A_IFINDEX, 1);
		mnl_attr_put_u8(nlh, MICE_MODE_IF_A_DIR, 3);
		mnl_attr_nest_end(nlh, n);
	} else if (!strcmp(name, "mode-no-such-if")) {
		*expect = -ENODEV;
		nlh = mice_msg_request(buf, nl->family_id, MICE_CMD_MODE_SET, 0, 0);
		top = mnl_attr_nest_start(nlh, MICE_A_MODE);
		n = mnl_attr_nest_start(nlh, MICE_MODE_A_IF);
		mnl_attr_put_u32(nlh, MICE_MODE_IF_A_IFINDEX, 999999);
		mnl_attr_nest_end(nlh, n);
	} else if (!strcmp(name, "mode-max-gates-zero")) {
		*expect = -ERANGE;
		nlh = mice_msg_request(buf, nl->family_id, MICE_CMD_MODE_SET, 0, 0);
		top = mnl_attr_nest_start(nlh, MICE_A_MODE);
		mnl_attr_put_u32(nlh, MICE_MODE_A_MAX_GATES, 0);
	} else if (!strcmp(name, "mode-if-twice")) {
		int i;

		nlh = mice_msg_request(buf, nl->family_id, MICE_CMD_MODE_SET, 0, 0);
		top = mnl_attr_nest_start(nlh, MICE_A_MODE);
		for (i = 0; i < 2; i++) {
			n = mnl_attr_nest_start(nlh, MICE_MODE_A_IF);
			mnl_attr_put_u32(nlh, MICE_MODE_IF_A_IFINDEX, 1);
			mnl_attr_nest_end(nlh, n);
		}
	} else {
		fprintf(stderr, "gateprobe: unknown case '%s'\n", name);
		*expect = 1;
		return 0;
	}
	mnl_attr_nest_end(nlh, top);
	return mice_nl_talk(nl, nlh, NULL, NULL);
}

int main(int argc, char **argv)
{
	struct mice_nl nl;
	int err, expect;

	if (argc != 2) {
		fprintf(stderr, "usage: gateprobe CASE\n");
		return 2;
	}
	err = mice_nl_open(&nl);
	if (err) {
		fprintf(stderr, "gateprobe: cannot reach the mice family: %s\n",
			strerror(-err));
		return 2;
	}
	err = run_case(&nl, argv[1], &expect);
	printf("%s: errno=%d (%s) extack='%s'\n", argv[1], -err,
	       err ? strerror(-err) : "ok", nl.errmsg);
	mice_nl_close(&nl);
	if (err != expect)
		return 1;
	/* Every rejection says why. */
	if (err && !nl.errmsg[0])
		return 1;
	return 0;
}
