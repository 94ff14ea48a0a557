// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>
#include <time.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "nl.h"
#include "nlmsg.h"

/* Large enough for a full dump batch. */
#define MICE_NL_RXBUF 32768

/* mnl_cb_run2 hands data and control callbacks the same pointer. */
struct mice_nl_ctl {
	struct mice_nl *nl;
	int error;
	mnl_cb_t cb;
	void *data;
};

static int mice_nl_on_data(const struct nlmsghdr *nlh, void *data)
{
	struct mice_nl_ctl *ctl = data;

	return ctl->cb ? ctl->cb(nlh, ctl->data) : MNL_CB_OK;
}

static int mice_nl_on_error(const struct nlmsghdr *nlh, void *data)
{
	struct mice_nl_ctl *ctl = data;
	int err = mice_msg_parse_error(nlh, ctl->nl->errmsg,
				       sizeof(ctl->nl->errmsg));

	ctl->error = err;
	return err ? MNL_CB_ERROR : MNL_CB_STOP;
}

static int mice_nl_on_done(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(void)data;
	return MNL_CB_STOP;
}

int mice_nl_talk(struct mice_nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb,
		 void *data)
{
	static char buf[MICE_NL_RXBUF];
	mnl_cb_t ctl_cb[NLMSG_MIN_TYPE] = {
		[NLMSG_ERROR] = mice_nl_on_error,
		[NLMSG_DONE] = mice_nl_on_done,
	};
	struct mice_nl_ctl ctl = { .nl = nl, .cb = cb, .data = data };
	unsigned int portid = mnl_socket_get_portid(nl->sock);
	ssize_t n;
	int ret;

	nl->errmsg[0] = '\0';
	nlh->nlmsg_seq = ++nl->seq;
	nlh->nlmsg_flags |= NLM_F_ACK;
	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
		return -errno;

	for (;;) {
		n = mnl_socket_recvfrom(nl->sock, buf, sizeof(buf));
		if (n < 0)
			return -errno;
		ret = mnl_cb_run2(buf, n, nl->seq, portid, mice_nl_on_data,
				  &ctl, ctl_cb, NLMSG_MIN_TYPE);
		if (ret == MNL_CB_ERROR)
			return ctl.error ? ctl.error : (errno ? -errno : -EIO);
		if (ret == MNL_CB_STOP)
			return ctl.error;
	}
}

struct mice_family_reply {
	uint16_t id;
	uint32_t events_group;
};

static void mice_nl_parse_groups(const struct nlattr *groups,
				 struct mice_family_reply *fr)
{
	const struct nlattr *grp, *attr;

	mnl_attr_for_each_nested(grp, groups) {
		const char *name = NULL;
		uint32_t id = 0;

		mnl_attr_for_each_nested(attr, grp) {
			if (mnl_attr_get_type(attr) == CTRL_ATTR_MCAST_GRP_NAME &&
			    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
				name = mnl_attr_get_str(attr);
			if (mnl_attr_get_type(attr) == CTRL_ATTR_MCAST_GRP_ID &&
			    mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
				id = mnl_attr_get_u32(attr);
		}
		if (name && !strcmp(name, MICE_MCGRP_EVENTS))
			fr->events_group = id;
	}
}

static int mice_nl_on_family(const struct nlmsghdr *nlh, void *data)
{
	struct mice_family_reply *fr = data;
	const struct nlattr *attr;

	mnl_attr_for_each(attr, nlh, sizeof(struct genlmsghdr)) {
		switch (mnl_attr_get_type(attr)) {
		case CTRL_ATTR_FAMILY_ID:
			if (mnl_attr_validate(attr, MNL_TYPE_U16) == 0)
				fr->id = mnl_attr_get_u16(attr);
			break;
		case CTRL_ATTR_MCAST_GROUPS:
			if (mnl_attr_validate(attr, MNL_TYPE_NESTED) == 0)
				mice_nl_parse_groups(attr, fr);
			break;
		}
	}
	return MNL_CB_OK;
}

int mice_nl_open(struct mice_nl *nl)
{
	char buf[MICE_NL_MSGBUF];
	struct mice_family_reply fr = { 0, 0 };
	struct genlmsghdr *genl;
	struct nlmsghdr *nlh;
	int one = 1, err;

	memset(nl, 0, sizeof(*nl));
	nl->seq = (uint32_t)time(NULL);
	nl->sock = mnl_socket_open(NETLINK_GENERIC);
	if (!nl->sock)
		return -errno;
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0)
		goto fail_errno;
	/* Extended ACKs carry the kernel's reason for a rejection. */
	mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &one, sizeof(one));

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = CTRL_CMD_GETFAMILY;
	genl->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, MICE_GENL_NAME);
	err = mice_nl_talk(nl, nlh, mice_nl_on_family, &fr);
	if (err)
		goto fail;
	if (!fr.id) {
		err = -ENOENT;
		goto fail;
	}
	nl->family_id = fr.id;
	nl->events_group = fr.events_group;
	return 0;

fail_errno:
	err = -errno;
fail:
	mnl_socket_close(nl->sock);
	nl->sock = NULL;
	return err;
}

void mice_nl_close(struct mice_nl *nl)
{
	if (nl->sock)
		mnl_socket_close(nl->sock);
	nl->sock = NULL;
}

int mice_nl_join_events(struct mice_nl *nl)
{
	int group = (int)nl->events_group;

	if (!group)
		return -ENOENT;
	if (mnl_socket_setsockopt(nl->sock, NETLINK_ADD_MEMBERSHIP, &group,
				  sizeof(group)) < 0)
		return -errno;
	return 0;
}

int mice_nl_fd(const struct mice_nl *nl)
{
	return mnl_socket_get_fd(nl->sock);
}

int mice_nl_read_events(struct mice_nl *nl, mnl_cb_t cb, void *data)
{
	static char buf[MICE_NL_RXBUF];
	ssize_t n = mnl_socket_recvfrom(nl->sock, buf, sizeof(buf));

	if (n < 0)
		return -errno;
	return mnl_cb_run(buf, n, 0, 0, cb, data);
}
