// SPDX-License-Identifier: GPL-2.0
/*
 * The agent's genl message building and parsing (agent/nlmsg.c), driven
 * with messages built here the way the kernel builds them.
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "nl.h"
#include "nlmsg.h"

static char buf[MICE_NL_MSGBUF];

/* A genl message from the "kernel" with command @cmd. */
static struct nlmsghdr *kmsg(uint8_t cmd)
{
	memset(buf, 0, sizeof(buf));
	return mice_msg_request(buf, 0x20, cmd, 0, 7);
}

static void put_count(struct nlmsghdr *nlh, uint16_t type, uint32_t id,
		      uint64_t packets, uint64_t bytes)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, type);

	mnl_attr_put_u32(nlh, MICE_COUNT_A_ID, id);
	mnl_attr_put_u64(nlh, MICE_COUNT_A_PACKETS, packets);
	mnl_attr_put_u64(nlh, MICE_COUNT_A_BYTES, bytes);
	mnl_attr_nest_end(nlh, nest);
}

START_TEST(request_attach_layout)
{
	struct nlmsghdr *nlh = mice_msg_request(buf, 0x21, MICE_CMD_SOCK_ATTACH,
						0, 42);
	const struct genlmsghdr *genl;
	const struct nlattr *nest, *attr;
	int seen = 0;

	mice_msg_put_sock_fd(nlh, 5);
	ck_assert_uint_eq(nlh->nlmsg_type, 0x21);
	ck_assert(nlh->nlmsg_flags & NLM_F_REQUEST);
	ck_assert_uint_eq(nlh->nlmsg_seq, 42);
	genl = mnl_nlmsg_get_payload(nlh);
	ck_assert_uint_eq(genl->cmd, MICE_CMD_SOCK_ATTACH);
	ck_assert_uint_eq(genl->version, MICE_GENL_VERSION);
	mnl_attr_for_each(nest, nlh, sizeof(*genl)) {
		ck_assert_uint_eq(mnl_attr_get_type(nest), MICE_A_SOCK);
		/* the kernel's strict policy wants NLA_F_NESTED */
		ck_assert(nest->nla_type & NLA_F_NESTED);
		mnl_attr_for_each_nested(attr, nest) {
			ck_assert_uint_eq(mnl_attr_get_type(attr), MICE_SOCK_A_FD);
			ck_assert_uint_eq(mnl_attr_get_payload_len(attr), 4);
			ck_assert_uint_eq(mnl_attr_get_u32(attr), 5);
			seen++;
		}
	}
	ck_assert_int_eq(seen, 1);
	ck_assert_int_eq(mice_msg_cmd(nlh), MICE_CMD_SOCK_ATTACH);
}
END_TEST

START_TEST(parse_sock_full)
{
	struct nlmsghdr *nlh = kmsg(MICE_CMD_SOCK_DETACHED);
	struct nlattr *nest = mnl_attr_nest_start(nlh, MICE_A_SOCK);
	uint8_t a6[16] = { 0xfd, 0x99, [15] = 1 };
	struct mice_sock_info si;
	const char *why = NULL;

	mnl_attr_put_u32(nlh, MICE_SOCK_A_ID, 9);
	mnl_attr_put_u16(nlh, MICE_SOCK_A_FAMILY, AF_INET6);
	mnl_attr_put(nlh, MICE_SOCK_A_ADDR, 16, a6);
	mnl_attr_put_u16(nlh, MICE_SOCK_A_PORT, htons(4191));
	mnl_attr_put_u8(nlh, MICE_SOCK_A_DETACH_CAUSE, MICE_DETACH_CLOSED);
	put_count(nlh, MICE_SOCK_A_CLASS, MICE_CLASS_STUN, 3, 84);
	put_count(nlh, MICE_SOCK_A_CLASS, MICE_CLASS_INVALID, 1, 17);
	put_count(nlh, MICE_SOCK_A_CLASS, 200, 5, 5);	/* a newer class */
	mnl_attr_put_u32(nlh, 77, 1);			/* a newer attribute */
	mnl_attr_nest_end(nlh, nest);

	ck_assert_int_eq(mice_msg_parse_sock(nlh, &si, &why), 0);
	ck_assert_uint_eq(si.id, 9);
	ck_assert_uint_eq(si.family, AF_INET6);
	ck_assert_mem_eq(si.addr, a6, 16);
	ck_assert_uint_eq(si.port, 4191);
	ck_assert(si.has_cause);
	ck_assert_uint_eq(si.cause, MICE_DETACH_CLOSED);
	ck_assert_uint_eq(si.rx[MICE_CLASS_STUN].packets, 3);
	ck_assert_uint_eq(si.rx[MICE_CLASS_STUN].bytes, 84);
	ck_assert_uint_eq(si.rx[MICE_CLASS_INVALID].packets, 1);
	ck_assert_uint_eq(si.rx[MICE_CLASS_MIP].packets, 0);
}
END_TEST

START_TEST(parse_sock_rejects)
{
	struct mice_sock_info si;
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	const char *why;

	/* no MICE_A_SOCK */
	nlh = kmsg(MICE_CMD_SOCK_GET);
	why = NULL;
	ck_assert_int_eq(mice_msg_parse_sock(nlh, &si, &why), -EINVAL);
	ck_assert_str_eq(why, "top-level attribute missing");

	/* ID of the wrong size */
	nlh = kmsg(MICE_CMD_SOCK_GET);
	nest = mnl_attr_nest_start(nlh, MICE_A_SOCK);
	mnl_attr_put_u16(nlh, MICE_SOCK_A_ID, 1);
	mnl_attr_nest_end(nlh, nest);
	why = NULL;
	ck_assert_int_eq(mice_msg_parse_sock(nlh, &si, &why), -EINVAL);
	ck_assert_str_eq(why, "socket attribute has the wrong size");

	/* address of 5 octets */
	nlh = kmsg(MICE_CMD_SOCK_GET);
	nest = mnl_attr_nest_start(nlh, MICE_A_SOCK);
	mnl_attr_put_u32(nlh, MICE_SOCK_A_ID, 1);
	mnl_attr_put(nlh, MICE_SOCK_A_ADDR, 5, "abcde");
	mnl_attr_nest_end(nlh, nest);
	why = NULL;
	ck_assert_int_eq(mice_msg_parse_sock(nlh, &si, &why), -EINVAL);

	/* no ID at all */
	nlh = kmsg(MICE_CMD_SOCK_GET);
	nest = mnl_attr_nest_start(nlh, MICE_A_SOCK);
	mnl_attr_put_u16(nlh, MICE_SOCK_A_FAMILY, AF_INET);
	mnl_attr_nest_end(nlh, nest);
	why = NULL;
	ck_assert_int_eq(mice_msg_parse_sock(nlh, &si, &why), -EINVAL);
	ck_assert_str_eq(why, "socket without an ID");

	/* a counter row without its ID */
	nlh = kmsg(MICE_CMD_SOCK_GET);
	nest = mnl_attr_nest_start(nlh, MICE_A_SOCK);
	mnl_attr_put_u32(nlh, MICE_SOCK_A_ID, 1);
	{
		struct nlattr *row = mnl_attr_nest_start(nlh, MICE_SOCK_A_CLASS);

		mnl_attr_put_u64(nlh, MICE_COUNT_A_PACKETS, 1);
		mnl_attr_nest_end(nlh, row);
	}
	mnl_attr_nest_end(nlh, nest);
	why = NULL;
	ck_assert_int_eq(mice_msg_parse_sock(nlh, &si, &why), -EINVAL);
	ck_assert_str_eq(why, "counter row without an ID");

	/* shorter than a genl header */
	nlh = mnl_nlmsg_put_header(buf);
	why = NULL;
	ck_assert_int_eq(mice_msg_parse_sock(nlh, &si, &why), -EINVAL);
	ck_assert_int_eq(mice_msg_cmd(nlh), -1);
}
END_TEST

START_TEST(parse_stats)
{
	struct nlmsghdr *nlh = kmsg(MICE_CMD_STATS_GET);
	struct nlattr *nest = mnl_attr_nest_start(nlh, MICE_A_STATS);
	struct mice_stats_info st;
	const char *why = NULL;
	unsigned int i;

	for (i = 0; i < __MICE_CLASS_MAX; i++)
		put_count(nlh, MICE_STATS_A_CLASS, i, 10 + i, 100 + i);
	for (i = 1; i < __MICE_REASON_MAX; i++)
		put_count(nlh, MICE_STATS_A_DROP, i, i, 1000 * i);
	mnl_attr_put_u32(nlh, MICE_STATS_A_SOCKETS, 2);
	mnl_attr_put_u64(nlh, MICE_STATS_A_EVENTS_SUPPRESSED, 1ULL << 40);
	mnl_attr_nest_end(nlh, nest);

	ck_assert_int_eq(mice_msg_parse_stats(nlh, &st, &why), 0);
	for (i = 0; i < __MICE_CLASS_MAX; i++) {
		ck_assert_uint_eq(st.rx[i].packets, 10 + i);
		ck_assert_uint_eq(st.rx[i].bytes, 100 + i);
	}
	for (i = 1; i < __MICE_REASON_MAX; i++)
		ck_assert_uint_eq(st.drop[i].bytes, 1000 * i);
	ck_assert_uint_eq(st.sockets, 2);
	ck_assert_uint_eq(st.events_suppressed, 1ULL << 40);
}
END_TEST

START_TEST(parse_drop)
{
	struct nlmsghdr *nlh = kmsg(MICE_CMD_DROP);
	struct nlattr *nest = mnl_attr_nest_start(nlh, MICE_A_DROP);
	uint8_t a4[4] = { 10, 99, 1, 2 };
	struct mice_drop_info di;
	const char *why = NULL;

	mnl_attr_put_u32(nlh, MICE_DROP_A_SOCK_ID, 3);
	mnl_attr_put_u32(nlh, MICE_DROP_A_CLASS, MICE_CLASS_INVALID);
	mnl_attr_put_u32(nlh, MICE_DROP_A_REASON, MICE_REASON_STUN_FINGERPRINT);
	mnl_attr_put_u16(nlh, MICE_DROP_A_FAMILY, AF_INET);
	mnl_attr_put(nlh, MICE_DROP_A_SADDR, 4, a4);
	mnl_attr_put_u16(nlh, MICE_DROP_A_SPORT, htons(5555));
	mnl_attr_put_u32(nlh, MICE_DROP_A_LEN, 36);
	mnl_attr_nest_end(nlh, nest);

	ck_assert_int_eq(mice_msg_parse_drop(nlh, &di, &why), 0);
	ck_assert_uint_eq(di.sock_id, 3);
	ck_assert_uint_eq(di.cls, MICE_CLASS_INVALID);
	ck_assert_uint_eq(di.reason, MICE_REASON_STUN_FINGERPRINT);
	ck_assert_uint_eq(di.family, AF_INET);
	ck_assert_mem_eq(di.saddr, a4, 4);
	ck_assert_uint_eq(di.sport, 5555);
	ck_assert_uint_eq(di.len, 36);

	/* reason as a u8 is malformed */
	nlh = kmsg(MICE_CMD_DROP);
	nest = mnl_attr_nest_start(nlh, MICE_A_DROP);
	mnl_attr_put_u8(nlh, MICE_DROP_A_REASON, 1);
	mnl_attr_nest_end(nlh, nest);
	why = NULL;
	ck_assert_int_eq(mice_msg_parse_drop(nlh, &di, &why), -EINVAL);
	ck_assert_ptr_nonnull(why);
}
END_TEST

/* An NLMSG_ERROR as the kernel sends it with NETLINK_CAP_ACK and extack. */
static struct nlmsghdr *error_msg(int error, const char *text, bool capped)
{
	struct nlmsghdr *nlh, *orig;
	struct nlmsgerr *err;

	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = NLMSG_ERROR;
	err = mnl_nlmsg_put_extra_header(nlh, sizeof(*err));
	err->error = error;
	err->msg.nlmsg_len = sizeof(struct nlmsghdr) + 24;
	if (!capped) {
		/* the echoed request's payload follows */
		orig = &err->msg;
		(void)orig;
		mnl_nlmsg_put_extra_header(nlh, 24);
	} else {
		nlh->nlmsg_flags |= NLM_F_CAPPED;
	}
	if (text) {
		nlh->nlmsg_flags |= NLM_F_ACK_TLVS;
		mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, text);
	}
	return nlh;
}

START_TEST(parse_error_extack)
{
	char msg[64];

	ck_assert_int_eq(mice_msg_parse_error(error_msg(-EBUSY,
			 "socket is already owned", true), msg, sizeof(msg)), -EBUSY);
	ck_assert_str_eq(msg, "socket is already owned");
	ck_assert_int_eq(mice_msg_parse_error(error_msg(-EINVAL,
			 "missing MICE_A_SOCK", false), msg, sizeof(msg)), -EINVAL);
	ck_assert_str_eq(msg, "missing MICE_A_SOCK");
	/* a plain ACK */
	ck_assert_int_eq(mice_msg_parse_error(error_msg(0, NULL, true), msg,
					      sizeof(msg)), 0);
	ck_assert_str_eq(msg, "");
	/* a message longer than the buffer is cut, not overflowed */
	ck_assert_int_eq(mice_msg_parse_error(error_msg(-EPERM,
			 "0123456789abcdef", true), msg, 8), -EPERM);
	ck_assert_str_eq(msg, "0123456");
}
END_TEST

static Suite *nlmsg_suite(void)
{
	Suite *s = suite_create("nlmsg");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, request_attach_layout);
	tcase_add_test(tc, parse_sock_full);
	tcase_add_test(tc, parse_sock_rejects);
	tcase_add_test(tc, parse_stats);
	tcase_add_test(tc, parse_drop);
	tcase_add_test(tc, parse_error_extack);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(nlmsg_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
