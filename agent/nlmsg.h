/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Building requests for, and parsing replies and events of, the "mice"
 * generic-netlink family (uapi/linux/mice.h). Pure functions over buffers,
 * no sockets: the unit tests drive them with hand-built messages.
 */
#ifndef MICE_NLMSG_H
#define MICE_NLMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/mice.h>

struct nlmsghdr;

struct mice_count {
	uint64_t packets;
	uint64_t bytes;
};

struct mice_sock_info {
	uint32_t id;
	uint16_t family;		/* AF_INET or AF_INET6 */
	uint8_t addr[16];
	uint16_t port;			/* host order */
	bool has_cause;
	uint8_t cause;			/* enum mice_detach_cause */
	struct mice_count rx[__MICE_CLASS_MAX];
};

struct mice_stats_info {
	uint32_t sockets;
	uint64_t events_suppressed;
	struct mice_count rx[__MICE_CLASS_MAX];
	struct mice_count drop[__MICE_REASON_MAX];
};

struct mice_drop_info {
	uint32_t sock_id;
	uint32_t cls;
	uint32_t reason;
	uint32_t len;
	uint16_t family;
	uint8_t saddr[16];
	uint16_t sport;			/* host order */
};

struct mice_prefix_info {
	uint16_t family;
	uint8_t len;
	uint8_t addr[16];
};

/* A peer and its current pair (uapi enum mice_pair_attr). */
struct mice_pair_info {
	uint32_t peer_id;
	uint32_t ifindex;		/* 0: not given */
	bool has_path;			/* sock_id, family, addr, port valid */
	uint32_t sock_id;
	uint16_t family;
	uint8_t addr[16];
	uint16_t port;			/* host order */
	unsigned int nprefixes;
	struct mice_prefix_info prefixes[MICE_MAX_PREFIXES_PER_PEER];
	struct mice_count rx, tx;
	bool has_cause;
	uint8_t cause;			/* enum mice_pair_down_cause */
};

/* A genl request header for @cmd in @buf (MICE_NL_MSGBUF bytes). */
struct nlmsghdr *mice_msg_request(void *buf, uint16_t family_id, uint8_t cmd,
				  uint16_t flags, uint32_t seq);
void mice_msg_put_sock_fd(struct nlmsghdr *nlh, uint32_t fd);
void mice_msg_put_sock_id(struct nlmsghdr *nlh, uint32_t id);
/* MICE_A_PAIR for PAIR_SET from @pi (ifindex 0 and no prefixes: omitted). */
void mice_msg_put_pair(struct nlmsghdr *nlh, const struct mice_pair_info *pi);
void mice_msg_put_peer_id(struct nlmsghdr *nlh, uint32_t id);

/*
 * Parsers take a whole genl message (nlmsghdr + genlmsghdr + attributes).
 * They return 0, or -EINVAL with *@why naming the malformed part. Unknown
 * attributes are skipped so newer kernels stay compatible.
 */
int mice_msg_parse_sock(const struct nlmsghdr *nlh, struct mice_sock_info *si,
			const char **why);
int mice_msg_parse_stats(const struct nlmsghdr *nlh,
			 struct mice_stats_info *st, const char **why);
int mice_msg_parse_pair(const struct nlmsghdr *nlh, struct mice_pair_info *pi,
			const char **why);
int mice_msg_parse_drop(const struct nlmsghdr *nlh, struct mice_drop_info *di,
			const char **why);
/* The genl command of a message, or -1 if it is too short to have one. */
int mice_msg_cmd(const struct nlmsghdr *nlh);

/*
 * An NLMSG_ERROR message: returns its (negative) errno or 0 for an ACK and
 * copies the extended-ack message, if any, into @msg.
 */
int mice_msg_parse_error(const struct nlmsghdr *nlh, char *msg, size_t msglen);

#endif /* MICE_NLMSG_H */
