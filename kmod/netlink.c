// SPDX-License-Identifier: GPL-2.0
/*
 * The "mice" generic-netlink family: commands, per-op policies, replies,
 * dumps and the "events" multicast group. docs/netlink.md documents it.
 */
#include <linux/jiffies.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <net/genetlink.h>

#include "classify.h"
#include "mice.h"

enum mice_nlgrp {
	MICE_NLGRP_EVENTS,
};

/* Cleared before the family goes away, so the receive path stops sending. */
static bool mice_events_on;

static struct netlink_range_validation mice_fd_range = {
	.min = 0,
	.max = INT_MAX,
};

static const struct nla_policy mice_sock_attach_policy[MICE_SOCK_A_FD + 1] = {
	[MICE_SOCK_A_FD] = NLA_POLICY_FULL_RANGE(NLA_U32, &mice_fd_range),
};

static const struct nla_policy mice_sock_id_policy[MICE_SOCK_A_ID + 1] = {
	[MICE_SOCK_A_ID] = NLA_POLICY_MIN(NLA_U32, 1),
};

static const struct nla_policy mice_attach_op_policy[MICE_A_SOCK + 1] = {
	[MICE_A_SOCK] = NLA_POLICY_NESTED(mice_sock_attach_policy),
};

static const struct nla_policy mice_sock_id_op_policy[MICE_A_SOCK + 1] = {
	[MICE_A_SOCK] = NLA_POLICY_NESTED(mice_sock_id_policy),
};

/* Addresses are 4 or 16 octets. */
static int mice_nl_validate_addr(const struct nlattr *attr,
				 struct netlink_ext_ack *extack)
{
	if (nla_len(attr) == 4 || nla_len(attr) == 16)
		return 0;
	NL_SET_ERR_MSG_ATTR(extack, attr, "address must be 4 or 16 octets");
	return -EINVAL;
}

static const struct nla_policy mice_prefix_policy[MICE_PREFIX_A_MAX + 1] = {
	[MICE_PREFIX_A_ADDR] = NLA_POLICY_VALIDATE_FN(NLA_BINARY,
						      mice_nl_validate_addr, 16),
	[MICE_PREFIX_A_LEN] = NLA_POLICY_MAX(NLA_U8, 128),
};

static const struct nla_policy mice_pair_set_policy[MICE_PAIR_A_PREFIX + 1] = {
	[MICE_PAIR_A_PEER_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[MICE_PAIR_A_SOCK_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[MICE_PAIR_A_REMOTE_ADDR] = NLA_POLICY_VALIDATE_FN(NLA_BINARY,
							   mice_nl_validate_addr, 16),
	[MICE_PAIR_A_REMOTE_PORT] = { .type = NLA_BE16 },
	[MICE_PAIR_A_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[MICE_PAIR_A_PREFIX] = NLA_POLICY_NESTED(mice_prefix_policy),
};

static const struct nla_policy mice_pair_id_policy[MICE_PAIR_A_PEER_ID + 1] = {
	[MICE_PAIR_A_PEER_ID] = NLA_POLICY_MIN(NLA_U32, 1),
};

static const struct nla_policy mice_pair_set_op_policy[MICE_A_PAIR + 1] = {
	[MICE_A_PAIR] = NLA_POLICY_NESTED(mice_pair_set_policy),
};

static const struct nla_policy mice_pair_id_op_policy[MICE_A_PAIR + 1] = {
	[MICE_A_PAIR] = NLA_POLICY_NESTED(mice_pair_id_policy),
};

static int mice_nl_put_count(struct sk_buff *msg, int type, u32 id,
			     u64 packets, u64 bytes)
{
	struct nlattr *nest = nla_nest_start(msg, type);

	if (!nest ||
	    nla_put_u32(msg, MICE_COUNT_A_ID, id) ||
	    nla_put_u64_64bit(msg, MICE_COUNT_A_PACKETS, packets, MICE_COUNT_A_PAD) ||
	    nla_put_u64_64bit(msg, MICE_COUNT_A_BYTES, bytes, MICE_COUNT_A_PAD))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

static int mice_nl_fill_sock(struct sk_buff *msg, struct mice_sock *ms,
			     u32 portid, u32 seq, int flags, u8 cmd,
			     int cause, struct netlink_callback *cb)
{
	struct mice_stats_sum sum;
	struct nlattr *nest;
	u8 addr[16];
	__be16 port;
	u16 family;
	void *hdr;
	int alen;
	u32 i;

	hdr = genlmsg_put(msg, portid, seq, &mice_genl_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	if (cb)
		genl_dump_check_consistent(cb, hdr);

	nest = nla_nest_start(msg, MICE_A_SOCK);
	if (!nest)
		goto cancel;
	alen = mice_sock_local_addr(ms, &family, addr, &port);
	if (nla_put_u32(msg, MICE_SOCK_A_ID, ms->id) ||
	    nla_put_u16(msg, MICE_SOCK_A_FAMILY, family) ||
	    nla_put(msg, MICE_SOCK_A_ADDR, alen, addr) ||
	    nla_put_be16(msg, MICE_SOCK_A_PORT, port))
		goto cancel;
	if (cause >= 0 && nla_put_u8(msg, MICE_SOCK_A_DETACH_CAUSE, cause))
		goto cancel;

	mice_stats_sum(ms->stats, &sum);
	for (i = 0; i < __MICE_CLASS_MAX; i++)
		if (mice_nl_put_count(msg, MICE_SOCK_A_CLASS, i,
				      sum.rx_packets[i], sum.rx_bytes[i]))
			goto cancel;
	nla_nest_end(msg, nest);
	genlmsg_end(msg, hdr);
	return 0;

cancel:
	genlmsg_cancel(msg, hdr);
	return -EMSGSIZE;
}

/*
 * NL_SET_ERR_MSG() for a message chosen at run time; @msg must be a string
 * literal (static storage), as the macro's own messages are.
 */
static void mice_nl_set_msg(struct netlink_ext_ack *extack, const char *msg)
{
	do_trace_netlink_extack(msg);
	if (extack)
		extack->_msg = msg;
}

/* mice.h: mice_nl_parse_nest(). */
int __mice_nl_parse_nest(struct genl_info *info, int top, struct nlattr **tb,
			 int maxtype, const struct nla_policy *policy, int need,
			 const char *top_msg, const char *need_msg)
{
	int err;

	if (GENL_REQ_ATTR_CHECK(info, top)) {
		mice_nl_set_msg(info->extack, top_msg);
		return -EINVAL;
	}
	err = nla_parse_nested(tb, maxtype, info->attrs[top], policy,
			       info->extack);
	if (err)
		return err;
	if (need >= 0 && NL_REQ_ATTR_CHECK(info->extack, info->attrs[top], tb,
					   need)) {
		mice_nl_set_msg(info->extack, need_msg);
		return -EINVAL;
	}
	return 0;
}

static int mice_nl_sock_attach(struct sk_buff *skb, struct genl_info *info)
{
	struct mice_net *mn = mice_net(genl_info_net(info));
	struct nlattr *tb[MICE_SOCK_A_FD + 1];
	struct mice_sock *ms;
	struct sk_buff *msg;
	int err;

	err = mice_nl_parse_nest(info, MICE_A_SOCK, tb, mice_sock_attach_policy,
				 MICE_SOCK_A_FD);
	if (err)
		return err;

	msg = nlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	mutex_lock(&mn->lock);
	ms = mice_sock_attach(mn, nla_get_u32(tb[MICE_SOCK_A_FD]), info->extack);
	if (IS_ERR(ms)) {
		mutex_unlock(&mn->lock);
		nlmsg_free(msg);
		return PTR_ERR(ms);
	}
	err = mice_nl_fill_sock(msg, ms, info->snd_portid, info->snd_seq, 0,
				MICE_CMD_SOCK_ATTACH, -1, NULL);
	mice_event_sock(ms, MICE_CMD_SOCK_ATTACHED, -1);
	mutex_unlock(&mn->lock);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

/* The socket named by MICE_A_SOCK{ID}, or an extack message. */
static struct mice_sock *mice_nl_sock_by_id(struct mice_net *mn,
					    struct genl_info *info)
{
	struct nlattr *tb[MICE_SOCK_A_ID + 1];
	struct mice_sock *ms;
	int err;

	err = mice_nl_parse_nest(info, MICE_A_SOCK, tb, mice_sock_id_policy,
				 MICE_SOCK_A_ID);
	if (err)
		return ERR_PTR(err);
	ms = mice_sock_find(mn, nla_get_u32(tb[MICE_SOCK_A_ID]));
	if (!ms) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[MICE_SOCK_A_ID],
				    "no attached socket with this ID");
		return ERR_PTR(-ENOENT);
	}
	return ms;
}

static int mice_nl_sock_detach(struct sk_buff *skb, struct genl_info *info)
{
	struct mice_net *mn = mice_net(genl_info_net(info));
	struct mice_sock *ms;

	mutex_lock(&mn->lock);
	ms = mice_nl_sock_by_id(mn, info);
	/* false: the socket is closing, and its close detaches it. */
	if (!IS_ERR(ms))
		mice_sock_detach(ms, MICE_DETACH_COMMAND);
	mutex_unlock(&mn->lock);
	return PTR_ERR_OR_ZERO(ms);
}

static int mice_nl_sock_get(struct sk_buff *skb, struct genl_info *info)
{
	struct mice_net *mn = mice_net(genl_info_net(info));
	struct mice_sock *ms;
	struct sk_buff *msg;
	int err;

	msg = nlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	mutex_lock(&mn->lock);
	ms = mice_nl_sock_by_id(mn, info);
	if (IS_ERR(ms))
		err = PTR_ERR(ms);
	else
		err = mice_nl_fill_sock(msg, ms, info->snd_portid, info->snd_seq,
					0, MICE_CMD_SOCK_GET, -1, NULL);
	mutex_unlock(&mn->lock);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

static int mice_nl_sock_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct mice_net *mn = mice_net(sock_net(skb->sk));
	long idx = 0, start = cb->args[0];
	struct mice_sock *ms;

	mutex_lock(&mn->lock);
	cb->seq = mn->genid;
	list_for_each_entry(ms, &mn->sockets, node) {
		if (idx < start) {
			idx++;
			continue;
		}
		if (mice_nl_fill_sock(skb, ms, NETLINK_CB(cb->skb).portid,
				      cb->nlh->nlmsg_seq, NLM_F_MULTI,
				      MICE_CMD_SOCK_GET, -1, cb))
			break;
		idx++;
	}
	mutex_unlock(&mn->lock);
	cb->args[0] = idx;
	return skb->len;
}

static int mice_nl_fill_stats(struct sk_buff *msg, struct mice_net *mn)
{
	struct mice_stats_sum *sum;
	struct nlattr *nest;
	int err = -EMSGSIZE;
	u32 i;

	sum = kmalloc(sizeof(*sum), GFP_KERNEL);
	if (!sum)
		return -ENOMEM;
	mice_stats_sum(mn->stats, sum);

	nest = nla_nest_start(msg, MICE_A_STATS);
	if (!nest)
		goto out;
	for (i = 0; i < __MICE_CLASS_MAX; i++)
		if (mice_nl_put_count(msg, MICE_STATS_A_CLASS, i,
				      sum->rx_packets[i], sum->rx_bytes[i]))
			goto out;
	for (i = 0; i < __MICE_REASON_MAX; i++)
		if (mice_nl_put_count(msg, MICE_STATS_A_DROP, i,
				      sum->drop_packets[i], sum->drop_bytes[i]))
			goto out;
	if (nla_put_u32(msg, MICE_STATS_A_SOCKETS, READ_ONCE(mn->nsockets)) ||
	    nla_put_u64_64bit(msg, MICE_STATS_A_EVENTS_SUPPRESSED,
			      atomic64_read(&mn->drop_events_suppressed),
			      MICE_STATS_A_PAD))
		goto out;
	nla_nest_end(msg, nest);
	err = 0;
out:
	kfree(sum);
	return err;
}

static int mice_nl_stats_get(struct sk_buff *skb, struct genl_info *info)
{
	struct mice_net *mn = mice_net(genl_info_net(info));
	struct sk_buff *msg;
	void *hdr;
	int err;

	msg = nlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &mice_genl_family, 0,
				MICE_CMD_STATS_GET);
	if (!hdr) {
		err = -EMSGSIZE;
		goto fail;
	}
	err = mice_nl_fill_stats(msg, mn);
	if (err)
		goto fail;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
fail:
	nlmsg_free(msg);
	return err;
}


static int mice_nl_put_prefixes(struct sk_buff *msg,
				const struct mice_pair *pair)
{
	struct nlattr *nest;
	unsigned int i;

	for (i = 0; i < pair->nprefixes; i++) {
		const struct mice_prefix *p = &pair->prefixes[i];

		nest = nla_nest_start(msg, MICE_PAIR_A_PREFIX);
		if (!nest ||
		    nla_put(msg, MICE_PREFIX_A_ADDR,
			    p->family == AF_INET ? 4 : 16, p->addr) ||
		    nla_put_u8(msg, MICE_PREFIX_A_LEN, p->len))
			return -EMSGSIZE;
		nla_nest_end(msg, nest);
	}
	return 0;
}

/* Called with mn->lock held. */
static int mice_nl_fill_pair(struct sk_buff *msg, struct mice_peer *peer,
			     u32 portid, u32 seq, int flags, u8 cmd,
			     int cause, struct netlink_callback *cb)
{
	struct mice_net *mn = ((struct mice_dev *)netdev_priv(peer->dev))->mn;
	struct mice_pair *pair;
	u64 rxp, rxb, txp, txb;
	struct nlattr *nest;
	void *hdr;

	hdr = genlmsg_put(msg, portid, seq, &mice_genl_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	if (cb)
		genl_dump_check_consistent(cb, hdr);
	nest = nla_nest_start(msg, MICE_A_PAIR);
	if (!nest)
		goto cancel;
	pair = rcu_dereference_protected(peer->pair, lockdep_is_held(&mn->lock));
	mice_peer_stats_sum(peer, &rxp, &rxb, &txp, &txb);
	if (nla_put_u32(msg, MICE_PAIR_A_PEER_ID, peer->id) ||
	    nla_put_u32(msg, MICE_PAIR_A_IFINDEX, peer->dev->ifindex) ||
	    nla_put_u64_64bit(msg, MICE_PAIR_A_RX_PACKETS, rxp, MICE_PAIR_A_PAD) ||
	    nla_put_u64_64bit(msg, MICE_PAIR_A_RX_BYTES, rxb, MICE_PAIR_A_PAD) ||
	    nla_put_u64_64bit(msg, MICE_PAIR_A_TX_PACKETS, txp, MICE_PAIR_A_PAD) ||
	    nla_put_u64_64bit(msg, MICE_PAIR_A_TX_BYTES, txb, MICE_PAIR_A_PAD))
		goto cancel;
	if (cause >= 0 && nla_put_u8(msg, MICE_PAIR_A_DOWN_CAUSE, cause))
		goto cancel;
	if (pair && pair->ms &&
	    (nla_put_u32(msg, MICE_PAIR_A_SOCK_ID, pair->ms->id) ||
	     nla_put(msg, MICE_PAIR_A_REMOTE_ADDR,
		     pair->family == AF_INET ? 4 : 16, &pair->addr) ||
	     nla_put_be16(msg, MICE_PAIR_A_REMOTE_PORT, pair->port)))
		goto cancel;
	if (pair && mice_nl_put_prefixes(msg, pair))
		goto cancel;
	nla_nest_end(msg, nest);
	genlmsg_end(msg, hdr);
	return 0;
cancel:
	genlmsg_cancel(msg, hdr);
	return -EMSGSIZE;
}

static int mice_nl_parse_prefix(const struct nlattr *attr,
				struct mice_prefix *p,
				struct netlink_ext_ack *extack)
{
	struct nlattr *tb[MICE_PREFIX_A_MAX + 1];
	unsigned int alen, i;
	int err;

	err = nla_parse_nested(tb, MICE_PREFIX_A_MAX, attr, mice_prefix_policy,
			       extack);
	if (err)
		return err;
	if (NL_REQ_ATTR_CHECK(extack, attr, tb, MICE_PREFIX_A_ADDR) ||
	    NL_REQ_ATTR_CHECK(extack, attr, tb, MICE_PREFIX_A_LEN)) {
		NL_SET_ERR_MSG(extack, "a prefix needs an address and a length");
		return -EINVAL;
	}
	alen = nla_len(tb[MICE_PREFIX_A_ADDR]);
	p->family = alen == 4 ? AF_INET : AF_INET6;
	p->len = nla_get_u8(tb[MICE_PREFIX_A_LEN]);
	if (p->len > alen * 8) {
		NL_SET_ERR_MSG_ATTR(extack, tb[MICE_PREFIX_A_LEN],
				    "prefix length exceeds the address");
		return -EINVAL;
	}
	memset(p->addr, 0, sizeof(p->addr));
	nla_memcpy(p->addr, tb[MICE_PREFIX_A_ADDR], alen);
	/* Host bits are cleared so lookups compare whole octets. */
	for (i = p->len; i < alen * 8; i++)
		p->addr[i / 8] &= ~(0x80 >> (i % 8));
	return 0;
}

/* Builds the pair of a PAIR_SET request; the socket is resolved later. */
static struct mice_pair *mice_nl_parse_pair(struct nlattr **tb,
					    const struct nlattr *nest,
					    struct netlink_ext_ack *extack)
{
	struct mice_pair *pair;
	const struct nlattr *attr;
	int rem, err;

	pair = mice_pair_alloc();
	if (!pair)
		return ERR_PTR(-ENOMEM);
	pair->family = nla_len(tb[MICE_PAIR_A_REMOTE_ADDR]) == 4 ? AF_INET : AF_INET6;
	nla_memcpy(&pair->addr, tb[MICE_PAIR_A_REMOTE_ADDR], sizeof(pair->addr));
	pair->port = nla_get_be16(tb[MICE_PAIR_A_REMOTE_PORT]);
	if (!pair->port) {
		NL_SET_ERR_MSG_ATTR(extack, tb[MICE_PAIR_A_REMOTE_PORT],
				    "remote port 0");
		err = -EINVAL;
		goto fail;
	}
	nla_for_each_nested(attr, nest, rem) {
		if (nla_type(attr) != MICE_PAIR_A_PREFIX)
			continue;
		if (pair->nprefixes >= MICE_MAX_PREFIXES_PER_PEER) {
			NL_SET_ERR_MSG_ATTR(extack, attr, "too many prefixes for one peer");
			err = -E2BIG;
			goto fail;
		}
		err = mice_nl_parse_prefix(attr, &pair->prefixes[pair->nprefixes],
					   extack);
		if (err)
			goto fail;
		pair->nprefixes++;
	}
	return pair;
fail:
	mice_pair_free(pair);
	return ERR_PTR(err);
}

static struct net_device *mice_nl_get_dev(struct net *net, struct nlattr *attr,
					  struct netlink_ext_ack *extack)
{
	struct net_device *dev;

	if (!attr)
		return NULL;
	dev = dev_get_by_index(net, nla_get_u32(attr));
	if (!dev) {
		NL_SET_ERR_MSG_ATTR(extack, attr, "no such device");
		return ERR_PTR(-ENODEV);
	}
	if (!mice_dev_is_mice(dev)) {
		dev_put(dev);
		NL_SET_ERR_MSG_ATTR(extack, attr, "not a mice device");
		return ERR_PTR(-EINVAL);
	}
	return dev;
}

static int mice_nl_pair_set(struct sk_buff *skb, struct genl_info *info)
{
	struct mice_net *mn = mice_net(genl_info_net(info));
	struct nlattr *tb[MICE_PAIR_A_PREFIX + 1];
	struct nlattr *nest = info->attrs[MICE_A_PAIR];
	struct net_device *dev;
	struct mice_pair *pair;
	struct mice_sock *ms;
	int err;

	err = mice_nl_parse_nest(info, MICE_A_PAIR, tb, mice_pair_set_policy, -1);
	if (err)
		return err;
	if (NL_REQ_ATTR_CHECK(info->extack, nest, tb, MICE_PAIR_A_PEER_ID) ||
	    NL_REQ_ATTR_CHECK(info->extack, nest, tb, MICE_PAIR_A_SOCK_ID) ||
	    NL_REQ_ATTR_CHECK(info->extack, nest, tb, MICE_PAIR_A_REMOTE_ADDR) ||
	    NL_REQ_ATTR_CHECK(info->extack, nest, tb, MICE_PAIR_A_REMOTE_PORT)) {
		NL_SET_ERR_MSG(info->extack,
			       "a pair needs PEER_ID, SOCK_ID, REMOTE_ADDR and REMOTE_PORT");
		return -EINVAL;
	}
	pair = mice_nl_parse_pair(tb, nest, info->extack);
	if (IS_ERR(pair))
		return PTR_ERR(pair);
	dev = mice_nl_get_dev(genl_info_net(info), tb[MICE_PAIR_A_IFINDEX],
			      info->extack);
	if (IS_ERR(dev)) {
		mice_pair_free(pair);
		return PTR_ERR(dev);
	}

	mutex_lock(&mn->lock);
	ms = mice_sock_find(mn, nla_get_u32(tb[MICE_PAIR_A_SOCK_ID]));
	if (!ms) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[MICE_PAIR_A_SOCK_ID],
				    "no attached socket with this ID");
		err = -ENOENT;
	} else if (ms->sk->sk_family != pair->family) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[MICE_PAIR_A_REMOTE_ADDR],
				    "remote address family differs from the socket's");
		err = -EINVAL;
	} else if (dev && ((struct mice_dev *)netdev_priv(dev))->dead) {
		NL_SET_ERR_MSG(info->extack, "the device is being deleted");
		err = -ENODEV;
	} else {
		pair->ms = ms;
		err = mice_peer_set(mn, nla_get_u32(tb[MICE_PAIR_A_PEER_ID]), dev,
				    pair, info->extack);
		pair = NULL;	/* consumed */
	}
	mutex_unlock(&mn->lock);
	mice_pair_free(pair);
	if (dev)
		dev_put(dev);
	return err;
}

/* The peer named by MICE_A_PAIR{PEER_ID}; called with mn->lock held. */
static struct mice_peer *mice_nl_peer_by_id(struct mice_net *mn,
					    struct genl_info *info)
{
	struct nlattr *tb[MICE_PAIR_A_PEER_ID + 1];
	struct mice_peer *peer;
	int err;

	err = mice_nl_parse_nest(info, MICE_A_PAIR, tb, mice_pair_id_policy,
				 MICE_PAIR_A_PEER_ID);
	if (err)
		return ERR_PTR(err);
	peer = mice_peer_find(mn, nla_get_u32(tb[MICE_PAIR_A_PEER_ID]));
	if (!peer) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[MICE_PAIR_A_PEER_ID],
				    "no peer with this ID");
		return ERR_PTR(-ENOENT);
	}
	return peer;
}

static int mice_nl_pair_del(struct sk_buff *skb, struct genl_info *info)
{
	struct mice_net *mn = mice_net(genl_info_net(info));
	struct mice_peer *peer;

	mutex_lock(&mn->lock);
	peer = mice_nl_peer_by_id(mn, info);
	if (!IS_ERR(peer))
		mice_peer_del(peer, MICE_PAIR_DOWN_COMMAND);
	mutex_unlock(&mn->lock);
	return PTR_ERR_OR_ZERO(peer);
}

static int mice_nl_pair_get(struct sk_buff *skb, struct genl_info *info)
{
	struct mice_net *mn = mice_net(genl_info_net(info));
	struct mice_peer *peer;
	struct sk_buff *msg;
	int err;

	msg = nlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	mutex_lock(&mn->lock);
	peer = mice_nl_peer_by_id(mn, info);
	if (IS_ERR(peer))
		err = PTR_ERR(peer);
	else
		err = mice_nl_fill_pair(msg, peer, info->snd_portid,
					info->snd_seq, 0, MICE_CMD_PAIR_GET,
					-1, NULL);
	mutex_unlock(&mn->lock);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

static int mice_nl_pair_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct mice_net *mn = mice_net(sock_net(skb->sk));
	long idx = 0, start = cb->args[0];
	struct mice_peer *peer;

	mutex_lock(&mn->lock);
	cb->seq = mn->genid;
	list_for_each_entry(peer, &mn->peers, node) {
		if (idx < start) {
			idx++;
			continue;
		}
		if (mice_nl_fill_pair(skb, peer, NETLINK_CB(cb->skb).portid,
				      cb->nlh->nlmsg_seq, NLM_F_MULTI,
				      MICE_CMD_PAIR_GET, -1, cb))
			break;
		idx++;
	}
	mutex_unlock(&mn->lock);
	cb->args[0] = idx;
	return skb->len;
}

/*
 * The state (GET commands) and the events show peers' addresses, the
 * sources of dropped datagrams and other hosts' flows: they are for the
 * administrator. Reads need CAP_NET_ADMIN over the namespace's own user
 * namespace (GENL_UNS_ADMIN_PERM, as WireGuard), so an agent in a
 * container that owns its namespace can still watch it; changes keep
 * GENL_ADMIN_PERM (CAP_NET_ADMIN in the initial user namespace).
 */
static const struct genl_ops mice_genl_ops[] = {
	{
		.cmd = MICE_CMD_SOCK_ATTACH,
		.doit = mice_nl_sock_attach,
		.policy = mice_attach_op_policy,
		.maxattr = MICE_A_SOCK,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = MICE_CMD_SOCK_DETACH,
		.doit = mice_nl_sock_detach,
		.policy = mice_sock_id_op_policy,
		.maxattr = MICE_A_SOCK,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = MICE_CMD_SOCK_GET,
		.doit = mice_nl_sock_get,
		.dumpit = mice_nl_sock_dump,
		.policy = mice_sock_id_op_policy,
		.maxattr = MICE_A_SOCK,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		/* No policy: the core rejects any attribute. */
		.cmd = MICE_CMD_STATS_GET,
		.doit = mice_nl_stats_get,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = MICE_CMD_PAIR_SET,
		.doit = mice_nl_pair_set,
		.policy = mice_pair_set_op_policy,
		.maxattr = MICE_A_PAIR,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = MICE_CMD_PAIR_DEL,
		.doit = mice_nl_pair_del,
		.policy = mice_pair_id_op_policy,
		.maxattr = MICE_A_PAIR,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = MICE_CMD_PAIR_GET,
		.doit = mice_nl_pair_get,
		.dumpit = mice_nl_pair_dump,
		.policy = mice_pair_id_op_policy,
		.maxattr = MICE_A_PAIR,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	/* Media admission (gate_nl.c, docs/gates.md). */
	{
		.cmd = MICE_CMD_GATE_ADD,
		.doit = mice_nl_gate_add,
		.policy = mice_gate_add_op_policy,
		.maxattr = MICE_A_GATE,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = MICE_CMD_GATE_COMMIT,
		.doit = mice_nl_gate_commit,
		.policy = mice_gate_commit_op_policy,
		.maxattr = MICE_A_GATE,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = MICE_CMD_GATE_DEL,
		.doit = mice_nl_gate_del,
		.policy = mice_gate_id_op_policy,
		.maxattr = MICE_A_GATE,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = MICE_CMD_GATE_GET,
		.doit = mice_nl_gate_get,
		.start = mice_nl_gate_dump_start,
		.dumpit = mice_nl_gate_dump,
		.done = mice_nl_gate_dump_done,
		.policy = mice_gate_id_op_policy,
		.maxattr = MICE_A_GATE,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = MICE_CMD_KEY_SET,
		.doit = mice_nl_key_set,
		.policy = mice_key_op_policy,
		.maxattr = MICE_A_KEY,
		.flags = GENL_ADMIN_PERM,
	},
	{
		/* No policy: the core rejects any attribute. */
		.cmd = MICE_CMD_KEY_DEL,
		.doit = mice_nl_key_del,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = MICE_CMD_MODE_SET,
		.doit = mice_nl_mode_set,
		.policy = mice_mode_op_policy,
		.maxattr = MICE_A_MODE,
		.flags = GENL_ADMIN_PERM,
	},
};

static const struct genl_multicast_group mice_mcgrps[] = {
	/* Joining needs CAP_NET_ADMIN over the namespace (genl_bind()). */
	[MICE_NLGRP_EVENTS] = { .name = MICE_MCGRP_EVENTS,
				.flags = GENL_MCAST_CAP_NET_ADMIN },
};

struct genl_family mice_genl_family __ro_after_init = {
	.name = MICE_GENL_NAME,
	.version = MICE_GENL_VERSION,
	.maxattr = MICE_A_MAX,
	.netnsok = true,
	.parallel_ops = true,
	.module = THIS_MODULE,
	.ops = mice_genl_ops,
	.n_ops = ARRAY_SIZE(mice_genl_ops),
	.mcgrps = mice_mcgrps,
	.n_mcgrps = ARRAY_SIZE(mice_mcgrps),
	/* New family: every op gets strict validation (see genetlink.h). */
	.resv_start_op = 0,
};

static bool mice_events_wanted(struct net *net)
{
	return READ_ONCE(mice_events_on) &&
	       genl_has_listeners(&mice_genl_family, net, MICE_NLGRP_EVENTS);
}

/* Process context: attach and detach. */
void mice_event_sock(struct mice_sock *ms, u8 cmd, int cause)
{
	struct net *net = ms->mn->net;
	struct sk_buff *msg;

	if (!mice_events_wanted(net))
		return;
	msg = nlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return;
	if (mice_nl_fill_sock(msg, ms, 0, 0, 0, cmd, cause, NULL)) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_multicast_netns(&mice_genl_family, net, msg, 0,
				MICE_NLGRP_EVENTS, GFP_KERNEL);
}

/* Process context, mn->lock held: pair up, replaced, down. */
void mice_event_pair(struct mice_peer *peer, u8 cmd, int cause)
{
	struct net *net = dev_net(peer->dev);
	struct sk_buff *msg;

	if (!mice_events_wanted(net))
		return;
	msg = nlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return;
	if (mice_nl_fill_pair(msg, peer, 0, 0, 0, cmd, cause, NULL)) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_multicast_netns(&mice_genl_family, net, msg, 0,
				MICE_NLGRP_EVENTS, GFP_KERNEL);
}

/* At most MICE_DROP_EVENTS_PER_SEC per second per netns; races are benign. */
static bool mice_drop_event_budget(struct mice_net *mn)
{
	unsigned long start = READ_ONCE(mn->drop_event_window);

	if (time_after(jiffies, start + HZ)) {
		WRITE_ONCE(mn->drop_event_window, jiffies);
		atomic_set(&mn->drop_events_in_window, 0);
	}
	return atomic_inc_return(&mn->drop_events_in_window) <=
	       MICE_DROP_EVENTS_PER_SEC;
}

static int mice_nl_put_source(struct sk_buff *msg, struct sk_buff *skb)
{
	const struct udphdr *uh = udp_hdr(skb);

	if (ip_hdr(skb)->version == 4) {
		if (nla_put_u16(msg, MICE_DROP_A_FAMILY, AF_INET) ||
		    nla_put_in_addr(msg, MICE_DROP_A_SADDR, ip_hdr(skb)->saddr))
			return -EMSGSIZE;
	} else {
		if (nla_put_u16(msg, MICE_DROP_A_FAMILY, AF_INET6) ||
		    nla_put_in6_addr(msg, MICE_DROP_A_SADDR, &ipv6_hdr(skb)->saddr))
			return -EMSGSIZE;
	}
	return nla_put_be16(msg, MICE_DROP_A_SPORT, uh->source);
}

/* Softirq context: a datagram was dropped. */
void mice_event_drop(struct mice_sock *ms, struct sk_buff *skb,
		     enum mice_class cls, enum mice_reason reason,
		     unsigned int len)
{
	struct mice_net *mn = ms->mn;
	struct sk_buff *msg;
	struct nlattr *nest;
	void *hdr;

	if (!mice_events_wanted(mn->net))
		return;
	if (!mice_drop_event_budget(mn)) {
		atomic64_inc(&mn->drop_events_suppressed);
		return;
	}
	msg = genlmsg_new(128, GFP_ATOMIC);
	if (!msg)
		return;
	hdr = genlmsg_put(msg, 0, 0, &mice_genl_family, 0, MICE_CMD_DROP);
	if (!hdr)
		goto free;
	nest = nla_nest_start(msg, MICE_A_DROP);
	if (!nest ||
	    nla_put_u32(msg, MICE_DROP_A_SOCK_ID, ms->id) ||
	    nla_put_u32(msg, MICE_DROP_A_CLASS, cls) ||
	    nla_put_u32(msg, MICE_DROP_A_REASON, reason) ||
	    mice_nl_put_source(msg, skb) ||
	    nla_put_u32(msg, MICE_DROP_A_LEN, len))
		goto free;
	nla_nest_end(msg, nest);
	genlmsg_end(msg, hdr);
	genlmsg_multicast_netns(&mice_genl_family, mn->net, msg, 0,
				MICE_NLGRP_EVENTS, GFP_ATOMIC);
	return;
free:
	nlmsg_free(msg);
}

/* Gate events (gate_nl.c): @fill puts one message into @msg. */
void mice_event_gate(struct net *net, size_t size, gfp_t gfp,
		     int (*fill)(struct sk_buff *msg, void *ctx), void *ctx)
{
	struct sk_buff *msg;

	if (!mice_events_wanted(net))
		return;
	msg = genlmsg_new(size, gfp);
	if (!msg)
		return;
	if (fill(msg, ctx)) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_multicast_netns(&mice_genl_family, net, msg, 0,
				MICE_NLGRP_EVENTS, gfp);
}

int mice_genl_register(void)
{
	int err = genl_register_family(&mice_genl_family);

	if (!err)
		WRITE_ONCE(mice_events_on, true);
	return err;
}

void mice_genl_unregister(void)
{
	WRITE_ONCE(mice_events_on, false);
	/* Receive paths that saw the flag set are done after this. */
	synchronize_net();
	genl_unregister_family(&mice_genl_family);
}
