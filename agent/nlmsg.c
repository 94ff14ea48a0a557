// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "nlmsg.h"

struct nlmsghdr *mice_msg_request(void *buf, uint16_t family_id, uint8_t cmd,
				  uint16_t flags, uint32_t seq)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *genl;

	nlh->nlmsg_type = family_id;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = seq;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = MICE_GENL_VERSION;
	return nlh;
}

void mice_msg_put_sock_fd(struct nlmsghdr *nlh, uint32_t fd)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, MICE_A_SOCK);

	mnl_attr_put_u32(nlh, MICE_SOCK_A_FD, fd);
	mnl_attr_nest_end(nlh, nest);
}

void mice_msg_put_sock_id(struct nlmsghdr *nlh, uint32_t id)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, MICE_A_SOCK);

	mnl_attr_put_u32(nlh, MICE_SOCK_A_ID, id);
	mnl_attr_nest_end(nlh, nest);
}

void mice_msg_put_pair(struct nlmsghdr *nlh, const struct mice_pair_info *pi)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, MICE_A_PAIR);
	unsigned int i;

	mnl_attr_put_u32(nlh, MICE_PAIR_A_PEER_ID, pi->peer_id);
	mnl_attr_put_u32(nlh, MICE_PAIR_A_SOCK_ID, pi->sock_id);
	mnl_attr_put(nlh, MICE_PAIR_A_REMOTE_ADDR,
		     pi->family == AF_INET ? 4 : 16, pi->addr);
	mnl_attr_put_u16(nlh, MICE_PAIR_A_REMOTE_PORT, htons(pi->port));
	if (pi->ifindex)
		mnl_attr_put_u32(nlh, MICE_PAIR_A_IFINDEX, pi->ifindex);
	for (i = 0; i < pi->nprefixes; i++) {
		const struct mice_prefix_info *p = &pi->prefixes[i];
		struct nlattr *pn = mnl_attr_nest_start(nlh, MICE_PAIR_A_PREFIX);

		mnl_attr_put(nlh, MICE_PREFIX_A_ADDR,
			     p->family == AF_INET ? 4 : 16, p->addr);
		mnl_attr_put_u8(nlh, MICE_PREFIX_A_LEN, p->len);
		mnl_attr_nest_end(nlh, pn);
	}
	mnl_attr_nest_end(nlh, nest);
}

void mice_msg_put_peer_id(struct nlmsghdr *nlh, uint32_t id)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, MICE_A_PAIR);

	mnl_attr_put_u32(nlh, MICE_PAIR_A_PEER_ID, id);
	mnl_attr_nest_end(nlh, nest);
}

int mice_msg_cmd(const struct nlmsghdr *nlh)
{
	const struct genlmsghdr *genl;

	if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof(*genl))
		return -1;
	genl = mnl_nlmsg_get_payload(nlh);
	return genl->cmd;
}

/* The top-level attribute @type of a genl message, or NULL. */
static const struct nlattr *mice_msg_top(const struct nlmsghdr *nlh,
					 uint16_t type, const char **why)
{
	const struct nlattr *attr;

	if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof(struct genlmsghdr)) {
		*why = "message shorter than a genl header";
		return NULL;
	}
	mnl_attr_for_each(attr, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(attr) != type)
			continue;
		if (mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0) {
			*why = "top-level attribute is not a valid nest";
			return NULL;
		}
		return attr;
	}
	*why = "top-level attribute missing";
	return NULL;
}

static int mice_parse_count(const struct nlattr *nest, struct mice_count *rows,
			    unsigned int nrows, const char **why)
{
	const struct nlattr *attr;
	bool have_id = false;
	struct mice_count c = { 0, 0 };
	uint32_t id = 0;

	mnl_attr_for_each_nested(attr, nest) {
		switch (mnl_attr_get_type(attr)) {
		case MICE_COUNT_A_ID:
			if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
				goto bad;
			id = mnl_attr_get_u32(attr);
			have_id = true;
			break;
		case MICE_COUNT_A_PACKETS:
			if (mnl_attr_validate(attr, MNL_TYPE_U64) < 0)
				goto bad;
			c.packets = mnl_attr_get_u64(attr);
			break;
		case MICE_COUNT_A_BYTES:
			if (mnl_attr_validate(attr, MNL_TYPE_U64) < 0)
				goto bad;
			c.bytes = mnl_attr_get_u64(attr);
			break;
		}
	}
	if (!have_id) {
		*why = "counter row without an ID";
		return -EINVAL;
	}
	if (id < nrows)	/* rows a newer kernel added are skipped */
		rows[id] = c;
	return 0;
bad:
	*why = "counter attribute has the wrong size";
	return -EINVAL;
}

static int mice_parse_addr(const struct nlattr *attr, uint8_t addr[16])
{
	uint16_t len = mnl_attr_get_payload_len(attr);

	if (len != 4 && len != 16)
		return -EINVAL;
	memset(addr, 0, 16);
	memcpy(addr, mnl_attr_get_payload(attr), len);
	return 0;
}

int mice_msg_parse_sock(const struct nlmsghdr *nlh, struct mice_sock_info *si,
			const char **why)
{
	const struct nlattr *nest, *attr;
	int err;

	memset(si, 0, sizeof(*si));
	nest = mice_msg_top(nlh, MICE_A_SOCK, why);
	if (!nest)
		return -EINVAL;
	mnl_attr_for_each_nested(attr, nest) {
		switch (mnl_attr_get_type(attr)) {
		case MICE_SOCK_A_ID:
			if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
				goto bad;
			si->id = mnl_attr_get_u32(attr);
			break;
		case MICE_SOCK_A_FAMILY:
			if (mnl_attr_validate(attr, MNL_TYPE_U16) < 0)
				goto bad;
			si->family = mnl_attr_get_u16(attr);
			break;
		case MICE_SOCK_A_ADDR:
			if (mice_parse_addr(attr, si->addr))
				goto bad;
			break;
		case MICE_SOCK_A_PORT:
			if (mnl_attr_validate(attr, MNL_TYPE_U16) < 0)
				goto bad;
			si->port = ntohs(mnl_attr_get_u16(attr));
			break;
		case MICE_SOCK_A_DETACH_CAUSE:
			if (mnl_attr_validate(attr, MNL_TYPE_U8) < 0)
				goto bad;
			si->cause = mnl_attr_get_u8(attr);
			si->has_cause = true;
			break;
		case MICE_SOCK_A_CLASS:
			if (mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0)
				goto bad;
			err = mice_parse_count(attr, si->rx, __MICE_CLASS_MAX, why);
			if (err)
				return err;
			break;
		}
	}
	if (!si->id) {
		*why = "socket without an ID";
		return -EINVAL;
	}
	return 0;
bad:
	*why = "socket attribute has the wrong size";
	return -EINVAL;
}

int mice_msg_parse_stats(const struct nlmsghdr *nlh,
			 struct mice_stats_info *st, const char **why)
{
	const struct nlattr *nest, *attr;
	int err = 0;

	memset(st, 0, sizeof(*st));
	nest = mice_msg_top(nlh, MICE_A_STATS, why);
	if (!nest)
		return -EINVAL;
	mnl_attr_for_each_nested(attr, nest) {
		switch (mnl_attr_get_type(attr)) {
		case MICE_STATS_A_CLASS:
		case MICE_STATS_A_DROP:
			if (mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0)
				goto bad;
			if (mnl_attr_get_type(attr) == MICE_STATS_A_CLASS)
				err = mice_parse_count(attr, st->rx,
						       __MICE_CLASS_MAX, why);
			else
				err = mice_parse_count(attr, st->drop,
						       __MICE_REASON_MAX, why);
			if (err)
				return err;
			break;
		case MICE_STATS_A_SOCKETS:
			if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
				goto bad;
			st->sockets = mnl_attr_get_u32(attr);
			break;
		case MICE_STATS_A_EVENTS_SUPPRESSED:
			if (mnl_attr_validate(attr, MNL_TYPE_U64) < 0)
				goto bad;
			st->events_suppressed = mnl_attr_get_u64(attr);
			break;
		}
	}
	return 0;
bad:
	*why = "stats attribute has the wrong size";
	return -EINVAL;
}

static int mice_parse_prefix(const struct nlattr *nest,
			     struct mice_prefix_info *p)
{
	const struct nlattr *attr;
	bool have_addr = false, have_len = false;

	mnl_attr_for_each_nested(attr, nest) {
		switch (mnl_attr_get_type(attr)) {
		case MICE_PREFIX_A_ADDR:
			if (mice_parse_addr(attr, p->addr))
				return -EINVAL;
			p->family = mnl_attr_get_payload_len(attr) == 4 ?
				    AF_INET : AF_INET6;
			have_addr = true;
			break;
		case MICE_PREFIX_A_LEN:
			if (mnl_attr_validate(attr, MNL_TYPE_U8) < 0)
				return -EINVAL;
			p->len = mnl_attr_get_u8(attr);
			have_len = true;
			break;
		}
	}
	if (!have_addr || !have_len || p->len > (p->family == AF_INET ? 32 : 128))
		return -EINVAL;
	return 0;
}

int mice_msg_parse_pair(const struct nlmsghdr *nlh, struct mice_pair_info *pi,
			const char **why)
{
	const struct nlattr *nest, *attr;
	uint64_t *u64p;

	memset(pi, 0, sizeof(*pi));
	nest = mice_msg_top(nlh, MICE_A_PAIR, why);
	if (!nest)
		return -EINVAL;
	mnl_attr_for_each_nested(attr, nest) {
		uint16_t type = mnl_attr_get_type(attr);

		switch (type) {
		case MICE_PAIR_A_PEER_ID:
		case MICE_PAIR_A_SOCK_ID:
		case MICE_PAIR_A_IFINDEX:
			if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
				goto bad;
			if (type == MICE_PAIR_A_PEER_ID)
				pi->peer_id = mnl_attr_get_u32(attr);
			else if (type == MICE_PAIR_A_SOCK_ID)
				pi->sock_id = mnl_attr_get_u32(attr);
			else
				pi->ifindex = mnl_attr_get_u32(attr);
			break;
		case MICE_PAIR_A_REMOTE_ADDR:
			if (mice_parse_addr(attr, pi->addr))
				goto bad;
			pi->family = mnl_attr_get_payload_len(attr) == 4 ?
				     AF_INET : AF_INET6;
			pi->has_path = true;
			break;
		case MICE_PAIR_A_REMOTE_PORT:
			if (mnl_attr_validate(attr, MNL_TYPE_U16) < 0)
				goto bad;
			pi->port = ntohs(mnl_attr_get_u16(attr));
			break;
		case MICE_PAIR_A_RX_PACKETS:
		case MICE_PAIR_A_RX_BYTES:
		case MICE_PAIR_A_TX_PACKETS:
		case MICE_PAIR_A_TX_BYTES:
			if (mnl_attr_validate(attr, MNL_TYPE_U64) < 0)
				goto bad;
			u64p = type == MICE_PAIR_A_RX_PACKETS ? &pi->rx.packets :
			       type == MICE_PAIR_A_RX_BYTES ? &pi->rx.bytes :
			       type == MICE_PAIR_A_TX_PACKETS ? &pi->tx.packets :
			       &pi->tx.bytes;
			*u64p = mnl_attr_get_u64(attr);
			break;
		case MICE_PAIR_A_DOWN_CAUSE:
			if (mnl_attr_validate(attr, MNL_TYPE_U8) < 0)
				goto bad;
			pi->cause = mnl_attr_get_u8(attr);
			pi->has_cause = true;
			break;
		case MICE_PAIR_A_PREFIX:
			if (pi->nprefixes >= MICE_MAX_PREFIXES_PER_PEER) {
				*why = "more prefixes than a peer may have";
				return -EINVAL;
			}
			if (mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0 ||
			    mice_parse_prefix(attr, &pi->prefixes[pi->nprefixes]))
				goto bad;
			pi->nprefixes++;
			break;
		}
	}
	if (!pi->peer_id) {
		*why = "pair without a peer ID";
		return -EINVAL;
	}
	return 0;
bad:
	*why = "pair attribute is malformed";
	return -EINVAL;
}

int mice_msg_parse_drop(const struct nlmsghdr *nlh, struct mice_drop_info *di,
			const char **why)
{
	const struct nlattr *nest, *attr;

	memset(di, 0, sizeof(*di));
	nest = mice_msg_top(nlh, MICE_A_DROP, why);
	if (!nest)
		return -EINVAL;
	mnl_attr_for_each_nested(attr, nest) {
		uint16_t type = mnl_attr_get_type(attr);

		switch (type) {
		case MICE_DROP_A_SOCK_ID:
		case MICE_DROP_A_CLASS:
		case MICE_DROP_A_REASON:
		case MICE_DROP_A_LEN:
			if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
				goto bad;
			if (type == MICE_DROP_A_SOCK_ID)
				di->sock_id = mnl_attr_get_u32(attr);
			else if (type == MICE_DROP_A_CLASS)
				di->cls = mnl_attr_get_u32(attr);
			else if (type == MICE_DROP_A_REASON)
				di->reason = mnl_attr_get_u32(attr);
			else
				di->len = mnl_attr_get_u32(attr);
			break;
		case MICE_DROP_A_FAMILY:
			if (mnl_attr_validate(attr, MNL_TYPE_U16) < 0)
				goto bad;
			di->family = mnl_attr_get_u16(attr);
			break;
		case MICE_DROP_A_SADDR:
			if (mice_parse_addr(attr, di->saddr))
				goto bad;
			break;
		case MICE_DROP_A_SPORT:
			if (mnl_attr_validate(attr, MNL_TYPE_U16) < 0)
				goto bad;
			di->sport = ntohs(mnl_attr_get_u16(attr));
			break;
		}
	}
	return 0;
bad:
	*why = "drop attribute has the wrong size";
	return -EINVAL;
}

int mice_msg_parse_error(const struct nlmsghdr *nlh, char *msg, size_t msglen)
{
	const struct nlmsgerr *err;
	const struct nlattr *attr;
	size_t off;

	if (msglen)
		msg[0] = '\0';
	if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof(*err))
		return -EBADMSG;
	err = mnl_nlmsg_get_payload(nlh);
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return err->error;

	/* The TLVs follow the echoed request, or only its header if capped. */
	off = sizeof(*err);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
		if (err->msg.nlmsg_len < sizeof(struct nlmsghdr) ||
		    err->msg.nlmsg_len > nlh->nlmsg_len)
			return err->error;
		off += err->msg.nlmsg_len - sizeof(struct nlmsghdr);
	}
	if (MNL_NLMSG_HDRLEN + off > nlh->nlmsg_len)
		return err->error;
	mnl_attr_for_each(attr, nlh, off) {
		size_t n;

		if (mnl_attr_get_type(attr) != NLMSGERR_ATTR_MSG ||
		    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0 || !msglen)
			continue;
		n = strnlen(mnl_attr_get_str(attr), mnl_attr_get_payload_len(attr));
		if (n > msglen - 1)
			n = msglen - 1;
		memcpy(msg, mnl_attr_get_str(attr), n);
		msg[n] = '\0';
	}
	return err->error;
}
