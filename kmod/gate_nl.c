// SPDX-License-Identifier: GPL-2.0
/*
 * Generic-netlink commands of media admission (docs/gates.md): GATE_ADD,
 * GATE_COMMIT, GATE_DEL, GATE_GET, KEY_SET, KEY_DEL, MODE_SET, their
 * strict per-command policies, and the gate events. Every change needs
 * CAP_NET_ADMIN in the initial user namespace (GENL_ADMIN_PERM in
 * netlink.c's op table); GATE_GET and the events need it over the
 * namespace's own user namespace (GENL_UNS_ADMIN_PERM).
 */
#include <crypto/algapi.h>
#include <linux/ctype.h>
#include <linux/jiffies.h>
#include <linux/netdevice.h>
#include <net/genetlink.h>
#include <net/sock.h>

#include "gate.h"

static int mice_gate_nl_validate_addr(const struct nlattr *attr,
				      struct netlink_ext_ack *extack)
{
	if (nla_len(attr) == 4 || nla_len(attr) == 16)
		return 0;
	NL_SET_ERR_MSG_ATTR(extack, attr, "address must be 4 or 16 octets");
	return -EINVAL;
}

/* The token: 1*HEXDIG (RFC 3313 s.5), at most MICE_GATE_TOKEN_MAX. */
static int mice_gate_nl_validate_token(const struct nlattr *attr,
				       struct netlink_ext_ack *extack)
{
	const char *s = nla_data(attr);
	int i, n = nla_len(attr);

	/* NLA_NUL_STRING guarantees the terminator within the attribute. */
	n = strnlen(s, n);
	if (!n) {
		NL_SET_ERR_MSG_ATTR(extack, attr, "empty token");
		return -EINVAL;
	}
	for (i = 0; i < n; i++) {
		if (!isxdigit(s[i])) {
			NL_SET_ERR_MSG_ATTR(extack, attr, "token is not 1*HEXDIG");
			return -EINVAL;
		}
	}
	return 0;
}

static const struct nla_policy mice_gate_prefix_policy[MICE_PREFIX_A_MAX + 1] = {
	[MICE_PREFIX_A_ADDR] = NLA_POLICY_VALIDATE_FN(NLA_BINARY,
						      mice_gate_nl_validate_addr, 16),
	[MICE_PREFIX_A_LEN] = NLA_POLICY_MAX(NLA_U8, 128),
};

static const struct nla_policy mice_cls_policy[MICE_CLS_A_MAX + 1] = {
	[MICE_CLS_A_PROTO] = { .type = NLA_U8 },
	[MICE_CLS_A_DIR] = NLA_POLICY_MAX(NLA_U8, MICE_GATE_DIR_DOWN),
	[MICE_CLS_A_SRC] = NLA_POLICY_NESTED(mice_gate_prefix_policy),
	[MICE_CLS_A_DST] = NLA_POLICY_NESTED(mice_gate_prefix_policy),
	[MICE_CLS_A_SPORT_LO] = { .type = NLA_U16 },
	[MICE_CLS_A_SPORT_HI] = { .type = NLA_U16 },
	[MICE_CLS_A_DPORT_LO] = { .type = NLA_U16 },
	[MICE_CLS_A_DPORT_HI] = { .type = NLA_U16 },
};

/* Requests name a flow without a direction (events report one). */
static const struct nla_policy mice_flow_policy[MICE_FLOW_A_DPORT + 1] = {
	[MICE_FLOW_A_PROTO] = { .type = NLA_U8 },
	[MICE_FLOW_A_SRC] = NLA_POLICY_VALIDATE_FN(NLA_BINARY,
						   mice_gate_nl_validate_addr, 16),
	[MICE_FLOW_A_DST] = NLA_POLICY_VALIDATE_FN(NLA_BINARY,
						   mice_gate_nl_validate_addr, 16),
	[MICE_FLOW_A_SPORT] = { .type = NLA_BE16 },
	[MICE_FLOW_A_DPORT] = { .type = NLA_BE16 },
};

static struct netlink_range_validation mice_gate_timer_range = {
	.min = 1,
	.max = MICE_GATE_TIMER_MAX,
};

static struct netlink_range_validation mice_gate_maxp_range = {
	.min = 0,
	.max = 65535,
};

static struct netlink_range_validation mice_gate_idle_range = {
	.min = 0,
	.max = MICE_GATE_TIMER_MAX,
};

static const struct nla_policy mice_gate_add_policy[MICE_GATE_A_IDLE + 1] = {
	[MICE_GATE_A_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[MICE_GATE_A_TOKEN] = NLA_POLICY_VALIDATE_FN(NLA_NUL_STRING,
						     mice_gate_nl_validate_token,
						     MICE_GATE_TOKEN_MAX),
	[MICE_GATE_A_CLASSIFIER] = NLA_POLICY_NESTED(mice_cls_policy),
	[MICE_GATE_A_RATE] = { .type = NLA_U32 },
	[MICE_GATE_A_BURST] = NLA_POLICY_MIN(NLA_U32, 1),
	[MICE_GATE_A_MAX_PACKET] = NLA_POLICY_FULL_RANGE(NLA_U32, &mice_gate_maxp_range),
	[MICE_GATE_A_LIFETIME] = NLA_POLICY_FULL_RANGE(NLA_U32,
						       &mice_gate_timer_range),
	[MICE_GATE_A_IDLE] = NLA_POLICY_FULL_RANGE(NLA_U32, &mice_gate_idle_range),
};

static const struct nla_policy mice_gate_commit_policy[MICE_GATE_A_FLOW + 1] = {
	[MICE_GATE_A_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[MICE_GATE_A_TOKEN] = NLA_POLICY_VALIDATE_FN(NLA_NUL_STRING,
						     mice_gate_nl_validate_token,
						     MICE_GATE_TOKEN_MAX),
	[MICE_GATE_A_CLASSIFIER] = NLA_POLICY_NESTED(mice_cls_policy),
	[MICE_GATE_A_FLOW] = NLA_POLICY_NESTED(mice_flow_policy),
};

static const struct nla_policy mice_gate_id_policy[MICE_GATE_A_ID + 1] = {
	[MICE_GATE_A_ID] = NLA_POLICY_MIN(NLA_U32, 1),
};

static const struct nla_policy mice_key_policy[MICE_KEY_A_MAX + 1] = {
	[MICE_KEY_A_SECRET] = NLA_POLICY_RANGE(NLA_BINARY, 16, 64),
};

static const struct nla_policy mice_mode_if_policy[MICE_MODE_IF_A_MAX + 1] = {
	[MICE_MODE_IF_A_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[MICE_MODE_IF_A_DIR] = NLA_POLICY_RANGE(NLA_U8, MICE_GATE_DIR_UP,
						MICE_GATE_DIR_DOWN),
};

static struct netlink_range_validation mice_max_gates_range = {
	.min = 1,
	.max = MICE_MAX_GATES_LIMIT,
};

static const struct nla_policy mice_mode_policy[MICE_MODE_A_MAX + 1] = {
	[MICE_MODE_A_MODE] = NLA_POLICY_MAX(NLA_U8, MICE_MODE_ENFORCE),
	[MICE_MODE_A_IF] = NLA_POLICY_NESTED(mice_mode_if_policy),
	[MICE_MODE_A_IF_FLUSH] = { .type = NLA_FLAG },
	[MICE_MODE_A_DATAPATH] = NLA_POLICY_MAX(NLA_U8, 1),
	[MICE_MODE_A_MAX_GATES] = NLA_POLICY_FULL_RANGE(NLA_U32,
							&mice_max_gates_range),
};

const struct nla_policy mice_gate_add_op_policy[MICE_A_GATE + 1] = {
	[MICE_A_GATE] = NLA_POLICY_NESTED(mice_gate_add_policy),
};

const struct nla_policy mice_gate_commit_op_policy[MICE_A_GATE + 1] = {
	[MICE_A_GATE] = NLA_POLICY_NESTED(mice_gate_commit_policy),
};

const struct nla_policy mice_gate_id_op_policy[MICE_A_GATE + 1] = {
	[MICE_A_GATE] = NLA_POLICY_NESTED(mice_gate_id_policy),
};

const struct nla_policy mice_key_op_policy[MICE_A_KEY + 1] = {
	[MICE_A_KEY] = NLA_POLICY_NESTED(mice_key_policy),
};

const struct nla_policy mice_mode_op_policy[MICE_A_MODE + 1] = {
	[MICE_A_MODE] = NLA_POLICY_NESTED(mice_mode_policy),
};

/* A static message that is not a literal (NL_SET_ERR_MSG wants one). */
static void mice_gate_nl_msg(struct netlink_ext_ack *extack,
			     const struct nlattr *attr, const char *msg)
{
	if (!extack)
		return;
	extack->_msg = msg;
	if (attr)
		extack->bad_attr = attr;
}

static struct mice_gate_net *mice_gate_nl_gn(struct genl_info *info)
{
	return mice_net(genl_info_net(info))->gates;
}

/* --- parsing ------------------------------------------------------------- */

static int mice_gate_nl_prefix(const struct nlattr *attr,
			       struct mice_gate_prefix *p,
			       struct netlink_ext_ack *extack)
{
	struct nlattr *tb[MICE_PREFIX_A_MAX + 1];
	unsigned int alen;
	int err;

	memset(p, 0, sizeof(*p));
	if (!attr)
		return 0;	/* any */
	err = nla_parse_nested(tb, MICE_PREFIX_A_MAX, attr,
			       mice_gate_prefix_policy, extack);
	if (err)
		return err;
	if (NL_REQ_ATTR_CHECK(extack, attr, tb, MICE_PREFIX_A_ADDR) ||
	    NL_REQ_ATTR_CHECK(extack, attr, tb, MICE_PREFIX_A_LEN)) {
		NL_SET_ERR_MSG(extack, "a prefix needs an address and a length");
		return -EINVAL;
	}
	alen = nla_len(tb[MICE_PREFIX_A_ADDR]);
	p->family = alen == 4 ? MICE_AF_INET : MICE_AF_INET6;
	p->len = nla_get_u8(tb[MICE_PREFIX_A_LEN]);
	nla_memcpy(p->addr, tb[MICE_PREFIX_A_ADDR], alen);
	return 0;
}

/* An absent classifier, or absent parts of it, mean "any". */
static int mice_gate_nl_cls(const struct nlattr *attr,
			    struct mice_gate_classifier *c,
			    struct netlink_ext_ack *extack)
{
	struct nlattr *tb[MICE_CLS_A_MAX + 1];
	enum mice_gate_err gerr;
	int err;

	memset(c, 0, sizeof(*c));
	c->sport.hi = 65535;
	c->dport.hi = 65535;
	if (!attr)
		return 0;
	err = nla_parse_nested(tb, MICE_CLS_A_MAX, attr, mice_cls_policy,
			       extack);
	if (err)
		return err;
	if (tb[MICE_CLS_A_PROTO])
		c->proto = nla_get_u8(tb[MICE_CLS_A_PROTO]);
	if (tb[MICE_CLS_A_DIR])
		c->dir = nla_get_u8(tb[MICE_CLS_A_DIR]);
	err = mice_gate_nl_prefix(tb[MICE_CLS_A_SRC], &c->src, extack);
	if (!err)
		err = mice_gate_nl_prefix(tb[MICE_CLS_A_DST], &c->dst, extack);
	if (err)
		return err;
	if (tb[MICE_CLS_A_SPORT_LO])
		c->sport.lo = nla_get_u16(tb[MICE_CLS_A_SPORT_LO]);
	if (tb[MICE_CLS_A_SPORT_HI])
		c->sport.hi = nla_get_u16(tb[MICE_CLS_A_SPORT_HI]);
	if (tb[MICE_CLS_A_DPORT_LO])
		c->dport.lo = nla_get_u16(tb[MICE_CLS_A_DPORT_LO]);
	if (tb[MICE_CLS_A_DPORT_HI])
		c->dport.hi = nla_get_u16(tb[MICE_CLS_A_DPORT_HI]);
	/* One flow set, one encoding: host bits set are refused. */
	gerr = mice_gate_classifier_check(c);
	if (gerr) {
		mice_gate_nl_msg(extack, attr, mice_gate_err_name(gerr));
		return -EINVAL;
	}
	return 0;
}

static int mice_gate_nl_flow(const struct nlattr *attr,
			     struct mice_flow_key *k,
			     struct netlink_ext_ack *extack)
{
	struct nlattr *tb[MICE_FLOW_A_DPORT + 1];
	unsigned int alen;
	int err;

	memset(k, 0, sizeof(*k));
	err = nla_parse_nested(tb, MICE_FLOW_A_DPORT, attr, mice_flow_policy,
			       extack);
	if (err)
		return err;
	if (NL_REQ_ATTR_CHECK(extack, attr, tb, MICE_FLOW_A_PROTO) ||
	    NL_REQ_ATTR_CHECK(extack, attr, tb, MICE_FLOW_A_SRC) ||
	    NL_REQ_ATTR_CHECK(extack, attr, tb, MICE_FLOW_A_DST) ||
	    NL_REQ_ATTR_CHECK(extack, attr, tb, MICE_FLOW_A_SPORT) ||
	    NL_REQ_ATTR_CHECK(extack, attr, tb, MICE_FLOW_A_DPORT)) {
		NL_SET_ERR_MSG(extack, "a flow needs PROTO, SRC, DST, SPORT and DPORT");
		return -EINVAL;
	}
	k->proto = nla_get_u8(tb[MICE_FLOW_A_PROTO]);
	if (k->proto != MICE_GATE_PROTO_UDP && k->proto != MICE_GATE_PROTO_TCP) {
		NL_SET_ERR_MSG_ATTR(extack, tb[MICE_FLOW_A_PROTO],
				    "a flow is UDP (17) or TCP (6)");
		return -EINVAL;
	}
	alen = nla_len(tb[MICE_FLOW_A_SRC]);
	if (nla_len(tb[MICE_FLOW_A_DST]) != alen) {
		NL_SET_ERR_MSG_ATTR(extack, tb[MICE_FLOW_A_DST],
				    "source and destination families differ");
		return -EINVAL;
	}
	k->family = alen == 4 ? MICE_AF_INET : MICE_AF_INET6;
	nla_memcpy(k->src, tb[MICE_FLOW_A_SRC], alen);
	nla_memcpy(k->dst, tb[MICE_FLOW_A_DST], alen);
	k->sport = be16_to_cpu(nla_get_be16(tb[MICE_FLOW_A_SPORT]));
	k->dport = be16_to_cpu(nla_get_be16(tb[MICE_FLOW_A_DPORT]));
	return 0;
}

/* Parse the MICE_A_GATE nest of @info with @policy into @tb. */
static int mice_gate_nl_parse(struct genl_info *info, struct nlattr **tb,
			      unsigned int maxtype,
			      const struct nla_policy *policy)
{
	return __mice_nl_parse_nest(info, MICE_A_GATE, tb, maxtype, policy, -1,
				    "missing MICE_A_GATE", NULL);
}

/* --- replies and events ------------------------------------------------- */

static int mice_gate_put_prefix(struct sk_buff *msg, int type,
				const struct mice_gate_prefix *p)
{
	struct nlattr *nest;

	if (p->family == MICE_AF_ANY)
		return 0;
	nest = nla_nest_start(msg, type);
	if (!nest ||
	    nla_put(msg, MICE_PREFIX_A_ADDR, p->family == MICE_AF_INET ? 4 : 16,
		    p->addr) ||
	    nla_put_u8(msg, MICE_PREFIX_A_LEN, p->len))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

static int mice_gate_put_cls(struct sk_buff *msg,
			     const struct mice_gate_classifier *c)
{
	struct nlattr *nest = nla_nest_start(msg, MICE_GATE_A_CLASSIFIER);

	if (!nest ||
	    nla_put_u8(msg, MICE_CLS_A_PROTO, c->proto) ||
	    nla_put_u8(msg, MICE_CLS_A_DIR, c->dir) ||
	    mice_gate_put_prefix(msg, MICE_CLS_A_SRC, &c->src) ||
	    mice_gate_put_prefix(msg, MICE_CLS_A_DST, &c->dst) ||
	    nla_put_u16(msg, MICE_CLS_A_SPORT_LO, c->sport.lo) ||
	    nla_put_u16(msg, MICE_CLS_A_SPORT_HI, c->sport.hi) ||
	    nla_put_u16(msg, MICE_CLS_A_DPORT_LO, c->dport.lo) ||
	    nla_put_u16(msg, MICE_CLS_A_DPORT_HI, c->dport.hi))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

/* @dir < 0: no direction attribute. */
static int mice_gate_put_flow(struct sk_buff *msg,
			      const struct mice_flow_key *k, int dir)
{
	struct nlattr *nest = nla_nest_start(msg, MICE_GATE_A_FLOW);
	int alen = k->family == MICE_AF_INET ? 4 : 16;

	if (!nest)
		return -EMSGSIZE;
	if (k->family &&
	    (nla_put_u8(msg, MICE_FLOW_A_PROTO, k->proto) ||
	     nla_put(msg, MICE_FLOW_A_SRC, alen, k->src) ||
	     nla_put(msg, MICE_FLOW_A_DST, alen, k->dst) ||
	     nla_put_be16(msg, MICE_FLOW_A_SPORT, cpu_to_be16(k->sport)) ||
	     nla_put_be16(msg, MICE_FLOW_A_DPORT, cpu_to_be16(k->dport))))
		return -EMSGSIZE;
	if (dir >= 0 && nla_put_u8(msg, MICE_FLOW_A_DIR, dir))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

static int mice_gate_put_count(struct sk_buff *msg, u32 id, u64 packets,
			       u64 bytes)
{
	struct nlattr *nest = nla_nest_start(msg, MICE_GATE_A_DROP);

	if (!nest ||
	    nla_put_u32(msg, MICE_COUNT_A_ID, id) ||
	    nla_put_u64_64bit(msg, MICE_COUNT_A_PACKETS, packets, MICE_COUNT_A_PAD) ||
	    nla_put_u64_64bit(msg, MICE_COUNT_A_BYTES, bytes, MICE_COUNT_A_PAD))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

/* Called with gn->lock held. The opaque token is a credential: not shown. */
static int mice_gate_fill(struct sk_buff *msg, struct mice_gate *g, u32 portid,
			  u32 seq, int flags, u8 cmd, int cause,
			  struct netlink_callback *cb)
{
	u64 packets, bytes, dp[__MICE_GATE_DROP_MAX], db[__MICE_GATE_DROP_MAX];
	struct mice_gate_classifier cls;
	struct nlattr *nest;
	unsigned int i;
	void *hdr;

	mice_gate_get_cls(g, &cls);
	hdr = genlmsg_put(msg, portid, seq, &mice_genl_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	if (cb)
		genl_dump_check_consistent(cb, hdr);
	nest = nla_nest_start(msg, MICE_A_GATE);
	if (!nest)
		goto cancel;
	mice_gate_counters(g, &packets, &bytes, dp, db);
	if (nla_put_u32(msg, MICE_GATE_A_ID, g->id) ||
	    nla_put_u8(msg, MICE_GATE_A_STATE, g->state) ||
	    mice_gate_put_cls(msg, &cls) ||
	    nla_put_u32(msg, MICE_GATE_A_RATE, g->pol.rate) ||
	    nla_put_u32(msg, MICE_GATE_A_BURST, g->pol.burst) ||
	    nla_put_u32(msg, MICE_GATE_A_MAX_PACKET, g->pol.max_packet) ||
	    nla_put_u32(msg, MICE_GATE_A_LIFETIME, g->lifetime_s) ||
	    nla_put_u32(msg, MICE_GATE_A_IDLE, g->idle_s) ||
	    nla_put_u32(msg, MICE_GATE_A_REMAINING, mice_gate_remaining(g)) ||
	    nla_put_u64_64bit(msg, MICE_GATE_A_PACKETS, packets, MICE_GATE_A_PAD) ||
	    nla_put_u64_64bit(msg, MICE_GATE_A_BYTES, bytes, MICE_GATE_A_PAD))
		goto cancel;
	for (i = 0; i < __MICE_GATE_DROP_MAX; i++)
		if (mice_gate_put_count(msg, i, dp[i], db[i]))
			goto cancel;
	if (g->bound && mice_gate_put_flow(msg, &g->flow, -1))
		goto cancel;
	if (g->verified && nla_put_flag(msg, MICE_GATE_A_VERIFIED))
		goto cancel;
	if (cause >= 0 && nla_put_u8(msg, MICE_GATE_A_CLOSE_CAUSE, cause))
		goto cancel;
	nla_nest_end(msg, nest);
	genlmsg_end(msg, hdr);
	return 0;
cancel:
	genlmsg_cancel(msg, hdr);
	return -EMSGSIZE;
}

struct mice_gate_ev {
	struct mice_gate *g;
	const struct mice_flow_key *k;
	u8 cmd;
	int cause;
	u8 dir;
	enum mice_reason reason;
	u32 len;
};

static int mice_gate_ev_fill(struct sk_buff *msg, void *ctx)
{
	struct mice_gate_ev *ev = ctx;

	return mice_gate_fill(msg, ev->g, 0, 0, 0, ev->cmd, ev->cause, NULL);
}

/* Process context, gn->lock held: committed, closed, expired. */
void mice_gate_event(struct mice_gate_net *gn, struct mice_gate *g, u8 cmd,
		     int cause)
{
	struct mice_gate_ev ev = { .g = g, .cmd = cmd, .cause = cause };

	mice_event_gate(gn->mn->net, NLMSG_GOODSIZE, GFP_KERNEL,
			mice_gate_ev_fill, &ev);
}

static int mice_gate_denied_fill(struct sk_buff *msg, void *ctx)
{
	struct mice_gate_ev *ev = ctx;
	struct nlattr *nest;
	void *hdr;

	hdr = genlmsg_put(msg, 0, 0, &mice_genl_family, 0, MICE_CMD_GATE_DENIED);
	if (!hdr)
		return -EMSGSIZE;
	nest = nla_nest_start(msg, MICE_A_GATE);
	if (!nest ||
	    (ev->g && nla_put_u32(msg, MICE_GATE_A_ID, ev->g->id)) ||
	    nla_put_u32(msg, MICE_GATE_A_REASON, ev->reason) ||
	    nla_put_u32(msg, MICE_GATE_A_LEN, ev->len) ||
	    mice_gate_put_flow(msg, ev->k, ev->dir)) {
		genlmsg_cancel(msg, hdr);
		return -EMSGSIZE;
	}
	nla_nest_end(msg, nest);
	genlmsg_end(msg, hdr);
	return 0;
}

/* At most MICE_GATE_EVENTS_PER_SEC per second per netns; races are benign. */
static bool mice_gate_event_budget(struct mice_gate_net *gn)
{
	unsigned long start = READ_ONCE(gn->ev_window);

	if (time_after(jiffies, start + HZ)) {
		WRITE_ONCE(gn->ev_window, jiffies);
		atomic_set(&gn->ev_in_window, 0);
	}
	return atomic_inc_return(&gn->ev_in_window) <= MICE_GATE_EVENTS_PER_SEC;
}

/* Softirq, RCU: admission denied (@g: the gate that policed, or NULL). */
void mice_gate_event_denied(struct mice_gate_net *gn, struct mice_gate *g,
			    const struct mice_flow_key *k, u8 dir,
			    enum mice_reason reason, u32 len)
{
	struct mice_gate_ev ev = {
		.g = g, .k = k, .dir = dir, .reason = reason, .len = len,
	};

	if (!mice_gate_event_budget(gn)) {
		atomic64_inc(&gn->ev_suppressed);
		return;
	}
	mice_event_gate(gn->mn->net, 256, GFP_ATOMIC, mice_gate_denied_fill,
			&ev);
}

/* --- commands ------------------------------------------------------------- */

int mice_nl_gate_add(struct sk_buff *skb, struct genl_info *info)
{
	struct mice_gate_net *gn = mice_gate_nl_gn(info);
	struct nlattr *tb[MICE_GATE_A_IDLE + 1];
	struct nlattr *nest = info->attrs[MICE_A_GATE];
	u32 rate, burst, max_packet = 0, lifetime, idle;
	struct mice_gate_classifier cls;
	struct mice_gate *g;
	int err;

	err = mice_gate_nl_parse(info, tb, MICE_GATE_A_IDLE,
				 mice_gate_add_policy);
	if (err)
		return err;
	if (NL_REQ_ATTR_CHECK(info->extack, nest, tb, MICE_GATE_A_ID) ||
	    NL_REQ_ATTR_CHECK(info->extack, nest, tb, MICE_GATE_A_RATE) ||
	    NL_REQ_ATTR_CHECK(info->extack, nest, tb, MICE_GATE_A_BURST)) {
		NL_SET_ERR_MSG(info->extack, "a gate needs ID, RATE and BURST");
		return -EINVAL;
	}
	err = mice_gate_nl_cls(tb[MICE_GATE_A_CLASSIFIER], &cls, info->extack);
	if (err)
		return err;
	rate = nla_get_u32(tb[MICE_GATE_A_RATE]);
	burst = nla_get_u32(tb[MICE_GATE_A_BURST]);
	if (tb[MICE_GATE_A_MAX_PACKET])
		max_packet = nla_get_u32(tb[MICE_GATE_A_MAX_PACKET]);
	if (max_packet > burst) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[MICE_GATE_A_MAX_PACKET],
				    "max packet exceeds the burst: such packets could never pass");
		return -EINVAL;
	}
	lifetime = tb[MICE_GATE_A_LIFETIME] ?
		   nla_get_u32(tb[MICE_GATE_A_LIFETIME]) :
		   MICE_GATE_LIFETIME_DEFAULT;
	idle = tb[MICE_GATE_A_IDLE] ? nla_get_u32(tb[MICE_GATE_A_IDLE]) :
	       MICE_GATE_IDLE_DEFAULT;

	g = mice_gate_alloc(nla_get_u32(tb[MICE_GATE_A_ID]), &cls, rate, burst,
			    max_packet, lifetime, idle);
	if (!g)
		return -ENOMEM;
	if (tb[MICE_GATE_A_TOKEN]) {
		g->token = nla_strdup(tb[MICE_GATE_A_TOKEN], GFP_KERNEL_ACCOUNT);
		if (!g->token) {
			mice_gate_free(g);
			return -ENOMEM;
		}
	}
	mutex_lock(&gn->lock);
	err = mice_gate_insert(gn, g, info->extack);
	mutex_unlock(&gn->lock);
	if (err)
		mice_gate_free(g);
	return err;
}

/* Map a token verdict to an errno and an extack message. */
static int mice_gate_token_errno(int terr, const struct nlattr *attr,
				 struct netlink_ext_ack *extack)
{
	switch (terr) {
	case -ENOKEY:
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "no token key in this namespace: KEY_SET first");
		return -ENOKEY;
	case MICE_TOKEN_E_TAG:
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "token tag mismatch (forged, altered or wrong key)");
		return -EKEYREJECTED;
	case MICE_TOKEN_E_EXPIRED:
		NL_SET_ERR_MSG_ATTR(extack, attr, "token expired");
		return -EKEYEXPIRED;
	case MICE_TOKEN_E_CLASSIFIER:
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "the gate's classifier does not match the token");
		return -EKEYREJECTED;
	case MICE_TOKEN_E_CRYPTO:
		NL_SET_ERR_MSG_ATTR(extack, attr, "crypto backend failed");
		return -EIO;
	}
	mice_gate_nl_msg(extack, attr, mice_token_err_name(terr));
	return -EINVAL;
}

/*
 * A self-verifying token (docs/token-format.md): the tag and expiry are
 * checked first; then the gate the token names (or, if none exists, a new
 * one with the classifier of the request) must hash to the token's
 * classifier digest, and the flow must fall in that classifier. The
 * token's authenticated envelope becomes the gate's. Called with gn->lock.
 */
static int mice_gate_commit_token(struct mice_gate_net *gn, struct nlattr **tb,
				  const struct mice_flow_key *k,
				  struct netlink_ext_ack *extack)
{
	const struct nlattr *tattr = tb[MICE_GATE_A_TOKEN];
	const char *hex = nla_data(tattr);
	struct mice_gate_classifier cls;
	struct mice_gate_used *used;
	struct mice_policer old;
	struct mice_flow_key key;
	struct mice_gate *g;
	struct mice_token t;
	bool created = false;
	u32 pos, lifetime;
	u64 now;
	int err;

	err = mice_gate_token_verify(gn, hex, strlen(hex), &t, &pos);
	if (err)
		return mice_gate_token_errno(err, tattr, extack);
	/* Replay, lifetime over the limit, replay cache full. */
	err = mice_gate_token_admit(gn, &t, tattr, extack);
	if (err)
		return err;
	if (tb[MICE_GATE_A_ID] && nla_get_u32(tb[MICE_GATE_A_ID]) != t.gate_id) {
		NL_SET_ERR_MSG_ATTR(extack, tb[MICE_GATE_A_ID],
				    "the token is for another gate ID");
		return -EINVAL;
	}
	if (t.max_packet > t.burst || !t.burst || !t.gate_id) {
		NL_SET_ERR_MSG_ATTR(extack, tattr, "the token's envelope is unusable");
		return -EINVAL;
	}
	g = mice_gate_find(gn, t.gate_id);
	if (g) {
		mice_gate_get_cls(g, &cls);
		if (g->state != MICE_GATE_AUTHORIZED) {
			/* Replay of a token whose gate is in use. */
			NL_SET_ERR_MSG(extack, "gate already committed");
			return -EALREADY;
		}
	} else {
		if (!tb[MICE_GATE_A_CLASSIFIER]) {
			NL_SET_ERR_MSG(extack,
				       "no gate with the token's ID: give the classifier (MICE_GATE_A_CLASSIFIER)");
			return -ENOENT;
		}
		err = mice_gate_nl_cls(tb[MICE_GATE_A_CLASSIFIER], &cls, extack);
		if (err)
			return err;
	}
	/* The tag and expiry passed above; now the classifier. */
	err = mice_gate_token_check_cls(gn, &t, &cls);
	if (err)
		return mice_gate_token_errno(err, tattr, extack);
	key = *k;
	key.dir = cls.dir;
	if (!mice_gate_classifier_match(&cls, &key)) {
		NL_SET_ERR_MSG(extack, "flow is outside the gate's classifier");
		return -EADDRNOTAVAIL;
	}
	if (!g) {
		/* Authorized until the token expires (at most a day). */
		now = ktime_get_real_seconds();
		lifetime = min_t(u64, t.expiry - now, MICE_GATE_TIMER_MAX);
		g = mice_gate_alloc(t.gate_id, &cls, t.rate, t.burst,
				    t.max_packet, lifetime ? lifetime : 1,
				    MICE_GATE_IDLE_DEFAULT);
		if (!g)
			return -ENOMEM;
		err = mice_gate_insert(gn, g, extack);
		if (err) {
			mice_gate_free(g);
			return err;
		}
		created = true;
	}
	/* The authenticated envelope is the gate's from now on. */
	old = g->pol;
	mice_policer_init(&g->pol, t.rate, t.burst, t.max_packet, ktime_get_ns());
	g->verified = true;
	used = mice_gate_token_use(gn, &t, extack);
	if (IS_ERR(used))
		err = PTR_ERR(used);
	else
		err = mice_gate_commit(gn, g, k, extack);
	if (err && !IS_ERR(used))
		mice_gate_token_unuse(gn, used);
	if (err && created) {
		mice_gate_close(gn, g, MICE_GATE_CLOSE_COMMAND);
	} else if (err) {
		g->verified = false;
		g->pol = old;
	}
	return err;
}

int mice_nl_gate_commit(struct sk_buff *skb, struct genl_info *info)
{
	struct mice_gate_net *gn = mice_gate_nl_gn(info);
	struct nlattr *tb[MICE_GATE_A_FLOW + 1];
	struct nlattr *nest = info->attrs[MICE_A_GATE];
	struct nlattr *tattr;
	struct mice_flow_key k;
	struct mice_gate *g = NULL;
	int err;

	err = mice_gate_nl_parse(info, tb, MICE_GATE_A_FLOW,
				 mice_gate_commit_policy);
	if (err)
		return err;
	if (NL_REQ_ATTR_CHECK(info->extack, nest, tb, MICE_GATE_A_FLOW)) {
		NL_SET_ERR_MSG(info->extack, "a commit needs the flow (MICE_GATE_A_FLOW)");
		return -EINVAL;
	}
	err = mice_gate_nl_flow(tb[MICE_GATE_A_FLOW], &k, info->extack);
	if (err)
		return err;
	tattr = tb[MICE_GATE_A_TOKEN];
	if (!tattr && !tb[MICE_GATE_A_ID]) {
		NL_SET_ERR_MSG(info->extack, "a commit needs the gate ID or a token");
		return -EINVAL;
	}

	mutex_lock(&gn->lock);
	if (tb[MICE_GATE_A_ID])
		g = mice_gate_find(gn, nla_get_u32(tb[MICE_GATE_A_ID]));
	if (!tattr || (g && g->token)) {
		/* By the operator, or with the gate's opaque token. */
		if (!g) {
			NL_SET_ERR_MSG_ATTR(info->extack, tb[MICE_GATE_A_ID],
					    "no gate with this ID");
			err = -ENOENT;
		} else if (tb[MICE_GATE_A_CLASSIFIER]) {
			NL_SET_ERR_MSG_ATTR(info->extack, tb[MICE_GATE_A_CLASSIFIER],
					    "the classifier is the gate's: give it only with a self-verifying token");
			err = -EINVAL;
		} else if (g->token &&
			   (!tattr || strlen(nla_data(tattr)) != strlen(g->token) ||
			    crypto_memneq(nla_data(tattr), g->token,
					  strlen(g->token)))) {
			NL_SET_ERR_MSG_ATTR(info->extack, tattr,
					    "token does not match the gate's");
			err = -EKEYREJECTED;
		} else {
			err = mice_gate_commit(gn, g, &k, info->extack);
		}
	} else {
		err = mice_gate_commit_token(gn, tb, &k, info->extack);
	}
	mutex_unlock(&gn->lock);
	return err;
}

/* The gate named by MICE_A_GATE{ID}; called with gn->lock held. */
static struct mice_gate *mice_gate_nl_by_id(struct mice_gate_net *gn,
					    struct genl_info *info)
{
	struct nlattr *tb[MICE_GATE_A_ID + 1];
	struct mice_gate *g;
	int err;

	err = mice_gate_nl_parse(info, tb, MICE_GATE_A_ID, mice_gate_id_policy);
	if (err)
		return ERR_PTR(err);
	if (NL_REQ_ATTR_CHECK(info->extack, info->attrs[MICE_A_GATE], tb,
			      MICE_GATE_A_ID)) {
		NL_SET_ERR_MSG(info->extack, "missing MICE_GATE_A_ID");
		return ERR_PTR(-EINVAL);
	}
	g = mice_gate_find(gn, nla_get_u32(tb[MICE_GATE_A_ID]));
	if (!g) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[MICE_GATE_A_ID],
				    "no gate with this ID");
		return ERR_PTR(-ENOENT);
	}
	return g;
}

int mice_nl_gate_del(struct sk_buff *skb, struct genl_info *info)
{
	struct mice_gate_net *gn = mice_gate_nl_gn(info);
	struct mice_gate *g;

	mutex_lock(&gn->lock);
	g = mice_gate_nl_by_id(gn, info);
	if (!IS_ERR(g))
		mice_gate_close(gn, g, MICE_GATE_CLOSE_COMMAND);
	mutex_unlock(&gn->lock);
	return PTR_ERR_OR_ZERO(g);
}

int mice_nl_gate_get(struct sk_buff *skb, struct genl_info *info)
{
	struct mice_gate_net *gn = mice_gate_nl_gn(info);
	struct mice_gate *g;
	struct sk_buff *msg;
	int err;

	msg = nlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	mutex_lock(&gn->lock);
	g = mice_gate_nl_by_id(gn, info);
	if (IS_ERR(g))
		err = PTR_ERR(g);
	else
		err = mice_gate_fill(msg, g, info->snd_portid, info->snd_seq, 0,
				     MICE_CMD_GATE_GET, -1, NULL);
	mutex_unlock(&gn->lock);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

/*
 * GATE_GET dumps walk the GateID table with an rhashtable walker kept for
 * the whole dump (cb->args[0]), so each part continues where the last one
 * stopped instead of skipping the gates already sent: a million gates dump
 * in linear time. A table resize during the dump may repeat gates; any
 * change sets NLM_F_DUMP_INTR (genid).
 */
int mice_nl_gate_dump_start(struct netlink_callback *cb)
{
	struct mice_gate_net *gn = mice_net(sock_net(cb->skb->sk))->gates;
	struct rhashtable_iter *iter;

	iter = kmalloc(sizeof(*iter), GFP_KERNEL);
	if (!iter)
		return -ENOMEM;
	rhashtable_walk_enter(&gn->by_id, iter);
	cb->args[0] = (long)iter;
	return 0;
}

int mice_nl_gate_dump_done(struct netlink_callback *cb)
{
	struct rhashtable_iter *iter = (struct rhashtable_iter *)cb->args[0];

	if (iter) {
		rhashtable_walk_exit(iter);
		kfree(iter);
	}
	return 0;
}

int mice_nl_gate_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct mice_gate_net *gn = mice_net(sock_net(skb->sk))->gates;
	struct rhashtable_iter *iter = (struct rhashtable_iter *)cb->args[0];
	struct mice_gate *g;

	mutex_lock(&gn->lock);
	cb->seq = gn->genid;
	rhashtable_walk_start(iter);
	/* The gate that did not fit last time, or the first one. */
	for (g = mice_gate_walk(iter, false); g; g = mice_gate_walk(iter, true))
		if (mice_gate_fill(skb, g, NETLINK_CB(cb->skb).portid,
				   cb->nlh->nlmsg_seq, NLM_F_MULTI,
				   MICE_CMD_GATE_GET, -1, cb))
			break;
	rhashtable_walk_stop(iter);
	mutex_unlock(&gn->lock);
	return skb->len;
}

int mice_nl_key_set(struct sk_buff *skb, struct genl_info *info)
{
	struct mice_gate_net *gn = mice_gate_nl_gn(info);
	struct nlattr *tb[MICE_KEY_A_MAX + 1];
	struct nlattr *secret;
	int err;

	err = mice_nl_parse_nest(info, MICE_A_KEY, tb, mice_key_policy,
				 MICE_KEY_A_SECRET);
	if (err)
		return err;
	secret = tb[MICE_KEY_A_SECRET];
	mutex_lock(&gn->lock);
	err = mice_gate_key_set(gn, nla_data(secret), nla_len(secret),
				info->extack);
	mutex_unlock(&gn->lock);
	/* Do not leave the key in the request (nor in an echoing ACK). */
	memzero_explicit(nla_data(secret), nla_len(secret));
	return err;
}

int mice_nl_key_del(struct sk_buff *skb, struct genl_info *info)
{
	struct mice_gate_net *gn = mice_gate_nl_gn(info);
	int err = 0;

	mutex_lock(&gn->lock);
	if (!gn->key) {
		NL_SET_ERR_MSG(info->extack, "no token key is set");
		err = -ENOENT;
	} else {
		mice_gate_key_free(gn->key);
		gn->key = NULL;
	}
	mutex_unlock(&gn->lock);
	return err;
}

static int mice_gate_nl_if(struct net *net, const struct nlattr *attr,
			   struct mice_gate_if *gif,
			   struct netlink_ext_ack *extack)
{
	struct nlattr *tb[MICE_MODE_IF_A_MAX + 1];
	int err;

	err = nla_parse_nested(tb, MICE_MODE_IF_A_MAX, attr,
			       mice_mode_if_policy, extack);
	if (err)
		return err;
	if (NL_REQ_ATTR_CHECK(extack, attr, tb, MICE_MODE_IF_A_IFINDEX)) {
		NL_SET_ERR_MSG(extack, "an interface needs MICE_MODE_IF_A_IFINDEX");
		return -EINVAL;
	}
	gif->ifindex = nla_get_u32(tb[MICE_MODE_IF_A_IFINDEX]);
	gif->dir = tb[MICE_MODE_IF_A_DIR] ? nla_get_u8(tb[MICE_MODE_IF_A_DIR]) :
		   MICE_GATE_DIR_UP;
	rcu_read_lock();
	if (!dev_get_by_index_rcu(net, gif->ifindex))
		err = -ENODEV;
	rcu_read_unlock();
	if (err)
		NL_SET_ERR_MSG_ATTR(extack, tb[MICE_MODE_IF_A_IFINDEX],
				    "no such interface in this namespace");
	return err;
}

int mice_nl_mode_set(struct sk_buff *skb, struct genl_info *info)
{
	struct mice_gate_net *gn = mice_gate_nl_gn(info);
	struct nlattr *tb[MICE_MODE_A_MAX + 1];
	struct nlattr *nest = info->attrs[MICE_A_MODE];
	struct mice_gate_mode *mode;
	const struct nlattr *attr;
	unsigned int i;
	int rem, err;

	err = mice_nl_parse_nest(info, MICE_A_MODE, tb, mice_mode_policy, -1);
	if (err)
		return err;
	mode = kzalloc(sizeof(*mode), GFP_KERNEL);
	if (!mode)
		return -ENOMEM;

	mutex_lock(&gn->lock);
	*mode = *rcu_dereference_protected(gn->mode, lockdep_is_held(&gn->lock));
	if (tb[MICE_MODE_A_MODE])
		mode->mode = nla_get_u8(tb[MICE_MODE_A_MODE]);
	if (tb[MICE_MODE_A_DATAPATH])
		mode->datapath = nla_get_u8(tb[MICE_MODE_A_DATAPATH]);
	if (tb[MICE_MODE_A_IF] || tb[MICE_MODE_A_IF_FLUSH])
		mode->nifs = 0;
	nla_for_each_nested(attr, nest, rem) {
		if (nla_type(attr) != MICE_MODE_A_IF)
			continue;
		if (mode->nifs >= MICE_MAX_POLICED_IFS) {
			NL_SET_ERR_MSG_ATTR(info->extack, attr,
					    "too many policed interfaces");
			err = -E2BIG;
			goto fail;
		}
		err = mice_gate_nl_if(genl_info_net(info), attr,
				      &mode->ifs[mode->nifs], info->extack);
		if (err)
			goto fail;
		for (i = 0; i < mode->nifs; i++) {
			if (mode->ifs[i].ifindex == mode->ifs[mode->nifs].ifindex) {
				NL_SET_ERR_MSG_ATTR(info->extack, attr,
						    "interface given twice");
				err = -EINVAL;
				goto fail;
			}
		}
		mode->nifs++;
	}
	err = mice_gate_set_mode(gn, mode);
	mode = NULL;	/* consumed */
	if (!err && tb[MICE_MODE_A_MAX_GATES])
		gn->max_gates = nla_get_u32(tb[MICE_MODE_A_MAX_GATES]);
fail:
	mutex_unlock(&gn->lock);
	kfree(mode);
	return err;
}
